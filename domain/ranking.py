"""The DISCOVER ranking: which approved posts a viewer sees first. No I/O.

    score = quality x freshness x (1 + proximity) x (1 + influence / 100) x (1 + credit / 200)

- quality: engagement per view, smoothed so a new post is neither 0 nor 1:
  (likes + 2 x comments + 1) / (views + 10), times 10 so a typical post is near 1;
- freshness: exp(-ln 2 x age / HALF_LIFE_HOURS): a post loses half its weight every 24 hours;
- proximity of the author to the viewer from the social graph: 1.0 a friend, 0.6 someone the viewer follows,
  0.4 a friend of a friend, 0 otherwise;
- influence: the author's 0..100 influence score;
- credit: the author's 0..100 creator credit score (domain/creators.py): a proven creator's post counts up to 1.5x.

Then the ranked list is arranged so that every COLD_START_EVERY-th slot goes to a post younger than
COLD_START_HOURS with little engagement (new posts get seen and so get a chance to earn engagement), and no
author appears twice in a row. Last, `cap_commercial` keeps commercial posts (those tagging products) to at most
COMMERCIAL_SHARE of each page (settings.COMMERCIAL_SHARE, 0.3 by default).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

HALF_LIFE_HOURS = 24.0
COLD_START_EVERY = 5
COLD_START_HOURS = 6.0
COLD_START_MAX_ENGAGEMENT = 3
PROXIMITY = {"friend": 1.0, "followee": 0.6, "friend_of_friend": 0.4}


@dataclass(frozen=True)
class Candidate:
    post_id: str
    author_id: str
    likes: int
    comments: int
    views: int
    age_hours: float
    proximity: float
    influence: float
    credit: float = 0.0
    commercial: bool = False

    @property
    def engagement(self) -> int:
        return self.likes + 2 * self.comments


def quality(c: Candidate) -> float:
    return 10.0 * (c.engagement + 1) / (c.views + 10)


def freshness(age_hours: float) -> float:
    return math.exp(-math.log(2) * max(0.0, age_hours) / HALF_LIFE_HOURS)


def score(c: Candidate) -> float:
    return quality(c) * freshness(c.age_hours) * (1 + c.proximity) * (1 + c.influence / 100) * (1 + c.credit / 200)


def is_cold(c: Candidate) -> bool:
    return c.age_hours <= COLD_START_HOURS and c.engagement <= COLD_START_MAX_ENGAGEMENT


def arrange(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Best first, with cold-start slots and no author twice in a row (when another author is available)."""
    ranked = sorted(candidates, key=lambda c: (-score(c), c.post_id))
    cold = [c for c in ranked if is_cold(c)]
    out: list[Candidate] = []
    pool = list(ranked)
    while pool:
        want_cold = (len(out) + 1) % COLD_START_EVERY == 0 and any(c in pool for c in cold)
        choices = [c for c in pool if is_cold(c)] if want_cold else pool
        last = out[-1].author_id if out else None
        pick = next((c for c in choices if c.author_id != last), None) or next(
            (c for c in pool if c.author_id != last), pool[0]
        )
        out.append(pick)
        pool.remove(pick)
    return out


T = TypeVar("T")


def cap_commercial(items: Sequence[T], is_commercial: Callable[[T], bool], share: float, page: int) -> list[T]:
    """The same items, in their order as far as the cap allows: each page of `page` items (positions 0..page-1,
    page..2 x page-1, ...) holds at most floor(share x page) commercial ones; a commercial item over the cap moves
    down to the next page with room. Only when nothing else is left do the remaining commercial items fill pages
    (an end of the ranking made of commercial posts alone)."""
    most = math.floor(share * page + 1e-9)
    pending = list(items)
    out: list[T] = []
    while pending:
        used = sum(1 for item in out[len(out) - len(out) % page :] if is_commercial(item))
        if used < most:
            out.append(pending.pop(0))
            continue
        plain = next((i for i, item in enumerate(pending) if not is_commercial(item)), None)
        out.append(pending.pop(plain if plain is not None else 0))
    return out

"""Live selling rules (直播带货): room states, what a room, a comment and a like may be, the order rooms are listed
in, and the token bucket that paces commenters. No I/O.

    SCHEDULED -> LIVE -> ENDED      (a scheduled room may also be ended without going live: cancelled)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.profile import Problem
from domain.text import text_problems

SCHEDULED = "SCHEDULED"
LIVE = "LIVE"
ENDED = "ENDED"
STATUSES = (SCHEDULED, LIVE, ENDED)

# target -> the statuses a room may move to it from (the compare-and-set guard)
SOURCES = {LIVE: (SCHEDULED,), ENDED: (SCHEDULED, LIVE)}

TITLE_MAX = 60
PRODUCTS_MAX = 50
COMMENT_MAX = 200
LIKES_MAX = 100
RECENT_MAX = 50
RECENT_DEFAULT = 20

# liveRooms order: LIVE rooms first (most viewers first), then SCHEDULED, then ENDED
_STATUS_WEIGHT = {LIVE: 3, SCHEDULED: 2, ENDED: 1}
_WEIGHT_STEP = 10**9


def rank(status: str, viewers: int) -> int:
    """One sortable number for liveRooms: the status first, then the viewers (only LIVE rooms have any)."""
    return _STATUS_WEIGHT[status] * _WEIGHT_STEP + (min(viewers, _WEIGHT_STEP - 1) if status == LIVE else 0)


def room_problems(title: str, product_ids: Sequence[str]) -> list[Problem]:
    problems = text_problems("title", title, "A title", TITLE_MAX)
    if len(product_ids) > PRODUCTS_MAX:
        problems.append(Problem("productIds", f"At most {PRODUCTS_MAX} products per room"))
    return problems


def comment_problems(body: str) -> list[Problem]:
    return text_problems("body", body, "A live comment", COMMENT_MAX)


def like_problems(count: int) -> list[Problem]:
    if not 1 <= count <= LIKES_MAX:
        return [Problem("count", f"Send 1 to {LIKES_MAX} likes at a time")]
    return []


def recent_count(last: int | None) -> int:
    """How many recent comments to show: RECENT_DEFAULT by default, never more than RECENT_MAX."""
    return RECENT_DEFAULT if last is None else max(0, min(last, RECENT_MAX))


@dataclass(frozen=True)
class Bucket:
    """A token bucket: `tokens` left at `at_ms`. It refills at `rate` tokens a second up to `burst`."""

    tokens: float
    at_ms: int


def take(bucket: Bucket | None, now_ms: int, rate: float, burst: int, cost: int = 1) -> tuple[bool, Bucket]:
    """Spend `cost` tokens if there are that many: (allowed, the bucket after). A new key starts full (the burst)."""
    if bucket is None:
        tokens = float(burst)
    else:
        elapsed = max(0, now_ms - bucket.at_ms) / 1000
        tokens = min(float(burst), bucket.tokens + elapsed * rate)
    if tokens >= cost:
        return True, Bucket(tokens - cost, now_ms)
    return False, Bucket(tokens, now_ms)

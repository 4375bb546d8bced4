"""Product recommendations from the social graph: signals per candidate, a score and the reasons shown. No I/O.

    score = 1.0 x friends + 0.5 x followees + 0.3 x influence + 0.5 x friend_likes
            + 0.6 x co_purchase + 0.3 x co_like + 0.15 x popularity
            each term log-damped: log1p(count), so the first friend counts most

- friends: friends (mutual follows) of the viewer who bought it and allow social proof (the strongest tie);
- followees: people the viewer follows (not friends) who bought it (a weaker tie: half the weight), or liked or
  posted about it (half again);
- influence: the summed influence (0..1 each) of the most influential of those people who bought it;
- friend_likes: friends who liked a post tagging it or posted about it;
- co_like: how many people who engaged with the viewer's liked products also engaged with it;
- co_purchase: how many buyers of the viewer's own purchases also bought it;
- popularity: its sales, the cold-start fallback.

Products the viewer bought are left out unless consumable (food, tea: bought again and again).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WEIGHTS = {
    "friends": 1.0,
    "followees": 0.5,
    "influence": 0.3,
    "friend_likes": 0.5,
    "co_purchase": 0.6,
    "co_like": 0.3,
    "popularity": 0.15,
}
CONSUMABLE_CATEGORIES = frozenset({"茶叶", "食品", "零食", "饮料", "日用", "生鲜", "美妆"})


@dataclass
class Signals:
    friends: float = 0.0
    friend_count: int = 0
    followees: float = 0.0
    followee_count: int = 0
    influence: float = 0.0
    friend_likes: int = 0
    co_purchase: int = 0
    co_like: int = 0
    co_purchased_with: str | None = None  # the title of the viewer's product it is most often bought with
    sales: int = 0
    reasons: list[str] = field(default_factory=list)


def score(s: Signals) -> float:
    return (
        WEIGHTS["friends"] * math.log1p(s.friends)
        + WEIGHTS["followees"] * math.log1p(s.followees)
        + WEIGHTS["influence"] * math.log1p(s.influence)
        + WEIGHTS["friend_likes"] * math.log1p(s.friend_likes)
        + WEIGHTS["co_purchase"] * math.log1p(s.co_purchase)
        + WEIGHTS["co_like"] * math.log1p(s.co_like)
        + WEIGHTS["popularity"] * math.log1p(s.sales)
    )


def reasons(s: Signals) -> list[str]:
    out = []
    if s.friend_count:
        out.append(f"{s.friend_count} friend{'s' if s.friend_count > 1 else ''} bought this")
    if s.friend_likes:
        out.append(
            f"{s.friend_likes} friend{'s' if s.friend_likes > 1 else ''} like{'' if s.friend_likes > 1 else 's'} this"
        )
    if s.followee_count:
        out.append("popular with people you follow")
    if s.co_purchase and s.co_purchased_with:
        out.append(f"often bought with {s.co_purchased_with}")
    if not out:
        out.append("popular right now")
    return out


def may_recommend_again(category: str | None) -> bool:
    return category in CONSUMABLE_CATEGORIES


def text_similarity(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two titles' search terms (characters and character pairs)."""
    return len(a & b) / len(a | b) if a and b else 0.0

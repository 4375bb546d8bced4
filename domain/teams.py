"""Group-buy teams (拼团): tier prices and when a team closes. No I/O.

A team of a product with tiers [(size, price), ...] ascending by size: the first tier's size is the minimum to
succeed, the last one's the seats. The price reached is that of the largest tier whose size the paid members
meet (the first tier's price before that); everybody ends up paying it: who paid more gets the difference back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

OPEN = "OPEN"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
STATUSES = (OPEN, SUCCEEDED, FAILED)

Tiers = Sequence[Mapping[str, Any]]


def min_size(tiers: Tiers) -> int:
    return int(tiers[0]["size"])


def max_size(tiers: Tiers) -> int:
    return int(tiers[-1]["size"])


def price_at(tiers: Tiers, paid: int) -> int:
    """The unit price for a team with `paid` paying members."""
    price = tiers[0]["price"]
    for tier in tiers:
        if paid >= tier["size"]:
            price = tier["price"]
    return int(price)


def next_tier(tiers: Tiers, paid: int) -> Mapping[str, Any] | None:
    return next((t for t in tiers if t["size"] > paid), None)


def outcome_at_expiry(tiers: Tiers, paid: int) -> str:
    return SUCCEEDED if paid >= min_size(tiers) else FAILED


def difference_owed(paid_price: int, final_price: int) -> int:
    """What a member who paid `paid_price` gets back when the team closes at `final_price`."""
    return max(0, paid_price - final_price)

"""Bargains (砍价): friends cut the price from the SKU's price down to a floor. No I/O.

Exactly `helpers_needed` cuts take the price from `start` to `floor`. Each cut is at least 1 fen and takes a
random 20-50% of what remains (larger for a new user the bargain brought in), never so much that a later helper
could not take at least 1 fen; the last needed helper takes the exact remainder. So early cuts are large and the
last ones small, the price never goes below the floor, and it reaches the floor exactly at the last needed cut.
Randomness comes from the caller (a `random.Random`), so a bargain's cuts are reproducible.
"""

from __future__ import annotations

import random

ACTIVE = "ACTIVE"
REACHED_FLOOR = "REACHED_FLOOR"
EXPIRED = "EXPIRED"
PURCHASED = "PURCHASED"
STATUSES = (ACTIVE, REACHED_FLOOR, EXPIRED, PURCHASED)
OPEN_STATUSES = (ACTIVE, REACHED_FLOOR)  # may still be bought
SHARE_MIN, SHARE_MAX = 0.2, 0.5


def next_cut(remaining: int, helpers_left: int, rng: random.Random, factor: float = 1.0) -> int:
    """The next cut of `remaining` fen (current price minus floor) with `helpers_left` cuts still to come,
    this one included."""
    if helpers_left < 1 or remaining < helpers_left:
        raise ValueError("every remaining helper must be able to cut at least 1 fen")
    if helpers_left == 1:
        return remaining
    most = remaining - (helpers_left - 1)  # leave 1 fen for each later helper
    share = rng.uniform(SHARE_MIN, SHARE_MAX) * factor
    return max(1, min(most, int(remaining * share)))


def cut_rng(bargain_seed: str, cut_index: int) -> random.Random:
    """The random source of a bargain's n-th cut: reproducible, different per bargain and per cut."""
    return random.Random(f"{bargain_seed}:{cut_index}")

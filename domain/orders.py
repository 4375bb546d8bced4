"""Orders: the status machine (the contract's OrderStatus), order numbers and totals. No I/O here.

    PENDING_PAYMENT -> PAID | CANCELLED
    PAID            -> SHIPPED | REFUNDING
    SHIPPED         -> COMPLETED | REFUNDING
    REFUNDING       -> REFUNDED
    CANCELLED, COMPLETED, REFUNDED: final

Orders also have an internal state, RESERVING, while placeOrder takes their stock; they are never shown in it.
Every move is applied by compare-and-set on the current status, so of two racing moves exactly one wins.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone

RESERVING = "RESERVING"
PENDING_PAYMENT = "PENDING_PAYMENT"
PAID = "PAID"
SHIPPED = "SHIPPED"
COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"
REFUNDING = "REFUNDING"
REFUNDED = "REFUNDED"

# The contract's OrderStatus, in its order.
STATUSES = (PENDING_PAYMENT, PAID, SHIPPED, COMPLETED, CANCELLED, REFUNDING, REFUNDED)

MOVES: Mapping[str, frozenset[str]] = {
    RESERVING: frozenset({PENDING_PAYMENT, CANCELLED}),
    PENDING_PAYMENT: frozenset({PAID, CANCELLED}),
    PAID: frozenset({SHIPPED, REFUNDING}),
    SHIPPED: frozenset({COMPLETED, REFUNDING}),
    REFUNDING: frozenset({REFUNDED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
    REFUNDED: frozenset(),
}
VISIBLE = frozenset(MOVES) - {RESERVING}

MAX_LINES = 50
MAX_QUANTITY = 999
CHINA = timezone(timedelta(hours=8))


def can_move(current: str, target: str) -> bool:
    return target in MOVES.get(current, frozenset())


def sources_of(target: str) -> list[str]:
    """The statuses an order may move to `target` from (the compare-and-set guard)."""
    return sorted(s for s, targets in MOVES.items() if target in targets)


def order_number(now: datetime, random_digits: str | None = None) -> str:
    """Human-readable and unique in practice: the China-time second it was placed, then 8 random digits
    (a unique index turns the rare collision into a retry)."""
    digits = random_digits if random_digits is not None else f"{secrets.randbelow(10**8):08d}"
    return now.astimezone(CHINA).strftime("%Y%m%d%H%M%S") + digits


def subtotal(lines: Iterable[Mapping[str, int]]) -> int:
    return sum(line["unitPrice"] * line["quantity"] for line in lines)


def points_earned(paid_fen: int) -> int:
    """One point per whole yuan paid."""
    return max(0, paid_fen) // 100


# Points needed for each level: level 1 from 0 points, level 2 from 100, ...
LEVEL_THRESHOLDS = (0, 100, 500, 2_000, 10_000, 50_000)


def level_of(points: int) -> int:
    return sum(1 for threshold in LEVEL_THRESHOLDS if points >= threshold)

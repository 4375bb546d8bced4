"""Refunds: how much of an order may still be given back, and what follows from money given back. No I/O.

Every refund of an order goes through `take`: the buyer's, a failed team's, a late payment's, a team's price
difference. The order keeps `refunded`, the sum of the refunds it has taken, and moves it by one guarded update
per refund (resolvers/refunds.py), so the refunds of an order never add up to more than it was paid. Commission
and points are those of the money the order keeps (paid - refunded), whenever money comes back.
"""

from __future__ import annotations

from domain.distribution import commission
from domain.orders import points_earned

# Refund requests a payment provider could not take are asked again after a delay that doubles from the first,
# up to the ceiling (the number of attempts is a setting).
RETRY_FIRST_MS = 10_000
RETRY_MAX_MS = 3_600_000


def left(paid: int, refunded: int) -> int:
    """What is left to give back of `paid` fen once `refunded` fen were."""
    return max(0, paid - refunded)


def take(paid: int, refunded: int, asked: int | None = None) -> int:
    """The refund to make now: `asked` fen when it is positive and fits in what is left, all that is left when
    `asked` is None; 0 (no refund) otherwise. Never more than is left: sum of refunds <= paid."""
    rest = left(paid, refunded)
    if asked is None:
        return rest
    return asked if 0 < asked <= rest else 0


def commission_back(amount: int, rate_bp: int, kept: int) -> int:
    """How much of a commission of `amount` at `rate_bp` to reverse once the order keeps `kept` fen: what it
    earned on money since refunded (never more than it is, never a raise)."""
    return max(0, amount - min(amount, commission(max(0, kept), rate_bp)))


def points_back(granted: int, kept: int) -> int:
    """How many of the `granted` points of an order to take back once it keeps `kept` fen."""
    return max(0, granted - min(granted, points_earned(kept)))


def retry_delay_ms(attempts: int) -> int:
    """How long to wait before asking again after `attempts` failed requests (1, 2, ...)."""
    return int(min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** max(0, min(attempts - 1, 30))))

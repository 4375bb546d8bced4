"""The points ledger's rules: earned lots and when they expire, first-in first-out consumption, and the points an
order gives back when money comes back. No I/O.

A user's balance is the sum of their ledger entries. Points earned in a year form that year's lot, which expires at
the end of the following year (China time). Spending, expiring and the points an order takes back consume the
oldest lots first; the user document keeps, next to the balance, each lot's amount by expiry year (`pointsLots`)
and the total consumed (`pointsConsumed`), so what expires is `sum(lots up to that year) - consumed`, never less
than zero."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

from domain.problem import Problem

EARNED, SPENT, EXPIRED, REVERSED = "EARNED", "SPENT", "EXPIRED", "REVERSED"
KINDS = (EARNED, SPENT, EXPIRED, REVERSED)
CHINA = timezone(timedelta(hours=8))  # no daylight saving: a fixed offset is Asia/Shanghai
MAX_AMOUNT = 100_000_000  # one entry moves at most this many points (no overflow, no typo'd million-fold grant)
KEY_MAX = 200


def year_of(ms: int) -> int:
    return datetime.fromtimestamp(ms / 1000, CHINA).year


def lot_of(earned_at_ms: int) -> str:
    """The lot (its expiry year, as a string key) that points earned at this moment belong to."""
    return str(year_of(earned_at_ms) + 1)


def expires_at(lot: str) -> int:
    """The end of the lot's year, China time, in ms: the first instant at which its points are gone."""
    start_of_next = datetime(int(lot) + 1, 1, 1, tzinfo=CHINA)
    return int(start_of_next.astimezone(UTC).timestamp() * 1000)


def expiring(lots: Mapping[str, int], consumed: int, up_to_lot: str) -> int:
    """What expires at the end of `up_to_lot`'s year: lots up to it, less all that was consumed (FIFO), >= 0."""
    due = sum(amount for lot, amount in lots.items() if int(lot) <= int(up_to_lot))
    return max(0, due - consumed)


def spendable(balance: int, lots: Mapping[str, int], consumed: int, now_ms: int) -> int:
    """The balance less the points of lots already past their expiry that the sweep has not expired yet."""
    past = str(year_of(now_ms) - 1)
    return max(0, balance - expiring(lots, consumed, past))


def amount_problems(amount: int, field: str = "amount") -> list[Problem]:
    if not 0 < amount <= MAX_AMOUNT:
        return [Problem(field, f"An amount of points is from 1 to {MAX_AMOUNT}")]
    return []


def used_back(points_used: int, total: int, kept: int) -> int:
    """Of the `points_used` by an order paid `total` fen, how many are back with the buyer once it keeps `kept` fen:
    in proportion to the money refunded, rounded down (all of them when nothing is kept)."""
    if points_used <= 0:
        return 0
    if kept <= 0 or total <= 0:
        return points_used
    return points_used * max(0, total - kept) // total

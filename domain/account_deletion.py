"""Account deletion (PIPL art. 47): its states and what stops it. No I/O here.

    PENDING  -> CANCELLED (cancelAccountDeletion, during the cooling-off period)
    PENDING  -> ERASING   (the sweep, once the cooling-off period is over and nothing blocks it)
    ERASING  -> DONE      (every erasure step done; a crashed sweep resumes at the step it marked)
    CANCELLED -> PENDING  (asked again: a new cooling-off period)

One deletion document per user (its id is the user's), so asking twice, or twice at once, is one deletion.
What blocks it is checked when it is asked and again when it is due (the user could still buy meanwhile): a
blocked due deletion stays PENDING, names its blockers, and is looked at again RETRY_BLOCKED_MS later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain import after_sales, orders, payouts
from domain.problem import Problem
from domain.text import text_problems

PENDING = "PENDING"
CANCELLED = "CANCELLED"
ERASING = "ERASING"
DONE = "DONE"
STATUSES = (PENDING, CANCELLED, ERASING, DONE)

DAY_MS = 86_400_000
RETRY_BLOCKED_MS = 3_600_000
LEASE_MS = 600_000  # a sweep erasing an account holds it this long; past it another takes over where it stopped
REASON_MAX = 200

# What stops a deletion, each its own UserError code.
BALANCE_NOT_EMPTY = "BALANCE_NOT_EMPTY"
OPEN_ORDERS = "OPEN_ORDERS"
OPEN_AFTER_SALES = "OPEN_AFTER_SALES"
OPEN_WITHDRAWALS = "OPEN_WITHDRAWALS"
OWNS_SHOP = "OWNS_SHOP"
BLOCKERS: Mapping[str, str] = {
    BALANCE_NOT_EMPTY: "Your commission balance is not empty: withdraw what is available and wait for what is frozen",
    OPEN_ORDERS: "You have orders that are not finished (unpaid, paid, shipping, or with a refund on its way)",
    OPEN_AFTER_SALES: "You have after-sales requests that are not finished",
    OPEN_WITHDRAWALS: "You have a withdrawal that is not finished",
    OWNS_SHOP: "You own a shop: its orders, staff and buyers depend on your account",
}

ORDER_OPEN = tuple(sorted(set(orders.MOVES) - {orders.COMPLETED, orders.CANCELLED, orders.REFUNDED}))
AFTER_SALE_OPEN = tuple(sorted(set(after_sales.MOVES) - after_sales.FINAL))
WITHDRAWAL_OPEN = (payouts.REQUESTED, payouts.PROCESSING, "PENDING")  # PENDING: withdrawals of before payouts


def due_at(requested_at: int, cooling_days: float) -> int:
    return requested_at + int(cooling_days * DAY_MS)


def balance_blocks(balance: Mapping[str, Any] | None) -> bool:
    """Money still the user's: frozen commission, or an available balance above zero. Below zero is a debt (a
    commission reversed after it was withdrawn): that does not hold an account hostage, the ledger keeps it."""
    if not balance:
        return False
    return balance.get("frozen", 0) != 0 or balance.get("available", 0) > 0


def reason_problems(reason: str | None) -> list[Problem]:
    if reason is None:
        return []
    return text_problems("reason", reason, "A reason", REASON_MAX, min_len=0, multiline=True)

"""Orders: the status machine (the contract's OrderStatus), order numbers and totals. No I/O here.

    PENDING_PAYMENT -> PAID | CANCELLED
    PAID            -> PARTLY_SHIPPED | SHIPPED | REFUNDING
    PARTLY_SHIPPED  -> PARTLY_SHIPPED | SHIPPED | REFUNDING
    SHIPPED         -> COMPLETED | REFUNDING
    COMPLETED       -> REFUNDING (after-sales gave back the last of its money)
    REFUNDING       -> REFUNDED
    CANCELLED, REFUNDED: final

Orders also have an internal state, RESERVING, while placeOrder takes their stock; they are never shown in it.
Every move is applied by compare-and-set on the current status, so of two racing moves exactly one wins.
An order ships in packages (domain/shipments.py): PARTLY_SHIPPED while some units are left to ship (another package
keeps it there), SHIPPED once every line's whole quantity has shipped; only then may it complete.

Who moves an order into REFUNDING: the buyer alone only while it is PAID (nothing shipped, so the goods are
still with the shop); the platform for a failed group-buy team (PAID, or SHIPPED for orders shipped before teams
had to succeed first; a team's orders ship only once it succeeded, so never PARTLY_SHIPPED). Once a package has
left (PARTLY_SHIPPED included), money comes back only through after-sales with the merchant's approval
(domain/after_sales.py): partial refunds leave the order where it is, and the one that gives back the last of its
money moves it into REFUNDING, from PAID, PARTLY_SHIPPED, SHIPPED or COMPLETED. How much comes back is
domain/refunds.py's: never more than is left of what was paid.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone

from domain.profile import Problem
from domain.text import text_problems

RESERVING = "RESERVING"
PENDING_PAYMENT = "PENDING_PAYMENT"
PAID = "PAID"
PARTLY_SHIPPED = "PARTLY_SHIPPED"
SHIPPED = "SHIPPED"
COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"
REFUNDING = "REFUNDING"
REFUNDED = "REFUNDED"

# The contract's OrderStatus, in its order (PARTLY_SHIPPED added after PAID).
STATUSES = (PENDING_PAYMENT, PAID, PARTLY_SHIPPED, SHIPPED, COMPLETED, CANCELLED, REFUNDING, REFUNDED)

MOVES: Mapping[str, frozenset[str]] = {
    RESERVING: frozenset({PENDING_PAYMENT, CANCELLED}),
    PENDING_PAYMENT: frozenset({PAID, CANCELLED}),
    PAID: frozenset({PARTLY_SHIPPED, SHIPPED, REFUNDING}),
    PARTLY_SHIPPED: frozenset({PARTLY_SHIPPED, SHIPPED, REFUNDING}),
    SHIPPED: frozenset({COMPLETED, REFUNDING}),
    REFUNDING: frozenset({REFUNDED}),
    COMPLETED: frozenset({REFUNDING}),
    CANCELLED: frozenset(),
    REFUNDED: frozenset(),
}
VISIBLE = frozenset(MOVES) - {RESERVING}
BUYER_REFUNDABLE = frozenset({PAID})

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


def total_problems(priced: Sequence[tuple[int, int]], cap: int) -> list[Problem]:
    """An order of (unit price, quantity) lines totals at most `cap` fen: the line that passes it is named."""
    running = 0
    for i, (unit_price, quantity) in enumerate(priced):
        running += unit_price * quantity
        if running > cap:
            return [
                Problem(f"lines.{i}.quantity", f"An order totals at most {cap} fen; this line takes it to {running}")
            ]
    return []


def points_earned(paid_fen: int) -> int:
    """One point per whole yuan paid."""
    return max(0, paid_fen) // 100


REFUND_REASON_MAX = 200


def refund_reason_problems(reason: str) -> list[Problem]:
    """A buyer's reason for a refund: a user's text like any other (shown to the shop and sent to WeChat Pay)."""
    return text_problems("reason", reason, "A reason", REFUND_REASON_MAX)

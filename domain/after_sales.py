"""After-sales (售后): the state machine of a request, what a request may ask for, and the record an order keeps of
its after-sales (how many units and fen of each line came back or are on their way). No I/O.

```mermaid
stateDiagram-v2
    [*] --> REQUESTED: requestAfterSale (the buyer)
    REQUESTED --> APPROVED: approveAfterSale, or the sweep after AFTER_SALE_AUTO_APPROVE_HOURS
    REQUESTED --> REJECTED: rejectAfterSale
    REQUESTED --> CANCELLED: cancelAfterSale (the buyer)
    APPROVED --> REFUNDING: REFUND_ONLY
    APPROVED --> AWAITING_RETURN: RETURN_AND_REFUND
    AWAITING_RETURN --> RETURN_SHIPPED: shipReturn (the buyer)
    AWAITING_RETURN --> CANCELLED: cancelAfterSale (the buyer keeps the goods)
    RETURN_SHIPPED --> RETURN_RECEIVED: confirmReturnReceived
    RETURN_RECEIVED --> REFUNDING
    REFUNDING --> REFUNDED: the provider gave the money back
    REJECTED --> [*]
    CANCELLED --> [*]
    REFUNDED --> [*]
```

APPROVED and RETURN_RECEIVED are passed through at once (the next move follows the first); they stay only when a
process dies between the two, and the sweep moves them on. OPENING is internal, like an order's RESERVING: the
request exists while its units are reserved on the order, and is never shown in it. Every move is a compare-and-set
on the current status, so of two racing moves exactly one wins.

The record lives on the order (`afterSales`, one entry per request that holds units, moved with `afterSaleVersion`
by compare-and-set): an entry is HELD from the request until its refund is claimed (CLAIMED, the money taken out of
the order's payment by resolvers/refunds.claim), then REFUNDED once the money is back. A rejected or cancelled
request's entry is removed, so its units may be asked for again. The units and fen a line may still give back are
domain/allocation.py's, out of what the entries already hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain import allocation, shipments
from domain import orders as order_rules
from domain.problem import Problem
from domain.profile import is_http_url
from domain.refunds import left
from domain.text import text_problems

OPENING = "OPENING"
REQUESTED = "REQUESTED"
APPROVED = "APPROVED"
REJECTED = "REJECTED"
CANCELLED = "CANCELLED"
AWAITING_RETURN = "AWAITING_RETURN"
RETURN_SHIPPED = "RETURN_SHIPPED"
RETURN_RECEIVED = "RETURN_RECEIVED"
REFUNDING = "REFUNDING"
REFUNDED = "REFUNDED"

# The API's AfterSaleStatus, in its order.
STATUSES = (
    REQUESTED,
    APPROVED,
    REJECTED,
    CANCELLED,
    AWAITING_RETURN,
    RETURN_SHIPPED,
    RETURN_RECEIVED,
    REFUNDING,
    REFUNDED,
)
REFUND_ONLY = "REFUND_ONLY"
RETURN_AND_REFUND = "RETURN_AND_REFUND"
KINDS = (REFUND_ONLY, RETURN_AND_REFUND)

MOVES: Mapping[str, frozenset[str]] = {
    OPENING: frozenset({REQUESTED}),
    REQUESTED: frozenset({APPROVED, REJECTED, CANCELLED}),
    APPROVED: frozenset({REFUNDING, AWAITING_RETURN}),
    AWAITING_RETURN: frozenset({RETURN_SHIPPED, CANCELLED}),
    RETURN_SHIPPED: frozenset({RETURN_RECEIVED}),
    RETURN_RECEIVED: frozenset({REFUNDING}),
    REFUNDING: frozenset({REFUNDED}),
    REJECTED: frozenset(),
    CANCELLED: frozenset(),
    REFUNDED: frozenset(),
}
VISIBLE = frozenset(STATUSES)
FINAL = frozenset(s for s, targets in MOVES.items() if not targets)
# States a sweep moves on when the step after them did not happen (the process died in between).
PASSED_THROUGH = frozenset({APPROVED, RETURN_RECEIVED})

# Entries of an order's record.
HELD = "HELD"
CLAIMED = "CLAIMED"
ENTRY_REFUNDED = "REFUNDED"

# Orders whose buyer may ask: paid and not completed, or completed within the window; and whose record may change.
ORDER_OPEN = frozenset({order_rules.PAID, order_rules.PARTLY_SHIPPED, order_rules.SHIPPED})
ORDER_REQUESTABLE = ORDER_OPEN | {order_rules.COMPLETED}

REASON_MAX = 200
PHOTOS_MAX = 9
CARRIER_MAX = 30
TRACKING_MIN, TRACKING_MAX = 4, 40
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def can_move(current: str, target: str) -> bool:
    return target in MOVES.get(current, frozenset())


def sources_of(target: str) -> list[str]:
    """The statuses an after-sale may move to `target` from (the compare-and-set guard)."""
    return sorted(s for s, targets in MOVES.items() if target in targets)


def after_approval(kind: str) -> str:
    return REFUNDING if kind == REFUND_ONLY else AWAITING_RETURN


# -- what a request may ask for ------------------------------------------------------------------------------
def window_refusal(order: Mapping[str, Any], now: int, days: int) -> str | None:
    """Why the order's buyer may not ask for an after-sale now (None: they may): from payment until `days`
    after completion."""
    status = order["status"]
    if status == order_rules.PENDING_PAYMENT:
        return "This order is not paid"
    if status == order_rules.COMPLETED:
        closes = int(order.get("completedAt") or 0) + days * DAY_MS
        return None if now <= closes else f"The after-sale window closed {days} days after this order completed"
    if status in ORDER_OPEN:
        return None
    return f"An order that is {status} has no after-sales"


def request_problems(
    order: Mapping[str, Any], kind: str, requested: Sequence[tuple[int, int]], reason: str, photos: Sequence[str]
) -> list[Problem]:
    """The broken rules of a request for `requested` (line index, units) of the order: lines that do not exist or
    repeat, units outside what is left of a line, a RETURN_AND_REFUND of what never shipped, the reason, photos."""
    lines = order["lines"]
    problems = []
    if not 1 <= len(requested) <= len(lines):
        problems.append(Problem("lines", f"Name 1 to {len(lines)} lines of the order"))
    back = units_back(order)
    shipped = shipments.shipped(order)
    seen: set[int] = set()
    for i, (index, units) in enumerate(requested):
        if not 0 <= index < len(lines) or index in seen:
            why = "Each line appears once" if index in seen else f"The order has lines 0 to {len(lines) - 1}"
            problems.append(Problem(f"lines.{i}.lineIndex", why))
            continue
        seen.add(index)
        quantity = int(lines[index]["quantity"])
        rest = quantity - back[index]
        if units < 1 or units > quantity:
            problems.append(Problem(f"lines.{i}.quantity", f"This line has {quantity} units; ask for 1 to {quantity}"))
        elif rest <= 0:
            problems.append(Problem(f"lines.{i}.lineIndex", "This line is refunded already, or under an after-sale"))
        elif units > rest:
            problems.append(Problem(f"lines.{i}.quantity", f"Only {rest} units of this line are left to refund"))
        elif kind == RETURN_AND_REFUND and shipped[index] == 0:
            problems.append(Problem(f"lines.{i}.lineIndex", "Nothing of this line shipped: ask for REFUND_ONLY"))
    problems += text_problems("reason", reason, "A reason", REASON_MAX)
    if len(photos) > PHOTOS_MAX:
        problems.append(Problem("photos", f"A request has at most {PHOTOS_MAX} photos"))
    problems += [
        Problem(f"photos.{i}", "A photo must be an http(s) URL") for i, u in enumerate(photos) if not is_http_url(u)
    ]
    return problems


def line_caps(order: Mapping[str, Any], requested: Sequence[tuple[int, int]]) -> list[int]:
    """What each requested (line, units) may bring back, out of what is left of that line (valid requests only)."""
    shares = allocation.order_shares(order)
    back, money = units_back(order), amount_back(order)
    return [
        allocation.refundable(shares[i].paid, int(order["lines"][i]["quantity"]), back[i], money[i], units)
        for i, units in requested
    ]


def most_refundable(order: Mapping[str, Any], requested: Sequence[tuple[int, int]]) -> int:
    """The most a request may ask: what those units were paid less what came back for them, and never more than
    is left of the order's payment once the other requests' money is set aside (a team's difference came back)."""
    return min(
        sum(line_caps(order, requested)), max(0, left(int(order["total"]), refunded(order)) - held_amount(order))
    )


def amount_problems(asked: int | None, most: int) -> list[Problem]:
    if most <= 0:
        return [Problem("lines", "Nothing of what these units were paid is left to refund")]
    if asked is not None and not 1 <= asked <= most:
        return [Problem("amount", f"At most {most} fen can come back for these units (and at least 1)")]
    return []


def reject_reason_problems(reason: str) -> list[Problem]:
    return text_problems("reason", reason, "A reason", REASON_MAX)


def return_problems(carrier: str, tracking_number: str) -> list[Problem]:
    problems = text_problems("carrier", carrier, "A carrier", CARRIER_MAX)
    number = tracking_number.strip()
    if not (TRACKING_MIN <= len(number) <= TRACKING_MAX and number.isascii() and number.replace("-", "").isalnum()):
        problems.append(
            Problem("trackingNumber", f"A tracking number has {TRACKING_MIN} to {TRACKING_MAX} letters, digits or -")
        )
    return problems


# -- the record on the order ---------------------------------------------------------------------------------
def entries(order: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(order.get("afterSales") or [])


def refunded(order: Mapping[str, Any]) -> int:
    return int(order.get("refunded") or 0)


def _per_line(order: Mapping[str, Any], key: str, states: frozenset[str] | None = None) -> list[int]:
    totals = [0] * len(order["lines"])
    for entry in entries(order):
        if states is None or entry["state"] in states:
            for line in entry["lines"]:
                totals[line["lineIndex"]] += int(line.get(key) or 0)
    return totals


def units_back(order: Mapping[str, Any]) -> list[int]:
    """Per line: units refunded or under an after-sale (none of them may be asked for again)."""
    return _per_line(order, "quantity")


def amount_back(order: Mapping[str, Any]) -> list[int]:
    """Per line: fen refunded or set aside for an after-sale."""
    return _per_line(order, "amount")


def refunded_units(order: Mapping[str, Any]) -> list[int]:
    """Per line: units whose refund is claimed or made (not to be shipped, if they have not been)."""
    return _per_line(order, "quantity", frozenset({CLAIMED, ENTRY_REFUNDED}))


def restocked_units(order: Mapping[str, Any]) -> list[int]:
    """Per line: unshipped units a refund-only put back in stock."""
    return _per_line(order, "restocked")


def uncounted_units(order: Mapping[str, Any]) -> list[int]:
    """Per line: units whose refund is made (taken out of the products' sales counts)."""
    return _per_line(order, "quantity", frozenset({ENTRY_REFUNDED}))


def refunded_amount(order: Mapping[str, Any]) -> int:
    """Fen back with the buyer through after-sales."""
    return sum(int(e["amount"]) for e in entries(order) if e["state"] == ENTRY_REFUNDED)


def held_amount(order: Mapping[str, Any]) -> int:
    """Fen set aside for requests whose refund is not claimed yet."""
    return sum(int(e["amount"]) for e in entries(order) if e["state"] == HELD)


def open_entries(order: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Requests holding units whose money is not back yet."""
    return [e for e in entries(order) if e["state"] != ENTRY_REFUNDED]


def entry_of(order: Mapping[str, Any], after_sale_id: str) -> dict[str, Any] | None:
    return next((e for e in entries(order) if e["id"] == after_sale_id), None)


def new_entry(
    after_sale_id: str, kind: str, order: Mapping[str, Any], requested: Sequence[tuple[int, int]], amount: int
) -> dict[str, Any]:
    """The entry of a request for `amount` fen, split over its lines by what each may bring back (none passes its
    line's cap)."""
    parts = allocation.split(amount, line_caps(order, requested))
    lines = [{"lineIndex": i, "quantity": q, "amount": a} for (i, q), a in zip(requested, parts, strict=True)]
    return {"id": after_sale_id, "kind": kind, "lines": lines, "amount": amount, "state": HELD}


def without(order: Mapping[str, Any], after_sale_id: str) -> list[dict[str, Any]]:
    """The record once a request that claimed nothing lets go of its units."""
    return [e for e in entries(order) if not (e["id"] == after_sale_id and e["state"] == HELD)]


def claimed(order: Mapping[str, Any], after_sale_id: str, amount: int) -> list[dict[str, Any]]:
    """The record once the request's refund of `amount` is claimed (less than it asked only when less was left:
    its lines' parts shrink in proportion); a refund-only puts unshipped units back in stock, and says how many."""
    out = []
    shipped, restocked = shipments.shipped(order), restocked_units(order)
    for entry in entries(order):
        if entry["id"] == after_sale_id and entry["state"] == HELD:
            lines = [dict(line) for line in entry["lines"]]
            if amount != entry["amount"]:
                parts = allocation.split(amount, [line["amount"] for line in lines])
                for line, part in zip(lines, parts, strict=True):
                    line["amount"] = part
            if entry["kind"] == REFUND_ONLY:
                for line in lines:
                    i = line["lineIndex"]
                    unshipped = int(order["lines"][i]["quantity"]) - shipped[i] - restocked[i]
                    line["restocked"] = max(0, min(line["quantity"], unshipped))
                    restocked[i] += line["restocked"]
            entry = {**entry, "lines": lines, "amount": amount, "state": CLAIMED}
        out.append(entry)
    return out


def marked_refunded(order: Mapping[str, Any], after_sale_id: str) -> list[dict[str, Any]]:
    return [
        {**e, "state": ENTRY_REFUNDED} if e["id"] == after_sale_id and e["state"] == CLAIMED else e
        for e in entries(order)
    ]


def all_back(order: Mapping[str, Any]) -> bool:
    """Is every fen of the order claimed back, and nothing of it still held for a request?"""
    return refunded(order) >= int(order["total"]) and held_amount(order) == 0

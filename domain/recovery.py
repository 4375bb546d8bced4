"""Crash-safe multi-step writes: what an order still owes after a move, recorded on the order itself. No I/O.

A move that has follow-ups (a cancellation gives back stock, coupon and team seat; a payment counts the sale, makes
the commission...; a refund gives back unsold stock and undoes the sale) writes, in the same guarded update as the
move, one field per step it owes: `owe_<step>`. Whoever comes first runs the steps: the request that made the move, at
once, or the sweep once `repairAt` has passed (the request died). A step's field is

    0                  owed, nobody runs it
    <ms>               claimed by a runner at that time (a lease of LEASE_MS: after it another runner may take over)
    "done"             applied; the mark it left on the document it changed is still to be removed
    (absent)           finished

A step that moves a counter on another document (a SKU's stock, a product's sales count, a user's points) applies its
`$inc` together with a mark `once_<order>_<step>` on that document, guarded by the mark's absence, so a runner that
died between applying and recording it leaves the mark and the next runner sees the change was made. The mark is
removed only once the order says "done", so the change is never made twice.

The units an order takes are marked the same way while it is placed: `once_<order>_take_<i>` holds line i's quantity
on the SKU from the guarded decrement that took it; giving them back is one guarded update that removes the mark
(so exactly once). Once the order is placed the marks are cleared; a crash before that leaves them until the
order is paid (the step `take_<i>`, born "done") or cancelled (its units go back by them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from domain import after_sales, shipments

OWE = "owe_"
MARK = "once_"
DONE = "done"
REPAIR_AT = "repairAt"
REPAIR_AFTER_MS = 60_000  # the request that moved the order has this long to finish its steps
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
LEASE_MS = 60_000  # a step claimed this long ago by a runner that did not finish is taken over

# step kinds (a step is "<kind>" or "<kind>_<arg>")
TAKE = "take"  # clear the mark of line <arg>'s taken units (the order is placed)
UNTAKE = "untake"  # give back line <arg>'s taken units, if its mark is there (a placement that did not finish)
RESTOCK = "restock"  # give back line <arg>'s units (cancelled: all of them; refunded: those never shipped)
COUPON = "coupon"
SEAT = "seat"
SALES = "sales"  # the sales count of line <arg>'s product up by the order's units of it
PURCHASE = "purchase"  # the buyer's purchase record of line <arg>'s product
SIGNALS = "signals"  # the BOUGHT event, the buyer's activity, the products' heat (at least once)
COMMISSION = "commission"
CART = "cart"
TEAM_PAID = "team_paid"
UNSALES = "unsales"  # the sales count of line <arg>'s product down by the units refunded
POINTS_BACK = "points_back"
COMMISSION_BACK = "commission_back"
TEAM_REFUNDED = "team_refunded"
INVITE_PAID = "invite_paid"  # the buyer's invitation: a first paid order (resolvers/invites.py)
INVITE_REFUNDED = "invite_refunded"  # ... and its reward taken back when that order is refunded
SECKILL_BACK = "seckill_back"  # a cancelled seckill order's units back to its campaign (to the SKU once it ended)


def step(kind: str, arg: str | int | None = None) -> str:
    return kind if arg is None else f"{kind}_{arg}"


def split(name: str) -> tuple[str, str]:
    """(kind, arg) of a step name; arg is "" for a step without one. Kinds may contain "_" (team_paid)."""
    for kind in sorted(_KINDS, key=len, reverse=True):
        if name == kind:
            return kind, ""
        if name.startswith(kind + "_"):
            return kind, name[len(kind) + 1 :]
    raise ValueError(f"unknown step {name!r}")


_KINDS = (
    TAKE, UNTAKE, RESTOCK, COUPON, SEAT, SALES, PURCHASE, SIGNALS, COMMISSION, CART, TEAM_PAID, UNSALES,
    POINTS_BACK, COMMISSION_BACK, TEAM_REFUNDED, INVITE_PAID, INVITE_REFUNDED, SECKILL_BACK,
)  # fmt: skip


def field(name: str) -> str:
    return OWE + name


def mark(order_id: str, name: str) -> str:
    """The field a step leaves on the document it changed (a SKU, a product, a user)."""
    return f"{MARK}{mark_id(order_id)}_{name}"


def mark_id(order_id: str) -> str:
    """The order's id as marks spell it (a field name)."""
    return _UNSAFE.sub("_", order_id)


def mark_owner(key: str, known: Mapping[str, Any]) -> tuple[str, str] | None:
    """(order id as marks spell it, step name) of a mark, among `known` order ids (as marks spell them)."""
    parts = key[len(MARK) :].split("_")
    for n in range(1, len(parts)):
        order = "_".join(parts[:n])
        if order in known:
            return order, "_".join(parts[n:])
    return None


def take_mark(order_id: str, line: int) -> str:
    return mark(order_id, step(TAKE, line))


def owed(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The steps a document owes: {step name: state}."""
    return {k[len(OWE) :]: v for k, v in doc.items() if k.startswith(OWE)}


def owing(now: int, steps: Sequence[str], done: Sequence[str] = ()) -> dict[str, Any]:
    """The fields a move sets for the steps it owes (and for marks to clear, `done`)."""
    if not steps and not done:
        return {}
    return {**{field(s): 0 for s in steps}, **{field(s): DONE for s in done}, REPAIR_AT: now + REPAIR_AFTER_MS}


def claimable(state: Any, now: int) -> bool:
    """May a runner claim a step in this state now? Unclaimed ones, and those whose runner's lease ran out."""
    return isinstance(state, int) and not isinstance(state, bool) and (state == 0 or state + LEASE_MS < now)


def taken_steps(order: Mapping[str, Any]) -> list[str]:
    """The marks of a placed order's taken units, to clear (if its placement did not: a payment's steps, born done)."""
    return [step(TAKE, i) for i in range(len(order["lines"]))]


def untake_steps(order: Mapping[str, Any]) -> list[str]:
    return [step(UNTAKE, i) for i in range(len(order["lines"]))]


def cancel_steps(order: Mapping[str, Any]) -> list[str]:
    """What a cancelled order gives back: every line's units, its coupons, the points it used, its team seat."""
    if order.get("seckillCampaignId"):  # its units came from the campaign's stock, not the SKU's
        steps = [SECKILL_BACK]
    else:
        steps = [step(RESTOCK, i) for i in range(len(order["lines"]))]
    if order.get("couponClaimId") or order.get("platformCouponClaimId"):
        steps.append(COUPON)
    if order.get("pointsUsed"):
        steps.append(POINTS_BACK)
    if order.get("teamId"):
        steps.append(SEAT)
    return steps


def products(order: Mapping[str, Any], less: Sequence[int] | None = None) -> dict[int, tuple[str, int]]:
    """Units of each product in the order (less, per line, those in `less`), by the index of the product's first
    line (steps name a product by it: ids need not be field names): {line: (product id, units)}."""
    first: dict[str, int] = {}
    quantities: dict[int, tuple[str, int]] = {}
    for i, line in enumerate(order["lines"]):
        units = int(line["quantity"]) - (less[i] if less else 0)
        if units:
            at = first.setdefault(line["productId"], i)
            quantities[at] = (line["productId"], quantities.get(at, ("", 0))[1] + units)
    return quantities


def payment_steps(order: Mapping[str, Any]) -> list[str]:
    """What follows a payment."""
    steps = []
    for line in products(order):
        steps += [step(SALES, line), step(PURCHASE, line)]
    steps += [SIGNALS, COMMISSION, INVITE_PAID, CART]
    if order.get("teamId"):
        steps.append(TEAM_PAID)
    return steps


def unsold(order: Mapping[str, Any]) -> list[int]:
    """Per line: the units a refunded order gives back to stock (never shipped, not put back by an after-sale)."""
    shipped, restocked = shipments.shipped(order), after_sales.restocked_units(order)
    return [max(0, int(ln["quantity"]) - shipped[i] - restocked[i]) for i, ln in enumerate(order["lines"])]


def refund_steps(order: Mapping[str, Any]) -> list[str]:
    """What follows the money's return: unsold units back, sales undone, points, commission and team seat."""
    steps = [step(RESTOCK, i) for i, units in enumerate(unsold(order)) if units > 0]
    steps += [step(UNSALES, p) for p in products(order, after_sales.uncounted_units(order))]
    if order.get("pointsGranted") or order.get("pointsUsed"):
        steps.append(POINTS_BACK)
    steps += [COMMISSION_BACK, INVITE_REFUNDED]
    if order.get("teamId"):
        steps.append(TEAM_REFUNDED)
    return steps


def placed(order: Mapping[str, Any]) -> bool:
    """Did the order ever leave RESERVING with all its units? (A cancelled one that did not holds only what its take
    marks say.)"""
    return any(h.get("status") == "PENDING_PAYMENT" for h in order.get("history") or [])


def restock_units(order: Mapping[str, Any], line: int) -> int:
    """How many units step restock_<line> gives back: all of a cancelled order's, a refunded order's unsold ones."""
    if order["status"] == "REFUNDED":
        return unsold(order)[line]
    return int(order["lines"][line]["quantity"])

"""Unpaid holds: what one buyer may keep reserved without paying, and for how long. No I/O.

An unpaid order holds stock (and a team seat, for a group-buy member) until it is paid or cancelled at its payBy.
Without limits one buyer could hold a SKU's whole stock, or the last seats of every team, again and again with new
idempotency keys. So a buyer's unpaid holds are capped: so many orders at once, so many units of one SKU across
them, so many team seats; and an order of many units must be paid sooner.

A buyer's holds are one list ({orderId, key, lines: [{skuId, quantity}], seat, until}); the resolver changes
it by compare-and-set, so two racing orders never both pass a limit. A hold whose order was never released (a crash
between the order's move and the release) stops counting `GRACE_MS` after its payBy, when nobody can pay it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GRACE_MS = 60_000  # a hold outlives its payBy by this much: the sweep cancels the order (and releases it) first
ORDERS = "orders"
UNITS = "units"
SEATS = "seats"

Hold = Mapping[str, Any]


@dataclass(frozen=True)
class Limits:
    orders: int  # unpaid orders of one buyer at once
    sku_units: int  # units of one SKU one buyer holds unpaid, over all their unpaid orders
    team_seats: int  # group-buy seats one buyer holds unpaid
    large_units: int  # an order of more units than this is large...
    large_pay_minutes: float  # ...and must be paid within this (when shorter than the usual time)
    pay_minutes: float  # the usual time to pay

    @classmethod
    def of(cls, settings: Any) -> Limits:
        return cls(
            orders=settings.UNPAID_ORDERS_MAX,
            sku_units=settings.UNPAID_SKU_UNITS_MAX,
            team_seats=settings.UNPAID_TEAM_SEATS_MAX,
            large_units=settings.LARGE_ORDER_UNITS,
            large_pay_minutes=settings.LARGE_ORDER_PAY_MINUTES,
            pay_minutes=settings.ORDER_PAY_MINUTES,
        )


@dataclass(frozen=True)
class Refusal:
    kind: str  # ORDERS, UNITS or SEATS
    message: str
    line: int | None = None  # for UNITS: the index of the line that goes over


def pay_minutes(lines: Iterable[tuple[str, int]], limits: Limits) -> float:
    """How long an order of these lines may stay unpaid: shorter for a large one."""
    units = sum(quantity for _, quantity in lines)
    if units > limits.large_units:
        return min(limits.pay_minutes, limits.large_pay_minutes)
    return limits.pay_minutes


def new_hold(order_id: str, key: str, lines: Sequence[tuple[str, int]], seat: bool, until: int) -> dict[str, Any]:
    held = [{"skuId": s, "quantity": q} for s, q in lines]  # not pairs: FerretDB stores no nested arrays
    return {"orderId": order_id, "key": key, "lines": held, "seat": seat, "until": until}


def live(holds: Iterable[Hold], now: int) -> list[Hold]:
    """The holds that still count: those of orders that can still be paid (with a grace after payBy)."""
    return [h for h in holds if h["until"] + GRACE_MS > now]


def refusal(holds: Iterable[Hold], hold: Hold, limits: Limits, now: int) -> Refusal | None:
    """Why `hold` may not join the buyer's live holds; None when it may. Holds of the same idempotency key are
    the same request replayed, so they are not counted against it."""
    others = [h for h in live(holds, now) if h["key"] != hold["key"] and h["orderId"] != hold["orderId"]]
    if len(others) + 1 > limits.orders:
        return Refusal(ORDERS, f"You have {len(others)} unpaid orders; pay or cancel one first")
    if hold["seat"] and sum(1 for h in others if h["seat"]) + 1 > limits.team_seats:
        return Refusal(SEATS, f"You hold {limits.team_seats} unpaid group-buy seats; pay or cancel one first")
    held: dict[str, int] = {}
    for h in others:
        for line in h["lines"]:
            held[line["skuId"]] = held.get(line["skuId"], 0) + line["quantity"]
    for i, line in enumerate(hold["lines"]):
        if held.get(line["skuId"], 0) + line["quantity"] > limits.sku_units:
            left = max(0, limits.sku_units - held.get(line["skuId"], 0))
            return Refusal(UNITS, f"At most {limits.sku_units} units of a SKU may wait unpaid; {left} more now", i)
    return None


def admitted(holds: Sequence[Hold], hold: Hold, now: int) -> list[Hold]:
    """The buyer's holds with `hold` added (once per order) and those that no longer count dropped."""
    kept = [h for h in live(holds, now) if h["orderId"] != hold["orderId"]]
    return [*kept, hold]


def released(holds: Sequence[Hold], order_id: str, now: int) -> list[Hold]:
    return [h for h in live(holds, now) if h["orderId"] != order_id]

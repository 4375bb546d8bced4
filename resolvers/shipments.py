"""Shipping orders in packages (domain/shipments.py), and completing them AUTO_CONFIRM_DAYS after the last one.

A shipOrder call appends its packages and moves the order (PAID or PARTLY_SHIPPED -> PARTLY_SHIPPED or SHIPPED)
in one update guarded by the order's `shipmentCount`, so of two calls that read the same order exactly one
writes; the other reads it again and is refused when what it ships is no longer left. Then the packages are
reported to WeChat (resolvers/shipping_reports.py), which never undoes or fails the shipment.
"""

from __future__ import annotations

from typing import Any

from domain import after_sales as after_sale_rules
from domain import orders as order_rules
from domain import shipments as rules
from domain import teams as team_rules
from resolvers import orders, shipping_reports
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc

SHIP_ATTEMPTS = 20  # lost races on the order before giving up (each loss means another package was added)
DAY_MS = 86_400_000
SHIPPABLE = (order_rules.PAID, order_rules.PARTLY_SHIPPED)


async def ship_order(
    services: Services, staff_id: str, order_id: str, packages: list[rules.Package] | None = None
) -> Doc:
    """Ship `packages`, or with None (the contract's bare shipOrder) every unit left in one untracked package."""
    if packages is not None:
        refuse_problems(rules.package_problems(packages))
    for _ in range(SHIP_ATTEMPTS):
        order = await orders.shops_order(services, order_id)
        if order["status"] not in SHIPPABLE:
            raise orders.refuse_move(order, order_rules.SHIPPED)
        await _team_succeeded(services, order)
        withdrawn = after_sale_rules.restocked_units(order)  # refunded before shipping: they stay here
        chosen = packages if packages is not None else [rules.everything_left(order, withdrawn)]
        refuse_problems(rules.order_problems(order, chosen, withdrawn))
        shipped = await _append(services, order, chosen, staff_id, withdrawn)
        if shipped is not None:
            if "wechatReported" in shipped:
                await shipping_reports.report_safely(services, order_id)
            return await services.store.get("orders", order_id) or shipped
    raise LookupError(f"order {order_id}: {SHIP_ATTEMPTS} shipments raced; none could be added")


async def _team_succeeded(services: Services, order: Doc) -> None:
    team = await services.store.get("teams", order["teamId"]) if order.get("teamId") else None
    if team is not None and team["status"] != team_rules.SUCCEEDED:  # a team may still fail and refund everybody
        raise Refused("INVALID_STATE", "A group-buy order ships once its team has succeeded", ["input", "orderId"])


async def _append(
    services: Services, order: Doc, packages: list[rules.Package], staff_id: str, withdrawn: list[int]
) -> Doc | None:
    """The packages onto the order and its move, if nobody added one since it was read; None otherwise."""
    now = services.now()
    docs = [
        {
            "id": new_id(),
            "carrier": p.carrier,
            "trackingNumber": p.tracking_number,
            "lines": [{"lineIndex": part.line_index, "quantity": part.quantity} for part in p.lines],
            "shippedAt": now,
            "shippedBy": staff_id,
        }
        for p in packages
    ]
    before = order.get("shipmentCount")
    changes: dict[str, Any] = {"shipmentCount": (before or 0) + len(docs), "shippedAt": now}
    if before is None and shipping_reports.reportable(services, order):  # decided once, with the first package
        changes.update(shipping_reports.START)
    if "wechatReported" in order or "wechatReported" in changes:
        changes["wechatReportDue"] = now
    return await orders.move(
        services,
        order["_id"],
        rules.status_after(order, packages, withdrawn),
        guard={"shipmentCount": before},
        push={"shipments": {"$each": docs}},
        **changes,
    )


async def auto_confirm(services: Services, limit: int = 200) -> int:
    """Complete SHIPPED orders whose last package left AUTO_CONFIRM_DAYS ago, as confirmReceipt would; how many
    (an order the buyer confirmed meanwhile is completed once, by whoever moved it)."""
    cutoff = services.now() - int(services.settings.AUTO_CONFIRM_DAYS * DAY_MS)
    due = await services.store.find(
        "orders", {"status": order_rules.SHIPPED, "shippedAt": {"$lt": cutoff}}, sort="shippedAt", limit=limit
    )
    done = 0
    for order in due.docs:
        if await orders.complete(services, order["_id"], "auto") is not None:
            done += 1
    return done

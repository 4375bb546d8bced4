"""An order's points follow the money it keeps. Earned: once it completes, one point per whole yuan kept at the
buyer's level multiplier (fixed at completion), taken back in part when money comes back afterwards, all of it when
the order is REFUNDED. Used (`pointsUsed`, spent at checkout): given back in proportion to the money refunded. Each
move is a compare-and-set on the order's record of it (`pointsGranted`, `pointsReturned`), then one ledger entry
(resolvers/points.py) keyed by the order and the new value, so each moves once whoever races."""

from __future__ import annotations

from domain import membership as levels
from domain import orders as order_rules
from domain import points as point_rules
from resolvers import membership, points
from resolvers.refunds import CLAIM_ATTEMPTS, kept
from resolvers.services import Services
from store.protocol import Doc


def earned_key(order_id: str) -> str:
    return f"order:{order_id}:points"


async def settle(services: Services, order_id: str) -> None:
    """Bring the order's earned and used points to what the money it keeps says."""
    await _earned(services, order_id)
    await _used(services, order_id)


def _guard(order: Doc, field: str) -> dict[str, object]:
    return {
        "_id": order["_id"],
        field: order.get(field),
        "status": order["status"],
        "priceRefundDone": order.get("priceRefundDone"),
        "afterSaleVersion": order.get("afterSaleVersion"),  # what the order keeps did not change meanwhile
    }


async def _earned(services: Services, order_id: str) -> None:
    store = services.store
    for _ in range(CLAIM_ATTEMPTS):
        order = await store.get("orders", order_id)
        if order is None:
            return
        granted, growth_before = order.get("pointsGranted"), order.get("growthGranted", 0)
        multiplier = order.get("pointsMultiplierPercent", 100)
        if order["status"] == order_rules.COMPLETED:
            yuan = order_rules.points_earned(kept(order))
            if granted is None:
                multiplier = (await membership.benefits_for(services, order["buyerId"])).points_multiplier_percent
                owed, growth = levels.multiplied(yuan, multiplier), yuan
            else:
                owed, growth = min(granted, levels.multiplied(yuan, multiplier)), min(growth_before, yuan)
        elif order["status"] == order_rules.REFUNDED and granted:
            owed, growth = 0, 0
        else:
            return
        if owed == granted:
            return
        changes = {"pointsGranted": owed, "growthGranted": growth, "pointsMultiplierPercent": multiplier}
        if await store.update_one("orders", _guard(order, "pointsGranted"), {"$set": changes}) is None:
            continue
        if granted is None:
            if owed > 0:
                await points.earn(
                    services,
                    order["buyerId"],
                    owed,
                    key=earned_key(order_id),
                    reason="ORDER",
                    ref=order_id,
                    growth=growth,
                )
        else:
            await points.reverse(
                services,
                earned_key(order_id),
                amount=granted - owed,
                growth=growth_before - growth,
                by=f"order:{order_id}:points-back:{owed}",
                reason="ORDER_REFUND",
            )
        return


async def _used(services: Services, order_id: str) -> None:
    store = services.store
    for _ in range(CLAIM_ATTEMPTS):
        order = await store.get("orders", order_id)
        if order is None or not order.get("pointsUsed"):
            return
        before = order.get("pointsReturned") or 0
        if order["status"] == order_rules.CANCELLED:
            target = order["pointsUsed"]
        else:
            target = point_rules.used_back(order["pointsUsed"], order["total"], kept(order))
        if target <= before:
            return
        if await store.update_one("orders", _guard(order, "pointsReturned"), {"$set": {"pointsReturned": target}}):
            spent = await _spent_key(services, order)
            if spent is not None:
                await points.reverse(
                    services,
                    spent,
                    amount=target - before,
                    by=f"order:{order_id}:points-returned:{target}",
                    reason="ORDER_REFUND",
                )
            return


async def _spent_key(services: Services, order: Doc) -> str | None:
    """The ledger entry that paid the order's points: named on the order (`pointsKey`), else the SPENT one for it."""
    if order.get("pointsKey"):
        return str(order["pointsKey"])
    page = await services.store.find("points_ledger", {"ref": order["_id"], "kind": point_rules.SPENT}, limit=1)
    return page.docs[0]["_id"] if page.docs else None

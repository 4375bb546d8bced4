"""Group-buy teams (拼团): opening and joining (one seat each, exactly `maxSize` seats under any contention),
payment, closing at expiry or when full, and settling: refunds for a failed team, price differences for a
successful one. Every step is a compare-and-set or a unique insert, so it can be retried and run twice."""

from __future__ import annotations

import logging
from typing import Any

from domain import orders as order_rules
from domain import teams as rules
from domain.catalog import idempotency_key_problems
from domain.offers import priced_tiers, sku_tier_prices
from graph.protocol import GraphUnavailable
from resolvers import holds, orders
from resolvers.errors import Refused, refuse_problems
from resolvers.feeds import record_activity
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
SKU_FIELD = ["input", "skuId"]
TEAM_FIELD = ["input", "teamId"]


def member_id(team_id: str, user_id: str) -> str:
    return f"{team_id}:{user_id}"


async def publish_progress(services: Services, team: Doc) -> None:
    await services.backends.bus.publish(f"team:{team['_id']}", {"status": team["status"], "size": team["paidCount"]})


async def _replayed(services: Services, user_id: str, key: str) -> tuple[Doc, Doc] | None:
    order = await orders.by_key(services, user_id, key)
    if order is None:
        return None
    if not order.get("teamId"):
        raise orders.key_used(order)
    team = await services.store.get("teams", order["teamId"])
    return (team, order) if team else None


async def _sku_with_offer(services: Services, sku_id: str) -> tuple[Doc, Doc, list[int]]:
    """The SKU, its product and the SKU's price at each tier of the product's group-buy offer."""
    sku = await services.store.get("skus", sku_id)
    product = await services.store.get("products", sku["productId"]) if sku else None
    if sku is None or product is None:
        raise Refused("NOT_FOUND", "No such SKU", SKU_FIELD)
    if not product.get("groupBuy"):
        raise Refused("INVALID_INPUT", "This product has no group-buy offer", SKU_FIELD)
    prices = sku_tier_prices(product, sku)
    if prices is None:
        raise Refused("INVALID_INPUT", "This SKU has no group-buy price", SKU_FIELD)
    return sku, product, prices


async def start_team(services: Services, user_id: str, sku_id: str, key: str) -> tuple[Doc, Doc]:
    """Open a team and place the leader's order at the first tier's price."""
    refuse_problems(idempotency_key_problems(key))
    replay = await _replayed(services, user_id, key)
    if replay is not None:
        return replay
    sku, product, prices = await _sku_with_offer(services, sku_id)
    await holds.check(services, user_id, key, [(sku_id, 1)], seat=True)
    offer = product["groupBuy"]
    tiers = offer["tiers"]
    now = services.now()
    team = {
        "_id": new_id(),
        "productId": product["_id"],
        "leaderId": user_id,
        "tiers": tiers,
        "minSize": rules.min_size(tiers),
        "maxSize": rules.max_size(tiers),
        "seats": 1,
        "paidCount": 0,
        "status": rules.OPEN,
        "expiresAt": now + offer["durationMinutes"] * 60_000,
        "createdAt": now,
        "settledAt": None,
    }
    await services.store.insert("teams", team)
    await _add_member(services, team, user_id)
    try:
        order = await _seat_order(services, team, user_id, sku["_id"], key, prices)
    except BaseException:
        await services.store.delete("team_members", member_id(team["_id"], user_id))
        await services.store.delete("teams", team["_id"])
        raise
    if order.get("teamId") != team["_id"]:  # a concurrent request with the same key opened its team first
        await services.store.delete("team_members", member_id(team["_id"], user_id))
        await services.store.delete("teams", team["_id"])
        replay = await _replayed(services, user_id, key)
        if replay is None:
            raise LookupError("the order of a replayed startTeam has no team")
        return replay
    await record_activity(services, user_id, "STARTED_TEAM", teamId=team["_id"], productId=product["_id"])
    await publish_progress(services, team)
    return team, order


async def join_team(services: Services, user_id: str, team_id: str, sku_id: str, key: str) -> tuple[Doc, Doc]:
    """Take one of the team's seats and place the member's order at the price the team has reached."""
    refuse_problems(idempotency_key_problems(key))
    replay = await _replayed(services, user_id, key)
    if replay is not None:
        return replay
    store = services.store
    team = await store.get("teams", team_id)
    if team is None:
        raise Refused("NOT_FOUND", "No such team", TEAM_FIELD)
    sku, _, prices = await _sku_with_offer(services, sku_id)
    if sku["productId"] != team["productId"]:
        raise Refused("INVALID_INPUT", "This SKU is not of the team's product", SKU_FIELD)
    now = services.now()
    if team["status"] != rules.OPEN or team["expiresAt"] <= now:
        raise Refused("TEAM_CLOSED", "This team is closed", TEAM_FIELD)
    await holds.check(services, user_id, key, [(sku_id, 1)], seat=True)
    try:
        await _add_member(services, team, user_id)
    except DuplicateKey:
        raise Refused("ALREADY_JOINED", "You are in this team already", TEAM_FIELD) from None
    seated = await store.update_one(
        "teams",
        {"_id": team_id, "status": rules.OPEN, "seats": {"$lt": team["maxSize"]}, "expiresAt": {"$gt": now}},
        {"$inc": {"seats": 1}},
    )
    if seated is None:
        await store.delete("team_members", member_id(team_id, user_id))
        current = await store.get("teams", team_id) or team
        if current["status"] != rules.OPEN or current["expiresAt"] <= now:
            raise Refused("TEAM_CLOSED", "This team is closed", TEAM_FIELD)
        raise Refused("TEAM_FULL", "Every seat of this team is taken", TEAM_FIELD)
    try:
        order = await _seat_order(services, seated, user_id, sku_id, key, prices)
    except BaseException:
        await store.delete("team_members", member_id(team_id, user_id))
        await store.update_one("teams", {"_id": team_id, "status": rules.OPEN}, {"$inc": {"seats": -1}})
        raise
    await record_activity(services, user_id, "JOINED_TEAM", teamId=team_id, productId=team["productId"])
    await publish_progress(services, seated)
    return seated, order


async def _add_member(services: Services, team: Doc, user_id: str) -> None:
    await services.store.insert(
        "team_members",
        {
            "_id": member_id(team["_id"], user_id),
            "teamId": team["_id"],
            "userId": user_id,
            "joinedAt": services.now(),
            "paid": False,
            "settled": False,
            "refunded": False,
        },
    )


async def _seat_order(services: Services, team: Doc, user_id: str, sku_id: str, key: str, prices: list[int]) -> Doc:
    """The member's order at their SKU's price for the tier reached; the SKU's prices go with it for settling."""
    price = rules.price_at(priced_tiers(team["tiers"], prices), team["paidCount"])
    order = await orders.place_order(
        services, user_id, [(sku_id, 1)], key, unit_price=price, links={"teamId": team["_id"]}
    )
    if order.get("teamId") == team["_id"]:
        await services.store.update_one(
            "team_members",
            {"_id": member_id(team["_id"], user_id)},
            {"$set": {"orderId": order["_id"], "tierPrices": prices}},
        )
    return order


async def on_member_paid(services: Services, order: Doc) -> None:
    """A member's order was paid (once): count them; a full team succeeds at once; a team that closed meanwhile
    settles this member as it settled the others."""
    store = services.store
    mid = member_id(order["teamId"], order["buyerId"])
    if await store.update_one("team_members", {"_id": mid, "paid": False}, {"$set": {"paid": True}}) is None:
        return
    team = await store.update_one("teams", {"_id": order["teamId"], "status": rules.OPEN}, {"$inc": {"paidCount": 1}})
    if team is None:
        closed = await store.get("teams", order["teamId"])
        member = await store.get("team_members", mid)
        if closed is not None and member is not None:
            await settle_member(services, closed, member)
        return
    await publish_progress(services, team)
    if team["paidCount"] >= team["maxSize"]:
        await close_team(services, team, rules.SUCCEEDED)


async def on_member_refunded(services: Services, order: Doc) -> None:
    """A member got their whole payment back. In an open team their seat is freed; a closed team is left as it
    closed, and the member is marked refunded."""
    store = services.store
    mid = member_id(order["teamId"], order["buyerId"])
    member = await store.update_one("team_members", {"_id": mid, "refunded": False}, {"$set": {"refunded": True}})
    if member is None:
        return
    team = await store.get("teams", order["teamId"])
    if team is not None and team["status"] == rules.OPEN and member["paid"]:
        freed = await store.update_one(
            "teams", {"_id": team["_id"], "status": rules.OPEN}, {"$inc": {"paidCount": -1, "seats": -1}}
        )
        if freed is not None:
            await store.delete("team_members", mid)
            await publish_progress(services, freed)


async def release_seat(services: Services, order: Doc) -> None:
    """An unpaid member's order was cancelled (payBy passed, or they cancelled): the seat goes back."""
    mid = member_id(order["teamId"], order["buyerId"])
    member = await services.store.get("team_members", mid)
    if member is None or member["paid"] or member.get("orderId") not in (None, order["_id"]):
        return
    if await services.store.delete("team_members", mid):
        team = await services.store.update_one(
            "teams", {"_id": order["teamId"], "status": rules.OPEN}, {"$inc": {"seats": -1}}
        )
        if team is not None:
            await publish_progress(services, team)


async def close_team(services: Services, team: Doc, outcome: str) -> Doc:
    """OPEN -> SUCCEEDED or FAILED, once (compare-and-set), then settle every member."""
    closed = await services.store.update_one(
        "teams",
        {"_id": team["_id"], "status": rules.OPEN},
        {
            "$set": {
                "status": outcome,
                "closedAt": services.now(),
                "finalPrice": rules.price_at(team["tiers"], team["paidCount"]),
                "finalPaidCount": team["paidCount"],  # each member's SKU price is settled at this tier
            }
        },
    )
    if closed is None:
        return await services.store.get("teams", team["_id"]) or team
    await publish_progress(services, closed)
    return await settle_team(services, closed)


async def settle_team(services: Services, team: Doc) -> Doc:
    """Refund (FAILED) or pay back the difference (SUCCEEDED) to every paid member, cancel unpaid members'
    orders, then mark the team settled. Each member is settled once, whoever gets there first."""
    store = services.store
    members = await store.find("team_members", {"teamId": team["_id"]}, sort="joinedAt", limit=team["maxSize"] + 1)
    for member in members.docs:
        if member["paid"]:
            await settle_member(services, team, member)
        elif member.get("orderId"):
            await orders.cancel(services, member["orderId"], "team closed")
    settled = await store.update_one("teams", {"_id": team["_id"]}, {"$set": {"settledAt": services.now()}})
    return settled or team


async def settle_member(services: Services, team: Doc, member: Doc) -> None:
    from resolvers import payments  # payments calls back into teams; imported here to keep one direction

    store = services.store
    if (
        await store.update_one("team_members", {"_id": member["_id"], "settled": False}, {"$set": {"settled": True}})
        is None
    ):
        return
    order = await store.get("orders", member.get("orderId") or "")
    if order is None:
        return
    if team["status"] == rules.FAILED:
        await payments.refund_system(services, order, "拼团未成团，全额退款")
        return
    owed = rules.difference_owed(order["lines"][0]["unitPrice"], _final_price(team, member))
    if owed and order["status"] in (order_rules.PAID, order_rules.SHIPPED, order_rules.COMPLETED):
        await payments.refund_difference(services, order, owed, "拼团成功，退还差价")


def _final_price(team: Doc, member: Doc) -> int:
    """What the member's SKU costs at the tier the team closed at (members seated before per-SKU prices: the
    team's price)."""
    if "tierPrices" not in member:
        return int(team["finalPrice"])
    paid = int(team["finalPaidCount"] if "finalPaidCount" in team else team["paidCount"])
    return rules.price_at(priced_tiers(team["tiers"], member["tierPrices"]), paid)


async def sweep_teams(services: Services, limit: int = 100) -> int:
    """Close teams past expiresAt (SUCCEEDED with at least minSize paid, else FAILED), one team per step, and
    finish settling any team a crash left half-settled. Running it twice changes nothing the second time."""
    store = services.store
    due = await store.find(
        "teams", {"status": rules.OPEN, "expiresAt": {"$lte": services.now()}}, sort="expiresAt", limit=limit
    )
    for team in due.docs:
        await close_team(services, team, rules.outcome_at_expiry(team["tiers"], team["paidCount"]))
    unsettled = await store.find(
        "teams", {"status": {"$in": [rules.SUCCEEDED, rules.FAILED]}, "settledAt": None}, limit=limit
    )
    for team in unsettled.docs:
        await settle_team(services, team)
    return len(due.docs)


async def open_teams(services: Services, product_id: str, viewer_id: str | None, first: int) -> list[Doc]:
    """Teams of the product one can still join, those led by the viewer's friends first, then closing soonest."""
    now = services.now()
    page = await services.store.find(
        "teams", {"productId": product_id, "status": rules.OPEN}, sort="expiresAt", limit=200
    )
    joinable = [t for t in page.docs if t["expiresAt"] > now and t["seats"] < t["maxSize"]]
    friends: set[str] = set()
    if viewer_id is not None:
        try:
            friends = set(await services.backends.graph.neighbors("FRIEND", viewer_id, limit=5_000))
        except GraphUnavailable:  # the teams can still be joined: listed closing soonest first
            log.warning("teams: the graph is unavailable; open teams listed without friends first")
    joinable.sort(key=lambda t: (t["leaderId"] not in friends, t["expiresAt"]))
    return joinable[:first]


def team_view(team: Doc) -> dict[str, Any]:
    """The price reached and the tier after it, as the API shows them."""
    if team["status"] == rules.OPEN:
        return {
            "price": rules.price_at(team["tiers"], team["paidCount"]),
            "next": rules.next_tier(team["tiers"], team["paidCount"]),
        }
    return {"price": team.get("finalPrice", rules.price_at(team["tiers"], team["paidCount"])), "next": None}

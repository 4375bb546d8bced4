"""Bargains (砍价): an owner starts one per SKU, friends each cut once, the owner buys at the price reached.

Cuts are compare-and-set on the bargain's cut count, so concurrent helpers never cut more times than needed and
the price never passes the floor. Helps are unique per (bargain, helper); a helper's daily count is a guarded
counter; bursts are rate limited per helper.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from domain import bargains as rules
from domain.catalog import idempotency_key_problems
from domain.offers import sku_floor
from resolvers import orders, points
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

FIELD = ["input", "bargainId"]
SKU_FIELD = ["input", "skuId"]
OPEN_SLOT = "open"  # (ownerId, skuId, slot) is unique: one open bargain per user per SKU
HELP_BURST, HELP_RATE = 5, 0.5  # helps at once, then one every 2 s (token buckets: services.limiter)
CAS_ATTEMPTS = 50
CHINA = timezone(timedelta(hours=8))


def is_open(bargain: Doc, now: int) -> bool:
    return bargain["status"] in rules.OPEN_STATUSES and bargain["expiresAt"] > now


async def start_bargain(services: Services, owner_id: str, sku_id: str) -> Doc:
    """A new bargain for the SKU, or the one the owner already has open for it."""
    store = services.store
    sku = await store.get("skus", sku_id)
    product = await store.get("products", sku["productId"]) if sku else None
    if sku is None or product is None:
        raise Refused("NOT_FOUND", "No such SKU", SKU_FIELD)
    offer = product.get("bargain")
    if not offer:
        raise Refused("INVALID_INPUT", "This product has no bargain offer", SKU_FIELD)
    floor = sku_floor(product, sku)
    if floor is None:
        raise Refused("INVALID_INPUT", "This SKU has no bargain floor far enough below its price", SKU_FIELD)
    now = services.now()
    existing = await _open_bargain(services, owner_id, sku_id)
    if existing is not None:
        if existing["expiresAt"] > now:
            return existing
        await expire(services, existing)
    bargain = {
        "_id": new_id(),
        "ownerId": owner_id,
        "skuId": sku_id,
        "productId": product["_id"],
        "startPrice": sku["price"],
        "floorPrice": floor,
        "helpersNeeded": offer["helpersNeeded"],
        "currentPrice": sku["price"],
        "cutsDone": 0,
        "cuts": [],
        "status": rules.ACTIVE,
        "slot": OPEN_SLOT,
        "expiresAt": now + offer["durationMinutes"] * 60_000,
        "shareToken": secrets.token_urlsafe(12),
        "createdAt": now,
    }
    try:
        await store.insert("bargains", bargain)
    except DuplicateKey:  # a concurrent start won
        winner = await _open_bargain(services, owner_id, sku_id)
        if winner is None:
            raise
        return winner
    # The share token also works as an invite code: who signs up through it was brought in by the owner.
    await store.insert(
        "share_links",
        {"_id": bargain["shareToken"], "userId": owner_id, "kind": "bargain", "bargainId": bargain["_id"]},
    )
    return bargain


async def _open_bargain(services: Services, owner_id: str, sku_id: str) -> Doc | None:
    page = await services.store.find("bargains", {"ownerId": owner_id, "skuId": sku_id, "slot": OPEN_SLOT}, limit=1)
    return page.docs[0] if page.docs else None


async def expire(services: Services, bargain: Doc) -> bool:
    return (
        await services.store.update_one(
            "bargains",
            {"_id": bargain["_id"], "status": {"$in": list(rules.OPEN_STATUSES)}},
            {"$set": {"status": rules.EXPIRED, "slot": bargain["_id"]}},
        )
        is not None
    )


def _day(now: int) -> str:
    return datetime.fromtimestamp(now / 1000, CHINA).strftime("%Y-%m-%d")


async def help_bargain(services: Services, helper_id: str, bargain_id: str) -> tuple[Doc, Doc]:
    """Cut the price once for a friend: (the bargain after the cut, the cut)."""
    store = services.store
    now = services.now()
    bargain = await store.get("bargains", bargain_id)
    if bargain is None:
        raise Refused("NOT_FOUND", "No such bargain", FIELD)
    if bargain["ownerId"] == helper_id:
        raise Refused("SELF_ACTION", "Friends cut the price of your bargain, not you", FIELD)
    if bargain["status"] != rules.ACTIVE or bargain["expiresAt"] <= now:
        raise Refused("BARGAIN_CLOSED", "This bargain is over", FIELD)
    if not await services.limiter.allow(f"bargain-help:{helper_id}", now, HELP_RATE, HELP_BURST):
        raise Refused("RATE_LIMITED", "Too many helps at once; try again in a few seconds", FIELD)
    help_id = f"{bargain_id}:{helper_id}"
    try:
        await store.insert("bargain_helps", {"_id": help_id, "bargainId": bargain_id, "helperId": helper_id, "at": now})
    except DuplicateKey:
        raise Refused("ALREADY_HELPED", "You already helped with this bargain", FIELD) from None
    day_id = f"{helper_id}:{_day(now)}"
    try:
        await store.insert("bargain_daily", {"_id": day_id, "count": 0})
    except DuplicateKey:
        pass
    limit = services.settings.BARGAIN_DAILY_HELPS
    if (
        await store.update_one("bargain_daily", {"_id": day_id, "count": {"$lt": limit}}, {"$inc": {"count": 1}})
        is None
    ):
        await store.delete("bargain_helps", help_id)
        raise Refused("DAILY_LIMIT", f"You have helped {limit} times today; come back tomorrow", FIELD)
    try:
        return await _cut(services, bargain, helper_id, now)
    except BaseException:
        await store.delete("bargain_helps", help_id)
        await store.update_one("bargain_daily", {"_id": day_id}, {"$inc": {"count": -1}})
        raise


async def _cut(services: Services, bargain: Doc, helper_id: str, now: int) -> tuple[Doc, Doc]:
    store = services.store
    helper = await store.get("users", helper_id) or {}
    new_user = helper.get("invitedVia") == bargain["shareToken"]
    factor = services.settings.BARGAIN_NEW_USER_FACTOR if new_user else 1.0
    for _ in range(CAS_ATTEMPTS):
        if bargain["status"] != rules.ACTIVE or bargain["expiresAt"] <= now:
            raise Refused("BARGAIN_CLOSED", "This bargain is over", FIELD)
        done = bargain["cutsDone"]
        left = bargain["helpersNeeded"] - done
        amount = rules.next_cut(
            bargain["currentPrice"] - bargain["floorPrice"], left, rules.cut_rng(bargain["_id"], done), factor
        )
        cut = {"helperId": helper_id, "amount": amount, "at": now, "newUser": new_user}
        updated = await store.update_one(
            "bargains",
            {"_id": bargain["_id"], "cutsDone": done, "status": rules.ACTIVE},
            {
                "$inc": {"cutsDone": 1},
                "$set": {
                    "currentPrice": bargain["currentPrice"] - amount,
                    "status": rules.REACHED_FLOOR if left == 1 else rules.ACTIVE,
                },
                "$push": {"cuts": cut},
            },
        )
        if updated is not None:
            if new_user:
                if services.settings.INVITE_POINTS > 0:
                    await points.earn(
                        services,
                        bargain["ownerId"],
                        services.settings.INVITE_POINTS,
                        key=f"bargain:{bargain['_id']}:new-helper:{helper_id}",
                        reason="INVITE",
                        ref=bargain["_id"],
                    )
            return updated, cut
        bargain = await store.get("bargains", bargain["_id"]) or bargain  # another helper cut first: read again
    raise Refused("CONFLICT", "Too many helpers at once; try again", FIELD)


async def buy_bargain(services: Services, owner_id: str, bargain_id: str, key: str) -> Doc:
    """Buy at the price reached, once: the bargain becomes PURCHASED with its order."""
    refuse_problems(idempotency_key_problems(key))
    store = services.store
    bargain = await store.get("bargains", bargain_id)
    if bargain is None or bargain["ownerId"] != owner_id:
        raise Refused("NOT_FOUND", "No such bargain of yours", FIELD)
    replay = await orders.by_key(services, owner_id, key)
    if replay is not None:
        if replay.get("bargainId") == bargain_id:
            return replay
        raise orders.key_used(replay)
    if not is_open(bargain, services.now()):
        raise Refused("BARGAIN_CLOSED", "This bargain is over", FIELD)
    order = await orders.place_order(
        services,
        owner_id,
        [(bargain["skuId"], 1)],
        key,
        unit_price=bargain["currentPrice"],
        links={"bargainId": bargain_id},
    )
    bought = await store.update_one(
        "bargains",
        {"_id": bargain_id, "status": {"$in": list(rules.OPEN_STATUSES)}},
        {"$set": {"status": rules.PURCHASED, "orderId": order["_id"], "slot": bargain_id}},
    )
    if bought is not None:
        return order
    current = await store.get("bargains", bargain_id) or bargain
    if current.get("orderId") == order["_id"]:
        return order  # a concurrent replay of this very purchase
    await orders.cancel(services, order["_id"], "bargain closed")
    raise Refused("BARGAIN_CLOSED", "This bargain is over", FIELD)


async def by_share_token(services: Services, token: str) -> Doc | None:
    if not token or len(token) > 64:
        return None
    page = await services.store.find("bargains", {"shareToken": token}, limit=1)
    return page.docs[0] if page.docs else None


async def sweep_bargains(services: Services, limit: int = 200) -> int:
    """Bargains past expiresAt that were not bought become EXPIRED (once each)."""
    page = await services.store.find(
        "bargains",
        {"status": {"$in": list(rules.OPEN_STATUSES)}, "expiresAt": {"$lte": services.now()}},
        sort="expiresAt",
        limit=limit,
    )
    return sum([await expire(services, b) for b in page.docs])

"""Seckill (秒杀) campaigns: created and cancelled by the shop, their stock taken from the SKUs when they start (by
adjustStock's idempotent guarded change) and given back when they end; the path token of a slot; the rush
(`seckill_order`): bot guard, then the atomic pre-deduction of resolvers/seckill_gate.py, then the order, placed
PENDING_PAYMENT through resolvers/orders.py, its unit back in the campaign if it is not paid within
SECKILL_PAY_MINUTES."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from domain import orders as order_rules
from domain import pricing as pricing_rules
from domain import seckill as rules
from domain.catalog import idempotency_key_problems
from domain.profile import Problem
from resolvers import addresses, campaigns, catalog, holds, orders, pricing
from resolvers import seckill_gate as gate
from resolvers.errors import Refused, refuse_problems
from resolvers.seckill_local import CHANGES_TOPIC
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
COLLECTION = "campaigns"
PENDING, OPEN, CLOSED, RETURNED = "PENDING", gate.OPEN, "CLOSED", "RETURNED"
FIELD = ["input", "campaignId"]
STALE_ATTEMPT_MS = 60_000
REPLAY_WAIT_SECONDS = 5.0
KEEP_REDIS_MS = 86_400_000  # the counters outlive the campaign by a day (replays), then expire


def topic(campaign_id: str) -> str:
    return f"seckill:{campaign_id}"


async def create_campaign(
    services: Services,
    shop_id: str,
    *,
    name: str,
    starts_at: int,
    ends_at: int,
    time_zone: str | None,
    slots: list[tuple[str, str]],
    items: list[tuple[str, int, int]],
    limit_per_user: int,
    limit_per_order: int,
    stackable_with: list[str],
) -> Doc:
    """A new SECKILL campaign, or every broken rule at once (nothing written)."""
    store = services.store
    now = services.now()
    shop = await store.get("shops", shop_id) or {}
    tz_name = time_zone or shop.get("timeZone") or rules.DEFAULT_TIME_ZONE
    parsed, problems = rules.slot_problems(slots)
    problems += rules.campaign_problems(name, starts_at, ends_at, now, limit_per_user, limit_per_order, tz_name)
    skus = await store.get_many("skus", [sku_id for sku_id, _, _ in items])
    problems += rules.item_problems(items, skus)
    problems += [
        Problem(f"stackableWith.{i}", f"Unknown kind {k!r}; one of {', '.join(pricing_rules.STACKABLE_KINDS)}")
        for i, k in enumerate(stackable_with)
        if k not in pricing_rules.STACKABLE_KINDS
    ]
    if any(sku["shopId"] != shop_id for sku in skus.values()):
        problems.append(Problem("items", "Every SKU is one of this shop's"))
    if not problems and parsed:
        problems += await _clash_problems(services, shop_id, parsed, tz_name, (starts_at, ends_at), items, now)
    refuse_problems(problems)
    campaign_id = new_id()
    doc = {
        "_id": campaign_id,
        "shopId": shop_id,
        "kind": rules.KIND,
        "name": name.strip(),
        "startsAt": starts_at,
        "endsAt": ends_at,
        "scope": {"kind": "PRODUCTS", "ids": sorted({skus[s]["productId"] for s, _, _ in items})},
        "stackableWith": sorted(set(stackable_with)),
        "createdAt": now,
        "timeZone": tz_name,
        "slots": [{"start": s.start, "end": s.end} for s in parsed],
        "items": [
            {"skuId": s, "productId": skus[s]["productId"], "price": price, "stock": stock} for s, price, stock in items
        ],
        "limitPerUser": limit_per_user,
        "limitPerOrder": limit_per_order,
        "stockState": PENDING,
        "nextEventAt": starts_at,  # its start and end are announced by the campaigns' sweep step
    }
    await store.insert(COLLECTION, doc)
    for sku_id, _, _ in items:
        await store.insert(
            "seckill_stock",
            {
                "_id": gate.stock_id(campaign_id, sku_id),
                "campaignId": campaign_id,
                "skuId": sku_id,
                "stock": 0,
                "left": 0,
                "state": PENDING,
            },
        )
    if starts_at <= now:
        return await ensure_started(services, doc)
    return doc


async def _clash_problems(
    services: Services,
    shop_id: str,
    slots: list[rules.Slot],
    tz_name: str,
    period: tuple[int, int],
    items: list[tuple[str, int, int]],
    now: int,
) -> list[Problem]:
    """A SKU may be in one seckill slot at a time: another running or coming campaign of the shop with that SKU
    whose slots overlap these is refused, on the item that clashes."""
    page = await services.store.find(
        COLLECTION, {"shopId": shop_id, "kind": rules.KIND, "endsAt": {"$gt": now}}, sort="endsAt", limit=500
    )
    problems = []
    for i, (sku_id, _, _) in enumerate(items):
        for other in page.docs:
            if any(it["skuId"] == sku_id for it in other["items"]) and rules.clashes(
                slots, tz_name, period, other, now
            ):
                problems.append(Problem(f"items.{i}.skuId", f"This SKU is in overlapping slots of “{other['name']}”"))
                break
    return problems


async def get_campaign(services: Services, campaign_id: str) -> Doc | None:
    doc = await services.store.get(COLLECTION, campaign_id)
    return doc if doc is not None and doc["kind"] == rules.KIND else None


async def shop_campaigns(services: Services, shop_id: str, status: str | None, first: int) -> list[Doc]:
    """The shop's seckill campaigns, the latest ending first (those of a status when given)."""
    now = services.now()
    page = await services.store.find(
        COLLECTION, {"shopId": shop_id, "kind": rules.KIND}, sort="endsAt", direction=-1, limit=500
    )
    found = [d for d in page.docs if status is None or rules.status(d, now) == status]
    return found[:first]


async def stock_left(services: Services, campaign: Doc) -> dict[str, int]:
    """Units left per SKU (before the campaign starts: those it will take)."""
    ids = [gate.stock_id(campaign["_id"], item["skuId"]) for item in campaign["items"]]
    docs = await services.store.get_many("seckill_stock", ids)
    left = {}
    for item, doc_id in zip(campaign["items"], ids, strict=True):
        doc = docs.get(doc_id)
        left[item["skuId"]] = item["stock"] if doc is None or doc["state"] == PENDING else int(doc["left"])
    return left


# -- start and end: the seckill stock comes from the SKU and goes back to it -------------------------------------


async def ensure_started(services: Services, campaign: Doc) -> Doc:
    """Take each item's seckill stock from its SKU (at most what the SKU has then, never below 0), once: each
    take is adjustStock's change under a key of this campaign, so running this again takes nothing twice."""
    if campaign["stockState"] != PENDING or campaign.get("cancelledAt") is not None:
        return campaign
    store = services.store
    key = f"seckill-start:{campaign['_id']}"
    for item in campaign["items"]:
        sid = gate.stock_id(campaign["_id"], item["skuId"])
        taken = await _take_from_sku(services, item["skuId"], item["stock"], key, campaign["_id"])
        await store.update_one(
            "seckill_stock", {"_id": sid, "state": PENDING}, {"$set": {"state": OPEN, "stock": taken, "left": taken}}
        )
    started = await store.update_one(
        COLLECTION, {"_id": campaign["_id"], "stockState": PENDING}, {"$set": {"stockState": OPEN}}
    )
    await services.backends.bus.publish(CHANGES_TOPIC, {"campaignId": campaign["_id"]})
    return started or await get_campaign(services, campaign["_id"]) or campaign


async def _take_from_sku(services: Services, sku_id: str, wanted: int, key: str, campaign_id: str) -> int:
    change_id = f"{sku_id}:{key}"
    for _ in range(5):
        done = await services.store.get("stock_changes", change_id)
        if done is not None:
            return -int(done["delta"])
        sku = await services.store.get("skus", sku_id) or {"stock": 0}
        amount = min(wanted, int(sku["stock"]))
        if amount <= 0:
            return 0
        try:
            await catalog.adjust_stock(services, f"seckill:{campaign_id}", sku_id, -amount, key)
        except Refused:  # the stock moved between the read and the change: read again
            continue
    done = await services.store.get("stock_changes", change_id)
    return -int(done["delta"]) if done is not None else 0


async def ensure_ended(services: Services, campaign: Doc) -> Doc:
    """Close each item's stock and give what is left back to its SKU (adjustStock under a key of this campaign:
    once, however often this runs); units of orders cancelled later go straight to the SKU."""
    store = services.store
    if campaign["stockState"] == RETURNED:
        return campaign
    key = f"seckill-end:{campaign['_id']}"
    for item in campaign["items"]:
        sid = gate.stock_id(campaign["_id"], item["skuId"])
        await store.update_one(
            "seckill_stock", {"_id": sid, "state": {"$in": [PENDING, OPEN]}}, {"$set": {"state": CLOSED}}
        )
        stock = await store.get("seckill_stock", sid)
        if stock is None or stock["state"] != CLOSED:
            continue
        if stock["left"] > 0:
            try:
                await catalog.adjust_stock(services, f"seckill:{campaign['_id']}", item["skuId"], stock["left"], key)
            except Refused as exc:  # only above the SKU's maximum stock: those units stay out, and say so
                log.warning("seckill %s: %d units of %s not returned: %s", campaign["_id"], stock["left"], sid, exc)
        await store.update_one("seckill_stock", {"_id": sid, "state": CLOSED}, {"$set": {"state": RETURNED}})
    await gate.redis_forget(services, campaign["_id"], [item["skuId"] for item in campaign["items"]])
    ended = await store.update_one(
        COLLECTION, {"_id": campaign["_id"], "stockState": {"$in": [PENDING, OPEN]}}, {"$set": {"stockState": RETURNED}}
    )
    await services.backends.bus.publish(CHANGES_TOPIC, {"campaignId": campaign["_id"]})
    return ended or await get_campaign(services, campaign["_id"]) or campaign


async def cancel_campaign(services: Services, campaign_id: str) -> Doc:
    campaign = await get_campaign(services, campaign_id)
    if campaign is None:
        raise Refused("NOT_FOUND", "No such seckill campaign", FIELD)
    if rules.status(campaign, services.now()) == "ENDED":
        raise Refused("INVALID_STATE", "This campaign is over already", FIELD)
    now = services.now()
    cancelled = await services.store.update_one(
        COLLECTION, {"_id": campaign_id, "cancelledAt": None}, {"$set": {"cancelledAt": now, "nextEventAt": None}}
    )
    if cancelled is None:
        raise Refused("INVALID_STATE", "This campaign is over already", FIELD)
    services.seckill.changed(campaign_id)
    if campaign["startsAt"] <= now:  # it was announced as started (or is due to be): its end is announced now
        await campaigns.announce(services, cancelled, campaigns.ENDED)
    return await ensure_ended(services, cancelled)


async def sweep_seckill(services: Services, limit: int = 100) -> int:
    """Start campaigns whose time came, end those that are over, and give back the units of attempts a crash left
    without an order; how many moved."""
    store, now = services.store, services.now()
    done = 0
    due = await store.find(
        COLLECTION, {"kind": rules.KIND, "stockState": PENDING, "startsAt": {"$lte": now}}, sort="startsAt", limit=limit
    )
    for campaign in due.docs:
        if campaign.get("cancelledAt") is None and campaign["endsAt"] > now:
            await ensure_started(services, campaign)
            done += 1
    for state in (PENDING, OPEN):
        over = await store.find(
            COLLECTION, {"kind": rules.KIND, "stockState": state, "endsAt": {"$lte": now}}, sort="endsAt", limit=limit
        )
        for campaign in over.docs:
            await ensure_ended(services, campaign)
            done += 1
    stale = await store.find(
        "seckill_attempts", {"state": gate.TAKING, "at": {"$lt": now - STALE_ATTEMPT_MS}}, sort="at", limit=limit
    )
    for attempt in stale.docs:
        done += await _repair(services, attempt)
    return done


async def _repair(services: Services, attempt: Doc) -> int:
    order = await services.store.get("orders", attempt["orderId"])
    if order is not None:
        await services.store.update_one("seckill_attempts", {"_id": attempt["_id"]}, {"$set": {"state": gate.PLACED}})
        return 1
    log.warning("seckill attempt %s was left without an order; its units go back", attempt["_id"])
    await _give_back(services, attempt, forget_key=True)
    return 1


# -- the path token ----------------------------------------------------------------------------------------------


async def path_token(services: Services, user_id: str, campaign_id: str) -> tuple[str, rules.Window] | None:
    """The signed token of the slot running now, bound to this user and campaign; None outside a slot (so a
    script cannot hold one before the slot opens)."""
    campaign = await get_campaign(services, campaign_id)
    if campaign is None:
        return None
    window = rules.running_window(campaign, services.now())
    if window is None:
        return None
    if campaign["stockState"] == PENDING:
        await ensure_started(services, campaign)
    return rules.path_token(services.settings.secret_key(), campaign_id, user_id, window), window


# -- the rush ----------------------------------------------------------------------------------------------------


async def seckill_order(
    services: Services,
    user_id: str,
    campaign_id: str,
    sku_id: str,
    quantity: int,
    token: str,
    key: str,
    address_id: str | None = None,
) -> Doc:
    """Buy seckill units: PENDING_PAYMENT at the seckill price, or refused with nothing moved."""
    campaign, item, window = await _checked(services, user_id, campaign_id, sku_id, quantity, token, key)
    if campaign["stockState"] == PENDING:
        campaign = await ensure_started(services, await get_campaign(services, campaign_id) or campaign)
    attempt = gate.Attempt(campaign_id, sku_id, user_id, key, quantity, campaign["limitPerUser"], window, new_id())
    verdict = await gate.take(services, attempt, campaign["endsAt"] + KEEP_REDIS_MS)
    if verdict == gate.REPLAY:
        return await _replay(services, user_id, key, campaign_id)
    if verdict != gate.OK:
        raise _refusal(services, verdict, campaign, attempt)
    try:
        order = await _place(services, campaign, item, attempt, address_id)
    except BaseException:
        await _give_back(services, await services.store.get("seckill_attempts", attempt.id) or {}, forget_key=True)
        raise
    await services.store.update_one("seckill_attempts", {"_id": attempt.id}, {"$set": {"state": gate.PLACED}})
    await _publish_left(services, campaign_id, sku_id)
    return order


async def refuse_sold_out(
    services: Services, user_id: str, campaign_id: str, sku_id: str, quantity: int, token: str, key: str
) -> Refused:
    """The refusal of an attempt at an SKU this process knows is sold out (its flag was set when the attempt came):
    seckill_order's own checks in its order (the key, the campaign, the slot, the path token), ending in
    OUT_OF_STOCK at the latest. Nothing is taken or written, not even a rate limit's token."""
    try:
        await _checked(services, user_id, campaign_id, sku_id, quantity, token, key, sold_out=True)
    except Refused as refused:
        return refused
    raise AssertionError("_checked refuses a sold-out attempt")


async def _checked(
    services: Services,
    user_id: str,
    campaign_id: str,
    sku_id: str,
    quantity: int,
    token: str,
    key: str,
    *,
    sold_out: bool = False,
) -> tuple[Doc, Doc, Any]:
    """An attempt's checks before any unit moves, in order: key, campaign, SKU, slot, path token, the sold-out flag
    (or `sold_out`), rate limit, quantity. The campaign, its item and the running window; Refused otherwise."""
    refuse_problems(idempotency_key_problems(key))
    now = services.now()
    local = services.seckill
    campaign = await local.campaign(campaign_id, lambda: get_campaign(services, campaign_id))
    if campaign is None:
        raise Refused("NOT_FOUND", "No such seckill campaign", FIELD)
    item = next((it for it in campaign["items"] if it["skuId"] == sku_id), None)
    if item is None:
        raise Refused("NOT_FOUND", "This SKU is not in this seckill", ["input", "skuId"])
    window = rules.running_window(campaign, now)
    if window is None:
        upcoming = rules.current_or_next(campaign, now)
        when = f"; the next slot starts at {rules.now_utc(upcoming.starts_at).isoformat()}" if upcoming else ""
        raise Refused("SECKILL_CLOSED", f"No seckill slot is running{when}", FIELD)
    signed = rules.token_window(services.settings.secret_key(), token, campaign_id, user_id)
    if signed != window:
        raise Refused(
            "PATH_TOKEN_INVALID", "Fetch this slot's path token when the countdown ends", ["input", "pathToken"]
        )
    if sold_out or local.is_sold_out(campaign_id, sku_id):
        raise Refused("OUT_OF_STOCK", "Sold out", ["input", "skuId"])
    # The bot guard counts the attempts that could take a unit: a sold-out answer takes nothing and costs no round
    # trip (with Redis the limiter is one), so a buyer tapping again after the end hears "sold out", not "too fast".
    per_second = services.settings.SECKILL_ATTEMPTS_PER_SECOND
    if not await services.limiter.allow(f"seckill:{user_id}", now, per_second, per_second):
        raise Refused("RATE_LIMITED", f"At most {per_second} attempts a second", FIELD)
    if not 1 <= quantity <= campaign["limitPerOrder"]:
        raise Refused("PURCHASE_LIMIT", f"1 to {campaign['limitPerOrder']} units an order", ["input", "quantity"])
    return campaign, item, window


def _refusal(services: Services, verdict: str, campaign: Doc, attempt: gate.Attempt) -> Refused:
    if verdict == gate.SOLD_OUT:
        services.seckill.mark_sold_out(attempt.campaign_id, attempt.sku_id)
        return Refused("OUT_OF_STOCK", "Sold out", ["input", "skuId"])
    if verdict == gate.SHORT:
        return Refused("OUT_OF_STOCK", "Fewer units are left than asked", ["input", "quantity"])
    if verdict == gate.LIMIT:
        return Refused(
            "PURCHASE_LIMIT", f"At most {campaign['limitPerUser']} units a user in this seckill", ["input", "quantity"]
        )
    return Refused("SECKILL_CLOSED", "This seckill is over", FIELD)


async def _place(services: Services, campaign: Doc, item: Doc, attempt: gate.Attempt, address_id: str | None) -> Doc:
    """The order of taken units, written PENDING_PAYMENT (orders.new_order checks and prices it through the one
    pipeline, the seckill price as the line's SECKILL activity with the campaign's stackableWith; holds.take counts
    it among the buyer's unpaid, orders.insert_new writes it)."""
    sku = await services.store.get("skus", attempt.sku_id)
    if sku is None:
        raise Refused("NOT_FOUND", "No such SKU", ["input", "skuId"])
    lines = [(attempt.sku_id, attempt.quantity)]
    activity = pricing.activity(rules.KIND, int(item["price"]), campaign["_id"], campaign.get("stackableWith") or ())
    order, held = await orders.new_order(
        services, attempt.user_id, lines, attempt.key, links={"seckillCampaignId": campaign["_id"]}, activity=activity
    )
    now = services.now()
    order.update(
        {
            "_id": attempt.order_id,
            "status": order_rules.PENDING_PAYMENT,
            "payBy": now + int(services.settings.SECKILL_PAY_MINUTES * 60_000),
            "history": [{"status": order_rules.PENDING_PAYMENT, "at": now}],
        }
    )
    if address_id is not None:
        address = await addresses.snapshot(services, attempt.user_id, address_id)
        order.update({"shippingAddress": address, "phoneTail": str(address.get("phone", ""))[-4:]})
    await holds.take(services, order, False, held)
    try:
        await orders.insert_new(services, order)
    except DuplicateKey:
        await holds.release(services, order)
        replay = await orders.by_key(services, attempt.user_id, attempt.key)
        raise (
            orders.key_used(replay)
            if replay is not None
            else Refused("CONFLICT", "This idempotency key is in use", ["input", "idempotencyKey"])
        ) from None
    await orders.publish_status(services, order)
    return order


async def _replay(services: Services, user_id: str, key: str, campaign_id: str) -> Doc:
    """The order a key already made (its first call may still be placing it: awaited a few seconds)."""
    deadline = asyncio.get_running_loop().time() + REPLAY_WAIT_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        page = await services.store.find("orders", {"buyerId": user_id, "idempotencyKey": key}, limit=1)
        if page.docs:
            order = page.docs[0]
            if order.get("seckillCampaignId") != campaign_id:
                raise orders.key_used(order)
            return order
        await asyncio.sleep(0.02)
    raise Refused("CONFLICT", "An order with this key is still being placed; try again", ["input", "idempotencyKey"])


async def _give_back(services: Services, attempt: Doc, *, forget_key: bool) -> None:
    if not attempt:
        return
    await gate.store_give_back(services, attempt)
    await gate.redis_give_back(
        services,
        attempt["campaignId"],
        attempt["skuId"],
        attempt["userId"],
        attempt["key"] if forget_key else "",
        attempt["quantity"],
    )
    await _restocked(services, attempt["campaignId"], attempt["skuId"])


async def release_units(services: Services, order: Doc) -> None:
    """A seckill order was cancelled (unpaid after SECKILL_PAY_MINUTES, or by the buyer): its units go back to the
    campaign while it runs (and the buyer may buy again), to the SKU once it ended: the cancel's seckill_back
    step (resolvers/orders.py)."""
    campaign_id = order["seckillCampaignId"]
    for line in order["lines"]:
        q, sku_id = int(line["quantity"]), line["skuId"]
        back = await gate.return_units(services, campaign_id, sku_id, q)
        if back is None:
            await orders.return_stock(services, [line])
        await services.store.update_one(
            "seckill_buyers",
            {"_id": gate.buyer_id(campaign_id, order["buyerId"]), "bought": {"$gte": q}},
            {"$inc": {"bought": -q}},
        )
        await gate.redis_give_back(services, campaign_id, sku_id, order["buyerId"], "", q)
        await _restocked(services, campaign_id, sku_id)


async def _restocked(services: Services, campaign_id: str, sku_id: str) -> None:
    services.seckill.changed(campaign_id, sku_id)
    await services.backends.bus.publish(CHANGES_TOPIC, {"campaignId": campaign_id, "skuId": sku_id})
    await _publish_left(services, campaign_id, sku_id)


async def _publish_left(services: Services, campaign_id: str, sku_id: str) -> None:
    stock = await services.store.get("seckill_stock", gate.stock_id(campaign_id, sku_id))
    if stock is not None:
        await services.backends.bus.publish(topic(campaign_id), {"skuId": sku_id, "left": stock["left"]})

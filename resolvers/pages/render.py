"""What a published page shows: each section's references resolved through the request's DataLoaders, and the
lists a section picks by itself (a rule, the shop's campaigns, recommendations, notes). A reference that died after
the save (a product removed, an offer withdrawn, a coupon expired, a live room ended) is kept and answered as an
unavailable item with its reason, never dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from domain import live, moderation
from domain.ids import BadGlobalId, from_global_id
from domain.pages.components import BARGAIN, GROUP_BUY, PRODUCT
from domain.posts import topic_name
from domain.staff import staff_id
from resolvers.catalog import SORTS
from resolvers.feeds import topic_posts
from resolvers.loaders import Loaders
from resolvers.recommend import recommended
from resolvers.services import Services
from resolvers.visibility import Seer
from store.protocol import Doc

NOT_FOUND, OFFER_ENDED, EXPIRED, SOLD_OUT, ENDED, NOTHING_TO_SHOW = (
    "NOT_FOUND",
    "OFFER_ENDED",
    "EXPIRED",
    "SOLD_OUT",
    "ENDED",
    "NOTHING_TO_SHOW",
)
OFFER_FIELD = {GROUP_BUY: "groupBuy", BARGAIN: "bargain"}
CANDIDATES = 100  # the shop's best sellers read for a zone that picks its products by itself
RECOMMENDED = 300  # recommendations read for a smart list, before keeping the shop's


@dataclass(frozen=True)
class Item:
    """One thing a section shows. `ref` is the id written in the page (None for what the section picked)."""

    ref: str | None
    doc: Doc | None
    reason: str | None = None  # why it is unavailable; None: available

    @property
    def available(self) -> bool:
        return self.reason is None and self.doc is not None


def raw(global_id: str) -> str | None:
    try:
        return from_global_id(global_id)[1]
    except BadGlobalId:
        return None


async def named_products(loaders: Loaders, shop_id: str, refs: Sequence[str], kind: str = PRODUCT) -> list[Item]:
    """The products a section names, in its order, each available or not (with why)."""
    docs = await loaders.product.load_many([raw(r) or "" for r in refs])
    items = []
    for ref, doc in zip(refs, docs, strict=True):
        if doc is None or doc["shopId"] != shop_id:
            items.append(Item(ref, None, NOT_FOUND))
        elif kind in OFFER_FIELD and not doc.get(OFFER_FIELD[kind]):
            items.append(Item(ref, doc, OFFER_ENDED))
        else:
            items.append(Item(ref, doc))
    return items


async def ruled_products(
    services: Services, loaders: Loaders, shop_id: str, category: str | None, sort: str, limit: int
) -> list[Item]:
    field, direction = SORTS[sort]
    where = {"shopId": shop_id, **({"category": category} if category else {})}
    page = await services.store.find("products", where, sort=field, direction=direction, limit=limit)
    return _primed(loaders, page.docs)


def _primed(loaders: Loaders, docs: Sequence[Doc]) -> list[Item]:
    for doc in docs:
        loaders.product.prime(doc["_id"], doc)
    return [Item(None, doc) for doc in docs]


async def best_sellers(services: Services, shop_id: str, limit: int = CANDIDATES) -> list[Doc]:
    page = await services.store.find("products", {"shopId": shop_id}, sort="salesCount", direction=-1, limit=limit)
    return page.docs


BestSellers = Callable[[], Awaitable[list[Doc]]]  # the shop's CANDIDATES best sellers, read once per request


async def offer_products(loaders: Loaders, sellers: BestSellers, kind: str, limit: int) -> list[Item]:
    """The shop's best sellers that carry the offer (a group buy or a bargain)."""
    found = [p for p in await sellers() if p.get(OFFER_FIELD[kind])]
    return _primed(loaders, found[:limit])


async def smart_products(
    services: Services, loaders: Loaders, sellers: BestSellers, shop_id: str, viewer_id: str | None, limit: int
) -> list[Item]:
    """商品陈列智能排序: the shop's products among the viewer's recommendations (friends, co-purchases, influence,
    in their order), then the shop's best sellers. Without a viewer recommendations are the best sellers."""
    ranked = []
    if viewer_id is not None:
        recommendations = await recommended(services, viewer_id, RECOMMENDED)
        ranked = [r.product for r in recommendations if r.product["shopId"] == shop_id]
    seen = {p["_id"] for p in ranked}
    ranked += [p for p in await sellers() if p["_id"] not in seen]
    return _primed(loaders, ranked[:limit])


async def stocks(loaders: Loaders, product_ids: Sequence[str]) -> dict[str, int]:
    """Units left over each product's SKUs."""
    skus = await loaders.skus_by_product.load_many(list(product_ids))
    return {p: sum(int(s["stock"]) for s in found) for p, found in zip(product_ids, skus, strict=True)}


# -- coupons -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CouponItem(Item):
    claimed: bool = False  # by the viewer


async def named_coupons(
    loaders: Loaders, shop_id: str, refs: Sequence[str], viewer_id: str | None, now: int
) -> list[CouponItem]:
    docs = await loaders.coupon.load_many([raw(r) or "" for r in refs])
    return await _coupon_items(loaders, list(zip(refs, docs, strict=True)), shop_id, viewer_id, now)


async def running_coupons(
    services: Services, loaders: Loaders, shop_id: str, viewer_id: str | None, limit: int
) -> list[CouponItem]:
    """The shop's coupons that have not expired and have copies left, ending soonest first."""
    now = services.now()
    page = await services.store.find(
        "coupons", {"shopId": shop_id, "validUntil": {"$gt": now}}, sort="validUntil", limit=max(limit * 4, 20)
    )
    docs = [d for d in page.docs if d["remaining"] > 0 and not d.get("giftOf")][:limit]  # not birthday gifts
    for doc in docs:
        loaders.coupon.prime(doc["_id"], doc)
    return await _coupon_items(loaders, [(None, d) for d in docs], shop_id, viewer_id, now)


async def _coupon_items(
    loaders: Loaders, found: list[tuple[str | None, Doc | None]], shop_id: str, viewer_id: str | None, now: int
) -> list[CouponItem]:
    claims = (
        await loaders.coupon_claim.load_many([f"{d['_id']}:{viewer_id}" for _, d in found if d is not None])
        if viewer_id
        else []
    )
    claimed = {c["couponId"] for c in claims if c is not None}
    items = []
    for ref, doc in found:
        if doc is None or doc.get("shopId") != shop_id:
            items.append(CouponItem(ref, None, NOT_FOUND))
            continue
        reason = EXPIRED if doc["validUntil"] <= now else SOLD_OUT if doc["remaining"] <= 0 else None
        items.append(CouponItem(ref, doc, reason, claimed=doc["_id"] in claimed))
    return items


# -- live rooms ------------------------------------------------------------------------------------------------
async def named_room(loaders: Loaders, shop: Doc, ref: str) -> Item:
    room = await loaders.live_room.load(raw(ref) or "")
    if room is None or not await _speaks_for(loaders, shop, room["hostId"]):
        return Item(ref, None, NOT_FOUND)
    return Item(ref, room, ENDED if room["status"] == live.ENDED else None)


async def _speaks_for(loaders: Loaders, shop: Doc, user_id: str) -> bool:
    return user_id == shop["ownerId"] or await loaders.shop_staff.load(staff_id(shop["_id"], user_id)) is not None


async def current_room(services: Services, loaders: Loaders, shop: Doc) -> Item:
    """The owner's room that is live, else the next scheduled one; NOTHING_TO_SHOW without either."""
    where = {"hostId": shop["ownerId"]}
    page = await services.store.find("live_rooms", where, sort="createdAt", direction=-1, limit=20)
    for status in (live.LIVE, live.SCHEDULED):
        for room in page.docs:
            if room["status"] == status:
                loaders.live_room.prime(room["_id"], room)
                return Item(None, room)
    return Item(None, None, NOTHING_TO_SHOW)


# -- notes -------------------------------------------------------------------------------------------------------
async def notes(
    services: Services, seer: Seer, shop: Doc, source: Literal["SHOP", "TOPIC"], topic: str | None, limit: int
) -> list[Doc]:
    """The shop owner's approved notes, or a topic's, newest first, as the viewer may see them."""
    if source == "TOPIC" and topic:
        found, _, _ = await topic_posts(services, topic_name(topic), limit, None, seer)
        return found
    page = await services.store.find(
        "posts",
        {"authorId": shop["ownerId"], "moderation": moderation.APPROVED},
        sort="createdAt",
        direction=-1,
        limit=limit,
    )
    return await seer.posts(page.docs)

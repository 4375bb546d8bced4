"""Coupons: a shop's (created by its owner or ADMIN staff) or the platform's (created by operators, `shopId` None,
usable at any shop), each with a quantity, claimed once per user while copies last (a guarded decrement), used by
one order, and given back when that order is cancelled. What a coupon takes off is the price pipeline's
(domain/pricing.py): a shop coupon first, then a platform coupon, at most one of each per shop order."""

from __future__ import annotations

from dataclasses import dataclass

from domain import catalog as rules
from domain import events as ev
from domain.text import clean
from resolvers import events as facts
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey


@dataclass
class CouponView:
    coupon: Doc
    usable: bool


async def create_coupon(
    services: Services,
    staff_id: str,
    shop_id: str | None,
    title: str,
    discount: int,
    min_spend: int,
    valid_until_ms: int,
    quantity: int,
) -> Doc:
    """A coupon of the shop, or of the platform with `shop_id` None (who may is the mutation's `staff=` or
    `role=` declaration; `staff_id` is recorded)."""
    refuse_problems(rules.coupon_problems(title, discount, min_spend, valid_until_ms, quantity, services.now()))
    coupon = {
        "_id": new_id(),
        "shopId": shop_id,
        "title": clean(title),
        "discount": discount,
        "minSpend": min_spend,
        "validUntil": valid_until_ms,
        "quantity": quantity,
        "remaining": quantity,
        "createdAt": services.now(),
        "createdBy": staff_id,
    }
    await services.store.insert("coupons", coupon)
    return coupon


async def claim_coupon(services: Services, user_id: str, coupon_id: str) -> Doc:
    store = services.store
    field = ["input", "couponId"]
    coupon = await store.get("coupons", coupon_id)
    if coupon is None:
        raise Refused("NOT_FOUND", "No such coupon", field)
    if coupon["validUntil"] <= services.now():
        raise Refused("COUPON_UNAVAILABLE", "This coupon has expired", field)
    if coupon.get("giftOf"):  # a birthday coupon's copy (resolvers/birthdays.py): issued, never claimed
        raise Refused("COUPON_UNAVAILABLE", "This coupon is a gift and cannot be claimed", field)
    try:
        taken = await take_copy(services, coupon_id, user_id)
    except DuplicateKey:
        raise Refused("ALREADY_EXISTS", "You already claimed this coupon", field) from None
    if taken is None:
        raise Refused("COUPON_UNAVAILABLE", "All copies of this coupon are taken", field)
    return taken


def claim_id(coupon_id: str, user_id: str) -> str:
    return f"{coupon_id}:{user_id}"


async def take_copy(services: Services, coupon_id: str, user_id: str, **marks: str) -> Doc | None:
    """The user's claim (one per user: DuplicateKey when they hold it already), then one copy of the coupon: the
    coupon as it is after, or None when no copy is left (the claim is taken back). `marks` go on the claim
    (a segment grant's id). Used by claimCoupon and by grants to a segment (resolvers/segments.py)."""
    store = services.store
    claim = claim_id(coupon_id, user_id)
    doc = {"_id": claim, "couponId": coupon_id, "userId": user_id, "used": False, "at": services.now(), **marks}
    await store.insert("coupon_claims", doc)
    taken = await store.update_one("coupons", {"_id": coupon_id, "remaining": {"$gt": 0}}, {"$inc": {"remaining": -1}})
    if taken is None:
        await store.delete("coupon_claims", claim)
        return None
    facts.record(
        services, ev.COUPON_CLAIMED, user_id=user_id, shop_id=taken.get("shopId"), key=claim, couponId=coupon_id
    )
    return taken


async def my_coupons(services: Services, user_id: str) -> list[CouponView]:
    """The viewer's claimed coupons, newest claim first (at most 200)."""
    claims = await services.store.find("coupon_claims", {"userId": user_id}, sort="at", direction=-1, limit=200)
    coupons = await services.store.get_many("coupons", [c["couponId"] for c in claims.docs])
    now = services.now()
    return [
        CouponView(coupons[c["couponId"]], not c["used"] and coupons[c["couponId"]]["validUntil"] > now)
        for c in claims.docs
        if c["couponId"] in coupons
    ]


async def usable_for(services: Services, user_id: str | None, coupon: Doc) -> bool:
    if user_id is None:
        return False
    claim = await services.store.get("coupon_claims", f"{coupon['_id']}:{user_id}")
    return claim is not None and not claim["used"] and coupon["validUntil"] > services.now()

"""The points mall: rewards listed by operators (platform-wide) or by a shop, and `redeem`, which exchanges points
for one of them.

A redemption takes its steps in order, each a guarded update that the next one's failure undoes: a place in the
member's limit (`reward_takers`, a counter per member and reward), a unit of stock, the points (a ledger entry keyed
by the attempt), then the reward itself (the coupon claimed through resolvers/coupons.py, or a voucher code). The
redemption document, keyed by the member and their idempotency key, records each step as it is taken: a replay
returns the first redemption, and the sweep undoes one that a crash left PENDING."""

from __future__ import annotations

import secrets
from typing import Any

from domain import rewards as rules
from domain.catalog import idempotency_key_problems
from resolvers import coupons, points
from resolvers.errors import ApiError, Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

FIELD = ["input", "rewardId"]


async def create_reward(
    services: Services,
    creator_id: str,
    shop_id: str | None,
    *,
    kind: str,
    title: str,
    points_cost: int,
    stock: int,
    per_user_limit: int,
    coupon_id: str | None = None,
    product_id: str | None = None,
) -> Doc:
    """A reward of the shop (its staff; `shop_id`) or of the platform (operators; None). A coupon reward names a
    coupon (of that shop, for a shop); a product reward names a product (of that shop, for a shop)."""
    refuse_problems(rules.reward_problems(kind, title, points_cost, stock, per_user_limit))
    store = services.store
    target: dict[str, Any]
    if kind == rules.COUPON:
        coupon = await store.get("coupons", coupon_id) if coupon_id else None
        if coupon is None or (shop_id is not None and coupon.get("shopId") != shop_id):
            raise Refused(
                "NOT_FOUND", "No such coupon of this shop" if shop_id else "No such coupon", ["input", "couponId"]
            )
        target = {"couponId": coupon["_id"]}
    else:
        product = await store.get("products", product_id) if product_id else None
        if product is None or (shop_id is not None and product["shopId"] != shop_id):
            raise Refused(
                "NOT_FOUND", "No such product of this shop" if shop_id else "No such product", ["input", "productId"]
            )
        target = {"productId": product["_id"], "voucherShopId": product["shopId"]}
    reward = {
        "_id": new_id(),
        "shopId": shop_id,
        "kind": kind,
        "title": title.strip(),
        "points": points_cost,
        "stock": stock,
        "remaining": stock,
        "perUserLimit": per_user_limit,
        "createdAt": services.now(),
        "createdBy": creator_id,
        **target,
    }
    await store.insert("points_rewards", reward)
    return reward


async def rewards_page(services: Services, shop_id: str | None, first: int, after: str | None) -> Page:
    """A shop's rewards, or the platform's (shop None), newest first."""
    return await services.store.find(
        "points_rewards", {"shopId": shop_id}, sort="createdAt", direction=-1, limit=first, after=after
    )


async def redeem(services: Services, user_id: str, reward_id: str, key: str) -> Doc:
    """Exchange points for the reward, once per key: the redemption (ISSUED), or refused with nothing moved."""
    refuse_problems(idempotency_key_problems(key))
    store = services.store
    reward = await store.get("points_rewards", reward_id)
    if reward is None:
        raise Refused("NOT_FOUND", "No such reward", FIELD)
    redemption = {
        "_id": f"{user_id}:{key}",
        "userId": user_id,
        "rewardId": reward_id,
        "shopId": reward.get("voucherShopId") or reward.get("shopId"),
        "kind": reward["kind"],
        "points": reward["points"],
        "attempt": new_id(),  # the ledger key of this attempt: a retry after a refusal is another spend
        "code": secrets.token_hex(6).upper(),
        "status": rules.PENDING,
        "steps": [],
        "at": services.now(),
    }
    try:
        await store.insert("points_redemptions", redemption)
    except DuplicateKey:
        return await _replay(services, user_id, reward_id, key)
    try:
        return await _take_steps(services, redemption, reward)
    except ApiError:
        await undo(services, await store.get("points_redemptions", redemption["_id"]) or redemption)
        raise


async def _replay(services: Services, user_id: str, reward_id: str, key: str) -> Doc:
    first = await services.store.get("points_redemptions", f"{user_id}:{key}")
    if first is None:  # the first attempt was refused and undone meanwhile: this key is free again
        raise Refused("CONFLICT", "This redemption was just refused; try again", ["input", "idempotencyKey"])
    if first["rewardId"] != reward_id:
        raise Refused("ALREADY_EXISTS", "This key was used for another reward", ["input", "idempotencyKey"])
    if first["status"] == rules.PENDING:
        raise Refused("CONFLICT", "This redemption is still being made; try again", ["input", "idempotencyKey"])
    return first


async def _step(services: Services, redemption: Doc, step: str, extra: dict[str, Any] | None = None) -> None:
    await services.store.update_one(
        "points_redemptions", {"_id": redemption["_id"]}, {"$push": {"steps": step}, "$set": extra or {}}
    )


async def _take_steps(services: Services, redemption: Doc, reward: Doc) -> Doc:
    store, user_id, reward_id = services.store, redemption["userId"], reward["_id"]
    taker_id = f"{reward_id}:{user_id}"
    try:
        await store.insert("reward_takers", {"_id": taker_id, "rewardId": reward_id, "userId": user_id, "count": 0})
    except DuplicateKey:
        pass
    # a unit and a place taken are recorded after they are taken (a crash between leaks one, never gives one twice);
    # the points before they are spent (undoing a spend that did not happen finds no entry and moves nothing)
    limited = await store.update_one(
        "reward_takers", {"_id": taker_id, "count": {"$lt": reward["perUserLimit"]}}, {"$inc": {"count": 1}}
    )
    if limited is None:
        raise Refused("LIMIT_REACHED", f"A member may redeem this reward {reward['perUserLimit']} time(s)", FIELD)
    await _step(services, redemption, "limit")
    if (
        await store.update_one(
            "points_rewards", {"_id": reward_id, "remaining": {"$gt": 0}}, {"$inc": {"remaining": -1}}
        )
        is None
    ):
        raise Refused("OUT_OF_STOCK", "This reward is all taken", FIELD)
    await _step(services, redemption, "stock")
    await _step(services, redemption, "points")
    try:
        await points.spend(
            services, user_id, reward["points"], key=_points_key(redemption), reason="REDEEM", ref=redemption["_id"]
        )
    except Refused as exc:
        raise Refused(exc.code, str(exc), FIELD) from None
    extra: dict[str, Any] = {}
    if reward["kind"] == rules.COUPON:
        await _step(services, redemption, "coupon", {"couponId": reward["couponId"]})
        try:
            await coupons.claim_coupon(services, user_id, reward["couponId"])
        except Refused as exc:
            await _unstep(services, redemption, "coupon")  # claim_coupon leaves nothing behind when it refuses
            raise Refused(exc.code, str(exc), FIELD) from None
        extra["couponId"] = reward["couponId"]
    done = await store.update_one(
        "points_redemptions",
        {"_id": redemption["_id"], "status": rules.PENDING},
        {"$set": {"status": rules.ISSUED, "issuedAt": services.now(), **extra}},
    )
    return done or await store.get("points_redemptions", redemption["_id"]) or redemption


async def _unstep(services: Services, redemption: Doc, step: str) -> None:
    doc = await services.store.get("points_redemptions", redemption["_id"])
    if doc is not None:
        steps = [s for s in doc["steps"] if s != step]
        await services.store.update_one("points_redemptions", {"_id": doc["_id"]}, {"$set": {"steps": steps}})


def _points_key(redemption: Doc) -> str:
    return f"redeem:{redemption['attempt']}"


async def undo(services: Services, redemption: Doc) -> None:
    """Give back what a PENDING redemption took (its points, unit and place in the limit), then forget it, so
    its key may be used again. Each undo is itself idempotent: the ledger reversal by key, the others guarded by
    the redemption still being there."""
    store = services.store
    if redemption["status"] != rules.PENDING:
        return
    steps = redemption["steps"]
    if "coupon" in steps:
        claim = await store.get("coupon_claims", f"{redemption['couponId']}:{redemption['userId']}")
        if claim is not None and claim["at"] >= redemption["at"]:  # claimed by this redemption: finish it instead
            await store.update_one(
                "points_redemptions",
                {"_id": redemption["_id"], "status": rules.PENDING},
                {"$set": {"status": rules.ISSUED, "issuedAt": services.now()}},
            )
            return
    if not await store.delete("points_redemptions", redemption["_id"]):
        return  # undone by someone else already
    if "points" in steps:
        await points.reverse(services, _points_key(redemption), reason="REDEEM_UNDONE")
    if "stock" in steps:
        await store.update_one("points_rewards", {"_id": redemption["rewardId"]}, {"$inc": {"remaining": 1}})
    if "limit" in steps:
        await store.update_one(
            "reward_takers", {"_id": f"{redemption['rewardId']}:{redemption['userId']}"}, {"$inc": {"count": -1}}
        )


async def undo_stale(services: Services, limit: int = 100) -> int:
    """The sweep: redemptions a crash left PENDING are undone (or finished when their coupon was claimed)."""
    page = await services.store.find(
        "points_redemptions",
        {"status": rules.PENDING, "at": {"$lte": services.now() - rules.STALE_MS}},
        sort="at",
        limit=limit,
    )
    for doc in page.docs:
        await undo(services, doc)
    return len(page.docs)


async def my_redemptions(services: Services, user_id: str, first: int, after: str | None) -> Page:
    return await services.store.find(
        "points_redemptions",
        {"userId": user_id, "status": {"$ne": rules.PENDING}},
        sort="at",
        direction=-1,
        limit=first,
        after=after,
    )


async def use_voucher(services: Services, staff_id: str, shop_id: str, code: str) -> Doc:
    """The shop hands the product out for a voucher of its own, once (ISSUED -> USED by compare-and-set)."""
    field = ["input", "code"]
    page = await services.store.find("points_redemptions", {"code": code.strip().upper()}, limit=1)
    found = page.docs[0] if page.docs else None
    if found is None or found["kind"] != rules.PRODUCT or found["shopId"] != shop_id:
        raise Refused("NOT_FOUND", "No such voucher for this shop", field)
    used = await services.store.update_one(
        "points_redemptions",
        {"_id": found["_id"], "status": rules.ISSUED},
        {"$set": {"status": rules.USED, "usedAt": services.now(), "usedBy": staff_id}},
    )
    if used is None:
        raise Refused("INVALID_STATE", f"This voucher is {found['status']}", field)
    return used

"""Checkout (domain/checkout.py): cart lines priced per shop, then one order per shop through placeOrder's steps,
all or nothing, idempotent per buyer and key; the pricing is resolvers/checkout_quote.py's.

All or nothing: the checkout is written first (PLACING, with the ids its orders will have); then every shop's order
is made by placeOrder's own steps (orders.new_order checks and prices it, holds.take_all takes the unpaid holds of
all of them in one compare-and-set, orders.reserve takes each one's units, at the prices quoted, and its coupon);
only when every one is reserved are they written, PENDING_PAYMENT, so nobody sees or pays a part of a checkout.
When one shop's order is refused, what the others reserved is given back, the holds go and the checkout is
forgotten, so its key may be used again. A crash part-way leaves the checkout PLACING: the sweep fails it
(expire_stale)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from domain import checkout as rules
from domain import holds as hold_rules
from domain import orders as order_rules
from domain.catalog import idempotency_key_problems
from resolvers import holds, orders
from resolvers import points as points_uc
from resolvers.checkout_quote import (
    POINTS_FIELD,
    Quote,
    ShopQuote,
    coupon_field,
    line_field,
    quote,
    shop_doc,
)
from resolvers.errors import Invalid, Refusals, Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
COLLECTION = "checkouts"
REPLAY_WAIT_SECONDS = orders.REPLAY_WAIT_SECONDS
KEY_ATTEMPTS = 3
KEY_FIELD = ["input", "idempotencyKey"]
UNITS_DUE = "unitsBackAt"
UNITS_BACK_AFTER_MS = 600_000  # a failed checkout's request is long gone by then (requests time out far sooner)


async def by_key(services: Services, buyer_id: str, key: str) -> Doc | None:
    """The checkout a buyer's key already made, once placed (a concurrent first call is awaited); CONFLICT for one
    the sweep failed (its key is spent)."""
    deadline = asyncio.get_running_loop().time() + REPLAY_WAIT_SECONDS
    while True:
        found = await services.store.get(COLLECTION, rules.checkout_id(buyer_id, key))
        if found is None:
            return None
        if found["status"] == rules.FAILED:
            raise Refused("CONFLICT", "The checkout of this key was interrupted; use a new key", KEY_FIELD)
        if found["status"] != rules.PLACING:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise Refused("CONFLICT", "A checkout with this key is still being placed; try again", KEY_FIELD)
        await asyncio.sleep(0.02)


@dataclass
class Placed:
    checkout: Doc
    orders: list[Doc] | None = None  # the orders as just written (None for a replay)


async def checkout(
    services: Services,
    buyer_id: str,
    line_ids: Sequence[str],
    address_id: str,
    coupon_ids: Sequence[str],
    share_token: str | None,
    key: str,
    accept_price_changes: bool,
    points: int | None = None,
) -> Placed:
    """Place one order per shop of the lines, all or nothing; a replay of the key returns the first checkout.
    `points` pay part of the orders (spread over them as the preview shows), spent from the ledger once all are
    reserved, each order's by its own key, and given back if the checkout fails."""
    refuse_problems(idempotency_key_problems(key))
    for _ in range(KEY_ATTEMPTS):
        earlier = await by_key(services, buyer_id, key)
        if earlier is not None:
            return Placed(earlier)
        priced = await quote(services, buyer_id, line_ids, address_id, coupon_ids, accept_price_changes, points)
        if priced.refusals:
            raise Refusals(priced.refusals)
        doc = _new_checkout(services, buyer_id, key, priced)
        try:
            await services.store.insert(COLLECTION, doc)
        except DuplicateKey:
            continue  # a concurrent call with the key won: its checkout, once placed (or failed), decides
        return await _place(services, doc, priced, share_token)
    raise Refused("CONFLICT", "A checkout with this key keeps failing; try again", KEY_FIELD)


def _new_checkout(services: Services, buyer_id: str, key: str, priced: Quote) -> Doc:
    return {
        "_id": rules.checkout_id(buyer_id, key),
        "number": rules.number(order_rules.order_number(datetime.now(UTC))),
        "buyerId": buyer_id,
        "idempotencyKey": key,
        "status": rules.PLACING,
        "createdAt": services.now(),
        "shippingAddress": priced.address,
        "shops": [shop_doc(s) for s in priced.shops],
        "subtotal": priced.subtotal,
        "discount": priced.discount,
        "shippingFee": priced.shipping_fee,
        "total": priced.total,
        "orderIds": [new_id() for _ in priced.shops],  # made before the orders, so a crash leaves them known
    }


async def _place(services: Services, doc: Doc, priced: Quote, share_token: str | None) -> Placed:
    """Each shop's order through placeOrder's steps (orders.new_order, holds, orders.reserve), all reserved before
    any is written; then they are written, PENDING_PAYMENT, together."""
    buyer_id = doc["buyerId"]
    now = services.now()
    wanted = [[(x.sku_id, x.quantity) for x in shop.lines] for shop in priced.shops]
    pay_by = [holds.pay_by(services, now, lines) for lines in wanted]
    shops = await services.store.get_many("shops", [s.shop_id for s in priced.shops])
    deliveries = [
        _delivery(doc, priced, shop, shops, order_id, due)
        for shop, order_id, due in zip(priced.shops, doc["orderIds"], pay_by, strict=True)
    ]
    made: list[Doc] = []
    reserved: list[Doc] = []
    written: list[Doc] = []
    try:
        for i, (shop, delivery) in enumerate(zip(priced.shops, deliveries, strict=True)):
            key = f"{doc['number']}.{i}"  # new with each attempt (a failed one may have left a cancelled order)
            coupon_id = shop.coupon["_id"] if shop.coupon else None
            with _on_checkout(shop):
                order, _ = await orders.new_order(
                    services,
                    buyer_id,
                    wanted[i],
                    key,
                    coupon_id,
                    share_token,
                    delivery=delivery,
                    platform_coupon_id=shop.platform_coupon["_id"] if shop.platform_coupon else None,
                )
            made.append(order)
        new = [
            hold_rules.new_hold(o["_id"], o["idempotencyKey"], w, False, o["payBy"])
            for o, w in zip(made, wanted, strict=True)
        ]
        try:
            await holds.take_all(services, buyer_id, new, False)  # one compare-and-set for every order's hold
        except holds.HoldRefused as exc:
            with _on_checkout(priced.shops[exc.index]):
                raise
        for order, shop, delivery in zip(made, priced.shops, deliveries, strict=True):
            with _on_checkout(shop):
                await orders.reserve(services, order, delivery)
            reserved.append(order)
        for order in made:
            await _spend_points(services, order)
        for order in made:
            order["status"] = order_rules.PENDING_PAYMENT
            order["history"] = [{"status": order_rules.PENDING_PAYMENT, "at": now}]
            await orders.insert_new(services, order)
            written.append(order)
    except BaseException:
        await _give_back(services, doc, reserved, written)
        raise
    placed = await services.store.update_one(
        COLLECTION,
        {"_id": doc["_id"], "status": rules.PLACING},
        {"$set": {"status": rules.PLACED, "payBy": min(pay_by)}},
    )
    if placed is None:  # the sweep took it for a crashed one: it cancels its orders
        raise LookupError(f"checkout {doc['_id']} left PLACING unexpectedly")
    return Placed(placed, made)


async def _spend_points(services: Services, order: Doc) -> None:
    """The order's points, from the ledger, before it is written: an order never shows points nobody paid."""
    if not order.get("pointsUsed"):
        return
    order["pointsKey"] = f"order-points:{order['_id']}"
    try:
        await points_uc.spend(
            services, order["buyerId"], order["pointsUsed"], key=order["pointsKey"], reason="ORDER", ref=order["_id"]
        )
    except Refused as exc:  # spent elsewhere since the quote
        raise Refused(exc.code, str(exc), POINTS_FIELD) from None


def _delivery(
    doc: Doc, priced: Quote, shop: ShopQuote, shops: dict[str, Doc], order_id: str, pay_by: int
) -> orders.Delivery:
    return orders.Delivery(
        address=priced.address,
        fee=shop.shipping.fee,
        checkout_id=doc["_id"],
        cart_lines=[{"lineId": x.line_id, "quantity": x.quantity} for x in shop.lines],
        prices={x.sku_id: x.unit_price for x in shop.lines},
        skus=priced.skus,
        products=shop.products,
        campaigns=shop.campaigns,
        member_price_percent=shop.member_price_percent,
        free_shipping=shop.free_shipping,
        points=shop.points,
        shop=shops.get(shop.shop_id, {}),
        order_id=order_id,
        pay_by=pay_by,
    )


async def _give_back(services: Services, doc: Doc, reserved: list[Doc], written: list[Doc]) -> None:
    """A checkout that failed: orders written already are cancelled (their stock and coupons come back), what the
    others reserved is given back, the holds go, and so does the checkout. Should this fail too, the sweep fails
    the PLACING checkout later."""
    try:
        for order in written:
            await orders.cancel(services, order["_id"], "checkout failed")
        for order in reserved[len(written) :]:
            await orders.give_back(services, order)
            if order.get("pointsKey"):
                await points_uc.reverse(services, order["pointsKey"], reason="CHECKOUT_FAILED")
        await holds.release_all(services, doc["buyerId"], doc["orderIds"])
        await services.store.delete(COLLECTION, doc["_id"])
    except Exception:
        log.exception("checkout %s could not give back what it took; the sweep will", doc["_id"])


@contextlib.contextmanager
def _on_checkout(shop: ShopQuote) -> Iterator[None]:
    """placeOrder's refusals on checkout's fields: a line's on its cartLineIds entry, the coupon's on its couponIds
    entry."""
    try:
        yield
    except Refused as exc:
        moved = []
        for refusal in exc.each() if isinstance(exc, Invalid) else [exc]:
            path = refusal.field or []
            if len(path) >= 3 and path[1] == "lines":
                target: list[str] | None = line_field(shop.lines[int(path[2])].index)
            elif path[1:2] == ["couponId"] and shop.coupon_index is not None:
                target = coupon_field(shop.coupon_index)
            elif path[1:2] == ["platformCouponId"] and shop.platform_coupon_index is not None:
                target = coupon_field(shop.platform_coupon_index)
            else:
                target = refusal.field
            moved.append(Refused(refusal.code, str(refusal), target))
        raise Refusals(moved) from None


async def buyers_checkout(services: Services, checkout_id: str, buyer_id: str) -> Doc:
    found = await services.store.get(COLLECTION, checkout_id)
    if found is None or found["buyerId"] != buyer_id or found["status"] != rules.PLACED:
        raise Refused("NOT_FOUND", "No such checkout of yours", ["input", "checkoutId"])
    return found


async def expire_stale(services: Services, limit: int = 100) -> int:
    """Checkouts a crash left PLACING: FAILED (their key spent), the orders they had written cancelled (stock and
    coupons back), the coupon claims of those never written given back, and their holds released. The units
    reserved for orders never written (marked on their SKUs as taken for them) go back UNITS_BACK_AFTER_MS later,
    when no request can still be writing them (`units_back`)."""
    now = services.now()
    store = services.store
    stale = await store.find(
        COLLECTION, {"status": rules.PLACING, "createdAt": {"$lt": now - rules.STALE_PLACING_MS}}, limit=limit
    )
    done = 0
    for doc in stale.docs:
        failed = await store.update_one(
            COLLECTION,
            {"_id": doc["_id"], "status": rules.PLACING},
            {"$set": {"status": rules.FAILED, "failedAt": now, UNITS_DUE: now + UNITS_BACK_AFTER_MS}},
        )
        if failed is None:
            continue
        written = await store.get_many("orders", doc["orderIds"])
        for order_id, shop in zip(doc["orderIds"], doc["shops"], strict=True):
            if order_id in written:
                if written[order_id]["status"] == order_rules.PENDING_PAYMENT:
                    await orders.cancel(services, order_id, "checkout interrupted")
            else:
                for coupon_id in filter(None, (shop.get("couponId"), shop.get("platformCouponId"))):
                    await store.update_one(
                        "coupon_claims",
                        {"_id": f"{coupon_id}:{doc['buyerId']}", "orderId": order_id},
                        {"$set": {"used": False}, "$unset": {"orderId": ""}},
                    )
        await holds.release_all(services, doc["buyerId"], doc["orderIds"])
        log.warning("checkout %s was left half-placed; failed it", doc["_id"])
        done += 1
    return done + await units_back(services, limit)


async def units_back(services: Services, limit: int = 100) -> int:
    """The units a failed checkout reserved for orders it never wrote, back in stock: each line's by the one guarded
    update that removes its take mark (exactly once however often this runs), then the checkout says so."""
    store = services.store
    due = await store.find(COLLECTION, {UNITS_DUE: {"$lt": services.now()}}, sort=UNITS_DUE, limit=limit)
    for doc in due.docs:
        written = await store.get_many("orders", doc["orderIds"])
        for order_id, shop in zip(doc["orderIds"], doc["shops"], strict=True):
            if order_id not in written:  # a written order gives its units back itself, when it is cancelled
                unwritten = {"_id": order_id, "lines": shop["lines"]}  # its lines, in the order reserve took them
                await orders.give_back_taken(services, unwritten, list(range(len(shop["lines"]))))
        await store.update_one(COLLECTION, {"_id": doc["_id"]}, {"$unset": {UNITS_DUE: ""}})
    return len(due.docs)

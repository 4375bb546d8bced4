"""Orders: placing them (stock reserved by guarded decrements, idempotent per buyer), moving them through the
status machine of domain/orders.py by compare-and-set, returning stock, and cancelling unpaid ones on time."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backends import UNAVAILABLE
from domain import orders as rules
from domain.catalog import coupon_discount, coupon_refusal, idempotency_key_problems
from domain.profile import Problem
from resolvers import distribution, holds, order_desk, refunds, retries
from resolvers import events as facts
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from resolvers.visibility import Seer
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

log = logging.getLogger(__name__)
# A RESERVING order older than this was left by a crashed process: it is cancelled (its stock is not returned,
# since which lines were taken is unknown; better a unit unsold than a unit sold twice).
STALE_RESERVING_MS = 60_000
REPLAY_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Delivery:
    """What checkout adds to an order: the address snapshot it ships to, its shipping fee, the checkout and the cart
    lines ({lineId, quantity}) it comes from, and the unit prices it was priced at (`reserve` takes a unit only at
    that price: PRICE_CHANGED on its line otherwise). Checkout read the SKUs and the shop once for all its orders
    and takes their unpaid holds together (holds.take_all), for the order id and payBy it gives here."""

    address: dict[str, Any]
    fee: int
    checkout_id: str
    cart_lines: list[dict[str, Any]]
    prices: dict[str, int]
    skus: dict[str, Doc]
    shop: Doc
    order_id: str
    pay_by: int

    def fields(self) -> dict[str, Any]:
        return {
            "shippingAddress": self.address,
            "phoneTail": str(self.address.get("phone", ""))[-4:],
            "checkoutId": self.checkout_id,
            "cartLines": self.cart_lines,
        }


def line_problems(lines: list[tuple[str, int]]) -> list[Problem]:
    problems = []
    if not 1 <= len(lines) <= rules.MAX_LINES:
        problems.append(Problem("lines", f"An order has 1 to {rules.MAX_LINES} lines"))
    seen: set[str] = set()
    for i, (sku_id, quantity) in enumerate(lines):
        if not 1 <= quantity <= rules.MAX_QUANTITY:
            problems.append(Problem(f"lines.{i}.quantity", f"A quantity is 1 to {rules.MAX_QUANTITY}"))
        if sku_id in seen:
            problems.append(Problem(f"lines.{i}.skuId", "Each SKU appears on one line"))
        seen.add(sku_id)
    return problems


async def publish_status(services: Services, order: Doc) -> None:
    await services.backends.bus.publish(f"order:{order['_id']}", {"status": order["status"]})


async def move(
    services: Services,
    order_id: str,
    target: str,
    *,
    guard: dict[str, Any] | None = None,
    push: dict[str, Any] | None = None,
    **changes: Any,
) -> Doc | None:
    """Compare-and-set the order into `target` from any status allowed to reach it (and while `guard` holds),
    with `changes` set and `push` appended; None when it was not there."""
    updated = await services.store.update_one(
        "orders",
        {**(guard or {}), "_id": order_id, "status": {"$in": rules.sources_of(target)}},
        {
            "$set": {"status": target, **changes},
            "$push": {**(push or {}), "history": {"status": target, "at": services.now()}},
        },
    )
    if updated is not None and target in rules.VISIBLE:
        await publish_status(services, updated)
    if updated is not None and target in (rules.PAID, rules.CANCELLED):
        await holds.release(services, updated)  # it holds nothing unpaid any more
    if updated is not None:
        await order_desk.moved(services, updated)  # the shop's counts per status, and its live desk
        facts.on_order_moved(services, updated)
    return updated


async def place_order(
    services: Services,
    buyer_id: str,
    lines: list[tuple[str, int]],
    key: str,
    coupon_id: str | None = None,
    share_token: str | None = None,
    *,
    unit_price: int | None = None,
    links: dict[str, str] | None = None,
) -> Doc:
    """`unit_price` and `links` are for the group-buy and bargain paths: one line at a price they set, and the
    team or bargain the order belongs to ({"teamId": ...} or {"bargainId": ...})."""
    refuse_problems(line_problems(lines) + idempotency_key_problems(key))
    store = services.store
    if coupon_id is not None:  # the first order used the coupon, so a replay must be found before it is checked
        replay = await by_key(services, buyer_id, key)
        if replay is not None:
            return replay
    # Otherwise a replay is caught by the unique (buyer, key) index when its order is inserted, before any stock.
    order, held = await new_order(
        services, buyer_id, lines, key, coupon_id, share_token, unit_price=unit_price, links=links
    )
    try:
        await store.insert("orders", order)
    except DuplicateKey:
        replay = await by_key(services, buyer_id, key)
        if replay is not None:
            return replay  # a concurrent duplicate won the key
        order["number"] = rules.order_number(datetime.now(UTC))  # the rare number collision: once more
        await store.insert("orders", order)
    reserved = False
    try:
        await holds.take(services, order, bool(order.get("teamId")), held)  # the limit under contention
        await reserve(services, order)
        reserved = True
        placed = await move(services, order["_id"], rules.PENDING_PAYMENT)
    except BaseException:
        # Refused, or the store failed part-way: give back what was taken and forget the order (so its key). Should
        # the store be unavailable for that too, it is done once the store is back; should the process stop first,
        # the sweep cancels the RESERVING order later.
        undo = (lambda: forget(services, order)) if reserved else (lambda: _undo(services, order, []))
        try:
            await undo()
        except UNAVAILABLE:
            retries.until_done(services, f"undo of order {order['_id']}", undo)
        except Exception:
            log.exception("undoing order %s failed; the sweep cancels it", order["_id"])
        raise
    if placed is None:
        raise LookupError(f"order {order['_id']} left RESERVING unexpectedly")
    return placed


async def new_order(
    services: Services,
    buyer_id: str,
    lines: list[tuple[str, int]],
    key: str,
    coupon_id: str | None = None,
    share_token: str | None = None,
    *,
    unit_price: int | None = None,
    links: dict[str, str] | None = None,
    delivery: Delivery | None = None,
) -> tuple[Doc, Doc | None]:
    """The order these lines make, checked and priced but not written (RESERVING, nothing taken yet), and the
    buyer's holds it was checked against (None for a checkout's order: checkout takes its orders' holds together).
    `delivery` is checkout's: where the order ships and for how much, what it was priced from."""
    store = services.store
    skus = delivery.skus if delivery else await store.get_many("skus", [sku_id for sku_id, _ in lines])
    shop_id = None
    for i, (sku_id, _) in enumerate(lines):
        sku = skus.get(sku_id)
        if sku is None:
            raise Refused("NOT_FOUND", "No such SKU", ["input", "lines", str(i), "skuId"])
        shop_id = shop_id or sku["shopId"]
        if sku["shopId"] != shop_id:
            raise Refused(
                "INVALID_INPUT", "All lines of an order come from one shop", ["input", "lines", str(i), "skuId"]
            )
    assert shop_id is not None
    priced = [(skus[s]["price"] if unit_price is None else unit_price, q) for s, q in lines]
    refuse_problems(rules.total_problems(priced, services.settings.ORDER_MAX_TOTAL))  # before anything is written
    seat = bool(links and links.get("teamId"))
    held = await holds.check(services, buyer_id, key, lines, seat) if delivery is None else None
    untitled = list({skus[s]["productId"] for s, _ in lines if "title" not in skus[s]})  # SKUs made before titles
    products = await store.get_many("products", untitled) if untitled else {}
    shop = delivery.shop if delivery else await store.get("shops", shop_id) or {}
    if share_token:  # a share link binds a buyer nobody referred yet; unknown tokens are ignored
        await distribution.bind_referrer(services, buyer_id, share_token)
    attribution = await distribution.snapshot(services, buyer_id) if shop.get("commissionPolicy") else {}
    order_lines = [
        {
            "skuId": sku_id,
            "productId": skus[sku_id]["productId"],
            "title": skus[sku_id].get("title") or products[skus[sku_id]["productId"]]["title"],
            "specs": skus[sku_id]["specs"],
            "quantity": quantity,
            "unitPrice": skus[sku_id]["price"] if unit_price is None else unit_price,
        }
        for sku_id, quantity in lines
    ]
    subtotal = rules.subtotal(order_lines)
    now = services.now()
    discount = 0
    claim_id = None
    if coupon_id is not None:
        claim_id = f"{coupon_id}:{buyer_id}"
        discount = await _coupon_discount(services, coupon_id, claim_id, shop_id, subtotal, now)
    fee = delivery.fee if delivery else 0
    order = {
        "_id": delivery.order_id if delivery else new_id(),
        "number": rules.order_number(datetime.now(UTC)),
        "buyerId": buyer_id,
        "shopId": shop_id,
        "lines": order_lines,
        "subtotal": subtotal,
        "discount": discount,
        "shippingFee": fee,
        "total": subtotal - discount + fee,
        "status": rules.RESERVING,
        "createdAt": now,
        "payBy": delivery.pay_by if delivery else holds.pay_by(services, now, lines),
        holds.HELD: True,
        "idempotencyKey": key,
        "couponClaimId": claim_id,
        "shareToken": share_token,
        "history": [],
        **attribution,
        **(links or {}),
        **(delivery.fields() if delivery else {}),
    }
    return order, held


async def reserve(services: Services, order: Doc, delivery: Delivery | None = None) -> None:
    """Take the order's units line by line (a checkout's only at the prices it was priced at) and its coupon
    claim, by guarded updates; refused (OUT_OF_STOCK, PRICE_CHANGED, COUPON_UNAVAILABLE) once it has given back
    what it took."""
    store = services.store
    taken: list[dict[str, Any]] = []
    try:
        for i, line in enumerate(order["lines"]):
            q = line["quantity"]
            guard = {"_id": line["skuId"], "stock": {"$gte": q}}
            if delivery is not None:
                guard["price"] = delivery.prices[line["skuId"]]
            if not await store.update_one("skus", guard, {"$inc": {"stock": -q}}):
                raise await _not_taken(services, line, i, delivery)
            taken.append(line)
        claim_id = order.get("couponClaimId")
        if claim_id is not None:
            used = await store.update_one(
                "coupon_claims", {"_id": claim_id, "used": False}, {"$set": {"used": True, "orderId": order["_id"]}}
            )
            if used is None:
                raise Refused("COUPON_UNAVAILABLE", "This coupon was used meanwhile", ["input", "couponId"])
    except BaseException:
        # what this reservation took goes back (the caller forgets the order); should the store be unavailable for
        # that too, it is given back once the store is back (`taken` knows what); should the process stop first,
        # the sweep cancels the RESERVING order later
        try:
            await give_back_taken(services, taken)
        except UNAVAILABLE:
            retries.until_done(services, f"stock of order {order['_id']}", lambda: give_back_taken(services, taken))
        except Exception:
            log.exception("returning the stock of order %s failed; the sweep cancels it", order["_id"])
        raise


async def _not_taken(services: Services, line: dict[str, Any], i: int, delivery: Delivery | None) -> Refused:
    """Why a line's units were not taken: its price moved from the one checkout priced it at, or too few are left."""
    if delivery is not None:
        sku = await services.store.get("skus", line["skuId"]) or {}
        if sku.get("price") != delivery.prices[line["skuId"]]:
            return Refused("PRICE_CHANGED", "The price changed meanwhile", ["input", "lines", str(i), "skuId"])
    return Refused("OUT_OF_STOCK", "Not enough stock for this line", ["input", "lines", str(i), "quantity"])


async def _coupon_discount(
    services: Services, coupon_id: str, claim_id: str, shop_id: str, subtotal: int, now: int
) -> int:
    field = ["input", "couponId"]
    claim = await services.store.get("coupon_claims", claim_id)
    coupon = await services.store.get("coupons", coupon_id)
    if coupon is None:
        raise Refused("NOT_FOUND", "No such coupon", field)
    if claim is None or claim["used"]:
        raise Refused("COUPON_UNAVAILABLE", "Claim this coupon first; each claim pays for one order", field)
    reason = coupon_refusal(coupon, shop_id, subtotal, now)
    if reason:
        raise Refused("COUPON_UNAVAILABLE", reason, field)
    return coupon_discount(coupon, subtotal)


async def insert_new(services: Services, order: Doc) -> None:
    """Write an order made by `new_order` in its status (checkout writes them PENDING_PAYMENT), with a new number on
    the rare collision of numbers; the shop's desk counts it like an order moved there."""
    try:
        await services.store.insert("orders", order)
    except DuplicateKey:
        order["number"] = rules.order_number(datetime.now(UTC))
        await services.store.insert("orders", order)
    await order_desk.moved(services, order)


async def forget(services: Services, order: Doc) -> None:
    """A written order that will not be placed after all: what it reserved goes back, with its hold, and the
    order is forgotten, as if it had never been tried."""
    await give_back(services, order)
    await _undo(services, order, [])


async def give_back(services: Services, order: Doc) -> None:
    """What `reserve` took for the order: its units and its coupon claim."""
    if order.get("couponClaimId"):
        await services.store.update_one(
            "coupon_claims",
            {"_id": order["couponClaimId"], "orderId": order["_id"]},
            {"$set": {"used": False}, "$unset": {"orderId": ""}},
        )
    await return_stock(services, order["lines"])


async def _undo(services: Services, order: Doc, taken: list[dict[str, Any]]) -> None:
    """A placement that failed part-way: give back what it took and forget the order (and so its key). A line
    leaves `taken` once its stock is back, so running this again after a failure gives nothing back twice."""
    await give_back_taken(services, taken)
    await services.store.delete("orders", order["_id"])
    await holds.release(services, order)


async def give_back_taken(services: Services, taken: list[dict[str, Any]]) -> None:
    """Return the stock of the lines a placement took: a line leaves `taken` once its stock is back, so running this
    again after the store failed part-way gives nothing back twice."""
    while taken:
        await return_stock(services, taken[:1])
        taken.pop(0)


async def return_stock(services: Services, lines: list[dict[str, Any]]) -> None:
    for line in lines:
        await services.store.update_one("skus", {"_id": line["skuId"]}, {"$inc": {"stock": line["quantity"]}})


def key_used(order: Doc) -> Refused:
    return Refused(
        "CONFLICT", f"This idempotency key already placed order {order['number']}", ["input", "idempotencyKey"]
    )


async def by_key(services: Services, buyer_id: str, key: str) -> Doc | None:
    """The order a buyer's idempotency key already made, once it is placed (a concurrent first call is awaited)."""
    deadline = asyncio.get_running_loop().time() + REPLAY_WAIT_SECONDS
    while True:
        page = await services.store.find("orders", {"buyerId": buyer_id, "idempotencyKey": key}, limit=1)
        if not page.docs:
            return None
        if page.docs[0]["status"] != rules.RESERVING:
            return page.docs[0]
        if asyncio.get_running_loop().time() > deadline:
            raise Refused(
                "CONFLICT", "An order with this key is still being placed; try again", ["input", "idempotencyKey"]
            )
        await asyncio.sleep(0.02)


async def release(services: Services, order: Doc) -> None:
    """After the one move into CANCELLED: stock, coupon and team seat go back."""
    await return_stock(services, order["lines"])
    if order.get("teamId"):
        from resolvers.teams import release_seat  # teams build on orders; imported here to keep one direction

        await release_seat(services, order)
    if order.get("couponClaimId"):
        await services.store.update_one(
            "coupon_claims",
            {"_id": order["couponClaimId"], "orderId": order["_id"]},
            {"$set": {"used": False}, "$unset": {"orderId": ""}},
        )


async def buyers_order(services: Services, order_id: str, buyer_id: str) -> Doc:
    order = await services.store.get("orders", order_id)
    if order is None or order["buyerId"] != buyer_id or order["status"] == rules.RESERVING:
        raise Refused("NOT_FOUND", "No such order of yours", ["input", "orderId"])
    return order


async def shops_order(services: Services, order_id: str) -> Doc:
    """An order for its shop's staff (who may act on it is the mutation's `staff=` declaration)."""
    order = await services.store.get("orders", order_id)
    if order is None or order["status"] == rules.RESERVING:
        raise Refused("NOT_FOUND", "No such order", ["input", "orderId"])
    return order


def refuse_move(order: Doc, target: str) -> Refused:
    return Refused("INVALID_STATE", f"An order that is {order['status']} cannot become {target}", ["input", "orderId"])


async def cancel(services: Services, order_id: str, reason: str) -> Doc | None:
    """CANCELLED by compare-and-set, then stock, coupon and team seat go back; None when it could not move."""
    cancelled = await move(services, order_id, rules.CANCELLED, cancelledAt=services.now(), cancelReason=reason)
    if cancelled is not None:
        await release(services, cancelled)
    return cancelled


async def cancel_order(services: Services, buyer_id: str, order_id: str) -> Doc:
    order = await buyers_order(services, order_id, buyer_id)
    cancelled = await cancel(services, order_id, "buyer")
    if cancelled is None:
        raise refuse_move(order, rules.CANCELLED)
    return cancelled


async def confirm_receipt(services: Services, buyer_id: str, order_id: str) -> Doc:
    order = await buyers_order(services, order_id, buyer_id)
    done = await complete(services, order_id, "buyer")
    if done is None:
        raise refuse_move(order, rules.COMPLETED)
    return done


async def complete(services: Services, order_id: str, by: str) -> Doc | None:
    """SHIPPED -> COMPLETED (by the buyer, or the sweep AUTO_CONFIRM_DAYS after the last package), then points
    and the commission freeze, once: for the one caller that makes the move; None for the others."""
    done = await move(services, order_id, rules.COMPLETED, completedAt=services.now(), completedBy=by)
    if done is not None:
        await refunds.grant_points(services, order_id)  # those of the money kept
        await distribution.on_order_completed(services, done)
    return done


async def expire_unpaid(services: Services, limit: int = 200) -> int:
    """Cancel unpaid orders past payBy (returning their stock) and orders a crash left RESERVING; how many."""
    store = services.store
    now = services.now()
    due = await store.find(
        "orders", {"status": rules.PENDING_PAYMENT, "payBy": {"$lt": now}}, sort="payBy", limit=limit
    )
    done = 0
    for order in due.docs:
        if await cancel(services, order["_id"], "unpaid") is not None:  # else it was paid or cancelled meanwhile
            done += 1
    stale = await store.find(
        "orders", {"status": rules.RESERVING, "createdAt": {"$lt": now - STALE_RESERVING_MS}}, limit=limit
    )
    for order in stale.docs:
        if await move(services, order["_id"], rules.CANCELLED, cancelledAt=now, cancelReason="interrupted"):
            log.warning("order %s was left half-placed; cancelled without returning stock", order["_id"])
            done += 1
    return done


async def my_orders(services: Services, buyer_id: str, first: int, after: str | None, status: str | None) -> Page:
    where: dict[str, Any] = {"buyerId": buyer_id}
    where["status"] = status if status is not None else {"$in": sorted(rules.VISIBLE)}
    return await services.store.find("orders", where, sort="createdAt", direction=-1, limit=first, after=after)


async def visible_order(services: Services, order_id: str, viewer_id: str | None) -> Doc | None:
    """An order as its buyer or its shop's owner or staff sees it; None for anybody else."""
    order = await services.store.get("orders", order_id)
    seer = Seer.of(services.store, viewer_id)
    return order if order is not None and await seer.order(order) else None

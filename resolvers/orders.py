"""Orders: placing them (stock reserved by guarded decrements, idempotent per buyer), moving them through the
status machine of domain/orders.py by compare-and-set, returning stock, and cancelling unpaid ones on time."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backends import UNAVAILABLE
from domain import orders as rules
from domain import pricing as pricing_rules
from domain import recovery as steps
from domain.catalog import coupon_refusal, idempotency_key_problems
from domain.profile import Problem
from resolvers import distribution, holds, order_desk, recovery, retries
from resolvers import events as facts
from resolvers import pricing as pricing_uc
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from resolvers.visibility import Seer
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

log = logging.getLogger(__name__)
# A RESERVING order older than this was left by a crashed process: it is cancelled, and the units it took (each
# marked on its SKU by the decrement that took it) go back.
STALE_RESERVING_MS = 60_000
REPLAY_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Delivery:
    """What checkout adds to an order: the address snapshot it ships to, its shipping fee, the checkout and the cart
    lines ({lineId, quantity}) it comes from, and the SKU prices it was priced at (`reserve` takes a unit only at
    that price: PRICE_CHANGED on its line otherwise). Checkout read the SKUs, products, running campaigns and the
    shop once for all its orders and takes their unpaid holds together (holds.take_all), for the order id and payBy
    it gives here; the order is priced again from the same inputs by the same pipeline, so as the quote showed."""

    address: dict[str, Any]
    fee: int
    checkout_id: str
    cart_lines: list[dict[str, Any]]
    prices: dict[str, int]
    skus: dict[str, Doc]
    shop: Doc
    order_id: str
    pay_by: int
    products: dict[str, Doc]
    campaigns: tuple[pricing_rules.Campaign, ...] = ()
    member_price_percent: int = 100
    free_shipping: bool = False
    points: int = 0  # the points this order pays with (checkout spread them over its orders); spent by checkout

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
    activity: pricing_rules.Activity | None = None,
) -> Doc:
    """`unit_price` and `links` are for the group-buy and bargain paths: one line at a price they set, and the
    team or bargain the order belongs to ({"teamId": ...} or {"bargainId": ...}). `activity` is any other activity
    price (a seckill's: kind SECKILL, its price, campaign and stackableWith) for every line, the price step's
    input; `unit_price` is the same for group buys and bargains."""
    refuse_problems(line_problems(lines) + idempotency_key_problems(key))
    store = services.store
    if coupon_id is not None:  # the first order used the coupon, so a replay must be found before it is checked
        replay = await by_key(services, buyer_id, key)
        if replay is not None:
            return replay
    # Otherwise a replay is caught by the unique (buyer, key) index when its order is inserted, before any stock.
    order, held = await new_order(
        services, buyer_id, lines, key, coupon_id, share_token, unit_price=unit_price, links=links, activity=activity
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
        await reserve(services, order)  # refused: it gave back what it took itself
        reserved = True
        placed = await move(services, order["_id"], rules.PENDING_PAYMENT)
    except BaseException:
        # Refused, or the store failed part-way: give back what was taken and forget the order (so its key). Should
        # the store be unavailable for that too, it is done once the store is back; should the process stop first,
        # the sweep cancels the RESERVING order and gives back the units marked as its own.
        undo = functools.partial(forget, services, order, reserved)
        try:
            await undo()
        except UNAVAILABLE:
            retries.until_done(services, f"undo of order {order['_id']}", undo)
        except Exception:
            log.exception("undoing order %s failed; the sweep cancels it", order["_id"])
        raise
    if placed is None:  # the sweep took it for a crashed one (cancelled it): what it took goes back
        await give_back(services, order)
        raise LookupError(f"order {order['_id']} left RESERVING unexpectedly")
    await clear_take_marks(services, placed)
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
    platform_coupon_id: str | None = None,
    activity: pricing_rules.Activity | None = None,
) -> tuple[Doc, Doc | None]:
    """The order these lines make, checked and priced by the pipeline (domain/pricing.py) but not written
    (RESERVING, nothing taken yet), and the buyer's holds it was checked against (None for a checkout's order:
    checkout takes its orders' holds together). `delivery` is checkout's: where the order ships and for how much,
    what it was priced from. `coupon_id` may be a shop's or a platform coupon; `platform_coupon_id` is checkout's
    platform coupon beside a shop coupon. `unit_price` is a group buy's or bargain's activity price (`links`)."""
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
    if activity is None and unit_price is not None:
        activity = pricing_uc.link_activity(links, unit_price)
    at_prices = [(skus[s]["price"] if activity is None else activity.unit_price, q) for s, q in lines]
    refuse_problems(rules.total_problems(at_prices, services.settings.ORDER_MAX_TOTAL))  # before anything is written
    seat = bool(links and links.get("teamId"))
    held = await holds.check(services, buyer_id, key, lines, seat) if delivery is None else None
    wanted_products = list({skus[s]["productId"] for s, _ in lines})
    products = dict(delivery.products) if delivery else {}
    missing = [p for p in wanted_products if p not in products]
    if missing:
        products.update(await store.get_many("products", missing))
    shop = delivery.shop if delivery else await store.get("shops", shop_id) or {}
    if share_token:  # a share link binds a buyer nobody referred yet; unknown tokens are ignored
        await distribution.bind_referrer(services, buyer_id, share_token)
    attribution = await distribution.snapshot(services, buyer_id) if shop.get("commissionPolicy") else {}
    now = services.now()
    coupons = await _coupons(services, buyer_id, shop_id, coupon_id, platform_coupon_id, now)
    priced = await _price(services, buyer_id, lines, skus, products, shop_id, activity, coupons, delivery)
    order_lines = [
        {
            "skuId": sku_id,
            "productId": skus[sku_id]["productId"],
            "title": skus[sku_id].get("title") or products[skus[sku_id]["productId"]]["title"],
            "specs": skus[sku_id]["specs"],
            "quantity": quantity,
            "unitPrice": out.unit_price,
            "listPrice": int(skus[sku_id]["price"]),
            "discount": out.discount,
        }
        for (sku_id, quantity), out in zip(lines, priced.lines, strict=True)
    ]
    fee = priced.shipping_fee
    order = {
        "_id": delivery.order_id if delivery else new_id(),
        "number": rules.order_number(datetime.now(UTC)),
        "buyerId": buyer_id,
        "shopId": shop_id,
        "lines": order_lines,
        "subtotal": priced.subtotal,
        "discount": priced.discount,
        "shippingFee": fee,
        "total": priced.total,
        "adjustments": priced.adjustment_docs(),
        "pointsUsed": priced.points_used,
        "status": rules.RESERVING,
        "createdAt": now,
        "payBy": delivery.pay_by if delivery else holds.pay_by(services, now, lines),
        holds.HELD: True,
        "idempotencyKey": key,
        "couponClaimId": f"{coupon_id}:{buyer_id}" if coupon_id else None,
        "platformCouponClaimId": f"{platform_coupon_id}:{buyer_id}" if platform_coupon_id else None,
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
    what it took. Each decrement marks the SKU with the units it took for the order (domain/recovery.py), so they
    can be given back exactly once whoever finds them: this call, the request's undo, or the sweep."""
    store = services.store
    taken: list[int] = []
    claimed: list[str] = []
    try:
        for i, line in enumerate(order["lines"]):
            q = line["quantity"]
            guard = {"_id": line["skuId"], "stock": {"$gte": q}}
            if delivery is not None:
                guard["price"] = delivery.prices[line["skuId"]]
            took = {"$inc": {"stock": -q}, "$set": {steps.take_mark(order["_id"], i): q}}
            if not await store.update_one("skus", guard, took):
                raise await _not_taken(services, line, i, delivery)
            taken.append(i)
        for claim_id, field in _claims(order):
            used = await store.update_one(
                "coupon_claims", {"_id": claim_id, "used": False}, {"$set": {"used": True, "orderId": order["_id"]}}
            )
            if used is None:
                raise Refused("COUPON_UNAVAILABLE", "This coupon was used meanwhile", ["input", field])
            claimed.append(claim_id)
    except BaseException:
        # what this reservation took goes back (the caller forgets the order); should the store be unavailable for
        # that too, it is given back once the store is back (`taken` knows what); should the process stop first,
        # the sweep cancels the RESERVING order later
        try:
            await _give_back_claims(services, order, claimed)
            await give_back_taken(services, order, taken)
        except UNAVAILABLE:
            retries.until_done(
                services, f"stock of order {order['_id']}", lambda: give_back_taken(services, order, taken)
            )
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


async def _coupons(
    services: Services, buyer_id: str, shop_id: str, coupon_id: str | None, platform_id: str | None, now: int
) -> list[tuple[Doc, list[str]]]:
    """The coupons an order names, each claimed, unused, of its shop (or the platform's) and valid now, with the
    input field it came on; refused otherwise."""
    named = [(c, f) for c, f in ((coupon_id, ["input", "couponId"]), (platform_id, ["input", "platformCouponId"])) if c]
    if not named:
        return []
    docs = await services.store.get_many("coupons", [c for c, _ in named])
    claims = await services.store.get_many("coupon_claims", [f"{c}:{buyer_id}" for c, _ in named])
    found = []
    for c, field in named:
        coupon = docs.get(c)
        if coupon is None:
            raise Refused("NOT_FOUND", "No such coupon", field)
        claim = claims.get(f"{c}:{buyer_id}")
        if claim is None or claim["used"]:
            raise Refused("COUPON_UNAVAILABLE", "Claim this coupon first; each claim pays for one order", field)
        reason = coupon_refusal(coupon, shop_id, now)
        if reason:
            raise Refused("COUPON_UNAVAILABLE", reason, field)
        found.append((coupon, field))
    return found


async def _price(
    services: Services,
    buyer_id: str,
    lines: list[tuple[str, int]],
    skus: dict[str, Doc],
    products: dict[str, Doc],
    shop_id: str,
    act: pricing_rules.Activity | None,
    coupons: list[tuple[Doc, list[str]]],
    delivery: Delivery | None,
) -> pricing_rules.Priced:
    """The order priced by the pipeline: a group buy's or bargain's price is its activity step; a coupon the
    pipeline does not apply (its minimum spend, a campaign it does not combine with) is refused on its field."""
    if delivery is not None:
        campaigns, percent, free = delivery.campaigns, delivery.member_price_percent, delivery.free_shipping
    else:
        campaigns = (await pricing_uc.running_campaigns(services, [shop_id]))[shop_id]
        percent, free = await pricing_uc.member_benefits(services, buyer_id)
    shop_coupon = next((c for c, _ in coupons if c.get("shopId")), None)
    platform = next((c for c, _ in coupons if not c.get("shopId")), None)
    priced = pricing_rules.price(
        pricing_rules.PricingInput(
            lines=tuple(pricing_uc.line_in(skus[s], products.get(skus[s]["productId"]), q, act) for s, q in lines),
            member_price_percent=percent,
            campaigns=campaigns,
            shop_coupon=pricing_uc.coupon_in(shop_coupon),
            platform_coupon=pricing_uc.coupon_in(platform),
            shipping_fee=delivery.fee if delivery else 0,
            free_shipping=free,
            points=_points_in(services, delivery),
        )
    )
    fields = {("shopId" in c and c["shopId"] is not None): f for c, f in coupons}
    for refusal in priced.refusals:
        field = fields.get(refusal.target == pricing_rules.ON_SHOP_COUPON) or ["input", "couponId"]
        raise Refused(refusal.code, refusal.message, field)
    return priced


def _points_in(services: Services, delivery: Delivery | None) -> pricing_rules.Points | None:
    """Checkout's points for this order (checked against the balance when they are spent, not here)."""
    if delivery is None or not delivery.points:
        return None
    return pricing_uc.points(services, delivery.points, delivery.points)


async def insert_new(services: Services, order: Doc) -> None:
    """Write an order made by `new_order` in its status (checkout writes them PENDING_PAYMENT), with a new number on
    the rare collision of numbers; the shop's desk counts it like an order moved there; the marks of the units it
    took are then cleared."""
    try:
        await services.store.insert("orders", order)
    except DuplicateKey:
        order["number"] = rules.order_number(datetime.now(UTC))
        await services.store.insert("orders", order)
    await order_desk.moved(services, order)
    await clear_take_marks(services, order)


async def clear_take_marks(services: Services, order: Doc) -> None:
    """A placed order's units are its own: the marks of their taking go. Not recorded (one write fewer on the way
    of every order): should this process stop first, the order's payment clears them (its step take_<i>), its
    cancellation gives the units back by them, and `doctor --fix` removes any other left."""
    for i, line in enumerate(order["lines"]):
        await services.store.update_one(
            "skus", {"_id": line["skuId"]}, {"$unset": {steps.take_mark(order["_id"], i): ""}}
        )


async def forget(services: Services, order: Doc, reserved: bool = True) -> None:
    """A written order that will not be placed after all: what it reserved goes back (when it was reserved), with
    its hold, and the order is forgotten (and so its key), as if it had never been tried. Safe to run again:
    nothing goes back twice."""
    if reserved:
        await give_back(services, order)
    await services.store.delete("orders", order["_id"])
    await holds.release(services, order)


async def give_back(services: Services, order: Doc) -> None:
    """What `reserve` took for the order: its units (those marked as taken for it) and its coupon claims."""
    await release_coupon(services, order)
    await give_back_taken(services, order, list(range(len(order["lines"]))))


async def release_coupon(services: Services, order: Doc) -> None:
    """The order's coupon claims (a shop's and a platform's) back to unused, each only if it is still this order's."""
    await _give_back_claims(services, order, [c for c, _ in _claims(order)])


def _claims(order: Doc) -> list[tuple[str, str]]:
    """The coupon claims an order uses, with the input field each came on."""
    named = [(order.get("couponClaimId"), "couponId"), (order.get("platformCouponClaimId"), "platformCouponId")]
    return [(c, f) for c, f in named if c]


async def _give_back_claims(services: Services, order: Doc, claim_ids: list[str]) -> None:
    for claim_id in claim_ids:
        await services.store.update_one(
            "coupon_claims",
            {"_id": claim_id, "orderId": order["_id"]},
            {"$set": {"used": False}, "$unset": {"orderId": ""}},
        )


async def give_back_taken(services: Services, order: Doc, lines: list[int]) -> None:
    """Return the units `reserve` took for these lines of the order: one guarded update per line, which removes
    the mark of the units taken with them, so however often it runs (after the store failed part-way, by the
    sweep) nothing goes back twice, and a line never taken gives nothing."""
    for i in lines:
        await untake(services, order, i)


async def untake(services: Services, order: Doc, i: int) -> bool:
    line = order["lines"][i]
    took = steps.take_mark(order["_id"], i)
    back = await services.store.update_one(
        "skus",
        {"_id": line["skuId"], took: line["quantity"]},
        {"$inc": {"stock": line["quantity"]}, "$unset": {took: ""}},
    )
    return back is not None


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


# -- the steps an order owes after a move (domain/recovery.py), run by recovery.settle -----------------------
def _line_sku(order: Doc, arg: str) -> tuple[str, str]:
    return "skus", order["lines"][int(arg)]["skuId"]


@recovery.handles(steps.TAKE, _line_sku)
async def _taken(services: Services, order: Doc, arg: str) -> None:
    """Born done: only its mark (the units taken) is cleared, by the runner."""


@recovery.handles(steps.UNTAKE)
async def _untake(services: Services, order: Doc, arg: str) -> None:
    await untake(services, order, int(arg))


@recovery.handles(steps.RESTOCK, _line_sku)
async def _restock(services: Services, order: Doc, arg: str) -> recovery.Counter | None:
    """A line's units back in stock: a cancelled order's whose take mark is still there give it back with it (one
    cancelled while still RESERVING gives back only that); otherwise once, with this step's mark."""
    i = int(arg)
    if order["status"] == rules.CANCELLED and (await untake(services, order, i) or not steps.placed(order)):
        return None  # given back with its take mark, or never taken in full (then only its mark says what)
    units = steps.restock_units(order, i)
    return recovery.Counter("skus", order["lines"][i]["skuId"], {"stock": units}) if units else None


@recovery.handles(steps.SECKILL_BACK)
async def _seckill_back(services: Services, order: Doc, arg: str) -> None:
    """At least once: a runner that dies inside it may give a unit back twice (the campaign's counter has no mark)."""
    from resolvers.seckill import release_units  # seckill builds on orders; imported here to keep one direction

    await release_units(services, order)


@recovery.handles(steps.COUPON)
async def _coupon(services: Services, order: Doc, arg: str) -> None:
    await release_coupon(services, order)


@recovery.handles(steps.SEAT)
async def _seat(services: Services, order: Doc, arg: str) -> None:
    from resolvers.teams import release_seat  # teams build on orders; imported here to keep one direction

    await release_seat(services, order)


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
    """CANCELLED by compare-and-set, then stock, coupon and team seat go back (steps owed with the move, which the
    sweep finishes should this process stop first); None when it could not move."""
    order = await services.store.get("orders", order_id)
    if order is None:
        return None
    owed = steps.owing(services.now(), steps.cancel_steps(order))
    cancelled = await move(services, order_id, rules.CANCELLED, cancelledAt=services.now(), cancelReason=reason, **owed)
    return await recovery.settle(services, cancelled) if cancelled is not None else None


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
        from resolvers import order_points  # points build on orders and refunds; imported here to keep one direction

        await order_points.settle(services, order_id)  # those of the money kept
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
        owed = steps.owing(now, steps.untake_steps(order) + ([steps.COUPON] if order.get("couponClaimId") else []))
        cancelled = await move(
            services, order["_id"], rules.CANCELLED, cancelledAt=now, cancelReason="interrupted", **owed
        )
        if cancelled is not None:
            log.warning("order %s was left half-placed; cancelled, the units it took go back", order["_id"])
            await recovery.settle(services, cancelled)
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

"""Paying for orders (DEV_PAY in dev mode, WeChat Pay JSAPI), the payment notification (of one order, or of a
combined payment of several), and refunds.

An order becomes PAID exactly once, by compare-and-set, whatever the number of notifications; what follows a
payment (sales counts, the purchase record, the BOUGHT outbox event) runs once, for the winner of that move.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson

from domain import after_sales as after_sale_rules
from domain import events as ev
from domain import orders as rules
from domain import recovery as steps
from domain.catalog import idempotency_key_problems
from domain.text import clean
from integrations.wechat_pay import Notification, PaymentError, WechatPayClient
from resolvers import cart, catalog, distribution, invites, order_desk, order_points, recovery, refunds
from resolvers import events as facts
from resolvers.errors import Refused, refuse_problems
from resolvers.feeds import record_activity
from resolvers.orders import buyers_order, move, publish_status, refuse_move
from resolvers.recommend import SALE_HEAT, product_heat
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey, Filter

log = logging.getLogger(__name__)
RECORD_ATTEMPTS = 5  # an order's after-sales changing while its buyer asks for a refund (each time, asked again)
METHOD_FIELD = ["input", "method"]


@dataclass
class PaymentResult:
    order: Doc
    method: str
    client_params: str


class WebhookRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def pay_order(services: Services, buyer_id: str, order_id: str, method: str, key: str) -> PaymentResult:
    refuse_problems(idempotency_key_problems(key))
    store = services.store
    order = await buyers_order(services, order_id, buyer_id)
    attempt_id = f"{order_id}:{key}"
    earlier = await store.get("payment_attempts", attempt_id)
    if earlier is not None:  # a replay: the first answer, with the order as it is now
        return PaymentResult(order, earlier["method"], earlier["clientParams"])
    if order["status"] != rules.PENDING_PAYMENT:
        raise refuse_move(order, rules.PAID)
    if order["payBy"] < services.now():
        raise Refused("INVALID_STATE", "This order was not paid in time", ["input", "orderId"])
    if method == "DEV_PAY" and not services.settings.dev_mode:
        raise Refused("FORBIDDEN", "DEV_PAY exists in dev mode only", ["input", "method"])
    attempt = {"_id": attempt_id, "orderId": order_id, "method": method, "clientParams": "{}", "at": services.now()}
    try:
        await store.insert("payment_attempts", attempt)
    except DuplicateKey:
        raise Refused("CONFLICT", "This payment is already being made", ["input", "idempotencyKey"]) from None
    try:
        if method == "DEV_PAY":
            paid = await record_payment(services, order, f"dev-{order['number']}", "DEV_PAY")
            if paid is None:  # a concurrent payment with another key won
                raise refuse_move(await store.get("orders", order_id) or order, rules.PAID)
            return PaymentResult(paid, method, "{}")
        params = await _wechat_prepay(services, order)
    except BaseException:
        await store.delete("payment_attempts", attempt_id)
        raise
    client_params = orjson.dumps(params).decode()
    await store.update_one("payment_attempts", {"_id": attempt_id}, {"$set": {"clientParams": client_params}})
    return PaymentResult(order, method, client_params)


async def wechat_payer(services: Services, buyer_id: str) -> tuple[WechatPayClient, str]:
    """WeChat Pay and the buyer's openid, or PAYMENT_FAILED on the method (not configured, no WeChat login)."""
    if services.wechat_pay is None:
        raise Refused("PAYMENT_FAILED", "WeChat Pay is not configured (WECHAT_PAY_MCH_ID, ...)", METHOD_FIELD)
    buyer = await services.store.get("users", buyer_id)
    openid = (buyer or {}).get("openid")
    if not openid:
        raise Refused("PAYMENT_FAILED", "Sign in with WeChat to pay with WeChat Pay", METHOD_FIELD)
    return services.wechat_pay, str(openid)


async def _wechat_prepay(services: Services, order: Doc) -> dict[str, str]:
    pay, openid = await wechat_payer(services, order["buyerId"])
    try:
        return await pay.prepay(order["number"], description(order), order["total"], openid, order["payBy"])
    except PaymentError as exc:
        log.warning("prepay failed for order %s: %s", order["_id"], exc)
        raise Refused("PAYMENT_FAILED", "WeChat Pay did not accept this payment; try again", METHOD_FIELD) from None


def description(order: Doc) -> str:
    """What WeChat Pay shows the buyer for an order: its first line's title, 等 when there are more."""
    return str(order["lines"][0]["title"]) + ("等" if len(order["lines"]) > 1 else "")


async def mark_paid(services: Services, order: Doc, amount: int, transaction_id: str, method: str) -> Doc:
    """Record a payment of `amount` for the order: PAID once; a repeat changes nothing; money that arrives for an
    order cancelled meanwhile (paid after payBy) is refunded."""
    if amount != order["total"]:
        raise WebhookRefused(400, f"paid {amount} for an order of {order['total']}")
    paid = await record_payment(services, order, transaction_id, method)
    if paid is not None:
        return paid
    current = await services.store.get("orders", order["_id"]) or order
    if current["status"] == rules.CANCELLED and current.get("transactionId") is None:
        late = await refunds.claim(
            services,
            order["_id"],
            None,
            {"status": rules.CANCELLED, "transactionId": None},
            {"transactionId": transaction_id, "paidWith": method, "latePayment": True},
        )
        if late is not None:
            log.warning("order %s was paid after it was cancelled; refunding", order["_id"])
            await _provider_refund(services, late[0], "订单已超时取消，自动退款")
    return current


async def record_payment(services: Services, order: Doc, transaction_id: str, method: str) -> Doc | None:
    """PENDING_PAYMENT -> PAID and what follows a sale (steps owed with the move: the sweep finishes them should
    this process stop first), for the one caller that makes the move; None for others."""
    current = await services.store.get("orders", order["_id"]) or order
    owed = steps.owing(services.now(), steps.payment_steps(current), steps.taken_steps(current))
    paid = await move(
        services,
        order["_id"],
        rules.PAID,
        paidAt=services.now(),
        transactionId=transaction_id,
        paidWith=method,
        **owed,
    )
    return await recovery.settle(services, paid) if paid is not None else None


async def count_sales(services: Services, product_id: str, units: int) -> None:
    """salesCount moves with payments and refunds; the search postings sort by it too."""
    product = await services.store.update_one("products", {"_id": product_id}, {"$inc": {"salesCount": units}})
    if product is not None:
        await catalog.sync_sales(services, product)


# -- what follows a payment and a refund: steps owed with the move (domain/recovery.py) ------------------------
def _product_of(order: Doc, arg: str) -> tuple[str, str]:
    return "products", order["lines"][int(arg)]["productId"]


def _purchase_of(order: Doc, arg: str) -> tuple[str, str]:
    return "purchases", f"{order['buyerId']}>{order['lines'][int(arg)]['productId']}"


def _sales(services: Services, order: Doc, arg: str, sign: int, less: list[int] | None) -> recovery.Counter | None:
    product_id, units = steps.products(order, less).get(int(arg), ("", 0))
    if not units:
        return None

    async def sync(product: Doc) -> None:
        await catalog.sync_sales(services, product)

    return recovery.Counter("products", product_id, {"salesCount": sign * units}, then=sync)


@recovery.handles(steps.SALES, _product_of)
async def _count_sale(services: Services, order: Doc, arg: str) -> recovery.Counter | None:
    return _sales(services, order, arg, 1, None)


@recovery.handles(steps.UNSALES, _product_of)
async def _uncount_sale(services: Services, order: Doc, arg: str) -> recovery.Counter | None:
    return _sales(services, order, arg, -1, after_sale_rules.uncounted_units(order))


@recovery.handles(steps.PURCHASE, _purchase_of)
async def _purchase(services: Services, order: Doc, arg: str) -> recovery.Counter:
    """The buyer's purchase record of the product: made by the first paid order, counted by every one."""
    product_id = order["lines"][int(arg)]["productId"]
    doc_id = f"{order['buyerId']}>{product_id}"
    first = {"_id": doc_id, "userId": order["buyerId"], "productId": product_id, "orders": 1, "at": order["paidAt"]}
    return recovery.Counter("purchases", doc_id, {"orders": 1}, created=first, also={"at": order["paidAt"]})


@recovery.handles(steps.SIGNALS)
async def _signals(services: Services, order: Doc, arg: str) -> None:
    """The BOUGHT events and activity, and the products' heat: at least once (a repeat after a crash is harmless)."""
    for product_id, quantity in steps.products(order).values():
        await services.emit("bought", userId=order["buyerId"], productId=product_id, orderId=order["_id"])
        await record_activity(services, order["buyerId"], "BOUGHT", productId=product_id, orderId=order["_id"])
        await product_heat(services, product_id, SALE_HEAT * quantity)


@recovery.handles(steps.COMMISSION)
async def _commission(services: Services, order: Doc, arg: str) -> None:
    await distribution.on_order_paid(services, order)  # one row per order and level: idempotent


@recovery.handles(steps.INVITE_PAID)
async def _invite_paid(services: Services, order: Doc, arg: str) -> None:
    await invites.on_order_paid(services, order)  # moved by the invitation's state: once


@recovery.handles(steps.CART)
async def _cart(services: Services, order: Doc, arg: str) -> None:
    await cart.on_paid(services, order)  # the cart lines a checkout made it of


@recovery.handles(steps.TEAM_PAID)
async def _team_paid(services: Services, order: Doc, arg: str) -> None:
    from resolvers.teams import on_member_paid  # teams build on payments; imported here, one direction

    await on_member_paid(services, order)  # guarded by the member's `paid`


@recovery.handles(steps.POINTS_BACK)
async def _points_back(services: Services, order: Doc, arg: str) -> None:
    """Points earned taken back, points used given back, through the ledger (each once, by its key)."""
    await order_points.settle(services, order["_id"])


@recovery.handles(steps.INVITE_REFUNDED)
async def _invite_refunded(services: Services, order: Doc, arg: str) -> None:
    await invites.on_order_refunded(services, order)  # moved by the invitation's state: once


@recovery.handles(steps.COMMISSION_BACK)
async def _commission_back(services: Services, order: Doc, arg: str) -> None:
    await distribution.on_order_refunded(services, order, refunds.kept(order))  # compare-and-set per commission


@recovery.handles(steps.TEAM_REFUNDED)
async def _team_refunded(services: Services, order: Doc, arg: str) -> None:
    from resolvers.teams import on_member_refunded

    await on_member_refunded(services, order)  # guarded by the member's `refunded`


async def refund_order(services: Services, buyer_id: str, order_id: str, reason: str, key: str) -> Doc:
    """The buyer asks for what is left of their money back while the order is paid and not shipped; idempotent
    per key. Once shipped, money comes back through after-sales, with the merchant's approval."""
    refuse_problems(idempotency_key_problems(key) + rules.refund_reason_problems(reason))
    order = await buyers_order(services, order_id, buyer_id)
    if order.get("refundKey") == key:
        return order
    reason = clean(reason)
    changes = {"refundKey": key, "refundReason": reason, "refundRequestedAt": services.now()}
    for _ in range(RECORD_ATTEMPTS):
        if after_sale_rules.open_entries(order):
            raise _after_sale_open()
        # not while a request made meanwhile holds some of it for an after-sale (a compare-and-set on the record)
        unchanged = {"afterSaleVersion": order.get("afterSaleVersion")}
        refunding = await _claim_rest(services, order_id, rules.BUYER_REFUNDABLE, changes, unchanged)
        if refunding is not None:
            return await _provider_refund(services, refunding, reason)
        current = await services.store.get("orders", order_id) or order
        if current.get("refundKey") == key:
            return current  # a concurrent replay won
        if current.get("afterSaleVersion") == order.get("afterSaleVersion"):
            raise _refuse_refund(current)
        order = current  # its after-sales changed meanwhile: again, from the order as it is
    raise _refuse_refund(order)


def _after_sale_open() -> Refused:
    return Refused(
        "INVALID_STATE", "An after-sale of this order is open: cancel it, or wait for its refund", ["input", "orderId"]
    )


def _refuse_refund(order: Doc) -> Refused:
    if after_sale_rules.open_entries(order):
        return _after_sale_open()
    if order["status"] in (rules.PARTLY_SHIPPED, rules.SHIPPED, rules.COMPLETED):
        return Refused(
            "INVALID_STATE",
            "This order has shipped: ask the shop for after-sales, which refunds with the merchant's approval",
            ["input", "orderId"],
        )
    if order["status"] in rules.BUYER_REFUNDABLE:
        return Refused("INVALID_STATE", "Nothing is left to refund on this order", ["input", "orderId"])
    return refuse_move(order, rules.REFUNDING)


async def _claim_rest(
    services: Services, order_id: str, sources: frozenset[str], changes: dict[str, Any], guard: Filter | None = None
) -> Doc | None:
    """The move into REFUNDING from one of `sources`, claiming all that is left of the payment: one guarded update."""
    claimed = await refunds.claim(
        services,
        order_id,
        None,
        {**(guard or {}), "status": {"$in": sorted(sources)}},
        {**changes, "status": rules.REFUNDING},
        push={"history": {"status": rules.REFUNDING, "at": services.now()}},
    )
    if claimed is None:
        return None
    await order_desk.moved(services, claimed[0])
    await publish_status(services, claimed[0])
    return claimed[0]


async def _provider_refund(services: Services, order: Doc, reason: str) -> Doc:
    """Give the money claimed back through whoever took it; DEV_PAY refunds at once, WeChat Pay may answer later."""
    if order.get("paidWith") == "WECHAT_PAY":
        status = await refunds.ask_provider(services, order, refunds.REST, reason)
        if status != "SUCCESS":  # otherwise REFUND.SUCCESS for the ...R refund number completes it
            return await services.store.get("orders", order["_id"]) or order
    return await finish_refund(services, order)


async def finish_refund(services: Services, order: Doc) -> Doc:
    """The money is back with the buyer: REFUNDED once; the stock of units not shipped returns; sales, points
    and commission are undone."""
    await services.store.update_one("orders", {"_id": order["_id"]}, {"$unset": {refunds.REST.due: ""}})
    if order["status"] == rules.CANCELLED:  # a late payment given back: the order stays cancelled
        await services.store.update_one("orders", {"_id": order["_id"]}, {"$set": {"lateRefundedAt": services.now()}})
        return order
    # what never shipped returns to stock, and the sales are undone, less what after-sales did already; points,
    # commission and the team seat follow: steps owed with the move, which the sweep finishes after a crash
    current = await services.store.get("orders", order["_id"]) or order
    owed = steps.owing(services.now(), steps.refund_steps(current))
    done = await move(services, order["_id"], rules.REFUNDED, refundedAt=services.now(), **owed)
    if done is None:
        return await services.store.get("orders", order["_id"]) or order
    facts.order_fact(services, ev.ORDER_REFUNDED, done, "R", amount=refunds.kept(order))
    return await recovery.settle(services, done)


async def refund_system(services: Services, order: Doc, reason: str) -> Doc:
    """A refund the platform decides (a group-buy team that failed): PAID or SHIPPED -> REFUNDING -> REFUNDED,
    of all that is left."""
    changes = {"refundKey": f"system:{reason}", "refundReason": reason, "refundRequestedAt": services.now()}
    refunding = await _claim_rest(services, order["_id"], frozenset(rules.sources_of(rules.REFUNDING)), changes)
    if refunding is None:
        return await services.store.get("orders", order["_id"]) or order
    return await _provider_refund(services, refunding, reason)


async def refund_difference(services: Services, order: Doc, amount: int, reason: str) -> None:
    """Give back part of a paid order (a team closed at a lower tier): once per order, never past what is left;
    the order stays as it is."""
    claimed = await refunds.claim(
        services,
        order["_id"],
        amount,
        {"priceRefund": None},
        {"priceRefundDone": False, "priceRefundReason": reason},
        kind=refunds.DIFFERENCE,
    )
    if claimed is not None:
        await _submit_difference(services, claimed[0])


async def _submit_difference(services: Services, order: Doc) -> None:
    if order.get("paidWith") == "WECHAT_PAY":
        status = await refunds.ask_provider(services, order, refunds.DIFFERENCE, order["priceRefundReason"])
        if status != "SUCCESS":  # otherwise REFUND.SUCCESS for the ...D refund number completes it
            return
    await _difference_done(services, order["_id"])


async def _difference_done(services: Services, order_id: str) -> None:
    """The difference is back with the buyer (once): commission and points shrink to the money kept."""
    done = await services.store.update_one(
        "orders",
        {"_id": order_id, "priceRefundDone": False},
        {"$set": {"priceRefundDone": True}, "$unset": {refunds.DIFFERENCE.due: ""}},
    )
    if done is None:
        return
    facts.order_fact(services, ev.ORDER_REFUNDED, done, "D", amount=done.get("priceRefund") or 0)
    await distribution.on_order_refunded(services, done, refunds.kept(done))
    await order_points.settle(services, order_id)


async def retry_refunds(services: Services, limit: int = 100) -> int:
    """Refunds a provider did not take (it was down, or this process died before asking): ask again once due
    (the refund number makes it safe). Refunds refused for good, or past REFUND_MAX_ATTEMPTS, wait for an operator."""
    rest = await refunds.due(services, refunds.REST, limit)
    for order in rest:
        await _provider_refund(services, order, order.get("refundReason") or "退款")
    differences = await refunds.due(services, refunds.DIFFERENCE, limit)
    for order in differences:
        await _submit_difference(services, order)
    return len(rest) + len(differences)


async def handle_wechat_notification(services: Services, headers: dict[str, str], body: str) -> None:
    """POST /webhooks/wechatpay (payments, refunds, transfers): WebhookRefused (a 4xx) unless it is genuine, fresh,
    new and consistent."""
    if services.wechat_pay is None:
        raise WebhookRefused(404, "WeChat Pay is not configured")
    note = services.wechat_pay.notification(headers, body)
    if note is None:
        raise WebhookRefused(401, "signature, timestamp or encryption did not verify")
    try:  # every delivery WeChat makes is signed afresh; the same nonce twice is a replay
        await services.store.insert("webhook_nonces", {"_id": f"wechatpay:{note.nonce}", "at": services.now()})
    except DuplicateKey:
        raise WebhookRefused(409, "this notification was already delivered") from None
    try:
        await _apply_notification(services, note)
    except BaseException:
        await services.store.delete("webhook_nonces", f"wechatpay:{note.nonce}")  # let WeChat's retry through
        raise


async def _apply_notification(services: Services, note: Notification) -> None:
    if note.event_type.startswith("MCHTRANSFER."):  # a withdrawal's transfer (商家转账)
        from resolvers.payouts import apply_transfer_notification  # payouts build on payments; one direction

        await apply_transfer_notification(services, note)
        return
    resource = note.resource
    if "combine_out_trade_no" in resource:
        await _apply_combined(services, note)
        return
    number = str(resource.get("out_trade_no", ""))
    page = await services.store.find("orders", {"number": number}, limit=1)
    if not page.docs:
        raise WebhookRefused(404, f"no order {number!r}")
    order = page.docs[0]
    refund_no = str(resource.get("out_refund_no", ""))
    from resolvers import after_sale_refunds  # after-sales build on payments; imported here, one direction

    if note.event_type == "TRANSACTION.SUCCESS" and resource.get("trade_state") == "SUCCESS":
        amount = resource.get("amount") or {}
        await mark_paid(
            services, order, int(amount.get("total", -1)), str(resource.get("transaction_id")), "WECHAT_PAY"
        )
    elif note.event_type.startswith("REFUND.") and after_sale_refunds.is_after_sale_refund(refund_no):
        outcome = str(resource.get("refund_status") or note.event_type)
        if note.event_type == "REFUND.SUCCESS" and outcome != "SUCCESS":
            log.info("wechat pay notification %s (%s, %s) needs no action", note.id, note.event_type, outcome)
        else:
            await after_sale_refunds.on_notification(services, refund_no, outcome)
    elif note.event_type == "REFUND.SUCCESS" and resource.get("refund_status") == "SUCCESS":
        if refund_no.endswith("D"):  # a team's price difference, not the order
            await _difference_done(services, order["_id"])
        else:
            await finish_refund(services, order)
    elif note.event_type in ("REFUND.ABNORMAL", "REFUND.CLOSED"):  # it will not be made: an operator sees to it
        kind = refunds.DIFFERENCE if refund_no.endswith("D") else refunds.REST
        outcome = str(resource.get("refund_status") or note.event_type)
        await services.store.update_one("orders", {"_id": order["_id"]}, {"$set": {kind.failed: outcome}})
        log.error(
            "refund %s of order %s was not made (%s): an operator must see to it", kind.suffix, order["_id"], outcome
        )
    else:
        log.info("wechat pay notification %s (%s) needs no action", note.id, note.event_type)


async def _apply_combined(services: Services, note: Notification) -> None:
    """A combined payment (合单支付) succeeded: each of its sub-orders is an order paid like a single payment (PAID
    once, whatever the deliveries). Every sub-order is checked before any is marked, so a notification naming an
    unknown order or a wrong amount changes nothing."""
    if note.event_type != "TRANSACTION.SUCCESS":
        log.info("wechat pay combined notification %s (%s) needs no action", note.id, note.event_type)
        return
    paid = []
    for sub in note.resource.get("sub_orders") or []:
        if sub.get("trade_state") != "SUCCESS":
            continue
        number = str(sub.get("out_trade_no", ""))
        page = await services.store.find("orders", {"number": number}, limit=1)
        if not page.docs:
            raise WebhookRefused(404, f"no order {number!r}")
        amount = int((sub.get("amount") or {}).get("total_amount", -1))
        if amount != page.docs[0]["total"]:
            raise WebhookRefused(400, f"paid {amount} for order {number} of {page.docs[0]['total']}")
        paid.append((page.docs[0], amount, str(sub.get("transaction_id"))))
    for order, amount, transaction_id in paid:
        await mark_paid(services, order, amount, transaction_id, "WECHAT_PAY")

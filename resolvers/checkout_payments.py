"""payCheckout: every order of a checkout still waiting for payment, paid at once. DEV_PAY (dev mode) pays them
now; WECHAT_PAY is one combined payment (合单支付) whose sub-orders are the orders, each its own trade: the combined
notification marks each one PAID like a single payment's (resolvers/payments.py), and each is refunded on its own.

The combined payment's number (combine_out_trade_no) is the checkout's; asking again (another key) prepays the same
number, which WeChat Pay accepts while the sub-orders are the same ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson

from domain import orders as order_rules
from domain.catalog import idempotency_key_problems
from integrations.wechat_pay import PaymentError
from resolvers import checkout as checkout_uc
from resolvers.errors import Refused, refuse_problems
from resolvers.payments import METHOD_FIELD, description, record_payment, wechat_payer
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
FIELD = ["input", "checkoutId"]


@dataclass
class CheckoutPayment:
    checkout: Doc
    method: str
    client_params: str


async def pay_checkout(services: Services, buyer_id: str, checkout_id: str, method: str, key: str) -> CheckoutPayment:
    refuse_problems(idempotency_key_problems(key))
    store = services.store
    checkout = await checkout_uc.buyers_checkout(services, checkout_id, buyer_id)
    attempt_id = f"checkout:{checkout_id}:{key}"
    earlier = await store.get("payment_attempts", attempt_id)
    if earlier is not None:  # a replay: the first answer
        return CheckoutPayment(checkout, earlier["method"], earlier["clientParams"])
    found = await store.get_many("orders", checkout["orderIds"])
    waiting = [
        found[i] for i in checkout["orderIds"] if i in found and found[i]["status"] == order_rules.PENDING_PAYMENT
    ]
    if not waiting:
        raise Refused("INVALID_STATE", "No order of this checkout is waiting for payment", FIELD)
    if min(o["payBy"] for o in waiting) < services.now():
        raise Refused("INVALID_STATE", "This checkout was not paid in time", FIELD)
    if method == "DEV_PAY" and not services.settings.dev_mode:
        raise Refused("FORBIDDEN", "DEV_PAY exists in dev mode only", METHOD_FIELD)
    attempt = {
        "_id": attempt_id,
        "checkoutId": checkout_id,
        "method": method,
        "clientParams": "{}",
        "at": services.now(),
    }
    try:
        await store.insert("payment_attempts", attempt)
    except DuplicateKey:
        raise Refused("CONFLICT", "This payment is already being made", ["input", "idempotencyKey"]) from None
    try:
        if method == "DEV_PAY":
            await _dev_pay(services, checkout, waiting)
            return CheckoutPayment(checkout, method, "{}")
        params = await _combine_prepay(services, checkout, waiting)
    except BaseException:
        await store.delete("payment_attempts", attempt_id)
        raise
    client_params = orjson.dumps(params).decode()
    await store.update_one("payment_attempts", {"_id": attempt_id}, {"$set": {"clientParams": client_params}})
    return CheckoutPayment(checkout, method, client_params)


async def _dev_pay(services: Services, checkout: Doc, waiting: list[Doc]) -> None:
    paid = 0
    for order in waiting:
        if await record_payment(services, order, f"dev-{order['number']}", "DEV_PAY") is not None:
            paid += 1
    if not paid:  # concurrent payments with other keys paid (or cancelled) them all
        raise Refused("INVALID_STATE", "No order of this checkout is waiting for payment", FIELD)


async def _combine_prepay(services: Services, checkout: Doc, waiting: list[Doc]) -> dict[str, str]:
    pay, openid = await wechat_payer(services, checkout["buyerId"])
    sub_orders = [(o["number"], description(o), o["total"]) for o in waiting]
    try:
        return await pay.combine_prepay(checkout["number"], sub_orders, openid, min(o["payBy"] for o in waiting))
    except PaymentError as exc:
        log.warning("combined prepay failed for checkout %s: %s", checkout["_id"], exc)
        raise Refused("PAYMENT_FAILED", "WeChat Pay did not accept this payment; try again", METHOD_FIELD) from None

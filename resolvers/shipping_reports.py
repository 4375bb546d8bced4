"""Reporting shipments to WeChat's shipping information (integrations/wechat_shipping.py), for orders paid through
WeChat Pay while WeChat is configured. A report never fails nor undoes a shipment: what WeChat did not take is
uploaded again by the sweep, with a backoff, up to WECHAT_SHIPPING_MAX_ATTEMPTS times.

The order keeps `wechatReported` (how many of its packages, in order, are dealt with), `wechatReportDue` (when to
upload the others; the sweep's index), `wechatReportAttempts`, `wechatReportFailed` (why it gave up),
`wechatUploadedAt` (the last upload_time) and `wechatReportLease`. Uploads go in package order, each package once:
the one process holding the lease (taken by a guarded update) uploads every package not dealt with yet, so a later
package never reaches WeChat before an earlier one, and two processes never upload the same one.
"""

from __future__ import annotations

import logging
from typing import Any

from domain import carriers
from domain import shipments as rules
from domain.addresses import masked
from domain.refunds import retry_delay_ms
from integrations.wechat_shipping import ReportedPackage, ShippingReport
from integrations.wechat_token import WechatApiError
from resolvers.services import Services
from store.protocol import Doc

log = logging.getLogger(__name__)
LEASE_MS = 60_000  # longer than an upload may take (a token and two requests of 5 s at most)
ROUNDS = 3  # uploads one call makes while packages keep arriving during them; the sweep takes the rest
GAVE_UP = "GAVE_UP"
# Set with an order's first package when it is to be reported.
START = {"wechatReported": 0, "wechatReportLease": 0}


def reportable(services: Services, order: Doc) -> bool:
    return (
        services.wechat_shipping is not None
        and order.get("paidWith") == "WECHAT_PAY"
        and bool(order.get("transactionId"))
    )


async def report_safely(services: Services, order_id: str) -> None:
    """report(), for shipOrder: whatever happens, the shipment stands (the sweep tries again)."""
    try:
        await report(services, order_id)
    except Exception:
        log.exception("shipping report of order %s failed unexpectedly; the sweep tries again", order_id)


async def report(services: Services, order_id: str) -> None:
    """Upload the order's packages WeChat does not have yet, if they are due and nobody else is at it."""
    if services.wechat_shipping is None:
        return
    for _ in range(ROUNDS):
        now = services.now()
        order = await services.store.update_one(
            "orders",
            {"_id": order_id, "wechatReportDue": {"$lte": now}, "wechatReportLease": {"$lt": now}},
            {"$set": {"wechatReportLease": now + LEASE_MS}},
        )
        if order is None or not await _upload(services, order):
            return


async def _upload(services: Services, order: Doc) -> bool:
    """Upload the packages not dealt with; True when they are (and another round may find new ones)."""
    assert services.wechat_shipping is not None
    start, shipments = order["wechatReported"], order["shipments"]
    tracked = [s for s in shipments[start:] if s.get("trackingNumber")]  # untracked ones cannot be reported
    done: dict[str, Any] = {"wechatReported": len(shipments), "wechatReportAttempts": 0}
    try:
        if tracked:
            sent = await _report(services, order, tracked)
            await services.wechat_shipping.upload(sent)
            done["wechatUploadedAt"] = sent.upload_ms
    except WechatApiError as exc:
        await _failed(services, order, exc)
        return False
    await _release(services, order, done, {"wechatReportFailed": ""}, finished=True)
    return True


async def _report(services: Services, order: Doc, tracked: list[Doc]) -> ShippingReport:
    buyer = await services.store.get("users", order["buyerId"]) or {}
    if not buyer.get("openid"):
        raise WechatApiError("the buyer has no WeChat openid", retryable=False)
    phone = (order.get("shippingAddress") or {}).get("phone")
    contact = masked(phone) if phone else None
    if contact is None and any(s["carrier"] in carriers.CONTACT_REQUIRED for s in tracked):
        raise WechatApiError("WeChat needs the receiver's phone for this carrier; the order has none", retryable=False)
    packages = tuple(
        ReportedPackage(s["trackingNumber"], s["carrier"], rules.item_desc(order["lines"], s), contact) for s in tracked
    )
    pending = len(order["shipments"]) - order["wechatReported"]
    all_delivered = not any(rules.left(order)) and len(tracked) == pending
    unified = order["wechatReported"] == 0 and len(order["shipments"]) == 1 and all_delivered
    # WeChat orders a payment's uploads by upload_time and takes a later one only: never the same millisecond twice
    at = max(services.now(), int(order.get("wechatUploadedAt", 0)) + 1)
    return ShippingReport(order["transactionId"], buyer["openid"], packages, not unified, all_delivered, at)


async def _failed(services: Services, order: Doc, exc: WechatApiError) -> None:
    attempts = int(order.get("wechatReportAttempts", 0)) + 1
    if exc.retryable and attempts < services.settings.WECHAT_SHIPPING_MAX_ATTEMPTS:
        delay = retry_delay_ms(attempts)
        log.warning("shipping report of order %s failed (again in %d s): %s", order["_id"], delay // 1000, exc)
        due = {"wechatReportAttempts": attempts, "wechatReportDue": services.now() + delay}
        await _release(services, order, due, {})
        return
    failed = GAVE_UP if exc.retryable else str(exc.errcode or "REFUSED")
    log.error("shipping report of order %s failed for good (%s), to be entered by hand: %s", order["_id"], failed, exc)
    gave_up = {"wechatReportAttempts": attempts, "wechatReportFailed": failed}
    await _release(services, order, gave_up, {}, finished=True)


async def _release(
    services: Services, order: Doc, sets: dict[str, Any], unsets: dict[str, Any], *, finished: bool = False
) -> None:
    """Give the lease back with `sets`. `finished`: nothing is due any more, unless a package was added meanwhile
    (its shipOrder set the due time, which stays)."""
    held = {"_id": order["_id"], "wechatReportLease": order["wechatReportLease"]}
    update: dict[str, Any] = {"$set": {**sets, "wechatReportLease": 0}}
    if finished:
        guard = {**held, "shipmentCount": order["shipmentCount"]}
        changed = {**update, "$unset": {**unsets, "wechatReportDue": ""}}
        if await services.store.update_one("orders", guard, changed) is not None:
            return
    if unsets:
        update["$unset"] = unsets
    await services.store.update_one("orders", held, update)


async def retry_due(services: Services, limit: int = 100) -> int:
    """Upload again what WeChat did not take, once due (the sweep); how many orders were tried."""
    if services.wechat_shipping is None:
        return 0
    page = await services.store.find(
        "orders", {"wechatReportDue": {"$lte": services.now()}}, sort="wechatReportDue", limit=limit
    )
    for order in page.docs:
        await report_safely(services, order["_id"])
    return len(page.docs)

"""The one way money leaves an order: `claim` takes a refund out of what is left of the order's payment by a guarded
update of its `refunded` amount (domain/refunds.py decides how much), so two refunds racing cannot both pass and
all of an order's refunds never add up to more than it was paid. Then asking WeChat Pay for it, again later when it
could not take it (with a backoff, a bounded number of times), never again when it refused for good; and the
points of a completed order, which follow the money it keeps."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from domain import orders as order_rules
from domain import refunds as rules
from integrations.wechat_pay import PaymentError
from resolvers.services import Services
from store.protocol import Doc, Filter

log = logging.getLogger(__name__)
CLAIM_ATTEMPTS = 20  # lost races on `refunded` before giving up (each loss means another refund moved it)
GAVE_UP = "GAVE_UP"


@dataclass(frozen=True)
class Kind:
    """One of the two refunds an order may have: the rest of it (R) or a team's price difference (D). Each has
    its WeChat Pay refund number suffix and the order fields that track it."""

    suffix: str
    amount: str
    submitted: str
    due: str
    attempts: str
    failed: str


REST = Kind("R", "refundAmount", "refundSubmitted", "refundDue", "refundAttempts", "refundFailed")
DIFFERENCE = Kind(
    "D", "priceRefund", "priceRefundSubmitted", "priceRefundDue", "priceRefundAttempts", "priceRefundFailed"
)


async def claim(
    services: Services,
    order_id: str,
    asked: int | None,
    guard: Filter,
    changes: dict[str, Any],
    *,
    kind: Kind = REST,
    push: dict[str, Any] | None = None,
) -> tuple[Doc, int] | None:
    """Take a refund of `asked` fen (None: all that is left) out of the order, together with `changes`, while
    `guard` holds: (the order after, the amount), or None when the guard does not hold or nothing fits."""
    store = services.store
    for _ in range(CLAIM_ATTEMPTS):
        order = await store.get("orders", order_id)
        if order is None:
            return None
        before = order.get("refunded")
        amount = rules.take(order["total"], before or 0, asked)
        if amount == 0:
            return None
        update: dict[str, Any] = {
            "$set": {
                **changes,
                "refunded": (before or 0) + amount,
                kind.amount: amount,
                kind.due: services.now() + rules.RETRY_FIRST_MS,  # the sweep takes over if this request dies
            }
        }
        if push:
            update["$push"] = push
        claimed = await store.update_one("orders", {**guard, "_id": order_id, "refunded": before}, update)
        if claimed is not None:
            return claimed, amount
        current = await store.get("orders", order_id)
        if current is None or current.get("refunded") == before:
            return None  # the guard failed, not the race on `refunded`
    raise LookupError(f"order {order_id}: {CLAIM_ATTEMPTS} refunds raced; none could be claimed")


async def ask_provider(services: Services, order: Doc, kind: Kind, reason: str) -> str | None:
    """Ask WeChat Pay for the order's refund of this kind: its status, or None when it did not take it (the
    failure is recorded: asked again after a delay, or never when it cannot succeed)."""
    if services.wechat_pay is None:
        await _failed(services, order, kind, PaymentError("WeChat Pay is not configured (WECHAT_PAY_MCH_ID)"))
        return None
    try:
        status = await services.wechat_pay.refund(
            order["number"], f"{order['number']}{kind.suffix}", order[kind.amount], order["total"], reason
        )
    except PaymentError as exc:
        await _failed(services, order, kind, exc)
        return None
    await services.store.update_one(
        "orders", {"_id": order["_id"]}, {"$set": {kind.submitted: True}, "$unset": {kind.due: ""}}
    )
    return status


async def _failed(services: Services, order: Doc, kind: Kind, exc: PaymentError) -> None:
    store = services.store
    counted = await store.update_one("orders", {"_id": order["_id"]}, {"$inc": {kind.attempts: 1}})
    attempts = int((counted or {}).get(kind.attempts, 1))
    if exc.retryable and attempts < services.settings.REFUND_MAX_ATTEMPTS:
        delay = rules.retry_delay_ms(attempts)
        await store.update_one("orders", {"_id": order["_id"]}, {"$set": {kind.due: services.now() + delay}})
        log.warning(
            "refund %s of order %s failed (asked again in %d s): %s", kind.suffix, order["_id"], delay // 1000, exc
        )
        return None
    failed = GAVE_UP if exc.retryable else (exc.code or "REFUSED")
    await store.update_one("orders", {"_id": order["_id"]}, {"$set": {kind.failed: failed}, "$unset": {kind.due: ""}})
    log.error(
        "refund %s of order %s failed for good (%s), an operator must see to it: %s",
        kind.suffix,
        order["_id"],
        failed,
        exc,
    )
    return None


async def due(services: Services, kind: Kind, limit: int) -> list[Doc]:
    """Orders whose refund of this kind is to be asked for (again) now, the longest waiting first."""
    page = await services.store.find("orders", {kind.due: {"$lte": services.now()}}, sort=kind.due, limit=limit)
    return page.docs


def kept(order: Doc) -> int:
    """What the order keeps of its payment once the refunds that are done are counted."""
    if order["status"] == order_rules.REFUNDED:
        return 0
    back = (order.get("priceRefund") or 0) if order.get("priceRefundDone") else 0
    return rules.left(order["total"], back)


async def grant_points(services: Services, order_id: str) -> None:
    """A completed order's points are those of the money it keeps: granted once it completes, taken back in part
    when a difference comes back afterwards. A compare-and-set on what was granted moves them once."""
    store = services.store
    for _ in range(CLAIM_ATTEMPTS):
        order = await store.get("orders", order_id)
        if order is None or order["status"] != order_rules.COMPLETED:
            return
        granted = order.get("pointsGranted")
        owed = order_rules.points_earned(kept(order))
        if granted is not None:
            owed = granted - rules.points_back(granted, kept(order))
        if owed == granted:
            return
        guard = {"_id": order_id, "pointsGranted": granted, "priceRefundDone": order.get("priceRefundDone")}
        if await store.update_one("orders", guard, {"$set": {"pointsGranted": owed}}) is not None:
            await store.update_one("users", {"_id": order["buyerId"]}, {"$inc": {"points": owed - (granted or 0)}})
            return

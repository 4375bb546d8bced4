"""The one way money leaves an order: `claim` takes a refund out of what is left of the order's payment by a guarded
update of its `refunded` amount (domain/refunds.py decides how much), so two refunds racing cannot both pass and
all of an order's refunds never add up to more than it was paid. Then asking WeChat Pay for it, again later when it
could not take it (with a backoff, a bounded number of times), never again when it refused for good; and `kept`,
what the order keeps. An after-sale's refund is one more of these: claimed
here like the others, its asking tracked on the after-sale instead of the order (an order may have several). The
points that follow the money are resolvers/order_points.py's."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from domain import after_sales as after_sale_rules
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
    """A kind of refund: the rest of an order (R), a team's price difference (D), an after-sale's (A). Each has
    its WeChat Pay refund number suffix and the fields that track it, on the order or (`collection`) on the
    document the refund is for; that document's `refundNo`, when it has one, is its WeChat Pay refund number."""

    suffix: str
    amount: str
    submitted: str
    due: str
    attempts: str
    failed: str
    collection: str = "orders"


REST = Kind("R", "refundAmount", "refundSubmitted", "refundDue", "refundAttempts", "refundFailed")
DIFFERENCE = Kind(
    "D", "priceRefund", "priceRefundSubmitted", "priceRefundDue", "priceRefundAttempts", "priceRefundFailed"
)
AFTER_SALE = Kind(
    "A", "refundAmount", "refundSubmitted", "refundDue", "refundAttempts", "refundFailed", collection="after_sales"
)


async def claim(
    services: Services,
    order_id: str,
    asked: int | None,
    guard: Filter,
    changes: dict[str, Any],
    *,
    kind: Kind | None = REST,
    push: dict[str, Any] | None = None,
) -> tuple[Doc, int] | None:
    """Take a refund of `asked` fen (None: all that is left) out of the order, together with `changes`, while
    `guard` holds: (the order after, the amount), or None when the guard does not hold or nothing fits. With
    `kind` None the caller tracks the asking (an after-sale's refund, on the after-sale, already due)."""
    store = services.store
    for _ in range(CLAIM_ATTEMPTS):
        order = await store.get("orders", order_id)
        if order is None:
            return None
        before = order.get("refunded")
        amount = rules.take(order["total"], before or 0, asked)
        if amount == 0:
            return None
        tracking: dict[str, Any] = {}
        if kind is not None:  # due at once: the sweep takes over if this request dies
            tracking = {kind.amount: amount, kind.due: services.now() + rules.RETRY_FIRST_MS}
        update: dict[str, Any] = {"$set": {**changes, "refunded": (before or 0) + amount, **tracking}}
        if push:
            update["$push"] = push
        claimed = await store.update_one("orders", {**guard, "_id": order_id, "refunded": before}, update)
        if claimed is not None:
            return claimed, amount
        current = await store.get("orders", order_id)
        if current is None or current.get("refunded") == before:
            return None  # the guard failed, not the race on `refunded`
    raise LookupError(f"order {order_id}: {CLAIM_ATTEMPTS} refunds raced; none could be claimed")


async def ask_provider(
    services: Services, order: Doc, kind: Kind, reason: str, holder: Doc | None = None
) -> str | None:
    """Ask WeChat Pay for the order's refund of this kind, tracked on `holder` (the order unless given): its
    status, or None when it did not take it (the failure is recorded: asked again after a delay, or never when it
    cannot succeed)."""
    holder = order if holder is None else holder
    if services.wechat_pay is None:
        await _failed(services, holder, kind, PaymentError("WeChat Pay is not configured (WECHAT_PAY_MCH_ID)"))
        return None
    refund_no = holder.get("refundNo") or f"{order['number']}{kind.suffix}"
    try:
        status = await services.wechat_pay.refund(
            order["number"], refund_no, holder[kind.amount], order["total"], reason
        )
    except PaymentError as exc:
        await _failed(services, holder, kind, exc)
        return None
    await services.store.update_one(
        kind.collection, {"_id": holder["_id"]}, {"$set": {kind.submitted: True}, "$unset": {kind.due: ""}}
    )
    return status


async def _failed(services: Services, holder: Doc, kind: Kind, exc: PaymentError) -> None:
    store, where = services.store, {"_id": holder["_id"]}
    counted = await store.update_one(kind.collection, where, {"$inc": {kind.attempts: 1}})
    attempts = int((counted or {}).get(kind.attempts, 1))
    if exc.retryable and attempts < services.settings.REFUND_MAX_ATTEMPTS:
        delay = rules.retry_delay_ms(attempts)
        await store.update_one(kind.collection, where, {"$set": {kind.due: services.now() + delay}})
        log.warning(
            "refund %s of %s %s failed (asked again in %d s): %s",
            kind.suffix,
            kind.collection,
            holder["_id"],
            delay // 1000,
            exc,
        )
        return None
    failed = GAVE_UP if exc.retryable else (exc.code or "REFUSED")
    await store.update_one(kind.collection, where, {"$set": {kind.failed: failed}, "$unset": {kind.due: ""}})
    log.error(
        "refund %s of %s %s failed for good (%s), an operator must see to it: %s",
        kind.suffix,
        kind.collection,
        holder["_id"],
        failed,
        exc,
    )
    return None


async def due(services: Services, kind: Kind, limit: int) -> list[Doc]:
    """Orders (or after-sales) whose refund of this kind is to be asked for (again) now, the longest waiting first."""
    where = {kind.due: {"$lte": services.now()}}
    page = await services.store.find(kind.collection, where, sort=kind.due, limit=limit)
    return page.docs


def kept(order: Doc) -> int:
    """What the order keeps of its payment once the refunds that are done are counted."""
    if order["status"] == order_rules.REFUNDED:
        return 0
    back = (order.get("priceRefund") or 0) if order.get("priceRefundDone") else 0
    return rules.left(order["total"], back + after_sale_rules.refunded_amount(order))

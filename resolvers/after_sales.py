"""After-sales (售后): a buyer's request for money back on some units of a paid order, the shop's answer, the goods
sent back, and the sweep that approves requests left unanswered and finishes steps a crash left undone. The refund
itself is resolvers/after_sale_refunds.py's; the rules and the state machine are domain/after_sales.py's.

Two compare-and-sets carry everything: an after-sale's status (`move`), and the order's record of its after-sales
(`change_record`, on `afterSaleVersion`), which reserves a request's units and money so that two requests can never
both take the same units, nor together more than the order was paid."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from domain import after_sales as rules
from domain import events as ev
from domain import order_desk as desk_rules
from domain import refunds as refund_rules
from domain import teams as team_rules
from domain.catalog import idempotency_key_problems
from domain.text import clean
from resolvers import events as facts
from resolvers import order_desk, orders, staff
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

log = logging.getLogger(__name__)
ORDER_FIELD = ["input", "orderId"]
AFTER_SALE_FIELD = ["input", "afterSaleId"]
STALE_MS = 60_000  # a step that should have followed a move this long ago was left by a process that died
RECORD_ATTEMPTS = 50  # lost races on an order's record before giving up (each loss is another request's change)
REPLAY_WAIT_SECONDS = 5.0
LIST_MAX = 100


# -- the two compare-and-sets ------------------------------------------------------------------------------
async def move(services: Services, after_sale_id: str, target: str, **changes: Any) -> Doc | None:
    """Compare-and-set the after-sale into `target` from any status allowed to reach it; None when it was not
    there. A move that a further step must follow is marked for the sweep (`repairAt`) until that step is done."""
    now = services.now()
    sets: dict[str, Any] = {"status": target, "updatedAt": now, **changes}
    unset = {"repairAt": ""}
    if target in rules.PASSED_THROUGH or target in (rules.REJECTED, rules.CANCELLED):  # units to let go of
        sets["repairAt"] = now + STALE_MS
        unset = {}
    if target == rules.REFUNDING:  # the sweep asks again if this request dies before the refund is made
        sets["refundDue"] = now + refund_rules.RETRY_FIRST_MS
    if target == rules.REFUNDED:
        unset["refundDue"] = ""
    update: dict[str, Any] = {"$set": sets, "$push": {"history": {"status": target, "at": now}}}
    if unset:
        update["$unset"] = unset
    moved = await services.store.update_one(
        "after_sales", {"_id": after_sale_id, "status": {"$in": rules.sources_of(target)}}, update
    )
    if moved is not None:
        await services.backends.bus.publish(f"afterSale:{after_sale_id}", {"status": target})
    return moved


async def change_record(
    services: Services,
    order_id: str,
    change: Callable[[Doc], list[Doc] | None],
    statuses: frozenset[str] | None = None,
) -> Doc | None:
    """Set the order's after-sales record to `change(order)` (None: nothing to change; it may raise Refused) by a
    compare-and-set on its version (and on its status being one of `statuses`), again from the order as it is
    whenever that did not hold: the order after, or None when there was nothing to change."""
    store = services.store
    for _ in range(RECORD_ATTEMPTS):
        order = await store.get("orders", order_id)
        if order is None:
            return None
        record = change(order)
        if record is None:
            return None
        version = order.get("afterSaleVersion")
        guard: dict[str, Any] = {"_id": order_id, "afterSaleVersion": version}
        if statuses is not None:
            guard["status"] = {"$in": sorted(statuses)}
        updated = await store.update_one(
            "orders", guard, {"$set": {"afterSales": record, "afterSaleVersion": (version or 0) + 1}}
        )
        if updated is not None:
            return updated
    raise Refused("CONFLICT", "This order's after-sales are busy; try again", ORDER_FIELD)


async def tell_desk(services: Services, doc: Doc, kind: str) -> None:
    """The shop's live order desks (shopOrderEvents) hear of a new request and of one the sweep approved."""
    await order_desk.publish_shop_event(
        services, doc["shopId"], kind, order_id=doc["orderId"], after_sale_id=doc["_id"]
    )


def refuse_move(doc: Doc, target: str) -> Refused:
    return Refused("INVALID_STATE", f"An after-sale that is {doc['status']} cannot become {target}", AFTER_SALE_FIELD)


# -- the buyer's request -----------------------------------------------------------------------------------
async def request(
    services: Services,
    buyer_id: str,
    order_id: str,
    kind: str,
    requested: list[tuple[int, int]],
    reason: str,
    photos: list[str],
    amount: int | None,
    key: str,
) -> Doc:
    """A request for `requested` (line index, units) of the buyer's order, for `amount` fen (None: the most those
    units may bring back); replaying the key returns the first request."""
    refuse_problems(idempotency_key_problems(key))
    replay = await _by_key(services, buyer_id, key)
    if replay is not None:
        return replay
    order = await orders.buyers_order(services, order_id, buyer_id)
    if order.get("teamId"):
        team = await services.store.get("teams", order["teamId"])
        if team is None or team["status"] != team_rules.SUCCEEDED:
            raise Refused(
                "INVALID_STATE",
                "A group-buy order has after-sales once its team succeeded; until then refundOrder gives all of it"
                " back and frees the seat",
                ORDER_FIELD,
            )
    doc_id = new_id()
    entry: dict[str, Any] = {}

    def with_request(current: Doc) -> list[Doc]:  # checked again on the order as it is at each attempt
        refusal = rules.window_refusal(current, services.now(), services.settings.AFTER_SALE_DAYS)
        if refusal:
            raise Refused("INVALID_STATE", refusal, ORDER_FIELD)
        refuse_problems(rules.request_problems(current, kind, requested, reason, photos))
        most = rules.most_refundable(current, requested)
        refuse_problems(rules.amount_problems(amount, most))
        entry.update(rules.new_entry(doc_id, kind, current, requested, most if amount is None else amount))
        return [*rules.entries(current), entry]

    with_request(order)  # refused before anything is written
    now = services.now()
    doc = {
        "_id": doc_id,
        "orderId": order_id,
        "orderNumber": order["number"],
        "shopId": order["shopId"],
        "buyerId": buyer_id,
        "kind": kind,
        "lines": [{"lineIndex": i, "quantity": q} for i, q in requested],
        "reason": clean(reason),
        "photos": photos,
        "askedAmount": amount,
        "status": rules.OPENING,
        "idempotencyKey": key,
        "refundNo": f"{order['number']}{_refund_suffix(doc_id)}",
        "createdAt": now,
        "repairAt": now + STALE_MS,  # a process that dies before it is REQUESTED leaves it to the sweep
        "history": [],
    }
    try:
        await services.store.insert("after_sales", doc)
    except DuplicateKey:
        replay = await _by_key(services, buyer_id, key)
        if replay is not None:
            return replay
        raise Refused(
            "CONFLICT", "A request with this key failed meanwhile; try again", ["input", "idempotencyKey"]
        ) from None
    try:
        await change_record(services, order_id, with_request, rules.ORDER_REQUESTABLE)
    except BaseException:
        with contextlib.suppress(Exception):
            await services.store.delete("after_sales", doc_id)  # it holds nothing: forget it, and so its key
        raise
    opened = await _opened(services, doc_id, entry)
    if opened is None:
        raise LookupError(f"after-sale {doc_id} left OPENING unexpectedly")
    return opened


def _refund_suffix(doc_id: str) -> str:
    """WeChat Pay's refund number of an after-sale: the order's number, `A`, the after-sale's id (64 at most)."""
    return f"A{doc_id}"


async def _opened(services: Services, doc_id: str, entry: Doc) -> Doc | None:
    """OPENING -> REQUESTED once its units are on the order's record, with the amount and lines it holds."""
    opened = await move(
        services, doc_id, rules.REQUESTED, requestedAt=services.now(), amount=entry["amount"], lines=entry["lines"]
    )
    if opened is not None:
        await tell_desk(services, opened, desk_rules.AFTER_SALE_REQUESTED)
        facts.record(
            services,
            ev.AFTER_SALE_OPENED,
            user_id=opened.get("buyerId"),
            shop_id=opened.get("shopId"),
            key=doc_id,
            afterSaleId=doc_id,
            orderId=opened.get("orderId"),
            amount=entry["amount"],
        )
    return opened


async def _by_key(services: Services, buyer_id: str, key: str) -> Doc | None:
    """The request a buyer's key already made (a concurrent first call is awaited while it is OPENING)."""
    deadline = asyncio.get_running_loop().time() + REPLAY_WAIT_SECONDS
    while True:
        page = await services.store.find("after_sales", {"buyerId": buyer_id, "idempotencyKey": key}, limit=1)
        if not page.docs:
            return None
        if page.docs[0]["status"] != rules.OPENING:
            return page.docs[0]
        if asyncio.get_running_loop().time() > deadline:
            raise Refused(
                "CONFLICT", "A request with this key is still being made; try again", ["input", "idempotencyKey"]
            )
        await asyncio.sleep(0.02)


async def _release(services: Services, doc: Doc) -> Doc:
    """A rejected or cancelled request lets go of its units on the order's record; then the sweep forgets it."""
    await change_record(
        services,
        doc["orderId"],
        lambda order: rules.without(order, doc["_id"]) if _holds(order, doc["_id"]) else None,
    )
    done = await services.store.update_one("after_sales", {"_id": doc["_id"]}, {"$unset": {"repairAt": ""}})
    return done or doc


def _holds(order: Doc, after_sale_id: str) -> bool:
    entry = rules.entry_of(order, after_sale_id)
    return entry is not None and entry["state"] == rules.HELD


# -- who acts on one ---------------------------------------------------------------------------------------
async def buyers_after_sale(services: Services, after_sale_id: str, buyer_id: str) -> Doc:
    doc = await services.store.get("after_sales", after_sale_id)
    if doc is None or doc["buyerId"] != buyer_id or doc["status"] == rules.OPENING:
        raise Refused("NOT_FOUND", "No such after-sale of yours", AFTER_SALE_FIELD)
    return doc


async def shops_after_sale(services: Services, after_sale_id: str) -> Doc:
    """An after-sale for its shop's staff (who may act on it is the mutation's `staff=` declaration)."""
    doc = await services.store.get("after_sales", after_sale_id)
    if doc is None or doc["status"] == rules.OPENING:
        raise Refused("NOT_FOUND", "No such after-sale", AFTER_SALE_FIELD)
    return doc


async def cancel(services: Services, buyer_id: str, after_sale_id: str) -> Doc:
    """The buyer withdraws a request before it is approved, or a return they decided not to send."""
    doc = await buyers_after_sale(services, after_sale_id, buyer_id)
    cancelled = await move(services, after_sale_id, rules.CANCELLED, cancelledAt=services.now())
    if cancelled is None:
        raise refuse_move(doc, rules.CANCELLED)
    return await _release(services, cancelled)


async def approve(services: Services, staff_id: str | None, after_sale_id: str) -> Doc:
    """The shop says yes (staff_id None: the sweep, for a request left unanswered): a refund-only is refunded at
    once, a return waits for the goods. Of racing approvals exactly one moves it."""
    doc = await shops_after_sale(services, after_sale_id)
    approved = await move(
        services,
        after_sale_id,
        rules.APPROVED,
        approvedAt=services.now(),
        approvedBy=staff_id,
        autoApproved=not staff_id,
    )
    if approved is None:
        raise refuse_move(doc, rules.APPROVED)
    return await advance(services, approved)


async def reject(services: Services, staff_id: str, after_sale_id: str, reason: str) -> Doc:
    refuse_problems(rules.reject_reason_problems(reason))
    doc = await shops_after_sale(services, after_sale_id)
    rejected = await move(
        services,
        after_sale_id,
        rules.REJECTED,
        rejectedAt=services.now(),
        rejectedBy=staff_id,
        rejectReason=clean(reason),
    )
    if rejected is None:
        raise refuse_move(doc, rules.REJECTED)
    return await _release(services, rejected)


async def ship_return(services: Services, buyer_id: str, after_sale_id: str, carrier: str, tracking: str) -> Doc:
    refuse_problems(rules.return_problems(carrier, tracking))
    doc = await buyers_after_sale(services, after_sale_id, buyer_id)
    shipment = {"carrier": clean(carrier), "trackingNumber": tracking.strip(), "shippedAt": services.now()}
    shipped = await move(services, after_sale_id, rules.RETURN_SHIPPED, returnShipment=shipment)
    if shipped is None:
        raise refuse_move(doc, rules.RETURN_SHIPPED)
    return shipped


async def confirm_return_received(services: Services, staff_id: str, after_sale_id: str) -> Doc:
    """The goods are back at the shop: they return to stock (once, with the move), then the refund is made."""
    doc = await shops_after_sale(services, after_sale_id)
    received = await move(
        services, after_sale_id, rules.RETURN_RECEIVED, receivedAt=services.now(), receivedBy=staff_id
    )
    if received is None:
        raise refuse_move(doc, rules.RETURN_RECEIVED)
    order = await services.store.get("orders", received["orderId"]) or {"lines": []}
    # Should this process die right here the goods stay out of stock: better a unit unsold than one sold twice.
    await orders.return_stock(
        services, [{**order["lines"][ln["lineIndex"]], "quantity": ln["quantity"]} for ln in received["lines"]]
    )
    return await advance(services, received)


async def advance(services: Services, doc: Doc) -> Doc:
    """The steps that follow by themselves: APPROVED -> REFUNDING or AWAITING_RETURN, RETURN_RECEIVED ->
    REFUNDING, and a REFUNDING after-sale's refund. Safe to run again (the sweep does, after a crash)."""
    from resolvers import after_sale_refunds  # refunds build on after-sales; imported here, one direction

    if doc["status"] in rules.PASSED_THROUGH:
        target = rules.after_approval(doc["kind"]) if doc["status"] == rules.APPROVED else rules.REFUNDING
        doc = await move(services, doc["_id"], target) or await services.store.get("after_sales", doc["_id"]) or doc
    if doc["status"] == rules.REFUNDING:
        doc = await after_sale_refunds.refund(services, doc)
    return doc


# -- the sweep ---------------------------------------------------------------------------------------------
async def sweep_after_sales(services: Services, limit: int = 100) -> int:
    """Approve requests unanswered for AFTER_SALE_AUTO_APPROVE_HOURS, finish steps a crash left undone, ask
    again for refunds due; how many it moved. Running it twice changes nothing the second time."""
    from resolvers import after_sale_refunds

    store, now = services.store, services.now()
    cutoff = now - int(services.settings.AFTER_SALE_AUTO_APPROVE_HOURS * rules.HOUR_MS)
    due = await store.find(
        "after_sales", {"status": rules.REQUESTED, "requestedAt": {"$lte": cutoff}}, sort="requestedAt", limit=limit
    )
    moved = 0
    for doc in due.docs:
        approved = await move(services, doc["_id"], rules.APPROVED, approvedAt=now, approvedBy=None, autoApproved=True)
        if approved is not None:  # else the shop answered meanwhile, or the buyer cancelled
            await tell_desk(services, approved, desk_rules.AFTER_SALE_TIMED_OUT)
            await advance(services, approved)
            moved += 1
    stuck = await store.find("after_sales", {"repairAt": {"$lte": now}}, sort="repairAt", limit=limit)
    for doc in stuck.docs:
        await _repair(services, doc)
    return moved + len(stuck.docs) + await after_sale_refunds.retry(services, limit)


async def _repair(services: Services, doc: Doc) -> None:
    if doc["status"] == rules.OPENING:  # its process died while reserving: keep it if it holds units, else forget it
        order = await services.store.get("orders", doc["orderId"])
        entry = rules.entry_of(order, doc["_id"]) if order else None
        if entry is None:
            await services.store.delete("after_sales", doc["_id"])
        else:
            await _opened(services, doc["_id"], entry)
    elif doc["status"] in rules.PASSED_THROUGH:
        await advance(services, doc)
    elif doc["status"] in (rules.REJECTED, rules.CANCELLED):
        await _release(services, doc)
    else:
        await services.store.update_one("after_sales", {"_id": doc["_id"]}, {"$unset": {"repairAt": ""}})


# -- reading -----------------------------------------------------------------------------------------------
def _where(status: str | None) -> Any:
    return status if status is not None else {"$in": sorted(rules.VISIBLE)}


async def mine(services: Services, buyer_id: str, status: str | None, first: int, after: str | None) -> Page:
    where = {"buyerId": buyer_id, "status": _where(status)}
    return await services.store.find("after_sales", where, sort="createdAt", direction=-1, limit=first, after=after)


async def list_for_shop(services: Services, shop_id: str, status: str | None, first: int, after: str | None) -> Page:
    """The shop's after-sales, newest first (for its staff: the caller checks who may read them)."""
    where = {"shopId": shop_id, "status": _where(status)}
    return await services.store.find("after_sales", where, sort="createdAt", direction=-1, limit=first, after=after)


async def visible(services: Services, doc: Doc, viewer_id: str | None) -> bool:
    """Its buyer and the shop's owner and staff see an after-sale; nobody else (and nobody while OPENING)."""
    if viewer_id is None or doc["status"] == rules.OPENING:
        return False
    if doc["buyerId"] == viewer_id:
        return True
    shop = await services.store.get("shops", doc["shopId"])
    return shop is not None and bool(await staff.roles_in(services, shop, viewer_id))

"""The refund of an approved after-sale, through the one money path of resolvers/refunds.py: its amount is claimed out
of the order's payment by `refunds.claim` (one guarded update that also marks the order's record CLAIMED, so refunds
racing never pass what was paid), given back through whoever took the payment (DEV_PAY at once; WeChat Pay's partial
refund under the after-sale's own refund number, asked again with refunds.py's backoff), and then what follows the
money: unshipped units of a refund-only back in stock, sales counts, commission and points in proportion to what the
order keeps, and the order REFUNDED (payments.finish_refund) once all of it came back. Every step can run again."""

from __future__ import annotations

import logging

from domain import after_sales as rules
from domain import events as ev
from domain import orders as order_rules
from domain.refunds import left
from resolvers import after_sales, distribution, order_points, orders, payments, refunds
from resolvers import events as facts
from resolvers.services import Services
from store.protocol import Doc

log = logging.getLogger(__name__)


async def refund(services: Services, doc: Doc) -> Doc:
    """Move a REFUNDING after-sale's refund on from wherever it is: claim it, ask for it, finish it."""
    order = await services.store.get("orders", doc["orderId"])
    entry = rules.entry_of(order, doc["_id"]) if order is not None else None
    if order is None or entry is None:
        log.error(
            "after-sale %s is REFUNDING but its order holds nothing for it: an operator must see to it", doc["_id"]
        )
        return await _failed(services, doc, "NO_RECORD")
    if entry["state"] == rules.HELD:
        claimed = await _claim(services, doc)
        if claimed is None:
            return await _current(services, doc)
        order, entry = claimed
    if doc.get("refundAmount") != entry["amount"]:  # what was claimed is what the provider is asked for
        set_amount = {"$set": {"refundAmount": entry["amount"]}}
        doc = await services.store.update_one("after_sales", {"_id": doc["_id"]}, set_amount) or doc
    if entry["state"] == rules.CLAIMED and order.get("paidWith") == "WECHAT_PAY":
        status = await refunds.ask_provider(services, order, refunds.AFTER_SALE, doc["reason"], holder=doc)
        if status != "SUCCESS":  # otherwise REFUND.SUCCESS for the after-sale's refund number completes it
            return await _current(services, doc)
    return await refund_made(services, doc["_id"]) or doc


async def _claim(services: Services, doc: Doc) -> tuple[Doc, Doc] | None:
    """The after-sale's money taken out of the order's payment, its entry CLAIMED in the same guarded update, and
    the unshipped units of a refund-only back in stock: (the order after, the entry); None when nothing is left."""
    store = services.store
    for _ in range(after_sales.RECORD_ATTEMPTS):
        order = await store.get("orders", doc["orderId"])
        entry = rules.entry_of(order, doc["_id"]) if order is not None else None
        if order is None or entry is None:
            return None
        if entry["state"] != rules.HELD:
            return order, entry  # claimed by a concurrent run
        amount = min(int(entry["amount"]), left(int(order["total"]), rules.refunded(order)))
        if amount <= 0:  # every fen came back some other way meanwhile
            log.error("after-sale %s: nothing is left of order %s to refund", doc["_id"], order["_id"])
            await _failed(services, doc, "NOTHING_LEFT")
            return None
        version = order.get("afterSaleVersion")
        changes = {"afterSales": rules.claimed(order, doc["_id"], amount), "afterSaleVersion": (version or 0) + 1}
        won = await refunds.claim(services, order["_id"], amount, {"afterSaleVersion": version}, changes, kind=None)
        if won is None:
            continue  # another change of the record or of `refunded` won: again from the order as it is
        after = won[0]
        entry = rules.entry_of(after, doc["_id"]) or entry
        restock = [
            {**after["lines"][ln["lineIndex"]], "quantity": ln["restocked"]}
            for ln in entry["lines"]
            if ln.get("restocked")
        ]
        await orders.return_stock(services, restock)
        return after, entry
    raise LookupError(f"after-sale {doc['_id']}: its order's record changed {after_sales.RECORD_ATTEMPTS} times")


async def refund_made(services: Services, after_sale_id: str) -> Doc | None:
    """The after-sale's money is back with the buyer. Its entry becomes REFUNDED once (the sales counts follow that
    move); commission and points shrink to what the order keeps, or the order is REFUNDED when every fen came back;
    the after-sale itself moves last, so the sweep finishes what a crash left."""
    store = services.store
    doc = await store.get("after_sales", after_sale_id)
    if doc is None or doc["status"] != rules.REFUNDING:
        return doc
    marked = await after_sales.change_record(
        services,
        doc["orderId"],
        lambda o: rules.marked_refunded(o, after_sale_id) if _claimed(o, after_sale_id) else None,
    )
    order = marked or await store.get("orders", doc["orderId"])
    if order is None:
        return doc
    if marked is not None:
        entry = rules.entry_of(marked, after_sale_id) or {"lines": []}
        facts.order_fact(services, ev.ORDER_REFUNDED, marked, f"A{after_sale_id}", amount=entry.get("amount", 0))
        for line in entry["lines"]:
            await payments.count_sales(services, order["lines"][line["lineIndex"]]["productId"], -line["quantity"])
    if rules.all_back(order) and not rules.open_entries(order):
        await _order_refunded(services, order)
    else:
        await distribution.on_order_refunded(services, order, refunds.kept(order))
        await order_points.settle(services, order["_id"])
    return await after_sales.move(services, after_sale_id, rules.REFUNDED, refundedAt=services.now()) or doc


def _claimed(order: Doc, after_sale_id: str) -> bool:
    entry = rules.entry_of(order, after_sale_id)
    return entry is not None and entry["state"] == rules.CLAIMED


async def _order_refunded(services: Services, order: Doc) -> None:
    """Every fen of the order came back through after-sales: REFUNDING, then REFUNDED with what follows a full
    refund (points, commission, a team member marked refunded), less what the after-sales already did."""
    refunding = order
    if order["status"] != order_rules.REFUNDING:
        refunding = await orders.move(services, order["_id"], order_rules.REFUNDING) or order
    if refunding["status"] != order_rules.REFUNDING:
        current = await services.store.get("orders", order["_id"]) or order
        if current["status"] != order_rules.REFUNDING:
            if current["status"] != order_rules.REFUNDED:
                log.error(
                    "order %s: all of it came back, but a %s order cannot refund", order["_id"], current["status"]
                )
            return
        refunding = current
    await payments.finish_refund(services, refunding)


async def _failed(services: Services, doc: Doc, reason: str) -> Doc:
    """The refund cannot be made without an operator: marked, and no longer asked for."""
    marked = {"$set": {"refundFailed": reason}, "$unset": {"refundDue": ""}}
    return await services.store.update_one("after_sales", {"_id": doc["_id"]}, marked) or doc


async def _current(services: Services, doc: Doc) -> Doc:
    return await services.store.get("after_sales", doc["_id"]) or doc


async def retry(services: Services, limit: int = 100) -> int:
    """After-sale refunds due again (the provider did not take them, or a process died on the way)."""
    due = await refunds.due(services, refunds.AFTER_SALE, limit)
    for doc in due:
        await refund(services, doc)
    return len(due)


def is_after_sale_refund(refund_no: str) -> bool:
    """Order numbers are digits; an after-sale's refund number is the order's, `A`, the after-sale's id."""
    return "A" in refund_no


async def on_notification(services: Services, refund_no: str, outcome: str) -> None:
    """WeChat Pay says what became of an after-sale's refund: SUCCESS, or that it will not be made."""
    page = await services.store.find("after_sales", {"refundNo": refund_no}, limit=1)
    if not page.docs:
        log.warning("a refund notification for %s, which no after-sale has", refund_no)
        return
    doc = page.docs[0]
    if outcome == "SUCCESS":
        await refund_made(services, doc["_id"])
        return
    await _failed(services, doc, outcome)
    log.error("refund of after-sale %s was not made (%s): an operator must see to it", doc["_id"], outcome)

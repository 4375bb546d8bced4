"""The merchant's order desk: a shop's orders listed and searched (by order number, buyer nickname or the
recipient's phone tail), its counts per status, and the events a live desk subscribes to.

Counts are kept, not counted: `shop_order_counts` holds one document per shop with a field per status, moved by
`moved` after every status change (resolvers/orders.move and the refund claim, each once per move), so reading
them costs one get whatever the number of orders. A shop without an exact document yet (orders from before the
counters, or a document made by an increment) is recounted from the (shopId, status) index once.
"""

from __future__ import annotations

import logging
from typing import Any

from domain import order_desk as rules
from domain.orders import PAID, RESERVING, STATUSES
from domain.text import skeleton
from resolvers.errors import bad_input
from resolvers.services import Services
from store.counters import increment
from store.cursor import encode_cursor
from store.protocol import Doc, DuplicateKey, Page

log = logging.getLogger(__name__)
COUNTS = "shop_order_counts"
RECOUNT_ATTEMPTS = 5


def shop_topic(shop_id: str) -> str:
    return f"shop:{shop_id}"


async def publish_shop_event(
    services: Services,
    shop_id: str,
    kind: str,
    *,
    order_id: str | None = None,
    after_sale_id: str | None = None,
) -> None:
    """Tell the shop's live desks (shopOrderEvents) that something happened: `kind` is one of
    domain/order_desk.SHOP_EVENTS; the ids are raw (not global) ids."""
    if kind not in rules.SHOP_EVENTS:
        raise ValueError(f"{kind} is not a shop event")
    event = {"kind": kind, "orderId": order_id, "afterSaleId": after_sale_id, "at": services.now()}
    await services.backends.bus.publish(shop_topic(shop_id), event)


async def moved(services: Services, order: Doc) -> None:
    """After the one successful move of an order (the caller won its compare-and-set): counts and the desk."""
    changes = rules.count_changes(order)
    if changes:
        await increment(services.store, COUNTS, order["shopId"], {**changes, "version": 1}, {})
    if order["status"] == PAID:
        await publish_shop_event(services, order["shopId"], rules.ORDER_PAID, order_id=order["_id"])


async def order_counts(services: Services, shop_id: str) -> dict[str, int]:
    """The shop's orders per status (every status, zeros too)."""
    doc = await services.store.get(COUNTS, shop_id)
    counts = doc if doc is not None and doc.get("exact") else await recount(services, shop_id)
    return {status: int(counts.get(status, 0)) for status in STATUSES}


async def recount(services: Services, shop_id: str) -> dict[str, Any]:
    """Count the shop's orders per status from the index and keep the result as exact, unless a move counted
    meanwhile (its `version` changed): then count again."""
    store = services.store
    counts: dict[str, Any] = {}
    for _ in range(RECOUNT_ATTEMPTS):
        before = await store.get(COUNTS, shop_id)
        counts = {s: await store.count("orders", {"shopId": shop_id, "status": s}) for s in STATUSES}
        if before is None:
            try:
                await store.insert(COUNTS, {"_id": shop_id, **counts, "version": 0, "exact": True})
                return counts
            except DuplicateKey:
                continue
        kept = await store.update_one(
            COUNTS, {"_id": shop_id, "version": before.get("version")}, {"$set": {**counts, "exact": True}}
        )
        if kept is not None:
            return counts
    log.warning("order counts of shop %s kept moving while recounted; answered without keeping them", shop_id)
    return counts


async def shop_orders(
    services: Services,
    shop_id: str,
    first: int,
    after: str | None,
    *,
    status: str | None = None,
    query: str | None = None,
    placed_from: int | None = None,
    placed_to: int | None = None,
) -> Page:
    """The shop's orders, newest first: by placing time, or with a query by order number (which starts with it)."""
    problems = rules.query_problems(query) + rules.placed_problems(placed_from, placed_to, ("placedFrom", "placedTo"))
    if problems:  # arguments of a field, not a mutation's input: the path is the argument's name
        raise bad_input(problems[0].message, problems[0].field)
    where: dict[str, Any] = {"shopId": shop_id, "status": status if status else {"$ne": RESERVING}}
    if placed_from is not None or placed_to is not None:
        where["createdAt"] = {
            **({"$gte": placed_from} if placed_from is not None else {}),
            **({"$lt": placed_to} if placed_to is not None else {}),
        }
    store = services.store
    search = rules.search_of(query)
    if search is None:
        return await store.find("orders", where, sort="createdAt", direction=-1, limit=first, after=after)
    matches: list[dict[str, Any]] = []
    buyer = await buyer_by_nickname(services, search.nickname)
    if buyer is not None:
        matches.append({"buyerId": buyer})
    if search.phone_tail is not None:
        matches.append({"phoneTail": search.phone_tail})
    if search.number_prefix is not None:
        matches.append({"number": rules.prefix_range(search.number_prefix)})
    pages = [
        await store.find("orders", {**where, **match}, sort="number", direction=-1, limit=first, after=after)
        for match in matches
    ]
    return pages[0] if len(pages) == 1 else merged(pages, first)


def merged(pages: list[Page], first: int) -> Page:
    """One page of the union of pages that each hold the first `first` matches after the same cursor, sorted the
    same way (by number, then _id, descending): the first `first` of their union."""
    union = {d["_id"]: d for page in pages for d in page.docs}
    ordered = sorted(union.values(), key=lambda d: (d["number"], d["_id"]), reverse=True)
    shown = ordered[:first]
    cursors = [encode_cursor(d["number"], d["_id"]) for d in shown]
    more = len(ordered) > first or any(page.next_cursor for page in pages)
    return Page(shown, cursors[-1] if more and cursors else None, cursors)


async def buyer_by_nickname(services: Services, nickname: str) -> str | None:
    """The user whose nickname looks exactly like this one (nicknames are unique by their look)."""
    key = skeleton(nickname)
    claim = await services.store.get("nicknames", key) if key else None
    user = await services.store.get("users", claim["userId"]) if claim and claim.get("userId") else None
    return user["_id"] if user is not None and user.get("nicknameKey") == key else None

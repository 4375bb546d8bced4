"""The event stream's writer and its two doors: `record` for the facts a use case establishes (called after its
write) and `track` for trackEvents (clients' page views, product views, ...).

`EventWriter` buffers events in memory and writes them with one bulk insert per tick or per EVENTS_BATCH events,
so a request never waits on analytics. When the buffer is full (the store is slow or down) new events are
dropped and counted (`events_dropped_total` in /metrics), never waited for. Each flush also marks the shop-hours
its events touched (resolvers/aggregates.py recomputes those). Events are unique by `_id`: a replayed event (a
client retrying a call with the same event ids) is stored, and so counted, once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from domain import events as rules
from resolvers.errors import refuse_problems
from resolvers.ratelimit import spend
from store.ids import new_id
from store.protocol import Doc, DocumentStore, DuplicateKey

log = logging.getLogger(__name__)


class EventWriter:
    def __init__(
        self,
        store: DocumentStore,
        *,
        batch: int = 500,
        limit: int = 20_000,
        tick_seconds: float = 0.2,
        enabled: bool = True,
        on_flush: Any = None,
    ) -> None:
        self.store = store
        self.batch = batch
        self.limit = limit
        self.tick_seconds = tick_seconds
        self.enabled = enabled
        self.on_flush = on_flush  # async (docs) -> None: marks what aggregates must recompute
        self.buffer: list[Doc] = []
        self.dropped = 0
        self.written = 0
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._flushing = asyncio.Lock()

    def add(self, doc: Doc) -> bool:
        """Queue one event; False (and counted) when the buffer is full."""
        if not self.enabled:
            return False
        if len(self.buffer) >= self.limit:
            self.dropped += 1
            return False
        self.buffer.append(doc)
        if len(self.buffer) >= self.batch:
            self._wake.set()
        return True

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="event-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            await self.flush()  # what is buffered when the app stops is written, not lost
        except Exception:
            log.exception("events: %d buffered events could not be written at stop", len(self.buffer))

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the store is down: the events stay buffered (up to the limit) for next tick
                log.warning("events: flush failed (%s); %d buffered", exc, len(self.buffer))

    async def flush(self) -> int:
        """Write what is buffered, EVENTS_BATCH at a time; the number written."""
        written = 0
        async with self._flushing:
            while self.buffer:
                docs = self.buffer[: self.batch]
                await write(self.store, docs)
                del self.buffer[: len(docs)]
                if self.on_flush is not None:
                    await self.on_flush(docs)
                written += len(docs)
        self.written += written
        return written


async def write(store: DocumentStore, docs: Sequence[Doc]) -> None:
    """One bulk insert; when some are there already (a replay), each of the others alone."""
    try:
        await store.insert_many("events", docs)
    except DuplicateKey:
        for doc in docs:
            try:
                await store.insert("events", doc)
            except DuplicateKey:
                continue


def event(
    name: str,
    at: int,
    *,
    user_id: str | None = None,
    client_id: str | None = None,
    shop_id: str | None = None,
    event_id: str | None = None,
    **props: Any,
) -> Doc:
    return {
        "_id": event_id or new_id(),
        "name": name,
        "at": at,
        "userId": user_id,
        "clientId": client_id,
        "shopId": shop_id,
        "props": props,
    }


def record(
    services: Any,
    name: str,
    *,
    user_id: str | None = None,
    shop_id: str | None = None,
    key: str | None = None,
    **props: Any,
) -> None:
    """A server-side fact, after the write that made it true. `key`: the fact's own identity (an order id and what
    happened to it) so that a use case run twice records it once."""
    writer: EventWriter | None = services.events
    if writer is None:
        return
    event_id = f"{name}:{key}" if key else None
    writer.add(event(name, services.now(), user_id=user_id, shop_id=shop_id, event_id=event_id, **props))


def order_fact(services: Any, name: str, order: Doc, key: str | None = None, **props: Any) -> None:
    """An order's fact with what the aggregates need to find its other days (placed, paid)."""
    record(
        services,
        name,
        user_id=order["buyerId"],
        shop_id=order["shopId"],
        key=f"{order['_id']}:{key}" if key else order["_id"],
        orderId=order["_id"],
        total=order["total"],
        orderPlacedAt=order.get("createdAt"),
        orderPaidAt=order.get("paidAt"),
        **props,
    )


def on_order_moved(services: Any, order: Doc) -> None:
    """An order's status move is a fact when it is placed (RESERVING -> PENDING_PAYMENT) or paid."""
    status = order["status"]
    if status == "PENDING_PAYMENT":
        order_fact(services, rules.ORDER_PLACED, order, "placed")
    elif status == "PAID":
        lines = [{"productId": ln["productId"], "quantity": ln["quantity"]} for ln in order["lines"]]
        order_fact(services, rules.ORDER_PAID, order, "paid", lines=lines, shareToken=order.get("shareToken"))
        if order.get("couponClaimId"):
            order_fact(services, rules.COUPON_USED, order, "coupon", couponClaimId=order["couponClaimId"])


async def track(
    services: Any,
    user_id: str | None,
    client_id: str | None,
    sent: Sequence[Any],
    shop_of: Callable[[str], str | None],
) -> int:
    """Validate a client's batch (all of it, or none is kept), spend the caller's rate limit, queue it; the number
    accepted (less when the buffer is full: dropped events are counted, never waited for). `shop_of`: the shop id
    inside a global Shop id (None when it is not one)."""
    refuse_problems(rules.batch_problems(len(sent), user_id is not None, client_id))
    now = services.now()
    problems = []
    events = []
    shops: dict[str, str | None] = {}  # a batch names one shop or a few: each id decoded once
    for i, raw in enumerate(sent):
        field = f"events.{i}"
        e, shape = rules.parse(raw, field)
        events.append(e)
        problems += shape
        if shape:
            continue
        if e["shop_id"] is not None:
            if e["shop_id"] not in shops:
                shops[e["shop_id"]] = shop_of(e["shop_id"])
            e["shop_id"] = shops[e["shop_id"]]
            if e["shop_id"] is None:
                problems.append(rules.Problem(f"{field}.shopId", "Not the id of a shop"))
        problems += rules.prop_problems(e["name"], e["properties"], field)
        problems += rules.time_problems(e["at"] if e["at"] is not None else now, now, field)
    refuse_problems(problems)
    await spend(services, "TRACKED_EVENTS_PER_MINUTE", user_id or f"client:{client_id}", len(events), ["input"])
    who = rules.visitor({"userId": user_id, "clientId": client_id})
    accepted = 0
    writer: EventWriter | None = services.events
    if writer is None:
        return 0
    for e in events:
        doc = event(
            e["name"],
            e["at"] if e.get("at") is not None else now,
            user_id=user_id,
            client_id=client_id,
            shop_id=e.get("shop_id"),
            event_id=f"{who}:{e['id']}" if e.get("id") else None,
            **(e.get("properties") or {}),
        )
        accepted += writer.add(doc)
    return accepted


async def purge(services: Any, limit: int = 5000) -> int:
    """Delete events older than EVENTS_RETENTION_DAYS (the aggregates made of them stay)."""
    before = services.now() - services.settings.EVENTS_RETENTION_DAYS * 86_400_000
    page = await services.store.find("events", {"at": {"$lt": before}}, sort="at", limit=limit)
    for doc in page.docs:
        await services.store.delete("events", doc["_id"])
    return len(page.docs)

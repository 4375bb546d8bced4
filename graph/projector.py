"""The outbox projector: applies outbox events to the graph, idempotently, and marks them done.

Events only name what changed (a pair of users); the projector reads the current truth from the documents and
makes the graph agree. So applying an event twice, or two events out of order, leaves the same graph.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from graph.protocol import GraphStore
from store.protocol import Doc, DocumentStore

log = logging.getLogger(__name__)
BATCH = 200


async def _exists(store: DocumentStore, collection: str, a: str, b: str) -> bool:
    return await store.get(collection, f"{a}>{b}") is not None


async def sync_pair(store: DocumentStore, graph: GraphStore, a: str, b: str) -> None:
    """Make FOLLOWS, FRIEND and BLOCKS between a and b match the documents."""
    ab, ba = await _exists(store, "follows", a, b), await _exists(store, "follows", b, a)
    for src, dst, present in ((a, b, ab), (b, a, ba)):
        await (graph.add_edge if present else graph.remove_edge)("FOLLOWS", src, dst)
    for src, dst in ((a, b), (b, a)):
        await (graph.add_edge if ab and ba else graph.remove_edge)("FRIEND", src, dst)
    for src, dst in ((a, b), (b, a)):
        blocked = await _exists(store, "blocks", src, dst)
        await (graph.add_edge if blocked else graph.remove_edge)("BLOCKS", src, dst)


async def sync_purchase(store: DocumentStore, graph: GraphStore, user: str, product: str) -> None:
    """BOUGHT exists while the user has a purchase record of the product."""
    present = await store.get("purchases", f"{user}>{product}") is not None
    await (graph.add_edge if present else graph.remove_edge)("BOUGHT", user, product)


async def sync_engagement(store: DocumentStore, graph: GraphStore, user: str, product: str) -> None:
    """ENGAGED exists while the user has liked or posted about the product at least once (and not taken it back)."""
    doc = await store.get("engagements", f"{user}>{product}")
    present = doc is not None and doc.get("count", 0) > 0
    await (graph.add_edge if present else graph.remove_edge)("ENGAGED", user, product)


async def apply_event(store: DocumentStore, graph: GraphStore, event: Doc) -> None:
    if event["kind"] == "user_pair":
        await sync_pair(store, graph, event["a"], event["b"])
    elif event["kind"] == "bought":
        await sync_purchase(store, graph, event["userId"], event["productId"])
    elif event["kind"] == "engaged":
        await sync_engagement(store, graph, event["userId"], event["productId"])
    else:
        log.warning("outbox event of unknown kind %r skipped", event["kind"])


class Projector:
    def __init__(self, store: DocumentStore, graph: GraphStore, poll_seconds: float = 1.0) -> None:
        self.store = store
        self.graph = graph
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def nudge(self) -> None:
        """Called after an outbox write in this process, so projection does not wait for the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """Apply one batch of pending events; the number applied."""
        page = await self.store.find("outbox", {"done": False}, limit=BATCH)
        for event in page.docs:
            await apply_event(self.store, self.graph, event)
            await self.store.update_one(
                "outbox", {"_id": event["_id"]}, {"$set": {"done": True, "doneAt": event.get("at", 0)}}
            )
        return len(page.docs)

    async def drain(self) -> None:
        """Apply every pending event (tests, CLI)."""
        while await self.run_once():
            pass

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox projection failed; retrying")
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for drops a cancellation that arrives just as the
            # event is set (a nudge during shutdown), and the loop then never ends (it hung test runs).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
            self._wake.clear()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="outbox-projector")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


async def purge_done(store: DocumentStore, older_than_ms: int, limit: int = 1000) -> int:
    """Delete applied outbox events older than the given time (they are history; the graph can be rebuilt from
    the documents at any time). At most `limit` per call; the number deleted."""
    page = await store.find("outbox", {"done": True, "doneAt": {"$lt": older_than_ms}}, limit=limit)
    return sum([await store.delete("outbox", event["_id"]) for event in page.docs])


async def _all_docs(store: DocumentStore, collection: str) -> AsyncIterator[Doc]:
    after = None
    while True:
        page = await store.find(collection, limit=1000, after=after)
        for doc in page.docs:
            yield doc
        if page.next_cursor is None:
            return
        after = page.next_cursor


async def _all_pairs(
    store: DocumentStore, collection: str, src: str = "src", dst: str = "dst"
) -> AsyncIterator[tuple[str, str]]:
    async for doc in _all_docs(store, collection):
        yield doc[src], doc[dst]


async def rebuild(store: DocumentStore, graph: GraphStore) -> int:
    """Rebuild the graph from the documents (follows, friends as mutual follows, blocks); edges written."""
    await graph.clear()
    follows = {pair async for pair in _all_pairs(store, "follows")}
    friends = [(s, d) for s, d in follows if (d, s) in follows]
    blocks = [pair async for pair in _all_pairs(store, "blocks")]
    bought = [pair async for pair in _all_pairs(store, "purchases", "userId", "productId")]
    engaged = [
        (doc["userId"], doc["productId"]) async for doc in _all_docs(store, "engagements") if doc.get("count", 0) > 0
    ]
    await graph.add_edges("FOLLOWS", sorted(follows))
    await graph.add_edges("FRIEND", sorted(friends))
    await graph.add_edges("BLOCKS", blocks)
    await graph.add_edges("BOUGHT", bought)
    await graph.add_edges("ENGAGED", engaged)
    return len(follows) + len(friends) + len(blocks) + len(bought) + len(engaged)

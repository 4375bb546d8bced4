"""The outbox projector: applies outbox events to the graph, idempotently, and marks them done.

Events only name what changed (a pair of users); the projector reads the current truth from the documents and
makes the graph agree. So applying an event twice, or two events out of order, leaves the same graph.

Outages: while the graph (or the store) is down, events wait in the outbox and projection pauses (logged once);
once it is back they are applied, nothing lost. A graph server can come back empty (TinkerGraph in memory, a
wiped volume): the graph keeps a stamp that `rebuild` sets and `clear` drops, and the projector checks it every
`stamp_seconds` and after every failure; a graph without one is rebuilt from the documents, then the events of
the rebuild's time are applied again (another process may have projected one between the rebuild's reads and
its writes), so it ends equal to a fresh rebuild.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Protocol

from graph.protocol import GraphStore, GraphUnavailable
from store.ids import new_id
from store.protocol import Doc, DocumentStore, StoreUnavailable

log = logging.getLogger(__name__)
BATCH = 200
STAMP_SECONDS = 5.0  # how often the projector checks that the graph still has its data
REPLAY_MARGIN_MS = 10_000  # events this long before a rebuild began are applied again after it (clock skew)
OUTAGE = (GraphUnavailable, StoreUnavailable)
FOLLOW_MARGIN_MS = 5_000  # a process following the outbox reads again this far back (writes of other processes
# whose ids are older than their commit): an event that took longer than this to commit is missed


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


class Lease(Protocol):
    """One projector at a time on a shared graph (graph/projector_lease.py)."""

    async def hold(self) -> bool: ...

    async def release(self) -> None: ...


class Projector:
    def __init__(
        self,
        store: DocumentStore,
        graph: GraphStore,
        poll_seconds: float = 1.0,
        stamp_seconds: float = STAMP_SECONDS,
        *,
        follow_all: bool = False,
        lease: Lease | None = None,
    ) -> None:
        """`follow_all`: the graph is this process's own (in memory) while other processes share the store, so
        it applies every event of the outbox, also those another process applied (and marked done) already.
        `lease`: the graph is shared by processes that share the store, and only the lease's holder projects
        (and rebuilds)."""
        self.follow_all = follow_all
        self.lease = lease
        self._followed_ms = 0  # the newest event time applied when following all
        self._seen: dict[str, int] = {}  # events applied within the margin: id -> its time
        self.store = store
        self.graph = graph
        self.poll_seconds = poll_seconds
        self.stamp_seconds = stamp_seconds
        self.rebuilds = 0  # graphs found without their data and rebuilt by this projector
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._checked_at = float("-inf")  # monotonic time of the last stamp check
        self._paused = False  # the last attempt failed for an outage

    async def ensure_projected(self) -> int | None:
        """Rebuild the graph from the documents when it has no stamp (a new graph, or one that lost its data),
        then apply again the events of the rebuild's time; the edges written, or None when it had its stamp."""
        self._checked_at = time.monotonic()
        if await self.graph.stamp() is not None:
            return None
        began_ms = time.time_ns() // 1_000_000
        since = f"{began_ms - REPLAY_MARGIN_MS:012x}"  # outbox ids begin with their time
        self._followed_ms = max(self._followed_ms, began_ms)
        edges = await rebuild(self.store, self.graph)
        await self._replay(since)
        self.rebuilds += 1
        return edges

    async def _replay(self, since: str) -> int:
        """Apply every outbox event from `since` on, applied or not (applying again changes nothing)."""
        count, after = 0, None
        while True:
            page = await self.store.find("outbox", {"_id": {"$gte": since}}, limit=BATCH, after=after)
            for event in page.docs:
                await apply_event(self.store, self.graph, event)
            count += len(page.docs)
            if page.next_cursor is None:
                return count
            after = page.next_cursor

    async def leads(self) -> bool:
        """Whether this process projects now: always, unless a lease says another one does."""
        return self.lease is None or await self.lease.hold()

    def nudge(self) -> None:
        """Called after an outbox write in this process, so projection does not wait for the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """Apply one batch of pending events; the number applied."""
        if self.follow_all:
            return await self._follow_once()
        page = await self.store.find("outbox", {"done": False}, limit=BATCH)
        for event in page.docs:
            await apply_event(self.store, self.graph, event)
            await self.store.update_one(
                "outbox", {"_id": event["_id"]}, {"$set": {"done": True, "doneAt": event.get("at", 0)}}
            )
        return len(page.docs)

    async def _follow_once(self) -> int:
        """Apply the events from the newest one applied (less the margin) on that were not applied here yet."""
        since_ms = max(self._followed_ms - FOLLOW_MARGIN_MS, 0)
        applied, after = 0, None
        while True:
            page = await self.store.find("outbox", {"_id": {"$gte": f"{since_ms:012x}"}}, limit=BATCH, after=after)
            for event in page.docs:
                if event["_id"] in self._seen:
                    continue
                await apply_event(self.store, self.graph, event)
                at = int(event["_id"][:12], 16)
                self._seen[event["_id"]] = at
                self._followed_ms = max(self._followed_ms, at)
                if not event.get("done"):
                    await self.store.update_one(
                        "outbox", {"_id": event["_id"]}, {"$set": {"done": True, "doneAt": event.get("at", 0)}}
                    )
                applied += 1
            if page.next_cursor is None:
                break
            after = page.next_cursor
        horizon = self._followed_ms - FOLLOW_MARGIN_MS
        self._seen = {k: at for k, at in self._seen.items() if at >= horizon}
        return applied

    async def drain(self) -> None:
        """Apply every pending event (tests, CLI)."""
        while await self.run_once():
            pass

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                if not await self.leads():
                    await self._sleep()
                    continue
                if self._paused or time.monotonic() - self._checked_at >= self.stamp_seconds:
                    edges = await self.ensure_projected()
                    if edges is not None:
                        log.warning("the graph had lost its data: rebuilt from the documents", extra={"edges": edges})
                while await self.run_once() and await self.leads():  # the lease renewed before each next batch
                    pass
                if self._paused:
                    self._paused = False
                    log.info("outbox projection resumed")
            except asyncio.CancelledError:
                raise
            except OUTAGE as exc:
                if not self._paused:  # once per outage
                    self._paused = True
                    log.warning("outbox projection paused, %s is unavailable (%s); retrying", exc.backend, exc)
            except Exception:
                log.exception("outbox projection failed; retrying")
            await self._sleep()

    async def _sleep(self) -> None:
        """Until the next poll, or a nudge. asyncio.timeout, not wait_for: on Python 3.11 wait_for drops a
        cancellation that arrives just as the event is set (a nudge during shutdown), and the loop then never ends
        (it hung test runs)."""
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
        if self.lease is not None:  # another process takes over at once, not when the lease expires
            await self.lease.release()


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
    """Rebuild the graph from the documents (follows, friends as mutual follows, blocks, purchases, engagements)
    and stamp it; the edges written."""
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
    await graph.set_stamp(new_id())
    return len(follows) + len(friends) + len(blocks) + len(bought) + len(engaged)

"""GremlinGraph: the GraphStore on any TinkerPop server (Gremlin Server, JanusGraph, Neptune) via gremlinpython.

Traversals use no lambdas and no server-side scripts, so they stay portable. Node ids are kept in a `uid`
property (index it on the server). gremlinpython drives its own event loop, so every call runs on a small
thread pool of ours instead of the server's event loop.

gremlinpython does not reconnect: once its connections are closed (the server restarted), every call fails. A call
that fails for want of a server marks the connection broken (GraphUnavailable), and the next call opens a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.graph_traversal import GraphTraversalSource, __
from gremlin_python.process.traversal import Column, Order, P
from gremlin_python.process.traversal import T as Token

from graph.protocol import Direction, GraphUnavailable, endpoints

T = TypeVar("T")
POOL = 4
VERTEX_BATCH = 500
EDGE_BATCH = 100
RECONNECT_SECONDS = 1.0  # at most one reconnection attempt this often while the server is down
STAMP = ("Projection", "stamp")  # the vertex (label, uid) holding the projection's stamp; clear() drops it too


def server_gone(exc: BaseException) -> bool:
    """An error of the connection, not of the traversal: refused, reset, timed out, or gremlinpython's own
    "Connection was already closed" (a RuntimeError)."""
    if isinstance(exc, aiohttp.ClientError | OSError):
        return True
    return isinstance(exc, RuntimeError) and "closed" in str(exc).lower()


class GremlinGraph:
    kind = "gremlin"

    def __init__(self, url: str, traversal_source: str = "g") -> None:
        self.url = url
        self.traversal_source = traversal_source
        self._executor = ThreadPoolExecutor(max_workers=POOL, thread_name_prefix="gremlin")
        # Writes go one at a time: TinkerGraph is not safe under concurrent mutation (it corrupts adjacency lists
        # and duplicates get-or-create vertices), and on transactional servers it only avoids retries.
        self._writing = asyncio.Lock()
        self._conn: DriverRemoteConnection | None = None
        self._g: GraphTraversalSource | None = None
        self._broken: DriverRemoteConnection | None = None  # the connection a call found dead
        self._reconnecting = asyncio.Lock()
        self._tried_at = float("-inf")  # loop time of the last reconnection attempt

    @property
    def g(self) -> GraphTraversalSource:
        if self._g is None:
            raise RuntimeError("GremlinGraph is not open")
        return self._g

    async def _run(self, fn: Callable[[], T]) -> T:
        conn = self._conn
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn)
        except Exception as exc:
            if not server_gone(exc):
                raise
            self._broken = conn
            raise GraphUnavailable(f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    def _connect(self) -> None:
        self._conn = DriverRemoteConnection(self.url, self.traversal_source, pool_size=POOL)
        self._g = traversal().with_(self._conn)

    async def open(self) -> None:
        await self._run(self._connect)
        await self.ping()

    async def _connected(self) -> None:
        """Open a new connection when the current one was found dead (a call before this one failed): at most once
        every RECONNECT_SECONDS, and only once the server accepts TCP connections again (gremlinpython leaks the
        aiohttp sessions of a connection that fails to open)."""
        if self._broken is None or self._broken is not self._conn:
            return
        async with self._reconnecting:
            if self._broken is not self._conn:
                return  # another call reconnected meanwhile
            loop = asyncio.get_running_loop()
            if loop.time() - self._tried_at < RECONNECT_SECONDS or not await self._accepts():
                raise GraphUnavailable(f"no connection to {self.url}")
            self._tried_at = loop.time()
            old = self._conn
            with contextlib.suppress(Exception):
                await asyncio.get_running_loop().run_in_executor(self._executor, old.close)  # type: ignore[union-attr]
            try:
                await asyncio.get_running_loop().run_in_executor(self._executor, self._connect)
            except Exception as exc:
                self._conn, self._broken = old, old  # still down: the next call tries again
                if not server_gone(exc):
                    raise
                raise GraphUnavailable(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
            self._broken = None

    async def _accepts(self) -> bool:
        """Whether the server's port takes a TCP connection (a cheap look before a real connection is built)."""
        url = urlsplit(self.url)
        try:
            async with asyncio.timeout(RECONNECT_SECONDS):
                _, writer = await asyncio.open_connection(url.hostname, url.port or 8182)
        except (OSError, TimeoutError):
            return False
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(GraphUnavailable):  # a server that is gone has nothing to close
                await self._run(self._conn.close)
            self._conn = None
            self._g = None
        self._executor.shutdown(wait=True)

    async def _write(self, t: Any) -> None:
        async with self._writing:
            await self._run(t.iterate)

    async def ping(self) -> None:
        await self._connected()
        await self._run(lambda: self.g.inject(1).to_list())

    def _vertex(self, label: str, uid: str) -> Any:
        """An anonymous traversal that finds the vertex or creates it (get-or-create without lambdas)."""
        return __.V().has(label, "uid", uid).fold().coalesce(__.unfold(), __.add_v(label).property("uid", uid))

    async def add_edge(self, rel: str, src: str, dst: str) -> None:
        await self._connected()
        a, b = endpoints(rel)
        t = (
            self.g.inject(0)
            .flat_map(self._vertex(a, src))
            .as_("s")
            .flat_map(self._vertex(b, dst))
            .as_("d")
            .coalesce(
                __.select("s").out_e(rel).where(__.in_v().as_("d")),
                __.add_e(rel).from_("s").to("d"),
            )
        )
        await self._write(t)

    async def _ensure_vertices(self, label: str, uids: Collection[str]) -> None:
        """Create the missing vertices, one mergeV traversal per batch."""
        ordered = sorted(set(uids))
        for i in range(0, len(ordered), VERTEX_BATCH):
            rows = [{Token.label: label, "uid": uid} for uid in ordered[i : i + VERTEX_BATCH]]
            await self._write(self.g.inject(rows).unfold().merge_v())

    async def add_edges(self, rel: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Vertices first, then one traversal per batch of edges, each edge a side effect that adds it unless it
        exists: a few round trips for many edges, still free of lambdas."""
        await self._connected()
        a, b = endpoints(rel)
        await self._ensure_vertices(a, [s for s, _ in pairs] + ([d for _, d in pairs] if a == b else []))
        if a != b:
            await self._ensure_vertices(b, [d for _, d in pairs])
        for i in range(0, len(pairs), EDGE_BATCH):
            t = self.g.inject(0)
            for src, dst in pairs[i : i + EDGE_BATCH]:
                t = t.side_effect(
                    __.V()
                    .has(a, "uid", src)
                    .as_("s")
                    .V()
                    .has(b, "uid", dst)
                    .coalesce(__.in_e(rel).where(__.out_v().as_("s")), __.add_e(rel).from_("s"))
                )
            await self._write(t)

    async def remove_edge(self, rel: str, src: str, dst: str) -> None:
        await self._connected()
        a, b = endpoints(rel)
        await self._write(self.g.V().has(a, "uid", src).out_e(rel).where(__.in_v().has(b, "uid", dst)).drop())

    async def neighbors(self, rel: str, node: str, direction: Direction = "out", limit: int = 1000) -> list[str]:
        await self._connected()
        a, b = endpoints(rel)
        start = self.g.V().has(a if direction == "out" else b, "uid", node)
        hop = start.out(rel) if direction == "out" else start.in_(rel)
        t = hop.values("uid").order().limit(limit)
        return await self._run(t.to_list)

    async def two_hop(
        self, rel: str, start: str, *, limit: int = 20, exclude: Collection[str] = ()
    ) -> list[tuple[str, int]]:
        await self._connected()
        a, _ = endpoints(rel)
        banned = [start, *exclude]
        t = (
            self.g.V()
            .has(a, "uid", start)
            .out(rel)
            .aggregate("direct")
            .out(rel)
            .where(P.without("direct"))
            .has("uid", P.without(banned))
        )
        return await self._counted(t, limit)

    async def _counted(self, t: Any, limit: int) -> list[tuple[str, int]]:
        """The traversal's vertices counted by uid: most first, ties by uid, the first `limit`."""
        ranked = (
            t.group_count().by("uid").unfold().order().by(Column.values, Order.desc).by(Column.keys, Order.asc)
        ).limit(limit)
        rows = await self._run(ranked.to_list)
        return [(str(uid), int(n)) for row in rows for uid, n in row.items()]

    async def neighbor_counts(
        self, rel: str, starts: Collection[str], direction: Direction = "out", limit: int = 100
    ) -> list[tuple[str, int]]:
        await self._connected()
        a, b = endpoints(rel)
        ids = sorted(set(starts))
        if not ids:
            return []
        begin = self.g.V().has(a if direction == "out" else b, "uid", P.within(ids))
        hop = begin.out(rel) if direction == "out" else begin.in_(rel)
        return await self._counted(hop, limit)

    async def edges(self, rel: str, batch: int = 10_000) -> AsyncIterator[list[tuple[str, str]]]:
        a, _b = endpoints(rel)
        await self._connected()
        t = (
            self.g.V()
            .has_label(a)
            .out_e(rel)
            .project("s", "d")
            .by(__.out_v().values("uid"))
            .by(__.in_v().values("uid"))
        )

        def pull() -> list[tuple[str, str]]:
            try:
                return [(row["s"], row["d"]) for row in t.next(batch)]
            except StopIteration:
                return []

        while True:
            chunk = await self._run(pull)
            if not chunk:
                return
            yield chunk
            if len(chunk) < batch:
                return

    async def clear(self) -> None:
        await self._connected()
        await self._write(self.g.V().drop())

    async def stamp(self) -> str | None:
        await self._connected()
        label, uid = STAMP
        values = await self._run(self.g.V().has(label, "uid", uid).values("value").to_list)
        return str(values[0]) if values else None

    async def set_stamp(self, value: str) -> None:
        await self._connected()
        label, uid = STAMP
        await self._write(self.g.inject(0).flat_map(self._vertex(label, uid)).property("value", value))

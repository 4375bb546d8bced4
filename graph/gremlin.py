"""GremlinGraph: the GraphStore on any TinkerPop server (Gremlin Server, JanusGraph, Neptune) via gremlinpython.

Traversals use no lambdas and no server-side scripts, so they stay portable. Node ids are kept in a `uid`
property (index it on the server). gremlinpython drives its own event loop, so every call runs on a small
thread pool of ours instead of the server's event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.graph_traversal import GraphTraversalSource, __
from gremlin_python.process.traversal import Column, Order, P
from gremlin_python.process.traversal import T as Token

from graph.protocol import Direction, endpoints

T = TypeVar("T")
POOL = 4
VERTEX_BATCH = 500
EDGE_BATCH = 100


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

    @property
    def g(self) -> GraphTraversalSource:
        if self._g is None:
            raise RuntimeError("GremlinGraph is not open")
        return self._g

    async def _run(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def open(self) -> None:
        def connect() -> None:
            self._conn = DriverRemoteConnection(self.url, self.traversal_source, pool_size=POOL)
            self._g = traversal().with_(self._conn)

        await self._run(connect)
        await self.ping()

    async def close(self) -> None:
        if self._conn is not None:
            await self._run(self._conn.close)
            self._conn = None
            self._g = None
        self._executor.shutdown(wait=True)

    async def _write(self, t: Any) -> None:
        async with self._writing:
            await self._run(t.iterate)

    async def ping(self) -> None:
        await self._run(lambda: self.g.inject(1).to_list())

    def _vertex(self, label: str, uid: str) -> Any:
        """An anonymous traversal that finds the vertex or creates it (get-or-create without lambdas)."""
        return __.V().has(label, "uid", uid).fold().coalesce(__.unfold(), __.add_v(label).property("uid", uid))

    async def add_edge(self, rel: str, src: str, dst: str) -> None:
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
        a, b = endpoints(rel)
        await self._write(self.g.V().has(a, "uid", src).out_e(rel).where(__.in_v().has(b, "uid", dst)).drop())

    async def neighbors(self, rel: str, node: str, direction: Direction = "out", limit: int = 1000) -> list[str]:
        a, b = endpoints(rel)
        start = self.g.V().has(a if direction == "out" else b, "uid", node)
        hop = start.out(rel) if direction == "out" else start.in_(rel)
        t = hop.values("uid").order().limit(limit)
        return await self._run(t.to_list)

    async def two_hop(
        self, rel: str, start: str, *, limit: int = 20, exclude: Collection[str] = ()
    ) -> list[tuple[str, int]]:
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
        a, b = endpoints(rel)
        ids = sorted(set(starts))
        if not ids:
            return []
        begin = self.g.V().has(a if direction == "out" else b, "uid", P.within(ids))
        hop = begin.out(rel) if direction == "out" else begin.in_(rel)
        return await self._counted(hop, limit)

    async def edges(self, rel: str, batch: int = 10_000) -> AsyncIterator[list[tuple[str, str]]]:
        a, _b = endpoints(rel)
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
        await self._write(self.g.V().drop())

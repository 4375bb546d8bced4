"""MemoryGraph: the embedded GraphStore, adjacency sets in this process, rebuilt from documents at start."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Collection, Sequence

from graph.protocol import Direction, endpoints


class MemoryGraph:
    kind = "memory"

    def __init__(self) -> None:
        self._out: dict[str, defaultdict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._in: dict[str, defaultdict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._stamp: str | None = None

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def add_edge(self, rel: str, src: str, dst: str) -> None:
        endpoints(rel)
        self._out[rel][src].add(dst)
        self._in[rel][dst].add(src)

    async def add_edges(self, rel: str, pairs: Sequence[tuple[str, str]]) -> None:
        endpoints(rel)
        out, into = self._out[rel], self._in[rel]
        for src, dst in pairs:
            out[src].add(dst)
            into[dst].add(src)

    async def remove_edge(self, rel: str, src: str, dst: str) -> None:
        endpoints(rel)
        self._out[rel][src].discard(dst)
        self._in[rel][dst].discard(src)

    async def neighbors(self, rel: str, node: str, direction: Direction = "out", limit: int = 1000) -> list[str]:
        endpoints(rel)
        side = self._out if direction == "out" else self._in
        return sorted(side[rel].get(node, ()))[:limit]

    async def two_hop(
        self, rel: str, start: str, *, limit: int = 20, exclude: Collection[str] = ()
    ) -> list[tuple[str, int]]:
        endpoints(rel)
        out = self._out[rel]
        direct = out.get(start, set())
        counts: Counter[str] = Counter()
        for middle in direct:
            counts.update(out.get(middle, ()))
        banned = {start, *direct, *exclude}
        ranked = sorted(((n, c) for n, c in counts.items() if n not in banned), key=lambda nc: (-nc[1], nc[0]))
        return ranked[:limit]

    async def neighbor_counts(
        self, rel: str, starts: Collection[str], direction: Direction = "out", limit: int = 100
    ) -> list[tuple[str, int]]:
        endpoints(rel)
        side = self._out[rel] if direction == "out" else self._in[rel]
        counts: Counter[str] = Counter()
        for start in set(starts):
            counts.update(side.get(start, ()))
        return heapq.nsmallest(limit, counts.items(), key=lambda nc: (-nc[1], nc[0]))

    async def edges(self, rel: str, batch: int = 10_000) -> AsyncIterator[list[tuple[str, str]]]:
        endpoints(rel)
        chunk: list[tuple[str, str]] = []
        for src, dsts in list(self._out[rel].items()):
            for dst in list(dsts):
                chunk.append((src, dst))
                if len(chunk) >= batch:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    async def clear(self) -> None:
        self._out.clear()
        self._in.clear()
        self._stamp = None

    async def stamp(self) -> str | None:
        return self._stamp

    async def set_stamp(self, value: str) -> None:
        self._stamp = value

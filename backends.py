"""The one place where backends are picked by URL and opened; a driver is imported only when its URL is used.

Each backend raises its own error when it cannot be reached mid-run (StoreUnavailable, GraphUnavailable,
BusUnavailable; `UNAVAILABLE` below): the API answers those with the code UNAVAILABLE (HTTP 503 when nothing
could be answered), and `health()` names the backend that is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from graph.protocol import GraphStore, GraphUnavailable
from settings import Settings
from store.protocol import DocumentStore, StoreUnavailable
from subscriptions.protocol import Bus, BusUnavailable

log = logging.getLogger(__name__)
UNAVAILABLE = (StoreUnavailable, GraphUnavailable, BusUnavailable)
HEALTH_SECONDS = 2.0  # a backend that does not answer a ping by then is reported down


class BackendUnavailable(RuntimeError):
    """A configured backend could not be reached at start."""


def make_store(settings: Settings) -> DocumentStore:
    if settings.MONGO_URL:
        from store.mongo import MongoStore

        return MongoStore(settings.MONGO_URL, settings.MONGO_DB)
    from store.sqlite import SqliteStore

    return SqliteStore(settings.DATA_DIR / "youxianggou.sqlite3")


def make_graph(settings: Settings) -> GraphStore:
    url = settings.GRAPH_URL
    scheme = url.split("://", 1)[0].lower() if url else ""
    if scheme in ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"):
        from graph.neo4j import Neo4jGraph

        return Neo4jGraph(url)
    if scheme in ("ws", "wss"):
        from graph.gremlin import GremlinGraph

        return GremlinGraph(url)
    if scheme:
        raise ValueError(f"GRAPH_URL scheme {scheme!r} is not one of neo4j://, bolt://, ws:// (Gremlin)")
    from graph.memory import MemoryGraph

    return MemoryGraph()


def make_bus(settings: Settings) -> Bus:
    if settings.REDIS_URL:
        from subscriptions.redis import RedisBus

        return RedisBus(settings.REDIS_URL, settings.SUBSCRIBER_QUEUE_SIZE)
    from subscriptions.memory import MemoryBus

    return MemoryBus(settings.SUBSCRIBER_QUEUE_SIZE)


@dataclass
class Backends:
    store: DocumentStore
    graph: GraphStore
    bus: Bus

    def named(self) -> dict[str, Any]:
        return {"store": self.store, "graph": self.graph, "bus": self.bus}

    async def health(self) -> dict[str, dict[str, str]]:
        """Each backend's kind and status ("ok" or "down: <reason>"), pinged side by side, each within
        HEALTH_SECONDS (a store that is gone makes its driver wait longer than a health check may)."""

        async def status(backend: Any) -> str:
            try:
                async with asyncio.timeout(HEALTH_SECONDS):
                    await backend.ping()
            except TimeoutError:
                return f"down: no answer within {HEALTH_SECONDS:g} s"
            except Exception as exc:
                return f"down: {type(exc).__name__}"
            return "ok"

        named = self.named()
        statuses = await asyncio.gather(*(status(b) for b in named.values()))
        return {name: {"kind": b.kind, "status": s} for (name, b), s in zip(named.items(), statuses, strict=True)}

    async def close(self) -> None:
        for name, backend in self.named().items():
            try:
                await backend.close()
            except Exception:
                log.exception("closing %s failed", name)


async def open_backends(settings: Settings) -> Backends:
    """Build and open the three backends; raise BackendUnavailable naming the one that did not answer."""
    backends = Backends(make_store(settings), make_graph(settings), make_bus(settings))
    opened: list[Any] = []
    for name, backend in backends.named().items():
        try:
            await backend.open()
        except Exception as exc:
            for done in opened:
                with contextlib.suppress(Exception):
                    await done.close()
            raise BackendUnavailable(f"{name} ({backend.kind}) is unreachable: {exc}") from exc
        opened.append(backend)
    return backends

"""friendSuggestions latency on a generated graph (default 100k users, 2M follows), per graph backend.

    .venv/bin/python bench/friend_suggestions.py [--users N] [--follows N] [--graphs memory,neo4j] [--queries N]

Neo4j is started from tests/services unless NEO4J_URL is set. Latency is the whole use case (three neighbour
look-ups, the two-hop count, the users' documents from SQLite), warm, over random viewers with friends.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backends import Backends  # noqa: E402
from bench.common import percentile  # noqa: E402
from bench.synthetic import follow_graph  # noqa: E402
from graph.projector import Projector  # noqa: E402
from graph.protocol import GraphStore  # noqa: E402
from resolvers.services import Services  # noqa: E402
from resolvers.users import friend_suggestions, new_user  # noqa: E402
from settings import Settings  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402
from subscriptions.memory import MemoryBus  # noqa: E402


async def open_graph(kind: str) -> GraphStore:
    if kind == "memory":
        from graph.memory import MemoryGraph

        return MemoryGraph()
    if kind == "neo4j":
        from graph.neo4j import Neo4jGraph

        url = os.environ.get("NEO4J_URL") or MANAGER.url("neo4j")
        graph: GraphStore = Neo4jGraph(url)
    else:
        from graph.gremlin import GremlinGraph

        graph = GremlinGraph(os.environ.get("GREMLIN_URL") or MANAGER.url("gremlin"))
    await graph.open()
    await graph.clear()
    return graph


async def run(kind: str, args: argparse.Namespace, tmp: Path) -> None:
    src, dst = follow_graph(args.users, args.follows, seed=args.seed)
    ids = [f"u{i:07d}" for i in range(args.users)]
    follows = list(zip((ids[i] for i in src.tolist()), (ids[i] for i in dst.tolist()), strict=True))
    pairs = set(follows)
    friends = [(s, d) for s, d in follows if (d, s) in pairs]

    store = SqliteStore(tmp / f"{kind}.sqlite3")
    await store.open()
    rng = random.Random(args.seed)
    for i in range(0, args.users, 10_000):
        await store.insert_many(
            "users", [{**new_user(n), "_id": n, "influence": rng.random() * 100} for n in ids[i : i + 10_000]]
        )
    graph = await open_graph(kind)
    started = time.monotonic()
    await graph.add_edges("FOLLOWS", follows)
    await graph.add_edges("FRIEND", friends)
    load = time.monotonic() - started
    services = Services(
        Settings(DATA_DIR=tmp, DEV_LOGIN=True), Backends(store, graph, MemoryBus()), Projector(store, graph)
    )

    with_friends = sorted({s for s, _ in friends})
    viewers = [rng.choice(with_friends) for _ in range(args.queries + args.warmup)]
    latencies, found = [], 0
    for i, viewer in enumerate(viewers):
        t = time.perf_counter()
        result = await friend_suggestions(services, viewer, 10)
        if i >= args.warmup:
            latencies.append((time.perf_counter() - t) * 1000)
            found += len(result)
    print(
        f"{kind:7} users={args.users} follows={len(follows)} friend_edges={len(friends)} load={load:.1f}s "
        f"queries={len(latencies)} p50={percentile(latencies, 50):.2f}ms p95={percentile(latencies, 95):.2f}ms "
        f"p99={percentile(latencies, 99):.2f}ms mean={statistics.mean(latencies):.2f}ms "
        f"suggestions/query={found / len(latencies):.1f}",
        flush=True,
    )
    await graph.close()
    await store.close()


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int, default=100_000)
    p.add_argument("--follows", type=int, default=2_000_000)
    p.add_argument("--graphs", default="memory,neo4j")
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.graphs.split(","):
            await run(kind, args, Path(tmp))


if __name__ == "__main__":
    from tests.services import ServiceManager

    # a Neo4j sized for a 3M-relationship graph rather than for the tests
    os.environ.setdefault("YXG_NEO4J_HEAP", "2g")
    os.environ.setdefault("YXG_NEO4J_PAGECACHE_MB", "1024")
    MANAGER = ServiceManager()
    try:
        asyncio.run(main())
    finally:
        MANAGER.stop_all()

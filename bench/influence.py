"""The influence job at scale (default 1M users, 10M follow edges): time and peak memory.

    .venv/bin/python bench/influence.py [--users N] [--edges N]

The edges sit in the in-memory graph and the users in SQLite, as on the embedded default; the job streams the
edges out of the graph, runs PageRank and writes the changed scores back. Peak memory is the process's max RSS
(graph and store included), read from the OS.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic import follow_graph  # noqa: E402
from graph.memory import MemoryGraph  # noqa: E402
from jobs.influence import refresh_influence  # noqa: E402
from resolvers.users import new_user  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402


def rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int, default=1_000_000)
    p.add_argument("--edges", type=int, default=10_000_000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    t = time.monotonic()
    src, dst = follow_graph(args.users, args.edges, seed=args.seed)
    ids = [f"u{i:07d}" for i in range(args.users)]
    graph = MemoryGraph()
    for i in range(0, len(src), 1_000_000):
        await graph.add_edges(
            "FOLLOWS",
            [
                (ids[a], ids[b])
                for a, b in zip(src[i : i + 1_000_000].tolist(), dst[i : i + 1_000_000].tolist(), strict=True)
            ],
        )
    del src, dst
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "users.sqlite3")
        await store.open()
        for i in range(0, args.users, 50_000):
            await store.insert_many("users", [{**new_user(n), "_id": n} for n in ids[i : i + 50_000]])
        print(f"setup {time.monotonic() - t:.1f}s, rss so far {rss_gb():.2f} GB", flush=True)
        before = rss_gb()
        run = await refresh_influence(store, graph)
        print(
            f"influence job: users={run.users} edges={run.edges} written={run.written} seconds={run.seconds:.1f} "
            f"peak_rss={rss_gb():.2f}GB (of which setup {before:.2f}GB)",
            flush=True,
        )
        again = await refresh_influence(store, graph)
        print(f"second run (nothing changed): seconds={again.seconds:.1f} written={again.written}", flush=True)
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())

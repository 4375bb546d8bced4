"""Data rights at size: one user with N documents (half follows, half likes, plus N/10 orders) on the embedded
SQLite store.

    .venv/bin/python bench/data_rights.py [--rows 100000]

1. exportMyData's archive: seconds to write it, its size, and the peak Python memory while writing (tracemalloc),
   which stays at about a page of documents however many there are.
2. The same user's erasure by the sweep: seconds to carry it out (every follow counted off the other side, every
   like off its post, the orders anonymised) and over how many sweep runs (each spends ACCOUNT_ERASURE_SECONDS at
   most), then the projector applying its outbox events.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backends import Backends  # noqa: E402
from graph.memory import MemoryGraph  # noqa: E402
from graph.projector import Projector  # noqa: E402
from resolvers import account_deletion, data_export  # noqa: E402
from resolvers.services import Services  # noqa: E402
from resolvers.users import new_user  # noqa: E402
from settings import Settings  # noqa: E402
from store.collections import ensure_indexes  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402
from subscriptions.memory import MemoryBus  # noqa: E402

BATCH = 5000


async def seed(services: Services, rows: int) -> None:
    store = services.store
    half = rows // 2
    await store.insert_many("users", [{**new_user("大户"), "_id": "me"}])
    others = [{**new_user(f"u{i}"), "_id": f"u{i:06d}", "followerCount": 1} for i in range(half)]
    for start in range(0, half, BATCH):
        await store.insert_many("users", others[start : start + BATCH])
        await store.insert_many(
            "follows",
            [{"_id": f"me>u{i:06d}", "src": "me", "dst": f"u{i:06d}", "at": i} for i in range(start, start + BATCH)],
        )
        await store.insert_many(
            "posts",
            [
                {
                    "_id": f"p{i:06d}",
                    "authorId": f"u{i:06d}",
                    "moderation": "APPROVED",
                    "likeCount": 1,
                    "commentCount": 0,
                    "topics": [],
                    "productIds": [],
                    "createdAt": i,
                }
                for i in range(start, start + BATCH)
            ],
        )
        await store.insert_many(
            "likes",
            [
                {"_id": f"p{i:06d}>me", "postId": f"p{i:06d}", "userId": "me", "at": i}
                for i in range(start, start + BATCH)
            ],
        )
    await store.update_one("users", {"_id": "me"}, {"$set": {"followingCount": half}})
    orders = [
        {
            "_id": f"o{i:06d}",
            "number": f"N{i:06d}",
            "buyerId": "me",
            "status": "COMPLETED",
            "createdAt": i,
            "idempotencyKey": f"k{i}",
            "lines": [{"skuId": "s", "quantity": 1, "unitPrice": 100}],
            "total": 100,
            "shippingAddress": {
                "recipient": "大户",
                "phone": "13900000000",
                "provinceCode": "110000",
                "districtCode": "110105",
                "detail": "某路1号",
            },
            "phoneTail": "0000",
        }
        for i in range(rows // 10)
    ]
    for start in range(0, len(orders), BATCH):
        await store.insert_many("orders", orders[start : start + BATCH])


async def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.sqlite3")
        await store.open()
        await ensure_indexes(store)
        graph = MemoryGraph()
        services = Services(
            Settings(DATA_DIR=Path(tmp), DEV_LOGIN=True), Backends(store, graph, MemoryBus()), Projector(store, graph)
        )
        started = time.perf_counter()
        await seed(services, rows)
        print(f"seeded {rows:,} follows and likes and {rows // 10:,} orders in {time.perf_counter() - started:.1f} s")

        tracemalloc.start()
        started = time.perf_counter()
        doc = await data_export.request_export(services, "me")
        while services.background:
            await asyncio.gather(*services.background)
        took = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        ready = await store.get("data_exports", doc["_id"])
        assert ready is not None and ready["status"] == "READY", ready
        path = data_export.exports_dir(services) / ready["file"]
        counts = orjson.loads(path.read_bytes())["counts"]
        print(
            f"export: {took:.1f} s, {ready['bytes'] / 1e6:.1f} MB, {sum(counts.values()):,} documents, "
            f"peak Python memory while writing {peak / 1e6:.1f} MB"
        )

        await account_deletion.request_deletion(services, "me", None)
        later = services.now() + 16 * 86_400_000
        services.clock = lambda: later
        started, runs = time.perf_counter(), 0
        while not await account_deletion.erase_due(services):  # each run spends ACCOUNT_ERASURE_SECONDS at most
            runs += 1
        erased = time.perf_counter() - started
        budget = services.settings.ACCOUNT_ERASURE_SECONDS
        print(f"erasure: {erased:.1f} s over {runs + 1} sweep runs of at most {budget:g} s")
        started = time.perf_counter()
        await services.projector.drain()
        print(f"projector applying the erasure's outbox events: {time.perf_counter() - started:.1f} s")
        assert await store.count("follows", {"src": "me"}) == 0 and await store.count("likes", {"userId": "me"}) == 0
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().rows))

"""Orders under load.

    .venv/bin/python bench/orders.py [--skip-mongo] [--requests N] [--concurrency 32]

1. Contention: 1,000 buyers race for 100 units through the placeOrder use case, on SQLite and on the MongoDB-wire
   server the tests use (FerretDB 1.24, started here unless MONGO_URL is set): orders placed and stock left.
2. placeOrder over HTTP against a real server process on the embedded default (DEV_LOGIN), from this process:
   orders/s and latency percentiles at the given concurrency, each worker its own buyers (each placing as many
   unpaid orders as the default UNPAID_ORDERS_MAX allows) and keys.
3. `products(first: 100) { ... shop { name owner { nickname } } }` over HTTP: requests/s and latency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backends import Backends  # noqa: E402
from bench.common import percentile, server_process  # noqa: E402
from graph.memory import MemoryGraph  # noqa: E402
from graph.projector import Projector  # noqa: E402
from resolvers import catalog, orders  # noqa: E402
from resolvers.errors import Refused  # noqa: E402
from resolvers.services import Services  # noqa: E402
from settings import Settings  # noqa: E402
from store.collections import ensure_indexes  # noqa: E402
from store.protocol import DocumentStore  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402
from subscriptions.memory import MemoryBus  # noqa: E402


async def contention(store: DocumentStore, label: str, tmp: Path) -> None:
    await store.open()
    await ensure_indexes(store)
    graph = MemoryGraph()
    services = Services(
        Settings(DATA_DIR=tmp, DEV_LOGIN=True), Backends(store, graph, MemoryBus()), Projector(store, graph)
    )
    shop = await catalog.create_shop(services, "seller", "抢购店")
    product = await catalog.create_product(
        services, shop["_id"], "限量茶饼", "", [], None, [{"specs": [], "price": 9900, "stock": 100}]
    )
    sku_id = f"{product['_id']}000"

    async def buy(i: int) -> str:
        try:
            await orders.place_order(services, f"buyer{i}", [(sku_id, 1)], "flash")
        except Refused as exc:
            return exc.code
        except Exception as exc:  # the store gave up (FerretDB's SQLite backend answers "database is locked")
            return f"error: {type(exc).__name__}"
        return "ok"

    started = time.monotonic()
    results = await asyncio.gather(*(buy(i) for i in range(1000)))
    seconds = time.monotonic() - started
    stock = (await store.get("skus", sku_id) or {})["stock"]
    placed = await store.count("orders", {"status": "PENDING_PAYMENT"})
    verdict = "exact" if placed + stock == 100 and placed == results.count("ok") else "NOT EXACT"
    failed = len([r for r in results if r.startswith("error")])
    print(
        f"contention {label:28} buyers=1000 units=100 orders={placed} stock_left={stock} "
        f"refused={results.count('OUT_OF_STOCK')} store_errors={failed} {verdict} in {seconds:.2f}s",
        flush=True,
    )
    await store.drop_all()
    await store.close()


async def gql(
    session: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json={"query": query, "variables": variables}, headers=headers) as resp:
        body: dict[str, Any] = await resp.json()
        return body


LOGIN = "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken } }"
PLACE = """mutation($s: ID!, $k: String!) { placeOrder(input: {lines: [{skuId: $s, quantity: 1}], idempotencyKey: $k}) {
  order { id number total { amount } } errors { code } } }"""
UNPAID_ORDERS = Settings.model_fields["UNPAID_ORDERS_MAX"].default  # unpaid orders one buyer may hold at once
PRODUCTS = "{ products(first: 100) { edges { node { title price { amount } shop { name owner { nickname } } } } } }"


async def http_load(args: argparse.Namespace, tmp: Path) -> None:
    async with (
        # one seller lists 100 products: past the listing rate limit; the hold limits are the defaults (each buyer
        # places at most UNPAID_ORDERS at once, as a real buyer may)
        server_process(tmp / "http", PRODUCTS_PER_MINUTE="1000") as base,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency * 2)) as session,
    ):
        url = base + "/graphql"
        seller = (await gql(session, url, LOGIN, {"n": "压测卖家"}))["data"]["devLogin"]["accessToken"]
        shop = await gql(session, url, 'mutation { createShop(input: {name: "压测店"}) { shop { id } } }', {}, seller)
        shop_id = shop["data"]["createShop"]["shop"]["id"]
        sku_input = {"specs": [], "price": 1990, "stock": 1_000_000}
        for i in range(100):  # a catalog page of 100 products for the listing test
            product = await gql(
                session,
                url,
                "mutation($in: CreateProductInput!) { createProduct(input: $in) { product { skus { id } } } }",
                {
                    "in": {
                        "shopId": shop_id,
                        "title": f"压测商品{i}",
                        "description": "",
                        "images": [],
                        "skus": [sku_input],
                    }
                },
                seller,
            )
        sku_id = product["data"]["createProduct"]["product"]["skus"][0]["id"]
        per_worker = args.requests // args.concurrency
        buyers = -(-per_worker // UNPAID_ORDERS)  # each worker's orders come from this many buyers in turn
        tokens = [
            [
                (await gql(session, url, LOGIN, {"n": f"压测买家{w}号{b}"}))["data"]["devLogin"]["accessToken"]
                for b in range(buyers)
            ]
            for w in range(args.concurrency)
        ]
        latencies: list[float] = []
        errors = 0

        async def worker(w: int) -> None:
            nonlocal errors
            for i in range(per_worker):
                t = time.perf_counter()
                body = await gql(session, url, PLACE, {"s": sku_id, "k": f"w{w}-{i}"}, tokens[w][i // UNPAID_ORDERS])
                latencies.append((time.perf_counter() - t) * 1000)
                if body.get("errors") or body["data"]["placeOrder"]["errors"]:
                    errors += 1

        await asyncio.gather(*(worker(w) for w in range(min(args.concurrency, 4))))  # warm up
        latencies.clear()
        started = time.monotonic()
        await asyncio.gather(*(worker(w) for w in range(args.concurrency)))
        seconds = time.monotonic() - started
        print(
            f"placeOrder over HTTP, embedded default, concurrency={args.concurrency}: {len(latencies)} orders in "
            f"{seconds:.1f}s = {len(latencies) / seconds:.0f} orders/s; p50={percentile(latencies, 50):.1f}ms "
            f"p99={percentile(latencies, 99):.1f}ms errors={errors}",
            flush=True,
        )
        listing: list[float] = []

        async def lister() -> None:
            for _ in range(40):
                t = time.perf_counter()
                body = await gql(session, url, PRODUCTS, {})
                listing.append((time.perf_counter() - t) * 1000)
                assert len(body["data"]["products"]["edges"]) == 100

        started = time.monotonic()
        await asyncio.gather(*(lister() for _ in range(8)))
        seconds = time.monotonic() - started
        print(
            f"products(first: 100) with shop and owner, concurrency=8: {len(listing) / seconds:.0f} requests/s "
            f"({100 * len(listing) / seconds:.0f} products/s); p50={percentile(listing, 50):.1f}ms "
            f"p99={percentile(listing, 99):.1f}ms",
            flush=True,
        )


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--skip-mongo", action="store_true")
    p.add_argument("--requests", type=int, default=6400)
    p.add_argument("--concurrency", type=int, default=32)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        await contention(SqliteStore(tmp / "contention.sqlite3"), "SQLite (embedded)", tmp)
        if not args.skip_mongo:
            from store.mongo import MongoStore
            from tests.services import ServiceManager

            manager = ServiceManager()
            try:
                url = os.environ.get("MONGO_URL") or manager.url("mongo")
                label = "MongoDB wire (MONGO_URL)" if os.environ.get("MONGO_URL") else "MongoDB wire (FerretDB 1.24)"
                await contention(MongoStore(url, "yxg_bench_contention"), label, tmp)
            finally:
                manager.stop_all()
        await http_load(args, tmp)


if __name__ == "__main__":
    asyncio.run(main())

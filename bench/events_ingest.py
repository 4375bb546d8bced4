"""Event ingestion and what analytics cost an order.

    .venv/bin/python bench/events_ingest.py [--events 200000] [--concurrency 16] [--orders 2000]

1. trackEvents over HTTP against a real server process on the embedded default (one process): calls of 100
   PRODUCT_VIEW events each, from `concurrency` signed-in users at once; events/s accepted and the latency of a call,
   then how long the writer took to have them all in the store (the buffer flushes every tick or 500 events).
2. placeOrder over HTTP, p50/p99, with the analytics on (events of every order, the aggregate job at its default
   interval) and off (EVENTS_ENABLED=false, no aggregate job): the same load against fresh servers in turn, `rounds`
   pairs, each pair's p99 ratio and their median.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, server_process  # noqa: E402

LOGIN = "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken } }"
TRACK = "mutation($in: TrackEventsInput!) { trackEvents(input: $in) { accepted errors { code message } } }"
PLACE = """mutation($s: ID!, $k: String!) { placeOrder(input: {lines: [{skuId: $s, quantity: 1}], idempotencyKey: $k}) {
  order { id } errors { code } } }"""
CANCEL = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { errors { code } } }"


async def gql(session: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any], token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json={"query": query, "variables": variables}, headers=headers) as resp:
        return await resp.json(loads=orjson.loads)


async def login(session: aiohttp.ClientSession, url: str, name: str) -> str:
    return str((await gql(session, url, LOGIN, {"n": name}))["data"]["devLogin"]["accessToken"])


async def shop_with_sku(session: aiohttp.ClientSession, url: str) -> tuple[str, str]:
    seller = await login(session, url, "压测卖家")
    shop = await gql(session, url, 'mutation { createShop(input: {name: "压测店"}) { shop { id } } }', {}, seller)
    shop_id = shop["data"]["createShop"]["shop"]["id"]
    product_input = {
        "shopId": shop_id,
        "title": "压测商品",
        "description": "",
        "images": [],
        "skus": [{"specs": [], "price": 1990, "stock": 1_000_000}],
    }
    created = await gql(
        session,
        url,
        "mutation($in: CreateProductInput!) { createProduct(input: $in) { product { id skus { id } } } }",
        {"in": product_input},
        seller,
    )
    product = created["data"]["createProduct"]["product"]
    return shop_id, product["skus"][0]["id"]


async def ingest(args: argparse.Namespace, tmp: Path) -> None:
    settings = {"TRACKED_EVENTS_PER_MINUTE": "100000000", "AGGREGATE_SECONDS": args.aggregate_seconds}
    async with (
        server_process(tmp / "ingest", **settings) as base,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency * 2)) as session,
    ):
        url = base + "/graphql"
        shop_id, _ = await shop_with_sku(session, url)
        tokens = [await login(session, url, f"访客{i}") for i in range(args.concurrency)]
        calls = args.events // 100
        per_worker = calls // args.concurrency
        latencies: list[float] = []
        accepted = 0

        async def worker(w: int, n: int, tag: str) -> None:
            nonlocal accepted
            headers = {"Authorization": f"Bearer {tokens[w]}", "Content-Type": "application/json"}
            for i in range(n):
                events = [
                    {
                        "name": "PRODUCT_VIEW",
                        "shopId": shop_id,
                        "id": f"{tag}{w}-{i}-{j}",
                        "properties": {"productId": "p1"},
                    }
                    for j in range(100)
                ]
                body = orjson.dumps({"query": TRACK, "variables": {"in": {"events": events}}})
                t = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as resp:
                    answer = orjson.loads(await resp.read())
                latencies.append(time.perf_counter() - t)
                accepted += answer["data"]["trackEvents"]["accepted"]

        await asyncio.gather(*(worker(w, 2, "warm") for w in range(args.concurrency)))  # warm up
        latencies.clear()
        accepted = 0
        started = time.monotonic()
        await asyncio.gather(*(worker(w, per_worker, "run") for w in range(args.concurrency)))
        seconds = time.monotonic() - started
        expected = accepted + args.concurrency * 200
        db = tmp / "ingest" / "youxianggou.sqlite3"
        stored = 0
        waited = time.monotonic()
        while time.monotonic() - waited < 60:
            stored = _count_events(db)
            if stored >= expected:
                break
            await asyncio.sleep(0.2)
        offered, until_stored = len(latencies) * 100, time.monotonic() - started
        written = stored - args.concurrency * 200  # less the warm-up's
        print(
            f"trackEvents: {offered} events offered in {seconds:.1f}s = {offered / seconds:,.0f} events/s "
            f"({len(latencies)} calls of 100, concurrency {args.concurrency}), {accepted} accepted = "
            f"{accepted / seconds:,.0f} events/s (the rest shed: the writer's buffer was full); call p50 "
            f"{percentile(latencies, 50) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms; "
            f"{stored} of {expected} in the store {until_stored:.1f}s after the first call = "
            f"{written / until_stored:,.0f} events/s written"
        )


def _count_events(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return 0


async def orders(args: argparse.Namespace, tmp: Path, analytics: bool) -> tuple[float, float, float]:
    settings = (
        {"EVENTS_ENABLED": "true", "AGGREGATE_SECONDS": args.aggregate_seconds}
        if analytics
        else {
            "EVENTS_ENABLED": "false",
            "AGGREGATE_SECONDS": "0",
        }
    )
    label = "on" if analytics else "off"
    async with (
        server_process(tmp / f"orders-{label}", **settings) as base,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency * 2)) as session,
    ):
        url = base + "/graphql"
        _, sku = await shop_with_sku(session, url)
        tokens = [await login(session, url, f"买家{i}") for i in range(args.concurrency)]
        latencies: list[float] = []

        async def worker(w: int, n: int, tag: str) -> None:
            for i in range(n):
                t = time.perf_counter()
                placed = await gql(session, url, PLACE, {"s": sku, "k": f"{tag}-{w}-{i}"}, tokens[w])
                latencies.append(time.perf_counter() - t)
                # cancelled at once, so a buyer never reaches the cap of unpaid orders
                await gql(session, url, CANCEL, {"id": placed["data"]["placeOrder"]["order"]["id"]}, tokens[w])

        await asyncio.gather(*(worker(w, 5, "warm") for w in range(args.concurrency)))
        latencies.clear()
        started = time.monotonic()
        await asyncio.gather(*(worker(w, args.orders // args.concurrency, "run") for w in range(args.concurrency)))
        seconds = time.monotonic() - started
        p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
        print(
            f"placeOrder with analytics {label}: {len(latencies)} orders in {seconds:.1f}s, "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        )
        return p50, p99, len(latencies) / seconds


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--skip-orders", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="placeOrder off/on pairs")
    parser.add_argument("--aggregate-seconds", default="60", help="the aggregate job's interval (the default setting)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_ingest:
            await ingest(args, Path(tmp))
        if not args.skip_orders:
            ratios = []
            for round_ in range(args.rounds):  # off and on in turn: a p99 of 2,000 orders moves with the machine
                _, off, _ = await orders(args, Path(tmp) / f"round{round_}", analytics=False)
                _, on, _ = await orders(args, Path(tmp) / f"round{round_}", analytics=True)
                ratios.append(on / off)
            shown = ", ".join(f"{r:.2f}" for r in ratios)
            print(f"placeOrder p99: analytics on / off = {shown} (median {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    asyncio.run(main())

"""shopDashboard over 90 days, over HTTP against a real server process on the embedded default.

    .venv/bin/python bench/dashboard.py [--orders-per-day 11000] [--visitors-per-day 20000] [--requests 200]

The dashboard reads the shop's stored buckets (the aggregate job's output), so the bench writes those directly:
180 days (90 shown and 90 before them, for the change) of day buckets with HyperLogLog sketches of
`visitors-per-day` visitors and product viewers and of the day's paying buyers, and their 24 hour buckets, as
`resolvers/aggregates.recompute_day` leaves them for a shop with `orders-per-day` paid orders a day. It then asks
for the 90-day dashboard by DAY (every metric, funnel, channels, top products) `requests` times and reports the
latency; then, separately, the repurchase rate, which reads the orders themselves (`--repurchase-orders` of them
are written for it).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, server_process  # noqa: E402
from domain import metrics as rules  # noqa: E402
from domain.ids import from_global_id  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402

LOGIN = "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken } }"
BOARD = """query($s: ID!, $f: DateTime!, $t: DateTime!) {
  shopDashboard(shopId: $s, from: $f, to: $t, granularity: DAY) { errors { code }
    dashboard { buckets metrics { metric total previous change values }
      funnel { visitors productViewers placedBuyers paidBuyers } channels { channel orders gmv }
      topProducts(first: 10) { productId units gmv } } } }"""
REPURCHASE = """query($s: ID!, $f: DateTime!, $t: DateTime!) {
  shopDashboard(shopId: $s, from: $f, to: $t) { dashboard { repurchaseRate } } }"""
TZ = "Asia/Shanghai"


def day_doc(shop: str, day: datetime, rng: random.Random, orders: int, visitors: int) -> dict[str, object]:
    start = rules.day_start(day.date(), TZ)
    buyers = int(orders * 0.9)
    keys = {
        "visitors": (f"v{rng.randrange(visitors * 5)}" for _ in range(visitors)),
        "productViewers": (f"v{rng.randrange(visitors * 5)}" for _ in range(visitors // 2)),
        "payingBuyers": (f"b{rng.randrange(buyers * 20)}" for _ in range(buyers)),
        "activeDistributors": (f"d{rng.randrange(500)}" for _ in range(50)),
    }
    gmv = orders * 7500
    m = {k: 0 for k in rules.ADDITIVE} | {
        "gmv": gmv,
        "orders": orders,
        "refunds": gmv // 20,
        "refundsByOrderDate": gmv // 20,
        "pageViews": visitors * 4,
        "productViews": visitors * 2,
        "addToCart": visitors // 5,
        "shareOrders": orders * 35 // 100,
        "shareGmv": gmv * 35 // 100,
        "commission": gmv // 50,
        "funnelVisitors": visitors,
        "funnelProductViewers": visitors // 2,
        "funnelPlaced": orders,
        "funnelPaid": buyers,
        "visitors": visitors,
        "productViewers": visitors // 2,
        "payingBuyers": buyers,
        "activeDistributors": 50,
    }
    channels = {
        c: {"orders": orders // 8, "gmv": gmv // 8}
        for c in ("FRIEND", "GROUP", "MOMENTS", "POSTER", "LIVE", "NOTE", "DISTRIBUTOR", "DIRECT")
    }
    products = {f"p{i}": {"units": rng.randrange(1, 500), "gmv": rng.randrange(1000, 5_000_000)} for i in range(100)}
    return {
        "_id": f"{shop}:D:{day.date().isoformat()}",
        "shopId": shop,
        "grain": "D",
        "start": start,
        "day": day.date().isoformat(),
        "computedAt": 0,
        "m": m,
        "channels": channels,
        "products": products,
        "sketches": {k: rules.sketch(v) for k, v in keys.items()},
    }


def hour_docs(shop: str, day_start: int, orders: int) -> list[dict[str, object]]:
    return [
        {
            "_id": f"{shop}:H:{h}",
            "shopId": shop,
            "grain": "H",
            "start": h,
            "computedAt": 0,
            "m": {"gmv": orders * 7500 // 24, "orders": orders // 24},
            "channels": {},
        }
        for h in range(day_start, day_start + rules.DAY_MS, rules.HOUR_MS)
    ]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders-per-day", type=int, default=11_000)  # ~1M orders over 90 days
    parser.add_argument("--visitors-per-day", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repurchase-orders", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        async with (
            server_process(data, AGGREGATE_SECONDS="0") as base,
            aiohttp.ClientSession() as session,
        ):
            url = base + "/graphql"
            async with session.post(url, json={"query": LOGIN, "variables": {"n": "看板店主"}}) as r:
                token = (await r.json())["data"]["devLogin"]["accessToken"]
            headers = {"Authorization": f"Bearer {token}"}
            create = 'mutation { createShop(input: {name: "看板店"}) { shop { id } } }'
            async with session.post(url, json={"query": create}, headers=headers) as r:
                shop_gid = (await r.json())["data"]["createShop"]["shop"]["id"]
            shop = from_global_id(shop_gid)[1]
            end = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(hours=8)
            start = end - timedelta(days=90)
            store = SqliteStore(data / "youxianggou.sqlite3")
            await store.open()
            rng = random.Random(7)
            written = time.monotonic()
            for i in range(180):
                day = start - timedelta(days=90) + timedelta(days=i, hours=8)
                doc = day_doc(shop, day, rng, args.orders_per_day, args.visitors_per_day)
                await store.insert_many("shop_stats", [doc, *hour_docs(shop, int(doc["start"]), args.orders_per_day)])  # type: ignore[arg-type]
            print(f"wrote 180 days of buckets in {time.monotonic() - written:.1f}s")
            variables = {"s": shop_gid, "f": start.isoformat(), "t": end.isoformat()}
            latencies: list[float] = []

            async def ask(n: int, query: str) -> None:
                for _ in range(n):
                    t = time.perf_counter()
                    async with session.post(url, json={"query": query, "variables": variables}, headers=headers) as r:
                        body = await r.json()
                    latencies.append(time.perf_counter() - t)
                    assert "errors" not in body and not body["data"]["shopDashboard"].get("errors"), body

            await ask(1, BOARD)
            print(f"the first request (nothing cached): {latencies[0] * 1000:.0f} ms")
            await ask(4, BOARD)
            latencies.clear()
            await asyncio.gather(*(ask(args.requests // args.concurrency, BOARD) for _ in range(args.concurrency)))
            print(
                f"shopDashboard 90 days by DAY ({args.orders_per_day:,} orders and {args.visitors_per_day:,} "
                f"visitors a day): {len(latencies)} requests at concurrency {args.concurrency}, p50 "
                f"{percentile(latencies, 50) * 1000:.1f} ms, p95 {percentile(latencies, 95) * 1000:.1f} ms"
            )
            # the repurchase rate reads the orders paid in the period, the one before and the 30 days after
            first = start - timedelta(days=90)
            span = (end + timedelta(days=30) - first).total_seconds() * 1000
            orders = [
                {
                    "_id": f"o{i}",
                    "shopId": shop,
                    "buyerId": f"b{rng.randrange(args.repurchase_orders // 2)}",
                    "paidAt": int(first.timestamp() * 1000 + rng.random() * span),
                    "status": "COMPLETED",
                }
                for i in range(args.repurchase_orders)
            ]
            for i in range(0, len(orders), 5000):
                await store.insert_many("orders", orders[i : i + 5000])
            await store.close()
            latencies.clear()
            await ask(5, REPURCHASE)
            print(
                f"repurchaseRate over 90 days with {args.repurchase_orders:,} orders in the 210 days it reads: p50 "
                f"{percentile(latencies, 50) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms"
            )


if __name__ == "__main__":
    asyncio.run(main())

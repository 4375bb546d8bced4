"""The merchant's order desk with a big shop, on the embedded default (SQLite), over HTTP through a real server.

    .venv/bin/python bench/order_desk.py [--orders 1000000] [--export-orders 100000] [--requests 300]

Setup (not timed as part of any figure): the shop's orders are inserted in bulk straight through the store
(SqliteStore.insert_many, then the declared indexes are built), not through placeOrder, which would take hours at
this size: `--orders` orders of one shop over a year (80% COMPLETED, 5% PAID, 8% SHIPPED, 4% CANCELLED, 1% each
PENDING_PAYMENT, REFUNDING, REFUNDED), from 10,000 buyers with claimed nicknames, each with a phone tail and an
address snapshot as checkout writes them; and a second shop with `--export-orders` orders within 30 days.

Then, one request at a time against `python server.py serve`, latency percentiles of:
  Shop.orders(status: PAID, first: 20), and its next pages;   Shop.orders(first: 20) (every status);
  Shop.orders(query:) by a phone tail, by a buyer's nickname, by a whole order number, by a day's number prefix;
  Shop.orderCounts (kept counters: one get);
and the CSV export of the second shop's orders (exportShopOrders, then GET the URL, read to the end): seconds and the
server's peak RSS growth while it streams. Also the time to count the big shop's orders per status from the index
(what orderCounts would cost without its counters). Prints the CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, server_process  # noqa: E402
from domain.ids import to_global_id  # noqa: E402
from domain.orders import CHINA, STATUSES  # noqa: E402
from domain.text import skeleton  # noqa: E402
from domain.tokens import issue_access_token  # noqa: E402
from settings import Settings  # noqa: E402
from store.collections import ensure_indexes  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402

BUYERS = 10_000
BATCH = 20_000
YEAR_MS = 365 * 86_400_000
MIX = [
    ("COMPLETED", 80),
    ("SHIPPED", 8),
    ("PAID", 5),
    ("CANCELLED", 4),
    ("PENDING_PAYMENT", 1),
    ("REFUNDING", 1),
    ("REFUNDED", 1),
]
PATHS = {
    "PENDING_PAYMENT": ["PENDING_PAYMENT"],
    "PAID": ["PENDING_PAYMENT", "PAID"],
    "SHIPPED": ["PENDING_PAYMENT", "PAID", "SHIPPED"],
    "COMPLETED": ["PENDING_PAYMENT", "PAID", "SHIPPED", "COMPLETED"],
    "CANCELLED": ["PENDING_PAYMENT", "CANCELLED"],
    "REFUNDING": ["PENDING_PAYMENT", "PAID", "REFUNDING"],
    "REFUNDED": ["PENDING_PAYMENT", "PAID", "REFUNDING", "REFUNDED"],
}


def cpu() -> str:
    out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    name = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")), "?")
    return f"{name}, {os.cpu_count()} CPUs"


def order_doc(rng: random.Random, shop_id: str, i: int, created: int, buyer: str) -> dict[str, Any]:
    status = rng.choices([s for s, _ in MIX], [w for _, w in MIX])[0]
    serial = i + (50_000_000 if shop_id == "export-shop" else 0)  # unique across both shops
    number = datetime.fromtimestamp(created / 1000, CHINA).strftime("%Y%m%d%H%M%S") + f"{serial % 10**8:08d}"
    phone = f"13{rng.randrange(10**9):09d}"
    quantity = rng.randint(1, 3)
    subtotal = 1990 * quantity
    return {
        "_id": f"{shop_id}-{i:08d}",
        "number": number,
        "buyerId": buyer,
        "shopId": shop_id,
        "lines": [
            {
                "skuId": f"{shop_id}-sku",
                "productId": f"{shop_id}-product",
                "title": "西湖龙井 明前特级",
                "specs": [{"name": "规格", "value": "250g 礼盒"}],
                "quantity": quantity,
                "unitPrice": 1990,
            }
        ],
        "subtotal": subtotal,
        "discount": 0,
        "shippingFee": 800,
        "total": subtotal + 800,
        "status": status,
        "createdAt": created,
        "payBy": created + 900_000,
        "idempotencyKey": f"{shop_id}-k{i}",
        "couponClaimId": None,
        "shareToken": None,
        "history": [{"status": s, "at": created + n * 60_000} for n, s in enumerate(PATHS[status])],
        "shippingAddress": {
            "recipient": "张三",
            "phone": phone,
            "provinceCode": "330000",
            "provinceName": "浙江省",
            "cityCode": "330100",
            "cityName": "杭州市",
            "districtCode": "330106",
            "districtName": "西湖区",
            "detail": "文三路 100 号 1 幢 101 室",
            "postcode": None,
        },
        "phoneTail": phone[-4:],
        "checkoutId": None,
    }


async def setup(store: SqliteStore, orders: int, export_orders: int, now: int) -> dict[str, Any]:
    rng = random.Random(15)
    owner = {"_id": "bench-owner", "nickname": "压测店主", "nicknameKey": skeleton("压测店主"), "createdAt": now}
    buyers = [
        {"_id": f"bench-buyer-{b:05d}", "nickname": f"买家{b:05d}", "nicknameKey": skeleton(f"买家{b:05d}")}
        for b in range(BUYERS)
    ]
    users = [owner, *buyers]
    await store.insert_many("users", [{**u, "createdAt": now, "roles": [], "privacy": {}} for u in users])
    await store.insert_many("nicknames", [{"_id": u["nicknameKey"], "userId": u["_id"], "at": now} for u in users])
    shops = [
        {"_id": "big-shop", "name": "百万订单店", "ownerId": owner["_id"], "createdAt": now},
        {"_id": "export-shop", "name": "导出店", "ownerId": owner["_id"], "createdAt": now},
    ]
    await store.insert_many("shops", shops)
    for shop in shops:  # the product and SKU the orders' lines name (an order line without them is left out)
        product = {"_id": f"{shop['_id']}-product", "shopId": shop["_id"], "title": "西湖龙井 明前特级"}
        await store.insert("products", {**product, "price": 1990, "salesCount": 0, "createdAt": now, "images": []})
        await store.insert(
            "skus",
            {
                "_id": f"{shop['_id']}-sku",
                "productId": product["_id"],
                "shopId": shop["_id"],
                "title": product["title"],
                "specs": [{"name": "规格", "value": "250g 礼盒"}],
                "price": 1990,
                "stock": 1000,
            },
        )
    started = time.monotonic()
    for shop_id, count, span in (("big-shop", orders, YEAR_MS), ("export-shop", export_orders, 30 * 86_400_000)):
        step = span // count
        for start in range(0, count, BATCH):
            batch = [
                order_doc(rng, shop_id, i, now - span + i * step, buyers[rng.randrange(BUYERS)]["_id"])
                for i in range(start, min(count, start + BATCH))
            ]
            await store.insert_many("orders", batch)
    inserted = time.monotonic() - started
    started = time.monotonic()
    await ensure_indexes(store)
    indexed = time.monotonic() - started
    print(f"setup: {orders + export_orders} orders inserted in {inserted:.0f}s, indexes built in {indexed:.0f}s")
    sample = (await store.find("orders", {"shopId": "big-shop"}, limit=1000)).docs
    return {"owner": owner["_id"], "sample": sample, "buyers": [b["nickname"] for b in buyers]}


async def count_by_index(store: SqliteStore) -> None:
    started = time.monotonic()
    counts = {s: await store.count("orders", {"shopId": "big-shop", "status": s}) for s in STATUSES}
    seconds = time.monotonic() - started
    print(f"counting big-shop's orders per status from the index: {seconds * 1000:.0f}ms {counts}")


DESK = """query($s: ID!, $status: OrderStatus, $q: String, $after: String) {
  shop(id: $s) { orders(status: $status, query: $q, first: 20, after: $after) {
    edges { node { number status total { amount } buyer { nickname } lines { quantity } } }
    pageInfo { hasNextPage endCursor } } } }"""
COUNTS = "query($s: ID!) { shop(id: $s) { orderCounts { status count } } }"
EXPORT = """mutation($s: ID!, $from: DateTime!, $to: DateTime!) {
  exportShopOrders(input: {shopId: $s, from: $from, to: $to}) { url errors { code message } } }"""


async def timed(session: aiohttp.ClientSession, url: str, token: str, query: str, variables: dict[str, Any]) -> Any:
    t = time.perf_counter()
    async with session.post(
        url, json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        body = await resp.json()
    ms = (time.perf_counter() - t) * 1000
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return ms, body["data"]


def cpu_ms(pid: int) -> float:
    """The process's CPU time so far (user + system), in ms."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def report(label: str, latencies: list[float], server_cpu: float) -> None:
    print(
        f"{label:55} n={len(latencies):4} p50={percentile(latencies, 50):6.1f}ms "
        f"p95={percentile(latencies, 95):6.1f}ms p99={percentile(latencies, 99):6.1f}ms "
        f"server CPU {server_cpu / len(latencies):5.1f}ms/request",
        flush=True,
    )


async def desk_latency(
    base: str, token: str, facts: dict[str, Any], requests: int, pid: int, counts_kept: bool
) -> None:
    url = base + "/graphql"
    shop = to_global_id("Shop", "big-shop")
    rng = random.Random(7)
    sample = facts["sample"]
    async with aiohttp.ClientSession() as session:
        for _ in range(20):  # warm up: the first requests load pages into the cache
            await timed(session, url, token, DESK, {"s": shop, "status": "PAID"})

        async def series(label: str, make: Any, check: Any = None) -> None:
            latencies = []
            used = cpu_ms(pid)
            for _ in range(requests):
                ms, data = await timed(session, url, token, *make())
                if check is not None:
                    check(data)
                latencies.append(ms)
            report(label, latencies, cpu_ms(pid) - used)

        def full(data: dict[str, Any]) -> None:
            assert len(data["shop"]["orders"]["edges"]) == 20, data

        await series("Shop.orders(status: PAID, first: 20)", lambda: (DESK, {"s": shop, "status": "PAID"}), full)
        cursors: list[str] = []
        after = None
        for _ in range(10):
            _, data = await timed(session, url, token, DESK, {"s": shop, "status": "PAID", "after": after})
            after = data["shop"]["orders"]["pageInfo"]["endCursor"]
            cursors.append(after)
        await series(
            "Shop.orders(status: PAID, first: 20, after: pages 2-11)",
            lambda: (DESK, {"s": shop, "status": "PAID", "after": rng.choice(cursors)}),
            full,
        )
        await series("Shop.orders(first: 20) (every status)", lambda: (DESK, {"s": shop}), full)
        await series(
            "Shop.orders(query: phone tail)", lambda: (DESK, {"s": shop, "q": rng.choice(sample)["phoneTail"]})
        )
        await series(
            "Shop.orders(query: buyer nickname)", lambda: (DESK, {"s": shop, "q": rng.choice(facts["buyers"])})
        )

        def one(data: dict[str, Any]) -> None:
            assert len(data["shop"]["orders"]["edges"]) == 1, data

        await series(
            "Shop.orders(query: whole order number)",
            lambda: (DESK, {"s": shop, "q": rng.choice(sample)["number"]}),
            one,
        )
        await series(
            "Shop.orders(query: a day's number prefix, 8 digits)",
            lambda: (DESK, {"s": shop, "q": rng.choice(sample)["number"][:8]}),
            full,
        )
        await series(
            "Shop.orders(status: PAID, query: phone tail)",
            lambda: (DESK, {"s": shop, "status": "PAID", "q": rng.choice(sample)["phoneTail"]}),
        )
        kept = "kept by an earlier run" if counts_kept else "counted once from the index, then kept"
        ms, _ = await timed(session, url, token, COUNTS, {"s": shop})
        print(f"{'Shop.orderCounts, first call (' + kept + ')':55} {ms:.0f}ms", flush=True)
        await series("Shop.orderCounts (kept counters)", lambda: (COUNTS, {"s": shop}))


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def export_run(base: str, token: str, pid: int, span: tuple[int, int], expected: int) -> None:
    async with aiohttp.ClientSession() as session:
        variables = {
            "s": to_global_id("Shop", "export-shop"),
            "from": datetime.fromtimestamp(span[0] / 1000, UTC).isoformat(),
            "to": datetime.fromtimestamp((span[1] + 1) / 1000, UTC).isoformat(),
        }
        before = rss_kb(pid)
        peak = before
        done = False

        async def sample() -> None:
            nonlocal peak
            while not done:
                peak = max(peak, rss_kb(pid))
                await asyncio.sleep(0.02)

        sampler = asyncio.create_task(sample())
        used = cpu_ms(pid)
        started = time.monotonic()
        _, data = await timed(session, base + "/graphql", token, EXPORT, variables)
        size = rows = 0
        async with session.get(base + data["exportShopOrders"]["url"]) as resp:
            assert resp.status == 200, await resp.text()
            async for chunk in resp.content.iter_chunked(1 << 16):
                size += len(chunk)
                rows += chunk.count(b"\r\n")
        seconds = time.monotonic() - started
        used = cpu_ms(pid) - used
        done = True
        await sampler
        assert rows - 1 == expected, (rows, expected)
        print(
            f"CSV export of {rows - 1} orders: {seconds:.2f}s (server CPU {used / 1000:.2f}s), {size / 1e6:.1f} MB,"
            f" server RSS {before / 1024:.0f} MB -> peak {peak / 1024:.0f} MB (growth {(peak - before) / 1024:.1f} MB)",
            flush=True,
        )


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--export-orders", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--data-dir", type=Path, default=None, help="keep the data here (and reuse it if it is there)")
    args = p.parse_args()
    print(f"CPU: {cpu()}; load average {os.getloadavg()[0]:.1f} (the machine is shared: see server CPU/request)")
    with tempfile.TemporaryDirectory() as tmp_name:
        data = args.data_dir or Path(tmp_name) / "data"
        settings = Settings(DATA_DIR=data, DEV_LOGIN=True)
        token = issue_access_token(settings.secret_key(), "bench-owner", datetime.now(UTC), timedelta(hours=2))
        now = int(time.time() * 1000)
        store = SqliteStore(data / "youxianggou.sqlite3")
        await store.open()
        if await store.get("shops", "big-shop") is None:
            facts = await setup(store, args.orders, args.export_orders, now)
        else:
            sample = (await store.find("orders", {"shopId": "big-shop"}, limit=1000)).docs
            facts = {"sample": sample, "buyers": [f"买家{b:05d}" for b in range(BUYERS)]}
        await count_by_index(store)
        counts_kept = bool((await store.get("shop_order_counts", "big-shop") or {}).get("exact"))
        where = {"shopId": "export-shop"}
        oldest = (await store.find("orders", where, sort="createdAt", limit=1)).docs[0]["createdAt"]
        newest = (await store.find("orders", where, sort="createdAt", direction=-1, limit=1)).docs[0]["createdAt"]
        expected = await store.count("orders", where)
        await store.close()
        pids: list[int] = []
        async with server_process(data, pids) as base:
            await desk_latency(base, token, facts, args.requests, pids[0], counts_kept)
            await export_run(base, token, pids[0], (oldest, newest), expected)


if __name__ == "__main__":
    asyncio.run(main())

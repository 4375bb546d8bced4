"""The seckill (秒杀) rush over HTTP against a real server process, on the embedded default and with Redis.

    .venv/bin/python bench/seckill.py [--users 5000] [--units 500] [--bots 50] [--bot-attempts 20] [--skip-redis]

A campaign of `units` units, limit 1 a user, its slot running. `users` buyers each fetch the slot's path token and
fire one attempt, all at once, while `bots` buyers fire `bot-attempts` concurrent attempts each (SECKILL_ATTEMPTS_PER
_SECOND turns most of those away). Then every buyer fires two more attempts at the sold-out SKU: the refusal path,
answered from the process's sold-out flag. Checked after the server stopped, in its store: exactly `units` orders,
nobody above the limit, the seckill stock at 0. Printed: the rush's attempts/s, the sold-out path's rate and p50/p99.
Redis is the tests' (tests/services: started here unless REDIS_URL is set).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, server_process  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402

LOGIN = "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken } }"
TOKEN = "query($c: ID!) { seckillPathToken(campaignId: $c) { token } }"
ORDER = """mutation($c: ID!, $s: ID!, $t: String!, $k: String!) {
  seckillOrder(input: {campaignId: $c, skuId: $s, quantity: 1, pathToken: $t, idempotencyKey: $k}) {
    order { id } errors { code } } }"""
CREATE = """mutation($in: CreateSeckillCampaignInput!) { createSeckillCampaign(input: $in) {
  campaign { id } errors { code field message } } }"""
REMAINING = "query($c: ID!) { seckillCampaign(id: $c) { items { remaining } } }"
CHINA = timezone(timedelta(hours=8))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def gql(
    session: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json={"query": query, "variables": variables}, headers=headers) as resp:
        body: dict[str, Any] = await resp.json()
        return body


async def bounded(limit: int, jobs: list[Any]) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def run(job: Any) -> Any:
        async with gate:
            return await job

    return await asyncio.gather(*(run(j) for j in jobs))


async def campaign(session: aiohttp.ClientSession, url: str, units: int) -> tuple[str, str, str]:
    seller = (await gql(session, url, LOGIN, {"n": "秒杀卖家"}))["data"]["devLogin"]["accessToken"]
    shop = await gql(session, url, 'mutation { createShop(input: {name: "秒杀店"}) { shop { id } } }', {}, seller)
    shop_id = shop["data"]["createShop"]["shop"]["id"]
    product = await gql(
        session,
        url,
        "mutation($in: CreateProductInput!) { createProduct(input: $in) { product { skus { id } } } }",
        {
            "in": {
                "shopId": shop_id,
                "title": "秒杀茶饼",
                "description": "",
                "images": [],
                "skus": [{"specs": [], "price": 9900, "stock": units + 100}],
            }
        },
        seller,
    )
    sku = product["data"]["createProduct"]["product"]["skus"][0]["id"]
    now = datetime.now(UTC)
    start = now.astimezone(CHINA) - timedelta(minutes=5)
    made = await gql(
        session,
        url,
        CREATE,
        {
            "in": {
                "shopId": shop_id,
                "name": "整点秒杀",
                "startsAt": (now - timedelta(hours=1)).isoformat(),
                "endsAt": (now + timedelta(days=1)).isoformat(),
                "slots": [{"start": start.strftime("%H:%M"), "end": (start + timedelta(hours=1)).strftime("%H:%M")}],
                "items": [{"skuId": sku, "price": 100, "stock": units}],
                "limitPerUser": 1,
                "limitPerOrder": 1,
            }
        },
        seller,
    )
    assert made["data"]["createSeckillCampaign"]["errors"] == [], made
    return made["data"]["createSeckillCampaign"]["campaign"]["id"], sku, seller


async def run(args: argparse.Namespace, data_dir: Path, label: str, **settings: str) -> None:
    connector = aiohttp.TCPConnector(limit=args.connections)
    pids: list[int] = []
    async with (
        server_process(data_dir, pids, **settings) as base,
        aiohttp.ClientSession(connector=connector) as session,
    ):
        url = base + "/graphql"
        campaign_id, sku, _ = await campaign(session, url, args.units)
        names = [f"买家{i}" for i in range(args.users)] + [f"脚本{i}" for i in range(args.bots)]
        started = time.monotonic()
        logins = await bounded(32, [gql(session, url, LOGIN, {"n": n}) for n in names])
        tokens = [b["data"]["devLogin"]["accessToken"] for b in logins]
        paths = [
            b["data"]["seckillPathToken"]["token"]
            for b in await bounded(32, [gql(session, url, TOKEN, {"c": campaign_id}, t) for t in tokens])
        ]
        print(f"{label}: {len(names)} logins and path tokens in {time.monotonic() - started:.1f}s", flush=True)

        async def attempt(i: int, key: str) -> tuple[str, float]:
            t = time.perf_counter()
            body = await gql(session, url, ORDER, {"c": campaign_id, "s": sku, "t": paths[i], "k": key}, tokens[i])
            ms = (time.perf_counter() - t) * 1000
            if body.get("errors"):
                return f"error: {body['errors'][0].get('message')}", ms
            payload = body["data"]["seckillOrder"]
            return ("ok" if payload["order"] else payload["errors"][0]["code"]), ms

        # the rush: every buyer once, every bot bot_attempts times, all at once
        jobs = [attempt(i, "rush") for i in range(args.users)]
        jobs += [attempt(args.users + b, f"bot{j}") for b in range(args.bots) for j in range(args.bot_attempts)]
        started = time.monotonic()
        rush = await asyncio.gather(*jobs)
        seconds = time.monotonic() - started
        outcomes = Counter(r for r, _ in rush)
        print(
            f"{label}: rush of {len(jobs)} attempts ({args.users} buyers x1, {args.bots} bots x{args.bot_attempts}) "
            f"in {seconds:.2f}s = {len(jobs) / seconds:.0f} attempts/s; {dict(outcomes)}; "
            f"p50={percentile([ms for _, ms in rush], 50):.1f}ms p99={percentile([ms for _, ms in rush], 99):.1f}ms",
            flush=True,
        )
        # the sold-out path: every buyer twice more, at the sold-out SKU (within their attempts a second)
        await asyncio.sleep(1.0)
        refusals = [attempt(i, f"late{j}") for j in range(2) for i in range(args.users)]
        started, cpu = time.monotonic(), cpu_seconds(pids[0])
        late = await bounded(args.connections, refusals)
        seconds, cpu = time.monotonic() - started, cpu_seconds(pids[0]) - cpu
        sold_out = [ms for r, ms in late if r == "OUT_OF_STOCK"]
        print(
            f"{label}: sold-out path, {len(late)} attempts at concurrency {args.connections} in {seconds:.2f}s = "
            f"{len(late) / seconds:.0f}/s; {dict(Counter(r for r, _ in late))}; "
            f"p50={percentile(sold_out, 50):.1f}ms p99={percentile(sold_out, 99):.1f}ms; server CPU "
            f"{cpu / len(late) * 1000:.2f} ms a refusal = {len(late) / cpu:.0f} refusals/s per core of the server",
            flush=True,
        )
        remaining = (await gql(session, url, REMAINING, {"c": campaign_id}))["data"]["seckillCampaign"]
    store = SqliteStore(data_dir / "youxianggou.sqlite3")
    await store.open()
    try:
        page = await store.find("orders", {}, limit=100_000)
        seckill_orders = [o for o in page.docs if o.get("seckillCampaignId")]
        per_buyer = Counter(o["buyerId"] for o in seckill_orders)
        exact = (
            len(seckill_orders) == args.units
            and max(per_buyer.values(), default=0) <= 1
            and remaining["items"][0]["remaining"] == 0
            and outcomes["ok"] == args.units
        )
        print(
            f"{label}: {len(seckill_orders)} orders for {args.units} units, most by one buyer "
            f"{max(per_buyer.values(), default=0)}, seckill stock left {remaining['items'][0]['remaining']}: "
            f"{'exact' if exact else 'NOT EXACT'}",
            flush=True,
        )
    finally:
        await store.close()


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int, default=5000)
    p.add_argument("--units", type=int, default=500)
    p.add_argument("--bots", type=int, default=50)
    p.add_argument("--bot-attempts", type=int, default=20)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--skip-redis", action="store_true")
    args = p.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        await run(args, tmp / "embedded", "embedded")
        if not args.skip_redis:
            from tests.services import ServiceManager

            manager = ServiceManager()
            try:
                url = os.environ.get("REDIS_URL") or manager.url("redis")
                await run(args, tmp / "redis", "redis", REDIS_URL=url)
            finally:
                manager.stop_all()


if __name__ == "__main__":
    asyncio.run(main())

"""The points ledger and the points mall in process on the embedded default (SQLite): ledger appends spread over
many members and piled on one, and a rush on a points reward. Prints throughput, p50/p99 and the exact outcome.

    .venv/bin/python bench/points.py [--members 200] [--per-member 10] [--rush 1000] [--units 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backends import Backends
from bench.common import percentile
from graph.memory import MemoryGraph
from graph.projector import Projector
from resolvers import catalog, coupons, points, rewards
from resolvers.errors import Refused
from resolvers.services import Services, now_ms
from settings import Settings
from store.collections import ensure_indexes
from store.sqlite import SqliteStore
from subscriptions.memory import MemoryBus


async def timed(calls: list[Awaitable[Any]]) -> tuple[float, list[float], list[str]]:
    """(seconds, each call's latency in ms, each outcome) of the calls run at once."""
    latencies: list[float] = []

    async def one(call: Awaitable[Any]) -> str:
        start = time.perf_counter()
        try:
            await call
            outcome = "ok"
        except Refused as exc:
            outcome = exc.code
        latencies.append((time.perf_counter() - start) * 1000)
        return outcome

    start = time.perf_counter()
    outcomes = await asyncio.gather(*(one(c) for c in calls))
    return time.perf_counter() - start, latencies, list(outcomes)


def report(name: str, seconds: float, latencies: list[float], outcomes: list[str]) -> None:
    counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
    print(
        f"{name}: {len(outcomes)} calls in {seconds:.2f} s = {len(outcomes) / seconds:,.0f}/s, "
        f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, {counts}"
    )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.sqlite3")
        await store.open()
        await ensure_indexes(store)
        services = Services(
            Settings(DATA_DIR=Path(tmp), DEV_LOGIN=True),
            Backends(store, MemoryGraph(), MemoryBus()),
            Projector(store, MemoryGraph()),
        )
        members = [f"m{i}" for i in range(max(args.members, args.rush))]
        await store.insert_many("users", [{"_id": m, "nickname": m, "points": 0, "createdAt": 0} for m in members])

        spread = [
            points.earn(services, m, 10, key=f"e:{m}:{j}", reason="BENCH")
            for j in range(args.per_member)
            for m in members[: args.members]
        ]
        report(f"earn, {args.members} members x {args.per_member}", *await timed(spread))

        piled = [points.spend(services, "m0", 1, key=f"s:{j}", reason="BENCH") for j in range(args.per_member * 20)]
        report(f"spend, 1 member x {len(piled)} at once (balance {10 * args.per_member})", *await timed(piled))

        shop = await catalog.create_shop(services, "seller", "店")
        coupon = await coupons.create_coupon(
            services, "seller", shop["_id"], "券", 100, 1000, now_ms() + 3_600_000, args.units
        )
        reward = await rewards.create_reward(
            services,
            "seller",
            shop["_id"],
            kind="COUPON",
            title="兑换券",
            points_cost=5,
            stock=args.units,
            per_user_limit=1,
            coupon_id=coupon["_id"],
        )
        for m in members[: args.rush]:
            await points.earn(services, m, 5, key=f"r:{m}", reason="BENCH")
        rush = [rewards.redeem(services, m, reward["_id"], "rush") for m in members[: args.rush]]
        report(f"redeemPoints rush, {args.rush} members for {args.units} units", *await timed(rush))
        left = (await store.get("points_rewards", reward["_id"]) or {})["remaining"]
        issued = await store.count("points_redemptions", {"status": "ISSUED"})
        print(
            f"  units left {left}, redemptions issued {issued}, coupons claimed "
            f"{await store.count('coupon_claims', {'couponId': coupon['_id']})}"
        )
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--per-member", type=int, default=10)
    parser.add_argument("--rush", type=int, default=1000)
    parser.add_argument("--units", type=int, default=100)
    asyncio.run(main(parser.parse_args()))

"""Group buying and bargains under contention, through the use cases on the embedded store (SQLite).

    .venv/bin/python bench/group_buy.py [--teams 100] [--joins 1000] [--bargains 1000] [--helps 10000]

1. `--joins` users join `--teams` teams of 5 seats (leader + 4) all at once, spread evenly in random order (10
   attempts for each team's 4 free seats by default): exactly 5 seats per team taken, never more; joins/s.
2. `--helps` help attempts by distinct helpers spread evenly, in random order, over `--bargains` bargains needing
   5 cuts each (10 attempts for 5 cuts by default), all at once: every bargain must end exactly at its floor with
   exactly 5 cuts; attempts/s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backends import Backends  # noqa: E402
from graph.memory import MemoryGraph  # noqa: E402
from graph.projector import Projector  # noqa: E402
from resolvers import bargains, catalog, teams  # noqa: E402
from resolvers.errors import Refused  # noqa: E402
from resolvers.services import Services  # noqa: E402
from settings import Settings  # noqa: E402
from store.collections import ensure_indexes  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402
from subscriptions.memory import MemoryBus  # noqa: E402


async def outcome(coro: object) -> str:
    try:
        await coro  # type: ignore[misc]
    except Refused as exc:
        return exc.code
    return "ok"


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--teams", type=int, default=100)
    p.add_argument("--joins", type=int, default=1000)
    p.add_argument("--bargains", type=int, default=1000)
    p.add_argument("--helps", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.sqlite3")
        await store.open()
        await ensure_indexes(store)
        graph = MemoryGraph()
        settings = Settings(DATA_DIR=Path(tmp), DEV_LOGIN=True, BARGAIN_DAILY_HELPS=1_000)
        services = Services(settings, Backends(store, graph, MemoryBus()), Projector(store, graph))
        shop = await catalog.create_shop(services, "seller", "压测店")
        tiers = {"tiers": [{"size": 2, "price": 900}, {"size": 5, "price": 700}], "durationMinutes": 60}
        product = await catalog.create_product(
            services,
            shop["_id"],
            "拼团压测",
            "",
            [],
            None,
            [{"specs": [], "price": 1000, "stock": 1_000_000}],
            group_buy=tiers,
        )
        sku = f"{product['_id']}000"
        team_ids = [(await teams.start_team(services, f"leader{i}", sku, "start"))[0]["_id"] for i in range(args.teams)]
        joins = [(f"joiner{i}", team_ids[i % len(team_ids)]) for i in range(args.joins)]
        rng.shuffle(joins)
        started = time.monotonic()
        results = await asyncio.gather(*(outcome(teams.join_team(services, u, t, sku, "join")) for u, t in joins))
        seconds = time.monotonic() - started
        seats = [(await store.get("teams", t) or {})["seats"] for t in team_ids]
        members = Counter(m["teamId"] for m in (await store.find("team_members", limit=10 * args.joins)).docs)
        ok = all(s <= 5 for s in seats) and all(members[t] == s for t, s in zip(team_ids, seats, strict=True))
        print(
            f"teams: {args.joins} concurrent joins for {args.teams} teams of 5 seats in {seconds:.2f}s "
            f"({args.joins / seconds:.0f} joins/s): seats taken {sum(seats)} (leaders {args.teams} + joins "
            f"{results.count('ok')}), fullest team {max(seats)}, "
            f"refused {dict(Counter(r for r in results if r != 'ok'))}, "
            f"{'exact' if ok else 'NOT EXACT'}",
            flush=True,
        )

        cuts = 5
        offer = {"floorPrice": 5000, "helpersNeeded": cuts, "durationMinutes": 60}
        product = await catalog.create_product(
            services,
            shop["_id"],
            "砍价压测",
            "",
            [],
            None,
            [{"specs": [], "price": 10_000, "stock": 1_000_000}],
            bargain=offer,
        )
        sku = f"{product['_id']}000"
        bargain_ids = [(await bargains.start_bargain(services, f"owner{i}", sku))["_id"] for i in range(args.bargains)]
        attempts = [(f"helper{i}", bargain_ids[i % len(bargain_ids)]) for i in range(args.helps)]
        rng.shuffle(attempts)
        bargains._bursts.limit = 10**9  # this measures contention on the bargains, not the per-helper burst limit
        started = time.monotonic()
        results = await asyncio.gather(*(outcome(bargains.help_bargain(services, h, b)) for h, b in attempts))
        seconds = time.monotonic() - started
        docs = [await store.get("bargains", b) or {} for b in bargain_ids]
        at_floor = sum(
            1 for d in docs if d["currentPrice"] == 5000 and d["cutsDone"] == cuts and len(d["cuts"]) == cuts
        )
        below = sum(1 for d in docs if d["currentPrice"] < 5000)
        print(
            f"bargains: {args.helps} concurrent help attempts over {args.bargains} bargains of {cuts} cuts "
            f"in {seconds:.2f}s "
            f"({args.helps / seconds:.0f} attempts/s): cuts {results.count('ok')}, bargains exactly at the floor "
            f"{at_floor}/{args.bargains}, below it {below}, refused {dict(Counter(r for r in results if r != 'ok'))}",
            flush=True,
        )
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())

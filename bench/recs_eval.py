"""Offline evaluation of recommendedProducts on a synthetic social-commerce world with planted structure, and
its latency at scale.

    .venv/bin/python bench/recs_eval.py [--users 5000] [--seed 7] [--eval-users 1000]
    .venv/bin/python bench/recs_eval.py --perf [--users 100000 --follows 2000000 --purchases 1000000]

The world: users in communities of 100, each community with two favourite categories; follows mostly inside the
community (half of them returned: friends); purchases made in rounds, each one either from the community's
favourite categories, a copy of a friend's earlier purchase (friends influence each other), or a globally
popular item (Zipf). Each user's last purchase is hidden; the rest is the training data (BOUGHT edges, sales).
Reported: Recall@20 and NDCG@20 of our recommender against a popularity baseline and an item-to-item
(co-purchase only) baseline, over users with a hidden purchase.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backends import Backends  # noqa: E402
from bench.common import percentile  # noqa: E402
from graph.memory import MemoryGraph  # noqa: E402
from graph.projector import Projector  # noqa: E402
from resolvers.recommend import recommended  # noqa: E402
from resolvers.services import Services  # noqa: E402
from resolvers.users import new_user  # noqa: E402
from settings import Settings  # noqa: E402
from store.collections import ensure_indexes  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402
from subscriptions.memory import MemoryBus  # noqa: E402

K = 20


def world(
    users: int, follows_per_user: int, purchases_per_user: int, seed: int
) -> tuple[list[tuple[int, int]], list[list[int]], int]:
    """(follow pairs, each user's purchases in order, number of products)."""
    rng = random.Random(seed)
    categories, per_category = 20, 50
    products = categories * per_category
    community_of = [u // 100 for u in range(users)]
    favourite = {c: rng.sample(range(categories), 2) for c in set(community_of)}
    follows: set[tuple[int, int]] = set()
    for u in range(users):
        base = community_of[u] * 100
        for _ in range(follows_per_user):
            v = base + rng.randrange(100) if rng.random() < 0.8 else rng.randrange(users)
            if v != u and v < users:
                follows.add((u, v))
                if rng.random() < 0.5:
                    follows.add((v, u))
    friends: dict[int, list[int]] = {}
    for u, v in follows:
        if (v, u) in follows:
            friends.setdefault(u, []).append(v)
    weights = [1 / (i + 1) ** 1.1 for i in range(products)]
    popular_order = list(range(products))
    rng.shuffle(popular_order)
    bought: list[list[int]] = [[] for _ in range(users)]
    for _ in range(purchases_per_user):
        for u in range(users):
            roll = rng.random()
            mates = [f for f in friends.get(u, []) if bought[f]]
            if roll < 0.35 and mates:
                pick = rng.choice(bought[rng.choice(mates)])
            elif roll < 0.8:
                category = rng.choice(favourite[community_of[u]])
                pick = category * per_category + min(per_category - 1, int(rng.expovariate(1 / 8)))
            else:
                pick = popular_order[rng.choices(range(products), weights)[0]]
            if pick not in bought[u]:
                bought[u].append(pick)
    return sorted(follows), bought, products


async def build(
    users: int, follows: list[tuple[int, int]], training: list[list[int]], products: int, tmp: Path
) -> Services:
    store = SqliteStore(tmp / "recs.sqlite3")
    await store.open()
    await ensure_indexes(store)
    graph = MemoryGraph()
    sales = Counter(p for items in training for p in items)
    await store.insert_many("shops", [{"_id": "shop", "name": "店", "ownerId": "owner", "createdAt": 0}])
    await store.insert_many(
        "products",
        [
            {
                "_id": f"p{p:06d}",
                "shopId": "shop",
                "title": f"商品{p}",
                "category": f"c{p // 50}",
                "price": 100,
                "salesCount": sales[p],
                "createdAt": p,
                "description": "",
                "images": [],
            }
            for p in range(products)
        ],
    )
    for start in range(0, users, 20_000):
        await store.insert_many(
            "users", [{**new_user(f"u{u}"), "_id": f"u{u:07d}"} for u in range(start, min(users, start + 20_000))]
        )
    pairs = set(follows)
    await graph.add_edges("FOLLOWS", [(f"u{a:07d}", f"u{b:07d}") for a, b in follows])
    await graph.add_edges("FRIEND", [(f"u{a:07d}", f"u{b:07d}") for a, b in follows if (b, a) in pairs])
    await graph.add_edges("BOUGHT", [(f"u{u:07d}", f"p{p:06d}") for u, items in enumerate(training) for p in items])
    return Services(
        Settings(DATA_DIR=tmp, DEV_LOGIN=True), Backends(store, graph, MemoryBus()), Projector(store, graph)
    )


def metrics(ranked: list[str], hidden: str) -> tuple[float, float]:
    if hidden in ranked[:K]:
        return 1.0, 1 / math.log2(ranked.index(hidden) + 2)
    return 0.0, 0.0


async def evaluate(args: argparse.Namespace) -> None:
    follows, bought, products = world(args.users, 10, 8, args.seed)
    training = [items[:-1] if len(items) > 1 else items for items in bought]
    hidden = {u: f"p{items[-1]:06d}" for u, items in enumerate(bought) if len(items) > 1}
    with tempfile.TemporaryDirectory() as tmp:
        services = await build(args.users, follows, training, products, Path(tmp))
        graph = services.backends.graph
        sales = Counter(p for items in training for p in items)
        popular = [f"p{p:06d}" for p, _ in sales.most_common()]
        rng = random.Random(args.seed)
        users = rng.sample(sorted(hidden), min(args.eval_users, len(hidden)))
        totals = {"ours": [0.0, 0.0], "popularity": [0.0, 0.0], "item-to-item": [0.0, 0.0]}
        for u in users:
            uid = f"u{u:07d}"
            mine = {f"p{p:06d}" for p in training[u]}
            ours = [r.product["_id"] for r in await recommended(services, uid, K)]
            pop = [p for p in popular if p not in mine][:K]
            buyers = [b for b, _ in await graph.neighbor_counts("BOUGHT", mine, direction="in", limit=200) if b != uid]
            item = [p for p, _ in await graph.neighbor_counts("BOUGHT", buyers, limit=K + len(mine)) if p not in mine][
                :K
            ]
            for name, ranked in (("ours", ours), ("popularity", pop), ("item-to-item", item)):
                recall, ndcg = metrics(ranked, hidden[u])
                totals[name][0] += recall
                totals[name][1] += ndcg
        n = len(users)
        print(
            f"world: users={args.users} products={products} follows={len(follows)} seed={args.seed}; "
            f"evaluated {n} users"
        )
        for name, (recall, ndcg) in totals.items():
            print(f"  {name:13} Recall@{K}={recall / n:.3f} NDCG@{K}={ndcg / n:.3f}")
        print(
            f"  ours / popularity Recall@{K}: {totals['ours'][0] / max(totals['popularity'][0], 1e-9):.2f}x", flush=True
        )
        await services.store.close()


async def perf(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    products = 10_000
    follows = {(rng.randrange(args.users), rng.randrange(args.users)) for _ in range(args.follows)}
    follows = {(a, b) for a, b in follows if a != b}
    sales_rank = [1 / (i + 1) ** 1.05 for i in range(products)]
    picks = rng.choices(range(products), sales_rank, k=args.purchases)
    training: list[list[int]] = [[] for _ in range(args.users)]
    for p in picks:
        training[rng.randrange(args.users)].append(p)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        services = await build(args.users, sorted(follows), training, products, Path(tmp))
        load = time.monotonic() - started
        latencies = []
        for i in range(args.queries + 20):
            uid = f"u{rng.randrange(args.users):07d}"
            t = time.perf_counter()
            await recommended(services, uid, K)
            if i >= 20:
                latencies.append((time.perf_counter() - t) * 1000)
        print(
            f"recommendedProducts(first: {K}) users={args.users} follows={len(follows)} purchases={args.purchases} "
            f"(memory graph, SQLite; load {load:.0f}s): p50={percentile(latencies, 50):.1f}ms "
            f"p95={percentile(latencies, 95):.1f}ms p99={percentile(latencies, 99):.1f}ms over {len(latencies)} users",
            flush=True,
        )
        await services.store.close()


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--eval-users", type=int, default=1000)
    p.add_argument("--perf", action="store_true")
    p.add_argument("--follows", type=int, default=2_000_000)
    p.add_argument("--purchases", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=300)
    args = p.parse_args()
    if args.perf:
        args.users = args.users or 100_000
        await perf(args)
    else:
        args.users = args.users or 5_000
        await evaluate(args)


if __name__ == "__main__":
    asyncio.run(main())

"""Reviews under measurement: one product with 100k reviews, read through a real server process on the embedded
default (SQLite, memory graph and bus), one request at a time from this process:

    .venv/bin/python bench/reviews.py [--reviews 100000] [--requests 300]

1. `Product.reviews(first: 20)`, newest first, each review with its author: target p95 < 20 ms.
2. The same sorted HELPFUL, and filtered to 5 stars with media (one indexed keyset read each).
3. `Product.rating` (average, count, count per star): one document kept by the writes, target p95 < 20 ms.
4. A baseline, `Product.title`: what any request costs on this machine (HTTP, parsing, the GraphQL engine).

The reviews are written straight into the store (as the use case writes them, the rating's counters with them)
before the server starts, from 2,000 reviewers; 30 % carry photos.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, server_process  # noqa: E402
from domain import reviews as rules  # noqa: E402
from domain.ids import to_global_id  # noqa: E402
from resolvers.users import new_user  # noqa: E402
from store.collections import ensure_indexes  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
REVIEWERS = 2_000
BATCH = 10_000
REVIEWS = """query($id: ID!, $s: ReviewSort, $f: ReviewFilter) { product(id: $id) {
  reviews(first: 20, sort: $s, filter: $f) { edges { cursor node { id rating text images anonymous helpfulCount
    createdAt author { id nickname avatarUrl } followUp { text } reply { text } } } pageInfo { hasNextPage } } } }"""
RATING = """query($id: ID!) { product(id: $id) { rating { average count stars { stars count } } } }"""
BASELINE = """query($id: ID!) { product(id: $id) { title } }"""  # what any request costs here, for comparison


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the server process has used: the cost of a request whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


def figures(values: list[float]) -> str:
    return f"p50={percentile(values, 50):.1f}ms p95={percentile(values, 95):.1f}ms p99={percentile(values, 99):.1f}ms"


async def seed(data_dir: Path, count: int) -> str:
    """A shop, one product and `count` approved reviews of it; the product's id."""
    store = SqliteStore(data_dir / "youxianggou.sqlite3")
    await store.open()
    await ensure_indexes(store)
    rng = random.Random(7)
    now = int(time.time() * 1000)
    users = [{**new_user(f"评价者{i}"), "_id": f"u{i:05d}"} for i in range(REVIEWERS)]
    await store.insert_many("users", [*users, {**new_user("店主"), "_id": "owner"}])
    await store.insert("shops", {"_id": "shop", "ownerId": "owner", "name": "评价店", "createdAt": now})
    product = {"_id": "p", "shopId": "shop", "title": "十万评价的茶", "description": "", "images": [], "price": 1000}
    await store.insert("products", {**product, "createdAt": now, "salesCount": count})
    summary: dict[str, int] = {"count": 0, "sum": 0, **{f"s{s}": 0 for s in rules.STARS}}
    started = time.monotonic()
    for start in range(0, count, BATCH):
        docs: list[dict[str, Any]] = []
        for n in range(start, min(start + BATCH, count)):
            rating = rng.choices(rules.STARS, weights=(2, 2, 6, 25, 65))[0]
            images = (
                [f"https://img.example/{n}/{i}.jpg" for i in range(rng.randrange(1, 4))] if rng.random() < 0.3 else []
            )
            docs.append(
                {
                    "_id": rules.review_id(f"o{n:07d}", 0),
                    "orderId": f"o{n:07d}",
                    "lineIndex": 0,
                    "productId": "p",
                    "skuId": "p000",
                    "specs": [],
                    "shopId": "shop",
                    "authorId": users[n % REVIEWERS]["_id"],
                    "rating": rating,
                    "text": f"第{n}条评价，味道不错。",
                    "images": images,
                    "videoId": None,
                    "hasMedia": bool(images),
                    "anonymous": rng.random() < 0.1,
                    "helpfulCount": rng.randrange(30),
                    "moderation": "APPROVED",
                    "flags": [],
                    "simhash": "0" * 16,
                    "createdAt": now - n * 1000,
                    "publishedAt": now - n * 1000,
                    "followUp": None,
                    "reply": None,
                }
            )
            for key, delta in rules.rating_change(rating, 1).items():
                summary[key] += delta
        await store.insert_many("reviews", docs)
    await store.insert("product_ratings", {"_id": "p", **summary})
    await store.close()
    print(f"stored: {count} reviews of one product by {REVIEWERS} users in {time.monotonic() - started:.0f}s")
    return to_global_id("Product", "p")


async def measure(
    session: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any], requests: int, pid: int
) -> tuple[list[float], float, Any]:
    """Wall-clock latencies of the warm requests, and the server's CPU time per request over them."""
    latencies, body, cpu_before = [], None, 0.0
    for i in range(requests + 20):
        if i == 20:
            cpu_before = cpu_ms(pid)
        t = time.perf_counter()
        async with session.post(url, json={"query": query, "variables": variables}) as resp:
            body = await resp.json()
        if i >= 20:  # warm-up: parsed-document and validation caches, SQLite pages
            latencies.append((time.perf_counter() - t) * 1000)
        assert "errors" not in body, body
    return latencies, (cpu_ms(pid) - cpu_before) / requests, body


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--reviews", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=300)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        product_id = await seed(data_dir, args.reviews)
        pids: list[int] = []
        async with server_process(data_dir, pids) as base, aiohttp.ClientSession() as session:
            url = base + "/graphql"
            cases = [
                ("Product.reviews(first: 20) NEWEST", REVIEWS, {"id": product_id}),
                ("Product.reviews(first: 20) HELPFUL", REVIEWS, {"id": product_id, "s": "HELPFUL"}),
                (
                    "Product.reviews(first: 20, 5 stars with media)",
                    REVIEWS,
                    {"id": product_id, "f": {"rating": 5, "withMedia": True}},
                ),
                ("Product.rating", RATING, {"id": product_id}),
                ("baseline: Product.title", BASELINE, {"id": product_id}),
            ]
            for label, query, variables in cases:
                latencies, cpu, body = await measure(session, url, query, variables, args.requests, pids[0])
                shown = body["data"]["product"]
                if "reviews" in shown:
                    assert len(shown["reviews"]["edges"]) == 20, body
                elif "rating" in shown:
                    assert shown["rating"]["count"] == args.reviews, body
                print(
                    f"{label}: {figures(latencies)}, server CPU {cpu:.1f} ms/request, {len(latencies)} requests",
                    flush=True,
                )


if __name__ == "__main__":
    asyncio.run(main())

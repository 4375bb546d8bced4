"""Feeds at scale, and feedUpdates latency.

    .venv/bin/python bench/feeds.py [--posts 1000000] [--authors 20000] [--followed 2000] [--queries 300]

1. FOLLOWING first page (20) for a viewer following `--followed` accounts (1% of them over the fan-out
   threshold, merged at read time) with `--posts` posts stored (the followed accounts' posts fanned out into
   the viewer's timeline), SQLite: p50/p95/p99, warm.
2. DISCOVER first page on the same store (posts spread over 30 days; the ranking reads the newest 500 of the
   last 7 days), with a memory graph of the viewer's friends: p50/p95/p99.
3. feedUpdates over WebSocket against a real server process (embedded default): 100 followers subscribed, an
   author posts 50 times (every `--interval` seconds); latency from sending createPost to each follower
   receiving it: p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import random
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
from resolvers import feeds  # noqa: E402
from resolvers.services import Services  # noqa: E402
from resolvers.users import new_user  # noqa: E402
from settings import Settings  # noqa: E402
from store.collections import ensure_indexes  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402
from subscriptions.memory import MemoryBus  # noqa: E402

DAY_MS = 86_400_000


def figures(values: list[float]) -> str:
    return f"p50={percentile(values, 50):.1f}ms p95={percentile(values, 95):.1f}ms p99={percentile(values, 99):.1f}ms"


async def stored_feeds(args: argparse.Namespace, tmp: Path) -> None:
    rng = random.Random(7)
    store = SqliteStore(tmp / "feeds.sqlite3")
    await store.open()
    await ensure_indexes(store)
    settings = Settings(DATA_DIR=tmp, DEV_LOGIN=True, FANOUT_THRESHOLD=1000)
    graph = MemoryGraph()
    services = Services(settings, Backends(store, graph, MemoryBus()), Projector(store, graph))
    now = int(time.time() * 1000)
    services.clock = lambda: now
    authors = [f"a{i:06d}" for i in range(args.authors)]
    followed = set(rng.sample(authors, args.followed))
    celebrities = set(rng.sample(sorted(followed), max(1, args.followed // 100)))
    started = time.monotonic()
    users = [
        {**new_user(a), "_id": a, "followerCount": 5000 if a in celebrities else 50, "influence": rng.random() * 100}
        for a in authors
    ]
    await store.insert_many("users", [*users, {**new_user("viewer"), "_id": "viewer"}])
    await store.insert_many(
        "follows", [{"_id": f"viewer>{a}", "src": "viewer", "dst": a, "at": now} for a in sorted(followed)]
    )
    friends = rng.sample(sorted(followed), 200)
    await graph.add_edges("FRIEND", [("viewer", f) for f in friends] + [(f, "viewer") for f in friends])
    await graph.add_edges("FOLLOWS", [("viewer", a) for a in sorted(followed)])
    for start in range(0, args.posts, 20_000):
        posts, timeline = [], []
        for n in range(start, min(start + 20_000, args.posts)):
            author = authors[n % len(authors)]
            at = now - rng.randrange(30 * DAY_MS)
            pid = f"{at:012x}{n:010x}"
            posts.append(
                {
                    "_id": pid,
                    "authorId": author,
                    "kind": "NOTE",
                    "title": f"笔记{n}",
                    "body": "内容",
                    "images": [],
                    "videoId": None,
                    "productIds": [],
                    "topics": [],
                    "likeCount": rng.randrange(50),
                    "commentCount": rng.randrange(10),
                    "viewCount": rng.randrange(1000),
                    "moderation": "APPROVED",
                    "flags": [],
                    "simhash": "0" * 16,
                    "createdAt": at,
                }
            )
            if author in followed and author not in celebrities:
                timeline.append(
                    {"_id": f"viewer:{pid}", "ownerId": "viewer", "postId": pid, "authorId": author, "at": at}
                )
        await store.insert_many("posts", posts)
        await store.insert_many("timelines", timeline)
    timeline_size = await store.count("timelines")
    print(
        f"stored: posts={args.posts} authors={args.authors} followed={args.followed} "
        f"(celebrities merged at read: {len(celebrities)}) viewer timeline={timeline_size} "
        f"load={time.monotonic() - started:.0f}s",
        flush=True,
    )
    for label, run in (
        ("FOLLOWING", lambda: feeds.following(services, "viewer", 20, None)),
        ("DISCOVER", lambda: feeds.discover(services, "viewer", 20, None)),
    ):
        latencies = []
        for i in range(args.queries + 20):
            t = time.perf_counter()
            page = await run()
            if i >= 20:
                latencies.append((time.perf_counter() - t) * 1000)
        assert len(page.items) == 20
        print(f"{label} first page (20): {figures(latencies)} over {len(latencies)} warm queries", flush=True)
    await store.close()


LOGIN = "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken user { id } } }"
POST = """mutation($t: String!, $b: String!) {
  createPost(input: {kind: NOTE, title: $t, body: $b}) { post { moderation } } }"""
WORDS = "龙井 普洱 白茶 红茶 乌龙 茶具 紫砂 青瓷 山泉 炭焙 明前 雨前 高山 古树 陈香 花香 蜜韵 回甘 冷泡 热饮".split()


async def live_updates(args: argparse.Namespace, tmp: Path) -> None:
    async with (
        server_process(tmp / "live", POSTS_PER_MINUTE="1000") as base,  # a fan-out figure, not a rate limit
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http,
    ):

        async def gql(query: str, variables: dict[str, Any], token: str | None = None) -> Any:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with http.post(
                base + "/graphql", json={"query": query, "variables": variables}, headers=headers
            ) as r:
                return await r.json()

        author = (await gql(LOGIN, {"n": "推送作者"}))["data"]["devLogin"]
        follow = "mutation($id: ID!) { follow(input: {userId: $id}) { errors { code } } }"
        tokens = []
        for i in range(args.followers):
            me = (await gql(LOGIN, {"n": f"推送读者{i}"}))["data"]["devLogin"]
            await gql(follow, {"id": author["user"]["id"]}, me["accessToken"])
            tokens.append(me["accessToken"])
        sent: dict[str, float] = {}
        latencies: list[float] = []
        ready = asyncio.Event()
        subscribed = 0

        async def viewer(token: str) -> None:
            nonlocal subscribed
            async with http.ws_connect(base + "/graphql", protocols=["graphql-transport-ws"]) as ws:
                await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
                await ws.receive_json()
                await ws.send_json(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": "subscription { feedUpdates { post { title } } }"},
                    }
                )
                subscribed += 1
                if subscribed == len(tokens):
                    ready.set()
                got = 0
                while got < args.updates:
                    msg = await ws.receive_json()
                    title = msg["payload"]["data"]["feedUpdates"]["post"]["title"]
                    latencies.append((time.perf_counter() - sent[title]) * 1000)
                    got += 1

        viewers = [asyncio.create_task(viewer(t)) for t in tokens]
        await ready.wait()
        await asyncio.sleep(0.5)
        for i in range(args.updates):
            title = f"实时{i}"
            sent[title] = time.perf_counter()
            body = "".join(random.Random(i).sample(WORDS, 12))  # distinct texts: no near-duplicate holds
            posted = await gql(POST, {"t": title, "b": body}, author["accessToken"])
            assert posted["data"]["createPost"]["post"]["moderation"] == "APPROVED", posted
            await asyncio.sleep(args.interval)
        try:
            async with asyncio.timeout(60):
                await asyncio.gather(*viewers)
        except TimeoutError:
            print(f"feedUpdates: only {len(latencies)} of {len(tokens) * args.updates} deliveries in 60 s", flush=True)
            raise
        print(
            f"feedUpdates over WebSocket: {args.followers} followers x {args.updates} posts, one every "
            f"{args.interval * 1000:.0f} ms = {len(latencies)} "
            f"deliveries; from sending createPost to receipt {figures(latencies)}",
            flush=True,
        )


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--posts", type=int, default=1_000_000)
    p.add_argument("--authors", type=int, default=20_000)
    p.add_argument("--followed", type=int, default=2_000)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--followers", type=int, default=100)
    p.add_argument("--updates", type=int, default=50)
    p.add_argument("--interval", type=float, default=0.2, help="seconds between the author's posts")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await stored_feeds(args, Path(tmp))
        await live_updates(args, Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())

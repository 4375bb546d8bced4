"""One projector at a time on a graph that processes share, by a lease in a real Redis: taken when free, renewed
by its holder, given up on stop, lost when its holder dies; two running projectors never both apply events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from graph.memory import MemoryGraph
from graph.projector import Projector
from graph.projector_lease import RedisLease
from store.ids import new_id
from store.sqlite import SqliteStore


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[object]:
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_one_holder_at_a_time_and_the_next_takes_over(redis: object) -> None:
    key = f"test:lease:{new_id()}"
    first, second = RedisLease(redis, key, ttl_ms=300), RedisLease(redis, key, ttl_ms=300)
    # racing for a free lease, exactly one wins, and keeps it while it renews
    assert sorted(await asyncio.gather(first.hold(), second.hold())) == [False, True]
    holder, other = (first, second) if first.held else (second, first)
    for _ in range(3):
        await asyncio.sleep(0.15)
        assert await holder.hold() and not await other.hold()
    # a holder that stops gives it up at once
    await holder.release()
    assert await other.hold()
    # a holder that dies (stops renewing) loses it after its time to live
    assert not await holder.hold()
    await asyncio.sleep(0.4)
    assert await holder.hold() and not await other.hold()


async def test_two_running_projectors_on_one_graph_never_both_apply(redis: object, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "lease.sqlite3")
    await store.open()
    graph, key = MemoryGraph(), f"test:lease:{new_id()}"
    projectors = [
        Projector(store, graph, poll_seconds=0.02, lease=RedisLease(redis, key, ttl_ms=1_000)) for _ in range(2)
    ]
    applied = [0, 0]
    for i, projector in enumerate(projectors):
        run_once = projector.run_once

        async def counted(i: int = i, run_once: object = run_once) -> int:
            n: int = await run_once()  # type: ignore[operator]
            applied[i] += n
            return n

        projector.run_once = counted  # type: ignore[method-assign]
        projector.start()

    async def follow(a: str, b: str) -> None:
        await store.insert("follows", {"_id": f"{a}>{b}", "src": a, "dst": b, "at": 1})
        await store.insert("outbox", {"_id": new_id(), "kind": "user_pair", "a": a, "b": b, "done": False})

    async def projected() -> None:
        async with asyncio.timeout(5):
            while await store.count("outbox", {"done": False}):  # noqa: ASYNC110 - another task's work, polled
                await asyncio.sleep(0.01)

    try:
        for i in range(20):
            await follow(f"a{i}", f"b{i}")
            await follow(f"b{i}", f"a{i}")
        await projected()
        # then one of them applied all 40 events, the other none
        assert sorted(applied) == [0, 40]
        assert await graph.neighbors("FRIEND", "a7") == ["b7"]
        # when the holder stops, the other takes over
        leader = applied.index(40)
        await projectors[leader].stop()
        await follow("c", "d")
        await projected()
        assert applied[1 - leader] == 1 and await graph.neighbors("FOLLOWS", "c") == ["d"]
    finally:
        for projector in projectors:
            await projector.stop()
        await store.close()

"""Rate limiter contract: the in-process token buckets and the Redis ones (shared by processes) agree."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from resolvers.ratelimit import Limiter, MemoryLimiter, RedisLimiter


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[Limiter]:
    if request.param == "memory":
        yield MemoryLimiter()
        return
    client = aioredis.from_url(request.getfixturevalue("redis_url"))
    try:
        yield RedisLimiter(client, prefix=f"test:{uuid.uuid4().hex}:")
    finally:
        await client.aclose()


async def test_a_burst_then_the_rate(limiter: Limiter) -> None:
    t = 1_000_000
    assert [await limiter.allow("u", t, 1.0, 3) for _ in range(4)] == [True, True, True, False]
    assert await limiter.allow("u", t + 500, 1.0, 3) is False  # half a token
    assert await limiter.allow("u", t + 1000, 1.0, 3) is True
    assert await limiter.allow("other", t, 1.0, 3) is True  # buckets are per key
    # a long pause refills up to the burst, never beyond
    assert [await limiter.allow("u", t + 60_000, 1.0, 3) for _ in range(4)] == [True, True, True, False]


async def test_fractional_rates_accumulate(limiter: Limiter) -> None:
    t = 5_000_000
    assert await limiter.allow("slow", t, 0.5, 1) is True
    assert await limiter.allow("slow", t + 1_000, 0.5, 1) is False
    assert await limiter.allow("slow", t + 2_000, 0.5, 1) is True


async def test_racing_requests_get_exactly_the_burst(limiter: Limiter) -> None:
    results = await asyncio.gather(*(limiter.allow("racer", 9_000_000, 1.0, 5) for _ in range(100)))
    assert sum(results) == 5


async def test_a_cost_spends_that_many_tokens_on_either_limiter(limiter: Limiter) -> None:
    # given a bucket of 300 refilling 5 a second
    t = 1_000_000
    # then 100 and 100 and 100 pass, a fourth 100 does not, nor does 1 more
    assert [await limiter.allow("likes", t, 5.0, 300, 100) for _ in range(4)] == [True, True, True, False]
    assert await limiter.allow("likes", t, 5.0, 300) is False
    # and 20 s later 100 are back
    assert await limiter.allow("likes", t + 20_000, 5.0, 300, 100) is True

"""RedisBus: fan-out across server processes through Redis sharded pub/sub (SPUBLISH / SSUBSCRIBE).

Each process holds ONE pub/sub connection; it subscribes to a topic while at least one local subscriber wants
it, and a single reader task hands every message to the local fan-out, decoded at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis

from subscriptions.fanout import Envelope, LocalFanout, Subscription, encode

log = logging.getLogger(__name__)
PREFIX = "yxg:"
POOL_SIZE = 100  # connections to Redis per process (pub/sub holds one)
POOL_WAIT_SECONDS = 5.0  # how long a command waits for one before it fails


class RedisBus:
    kind = "redis"

    def __init__(self, url: str, queue_size: int = 1000) -> None:
        self.url = url
        self.fanout = LocalFanout(queue_size)
        self._redis: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        # Set by the reader when Redis confirms a subscription, so subscribe() returns only once events flow.
        self._confirmed: dict[str, asyncio.Event] = {}

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            raise RuntimeError("RedisBus is not open")
        return self._redis

    async def open(self) -> None:
        # Past POOL_SIZE commands in flight, a command waits for a free connection: the default pool raised
        # MaxConnectionsError at the 101st, so a burst of requests that touch Redis became internal errors.
        pool = aioredis.BlockingConnectionPool.from_url(self.url, max_connections=POOL_SIZE, timeout=POOL_WAIT_SECONDS)
        self._redis = aioredis.Redis.from_pool(pool)
        await self.ping()
        self._pubsub = self._redis.pubsub()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        self.fanout.close_all()
        if self._pubsub is not None:
            await self._pubsub.aclose()
            self._pubsub = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def ping(self) -> None:
        await self.redis.ping()

    async def publish(self, topic: str, event: Any) -> None:
        await self.redis.spublish(PREFIX + topic, encode(event))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        sub, first = self.fanout.add(topic)
        try:
            if first:
                async with self._lock:
                    confirmed = self._confirmed[topic] = asyncio.Event()
                    await self._pubsub.ssubscribe(PREFIX + topic)
                    if self._reader is None:
                        self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")
                async with asyncio.timeout(10):  # not wait_for: it can drop a cancellation on 3.11
                    await confirmed.wait()
            yield sub
        finally:
            if self.fanout.remove(sub) and self._pubsub is not None:
                async with self._lock:
                    if self.fanout.count(topic) == 0:
                        await self._pubsub.sunsubscribe(PREFIX + topic)

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:  # a dropped connection: redis-py reconnects on the next call
                log.exception("redis bus read failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if message is None:
                continue
            channel = message["channel"]
            topic = (channel.decode() if isinstance(channel, bytes) else channel)[len(PREFIX) :]
            if message["type"] == "smessage":
                self.fanout.deliver(Envelope(topic, message["data"]))
            elif message["type"] == "ssubscribe" and topic in self._confirmed:
                self._confirmed.pop(topic).set()

"""RedisBus: fan-out across server processes through Redis sharded pub/sub (SPUBLISH / SSUBSCRIBE).

Each process holds ONE pub/sub connection; it subscribes to a topic while at least one local subscriber wants
it, and a single reader task hands every message to the local fan-out, decoded at most once.

Outages (subscriptions/protocol.py): `publish` drops the event while Redis is unreachable instead of failing the
write that published it. The reader keeps trying; when Redis is back, redis-py subscribes the connection to every
topic again, and each topic's local subscribers get a `resync` envelope (they may have missed events) before the
events published after. A new subscription while Redis is down raises BusUnavailable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from subscriptions.fanout import Envelope, LocalFanout, Subscription, encode, resync
from subscriptions.protocol import BusUnavailable

log = logging.getLogger(__name__)
PREFIX = "yxg:"
POOL_SIZE = 100  # connections to Redis per process (pub/sub holds one)
POOL_WAIT_SECONDS = 5.0  # how long a command waits for one before it fails
CONNECT_SECONDS = 2.0  # a Redis that does not accept the connection by then is down
COMMAND_SECONDS = 5.0  # nor one that does not answer a command
CONFIRM_SECONDS = 10.0  # a subscription not confirmed by then fails
RETRY_SECONDS = (0.05, 1.0)  # the reader's wait after a failed read: first, doubling up to the last
# What Redis being unreachable looks like to redis-py (refused, reset, timed out).
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


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
        self.dropped = 0  # events published while Redis was unreachable
        self.resubscribed = 0  # topics subscribed again after Redis came back
        self._publishing_failed = False

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            raise RuntimeError("RedisBus is not open")
        return self._redis

    async def open(self) -> None:
        # Past POOL_SIZE commands in flight, a command waits for a free connection: the default pool raised
        # MaxConnectionsError at the 101st, so a burst of requests that touch Redis became internal errors.
        pool = aioredis.BlockingConnectionPool.from_url(
            self.url,
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT_SECONDS,
            socket_connect_timeout=CONNECT_SECONDS,
            socket_timeout=COMMAND_SECONDS,
        )
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
            with contextlib.suppress(*DOWN):
                await self._pubsub.aclose()
            self._pubsub = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def ping(self) -> None:
        await self.redis.ping()

    async def publish(self, topic: str, event: Any) -> None:
        try:
            await self.redis.spublish(PREFIX + topic, encode(event))
        except DOWN as exc:
            self.dropped += 1
            if not self._publishing_failed:  # once per outage, not once per event
                self._publishing_failed = True
                log.warning("redis bus: Redis is unreachable (%s); events are dropped until it is back", exc)
            return
        if self._publishing_failed:
            self._publishing_failed = False
            log.info("redis bus: publishing again (%d events dropped so far)", self.dropped)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        sub, first = self.fanout.add(topic)
        try:
            if first:
                async with self._lock:
                    confirmed = self._confirmed[topic] = asyncio.Event()
                    try:
                        await self._pubsub.ssubscribe(PREFIX + topic)
                    except DOWN as exc:
                        self._confirmed.pop(topic, None)
                        raise BusUnavailable(f"cannot subscribe to {topic}: {exc}") from exc
                    if self._reader is None:
                        self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")
                try:
                    async with asyncio.timeout(CONFIRM_SECONDS):  # not wait_for: it can drop a cancellation on 3.11
                        await confirmed.wait()
                except TimeoutError:
                    raise BusUnavailable(f"Redis did not confirm the subscription to {topic}") from None
            yield sub
        finally:
            if self.fanout.remove(sub) and self._pubsub is not None:
                await self._forget(topic)

    async def _forget(self, topic: str) -> None:
        """Unsubscribe from a topic nobody here wants any more. While Redis is down this cannot be sent; redis-py
        then subscribes the topic again when it reconnects, and the reader comes back here."""
        async with self._lock:
            if self.fanout.count(topic) == 0:
                with contextlib.suppress(*DOWN):
                    await self._pubsub.sunsubscribe(PREFIX + topic)

    async def _read(self) -> None:
        wait, lost_at = RETRY_SECONDS[0], None
        loop = asyncio.get_running_loop()
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # redis-py reconnects (and subscribes again) on the next call
                if lost_at is None:
                    lost_at = loop.time()
                    if isinstance(exc, DOWN):
                        log.warning("redis bus: lost Redis (%s); subscribing again when it is back", exc)
                    else:
                        log.exception("redis bus read failed; retrying")
                await asyncio.sleep(wait)
                wait = min(wait * 2, RETRY_SECONDS[1])
                continue
            if lost_at is not None:
                log.info("redis bus: Redis is back after %.1f s", loop.time() - lost_at)
                wait, lost_at = RETRY_SECONDS[0], None
            if message is None:
                continue
            channel = message["channel"]
            topic = (channel.decode() if isinstance(channel, bytes) else channel)[len(PREFIX) :]
            if message["type"] == "smessage":
                self.fanout.deliver(Envelope(topic, message["data"]))
            elif message["type"] == "ssubscribe":
                if topic in self._confirmed:  # a subscription made by subscribe()
                    self._confirmed.pop(topic).set()
                elif self.fanout.count(topic):  # subscribed again after a reconnect: events may have been missed
                    self.resubscribed += 1
                    self.fanout.deliver(resync(topic))
                else:  # its last subscriber left while Redis was down
                    await self._forget(topic)

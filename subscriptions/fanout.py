"""Local fan-out shared by every Bus: one registry of subscribers per process, bounded queues, slow consumers
cut off instead of growing memory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson


class SlowConsumer(Exception):
    """The subscriber fell further behind than its queue allows and was disconnected."""


class BusClosed(Exception):
    """The bus shut down while the subscriber was waiting."""


@dataclass(eq=False)
class Envelope:
    """One published event as it travels: raw JSON bytes, decoded at most once and shared by all subscribers.
    A `resync` envelope is no event: the bus reconnected and may have missed some, so read the state again (its
    data is an empty object)."""

    topic: str
    raw: bytes
    resync: bool = False

    @cached_property
    def data(self) -> Any:
        return orjson.loads(self.raw)


_OVERFLOW = object()
_CLOSED = object()


@dataclass(eq=False)
class Subscription:
    topic: str
    maxsize: int
    queue: asyncio.Queue[Any] = field(init=False)

    def __post_init__(self) -> None:
        # The bound is enforced by offer(), so the overflow and end markers always fit.
        self.queue = asyncio.Queue()

    def offer(self, envelope: Envelope) -> bool:
        """Queue an envelope; False (and the subscriber is marked overflowed) when it is too far behind."""
        if self.queue.qsize() >= self.maxsize:
            self.queue.put_nowait(_OVERFLOW)
            return False
        self.queue.put_nowait(envelope)
        return True

    def end(self) -> None:
        self.queue.put_nowait(_CLOSED)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Envelope:
        item = await self.queue.get()
        if item is _OVERFLOW:
            raise SlowConsumer(self.topic)
        if item is _CLOSED:
            raise BusClosed(self.topic)
        envelope: Envelope = item
        return envelope


class LocalFanout:
    """Which local subscribers want which topic; delivering an envelope is one put per subscriber."""

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._topics: dict[str, set[Subscription]] = {}

    def add(self, topic: str) -> tuple[Subscription, bool]:
        """Register a subscriber; the flag says it is the first one of this topic in this process."""
        sub = Subscription(topic, self.queue_size)
        subs = self._topics.setdefault(topic, set())
        subs.add(sub)
        return sub, len(subs) == 1

    def remove(self, sub: Subscription) -> bool:
        """Unregister; the flag says it was the last one of its topic in this process."""
        subs = self._topics.get(sub.topic)
        if subs is None or sub not in subs:
            return False
        subs.discard(sub)
        if not subs:
            del self._topics[sub.topic]
            return True
        return False

    def deliver(self, envelope: Envelope, on_overflow: Callable[[Subscription], None] | None = None) -> None:
        for sub in list(self._topics.get(envelope.topic, ())):
            if not sub.offer(envelope):
                self.remove(sub)
                if on_overflow:
                    on_overflow(sub)

    def topics(self) -> list[str]:
        return list(self._topics)

    def count(self, topic: str) -> int:
        return len(self._topics.get(topic, ()))

    def close_all(self) -> None:
        for subs in self._topics.values():
            for sub in subs:
                sub.end()
        self._topics.clear()


def encode(event: Any) -> bytes:
    return orjson.dumps(event)


def resync(topic: str) -> Envelope:
    return Envelope(topic, b"{}", resync=True)


@contextlib.asynccontextmanager
async def merged(bus: Any, topics: list[str], maxsize: int) -> AsyncIterator[AsyncIterator[Envelope]]:
    """One stream of the envelopes of several topics (a viewer's feed and the celebrities they follow). Bounded
    like a single subscription: a consumer further behind than `maxsize` gets SlowConsumer."""
    queue: asyncio.Queue[Envelope | Exception] = asyncio.Queue()
    async with contextlib.AsyncExitStack() as stack:
        subs = [await stack.enter_async_context(bus.subscribe(t)) for t in topics]

        async def pump(sub: Subscription) -> None:
            try:
                async for envelope in sub:
                    if queue.qsize() >= maxsize:
                        queue.put_nowait(SlowConsumer(sub.topic))
                        return
                    queue.put_nowait(envelope)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the subscription ended badly (slow consumer, bus closed): tell the consumer
                queue.put_nowait(exc)

        pumps = [asyncio.create_task(pump(sub)) for sub in subs]

        async def stream() -> AsyncIterator[Envelope]:
            while True:
                item = await queue.get()
                if isinstance(item, Exception):
                    raise item
                yield item

        try:
            yield stream()
        finally:
            for task in pumps:
                task.cancel()
            for task in pumps:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

"""MemoryBus: the in-process Bus for the embedded default (one server process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from subscriptions.fanout import Envelope, LocalFanout, Subscription, encode


class MemoryBus:
    kind = "memory"

    def __init__(self, queue_size: int = 1000) -> None:
        self.fanout = LocalFanout(queue_size)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        self.fanout.close_all()

    async def ping(self) -> None:
        return None

    async def publish(self, topic: str, event: Any) -> None:
        self.fanout.deliver(Envelope(topic, encode(event)))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        sub, _ = self.fanout.add(topic)
        try:
            yield sub
        finally:
            self.fanout.remove(sub)

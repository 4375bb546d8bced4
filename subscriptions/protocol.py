"""The Bus protocol: publish an event to a topic; subscribe to a topic through a bounded local queue.

An event is encoded once when published and decoded at most once per process: every local subscriber of a
topic receives the same `Envelope`, whatever their number.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from subscriptions.fanout import Subscription


class Bus(Protocol):
    kind: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> None:
        """Raise when the backend cannot answer."""

    async def publish(self, topic: str, event: Any) -> None:
        """Send a JSON-serializable event to every subscriber of `topic` in every process."""

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[Subscription]:
        """`async with bus.subscribe(t) as sub: async for envelope in sub: ...`; leaving the block unsubscribes."""

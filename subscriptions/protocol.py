"""The Bus protocol: publish an event to a topic; subscribe to a topic through a bounded local queue.

An event is encoded once when published and decoded at most once per process: every local subscriber of a
topic receives the same `Envelope`, whatever their number.

Outages (subscriptions/redis.py): events are notifications, the truth is in the store, so `publish` never fails a
write: while the bus is down an event is dropped (and logged). A subscription made before an outage lives
through it; once the bus is back it gets a `resync` envelope (events may have been missed: read the state
again) and then the events published after. A new subscription while the bus is down raises BusUnavailable.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from subscriptions.fanout import Subscription


class BusUnavailable(Exception):
    """The bus cannot be reached, so a new subscription cannot start (the API answers UNAVAILABLE)."""

    backend = "bus"


class Bus(Protocol):
    kind: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> None:
        """Raise when the backend cannot answer."""

    async def publish(self, topic: str, event: Any) -> None:
        """Send a JSON-serializable event to every subscriber of `topic` in every process; dropped (never raised)
        while the bus is unreachable."""

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[Subscription]:
        """`async with bus.subscribe(t) as sub: async for envelope in sub: ...`; leaving the block unsubscribes."""

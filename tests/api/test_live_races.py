"""Races between a live room's first viewer and the hub's tick."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.api.test_live import EVENTS_SUB, connect, live, live_room  # noqa: F401 - live is a fixture


async def test_the_first_viewer_is_counted_even_when_the_room_subscription_is_confirmed_late(
    live: Any,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a bus that confirms a room's subscription late (a Redis round trip on a busy machine) while the hub
    # ticks every 50 ms
    bus = live.services.live.bus
    real = bus.subscribe

    @asynccontextmanager
    async def late(topic: str) -> AsyncIterator[Any]:
        await asyncio.sleep(0.3)
        async with real(topic) as events:
            yield events

    monkeypatch.setattr(bus, "subscribe", late)
    host, _ = await live.login("迟到主播")
    room = await live_room(live, host)
    # when the room's first viewer subscribes to its events
    viewer = await connect(live.client)
    await viewer.subscribe("e", EVENTS_SUB, r=room)
    # then the count that includes them reaches them (it was published before the hub listened, and lost)
    assert await viewer.data("liveRoomEvents") == {"__typename": "ViewerCountChanged", "viewerCount": 1}

"""Bus contract: the in-process bus and Redis deliver the same way; with Redis, across processes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from subscriptions.fanout import SlowConsumer
from subscriptions.protocol import Bus

MakeBus = Callable[..., Awaitable[Bus]]


async def next_data(sub: object) -> object:
    envelope = await asyncio.wait_for(anext(sub), timeout=5)  # type: ignore[call-overload]
    return envelope.data


async def test_a_subscriber_receives_published_events_in_order(make_bus: MakeBus) -> None:
    bus = await make_bus()
    async with bus.subscribe("room:1") as sub:
        for i in range(5):
            await bus.publish("room:1", {"n": i, "text": "你好"})
        assert [await next_data(sub) for _ in range(5)] == [{"n": i, "text": "你好"} for i in range(5)]


async def test_events_reach_subscribers_of_another_process(make_bus: MakeBus) -> None:
    publisher, receiver = await make_bus(), await make_bus()
    async with receiver.subscribe("t") as sub:
        await publisher.publish("t", {"hello": "world"})
        assert await next_data(sub) == {"hello": "world"}


async def test_local_subscribers_share_one_decoded_envelope(make_bus: MakeBus) -> None:
    bus = await make_bus()
    async with bus.subscribe("t") as a, bus.subscribe("t") as b:
        await bus.publish("t", {"x": 1})
        ea = await asyncio.wait_for(anext(a), 5)
        eb = await asyncio.wait_for(anext(b), 5)
        assert ea is eb and ea.data is eb.data


async def test_topics_are_isolated(make_bus: MakeBus) -> None:
    bus = await make_bus()
    async with bus.subscribe("a") as sub_a, bus.subscribe("b") as sub_b:
        await bus.publish("b", {"to": "b"})
        await bus.publish("a", {"to": "a"})
        assert await next_data(sub_a) == {"to": "a"}
        assert await next_data(sub_b) == {"to": "b"}


async def test_a_slow_consumer_is_cut_off_instead_of_buffering_without_bound(make_bus: MakeBus) -> None:
    bus = await make_bus(queue_size=3)
    async with bus.subscribe("busy") as slow, bus.subscribe("busy") as fast:
        received = []
        for i in range(6):
            await bus.publish("busy", {"n": i})
            received.append(await next_data(fast))
        assert received == [{"n": i} for i in range(6)]
        got = []
        with pytest.raises(SlowConsumer):
            while True:
                got.append(await next_data(slow))
        assert got == [{"n": 0}, {"n": 1}, {"n": 2}]


async def test_leaving_the_block_unsubscribes(make_bus: MakeBus) -> None:
    bus = await make_bus()
    async with bus.subscribe("gone"):
        assert bus.fanout.count("gone") == 1  # type: ignore[attr-defined]
    assert bus.fanout.count("gone") == 0  # type: ignore[attr-defined]
    await bus.publish("gone", {"nobody": "listens"})  # no error with no subscriber

"""WebSocket abuse (issue 14, findings 8 and 18): caps on subscriptions and sockets, viewers counted per person,
and malformed messages answered as client errors, never as internal ones."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from tests.api.conftest import Api
from tests.api.test_live import (
    COMMENTS_SUB,
    EVENTS_SUB,
    Viewer,
    connect,
    live_room,
    live_settings,
    viewers_are,
)

CAPS = {
    "WS_MAX_SUBSCRIPTIONS": 3,
    "WS_MAX_SUBSCRIPTIONS_PER_TOPIC": 2,
    "WS_MAX_SOCKETS_PER_USER": 2,
    "WS_MAX_SOCKETS_PER_ADDRESS": 6,
    "LIVE_ANONYMOUS_VIEWERS_PER_ADDRESS": 3,
}


@pytest.fixture
async def capped(tmp_path: Path) -> AsyncIterator[Api]:
    async with TestClient(TestServer(create_app(live_settings(tmp_path, **CAPS)))) as client:
        yield Api(client)


async def closed_with(viewer: Viewer | aiohttp.ClientWebSocketResponse) -> int | None:
    """Read until the server closes the socket; its close code."""
    ws = viewer.ws if isinstance(viewer, Viewer) else viewer
    async with asyncio.timeout(5):
        while True:
            message = await ws.receive()
            if message.type == aiohttp.WSMsgType.CLOSE:
                return int(message.data)  # the code the server sent (close_code may be overwritten as it drops)
            if message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                return ws.close_code


async def refused_with(viewer: Viewer, op_id: str) -> dict[str, Any]:
    """The `error` message answering subscription `op_id` (other messages skipped)."""
    while True:
        message = await viewer.message()
        if message.get("id") == op_id:
            assert message["type"] == "error", message
            return message


# -- finding 8: caps --------------------------------------------------------------------------------------


async def test_a_socket_may_subscribe_to_one_room_at_most_twice(capped: Api) -> None:
    # given a live room and a socket already subscribed to it twice
    host, _ = await capped.login("上限主播")
    room = await live_room(capped, host)
    viewer = await connect(capped.client)
    await viewer.subscribe("1", COMMENTS_SUB, r=room)
    await viewer.subscribe("2", EVENTS_SUB, r=room)
    await viewers_are(capped, room, 1)
    # when it subscribes to the same room a third time
    await viewer.subscribe("3", COMMENTS_SUB, r=room)
    # then that subscription is refused with a code, and the room still has one viewer
    refused = await refused_with(viewer, "3")
    assert [e["extensions"]["code"] for e in refused["payload"]] == ["TOO_MANY_SUBSCRIPTIONS"]
    assert len(capped.services.live.groups) == 2


async def test_a_socket_may_hold_a_bounded_number_of_subscriptions(capped: Api) -> None:
    # given three live rooms watched from one socket (the cap is 3 in flight)
    host, _ = await capped.login("多房主播")
    rooms = [await live_room(capped, host) for _ in range(4)]
    viewer = await connect(capped.client)
    for i, room in enumerate(rooms[:3]):
        await viewer.subscribe(str(i), COMMENTS_SUB, r=room)
    for room in rooms[:3]:
        await viewers_are(capped, room, 1)
    # when it subscribes to a fourth
    await viewer.subscribe("3", COMMENTS_SUB, r=rooms[3])
    # then that one is refused with a code
    refused = await refused_with(viewer, "3")
    assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    # and once one ends, there is room again
    await viewer.ws.send_json({"id": "0", "type": "complete"})
    await viewers_are(capped, rooms[0], 0)
    await viewer.subscribe("4", COMMENTS_SUB, r=rooms[3])
    await viewers_are(capped, rooms[3], 1)


async def test_a_user_may_open_a_bounded_number_of_sockets(capped: Api) -> None:
    # given a user with two sockets open (the cap is 2)
    token, _ = await capped.login("多开用户")
    first = await connect(capped.client, token)
    await connect(capped.client, token)
    # when the user opens a third
    ws = await capped.client.ws_connect("/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    # then it is closed with 4429
    assert await closed_with(ws) == 4429
    # and once one of the others is closed, a new one is accepted
    await first.ws.close()
    await asyncio.sleep(0.05)
    await connect(capped.client, token)


async def test_anonymous_sockets_are_bounded_per_remote_address(capped: Api) -> None:
    # given as many anonymous sockets from one address as the cap allows (6)
    for _ in range(6):
        await connect(capped.client)
    # when one more connects from that address
    ws = await capped.client.ws_connect("/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {}})
    # then it is closed with 4429
    assert await closed_with(ws) == 4429


async def test_viewer_count_counts_a_signed_in_user_once_whatever_their_sockets(capped: Api) -> None:
    # given one user watching a room from two sockets, and another user from one
    host, _ = await capped.login("计数主播")
    fan, _ = await capped.login("双开粉丝")
    other, _ = await capped.login("另一个粉丝")
    room = await live_room(capped, host)
    for token in (fan, fan, other):
        viewer = await connect(capped.client, token)
        await viewer.subscribe("c", COMMENTS_SUB, r=room)
    # then the room has two viewers
    await viewers_are(capped, room, 2)


async def test_anonymous_viewers_of_one_address_count_at_most_the_cap(capped: Api) -> None:
    # given five anonymous sockets from one address watching a room (three count per address)
    host, _ = await capped.login("匿名主播")
    room = await live_room(capped, host)
    viewers = []
    for _ in range(5):
        viewer = await connect(capped.client)
        await viewer.subscribe("c", COMMENTS_SUB, r=room)
        viewers.append(viewer)
    # then the room counts three viewers
    await viewers_are(capped, room, 3)
    await asyncio.sleep(0.15)  # a few ticks: the count stays there
    await viewers_are(capped, room, 3)
    # and as they leave, the count falls only once fewer than three are left
    for viewer in viewers[:3]:
        await viewer.ws.close()
    await viewers_are(capped, room, 2)


@pytest.fixture
async def two_capped(tmp_path: Path, redis_url: str) -> AsyncIterator[tuple[Api, Api]]:
    """Two app instances sharing one store directory and one Redis, with the caps above."""
    one = live_settings(tmp_path / "a", REDIS_URL=redis_url, **CAPS)
    two = live_settings(tmp_path / "a", REDIS_URL=redis_url, **CAPS)
    async with TestClient(TestServer(create_app(one))) as a, TestClient(TestServer(create_app(two))) as b:
        yield Api(a), Api(b)


async def test_viewer_count_counts_a_user_once_across_processes(two_capped: tuple[Api, Api]) -> None:
    # given one user watching a room through both processes, and another user through one
    a, b = two_capped
    host, _ = await a.login("跨进程计数主播")
    fan, _ = await a.login("跨进程双开")
    other, _ = await a.login("跨进程另一位")
    room = await live_room(a, host)
    on_a, on_b = await connect(a.client, fan), await connect(b.client, fan)
    await on_a.subscribe("c", COMMENTS_SUB, r=room)
    await on_b.subscribe("c", COMMENTS_SUB, r=room)
    third = await connect(b.client, other)
    await third.subscribe("c", COMMENTS_SUB, r=room)
    # then both processes count two viewers
    await viewers_are(a, room, 2)
    await viewers_are(b, room, 2)
    # when the user leaves one process, they are still watching through the other
    await on_a.ws.close()
    await asyncio.sleep(0.2)
    await viewers_are(a, room, 2)
    # and when they leave the other as well, they are no longer counted anywhere
    await on_b.ws.close()
    await viewers_are(a, room, 1)
    await viewers_are(b, room, 1)


async def test_a_users_socket_cap_holds_across_processes(two_capped: tuple[Api, Api]) -> None:
    # given a user with one socket on each process (the cap is 2)
    a, b = two_capped
    token, _ = await a.login("跨进程多开")
    first = await connect(a.client, token)
    await connect(b.client, token)
    # when the user opens a third, on either process
    ws = await a.client.ws_connect("/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    # then it is closed with 4429
    assert await closed_with(ws) == 4429
    # and once one of the others is closed, a new one is accepted on the other process
    await first.ws.close()
    await asyncio.sleep(0.1)
    await connect(b.client, token)


# -- finding 18: malformed messages are client errors -----------------------------------------------------

MALFORMED: list[Any] = [
    {"id": "1", "type": "subscribe", "payload": {"query": 42}},
    {"id": "1", "type": "subscribe", "payload": "subscription { x }"},
    {"id": "1", "type": "subscribe"},
    {"id": "1", "type": "subscribe", "payload": {"query": COMMENTS_SUB, "variables": ["r"]}},
    {"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "variables": "x"}},
    {"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "operationName": 7}},
    {"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "extensions": []}},
    {"id": 1, "type": "subscribe", "payload": {"query": "{ __typename }"}},
    {"id": ["1"], "type": "subscribe", "payload": {"query": "{ __typename }"}},
    {"id": ["1"], "type": "complete"},
    {"id": {"a": 1}, "type": "complete"},
    {"type": "unheard-of"},
    {"type": ["subscribe"]},
    42,
    [{"type": "ping"}],
    "ping",
    None,
]


@pytest.mark.parametrize("message", MALFORMED, ids=[repr(m)[:40] for m in MALFORMED])
async def test_a_malformed_message_closes_the_socket_with_4400_and_logs_no_error(
    capped: Api, message: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # given an acknowledged socket
    viewer = await connect(capped.client)
    caplog.set_level(logging.INFO)
    # when it sends a message of the wrong shape
    await viewer.ws.send_json(message)
    # then the protocol's 4400 closes it, and nothing is logged as an error
    assert await closed_with(viewer) == 4400
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("frame", ["not json {", b"\x00\x01binary"])
async def test_non_json_and_binary_frames_close_with_4400(
    capped: Api, frame: str | bytes, caplog: pytest.LogCaptureFixture
) -> None:
    # given an acknowledged socket
    viewer = await connect(capped.client)
    # when it sends text that is not JSON, or a binary frame
    if isinstance(frame, bytes):
        await viewer.ws.send_bytes(frame)
    else:
        await viewer.ws.send_str(frame)
    # then the socket is closed with 4400, with no error logged
    assert await closed_with(viewer) == 4400
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_well_formed_query_over_the_socket_still_runs(capped: Api) -> None:
    # given an acknowledged socket
    viewer = await connect(capped.client)
    # when it sends an ordinary query as a subscribe message
    await viewer.ws.send_json({"id": "q", "type": "subscribe", "payload": {"query": "{ __typename }"}})
    # then it is answered and completed
    assert await viewer.message() == {"id": "q", "type": "next", "payload": {"data": {"__typename": "Query"}}}
    assert await viewer.message() == {"id": "q", "type": "complete"}


async def test_a_socket_that_never_initialises_is_closed_after_the_init_timeout(tmp_path: Path) -> None:
    # given a server that gives a socket one second to send its connection_init
    settings = live_settings(tmp_path, WS_INIT_TIMEOUT_SECONDS=1)
    async with TestClient(TestServer(create_app(settings))) as client:
        # when a socket opens and sends nothing
        ws = await client.ws_connect("/graphql", protocols=["graphql-transport-ws"])
        # then it is closed with 4408 within about that second (not strawberry's default minute)
        async with asyncio.timeout(3):
            assert await closed_with(ws) == 4408


@pytest.mark.parametrize(
    "room", ["99999999999999999999999", "-99999999999999999999999"], ids=["past 64 bits", "below -2^63"]
)
async def test_a_room_id_literal_past_64_bits_is_a_client_error(
    capped: Api, room: str, caplog: pytest.LogCaptureFixture
) -> None:
    # given an acknowledged socket
    viewer = await connect(capped.client)
    caplog.set_level(logging.INFO)
    # when it subscribes to a room whose id is an integer literal no 64 bits hold (orjson cannot encode it)
    query = f"subscription {{ liveComments(roomId: {room}) {{ body }} }}"
    await viewer.ws.send_json({"id": "s", "type": "subscribe", "payload": {"query": query}})
    # then the subscription is refused with a client's code, the socket stays open, and nothing is logged as an error
    message = await viewer.message()
    assert message["type"] in ("error", "next"), message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] in ("INVALID_INPUT", "NOT_FOUND"), errors
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []

"""Live selling over the API: rooms, pins, likes, comments, and the two room subscriptions over WebSocket."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from domain.ids import from_global_id, to_global_id
from subscriptions.live import SLOW_CONSUMER_CODE
from tests.api.conftest import Api, make_product, make_settings, use_clock

ROOM = "room { id title status viewerCount likeCount startedAt pinnedProduct { id } products { id } }"
PAYLOAD = ROOM + " errors { code field }"
CREATE = "mutation($in: CreateLiveRoomInput!) { createLiveRoom(input: $in) { " + PAYLOAD + " } }"
START = "mutation($r: ID!) { startLive(input: {roomId: $r}) { " + PAYLOAD + " } }"
END = "mutation($r: ID!) { endLive(input: {roomId: $r}) { " + PAYLOAD + " } }"
PIN = "mutation($r: ID!, $p: ID!) { pinProduct(input: {roomId: $r, productId: $p}) { " + PAYLOAD + " } }"
LIKE = "mutation($r: ID!, $n: Int!) { likeLive(input: {roomId: $r, count: $n}) { " + PAYLOAD + " } }"
COMMENT = """mutation($r: ID!, $b: String!) { sendLiveComment(input: {roomId: $r, body: $b}) {
  comment { id body author { nickname } } errors { code field } } }"""
COMMENTS_SUB = "subscription($r: ID!) { liveComments(roomId: $r) { body author { nickname } } }"
FOLLOW = "mutation($u: ID!) { follow(input: {userId: $u}) { errors { code } } }"
BLOCK = "mutation($u: ID!) { block(input: {userId: $u}) { errors { code } } }"
EVENTS_SUB = """subscription($r: ID!) { liveRoomEvents(roomId: $r) { __typename
  ... on ViewerCountChanged { viewerCount } ... on ProductPinned { product { title } }
  ... on LikesAdded { likeCount } ... on LiveEnded { endedAt } } }"""


def live_settings(tmp_path: Path, **overrides: Any) -> Any:
    return make_settings(tmp_path, **{"LIVE_TICK_SECONDS": 0.05, **overrides})


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Api]:
    async with TestClient(TestServer(create_app(live_settings(tmp_path)))) as client:
        yield Api(client)


async def mutate(api: Api, query: str, token: str, **variables: Any) -> dict[str, Any]:
    data = (await api.gql(query, variables, token=token))["data"]
    result: dict[str, Any] = next(iter(data.values()))
    return result


async def live_room(api: Api, host: str, *product_ids: str, start: bool = True) -> str:
    created = await mutate(api, CREATE, host, **{"in": {"title": "今晚直播", "productIds": list(product_ids)}})
    assert created["errors"] == [], created
    room_id: str = created["room"]["id"]
    if start:
        started = await mutate(api, START, host, r=room_id)
        assert started["errors"] == [] and started["room"]["status"] == "LIVE", started
    return room_id


class Viewer:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def subscribe(self, op_id: str, query: str, **variables: Any) -> None:
        await self.ws.send_json({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}})

    async def message(self) -> dict[str, Any]:
        got: dict[str, Any] = await self.ws.receive_json(timeout=5)
        return got

    async def data(self, field: str) -> Any:
        """The next result of the subscription to `field` (results of the connection's other ones are skipped)."""
        while True:
            message = await self.message()
            assert message["type"] == "next", message
            if field in message["payload"]["data"]:
                return message["payload"]["data"][field]


async def connect(client: TestClient, token: str | None = None, **kwargs: Any) -> Viewer:  # type: ignore[type-arg]
    ws = await client.ws_connect("/graphql", protocols=["graphql-transport-ws"], **kwargs)
    payload = {"authorization": f"Bearer {token}"} if token else {}
    await ws.send_json({"type": "connection_init", "payload": payload})
    assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
    return Viewer(ws)


async def until(predicate: Any) -> None:
    """Poll `predicate` until it holds (5 s at most): counts and orders that settle within a tick."""
    async with asyncio.timeout(5):
        while not await predicate():  # noqa: ASYNC110 - the state is in the server, there is no event to wait on
            await asyncio.sleep(0.01)


async def viewers_are(api: Api, room_id: str, n: int) -> None:
    async def check() -> bool:
        room = (await api.gql("query($id: ID!) { liveRoom(id: $id) { viewerCount } }", {"id": room_id}))["data"]
        return bool(room["liveRoom"]["viewerCount"] == n)

    await until(check)


async def test_room_lifecycle_and_its_refusals(live: Api) -> None:
    host, _ = await live.login("主播")
    other, _ = await live.login("路人")
    _, product, _ = await make_product(live, host, title="直播好物")
    _, elsewhere, _ = await make_product(live, host, title="别的商品")

    bad = await mutate(live, CREATE, host, **{"in": {"title": " ", "productIds": []}})
    assert bad["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "title"]}]
    missing = to_global_id("Product", "nope")
    bad = await mutate(live, CREATE, host, **{"in": {"title": "直播", "productIds": [product, missing]}})
    assert bad["errors"] == [{"code": "NOT_FOUND", "field": ["input", "productIds", "1"]}]

    room = await live_room(live, host, product, start=False)
    early = await connect(live.client)  # waiting for the start counts as watching
    await early.subscribe("c", COMMENTS_SUB, r=room)
    await viewers_are(live, room, 1)
    assert (await mutate(live, START, other, r=room))["errors"] == [{"code": "FORBIDDEN", "field": ["input", "roomId"]}]
    comment = await mutate(live, COMMENT, other, r=room, b="还没开播")
    assert comment["errors"] == [{"code": "ROOM_NOT_LIVE", "field": ["input", "roomId"]}]
    started = await mutate(live, START, host, r=room)
    assert started["room"]["status"] == "LIVE" and started["room"]["startedAt"]
    assert (await mutate(live, START, host, r=room))["errors"][0]["code"] == "INVALID_STATE"

    pinned = await mutate(live, PIN, host, r=room, p=product)
    assert pinned["room"]["pinnedProduct"] == {"id": product}
    assert (await mutate(live, PIN, host, r=room, p=elsewhere))["errors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "productId"]}
    ]
    for count in (0, 10**9, -1):
        refused = await mutate(live, LIKE, other, r=room, n=count)
        assert refused["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "count"]}], count
    for body in ("", "   ", "长" * 201):
        refused = await mutate(live, COMMENT, other, r=room, b=body)
        assert refused["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "body"]}]
    refused = await mutate(live, COMMENT, other, r=room, b="加我微信 abc12345 便宜卖")
    assert refused["errors"] == [{"code": "CONTENT_REJECTED", "field": ["input", "body"]}]

    ended = await mutate(live, END, host, r=room)
    assert ended["room"]["status"] == "ENDED"
    assert (await mutate(live, COMMENT, other, r=room, b="结束了吗"))["errors"][0]["code"] == "ROOM_NOT_LIVE"
    assert (await mutate(live, LIKE, other, r=room, n=1))["errors"][0]["code"] == "ROOM_NOT_LIVE"
    assert (await mutate(live, PIN, host, r=room, p=product))["errors"][0]["code"] == "INVALID_STATE"
    assert await live.services.store.count("live_comments") == 0  # nothing refused was kept


async def test_blocked_users_cannot_comment(live: Api) -> None:
    host, host_user = await live.login("拉黑主播")
    troll, troll_user = await live.login("捣乱者")
    room = await live_room(live, host)
    await live.gql(BLOCK, {"u": troll_user["id"]}, host)
    refused = await mutate(live, COMMENT, troll, r=room, b="我来了")
    assert refused["errors"] == [{"code": "BLOCKED", "field": ["input", "roomId"]}]
    # and the other way round: who blocked the host cannot comment in their room either
    critic, _ = await live.login("拉黑了主播的人")
    await live.gql(BLOCK, {"u": host_user["id"]}, critic)
    assert (await mutate(live, COMMENT, critic, r=room, b="hi"))["errors"][0]["code"] == "BLOCKED"


async def test_only_one_of_racing_starts_wins(live: Api) -> None:
    host, _ = await live.login("抢开播")
    room = await live_room(live, host, start=False)
    results = await asyncio.gather(*(mutate(live, START, host, r=room) for _ in range(20)))
    winners = [r for r in results if not r["errors"]]
    assert len(winners) == 1
    assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"INVALID_STATE"}


async def test_comments_reach_every_viewer_in_order_and_stay_recent(live: Api) -> None:
    host, _ = await live.login("带货主播")
    fan, _ = await live.login("铁粉")
    room = await live_room(live, host)
    viewers = [await connect(live.client) for _ in range(3)]
    for v in viewers:
        await v.subscribe("c", COMMENTS_SUB, r=room)
    await viewers_are(live, room, 3)
    assert len(live.services.live.groups) == 1  # three viewers, one selection set: one execution per event

    clock = use_clock(live)
    bodies = [f"第{i}条评论" for i in range(8)]
    for body in bodies:
        sent = await mutate(live, COMMENT, fan, r=room, b=body)
        assert sent["errors"] == [], sent
        clock.advance(minutes=1 / 60)  # a second apart: within the rate limit
    for v in viewers:
        got = [await v.data("liveComments") for _ in bodies]
        assert got == [{"body": b, "author": {"nickname": "铁粉"}} for b in bodies]

    recent = "query($id: ID!, $n: Int) { liveRoom(id: $id) { recentComments(last: $n) { body } } }"
    latest = (await live.gql(recent, {"id": room, "n": 3}))["data"]["liveRoom"]["recentComments"]
    assert [c["body"] for c in latest] == bodies[-3:]
    capped = (await live.gql(recent, {"id": room, "n": 1000}))["data"]["liveRoom"]["recentComments"]
    assert len(capped) == len(bodies)  # fewer than the 50 kept

    for v in viewers:
        await v.ws.close()
    await viewers_are(live, room, 0)
    assert live.services.live.groups == {} and live.services.live.rooms == {}  # nothing left behind


async def test_viewer_dependent_selections_run_per_viewer(live: Api) -> None:
    host, host_user = await live.login("关注主播")
    follower, _ = await live.login("关注者")
    stranger, _ = await live.login("陌生人")
    await live.gql(FOLLOW, {"u": host_user["id"]}, follower)
    room = await live_room(live, host)
    query = "subscription($r: ID!) { liveComments(roomId: $r) { body author { viewerFollows } } }"
    a, b = await connect(live.client, follower), await connect(live.client, stranger)
    await a.subscribe("1", query, r=room)
    await b.subscribe("1", query, r=room)
    await viewers_are(live, room, 2)
    assert len(live.services.live.groups) == 2  # the selection reads the viewer: one execution each
    await mutate(live, COMMENT, host, r=room, b="欢迎大家")
    assert (await a.data("liveComments"))["author"] == {"viewerFollows": True}
    assert (await b.data("liveComments"))["author"] == {"viewerFollows": False}


async def test_room_events_and_the_end_of_the_room(live: Api) -> None:
    host, _ = await live.login("事件主播")
    fan, _ = await live.login("点赞粉")
    _, product, _ = await make_product(live, host, title="爆款茶叶")
    room = await live_room(live, host, product)
    viewer = await connect(live.client)
    await viewer.subscribe("e", EVENTS_SUB, r=room)
    await viewer.subscribe("c", COMMENTS_SUB, r=room)
    assert await viewer.data("liveRoomEvents") == {"__typename": "ViewerCountChanged", "viewerCount": 1}

    await mutate(live, PIN, host, r=room, p=product)
    assert await viewer.data("liveRoomEvents") == {"__typename": "ProductPinned", "product": {"title": "爆款茶叶"}}

    liked = await asyncio.gather(*(mutate(live, LIKE, fan, r=room, n=10) for _ in range(30)))
    assert all(r["errors"] == [] for r in liked)
    totals = []
    while not totals or totals[-1] < 300:
        event = await viewer.data("liveRoomEvents")
        assert event["__typename"] == "LikesAdded"
        totals.append(event["likeCount"])
    assert totals[-1] == 300 and len(totals) < 30  # summed per tick, not one write per call
    assert (await live.services.store.get("live_rooms", from_global_id(room)[1]) or {})["likeCount"] == 300

    await mutate(live, END, host, r=room)
    messages = [await viewer.message() for _ in range(3)]
    ended = [m for m in messages if m["type"] == "next"]
    assert ended and ended[0]["payload"]["data"]["liveRoomEvents"]["__typename"] == "LiveEnded"
    assert sorted((m["id"], m["type"]) for m in messages if m["type"] == "complete") == [
        ("c", "complete"),
        ("e", "complete"),
    ]
    await viewers_are(live, room, 0)


async def test_likes_are_written_once_a_tick(tmp_path: Path) -> None:
    # A tick long enough that the test decides when it runs.
    async with TestClient(TestServer(create_app(live_settings(tmp_path, LIVE_TICK_SECONDS=3600)))) as client:
        api = Api(client)
        host, _ = await api.login("点赞主播")
        room = await live_room(api, host)
        raw = from_global_id(room)[1]
        for _ in range(25):
            assert (await mutate(api, LIKE, host, r=room, n=4))["errors"] == []
        assert (await api.services.store.get("live_rooms", raw) or {})["likeCount"] == 0  # nothing written yet
        shown = await api.gql("query($id: ID!) { liveRoom(id: $id) { likeCount } }", {"id": room})
        assert shown["data"]["liveRoom"]["likeCount"] == 100  # the payloads already count them
        await api.services.live.tick()
        assert (await api.services.store.get("live_rooms", raw) or {})["likeCount"] == 100


async def test_subscribing_to_unknown_or_ended_rooms_is_an_error(live: Api) -> None:
    host, _ = await live.login("错误主播")
    ended = await live_room(live, host)
    await mutate(live, END, host, r=ended)
    viewer = await connect(live.client)
    for op_id, room, code in (
        ("1", to_global_id("LiveRoom", "nope"), "NOT_FOUND"),
        ("2", ended, "ROOM_NOT_LIVE"),
        ("3", to_global_id("Product", "x"), "INVALID_INPUT"),
    ):
        await viewer.subscribe(op_id, COMMENTS_SUB, r=room)
        got = await viewer.message()
        assert got["id"] == op_id and got["payload"]["errors"][0]["extensions"]["code"] == code, got
        assert await viewer.message() == {"id": op_id, "type": "complete"}
    await viewer.subscribe("4", "subscription($r: ID!) { liveComments(roomId: $r) { nope } }", r=ended)
    got = await viewer.message()
    assert got["type"] == "error" and got["id"] == "4"
    assert live.services.live.groups == {} and live.services.live.rooms == {}  # no queue left behind


async def test_comments_are_rate_limited_per_user(live: Api) -> None:
    host, _ = await live.login("限流主播")
    chatty, _ = await live.login("话痨")
    room = await live_room(live, host)
    clock = use_clock(live)
    burst = live.services.settings.LIVE_COMMENT_BURST
    results = await asyncio.gather(*(mutate(live, COMMENT, chatty, r=room, b=f"刷屏{i}") for i in range(10)))
    assert sum(not r["errors"] for r in results) == burst
    assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"RATE_LIMITED"}
    clock.advance(minutes=1 / 60)
    assert (await mutate(live, COMMENT, chatty, r=room, b="一秒后"))["errors"] == []
    assert (await mutate(live, COMMENT, chatty, r=room, b="太快了"))["errors"][0]["code"] == "RATE_LIMITED"
    assert (await mutate(live, COMMENT, host, r=room, b="主播不受影响"))["errors"] == []


class RawViewer:
    """A graphql-transport-ws client on a bare socket, so a test can stop reading it (an aiohttp client keeps
    reading into its own memory whatever the application does). Frames are masked with a zero key."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, url: Any) -> RawViewer:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (url.host, url.port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=1024)  # stops reading past 2 KB
        writer.write(
            b"GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
        )
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
        return cls(reader, writer)

    def send(self, message: dict[str, Any]) -> None:
        data = orjson.dumps(message)
        assert len(data) < 65536
        header = bytes((0x81, 0x80 | len(data))) if len(data) < 126 else struct.pack("!BBH", 0x81, 0xFE, len(data))
        self.writer.write(header + b"\0\0\0\0" + data)

    async def frame(self) -> tuple[int, bytes]:
        first, length = await self.reader.readexactly(2)
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return first & 0x0F, await self.reader.readexactly(length)


async def test_a_slow_viewer_is_disconnected_and_can_resubscribe(tmp_path: Path) -> None:
    settings = live_settings(
        tmp_path, LIVE_VIEWER_BUFFER_BYTES=16 * 1024, LIVE_SOCKET_SEND_BUFFER=8192, LIVE_COMMENT_BURST=1000
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        api = Api(client)
        host, _ = await api.login("快嘴主播")
        room = await live_room(api, host)
        slow = await RawViewer.connect(client.make_url("/graphql"))
        slow.send({"type": "connection_init", "payload": {}})
        assert await slow.frame() == (1, b'{"type":"connection_ack"}')
        slow.send({"id": "s", "type": "subscribe", "payload": {"query": COMMENTS_SUB, "variables": {"r": room}}})
        fast = await connect(client)
        await fast.subscribe("f", COMMENTS_SUB, r=room)
        await viewers_are(api, room, 2)
        body = "长评论" * 66  # ~600 bytes a frame
        sent = 0
        while api.services.live.local_viewers(from_global_id(room)[1]) == 2:  # the slow one reads nothing
            assert (await mutate(api, COMMENT, host, r=room, b=body))["errors"] == []
            assert (await fast.data("liveComments"))["body"] == body  # the fast viewer keeps up
            sent += 1
            assert sent < 5000, "the slow viewer was never dropped"
        await viewers_are(api, room, 1)
        assert sent * 600 > 16 * 1024  # it held at least its allowance before being dropped
        opcode, data = await slow.frame()
        while opcode != 8:  # what was already buffered arrives, then the close frame
            opcode, data = await slow.frame()
        assert struct.unpack("!H", data[:2])[0] == SLOW_CONSUMER_CODE
        slow.writer.close()

        again = await connect(client)
        await again.subscribe("s", COMMENTS_SUB, r=room)
        await viewers_are(api, room, 2)
        await mutate(api, COMMENT, host, r=room, b="回来了")
        assert (await again.data("liveComments"))["body"] == "回来了"


async def test_went_live_reaches_followers(live: Api) -> None:
    host, host_user = await live.login("开播通知主播")
    fan, _ = await live.login("开播粉丝")
    await live.gql(FOLLOW, {"u": host_user["id"]}, fan)
    room = await live_room(live, host, start=False)
    sub = "subscription { feedUpdates { verb actor { nickname } liveRoom { id title status } } }"
    async with live.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {fan}"}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub}})
        await asyncio.sleep(0.1)
        await mutate(live, START, host, r=room)
        got = (await ws.receive_json(timeout=5))["payload"]["data"]["feedUpdates"]
    assert got == {
        "verb": "WENT_LIVE",
        "actor": {"nickname": "开播通知主播"},
        "liveRoom": {"id": room, "title": "今晚直播", "status": "LIVE"},
    }


async def test_live_rooms_list_live_first_by_viewers(live: Api) -> None:
    host, _ = await live.login("列表主播")
    scheduled = await live_room(live, host, start=False)
    quiet = await live_room(live, host)
    busy = await live_room(live, host)
    finished = await live_room(live, host)
    await mutate(live, END, host, r=finished)
    viewers = [await connect(live.client) for _ in range(2)]
    for v in viewers:
        await v.subscribe("c", COMMENTS_SUB, r=busy)
    await viewers_are(live, busy, 2)

    async def order() -> bool:
        body = await live.gql("{ liveRooms(first: 10) { edges { node { id } } } }")
        ids = [e["node"]["id"] for e in body["data"]["liveRooms"]["edges"]]
        return ids == [busy, quiet, scheduled, finished]

    await until(order)  # the viewer count reaches the room's order within a tick


@pytest.fixture
async def two_processes(tmp_path: Path, redis_url: str) -> AsyncIterator[tuple[Api, Api]]:
    """Two app instances sharing one store directory and one Redis: two server processes behind a balancer."""
    one = live_settings(tmp_path / "a", REDIS_URL=redis_url)
    two = live_settings(tmp_path / "a", REDIS_URL=redis_url)
    async with TestClient(TestServer(create_app(one))) as a, TestClient(TestServer(create_app(two))) as b:
        yield Api(a), Api(b)


async def test_comments_reach_viewers_of_every_process_through_redis(two_processes: tuple[Api, Api]) -> None:
    a, b = two_processes
    host, _ = await a.login("跨进程主播")
    fan, _ = await a.login("跨进程粉丝")
    room = await live_room(a, host)
    on_a, on_b = await connect(a.client), await connect(b.client)
    await on_a.subscribe("1", COMMENTS_SUB, r=room)
    await on_b.subscribe("1", COMMENTS_SUB, r=room)
    await on_b.subscribe("2", EVENTS_SUB, r=room)
    await viewers_are(a, room, 2)  # counted across both processes
    await viewers_are(b, room, 2)

    bodies = ["一", "二", "三"]
    for body in bodies:  # within the burst
        assert (await mutate(b, COMMENT, fan, r=room, b=body))["errors"] == []
    assert (await mutate(a, COMMENT, fan, r=room, b="四"))["errors"][0]["code"] == "RATE_LIMITED"  # one bucket
    for viewer in (on_a, on_b):
        assert [(await viewer.data("liveComments"))["body"] for _ in bodies] == bodies

    await mutate(a, END, host, r=room)
    kinds = set()
    while ("2", "complete") not in kinds or ("1", "complete") not in kinds:
        message = await on_b.message()
        kinds.add((message["id"], message["type"]))
    assert await on_a.message() == {"id": "1", "type": "complete"}


async def test_a_signed_in_viewer_joining_and_leaving_is_recorded_in_the_event_stream(live: Api) -> None:
    host, _ = await live.login("事件流主播")
    fan, fan_user = await live.login("事件流观众")
    _, product, _ = await make_product(live, host, title="直播间商品")
    room = await live_room(live, host, product)
    fan_id, room_id = from_global_id(fan_user["id"])[1], from_global_id(room)[1]

    async def recorded() -> list[str]:
        await live.services.events.flush()
        found = await live.services.store.find("events", {"userId": fan_id}, limit=20)
        return [e["name"] for e in found.docs if (e.get("props") or {}).get("roomId") == room_id]

    viewer = await connect(live.client, fan)
    await viewer.subscribe("c", COMMENTS_SUB, r=room)
    await viewer.subscribe("e", EVENTS_SUB, r=room)  # a second subscription of the same socket: one join
    await viewers_are(live, room, 1)
    assert await recorded() == ["LIVE_JOINED"]
    anonymous = await connect(live.client)  # counted, not recorded
    await anonymous.subscribe("c", COMMENTS_SUB, r=room)
    await viewers_are(live, room, 2)
    await viewer.ws.close()
    await viewers_are(live, room, 1)
    assert sorted(await recorded()) == ["LIVE_JOINED", "LIVE_LEFT"]

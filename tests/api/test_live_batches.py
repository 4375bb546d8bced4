"""liveCommentBatches (issue 21, big live rooms): in a room with LIVE_BATCH_MIN_VIEWERS viewers or more, comments
arrive in batches, at most LIVE_FRAMES_PER_SECOND frames a second whatever the comment rate; in smaller rooms each
comment is a batch of one; blocked authors' comments are left out of a viewer's batch; the end flushes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from subscriptions.live import without
from tests.api.conftest import Api
from tests.api.test_live import COMMENT, END, Viewer, connect, live_room, live_settings, mutate, viewers_are
from tests.api.test_trust_live_blocks import block

BATCHES = "subscription($r: ID!) { liveCommentBatches(roomId: $r) { comments { body author { nickname } } } }"
CHATTY = {"LIVE_COMMENT_BURST": 100, "LIVE_COMMENTS_PER_SECOND": 100.0}


@pytest.fixture
async def big_rooms(tmp_path: Path) -> AsyncIterator[Api]:
    """Every room counts as big (one viewer is enough), at 2 frames a second."""
    settings = live_settings(tmp_path, LIVE_BATCH_MIN_VIEWERS=1, LIVE_FRAMES_PER_SECOND=2.0, **CHATTY)
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Api(client)


@pytest.fixture
async def small_rooms(tmp_path: Path) -> AsyncIterator[Api]:
    async with TestClient(TestServer(create_app(live_settings(tmp_path, **CHATTY)))) as client:
        yield Api(client)


async def batch(viewer: Viewer) -> list[str]:
    return [c["body"] for c in (await viewer.data("liveCommentBatches"))["comments"]]


async def say(api: Api, token: str, room: str, *bodies: str) -> None:
    for body in bodies:
        assert (await mutate(api, COMMENT, token, r=room, b=body))["errors"] == []


async def test_in_a_small_room_each_comment_is_a_batch_of_one_sent_at_once(small_rooms: Api) -> None:
    host, _ = await small_rooms.login("小房间主播")
    room = await live_room(small_rooms, host)
    viewer = await connect(small_rooms.client, host)
    await viewer.subscribe("1", BATCHES, r=room)
    await viewers_are(small_rooms, room, 1)
    await say(small_rooms, host, room, "一", "二", "三")
    assert [await batch(viewer) for _ in range(3)] == [["一"], ["二"], ["三"]]


async def test_in_a_big_room_comments_arrive_batched_in_order_at_the_frame_rate(big_rooms: Api) -> None:
    host, _ = await big_rooms.login("大房间主播")
    room = await live_room(big_rooms, host)
    viewer = await connect(big_rooms.client, host)
    await viewer.subscribe("1", BATCHES, r=room)
    await viewers_are(big_rooms, room, 1)
    bodies = [f"弹幕{i}" for i in range(12)]
    started = time.monotonic()
    await say(big_rooms, host, room, *bodies)
    sending = time.monotonic() - started
    frames: list[list[str]] = []
    while sum(map(len, frames)) < len(bodies):
        frames.append(await batch(viewer))
    # every comment once, in order, in no more frames than 2 a second allow over the time they were sent in
    assert [b for frame in frames for b in frame] == bodies
    assert len(frames) <= 2 + int(sending * 2), (sending, frames)
    assert len(frames) < len(bodies)


async def test_a_batch_leaves_out_the_comments_of_authors_across_a_block(big_rooms: Api) -> None:
    host = await big_rooms.login("拉黑房主播")
    commenter = await big_rooms.login("被拉黑的弹幕")
    blocker = await big_rooms.login("拉黑者")
    bystander = await big_rooms.login("看客")
    await block(big_rooms, blocker, commenter)
    room = await live_room(big_rooms, host[0])
    viewers = {
        "blocker": await connect(big_rooms.client, blocker[0]),
        "bystander": await connect(big_rooms.client, bystander[0]),
    }
    for viewer in viewers.values():
        await viewer.subscribe("1", BATCHES, r=room)
    await viewers_are(big_rooms, room, 2)
    assert len(big_rooms.services.live.groups) == 1  # one shared execution
    # a batch of the commenter's words alone, then one mixing both authors, then the host's alone
    await say(big_rooms, commenter[0], room, "只有我")
    await asyncio.sleep(0.6)
    await say(big_rooms, commenter[0], room, "混一")
    await say(big_rooms, host[0], room, "混二")
    await asyncio.sleep(0.6)
    await say(big_rooms, host[0], room, "最后")

    async def until_last(viewer: Viewer) -> list[list[str]]:
        got: list[list[str]] = []
        while not got or got[-1][-1:] != ["最后"]:
            got.append(await batch(viewer))
        return got

    bystander_saw = await until_last(viewers["bystander"])
    blocker_saw = await until_last(viewers["blocker"])
    assert [b for f in bystander_saw for b in f] == ["只有我", "混一", "混二", "最后"]
    assert [b for f in blocker_saw for b in f] == ["混二", "最后"]
    assert [] not in blocker_saw  # a batch of blocked words only is no frame at all


async def test_the_end_of_the_room_sends_what_was_collected_then_completes(tmp_path: Path) -> None:
    settings = live_settings(tmp_path, LIVE_BATCH_MIN_VIEWERS=1, LIVE_FRAMES_PER_SECOND=0.2, **CHATTY)
    async with TestClient(TestServer(create_app(settings))) as client:
        api = Api(client)
        host, _ = await api.login("收播主播")
        room = await live_room(api, host)
        viewer = await connect(client, host)
        await viewer.subscribe("1", BATCHES, r=room)
        await viewers_are(api, room, 1)
        await say(api, host, room, "开场")  # the first batch goes at once
        assert await batch(viewer) == ["开场"]
        await say(api, host, room, "再见", "拜拜")  # the next waits for its interval (5 s)...
        assert (await mutate(api, END, host, r=room))["errors"] == []
        assert await batch(viewer) == ["再见", "拜拜"]  # ...but the end sends it first
        assert (await viewer.message())["type"] == "complete"


def test_without_drops_the_comments_at_the_given_places_under_any_alias() -> None:
    payload: dict[str, Any] = {
        "data": {
            "b": {
                "comments": [{"body": "0"}, {"body": "1"}, {"body": "2"}],
                "again": [{"x": 0}, {"x": 1}, {"x": 2}],
                "__typename": "LiveCommentBatch",
            }
        }
    }
    assert without(payload, {0, 2}) == {
        "data": {"b": {"comments": [{"body": "1"}], "again": [{"x": 1}], "__typename": "LiveCommentBatch"}}
    }
    assert payload["data"]["b"]["comments"][0] == {"body": "0"}  # the shared result is not changed
    assert without({"data": None, "errors": []}, {0}) == {"data": None, "errors": []}

"""Issue 14, finding 14, the live path: a live comment pushed over `liveComments` reaches no viewer who blocked its
author or is blocked by them (the rule of domain/visibility.py), while the shared execution of the LiveHub stays
one per selection; blocks made while subscribed take effect; the room's other events reach everyone."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api.conftest import Api, make_product
from tests.api.test_content import LIKE as POST_LIKE
from tests.api.test_content import create
from tests.api.test_feeds import befriend
from tests.api.test_live import (
    BLOCK,
    COMMENT,
    COMMENTS_SUB,
    EVENTS_SUB,
    LIKE,
    PIN,
    Viewer,
    connect,
    live,  # noqa: F401 - the fixture
    live_room,
    mutate,
    two_processes,  # noqa: F401 - the fixture
    viewers_are,
)

User = tuple[str, dict[str, Any]]


async def block(api: Api, by: User, whom: User) -> None:
    assert (await api.gql(BLOCK, {"u": whom[1]["id"]}, by[0]))["data"]["block"]["errors"] == []


async def say(api: Api, who: User, room: str, body: str) -> None:
    sent = await mutate(api, COMMENT, who[0], r=room, b=body)
    assert sent["errors"] == [], sent


async def bodies_until(viewer: Viewer, last: str) -> list[str]:
    """The bodies of the live comments the viewer gets, up to and including `last` (a comment everyone sees, so
    what came before it is exactly what reached this viewer)."""
    got = []
    while not got or got[-1] != last:
        got.append((await viewer.data("liveComments"))["body"])
    return got


async def test_a_live_comment_reaches_no_viewer_across_a_block(live: Api) -> None:  # noqa: F811
    # given a room watched by one who blocked the commenter, one the commenter blocked, a bystander and an
    # anonymous viewer, all with the same selection (one shared execution)
    host = await live.login("直播主播")
    commenter = await live.login("评论者")
    blocker = await live.login("拉黑了评论者")
    blocked = await live.login("被评论者拉黑")
    bystander = await live.login("旁观者")
    await block(live, blocker, commenter)
    await block(live, commenter, blocked)
    room = await live_room(live, host[0])
    viewers = {
        "blocker": await connect(live.client, blocker[0]),
        "blocked": await connect(live.client, blocked[0]),
        "bystander": await connect(live.client, bystander[0]),
        "anonymous": await connect(live.client),
    }
    for viewer in viewers.values():
        await viewer.subscribe("1", COMMENTS_SUB, r=room)
    await viewers_are(live, room, 4)
    assert len(live.services.live.groups) == 1
    # when the commenter comments, then the host does
    await say(live, commenter, room, "评论者的话")
    await say(live, host, room, "主播的话")
    # then only the bystander and the anonymous viewer got the commenter's comment
    got = {name: await bodies_until(viewer, "主播的话") for name, viewer in viewers.items()}
    assert got == {
        "blocker": ["主播的话"],
        "blocked": ["主播的话"],
        "bystander": ["评论者的话", "主播的话"],
        "anonymous": ["评论者的话", "主播的话"],
    }


async def test_viewer_dependent_selections_skip_comments_across_a_block_too(live: Api) -> None:  # noqa: F811
    # given a viewer who blocked the commenter, watching with a selection that runs per viewer
    host = await live.login("个性主播")
    commenter = await live.login("个性评论者")
    blocker = await live.login("个性拉黑者")
    await block(live, blocker, commenter)
    room = await live_room(live, host[0])
    query = "subscription($r: ID!) { liveComments(roomId: $r) { body author { viewerFollows } } }"
    viewer = await connect(live.client, blocker[0])
    await viewer.subscribe("1", query, r=room)
    await viewers_are(live, room, 1)
    # when the commenter comments, then the host does
    await say(live, commenter, room, "看不见我")
    await say(live, host, room, "看得见我")
    # then the viewer got only the host's comment
    assert await bodies_until(viewer, "看得见我") == ["看得见我"]


async def test_a_block_made_while_subscribed_takes_effect(live: Api) -> None:  # noqa: F811
    # given two viewers who see the commenter's comments
    host = await live.login("实时主播")
    commenter = await live.login("实时评论者")
    later_blocker = await live.login("后来拉黑的人")
    later_blocked = await live.login("后来被拉黑的人")
    room = await live_room(live, host[0])
    first, second = await connect(live.client, later_blocker[0]), await connect(live.client, later_blocked[0])
    for viewer in (first, second):
        await viewer.subscribe("1", COMMENTS_SUB, r=room)
    await viewers_are(live, room, 2)
    await say(live, commenter, room, "之前")
    for viewer in (first, second):
        assert (await viewer.data("liveComments"))["body"] == "之前"
    # when one of them blocks the commenter and the commenter blocks the other, while subscribed
    await block(live, later_blocker, commenter)
    await block(live, commenter, later_blocked)
    await say(live, commenter, room, "之后")
    await say(live, host, room, "主播")
    # then neither gets the commenter's comments any more
    assert await bodies_until(first, "主播") == ["主播"]
    assert await bodies_until(second, "主播") == ["主播"]


async def test_the_rooms_other_events_reach_viewers_across_a_block(live: Api) -> None:  # noqa: F811
    # given a viewer who blocked a fan of the room, watching the room's events
    host = await live.login("事件主播")
    fan = await live.login("点赞的粉丝")
    blocker = await live.login("拉黑粉丝的人")
    await block(live, blocker, fan)
    _, product, _ = await make_product(live, host[0], title="直播爆款")
    room = await live_room(live, host[0], product)
    viewer = await connect(live.client, blocker[0])
    await viewer.subscribe("e", EVENTS_SUB, r=room)
    # then the viewer count reaches them
    assert await viewer.data("liveRoomEvents") == {"__typename": "ViewerCountChanged", "viewerCount": 1}
    # and when the fan likes the room and the host pins a product, those reach them too
    assert (await mutate(live, LIKE, fan[0], r=room, n=5))["errors"] == []
    assert await viewer.data("liveRoomEvents") == {"__typename": "LikesAdded", "likeCount": 5}
    await mutate(live, PIN, host[0], r=room, p=product)
    assert await viewer.data("liveRoomEvents") == {"__typename": "ProductPinned", "product": {"title": "直播爆款"}}


async def test_a_block_made_on_another_process_takes_effect(two_processes: tuple[Api, Api]) -> None:  # noqa: F811
    # given a viewer watching through one process
    a, b = two_processes
    host, commenter, watcher = await a.login("跨进程主播"), await a.login("跨进程评论者"), await a.login("跨进程观众")
    room = await live_room(a, host[0])
    viewer = await connect(b.client, watcher[0])
    await viewer.subscribe("1", COMMENTS_SUB, r=room)
    await viewers_are(b, room, 1)
    # when the viewer blocks the commenter through the other process, and the commenter comments there
    await block(a, watcher, commenter)
    await say(a, commenter, room, "另一个进程")
    await say(a, host, room, "主播在")
    # then the block reached the viewer's process: only the host's comment arrives
    assert await bodies_until(viewer, "主播在") == ["主播在"]


# -- feedUpdates: activity about a post across a block --------------------------------------------------------

FEED_SUB = "subscription { feedUpdates { verb actor { nickname } post { title } } }"


async def feed_socket(api: Api, reader: User) -> Viewer:
    viewer = await connect(api.client, reader[0])
    await viewer.subscribe("f", FEED_SUB)
    await asyncio.sleep(0.1)  # subscribed to the reader's topics
    return viewer


async def updates_until(viewer: Viewer, title: str) -> list[tuple[str, str]]:
    """(verb, post title) of the feed updates the viewer gets, up to the one about the post titled `title`."""
    got: list[tuple[str, str]] = []
    while not got or got[-1][1] != title:
        update = await viewer.data("feedUpdates")
        got.append((update["verb"], update["post"]["title"] if update["post"] else ""))
    return got


async def test_feed_updates_about_a_post_across_a_block_do_not_arrive(live: Api) -> None:  # noqa: F811
    # given a reader who blocked an author, and a friend of the reader's
    reader, friend, author = await live.login("动态读者"), await live.login("动态朋友"), await live.login("被拉黑作者")
    await befriend(live, reader, friend)
    await block(live, reader, author)
    await live.services.projector.drain()
    post = (await create(live, author[0], title="被拉黑者的笔记", body="内容"))["post"]["id"]
    viewer = await feed_socket(live, reader)
    # when the friend likes the blocked author's post, then posts one of their own
    assert (await live.gql(POST_LIKE, {"p": post}, friend[0]))["data"]["likePost"]["errors"] == []
    assert (await create(live, friend[0], title="朋友的笔记", body="内容"))["errors"] == []
    # then the reader hears only of the friend's own post
    assert await updates_until(viewer, "朋友的笔记") == [("POSTED", "朋友的笔记")]


async def test_a_block_made_while_subscribed_to_feed_updates_takes_effect(live: Api) -> None:  # noqa: F811
    # given a reader subscribed to feed updates, who has already heard of their friend's post
    reader, friend, author = await live.login("订阅读者"), await live.login("订阅朋友"), await live.login("后被拉黑")
    await befriend(live, reader, friend)
    await live.services.projector.drain()
    post = (await create(live, author[0], title="后被拉黑者的笔记", body="内容"))["post"]["id"]
    viewer = await feed_socket(live, reader)
    assert (await create(live, friend[0], title="第一篇", body="内容"))["errors"] == []
    assert await updates_until(viewer, "第一篇") == [("POSTED", "第一篇")]
    # when the reader blocks the author while subscribed, and the friend likes the author's post, then posts
    await block(live, reader, author)
    assert (await live.gql(POST_LIKE, {"p": post}, friend[0]))["data"]["likePost"]["errors"] == []
    assert (await create(live, friend[0], title="第二篇", body="内容"))["errors"] == []
    # then the reader hears only of the friend's own post
    assert await updates_until(viewer, "第二篇") == [("POSTED", "第二篇")]


async def test_a_friendship_made_while_subscribed_to_feed_updates_takes_effect(live: Api) -> None:  # noqa: F811
    # given a reader who follows someone and is subscribed to feed updates, having heard of their post
    from tests.api.test_feeds import FOLLOW

    reader, friend, author = await live.login("订阅新朋友"), await live.login("回关的人"), await live.login("被赞作者")
    assert (await live.gql(FOLLOW, {"id": friend[1]["id"]}, token=reader[0]))["data"]
    post = (await create(live, author[0], title="被赞的笔记", body="内容"))["post"]["id"]
    viewer = await feed_socket(live, reader)
    assert (await create(live, friend[0], title="回关前", body="内容"))["errors"] == []
    assert await updates_until(viewer, "回关前") == [("POSTED", "回关前")]
    # when the other follows back while the reader is subscribed (now friends), likes a post, then posts
    assert (await live.gql(FOLLOW, {"id": reader[1]["id"]}, token=friend[0]))["data"]
    await live.services.projector.drain()
    assert (await live.gql(POST_LIKE, {"p": post}, friend[0]))["data"]["likePost"]["errors"] == []
    assert (await create(live, friend[0], title="回关后", body="内容"))["errors"] == []
    # then the reader hears of the friend's like at once (a FRIENDS activity), not only after the facts expire
    assert await updates_until(viewer, "回关后") == [("LIKED", "被赞的笔记"), ("POSTED", "回关后")]

"""Feeds through the API: FOLLOWING (fan-out and the celebrity merge, stable cursors), FRIENDS (privacy, blocks),
DISCOVER, trending topics and the feedUpdates subscription."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from resolvers.feeds import FeedPage, following
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_content import create
from tests.api.test_orders import line, pay, place

FOLLOW = "mutation($id: ID!) { follow(input: {userId: $id}) { errors { code } } }"
FEED = """query($k: FeedKind!, $first: Int, $after: String) { feed(kind: $k, first: $first, after: $after) {
  edges { cursor node { verb actor { nickname } post { title } product { title } } }
  pageInfo { hasNextPage endCursor } } }"""


async def feed(api: Api, token: str | None, kind: str, first: int = 20, after: str | None = None) -> Any:
    return (await api.gql(FEED, {"k": kind, "first": first, "after": after}, token=token))["data"]["feed"]


async def befriend(api: Api, a: tuple[str, dict[str, Any]], b: tuple[str, dict[str, Any]]) -> None:
    await api.gql(FOLLOW, {"id": b[1]["id"]}, token=a[0])
    await api.gql(FOLLOW, {"id": a[1]["id"]}, token=b[0])


async def test_following_walks_every_post_once_newest_first(api: Api) -> None:
    clock = use_clock(api)
    reader = await api.login("读者")
    authors = [await api.login(f"作者{i}") for i in range(3)]
    stranger = await api.login("没关注的人")
    for author in authors:
        await api.gql(FOLLOW, {"id": author[1]["id"]}, token=reader[0])
    titles = []
    for i in range(9):
        clock.advance(minutes=1)
        title = f"第{i}篇"
        await create(api, authors[i % 3][0], title=title, body=f"内容{i}")
        titles.append(title)
    await create(api, stranger[0], title="别人的", body="看不到")
    seen, after = [], None
    while True:
        page = await feed(api, reader[0], "FOLLOWING", first=4, after=after)
        seen += [e["node"]["post"]["title"] for e in page["edges"]]
        assert all(e["node"]["verb"] == "POSTED" for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        clock.advance(minutes=1)
        await create(api, authors[0][0], title=f"翻页时新发{len(seen)}", body="新内容")  # does not disturb the walk
    assert seen == titles[::-1]
    await api.gql(
        "mutation($id: ID!) { unfollow(input: {userId: $id}) { errors { code } } }",
        {"id": authors[1][1]["id"]},
        token=reader[0],
    )
    again = [e["node"]["post"]["title"] for e in (await feed(api, reader[0], "FOLLOWING", first=50))["edges"]]
    assert not any(t in again for t in titles[1::3])


async def test_celebrities_are_merged_at_read_time(api: Api) -> None:
    clock = use_clock(api)
    api.services.settings.FANOUT_THRESHOLD = 1
    star = await api.login("大明星")
    fans = [await api.login(f"粉丝{i}") for i in range(3)]
    ordinary = await api.login("普通人")
    for fan in fans:
        await api.gql(FOLLOW, {"id": star[1]["id"]}, token=fan[0])
    await api.gql(FOLLOW, {"id": ordinary[1]["id"]}, token=fans[0][0])
    clock.advance(minutes=1)
    await create(api, star[0], title="明星的帖子", body="大家好")
    clock.advance(minutes=1)
    await create(api, ordinary[0], title="普通的帖子", body="你好")
    assert (
        await api.services.store.count(
            "timelines", {"authorId": (await api.services.store.find("users", {"nickname": "大明星"})).docs[0]["_id"]}
        )
        == 0
    )
    page = await feed(api, fans[0][0], "FOLLOWING")
    assert [e["node"]["post"]["title"] for e in page["edges"]] == ["普通的帖子", "明星的帖子"]
    assert [e["node"]["post"]["title"] for e in (await feed(api, fans[1][0], "FOLLOWING"))["edges"]] == ["明星的帖子"]


async def test_friends_feed_honours_activity_privacy_and_blocks(api: Api) -> None:
    me = await api.login("我自己")
    open_friend = await api.login("公开的朋友")
    shy_friend = await api.login("低调的朋友")
    blocked_friend = await api.login("拉黑的朋友")
    for friend in (open_friend, shy_friend, blocked_friend):
        await befriend(api, me, friend)
    await api.services.projector.drain()
    seller, _ = await api.login("朋友圈卖家")
    _, _, (sku,) = await make_product(api, seller, title="好茶")
    for friend in (open_friend, shy_friend, blocked_friend):
        order = (await place(api, friend[0], [line(sku)], "f"))["order"]
        await pay(api, friend[0], order["id"])
        await create(api, friend[0], title=f"{friend[1]['nickname']}的笔记", body="分享")
    await api.gql(
        "mutation { updatePrivacy(input: {activityVisibility: PRIVATE}) { errors { code } } }", token=shy_friend[0]
    )
    await api.gql(
        "mutation($id: ID!) { block(input: {userId: $id}) { errors { code } } }",
        {"id": blocked_friend[1]["id"]},
        token=me[0],
    )
    items = (await feed(api, me[0], "FRIENDS"))["edges"]
    assert {(e["node"]["actor"]["nickname"], e["node"]["verb"]) for e in items} == {
        ("公开的朋友", "BOUGHT"),
        ("公开的朋友", "POSTED"),
    }
    bought = next(e for e in items if e["node"]["verb"] == "BOUGHT")
    assert bought["node"]["product"] == {"title": "好茶"}
    assert (await feed(api, None, "FRIENDS"))["edges"] == []


async def test_discover_ranks_and_keeps_authors_apart(api: Api) -> None:
    viewer = await api.login("发现者")
    friend = await api.login("发现的朋友")
    other = await api.login("陌生作者")
    await befriend(api, viewer, friend)
    await api.services.projector.drain()
    for i in range(3):
        await create(api, other[0], title=f"陌生{i}", body=f"陌生内容{i}号")
    await create(api, friend[0], title="朋友的", body="朋友内容")
    likers = [await api.login(f"捧场{i}") for i in range(4)]
    stranger_post = (await api.services.store.find("posts", {"title": "陌生0"})).docs[0]
    from domain.ids import to_global_id

    for liker in likers:
        await api.gql(
            "mutation($p: ID!) { likePost(input: {postId: $p}) { errors { code } } }",
            {"p": to_global_id("Post", stranger_post["_id"])},
            token=liker[0],
        )
    page = await feed(api, viewer[0], "DISCOVER", first=10)
    titles = [e["node"]["post"]["title"] for e in page["edges"]]
    assert set(titles) == {"陌生0", "陌生1", "陌生2", "朋友的"}
    assert titles[:2] == ["陌生0", "朋友的"]  # 4 likes outweigh friendship; the friend's post breaks up the stranger's
    authors = [e["node"]["actor"]["nickname"] for e in page["edges"]]
    # 3 of the 4 are by one author: one such neighbour pair is unavoidable, and there is only that one
    assert sum(1 for a, b in itertools.pairwise(authors) if a == b) == 1
    first_two = await feed(api, viewer[0], "DISCOVER", first=2)
    rest = await feed(api, viewer[0], "DISCOVER", first=10, after=first_two["pageInfo"]["endCursor"])
    assert [e["node"]["post"]["title"] for e in first_two["edges"] + rest["edges"]] == titles


async def test_trending_topics_follow_recent_activity(api: Api) -> None:
    clock = use_clock(api)
    author = await api.login("话题作者")
    await create(api, author[0], title="旧话题", body="很久以前", topics=["旧"])
    clock.advance(days=2)
    for i in range(2):
        await create(api, author[0], title=f"新话题{i}", body=f"最近的内容{i}", topics=["新", "茶"])
    await create(api, author[0], title="茶话", body="只有茶", topics=["茶"])
    body = await api.gql("{ trendingTopics(first: 5) { name postCount } }")
    assert body["data"]["trendingTopics"] == [{"name": "茶", "postCount": 3}, {"name": "新", "postCount": 2}]


async def test_feed_updates_arrive_over_websocket(api: Api) -> None:
    me = await api.login("实时读者")
    friend = await api.login("实时朋友")
    await befriend(api, me, friend)
    await api.services.projector.drain()
    sub = "subscription { feedUpdates { verb actor { nickname } post { title } } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {me[0]}"}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub}})
        await create(api, friend[0], title="刚发的", body="实时推送")
        got = (await ws.receive_json(timeout=5))["payload"]["data"]["feedUpdates"]
        assert got == {"verb": "POSTED", "actor": {"nickname": "实时朋友"}, "post": {"title": "刚发的"}}


async def test_the_following_page_is_a_feed_page(api: Api) -> None:
    reader = await api.login("空读者")
    empty = await following(api.services, "nobody", 10, None)
    assert empty == FeedPage([], [], False)
    bad = await api.gql(FEED, {"k": "FOLLOWING", "after": "%%%"}, token=reader[0], expect_errors=True)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_trending_topics_in_redis_sorted_sets(api_redis: Api) -> None:
    from resolvers.rankings import HOUR_MS, heat_key

    api = api_redis
    clock = use_clock(api)
    redis = api.services.backends.bus.redis  # type: ignore[attr-defined]
    hour = clock.ms // HOUR_MS
    await redis.delete(*[heat_key("topic", h) for h in range(hour - 72, hour + 2)])
    author = await api.login("红话题作者")
    await create(api, author[0], title="旧话题", body="很久以前的事", topics=["旧闻"])
    clock.advance(days=2)
    for i in range(2):
        await create(api, author[0], title=f"新话题{i}", body=f"最近发生的第{i}件事", topics=["新闻", "茶会"])
    await create(api, author[0], title="茶会", body="只说茶会", topics=["茶会"])
    assert await redis.zscore(heat_key("topic", clock.ms // HOUR_MS), "茶会") == 9.0  # three posts, 3 each
    body = await api.gql("{ trendingTopics(first: 5) { name postCount } }")
    assert body["data"]["trendingTopics"] == [{"name": "茶会", "postCount": 3}, {"name": "新闻", "postCount": 2}]
    assert await api.services.store.count("heat") == 0  # with Redis the store keeps no heat


async def test_a_celebrity_post_reaches_followers_live_once(api: Api) -> None:
    api.services.settings.FANOUT_THRESHOLD = 0  # anyone with a follower is a celebrity here
    fan = await api.login("追星的人")
    star = await api.login("实时明星")
    await befriend(api, fan, star)  # a friend too: the post comes on two topics and must show once
    await api.services.projector.drain()
    sub = "subscription { feedUpdates { verb post { title } } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {fan[0]}"}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub}})
        await asyncio.sleep(0.1)
        await create(api, star[0], title="明星新帖", body="来自明星的实时内容")
        await create(api, star[0], title="明星又一帖", body="第二条完全不同的话")
        got = [(await ws.receive_json(timeout=5))["payload"]["data"]["feedUpdates"]["post"]["title"] for _ in range(2)]
        assert got == ["明星新帖", "明星又一帖"]
    timelines = await api.services.store.count("timelines")
    assert timelines == 0  # nothing fanned out: the posts were merged live and at read time

"""Issue 14, findings 14 and 17: one visibility rule per type on every path (fields, node, nodes, lists, feeds),
and a missing related document degrades one item, not the page."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from domain.ids import from_global_id, to_global_id
from tests.api.conftest import Api, count_get_many, make_product, offer_product
from tests.api.test_content import COMMENT, LIKE, MODERATE, REPORT, create, operator
from tests.api.test_feeds import befriend, feed
from tests.api.test_orders import line, pay, place
from tests.api.test_teams import TIERS, join, start, team_of

User = tuple[str, dict[str, Any]]
BLOCK = "mutation($id: ID!) { block(input: {userId: $id}) { errors { code } } }"
PRIVACY = "mutation($in: UpdatePrivacyInput!) { updatePrivacy(input: $in) { errors { code } } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def privacy(api: Api, user: User, **settings: Any) -> None:
    assert (await api.gql(PRIVACY, {"in": settings}, token=user[0]))["data"]["updatePrivacy"]["errors"] == []


async def block(api: Api, by: User, whom: User) -> None:
    assert (await api.gql(BLOCK, {"id": whom[1]["id"]}, token=by[0]))["data"]["block"]["errors"] == []


async def node(api: Api, global_id: str, viewer: User | None) -> Any:
    body = await api.gql(NODE, {"id": global_id}, token=viewer[0] if viewer else None)
    return body["data"]["node"]


async def nodes(api: Api, global_id: str, viewer: User | None) -> Any:
    body = await api.gql(NODES, {"ids": [global_id]}, token=viewer[0] if viewer else None)
    return body["data"]["nodes"][0]


async def post_of(api: Api, author: User, title: str = "一篇笔记") -> str:
    made = await create(api, author[0], title=title, body=f"{title}的内容")
    assert made["errors"] == [], made
    post_id: str = made["post"]["id"]
    return post_id


async def comment_on(api: Api, who: User, post_id: str, body: str, reply_to: str | None = None) -> str:
    made = (await api.gql(COMMENT, {"p": post_id, "b": body, "r": reply_to}, token=who[0]))["data"]["commentOnPost"]
    assert made["errors"] == [], made
    comment_id: str = made["comment"]["id"]
    return comment_id


async def bought_activity(api: Api, buyer: User) -> str:
    seller = await api.login("某卖家")
    _, _, (sku,) = await make_product(api, seller[0], title="一件好物")
    order = (await place(api, buyer[0], [line(sku)], "buy-1"))["order"]
    await pay(api, buyer[0], order["id"])
    found = await api.services.store.find("activities", {"actorId": raw(buyer[1]["id"]), "verb": "BOUGHT"})
    return to_global_id("Activity", found.docs[0]["_id"])


# -- comments ------------------------------------------------------------------------------------------------
async def test_a_hidden_comment_does_not_show_through_reply_to(api: Api) -> None:
    # given a reply to a comment an operator then hid
    author, replier, reader = await api.login("楼主"), await api.login("回复者"), await api.login("读者")
    post = await post_of(api, author)
    parent = await comment_on(api, author, post, "原评论")
    reply = await comment_on(api, replier, post, "回复", reply_to=parent)
    assert (await api.gql(MODERATE, {"t": parent, "a": False}, token=await operator(api)))["data"]["moderate"][
        "errors"
    ] == []
    # when a reader reads the reply
    q = "query($id: ID!) { node(id: $id) { ... on Comment { body replyTo { id body } } } }"
    shown = (await api.gql(q, {"id": reply}, token=reader[0]))["data"]["node"]
    # then the hidden comment is not there
    assert shown == {"body": "回复", "replyTo": None}


async def test_comments_across_a_block_are_hidden_on_every_path(api: Api) -> None:
    # given a third party's post where someone the reader blocked commented
    author, rude, reader = await api.login("第三方"), await api.login("讨厌的人"), await api.login("拉黑者")
    post = await post_of(api, author)
    comment = await comment_on(api, rude, post, "讨厌的评论")
    await block(api, reader, rude)
    # when the reader reads the post's comments, and the comment by id
    q = "query($id: ID!) { post(id: $id) { comments { edges { node { body } } } } }"
    listed = (await api.gql(q, {"id": post}, token=reader[0]))["data"]["post"]["comments"]["edges"]
    # then it is not there, by any path; others still see it
    assert listed == []
    assert await node(api, comment, reader) is None and await nodes(api, comment, reader) is None
    assert await node(api, comment, author) == {"id": comment}


# -- activities ------------------------------------------------------------------------------------------------
async def test_a_private_users_bought_activity_is_not_readable_by_id(api: Api) -> None:
    # given a buyer whose activity is PRIVATE
    buyer, stranger, friend = await api.login("低调买家"), await api.login("陌生人"), await api.login("买家的朋友")
    await befriend(api, buyer, friend)
    await privacy(api, buyer, activityVisibility="PRIVATE")
    activity = await bought_activity(api, buyer)
    # when others read the activity by its id; then nobody but the buyer sees it
    for viewer in (None, stranger, friend):
        assert await node(api, activity, viewer) is None
        assert await nodes(api, activity, viewer) is None
    assert await node(api, activity, buyer) == {"id": activity}


async def test_a_bought_activity_follows_social_proof_and_friendship(api: Api) -> None:
    # given a buyer with the default FRIENDS activity who opted out of social proof
    buyer, stranger, friend = await api.login("默认买家"), await api.login("路过的人"), await api.login("好朋友")
    await befriend(api, buyer, friend)
    activity = await bought_activity(api, buyer)
    # then a friend sees it, a stranger does not; after opting out of social proof, the friend does not either
    assert await node(api, activity, friend) == {"id": activity}
    assert await node(api, activity, stranger) is None
    await privacy(api, buyer, showInSocialProof=False)
    assert await node(api, activity, friend) is None


# -- friend suggestions --------------------------------------------------------------------------------------
async def test_friend_suggestions_do_not_go_through_a_private_users_connections(api: Api) -> None:
    # given me - shy - secret, where shy keeps connections PRIVATE, and me - open - known
    me, shy, secret = await api.login("我"), await api.login("内向的朋友"), await api.login("秘密朋友")
    open_, known = await api.login("外向的朋友"), await api.login("公开朋友")
    for a, b in ((me, shy), (shy, secret), (me, open_), (open_, known)):
        await befriend(api, a, b)
    await privacy(api, shy, connectionsVisibility="PRIVATE")
    await api.services.projector.drain()
    # when I ask for suggestions
    q = "{ friendSuggestions(first: 10) { user { nickname } mutualFriends } }"
    found = (await api.gql(q, token=me[0]))["data"]["friendSuggestions"]
    # then only the friend of the open friend is suggested
    assert found == [{"user": {"nickname": "公开朋友"}, "mutualFriends": 1}]


async def test_friend_suggestions_leave_out_users_who_hide_their_connections(api: Api) -> None:
    # given a friend of a friend who keeps connections to FRIENDS only
    me, friend, hidden = await api.login("我2"), await api.login("朋友2"), await api.login("隐藏者")
    await befriend(api, me, friend)
    await befriend(api, friend, hidden)
    await privacy(api, hidden, connectionsVisibility="FRIENDS")
    await api.services.projector.drain()
    # then suggesting them would tell me whom they are friends with: they are not suggested
    q = "{ friendSuggestions(first: 10) { user { nickname } } }"
    assert (await api.gql(q, token=me[0]))["data"]["friendSuggestions"] == []


# -- connections -----------------------------------------------------------------------------------------------
async def test_a_follower_who_hides_connections_is_not_listed_to_others(api: Api) -> None:
    # given a public user followed by someone whose connections are PRIVATE
    star, fan, stranger = await api.login("公开的人"), await api.login("隐身粉丝"), await api.login("路人甲")
    await api.gql(
        "mutation($id: ID!) { follow(input: {userId: $id}) { errors { code } } }", {"id": star[1]["id"]}, token=fan[0]
    )
    await privacy(api, fan, connectionsVisibility="PRIVATE")
    q = "query($id: ID!) { user(id: $id) { followers { edges { node { nickname } } } } }"

    async def followers(viewer: User | None) -> list[str]:
        body = await api.gql(q, {"id": star[1]["id"]}, token=viewer[0] if viewer else None)
        return [e["node"]["nickname"] for e in body["data"]["user"]["followers"]["edges"]]

    # then the follow shows to the two of them only
    assert await followers(star) == ["隐身粉丝"] and await followers(fan) == ["隐身粉丝"]
    assert await followers(stranger) == [] and await followers(None) == []


# -- teams -----------------------------------------------------------------------------------------------------
async def test_team_members_who_opted_out_of_social_proof_are_masked_but_counted(api: Api) -> None:
    # given a team whose leader and one member opted out of social proof
    seller, leader = await api.login("团购卖家"), await api.login("低调团长")
    shy, open_ = await api.login("低调团员"), await api.login("公开团员")
    _, (sku,) = await offer_product(api, seller[0], group_buy=TIERS)
    for user in (leader, shy):
        await privacy(api, user, showInSocialProof=False)
    team = (await start(api, leader[0], sku))["team"]
    await join(api, shy[0], team["id"], sku, "shy")
    await join(api, open_[0], team["id"], sku, "open")
    # when a stranger reads the team
    q = "query($id: ID!) { team(id: $id) { leader { id nickname } members { user { id nickname } } } }"
    seen = (await api.gql(q, {"id": team["id"]}))["data"]["team"]
    # then the two are shown anonymous, still three members; the shy member sees themself
    assert seen["leader"]["nickname"] == "匿名用户" and seen["leader"]["id"] != leader[1]["id"]
    assert [m["user"]["nickname"] for m in seen["members"]] == ["匿名用户", "匿名用户", "公开团员"]
    assert all(m["user"]["id"] not in (leader[1]["id"], shy[1]["id"]) for m in seen["members"])
    own = (await api.gql(q, {"id": team["id"]}, token=shy[0]))["data"]["team"]
    assert [m["user"]["nickname"] for m in own["members"]] == ["匿名用户", "低调团员", "公开团员"]
    assert len((await team_of(api, team["id"]))["members"]) == 3


# -- likes across blocks -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("who_blocks", ["author", "liker"])
async def test_a_post_cannot_be_liked_across_a_block(api: Api, who_blocks: str) -> None:
    # given a block between a post's author and a would-be liker
    author, liker = await api.login("作者"), await api.login("点赞者")
    post = await post_of(api, author)
    if who_blocks == "author":
        await block(api, author, liker)
    else:
        await block(api, liker, author)
    # when they like it
    liked = (await api.gql(LIKE, {"p": post}, token=liker[0]))["data"]["likePost"]
    # then it is refused and not counted
    assert [e["code"] for e in liked["errors"]] == ["BLOCKED"]
    assert (await api.services.store.get("posts", raw(post)) or {})["likeCount"] == 0


@pytest.mark.parametrize("who_blocks", ["host", "viewer"])
async def test_a_live_room_cannot_be_liked_across_a_block(api: Api, who_blocks: str) -> None:
    from tests.api.test_live import LIKE as LIKE_LIVE
    from tests.api.test_live import live_room

    # given a live room and a block between its host and a viewer
    host, viewer = await api.login("主播"), await api.login("观众")
    room = await live_room(api, host[0])
    await block(api, *((host, viewer) if who_blocks == "host" else (viewer, host)))
    # when the viewer likes the room; then it is refused
    liked = (await api.gql(LIKE_LIVE, {"r": room, "n": 5}, token=viewer[0]))["data"]["likeLive"]
    assert [e["code"] for e in liked["errors"]] == ["BLOCKED"]


# -- posts across blocks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("who_blocks", ["author", "viewer"])
async def test_discover_leaves_out_posts_across_a_block(api: Api, who_blocks: str) -> None:
    # given two authors, one of them on the other side of a block from the viewer
    viewer, blocked, other = await api.login("发现者"), await api.login("被拉黑的作者"), await api.login("其他作者")
    await post_of(api, blocked, "拉黑者的帖")
    await post_of(api, other, "别人的帖")
    await block(api, *((blocked, viewer) if who_blocks == "author" else (viewer, blocked)))
    # when the viewer reads DISCOVER; then only the other post is there
    titles = [e["node"]["post"]["title"] for e in (await feed(api, viewer[0], "DISCOVER"))["edges"]]
    assert titles == ["别人的帖"]


async def test_a_post_across_a_block_is_hidden_on_every_path(api: Api) -> None:
    # given a post with a topic by someone who blocked the viewer
    author, viewer = await api.login("拉黑别人的作者"), await api.login("被拉黑的读者")
    made = await create(api, author[0], title="有话题的帖", body="内容", topics=["拉黑话题"])
    post = made["post"]["id"]
    await block(api, author, viewer)
    # then no path shows it to the viewer
    assert await node(api, post, viewer) is None and await nodes(api, post, viewer) is None
    q = "query($id: ID!) { post(id: $id) { id } }"
    assert (await api.gql(q, {"id": post}, token=viewer[0]))["data"]["post"] is None
    topic = '{ topic(name: "拉黑话题") { posts { edges { node { id } } } } }'
    assert (await api.gql(topic, token=viewer[0]))["data"]["topic"]["posts"]["edges"] == []
    posts = "query($id: ID!) { user(id: $id) { posts { edges { node { id } } } } }"
    assert (await api.gql(posts, {"id": author[1]["id"]}, token=viewer[0]))["data"]["user"]["posts"]["edges"] == []
    # and others still see it
    assert await node(api, post, None) == {"id": post}


# -- reports -------------------------------------------------------------------------------------------------
async def test_reporting_a_post_you_cannot_see_answers_as_for_one_that_does_not_exist(api: Api) -> None:
    # given a pending post (its author's alone) and an id that names no post
    author, reporter = await api.login("待审作者"), await api.login("举报者")
    pending = (await create(api, author[0], title="加我微信", body="加我微信 abcdef123 买高仿"))["post"]
    assert pending["moderation"] == "PENDING"
    missing = to_global_id("Post", "no-such-post")
    # when the reporter reports both
    answers = [
        (await api.gql(REPORT, {"t": t, "r": "spam"}, token=reporter[0]))["data"]["report"]
        for t in (pending["id"], missing)
    ]
    # then both answers are the same NOT_FOUND
    assert answers[0] == answers[1]
    assert answers[0]["errors"][0]["code"] == "NOT_FOUND"
    assert await api.services.store.count("reports") == 0


# -- finding 17: a missing related document degrades one item --------------------------------------------------
async def test_an_orphan_post_does_not_break_discover(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    # given a good post and a post whose author does not exist, written straight into the store
    viewer, author = await api.login("看发现的人"), await api.login("好作者")
    await post_of(api, author, "好帖")
    good = (await api.services.store.find("posts", {"title": "好帖"})).docs[0]
    await api.services.store.insert("posts", {**good, "_id": "orphan-post", "authorId": "ghost", "title": "孤儿帖"})
    # when anyone reads DISCOVER, with the author selected
    q = "{ feed(kind: DISCOVER) { edges { node { post { title author { nickname } } } } } }"
    with caplog.at_level(logging.WARNING):
        for token in (viewer[0], None):
            body = await api.gql(q, token=token)
            # then the page answers without the orphan
            assert [e["node"]["post"]["title"] for e in body["data"]["feed"]["edges"]] == ["好帖"]
    assert any("ghost" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


async def test_an_orphan_comment_or_follower_does_not_break_its_list(api: Api) -> None:
    # given a post with a comment by a user who does not exist, and a follow from one
    author = await api.login("有评论的作者")
    post = await post_of(api, author)
    await comment_on(api, author, post, "真的评论")
    real = (await api.services.store.find("comments", {"body": "真的评论"})).docs[0]
    await api.services.store.insert("comments", {**real, "_id": "orphan-comment", "authorId": "ghost", "body": "幽灵"})
    q = "query($id: ID!) { post(id: $id) { comments { edges { node { body author { nickname } } } } } }"
    # when the comments are read with their authors; then the orphan is left out and the page answers
    edges = (await api.gql(q, {"id": post}))["data"]["post"]["comments"]["edges"]
    assert [e["node"]["body"] for e in edges] == ["真的评论"]


async def test_an_orphan_activity_or_topic_post_does_not_break_the_page(api: Api) -> None:
    # given a friend's real activity, and activities / topic links of a user and a post that do not exist
    me, friend = await api.login("看朋友圈"), await api.login("真朋友")
    await befriend(api, me, friend)
    await api.services.projector.drain()
    made = await create(api, friend[0], title="朋友的帖", body="朋友内容", topics=["孤儿话题"])
    store = api.services.store
    real = (await store.find("activities", {"actorId": raw(friend[1]["id"])})).docs[0]
    await store.insert(
        "posts", {**(await store.get("posts", raw(made["post"]["id"])) or {}), "_id": "p-ghost", "authorId": "ghost"}
    )
    await store.insert("activities", {**real, "_id": "a-ghost", "postId": "p-ghost"})
    await store.insert("post_topics", {"_id": "孤儿话题|p-ghost", "topic": "孤儿话题", "postId": "p-ghost", "at": 1})
    # when the feed and the topic are read with authors selected; then each answers without the orphan
    items = (await feed(api, me[0], "FRIENDS"))["edges"]
    assert [e["node"]["post"] for e in items] == [{"title": "朋友的帖"}]
    q = '{ topic(name: "孤儿话题") { posts { edges { node { title author { nickname } } } } } }'
    edges = (await api.gql(q, token=me[0]))["data"]["topic"]["posts"]["edges"]
    assert [e["node"]["title"] for e in edges] == ["朋友的帖"]


# -- subscriptions and live ----------------------------------------------------------------------------------
async def test_feed_updates_leave_out_activity_about_a_post_across_a_block(api: Api) -> None:
    # given a friend, and a stranger who blocked me
    me, friend, stranger = await api.login("订阅者"), await api.login("订阅者的朋友"), await api.login("拉黑我的人")
    await befriend(api, me, friend)
    await api.services.projector.drain()
    hidden_post = await post_of(api, stranger, "看不到的帖")
    open_post = await post_of(api, friend, "看得到的帖")
    await block(api, stranger, me)
    sub = "subscription { feedUpdates { verb post { title } } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {me[0]}"}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub}})
        # when my friend likes the stranger's post, then a post of theirs
        for post in (hidden_post, open_post):
            assert (await api.gql(LIKE, {"p": post}, token=friend[0]))["data"]["likePost"]["errors"] == []
        # then the first update I get is the second like
        got = (await ws.receive_json(timeout=5))["payload"]["data"]["feedUpdates"]
        assert got == {"verb": "LIKED", "post": {"title": "看得到的帖"}}


async def test_live_comments_across_a_block_are_hidden_from_recent_comments_and_by_id(api: Api) -> None:
    from tests.api.test_live import COMMENT as LIVE_COMMENT
    from tests.api.test_live import live_room

    # given a live room where someone the viewer blocked commented
    host, rude, viewer = await api.login("直播主"), await api.login("捣乱的观众"), await api.login("安静的观众")
    room = await live_room(api, host[0])
    sent = (await api.gql(LIVE_COMMENT, {"r": room, "b": "捣乱"}, token=rude[0]))["data"]["sendLiveComment"]
    comment = sent["comment"]["id"]
    await block(api, viewer, rude)
    # when the viewer reads the room's recent comments, and the comment by id
    q = "query($id: ID!) { liveRoom(id: $id) { recentComments { body } } }"
    recent = (await api.gql(q, {"id": room}, token=viewer[0]))["data"]["liveRoom"]["recentComments"]
    # then it is not there; the host still sees it
    assert recent == [] and await node(api, comment, viewer) is None
    assert (await api.gql(q, {"id": room}, token=host[0]))["data"]["liveRoom"]["recentComments"] == [{"body": "捣乱"}]


async def test_an_orphan_live_room_does_not_break_live_rooms(api: Api) -> None:
    from tests.api.test_live import live_room

    # given a live room and a room whose host does not exist
    host = await api.login("真主播")
    room = await live_room(api, host[0])
    real = await api.services.store.get("live_rooms", raw(room))
    await api.services.store.insert("live_rooms", {**(real or {}), "_id": "orphan-room", "hostId": "ghost"})
    # when anyone lists the rooms with their hosts; then the page answers without the orphan
    body = await api.gql("{ liveRooms { edges { node { title host { nickname } } } } }")
    assert [e["node"]["host"]["nickname"] for e in body["data"]["liveRooms"]["edges"]] == ["真主播"]


async def test_nodes_apply_the_rules_to_many_ids_in_a_few_batches(api: Api) -> None:
    # given twenty posts of twenty authors, and a viewer
    viewer = await api.login("批量读者")
    posts = [await post_of(api, await api.login(f"批量作者{i}"), f"批量{i}") for i in range(20)]
    calls = count_get_many(api.services.store)
    # when the viewer reads them all by id
    body = await api.gql(NODES, {"ids": posts}, token=viewer[0])
    # then all show, with one read of posts and of their authors
    assert [n["id"] for n in body["data"]["nodes"]] == posts
    assert calls.count("posts") == 1 and calls.count("users") <= 2, calls

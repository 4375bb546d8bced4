"""Issue 14, finding 15: a post's publish side effects run exactly once, whatever moderation does to it after."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id
from tests.api.conftest import Api
from tests.api.test_content import MODERATE, create, operator
from tests.api.test_feeds import FOLLOW

SPAM = {"title": "加我微信", "body": "加我微信 abcdef123 买好茶"}  # held PENDING by the link-spam rule


async def pending_post(api: Api, topics: list[str] | None = None) -> tuple[str, str, str]:
    """(author's token, post id, raw post id) of a post held for an operator, with a follower of its author."""
    token, author = await api.login("待审的作者")
    fan, _ = await api.login("作者的粉丝")
    await api.gql(FOLLOW, {"id": author["id"]}, token=fan)
    made = await create(api, token, **SPAM, topics=topics or ["审核话题"])
    assert made["post"]["moderation"] == "PENDING", made
    return token, made["post"]["id"], from_global_id(made["post"]["id"])[1]


async def moderate(api: Api, op: str, post_id: str, approve: bool) -> Any:
    return (await api.gql(MODERATE, {"t": post_id, "a": approve}, token=op))["data"]["moderate"]


async def posted(api: Api, raw_post: str) -> int:
    return await api.services.store.count("activities", {"postId": raw_post, "verb": "POSTED"})


async def test_approving_again_after_a_rejection_publishes_once(api: Api) -> None:
    # given a pending post, approved, rejected and approved again, twice over
    _, post, raw_post = await pending_post(api)
    op = await operator(api)
    for approve in (True, False, True, False, True):
        assert (await moderate(api, op, post, approve))["errors"] == []
    # then one POSTED activity, one timeline entry per follower, and the topic counts the post once
    store = api.services.store
    assert await posted(api, raw_post) == 1
    assert await store.count("timelines", {"postId": raw_post}) == 1
    assert await store.count("post_topics", {"postId": raw_post}) == 1
    assert (await store.get("topics", "审核话题") or {})["postCount"] == 1


async def test_a_rejected_post_leaves_its_topic_count_and_comes_back(api: Api) -> None:
    # given a published post
    _, post, _ = await pending_post(api, topics=["来回话题"])
    op = await operator(api)
    await moderate(api, op, post, True)
    topic = api.services.store

    async def count() -> int:
        return int((await topic.get("topics", "来回话题") or {})["postCount"])

    # when it is rejected, then approved again; then the count follows what is visible
    assert await count() == 1
    await moderate(api, op, post, False)
    assert await count() == 0
    await moderate(api, op, post, False)  # rejecting a rejected post changes nothing
    assert await count() == 0
    await moderate(api, op, post, True)
    assert await count() == 1


async def test_concurrent_approvals_publish_exactly_once(api: Api) -> None:
    # given a pending post and an operator who approves it twenty times at once, after a rejection too
    _, post, raw_post = await pending_post(api)
    op = await operator(api)
    results = await asyncio.gather(*(moderate(api, op, post, True) for _ in range(20)))
    # then one approval won (the others saw it moved meanwhile), and there is one POSTED activity
    codes = [r["errors"][0]["code"] if r["errors"] else "OK" for r in results]
    assert codes.count("OK") >= 1 and set(codes) <= {"OK", "CONFLICT"}
    assert await posted(api, raw_post) == 1
    await moderate(api, op, post, False)
    await asyncio.gather(*(moderate(api, op, post, True) for _ in range(20)))
    assert await posted(api, raw_post) == 1


async def test_a_post_published_at_creation_is_not_published_again_by_approval(api: Api) -> None:
    # given a post that passed the rules at creation
    token, _ = await api.login("直接发布的作者")
    made = await create(api, token, title="干净的帖", body="没有问题的内容")
    assert made["post"]["moderation"] == "APPROVED"
    raw_post = from_global_id(made["post"]["id"])[1]
    # when an operator rejects it after a report and approves it on appeal
    op = await operator(api)
    await moderate(api, op, made["post"]["id"], False)
    await moderate(api, op, made["post"]["id"], True)
    # then it was published once
    assert await posted(api, raw_post) == 1


async def test_hiding_and_showing_a_comment_again_moves_its_count_once_each(api: Api) -> None:
    from tests.api.test_content import COMMENT

    # given a comment on a post
    token, _ = await api.login("评论区作者")
    post = (await create(api, token, title="有评论", body="评论区"))["post"]["id"]
    made = (await api.gql(COMMENT, {"p": post, "b": "一条评论", "r": None}, token=token))["data"]["commentOnPost"]
    op = await operator(api)
    # when it is hidden twice and shown twice
    for approve in (False, False, True, True):
        assert (await api.gql(MODERATE, {"t": made["comment"]["id"], "a": approve}, token=op))["data"]["moderate"][
            "errors"
        ] == []
    # then the post counts it once
    assert (await api.services.store.get("posts", from_global_id(post)[1]) or {})["commentCount"] == 1


async def test_liking_again_after_unliking_does_not_record_another_activity(api: Api) -> None:
    from tests.api.test_content import LIKE, UNLIKE

    # given a post a user likes, unlikes and likes again, three times
    author, _ = await api.login("被赞的作者")
    liker, _ = await api.login("反复点赞的人")
    post = (await create(api, author, title="被赞的帖", body="点赞"))["post"]["id"]
    for _ in range(3):
        await api.gql(LIKE, {"p": post}, token=liker)
        await api.gql(UNLIKE, {"p": post}, token=liker)
    await api.gql(LIKE, {"p": post}, token=liker)
    # then one LIKED activity, and the post counts one like
    raw_post = from_global_id(post)[1]
    assert await api.services.store.count("activities", {"postId": raw_post, "verb": "LIKED"}) == 1
    assert (await api.services.store.get("posts", raw_post) or {})["likeCount"] == 1


async def test_going_live_twice_is_refused_and_announced_once(api: Api) -> None:
    from tests.api.test_live import START, live_room

    # given a live room that started
    host, _ = await api.login("主播")
    room = await live_room(api, host)
    # when the host starts it again (twice, at once)
    again = await asyncio.gather(*(api.gql(START, {"r": room}, token=host) for _ in range(2)))
    # then both are refused and there is one WENT_LIVE activity
    assert [a["data"]["startLive"]["errors"][0]["code"] for a in again] == ["INVALID_STATE"] * 2
    assert await api.services.store.count("activities", {"verb": "WENT_LIVE"}) == 1

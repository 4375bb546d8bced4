"""Profiles, privacy, follows, friends, blocks and friend suggestions through the API."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api.conftest import Api, count_get_many

FOLLOW = """mutation($id: ID!) { follow(input: {userId: $id}) { user { followerCount viewerFollows isFriend }
  errors { code field } } }"""
UNFOLLOW = """mutation($id: ID!) { unfollow(input: {userId: $id}) { user { followerCount } errors { code field } } }"""
BLOCK = """mutation($id: ID!) { block(input: {userId: $id}) { user { id } errors { code field } } }"""
PROFILE = """mutation($n: String, $a: String, $b: String) {
  updateProfile(input: {nickname: $n, avatarUrl: $a, bio: $b}) {
    user { nickname avatarUrl bio } errors { code field message } } }"""


async def counts(api: Api, user_id: str) -> tuple[int, int]:
    body = await api.gql("query($id: ID!) { user(id: $id) { followerCount followingCount } }", {"id": user_id})
    u = body["data"]["user"]
    return u["followerCount"], u["followingCount"]


async def test_update_profile_changes_the_given_fields(api: Api) -> None:
    token, _ = await api.login("改名前")
    body = await api.gql(PROFILE, {"n": "  新 名字 ", "a": "https://cdn.example.com/a.png", "b": "爱喝茶"}, token=token)
    payload = body["data"]["updateProfile"]
    assert payload["errors"] == []
    assert payload["user"] == {"nickname": "新 名字", "avatarUrl": "https://cdn.example.com/a.png", "bio": "爱喝茶"}


async def test_bad_profile_input_is_refused_and_nothing_changes(api: Api) -> None:
    token, _ = await api.login("原名")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"n": ""}, "nickname"),
        ({"n": "字" * 31}, "nickname"),
        ({"b": "b" * 201}, "bio"),
        ({"a": "ftp://example.com/a.png"}, "avatarUrl"),
        ({"a": "javascript:alert(1)"}, "avatarUrl"),
        ({"a": "https://"}, "avatarUrl"),
    ]
    for variables, field in cases:
        payload = (await api.gql(PROFILE, variables, token=token))["data"]["updateProfile"]
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", ["input", field])]
        assert payload["user"] is None
    me = await api.gql("{ me { nickname avatarUrl bio } }", token=token)
    assert me["data"]["me"] == {"nickname": "原名", "avatarUrl": None, "bio": None}


async def test_mutations_need_a_signed_in_user(api: Api) -> None:
    payload = (await api.gql(PROFILE, {"n": "x"}))["data"]["updateProfile"]
    assert payload["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_privacy_has_defaults_changes_and_is_shown_to_its_owner_only(api: Api) -> None:
    token, me = await api.login("隐私")
    other_token, _ = await api.login("旁人")
    q = "{ me { privacy { activityVisibility showInSocialProof connectionsVisibility } } }"
    assert (await api.gql(q, token=token))["data"]["me"]["privacy"] == {
        "activityVisibility": "FRIENDS",
        "showInSocialProof": True,
        "connectionsVisibility": "PUBLIC",
    }
    body = await api.gql(
        "mutation { updatePrivacy(input: {showInSocialProof: false, connectionsVisibility: PRIVATE}) {"
        " user { privacy { activityVisibility showInSocialProof connectionsVisibility } } errors { code } } }",
        token=token,
    )
    assert body["data"]["updatePrivacy"]["user"]["privacy"] == {
        "activityVisibility": "FRIENDS",
        "showInSocialProof": False,
        "connectionsVisibility": "PRIVATE",
    }
    seen = await api.gql(
        "query($id: ID!) { user(id: $id) { privacy { showInSocialProof } } }", {"id": me["id"]}, token=other_token
    )
    assert seen["data"]["user"]["privacy"] is None


async def test_follow_and_unfollow_are_idempotent_with_exact_counts(api: Api) -> None:
    token, _ = await api.login("粉丝")
    _, star = await api.login("明星")
    for _ in range(3):
        payload = (await api.gql(FOLLOW, {"id": star["id"]}, token=token))["data"]["follow"]
        assert payload["errors"] == [] and payload["user"]["viewerFollows"] is True
    assert await counts(api, star["id"]) == (1, 0)
    for _ in range(2):
        assert (await api.gql(UNFOLLOW, {"id": star["id"]}, token=token))["data"]["unfollow"]["errors"] == []
    assert await counts(api, star["id"]) == (0, 0)


async def test_concurrent_follows_and_unfollows_keep_counts_exact(api: Api) -> None:
    token, fan = await api.login("抢关注")
    _, star = await api.login("被抢")
    await asyncio.gather(*(api.gql(FOLLOW, {"id": star["id"]}, token=token) for _ in range(20)))
    assert await counts(api, star["id"]) == (1, 0)
    assert await counts(api, fan["id"]) == (0, 1)
    await asyncio.gather(*(api.gql(UNFOLLOW, {"id": star["id"]}, token=token) for _ in range(20)))
    assert await counts(api, star["id"]) == (0, 0)
    assert await counts(api, fan["id"]) == (0, 0)


async def test_following_oneself_unknown_users_and_wrong_ids_are_refused(api: Api) -> None:
    token, me = await api.login("自己")
    product = (await api.gql("{ products(first: 1) { edges { node { id } } } }"))["data"]["products"]["edges"][0]
    cases = [
        (me["id"], "SELF_ACTION"),
        ("VXNlcjpub2JvZHk", "NOT_FOUND"),
        (product["node"]["id"], "INVALID_INPUT"),
        ("%%%", "INVALID_INPUT"),
    ]
    for target, code in cases:
        errors = (await api.gql(FOLLOW, {"id": target}, token=token))["data"]["follow"]["errors"]
        assert errors == [{"code": code, "field": ["input", "userId"]}], target


async def test_mutual_follows_make_friends(api: Api) -> None:
    token_a, a = await api.login("甲")
    token_b, b = await api.login("乙")
    await api.gql(FOLLOW, {"id": b["id"]}, token=token_a)
    q = "query($id: ID!) { user(id: $id) { viewerFollows followsViewer isFriend } }"
    assert (await api.gql(q, {"id": b["id"]}, token=token_a))["data"]["user"] == {
        "viewerFollows": True,
        "followsViewer": False,
        "isFriend": False,
    }
    await api.gql(FOLLOW, {"id": a["id"]}, token=token_b)
    assert (await api.gql(q, {"id": b["id"]}, token=token_a))["data"]["user"] == {
        "viewerFollows": True,
        "followsViewer": True,
        "isFriend": True,
    }


async def test_block_ends_follows_both_ways_and_stops_new_ones(api: Api) -> None:
    token_a, a = await api.login("拉黑者")
    token_b, b = await api.login("被拉黑")
    await api.gql(FOLLOW, {"id": b["id"]}, token=token_a)
    await api.gql(FOLLOW, {"id": a["id"]}, token=token_b)
    assert (await api.gql(BLOCK, {"id": b["id"]}, token=token_a))["data"]["block"]["errors"] == []
    assert await counts(api, a["id"]) == (0, 0)
    assert await counts(api, b["id"]) == (0, 0)
    for token, target in ((token_b, a), (token_a, b)):
        errors = (await api.gql(FOLLOW, {"id": target["id"]}, token=token))["data"]["follow"]["errors"]
        assert errors == [{"code": "BLOCKED", "field": ["input", "userId"]}]
    assert (await api.gql(BLOCK, {"id": b["id"]}, token=token_a))["data"]["block"]["errors"] == []  # idempotent
    assert (await api.gql(BLOCK, {"id": a["id"]}, token=token_a))["data"]["block"]["errors"][0]["code"] == "SELF_ACTION"


async def test_followers_are_keyset_paginated_newest_first(api: Api) -> None:
    _, star = await api.login("网红")
    fans = []
    for i in range(25):
        token, fan = await api.login(f"粉丝{i:02d}")
        await api.gql(FOLLOW, {"id": star["id"]}, token=token)
        fans.append(fan["nickname"])
    seen: list[str] = []
    after = None
    while True:
        body = await api.gql(
            "query($id: ID!, $a: String) { user(id: $id) { followers(first: 10, after: $a) {"
            " edges { node { nickname } } pageInfo { hasNextPage endCursor } } } }",
            {"id": star["id"], "a": after},
        )
        conn = body["data"]["user"]["followers"]
        seen += [e["node"]["nickname"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == list(reversed(fans))
    body = await api.gql(
        "query($id: ID!) { user(id: $id) { followers(first: 101) { edges { cursor } } } }",
        {"id": star["id"]},
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_connections_visibility_is_honoured(api: Api) -> None:
    token_owner, owner = await api.login("主人")
    token_friend, friend = await api.login("朋友")
    token_stranger, _ = await api.login("路人")
    await api.gql(FOLLOW, {"id": friend["id"]}, token=token_owner)
    await api.gql(FOLLOW, {"id": owner["id"]}, token=token_friend)
    q = "query($id: ID!) { user(id: $id) { following(first: 5) { edges { node { nickname } } } } }"

    async def visible(token: str | None) -> int:
        return len((await api.gql(q, {"id": owner["id"]}, token=token))["data"]["user"]["following"]["edges"])

    assert [await visible(t) for t in (token_owner, token_friend, token_stranger, None)] == [1, 1, 1, 1]
    await api.gql(
        "mutation { updatePrivacy(input: {connectionsVisibility: FRIENDS}) { errors { code } } }", token=token_owner
    )
    assert [await visible(t) for t in (token_owner, token_friend, token_stranger, None)] == [1, 1, 0, 0]
    await api.gql(
        "mutation { updatePrivacy(input: {connectionsVisibility: PRIVATE}) { errors { code } } }", token=token_owner
    )
    assert [await visible(t) for t in (token_owner, token_friend, token_stranger, None)] == [1, 0, 0, 0]


async def test_follow_state_of_a_page_is_loaded_in_a_few_batches(api: Api) -> None:
    _, star = await api.login("大V")
    viewer_token, _ = await api.login("看客")
    for i in range(20):
        token, fan = await api.login(f"批量{i}")
        await api.gql(FOLLOW, {"id": star["id"]}, token=token)
        await api.gql(FOLLOW, {"id": fan["id"]}, token=viewer_token)
    calls = count_get_many(api.services.store)
    body = await api.gql(
        "query($id: ID!) { user(id: $id) { followers(first: 20) { edges { node {"
        " nickname viewerFollows followsViewer isFriend } } } } }",
        {"id": star["id"]},
        token=viewer_token,
    )
    assert all(e["node"]["viewerFollows"] for e in body["data"]["user"]["followers"]["edges"])
    assert calls.count("follows") <= 2 and calls.count("users") <= 2, calls


async def test_friend_suggestions_rank_friends_of_friends_by_mutual_friends(api: Api) -> None:
    tokens, users = {}, {}
    for name in ("我", "甲", "乙", "丙", "丁", "戊"):
        tokens[name], users[name] = await api.login(name)

    async def befriend(a: str, b: str) -> None:
        await api.gql(FOLLOW, {"id": users[b]["id"]}, token=tokens[a])
        await api.gql(FOLLOW, {"id": users[a]["id"]}, token=tokens[b])

    for a, b in [("我", "甲"), ("我", "乙"), ("甲", "丙"), ("乙", "丙"), ("甲", "丁"), ("乙", "戊")]:
        await befriend(a, b)
    await api.gql(BLOCK, {"id": users["戊"]["id"]}, token=tokens["我"])
    await api.services.projector.drain()
    q = "{ friendSuggestions(first: 5) { user { nickname } mutualFriends reason } }"
    found = (await api.gql(q, token=tokens["我"]))["data"]["friendSuggestions"]
    assert found == [
        {"user": {"nickname": "丙"}, "mutualFriends": 2, "reason": "2 mutual friends"},
        {"user": {"nickname": "丁"}, "mutualFriends": 1, "reason": "1 mutual friend"},
    ]
    await api.gql(FOLLOW, {"id": users["丙"]["id"]}, token=tokens["我"])  # already following: not suggested
    await api.services.projector.drain()
    found = (await api.gql(q, token=tokens["我"]))["data"]["friendSuggestions"]
    assert [s["user"]["nickname"] for s in found] == ["丁"]
    assert (await api.gql(q))["data"]["friendSuggestions"] == []

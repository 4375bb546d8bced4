"""Notes and videos, topics, likes, comments, moderation and reports through the API (HTTP and multipart)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from resolvers.users import grant_operator
from tests.api.conftest import Api, make_product

POST = """mutation($in: CreatePostInput!) { createPost(input: $in) {
  post { id kind title topics { name postCount } products { title } moderation video { url coverUrl durationSeconds } }
  errors { code field } } }"""
LIKE = "mutation($p: ID!) { likePost(input: {postId: $p}) { post { likeCount viewerLiked } errors { code field } } }"
UNLIKE = "mutation($p: ID!) { unlikePost(input: {postId: $p}) { post { likeCount viewerLiked } errors { code } } }"
COMMENT = """mutation($p: ID!, $b: String!, $r: ID) { commentOnPost(input: {postId: $p, body: $b, replyToId: $r}) {
  comment { id body replyTo { id } author { nickname } } errors { code field } } }"""
REPORT = (
    "mutation($t: ID!, $r: String!) { report(input: {targetId: $t, reason: $r}) { accepted errors { code field } } }"
)
MODERATE = """mutation($t: ID!, $a: Boolean!) { moderate(input: {targetId: $t, approve: $a, note: "checked"}) {
  accepted errors { code } } }"""
UPLOAD = """mutation($f: Upload!) { uploadVideo(file: $f) {
  videoId video { url coverUrl durationSeconds } errors { code field message } } }"""


def note(**over: Any) -> dict[str, Any]:
    return {"kind": "NOTE", "title": "今天喝的茶", "body": "明前龙井，香气清雅。", **over}


async def create(api: Api, token: str, **over: Any) -> Any:
    return (await api.gql(POST, {"in": note(**over)}, token=token))["data"]["createPost"]


async def operator(api: Api) -> str:
    token, user = await api.login("运营小王")
    await grant_operator(api.services, user["id"])
    return token


async def test_a_note_with_topics_and_products(api: Api) -> None:
    author, _ = await api.login("种草达人")
    seller, _ = await api.login("种草卖家")
    _, product, _ = await make_product(api, seller, title="西湖龙井")
    made = await create(api, author, productIds=[product], topics=["#Green Tea", "green tea ", "品茶"])
    assert made["errors"] == []
    post = made["post"]
    assert post["moderation"] == "APPROVED" and post["products"] == [{"title": "西湖龙井"}]
    assert post["topics"] == [{"name": "green tea", "postCount": 1}, {"name": "品茶", "postCount": 1}]
    topic = await api.gql('{ topic(name: "#GREEN TEA") { name postCount posts { edges { node { id } } } } }')
    assert topic["data"]["topic"]["posts"]["edges"] == [{"node": {"id": post["id"]}}]
    stranger = await api.gql("query($id: ID!) { post(id: $id) { moderation author { nickname } } }", {"id": post["id"]})
    assert stranger["data"]["post"] == {"moderation": None, "author": {"nickname": "种草达人"}}


async def test_bad_posts_are_refused_with_paths_and_nothing_is_stored(api: Api) -> None:
    author, _ = await api.login("坏帖作者")
    cases: list[tuple[dict[str, Any], set[tuple[str, ...]]]] = [
        ({"title": ""}, {("input", "title")}),
        ({"body": "长" * 2001}, {("input", "body")}),
        ({"images": ["https://cdn.example.com/x.png"] * 10}, {("input", "images")}),
        ({"productIds": ["UHJvZHVjdDpub3Bl"]}, {("input", "productIds", "0")}),
        ({"topics": ["a", "b", "c", "d", "e", "f"]}, {("input", "topics")}),
        ({"topics": ["#"]}, {("input", "topics", "0")}),
        ({"kind": "VIDEO"}, {("input", "videoId")}),
    ]
    for over, fields in cases:
        errors = (await create(api, author, **over))["errors"]
        assert {tuple(e["field"]) for e in errors} == fields, over
    assert await api.services.store.count("posts") == 0


async def test_flagged_posts_wait_for_an_operator_and_rejected_ones_leave_feeds(api: Api) -> None:
    author, author_user = await api.login("可疑作者")
    fan, _ = await api.login("关注者")
    await api.gql(
        "mutation($id: ID!) { follow(input: {userId: $id}) { errors { code } } }", {"id": author_user["id"]}, token=fan
    )
    ops = await operator(api)
    spam = (await create(api, author, body="加我微信 abc12345 领取高仿名表"))["post"]
    assert spam["moderation"] == "PENDING"
    q = "query($id: ID!) { post(id: $id) { id moderation } }"
    assert (await api.gql(q, {"id": spam["id"]}, token=fan))["data"]["post"] is None
    assert (await api.gql(q, {"id": spam["id"]}, token=author))["data"]["post"]["moderation"] == "PENDING"
    assert (await api.gql(LIKE, {"p": spam["id"]}, token=fan))["data"]["likePost"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await api.gql(MODERATE, {"t": spam["id"], "a": True}, token=fan))["data"]["moderate"]["errors"][0][
        "code"
    ] == "FORBIDDEN"
    first = (await create(api, author, body="今天的龙井很好喝，推荐大家试试"))["post"]
    dup = (await create(api, author, body="今天的龙井很好喝，推荐大家试试！"))["post"]
    assert (first["moderation"], dup["moderation"]) == ("APPROVED", "PENDING")  # a near-duplicate waits
    feed = "{ feed(kind: FOLLOWING) { edges { node { post { id } } } } }"
    ids = lambda body: [e["node"]["post"]["id"] for e in body["data"]["feed"]["edges"]]  # noqa: E731
    assert ids(await api.gql(feed, token=fan)) == [first["id"]]
    assert (await api.gql(MODERATE, {"t": spam["id"], "a": True}, token=ops))["data"]["moderate"]["accepted"]
    assert ids(await api.gql(feed, token=fan)) == [first["id"], spam["id"]]  # newest post first
    await api.gql(MODERATE, {"t": first["id"], "a": False}, token=ops)
    assert ids(await api.gql(feed, token=fan)) == [spam["id"]]
    assert (await api.gql(q, {"id": first["id"]}, token=fan))["data"]["post"] is None


async def test_likes_are_idempotent_with_exact_counts(api: Api) -> None:
    author, _ = await api.login("点赞作者")
    post = (await create(api, author))["post"]
    fans = [(await api.login(f"点赞{i}"))[0] for i in range(5)]
    await asyncio.gather(*(api.gql(LIKE, {"p": post["id"]}, token=t) for t in fans for _ in range(3)))
    body = await api.gql(
        "query($id: ID!) { post(id: $id) { likeCount viewerLiked } }", {"id": post["id"]}, token=fans[0]
    )
    assert body["data"]["post"] == {"likeCount": 5, "viewerLiked": True}
    await asyncio.gather(*(api.gql(UNLIKE, {"p": post["id"]}, token=fans[0]) for _ in range(3)))
    body = await api.gql(
        "query($id: ID!) { post(id: $id) { likeCount viewerLiked } }", {"id": post["id"]}, token=fans[0]
    )
    assert body["data"]["post"] == {"likeCount": 4, "viewerLiked": False}


async def test_comments_with_one_level_of_replies_and_blocks(api: Api) -> None:
    author, _ = await api.login("评论作者")
    reader, _ = await api.login("评论读者")
    blocked, blocked_user = await api.login("被拉黑的人")
    await api.gql(
        "mutation($id: ID!) { block(input: {userId: $id}) { errors { code } } }",
        {"id": blocked_user["id"]},
        token=author,
    )
    post = (await create(api, author))["post"]
    top = (await api.gql(COMMENT, {"p": post["id"], "b": "好喝吗？"}, token=reader))["data"]["commentOnPost"]["comment"]
    reply = (await api.gql(COMMENT, {"p": post["id"], "b": "很好喝", "r": top["id"]}, token=author))["data"][
        "commentOnPost"
    ]
    deeper = await api.gql(COMMENT, {"p": post["id"], "b": "真的吗", "r": reply["comment"]["id"]}, token=reader)
    assert deeper["data"]["commentOnPost"]["comment"]["replyTo"] == {"id": top["id"]}  # one level: to the root
    errors = lambda body: body["data"]["commentOnPost"]["errors"]  # noqa: E731
    assert errors(await api.gql(COMMENT, {"p": post["id"], "b": ""}, token=reader)) == [
        {"code": "INVALID_INPUT", "field": ["input", "body"]}
    ]
    assert errors(await api.gql(COMMENT, {"p": post["id"], "b": "x" * 501}, token=reader))[0]["code"] == "INVALID_INPUT"
    assert errors(await api.gql(COMMENT, {"p": post["id"], "b": "我也想"}, token=blocked))[0]["code"] == "BLOCKED"
    assert (
        errors(await api.gql(COMMENT, {"p": post["id"], "b": "来玩博彩"}, token=reader))[0]["code"]
        == "CONTENT_REJECTED"
    )
    listed = await api.gql(
        "query($id: ID!) { post(id: $id) { commentCount"
        " comments(first: 2) { edges { node { body } } pageInfo { hasNextPage } } } }",
        {"id": post["id"]},
    )
    assert listed["data"]["post"]["commentCount"] == 3
    assert [e["node"]["body"] for e in listed["data"]["post"]["comments"]["edges"]] == ["好喝吗？", "很好喝"]
    assert listed["data"]["post"]["comments"]["pageInfo"]["hasNextPage"] is True


async def test_reports_are_once_per_user_and_moderation_hides_comments(api: Api) -> None:
    author, _ = await api.login("被举报作者")
    reporter, _ = await api.login("举报人")
    ops = await operator(api)
    post = (await create(api, author))["post"]
    bad = (await api.gql(COMMENT, {"p": post["id"], "b": "垃圾"}, token=author))["data"]["commentOnPost"]["comment"]
    assert (await api.gql(REPORT, {"t": bad["id"], "r": "骂人"}, token=reporter))["data"]["report"] == {
        "accepted": True,
        "errors": [],
    }
    again = (await api.gql(REPORT, {"t": bad["id"], "r": "还是骂人"}, token=reporter))["data"]["report"]
    assert again["errors"] == [{"code": "ALREADY_EXISTS", "field": ["input", "targetId"]}]
    assert (await api.gql(REPORT, {"t": "garbage", "r": "x"}, token=reporter))["data"]["report"]["errors"][0][
        "code"
    ] == "INVALID_INPUT"
    await api.gql(MODERATE, {"t": bad["id"], "a": False}, token=ops)
    listed = await api.gql(
        "query($id: ID!) { post(id: $id) { commentCount comments { edges { node { id } } } } }", {"id": post["id"]}
    )
    assert listed["data"]["post"] == {"commentCount": 0, "comments": {"edges": []}}
    open_reports = await api.services.store.count("reports", {"status": "OPEN"})
    assert open_reports == 0


def make_video(path: Path, seconds: float) -> None:
    subprocess.run(
        [
            "ffmpeg",
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=160x120:rate=10:duration={seconds}",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )


async def upload(api: Api, token: str, data: bytes, name: str = "v.mp4") -> Any:
    form = aiohttp.FormData()
    form.add_field("operations", orjson.dumps({"query": UPLOAD, "variables": {"f": None}}).decode())
    form.add_field("map", orjson.dumps({"0": ["variables.f"]}).decode())
    form.add_field("0", data, filename=name, content_type="video/mp4")
    resp = await api.client.post("/graphql", data=form, headers={"Authorization": f"Bearer {token}"})
    body = await resp.json()
    return body["data"]["uploadVideo"]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("videos")
    out = {}
    for name, seconds in (("ok", 16.0), ("short", 5.0), ("long", 61.0)):
        make_video(root / f"{name}.mp4", seconds)
        out[name] = (root / f"{name}.mp4").read_bytes()
    return out


async def test_videos_are_measured_by_ffprobe_and_get_a_cover(api: Api, videos: dict[str, bytes]) -> None:
    author, _ = await api.login("视频作者")
    made = await upload(api, author, videos["ok"])
    assert made["errors"] == [] and 15.5 <= made["video"]["durationSeconds"] <= 16.5
    assert made["video"]["url"].startswith("/media/videos/") and made["video"]["coverUrl"].endswith(".jpg")
    served = await api.client.get(made["video"]["coverUrl"])
    assert served.status == 200 and (await served.read())[:2] == b"\xff\xd8"  # a JPEG
    for name in ("short", "long"):
        refused = await upload(api, author, videos[name])
        assert refused["errors"][0]["field"] == ["file"] and refused["videoId"] is None, name
    not_video = await upload(api, author, b"this is not a video at all" * 100, "fake.mp4")
    assert not_video["errors"][0]["code"] == "INVALID_INPUT"
    post = (await create(api, author, kind="VIDEO", videoId=made["videoId"]))["post"]
    assert post["kind"] == "VIDEO" and post["video"]["url"] == made["video"]["url"]
    someone, _ = await api.login("别人")
    assert (await create(api, someone, kind="VIDEO", videoId=made["videoId"]))["errors"][0]["field"] == [
        "input",
        "videoId",
    ]
    assert await api.services.store.count("videos") == 1

"""Issue 14, finding 10: rate limits on every abusable mutation, and views and shares that feed hotProducts
counted once per user, product and hour (on the store and on Redis)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from resolvers.rankings import HOUR_MS
from tests.api.conftest import Api, make_product, make_settings, offer_product, use_clock
from tests.api.test_content import create, note
from tests.api.test_live import live_room, live_settings
from tests.api.test_recommend import buy

SHARE = "mutation($p: ID) { createShareLink(input: {productId: $p}) { errors { code field message } } }"
VIEW = "query($id: ID!) { product(id: $id) { id } }"
HOT = "query($w: RankingWindow!) { hotProducts(window: $w) { title } }"
SHOP = "mutation($n: String!) { createShop(input: {name: $n}) { shop { id } errors { code field message } } }"
FOLLOW = "mutation($u: ID!) { follow(input: {userId: $u}) { errors { code field message } } }"
START_BARGAIN = "mutation($s: ID!) { startBargain(input: {skuId: $s}) { errors { code field message } } }"
PROFILE = "mutation($b: String) { updateProfile(input: {bio: $b}) { errors { code field message } } }"
POST = "mutation($in: CreatePostInput!) { createPost(input: $in) { post { id } errors { code field message } } }"
LIKE = "mutation($p: ID!) { likePost(input: {postId: $p}) { errors { code field message } } }"
COMMENT = (
    "mutation($p: ID!, $b: String!) { commentOnPost(input: {postId: $p, body: $b}) { errors { code field message } } }"
)
REPORT = (
    "mutation($t: ID!, $r: String!) { report(input: {targetId: $t, reason: $r}) { errors { code field message } } }"
)
CREATE_ROOM = "mutation($in: CreateLiveRoomInput!) { createLiveRoom(input: $in) { errors { code field message } } }"
LIKE_LIVE = "mutation($r: ID!, $n: Int!) { likeLive(input: {roomId: $r, count: $n}) { errors { code field message } } }"

TIGHT = 2  # every per-minute rate of the `tight` app


def errors_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return list(payload["errors"])


def codes(body: dict[str, Any]) -> list[str]:
    return [e["code"] for e in errors_of(body)]


async def hot_titles(api: Api, window: str = "HOUR") -> list[str]:
    return [p["title"] for p in (await api.gql(HOT, {"w": window}))["data"]["hotProducts"]]


@pytest.fixture(params=["store", "redis"])
async def ranked(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    """The app with rankings in the document store (embedded default) or in a real Redis."""
    overrides = {"REDIS_URL": request.getfixturevalue("redis_url")} if request.param == "redis" else {}
    async with TestClient(TestServer(create_app(make_settings(tmp_path, **overrides)))) as client:
        yield Api(client)


@pytest.fixture
async def tight(tmp_path: Path) -> AsyncIterator[Api]:
    """Every per-minute rate limit at TIGHT."""
    rates = {
        name: TIGHT
        for name in (
            "SHARE_LINKS_PER_MINUTE",
            "SHOPS_PER_MINUTE",
            "PRODUCTS_PER_MINUTE",
            "POSTS_PER_MINUTE",
            "COMMENTS_PER_MINUTE",
            "POST_LIKES_PER_MINUTE",
            "FOLLOWS_PER_MINUTE",
            "REPORTS_PER_MINUTE",
            "BARGAIN_STARTS_PER_MINUTE",
            "TEAM_STARTS_PER_MINUTE",
            "LIVE_ROOMS_PER_MINUTE",
            "PROFILE_UPDATES_PER_MINUTE",
            "VIDEO_UPLOADS_PER_MINUTE",
        )
    }
    async with TestClient(TestServer(create_app(live_settings(tmp_path, **rates)))) as client:
        yield Api(client)


# -- hotProducts: one user's views and shares -------------------------------------------------------------
async def test_150_views_and_shares_from_one_user_do_not_lift_an_unsold_product_above_a_sold_one(ranked: Api) -> None:
    # given a product that sold one unit and one nobody bought
    api = ranked
    seller, _ = await api.login("热度卖家")
    buyer, _ = await api.login("真实买家")
    attacker, _ = await api.login("刷榜的人")
    shop, _, (sold_sku,) = await make_product(api, seller, title="真卖出的")
    _, unsold, _ = await make_product(api, seller, title="没人买的", shop_id=shop)
    await buy(api, buyer, sold_sku)
    # when one user views and shares the unsold one 150 times each within a couple of seconds
    await asyncio.gather(
        *(api.gql(VIEW, {"id": unsold}, token=attacker) for _ in range(150)),
        *(api.gql(SHARE, {"p": unsold}, token=attacker) for _ in range(150)),
    )
    # then the product that really sold stays on top
    assert await hot_titles(api) == ["真卖出的", "没人买的"]


async def test_a_users_views_of_a_product_count_once_an_hour(ranked: Api) -> None:
    # given a product one user opens 50 times and another product two users open once each
    api = ranked
    clock = use_clock(api)
    clock.ms = clock.ms // HOUR_MS * HOUR_MS + 20 * 60_000  # 20 past an hour: 61 minutes on is the next hour, always
    seller, _ = await api.login("浏览卖家")
    repeater, _ = await api.login("反复看的人")
    other, _ = await api.login("看一次的人")
    shop, once_each, _ = await make_product(api, seller, title="两人各看一次")
    _, many_times, _ = await make_product(api, seller, title="一人看五十次", shop_id=shop)
    for _ in range(50):
        await api.gql(VIEW, {"id": many_times}, token=repeater)
    await api.gql(VIEW, {"id": once_each}, token=repeater)
    await api.gql(VIEW, {"id": once_each}, token=other)
    # then two people's interest outweighs one person's fifty looks
    assert await hot_titles(api) == ["两人各看一次", "一人看五十次"]
    # when an hour has passed the same user's view counts again
    clock.advance(minutes=61)
    await api.gql(VIEW, {"id": many_times}, token=repeater)
    await api.gql(VIEW, {"id": many_times}, token=repeater)
    assert await hot_titles(api) == ["一人看五十次", "两人各看一次"]


async def test_anonymous_views_do_not_feed_hot_products(api: Api) -> None:
    # given a product nobody bought or shared
    seller, _ = await api.login("匿名浏览卖家")
    _, product, _ = await make_product(api, seller, title="只被匿名看过")
    # when anonymous clients open it many times
    for _ in range(20):
        await api.gql(VIEW, {"id": product})
    # then it is not hot
    assert await hot_titles(api) == []


async def test_a_like_unlike_loop_heats_a_topic_once(api: Api) -> None:
    # given two posts in two topics, one liked by two users, one liked and unliked in a loop by one user
    author, _ = await api.login("话题作者")
    loop_user, _ = await api.login("循环点赞")
    fans = [(await api.login(f"话题粉丝{i}"))[0] for i in range(2)]
    quiet = (await create(api, author, title="安静的话题", topics=["安静"]))["post"]["id"]
    looped = (await create(api, author, title="被刷的话题", topics=["刷榜"]))["post"]["id"]
    for fan in fans:
        await api.gql(LIKE, {"p": quiet}, token=fan)
    unlike = "mutation($p: ID!) { unlikePost(input: {postId: $p}) { errors { code } } }"
    for _ in range(20):
        await api.gql(LIKE, {"p": looped}, token=loop_user)
        await api.gql(unlike, {"p": looped}, token=loop_user)
    # then two people's likes heat their topic more than one person's twenty
    trending = (await api.gql("{ trendingTopics(first: 5) { name } }"))["data"]["trendingTopics"]
    assert [t["name"] for t in trending][:2] == ["安静", "刷榜"]


async def test_a_users_repeated_opens_of_a_post_count_as_one_view(api: Api) -> None:
    # given a post
    author, _ = await api.login("被看的作者")
    reader, _ = await api.login("反复打开的人")
    post = (await create(api, author))["post"]["id"]
    # when one reader opens it 30 times and an anonymous client 30 times
    for _ in range(30):
        await api.gql("query($id: ID!) { post(id: $id) { id } }", {"id": post}, token=reader)
        await api.gql("query($id: ID!) { post(id: $id) { id } }", {"id": post})
    # then it has one view (a view is a denominator of its ranking: inflating it buries the post)
    from domain.ids import from_global_id

    doc = await api.services.store.get("posts", from_global_id(post)[1])
    assert doc is not None and doc["viewCount"] == 1


# -- rate limits -------------------------------------------------------------------------------------------
Call = Callable[[Api, str], Awaitable[dict[str, Any]]]


async def _share(api: Api, token: str) -> dict[str, Any]:
    return await api.gql(SHARE, {"p": None}, token=token)


async def _shop(api: Api, token: str) -> dict[str, Any]:
    return await api.gql(SHOP, {"n": "又一家店"}, token=token)


async def _product(api: Api, token: str) -> dict[str, Any]:
    from domain.ids import to_global_id
    from resolvers.catalog import create_shop
    from tests.api.conftest import PRODUCT

    made = await create_shop(api.services, await _me(api, token), "限速的店")  # outside the shop limit
    skus = [{"specs": [], "price": 100, "stock": 1}]
    product = {
        "shopId": to_global_id("Shop", made["_id"]),
        "title": "一件",
        "description": "",
        "images": [],
        "skus": skus,
    }
    return await api.gql(PRODUCT, {"in": product}, token=token)


async def _post(api: Api, token: str) -> dict[str, Any]:
    return await api.gql(POST, {"in": note()}, token=token)


async def _comment(api: Api, token: str) -> dict[str, Any]:
    post = await _some_post(api)
    return await api.gql(COMMENT, {"p": post, "b": "说得好"}, token=token)


async def _like_post(api: Api, token: str) -> dict[str, Any]:
    return await api.gql(LIKE, {"p": await _some_post(api)}, token=token)


async def _follow(api: Api, token: str) -> dict[str, Any]:
    _, other = await api.login("被关注的人")
    return await api.gql(FOLLOW, {"u": other["id"]}, token=token)


async def _report(api: Api, token: str) -> dict[str, Any]:
    return await api.gql(REPORT, {"t": await _some_post(api), "r": "spam"}, token=token)


async def _start_bargain(api: Api, token: str) -> dict[str, Any]:
    seller, _ = await api.login("砍价限速卖家")
    if not hasattr(api, "_bargain_sku"):
        _, skus = await offer_product(
            api, seller, bargain={"floorPrice": 100, "helpersNeeded": 3, "durationMinutes": 60}
        )
        api._bargain_sku = skus[0]  # type: ignore[attr-defined]
    return await api.gql(START_BARGAIN, {"s": api._bargain_sku}, token=token)  # type: ignore[attr-defined]


async def _live_room(api: Api, token: str) -> dict[str, Any]:
    return await api.gql(CREATE_ROOM, {"in": {"title": "直播", "productIds": []}}, token=token)


async def _profile(api: Api, token: str) -> dict[str, Any]:
    return await api.gql(PROFILE, {"b": "简介"}, token=token)


async def _me(api: Api, token: str) -> str:
    from domain.ids import from_global_id

    me = (await api.gql("{ me { id } }", token=token))["data"]["me"]["id"]
    return from_global_id(me)[1]


async def _some_post(api: Api) -> str:
    if not hasattr(api, "_post"):
        author, _ = await api.login("限速帖作者")
        api._post = (await create(api, author))["post"]["id"]  # type: ignore[attr-defined]
    return str(api._post)  # type: ignore[attr-defined]


LIMITED: dict[str, tuple[Call, str]] = {
    "createShareLink": (_share, "share_links"),
    "createShop": (_shop, "shops"),
    "createProduct": (_product, "products"),
    "createPost": (_post, "posts"),
    "commentOnPost": (_comment, "comments"),
    "likePost": (_like_post, ""),
    "follow": (_follow, ""),
    "report": (_report, ""),
    "startBargain": (_start_bargain, ""),
    "createLiveRoom": (_live_room, "live_rooms"),
    "updateProfile": (_profile, ""),
}


@pytest.mark.parametrize("mutation", sorted(LIMITED))
async def test_a_mutation_over_its_rate_is_refused_with_rate_limited(tight: Api, mutation: str) -> None:
    # given a user who used up the mutation's burst
    call, collection = LIMITED[mutation]
    token, _ = await tight.login("限速用户")
    for _ in range(TIGHT):
        assert "RATE_LIMITED" not in codes(await call(tight, token))
    written = await tight.services.store.count(collection) if collection else 0
    # when they call it once more at once
    body = await call(tight, token)
    # then it is refused with RATE_LIMITED and a message, and wrote nothing
    errors = errors_of(body)
    assert [e["code"] for e in errors] == ["RATE_LIMITED"], body
    assert "a minute" in errors[0]["message"]
    if collection:
        assert await tight.services.store.count(collection) == written


async def test_a_rate_limit_refills_with_time_and_is_per_user(tight: Api) -> None:
    # given a user over the share-link limit
    clock = use_clock(tight)
    token, _ = await tight.login("分享达人")
    other, _ = await tight.login("另一个分享者")
    for _ in range(TIGHT):
        await _share(tight, token)
    assert codes(await _share(tight, token)) == ["RATE_LIMITED"]
    # then another user is not limited by it
    assert codes(await _share(tight, other)) == []
    # when half a minute passes, one more is allowed (TIGHT a minute), and no more
    clock.advance(minutes=0.5)
    assert codes(await _share(tight, token)) == []
    assert codes(await _share(tight, token)) == ["RATE_LIMITED"]


async def test_follow_unfollow_and_block_share_one_bucket(tight: Api) -> None:
    # given a user who followed and unfollowed up to the limit
    token, _ = await tight.login("关注循环")
    _, target = await tight.login("被循环关注")
    unfollow = "mutation($u: ID!) { unfollow(input: {userId: $u}) { errors { code field message } } }"
    assert codes(await tight.gql(FOLLOW, {"u": target["id"]}, token=token)) == []
    assert codes(await tight.gql(unfollow, {"u": target["id"]}, token=token)) == []
    # when they follow again
    body = await tight.gql(FOLLOW, {"u": target["id"]}, token=token)
    # then it is refused: a follow/unfollow loop is limited as a whole
    assert codes(body) == ["RATE_LIMITED"]


async def test_like_live_limits_likes_not_calls(tmp_path: Path) -> None:
    # given a live room and a viewer
    async with TestClient(TestServer(create_app(live_settings(tmp_path, LIVE_LIKES_PER_MINUTE=300)))) as client:
        api = Api(client)
        host, _ = await api.login("限速主播")
        viewer, _ = await api.login("狂点赞的人")
        room = await live_room(api, host)
        # when the viewer sends 6,000 likes in 60 calls at once
        bodies = await asyncio.gather(*(api.gql(LIKE_LIVE, {"r": room, "n": 100}, token=viewer) for _ in range(60)))
        # then only the burst (300 likes) is taken, the rest RATE_LIMITED
        accepted = [b for b in bodies if codes(b) == []]
        refused = [b for b in bodies if codes(b) == ["RATE_LIMITED"]]
        assert len(accepted) == 3 and len(refused) == 57
        # and the host's own likes are counted apart
        assert codes(await api.gql(LIKE_LIVE, {"r": room, "n": 100}, token=host)) == []


async def test_a_like_unlike_loop_announces_the_like_once(api: Api) -> None:
    # given a post and a user who likes and unlikes it again and again
    from domain.ids import from_global_id

    author, _ = await api.login("被反复点赞的作者")
    fan, fan_user = await api.login("反复点赞的粉丝")
    post = (await create(api, author))["post"]["id"]
    unlike = "mutation($p: ID!) { unlikePost(input: {postId: $p}) { errors { code } } }"
    for _ in range(5):
        await api.gql(LIKE, {"p": post}, token=fan)
        await api.gql(unlike, {"p": post}, token=fan)
    await api.gql(LIKE, {"p": post}, token=fan)
    # then the post has one like, and the fan's followers heard of it once (no feed spam)
    activities = await api.services.store.find("activities", {"actorId": from_global_id(fan_user["id"])[1]})
    assert [a["verb"] for a in activities.docs] == ["LIKED"]
    doc = await api.services.store.get("posts", from_global_id(post)[1])
    assert doc is not None and doc["likeCount"] == 1


async def test_the_sweep_purges_the_seen_marks_of_past_hours(api: Api) -> None:
    # given a user who opened a product two hours ago and another who opens it now (embedded default: the store)
    from domain.ids import from_global_id
    from jobs.sweep import sweep

    clock = use_clock(api)
    seller, _ = await api.login("标记卖家")
    early, _ = await api.login("早看的人")
    late, late_user = await api.login("刚看的人")
    _, product, _ = await make_product(api, seller, title="被看的商品")
    await api.gql(VIEW, {"id": product}, token=early)
    clock.advance(minutes=125)
    await api.gql(VIEW, {"id": product}, token=late)
    assert await api.services.store.count("heat_seen") == 2
    # when the sweep runs
    await sweep(api.services)
    # then only this hour's mark is left: the marks do not grow with every user and hour for ever
    marks = (await api.services.store.find("heat_seen")).docs
    assert [m["_id"].rsplit("|", 1)[1] for m in marks] == [from_global_id(late_user["id"])[1]]

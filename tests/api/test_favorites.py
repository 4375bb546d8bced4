"""Favorites (收藏) through the API on the embedded default: products, shops and posts favorited idempotently
(also at once), counts and the viewer's mark batched, myFavorites, the FAVORITED activity under privacy, the
ENGAGED edge recommendations read, and the refusals (missing, blocked, held, not favoritable)."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id, to_global_id
from tests.api.conftest import Api, count_get_many, make_product
from tests.api.test_content import create
from tests.api.test_feeds import befriend, feed

FAVORITE = """mutation($id: ID!) { favorite(input: {targetId: $id}) { favorited
  target { __typename ... on Product { id favoriteCount viewerHasFavorited } ... on Shop { id favoriteCount }
    ... on Post { id favoriteCount } }
  errors { code field message } } }"""
UNFAVORITE = """mutation($id: ID!) { unfavorite(input: {targetId: $id}) { favorited
  target { __typename ... on Product { favoriteCount viewerHasFavorited } } errors { code field } } }"""
MINE = """query($k: FavoriteKind) { myFavorites(kind: $k, first: 10) {
  edges { node { kind target { __typename ... on Product { id } ... on Shop { id } ... on Post { id } } } } } }"""
PRODUCTS = """query { products(first: 20) { edges { node { id favoriteCount viewerHasFavorited
  shop { favoriteCount viewerHasFavorited } } } } }"""
BLOCK = "mutation($id: ID!) { block(input: {userId: $id}) { errors { code } } }"


async def fav(api: Api, token: str, target: str, mutation: str = FAVORITE) -> Any:
    return next(iter((await api.gql(mutation, {"id": target}, token=token))["data"].values()))


async def test_products_shops_and_posts_are_favorited_once_and_listed(api: Api) -> None:
    # given a product, its shop and a post
    seller, _ = await api.login("收藏店主")
    shop_id, product_id, _ = await make_product(api, seller, title="收藏的茶")
    author, _ = await api.login("收藏作者")
    post_id = (await create(api, author))["post"]["id"]
    fan, _ = await api.login("收藏者")
    # when the fan favorites each twice
    for target in (product_id, shop_id, post_id, product_id, shop_id, post_id):
        done = await fav(api, fan, target)
        assert done["errors"] == [] and done["favorited"] and done["target"]["favoriteCount"] == 1
    # then each counts once, the mark is the viewer's alone, and myFavorites lists them, by kind too
    other, _ = await api.login("没收藏的人")
    seen = "query($id: ID!) { product(id: $id) { favoriteCount viewerHasFavorited } }"
    assert (await api.gql(seen, {"id": product_id}, token=other))["data"]["product"] == {
        "favoriteCount": 1,
        "viewerHasFavorited": False,
    }
    assert (await api.gql(seen, {"id": product_id}))["data"]["product"]["viewerHasFavorited"] is False
    assert (await api.gql(seen, {"id": product_id}, token=fan))["data"]["product"]["viewerHasFavorited"] is True
    kinds = [e["node"]["kind"] for e in (await api.gql(MINE, token=fan))["data"]["myFavorites"]["edges"]]
    assert sorted(kinds) == ["POST", "PRODUCT", "SHOP"]
    shops = (await api.gql(MINE, {"k": "SHOP"}, token=fan))["data"]["myFavorites"]["edges"]
    assert [e["node"]["target"] for e in shops] == [{"__typename": "Shop", "id": shop_id}]
    # and unfavorite takes it back, idempotently
    for _ in range(2):
        undone = await fav(api, fan, product_id, UNFAVORITE)
        assert undone["errors"] == [] and undone["target"] == {
            "__typename": "Product",
            "favoriteCount": 0,
            "viewerHasFavorited": False,
        }
    assert await api.services.store.count("favorites") == 2


async def test_favorite_by_one_user_at_once_counts_once(api: Api) -> None:
    seller, _ = await api.login("并发店主")
    _, product_id, _ = await make_product(api, seller, title="并发收藏")
    fan, _ = await api.login("并发收藏者")
    results = await asyncio.gather(*(fav(api, fan, product_id) for _ in range(10)))
    assert all(r["errors"] == [] for r in results)
    raw = from_global_id(product_id)[1]
    assert (await api.services.store.get("favorite_counts", f"PRODUCT:{raw}") or {})["count"] == 1
    assert await api.services.store.count("activities", {"verb": "FAVORITED"}) == 1
    engaged = await api.services.store.get("engagements", f"{(await _user_id(api, '并发收藏者'))}>{raw}")
    assert engaged is not None and engaged["count"] == 1
    undone = await asyncio.gather(*(fav(api, fan, product_id, UNFAVORITE) for _ in range(10)))
    assert all(r["errors"] == [] for r in undone)
    assert (await api.services.store.get("favorite_counts", f"PRODUCT:{raw}") or {})["count"] == 0


async def _user_id(api: Api, nickname: str) -> str:
    return str((await api.services.store.find("users", {"nickname": nickname})).docs[0]["_id"])


async def test_a_product_favorite_is_an_engaged_edge_in_the_graph(api: Api) -> None:
    seller, _ = await api.login("图店主")
    _, product_id, _ = await make_product(api, seller, title="图上的茶")
    fan, _ = await api.login("图收藏者")
    raw, user = from_global_id(product_id)[1], await _user_id(api, "图收藏者")
    graph = api.services.backends.graph
    await fav(api, fan, product_id)
    await api.services.projector.drain()
    assert await graph.neighbors("ENGAGED", user) == [raw]
    await fav(api, fan, product_id, UNFAVORITE)
    await api.services.projector.drain()
    assert await graph.neighbors("ENGAGED", user) == []


async def test_missing_blocked_held_and_unfavoritable_targets_are_refused(api: Api) -> None:
    seller, seller_user = await api.login("拉黑店主")
    shop_id, product_id, _ = await make_product(api, seller, title="拉黑的茶")
    fan, fan_user = await api.login("被拉黑的人")
    await api.gql(BLOCK, {"id": fan_user["id"]}, token=seller)
    spam = (await create(api, seller, title="加我微信", body="加我微信 abcdef123 买好茶"))["post"]
    assert spam["moderation"] == "PENDING"
    cases = [
        (product_id, "BLOCKED"),
        (shop_id, "BLOCKED"),
        (seller_user["id"], "INVALID_INPUT"),  # a user is not favoritable
        ("nonsense", "INVALID_INPUT"),
    ]
    for target, code in cases:
        done = await fav(api, fan, target)
        assert [(e["code"], e["field"]) for e in done["errors"]] == [(code, ["input", "targetId"])], target
    other, _ = await api.login("旁观者")
    held = await fav(api, other, spam["id"])
    assert [(e["code"], e["field"]) for e in held["errors"]] == [("NOT_FOUND", ["input", "targetId"])]
    for kind in ("Product", "Shop", "Post"):
        gone = await fav(api, other, to_global_id(kind, "no-such-thing"))
        assert [(e["code"], e["field"]) for e in gone["errors"]] == [("NOT_FOUND", ["input", "targetId"])], kind
    assert await api.services.store.count("favorites") == 0
    assert await api.services.store.count("favorite_counts") == 0


async def test_favorited_reaches_friends_as_privacy_allows(api: Api) -> None:
    me = await api.login("看朋友收藏")
    open_friend = await api.login("公开收藏朋友")
    shy_friend = await api.login("低调收藏朋友")
    for friend in (open_friend, shy_friend):
        await befriend(api, me, friend)
    await api.services.projector.drain()
    seller, _ = await api.login("被收藏的店")
    _, product_id, _ = await make_product(api, seller, title="朋友收藏的茶")
    await api.gql(
        "mutation { updatePrivacy(input: {activityVisibility: PRIVATE}) { errors { code } } }", token=shy_friend[0]
    )
    for friend in (open_friend, shy_friend):
        await fav(api, friend[0], product_id)
    items = (await feed(api, me[0], "FRIENDS"))["edges"]
    assert [
        (e["node"]["actor"]["nickname"], e["node"]["product"]) for e in items if e["node"]["verb"] == "FAVORITED"
    ] == [("公开收藏朋友", {"title": "朋友收藏的茶"})]


async def test_counts_and_marks_of_a_page_are_read_in_one_batch(api: Api) -> None:
    seller, _ = await api.login("批量店主")
    shop_id, _, _ = await make_product(api, seller, title="批量一")
    for i in range(4):
        await make_product(api, seller, title=f"批量{i}", shop_id=shop_id)
    fan, _ = await api.login("批量收藏者")
    calls = count_get_many(api.services.store)
    page = (await api.gql(PRODUCTS, token=fan))["data"]["products"]["edges"]
    assert len(page) >= 5
    assert calls.count("favorite_counts") == 1  # products' and shops' counts: one DataLoader, one read
    assert calls.count("favorites") == 1

"""recommendedProducts (with reasons and the privacy and block rules), Product.similar and hotProducts."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_feeds import befriend
from tests.api.test_orders import line, pay, place

RECS = "query($f: Int) { recommendedProducts(first: $f) { product { title } score reasons } }"
FOLLOW = "mutation($id: ID!) { follow(input: {userId: $id}) { errors { code } } }"


async def buy(api: Api, token: str, sku: str, key: str = "b", quantity: int = 1) -> None:
    order = (await place(api, token, [line(sku, quantity)], key))["order"]
    await pay(api, token, order["id"])


async def recs(api: Api, token: str | None, first: int = 10) -> list[dict[str, Any]]:
    return (await api.gql(RECS, {"f": first}, token=token))["data"]["recommendedProducts"]


async def test_friends_and_followees_purchases_come_first_with_reasons(api: Api) -> None:
    seller, _ = await api.login("推荐卖家")
    viewer = await api.login("看推荐的人")
    friends = [await api.login(f"推荐好友{i}") for i in range(3)]
    idol = await api.login("关注的博主")
    stranger = await api.login("推荐路人")
    for friend in friends:
        await befriend(api, viewer, friend)
    await api.gql(FOLLOW, {"id": idol[1]["id"]}, token=viewer[0])
    await api.services.projector.drain()
    shop, _, (tea,) = await make_product(api, seller, title="好友都买的茶具")
    _, _, (book,) = await make_product(api, seller, title="博主买的书", shop_id=shop)
    _, _, (hit,) = await make_product(api, seller, title="路人爆款", shop_id=shop)
    for friend in friends[:2]:
        await buy(api, friend[0], tea)
    await buy(api, friends[2][0], tea)
    await api.gql(
        "mutation { updatePrivacy(input: {showInSocialProof: false}) { errors { code } } }", token=friends[2][0]
    )
    await buy(api, idol[0], book)
    await buy(api, stranger[0], hit, quantity=5)
    await api.services.projector.drain()
    found = await recs(api, viewer[0])
    assert [r["product"]["title"] for r in found[:3]] == ["好友都买的茶具", "博主买的书", "路人爆款"]
    assert found[0]["reasons"] == ["2 friends bought this"]  # the third friend hides their purchases
    assert found[1]["reasons"] == ["popular with people you follow"]
    assert found[2]["reasons"] == ["popular right now"]
    assert found[0]["score"] > found[1]["score"] > found[2]["score"]
    anonymous = await recs(api, None, first=3)
    assert [(r["product"]["title"], r["reasons"]) for r in anonymous[:2]] == [
        ("路人爆款", ["popular right now"]),  # 5 sold
        ("好友都买的茶具", ["popular right now"]),  # 3 sold
    ]
    bad = await api.gql(RECS, {"f": 101}, expect_errors=True)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_bought_and_blocked_products_are_left_out_and_co_purchases_come_in(api: Api) -> None:
    seller, _ = await api.login("共购卖家")
    rude, _ = await api.login("拉黑人的店主")
    viewer = await api.login("共购者")
    others = [await api.login(f"共购{i}") for i in range(3)]
    shop, _, (cup,) = await make_product(api, seller, title="青瓷杯")
    _, _, (pot,) = await make_product(api, seller, title="紫砂壶", shop_id=shop)
    _, _, (tea,) = await make_product(api, seller, title="明前龙井", shop_id=shop, category="茶叶")
    _, _, (mat,) = await make_product(api, rude, title="拉黑店的茶席")
    await buy(api, viewer[0], cup, "v1")
    await buy(api, viewer[0], tea, "v2")
    for other in others:
        await buy(api, other[0], cup, "o1")
        await buy(api, other[0], pot, "o2")
        await buy(api, other[0], mat, "o3")
    await api.gql(
        "mutation($id: ID!) { block(input: {userId: $id}) { errors { code } } }", {"id": viewer[1]["id"]}, token=rude
    )
    await api.services.projector.drain()
    found = await recs(api, viewer[0])
    titles = [r["product"]["title"] for r in found]
    assert titles[0] == "紫砂壶" and found[0]["reasons"][0].startswith("often bought with ")
    assert "青瓷杯" not in titles  # bought already, and a cup is not consumable
    assert "明前龙井" in titles  # tea is: it may come back
    assert "拉黑店的茶席" not in titles  # its shop's owner blocked the viewer
    similar = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on Sku { product { similar(first: 3) { title } } } } }", {"id": cup}
    )
    assert [p["title"] for p in similar["data"]["node"]["product"]["similar"]][:2] == ["紫砂壶", "拉黑店的茶席"]


async def test_hot_products_by_window_with_decay(api: Api) -> None:
    clock = use_clock(api)
    seller, _ = await api.login("热销卖家")
    buyer, _ = await api.login("热销买家")
    shop, old_id, (old,) = await make_product(api, seller, title="上周的爆款")
    _, new_id, (new,) = await make_product(api, seller, title="今天的新品", shop_id=shop)
    await buy(api, buyer, old, "o", quantity=10)
    clock.advance(days=3)
    await buy(api, buyer, new, "n", quantity=2)
    await api.gql(
        "mutation($p: ID) { createShareLink(input: {productId: $p}) { errors { code } } }", {"p": new_id}, token=buyer
    )
    await api.gql("query($id: ID!) { product(id: $id) { id } }", {"id": new_id})
    hot = "query($w: RankingWindow!) { hotProducts(window: $w) { title } }"
    assert [p["title"] for p in (await api.gql(hot, {"w": "DAY"}))["data"]["hotProducts"]] == ["今天的新品"]
    assert [p["title"] for p in (await api.gql(hot, {"w": "WEEK"}))["data"]["hotProducts"]] == [
        "上周的爆款",
        "今天的新品",
    ]
    clock.advance(minutes=180)
    assert (await api.gql(hot, {"w": "HOUR"}))["data"]["hotProducts"] == []
    assert old_id != new_id


async def test_what_friends_like_or_post_about_is_recommended(api: Api) -> None:
    from domain.ids import from_global_id
    from graph.projector import rebuild
    from tests.api.test_content import create

    seller, _ = await api.login("种草卖家2")
    viewer = await api.login("被种草的人")
    friend = await api.login("爱种草的朋友")
    author = await api.login("种草博主")
    await befriend(api, viewer, friend)
    shop, liked_id, _ = await make_product(api, seller, title="朋友点赞的壶")
    _, posted_id, _ = await make_product(api, seller, title="朋友晒的茶", shop_id=shop)
    post = (await create(api, author[0], title="好壶推荐", body="这把壶很好用", productIds=[liked_id]))["post"]
    await api.gql(
        "mutation($p: ID!) { likePost(input: {postId: $p}) { errors { code } } }", {"p": post["id"]}, token=friend[0]
    )
    await create(api, friend[0], title="晒单", body="新买的茶不错", productIds=[posted_id])
    await api.services.projector.drain()
    found = {r["product"]["title"]: r["reasons"] for r in await recs(api, viewer[0])}
    assert found["朋友点赞的壶"] == ["1 friend likes this"]
    assert found["朋友晒的茶"] == ["1 friend likes this"]
    graph = api.services.backends.graph
    engaged = sorted(await graph.neighbors("ENGAGED", from_global_id(friend[1]["id"])[1]))
    assert engaged == sorted([from_global_id(liked_id)[1], from_global_id(posted_id)[1]])
    await api.gql(
        "mutation($p: ID!) { unlikePost(input: {postId: $p}) { errors { code } } }", {"p": post["id"]}, token=friend[0]
    )
    await api.services.projector.drain()
    assert await graph.neighbors("ENGAGED", from_global_id(friend[1]["id"])[1]) == [from_global_id(posted_id)[1]]
    await rebuild(api.services.store, graph)  # the projection and a rebuild agree
    assert await graph.neighbors("ENGAGED", from_global_id(friend[1]["id"])[1]) == [from_global_id(posted_id)[1]]


async def test_similar_falls_back_to_the_closest_titles_of_the_category(api: Api) -> None:
    seller, _ = await api.login("相似卖家")
    shop, product, _ = await make_product(api, seller, title="西湖龙井绿茶", category="茶叶")
    for title in ("云南普洱茶饼", "明前龙井绿茶礼盒", "安吉白茶"):
        await make_product(api, seller, title=title, shop_id=shop, category="茶叶")
    await make_product(api, seller, title="龙井茶杯", shop_id=shop, category="茶具")
    q = "query($id: ID!) { product(id: $id) { similar(first: 10) { title } } }"
    titles = [p["title"] for p in (await api.gql(q, {"id": product}))["data"]["product"]["similar"]]
    # the demo data's 明前绿茶礼盒 is a tea too: the closest titles first, another category never
    assert (
        titles[:2] == ["明前龙井绿茶礼盒", "明前绿茶礼盒"] and "龙井茶杯" not in titles and "西湖龙井绿茶" not in titles
    )

"""The newer areas' use cases, run sequentially on every store (FerretDB included: nothing here races), so the
MongoDB path of their queries and updates is exercised, not only SQLite's."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends import Backends
from graph.memory import MemoryGraph
from graph.projector import Projector
from integrations.media import MediaStore
from resolvers import bargains, catalog, content, distribution, feeds, orders, payments, payouts, shipments, teams
from resolvers.services import Services
from resolvers.social import follow
from resolvers.users import new_user
from settings import Settings
from store.collections import ensure_indexes
from store.protocol import DocumentStore
from subscriptions.memory import MemoryBus


@pytest.fixture
async def services(store: DocumentStore, tmp_path: Path) -> Services:
    await ensure_indexes(store)
    graph = MemoryGraph()
    settings = Settings(DATA_DIR=tmp_path, DEV_LOGIN=True)
    built = Services(settings, Backends(store, graph, MemoryBus()), Projector(store, graph), media=MediaStore(tmp_path))
    await store.insert_many("users", [{**new_user(n), "_id": n} for n in ("seller", "top", "near", "buyer", "fan")])
    return built


async def test_posts_feeds_and_topics(services: Services) -> None:
    await follow(services, "fan", "top")
    first = await content.create_post(services, "top", "NOTE", "龙井", "今年的明前龙井很香", [], None, [], ["绿茶"])
    second = await content.create_post(services, "top", "NOTE", "普洱", "七年陈的普洱生茶", [], None, [], ["#绿茶"])
    await content.like(services, "fan", first["_id"])
    await content.like(services, "fan", first["_id"])
    await content.comment(services, "fan", first["_id"], "好喝吗", None)
    page = await feeds.following(services, "fan", 10, None)
    assert [p["_id"] for p in page.items] == [second["_id"], first["_id"]]
    post = await services.store.get("posts", first["_id"])
    assert post is not None and (post["likeCount"], post["commentCount"]) == (1, 1)
    assert [t["_id"] for t in await feeds.trending(services, 5)] == ["绿茶"]
    assert (await services.store.get("topics", "绿茶") or {})["postCount"] == 2


async def test_a_commission_chain_teams_and_bargains(services: Services) -> None:
    shop = await catalog.create_shop(services, "seller", "店")
    await distribution.set_policy(services, "seller", shop["_id"], [1000, 500], 0, False, False)
    for user in ("top", "near"):
        await distribution.apply(services, user, shop["_id"], None)
    top_link = await distribution.create_share_link(services, "top", None)
    assert await distribution.bind_referrer(services, "near", top_link["_id"])
    near_link = await distribution.create_share_link(services, "near", None)
    product = await catalog.create_product(
        services,
        shop["_id"],
        "茶饼",
        "",
        [],
        None,
        [{"specs": [], "price": 10_000, "stock": 10}],
        group_buy={"tiers": [{"size": 2, "price": 9000}], "durationMinutes": 60},
        bargain={"floorPrice": 5000, "helpersNeeded": 2, "durationMinutes": 60},
    )
    sku = f"{product['_id']}000"
    order = await orders.place_order(services, "buyer", [(sku, 1)], "k", share_token=near_link["_id"])
    assert order["upline"] == ["near", "top"]
    await payments.pay_order(services, "buyer", order["_id"], "DEV_PAY", "p")
    await shipments.ship_order(services, "seller", order["_id"])
    await orders.confirm_receipt(services, "buyer", order["_id"])
    assert await distribution.settle_due(services) == 2
    await payouts.withdraw(services, "near", 500, "w")
    stats = await distribution.stats(services, "near")
    assert (stats.available, stats.withdrawn, stats.attributed_orders) == (500, 500, 1)
    count, bad, _ = await distribution.verify_ledger(services)
    assert (count, bad) == (5, None)  # 2 frozen, 2 settled, 1 withdrawn
    team, _ = await teams.start_team(services, "fan", sku, "t")
    joined, member_order = await teams.join_team(services, "top", team["_id"], sku, "t")
    assert joined["seats"] == 2
    bargain = await bargains.start_bargain(services, "fan", sku)
    for helper in ("top", "near"):
        await bargains.help_bargain(services, helper, bargain["_id"])
    bought = await bargains.buy_bargain(services, "fan", bargain["_id"], "b")
    assert bought["total"] == 5000 and member_order["total"] == 9000


async def test_coupons_and_the_friends_and_discover_feeds(services: Services) -> None:
    from resolvers import coupons

    shop = await catalog.create_shop(services, "seller", "券店")
    product = await catalog.create_product(
        services, shop["_id"], "礼盒", "", [], None, [{"specs": [], "price": 3000, "stock": 10}]
    )
    coupon = await coupons.create_coupon(
        services, "seller", shop["_id"], "满50减10", 1000, 5000, services.now() + 60_000, 2
    )
    await coupons.claim_coupon(services, "buyer", coupon["_id"])
    order = await orders.place_order(services, "buyer", [(f"{product['_id']}000", 2)], "c", coupon["_id"])
    assert (order["discount"], order["total"]) == (1000, 5000)
    assert [v.usable for v in await coupons.my_coupons(services, "buyer")] == [False]
    await orders.cancel_order(services, "buyer", order["_id"])
    assert [v.usable for v in await coupons.my_coupons(services, "buyer")] == [True]
    for a, b in (("fan", "near"), ("near", "fan")):
        await follow(services, a, b)
    await services.projector.drain()
    await content.create_post(services, "near", "NOTE", "朋友的笔记", "朋友写的内容", [], None, [], [])
    friends_page = await feeds.friends(services, "fan", 10, None)
    assert [a["verb"] for a in friends_page.items] == ["POSTED"]
    discover = await feeds.discover(services, "fan", 10, None)
    assert [p["title"] for p in discover.items] == ["朋友的笔记"]

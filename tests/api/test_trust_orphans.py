"""Issue 14, finding 17 (second half): a missing related document degrades one item of a list (left out, logged
once at WARNING), or makes a nullable field null, never the page."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from domain.ids import from_global_id, to_global_id
from resolvers.recommend import product_heat
from tests.api.conftest import Api, count_get_many, make_product, offer_product

SHOWN = "title shop { name owner { nickname } }"


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def three_products(api: Api) -> tuple[str, str, str]:
    """A good product, one whose shop's owner is gone and one whose shop is gone (all titled 茶杯 and category 茶具,
    the good one the best seller): their product ids."""
    store = api.services.store
    ids = []
    for who, title, sales in (("好店主", "好茶杯", 9), ("消失的店主", "孤儿茶杯", 5), ("没了店的店主", "无店茶杯", 7)):
        token, _ = await api.login(who)
        _, product, _ = await make_product(api, token, title=title, category="茶具")
        await store.set_many("products", {raw(product): {"salesCount": sales}})
        ids.append(product)
    owner = await store.get("shops", (await store.get("products", raw(ids[1])) or {})["shopId"])
    assert owner is not None and await store.delete("users", owner["ownerId"])
    assert await store.delete("shops", (await store.get("products", raw(ids[2])) or {})["shopId"])
    return ids[0], ids[1], ids[2]


def titles(items: list[dict[str, Any]]) -> list[str]:
    """The titles of the test's products in a list (the demo catalog is there too)."""
    return [i["title"] for i in items if i["title"].endswith("茶杯")]


async def test_product_lists_leave_out_a_product_whose_shop_or_owner_is_missing(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    # given a good product, one whose shop's owner is gone, one whose shop is gone
    _, lost_owner, _ = await three_products(api)
    q = f"""query($shop: ID!) {{
      all: products(first: 100) {{ edges {{ node {{ {SHOWN} }} }} }}
      found: products(query: "茶杯") {{ edges {{ node {{ {SHOWN} }} }} }}
      category: products(category: "茶具", sort: BEST_SELLING) {{ edges {{ node {{ {SHOWN} }} }} }}
      shop(id: $shop) {{ products {{ edges {{ node {{ {SHOWN} }} }} }} }}
    }}"""
    shop = (await api.services.store.get("products", raw(lost_owner)) or {})["shopId"]
    # when the lists are read with each product's shop and its owner
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            body = await api.gql(q, {"shop": to_global_id("Shop", shop)})
    # then each answers with the good product only, the broken references logged once each
    assert "errors" not in body, body["errors"]
    for name in ("all", "found", "category"):
        assert titles([e["node"] for e in body["data"][name]["edges"]]) == ["好茶杯"], name
    assert body["data"]["shop"] is None  # the shop whose owner is gone: null where the schema allows it
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum(f"shop {shop}: its owner" in m for m in warnings) == 1, warnings
    assert sum(f"product {raw(lost_owner)}: its shop" in m for m in warnings) == 1, warnings
    assert sum("is missing" in m and "product " in m for m in warnings) == 1, warnings  # the one whose shop is gone


async def test_recommended_hot_and_similar_leave_out_orphans(api: Api) -> None:
    # given the three products, all of them hot
    good, lost_owner, lost_shop = await three_products(api)
    for product in (good, lost_owner, lost_shop):
        await product_heat(api.services, raw(product), 10.0)
    q = f"""query($id: ID!) {{
      recommendedProducts {{ product {{ {SHOWN} }} }}
      hotProducts(window: DAY) {{ {SHOWN} }}
      product(id: $id) {{ similar {{ {SHOWN} }} }}
    }}"""
    # when anyone reads the recommendations, the hot products and the good product's similar ones
    body = await api.gql(q, {"id": good})
    # then they answer without the orphans
    assert "errors" not in body, body["errors"]
    assert titles([r["product"] for r in body["data"]["recommendedProducts"]]) == ["好茶杯"]
    assert titles(body["data"]["hotProducts"]) == ["好茶杯"]
    assert titles(body["data"]["product"]["similar"]) == []


async def test_a_product_or_sku_whose_shop_is_missing_is_null_by_id(api: Api) -> None:
    # given a product whose shop is gone, and its SKU
    _, _, lost_shop = await three_products(api)
    sku = (await api.services.store.find("skus", {"productId": raw(lost_shop)})).docs[0]["_id"]
    q = f"""query($id: ID!, $sku: ID!) {{
      product(id: $id) {{ {SHOWN} }}
      node(id: $id) {{ id }}
      sku: node(id: $sku) {{ ... on Sku {{ product {{ {SHOWN} }} }} }}
    }}"""
    # when they are read by id with the shop
    body = await api.gql(q, {"id": lost_shop, "sku": to_global_id("Sku", sku)})
    # then each is null, with no internal error
    assert "errors" not in body, body["errors"]
    assert body["data"] == {"product": None, "node": None, "sku": None}


async def test_the_products_page_reads_shops_and_owners_once(api: Api) -> None:
    # given thirty products of three shops
    for n in range(3):
        token, _ = await api.login(f"店主{n}")
        shop, _, _ = await make_product(api, token, title=f"商品{n}-0")
        for i in range(1, 10):
            await make_product(api, token, title=f"商品{n}-{i}", shop_id=shop)
    calls = count_get_many(api.services.store)
    # when the first hundred are read with their shops and owners
    body = await api.gql(f"{{ products(first: 100) {{ edges {{ node {{ {SHOWN} }} }} }} }}")
    # then all show, with one read of shops and one of users
    assert len(body["data"]["products"]["edges"]) == await api.services.store.count("products") >= 30
    assert calls.count("shops") == 1 and calls.count("users") == 1, calls


async def test_a_cut_by_a_missing_helper_is_left_out_of_its_bargain(api: Api) -> None:
    from tests.api.test_bargains import OFFER, help_, start

    # given a bargain with a real helper's cut and a cut by a user who does not exist
    seller, owner, helper = await api.login("砍价店主"), await api.login("发起人"), await api.login("真帮手")
    _, skus = await offer_product(api, seller[0], bargain=OFFER, prices=(10000,))
    bargain = (await start(api, owner[0], skus[0]))["bargain"]["id"]
    assert (await help_(api, helper[0], bargain))["errors"] == []
    store = api.services.store
    doc = await store.get("bargains", raw(bargain)) or {}
    await store.set_many("bargains", {doc["_id"]: {"cuts": [*doc["cuts"], {**doc["cuts"][0], "helperId": "ghost"}]}})
    # when the bargain is read with its cuts' helpers
    body = await api.gql("query($id: ID!) { bargain(id: $id) { cuts { helper { nickname } } } }", {"id": bargain})
    # then it answers with the real cut only
    assert "errors" not in body, body["errors"]
    assert body["data"]["bargain"]["cuts"] == [{"helper": {"nickname": "真帮手"}}]


async def test_my_orders_leave_out_an_order_of_a_missing_shop_and_a_line_of_a_missing_product(api: Api) -> None:
    from tests.api.test_orders import line, place

    # given my order, a copy of it in a shop that does not exist, and a copy whose line's product does not exist
    seller, buyer = await api.login("订单店主"), await api.login("下单的人")
    _, _, skus = await make_product(api, seller[0], title="订单商品")
    placed = await place(api, buyer[0], [line(skus[0])], "order-1")
    assert placed["errors"] == [], placed
    store = api.services.store
    order = await store.get("orders", raw(placed["order"]["id"])) or {}
    await store.insert(
        "orders", {**order, "_id": "o-no-shop", "number": "N-NO-SHOP", "idempotencyKey": "k2", "shopId": "ghost-shop"}
    )
    lost = [{**order["lines"][0], "productId": "ghost-product"}]
    await store.insert(
        "orders", {**order, "_id": "o-no-product", "number": "N-NO-PRODUCT", "idempotencyKey": "k3", "lines": lost}
    )
    q = """{ myOrders { edges { node { number buyer { nickname } shop { name }
      lines { product { title } sku { price { amount } } } } } } }"""
    # when I read my orders with their shops and lines
    body = await api.gql(q, token=buyer[0])
    # then the order of the missing shop is left out, and the order with the missing product shows without that line
    assert "errors" not in body, body["errors"]
    lines = {e["node"]["number"]: e["node"]["lines"] for e in body["data"]["myOrders"]["edges"]}
    assert lines == {
        order["number"]: [{"product": {"title": "订单商品"}, "sku": {"price": {"amount": 1000}}}],
        "N-NO-PRODUCT": [],
    }


async def test_commissions_and_memberships_leave_out_those_of_a_missing_shop(api: Api) -> None:
    # given a distributor's commission and membership in a real shop, and one each in a shop that does not exist
    seller, me = await api.login("分销店主"), await api.login("分销员")
    shop, _, _ = await make_product(api, seller[0], title="分销商品")
    store, user = api.services.store, raw(me[1]["id"])
    for n, shop_id in enumerate((raw(shop), "ghost-shop")):
        commission = {"userId": user, "shopId": shop_id, "orderNumber": f"N{n}", "level": 1, "amount": 100}
        await store.insert("commissions", {"_id": f"c{n}", **commission, "status": "FROZEN", "createdAt": n})
        await store.insert(
            "distributors",
            {"_id": f"{shop_id}|{user}", "userId": user, "shopId": shop_id, "status": "ACTIVE", "appliedAt": n},
        )
    q = """{ myDistribution { memberships { shop { name } }
      commissions { edges { node { orderNumber shop { name } } } } } }"""
    # when I read my distribution with the shops
    body = await api.gql(q, token=me[0])
    # then only the real shop's commission and membership show
    assert "errors" not in body, body["errors"]
    mine = body["data"]["myDistribution"]
    assert mine["memberships"] == [{"shop": {"name": "分销商品的店"}}]
    assert [e["node"]["orderNumber"] for e in mine["commissions"]["edges"]] == ["N0"]


async def test_a_coupon_of_a_shop_whose_owner_is_missing_shows_with_no_shop(api: Api) -> None:
    from tests.api.test_coupons import CLAIM, CREATE, coupon_input

    # given a claimed coupon of a shop whose owner has since gone
    seller, me = await api.login("发券店主"), await api.login("领券的人")
    shop, _, _ = await make_product(api, seller[0], title="发券商品")
    made = (await api.gql(CREATE, {"in": coupon_input(shop)}, token=seller[0]))["data"]["createCoupon"]
    assert (await api.gql(CLAIM, {"id": made["coupon"]["id"]}, token=me[0]))["data"]["claimCoupon"]["errors"] == []
    assert await api.services.store.delete("users", raw(seller[1]["id"]))
    # when I read my coupons with their shops and owners
    body = await api.gql("{ myCoupons { usable shop { name owner { nickname } } } }", token=me[0])
    # then the coupon shows, its shop null (the schema allows it), with no internal error
    assert "errors" not in body, body["errors"]
    assert body["data"]["myCoupons"] == [{"usable": True, "shop": None}]


async def test_a_post_and_a_live_room_leave_out_a_product_whose_shop_is_missing(api: Api) -> None:
    from tests.api.test_content import create
    from tests.api.test_live import live_room

    # given a post and a live room showing the good product and the one whose shop is gone
    good, _, lost_shop = await three_products(api)
    author = await api.login("带货的人")
    made = await create(api, author[0], title="带货帖", body="看看这两个", productIds=[good, lost_shop])
    assert made["errors"] == [], made
    room = await live_room(api, author[0], good, lost_shop)
    q = f"""query($p: ID!, $r: ID!) {{
      post(id: $p) {{ products {{ {SHOWN} }} }}
      liveRoom(id: $r) {{ products {{ {SHOWN} }} }}
    }}"""
    # when they are read with the products' shops
    body = await api.gql(q, {"p": made["post"]["id"], "r": room})
    # then each shows the good product only
    assert "errors" not in body, body["errors"]
    assert titles(body["data"]["post"]["products"]) == ["好茶杯"]
    assert titles(body["data"]["liveRoom"]["products"]) == ["好茶杯"]

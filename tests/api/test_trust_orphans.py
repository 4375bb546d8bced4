"""Issue 14, finding 17 (second half): a missing related document degrades one item of a list (left out, logged
once at WARNING), or makes a nullable field null, never the page."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from domain.ids import from_global_id, to_global_id
from resolvers.recommend import product_heat
from tests.api.conftest import Api, make_product

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
    good, lost_owner, _ = await three_products(api)
    q = f"""query($shop: ID!) {{
      all: products(first: 100) {{ edges {{ node {{ {SHOWN} }} }} }}
      found: products(query: "茶杯") {{ edges {{ node {{ {SHOWN} }} }} }}
      category: products(category: "茶具", sort: BEST_SELLING) {{ edges {{ node {{ {SHOWN} }} }} }}
      shop(id: $shop) {{ products {{ edges {{ node {{ {SHOWN} }} }} }} }}
    }}"""
    shop = (await api.services.store.get("products", raw(lost_owner)) or {})["shopId"]
    # when the lists are read with each product's shop and its owner
    with caplog.at_level(logging.WARNING):
        body = await api.gql(q, {"shop": to_global_id("Shop", shop)})
    # then each answers with the good product only
    assert "errors" not in body, body["errors"]
    for name in ("all", "found", "category"):
        assert titles([e["node"] for e in body["data"][name]["edges"]]) == ["好茶杯"], name
    assert body["data"]["shop"] is None  # the shop whose owner is gone: null where the schema allows it
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("owner" in m for m in warnings) and any("shop" in m for m in warnings), warnings


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


async def test_a_product_whose_shop_is_missing_is_null_by_id(api: Api) -> None:
    # given a product whose shop is gone
    _, _, lost_shop = await three_products(api)
    # when it is read by id with its shop
    body = await api.gql(f"query($id: ID!) {{ product(id: $id) {{ {SHOWN} }} node(id: $id) {{ id }} }}", {"id": lost_shop})
    # then it is null, with no internal error
    assert "errors" not in body, body["errors"]
    assert body["data"] == {"product": None, "node": None}


async def test_the_products_page_reads_shops_and_owners_once(api: Api) -> None:
    # given thirty products of three shops
    for n in range(3):
        token, _ = await api.login(f"店主{n}")
        shop, _, _ = await make_product(api, token, title=f"商品{n}-0")
        for i in range(1, 10):
            await make_product(api, token, title=f"商品{n}-{i}", shop_id=shop)
    store = api.services.store
    calls: list[str] = []
    original = store.get_many

    async def counting(collection: str, ids: Any) -> Any:
        calls.append(collection)
        return await original(collection, ids)

    store.get_many = counting  # type: ignore[method-assign]
    # when the first hundred are read with their shops and owners
    body = await api.gql(f"{{ products(first: 100) {{ edges {{ node {{ {SHOWN} }} }} }} }}")
    # then all show, with one read of shops and one of users
    assert len(body["data"]["products"]["edges"]) == await store.count("products") >= 30
    assert calls.count("shops") == 1 and calls.count("users") == 1, calls

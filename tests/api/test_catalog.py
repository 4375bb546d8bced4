"""Shops, products, stock changes and search through the API (embedded default)."""

from __future__ import annotations

import asyncio
from typing import Any

from observability.metrics import unwrapped
from store.sqlite import SqliteStore
from tests.api.conftest import PRODUCT, SHOP, Api, make_product

STOCK = """mutation($sku: ID!, $d: Int!, $k: String!) {
  adjustStock(input: {skuId: $sku, delta: $d, idempotencyKey: $k}) { sku { stock } errors { code field } } }"""
SEARCH = """query($q: String, $sort: ProductSort, $after: String, $first: Int, $cat: String, $shop: ID) {
  products(query: $q, sort: $sort, after: $after, first: $first, category: $cat, shopId: $shop) {
    edges { node { title price { amount } } } pageInfo { hasNextPage endCursor } } }"""


def sku(price: int = 1000, stock: int = 5, value: str = "A") -> dict[str, Any]:
    return {"specs": [{"name": "色", "value": value}], "price": price, "stock": stock}


async def test_a_user_opens_a_shop_and_its_owner_alone_adds_products(api: Api) -> None:
    owner, _ = await api.login("店主")
    stranger, _ = await api.login("路人")
    shop_id, product_id, _ = await make_product(api, owner, title="明前绿茶礼盒", prices=(19900, 36900))
    body = await api.gql(
        "query($id: ID!) { product(id: $id) { title price { amount currency } shop { id owner { nickname } } } }",
        {"id": product_id},
    )
    assert body["data"]["product"] == {
        "title": "明前绿茶礼盒",
        "price": {"amount": 19900, "currency": "CNY"},
        "shop": {"id": shop_id, "owner": {"nickname": "店主"}},
    }
    product_input = {"shopId": shop_id, "title": "别人的", "description": "", "images": [], "skus": [sku()]}
    payload = (await api.gql(PRODUCT, {"in": product_input}, token=stranger))["data"]["createProduct"]
    assert payload["product"] is None and payload["errors"][0]["code"] == "FORBIDDEN"
    assert (await api.gql(SHOP, {"n": "   "}, token=owner))["data"]["createShop"]["errors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "name"]}
    ]
    assert (await api.gql(SHOP, {"n": "x"}))["data"]["createShop"]["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_every_broken_product_rule_is_reported_with_its_path_and_nothing_is_written(api: Api) -> None:
    owner, _ = await api.login("严格店主")
    shop_id = (await api.gql(SHOP, {"n": "规则店"}, token=owner))["data"]["createShop"]["shop"]["id"]
    bad = {
        "shopId": shop_id,
        "title": "",
        "description": "x" * 5001,
        "images": ["ftp://x/y.png"] + ["https://cdn.example.com/a.png"] * 9,
        "skus": [sku(price=0), sku(stock=-1, value="B"), sku(price=10_000_001, stock=1_000_001, value="C")],
        "groupBuy": {"tiers": [{"size": 5, "price": 900}, {"size": 3, "price": 800}], "durationMinutes": 60},
        "bargain": {"floorPrice": 500, "helpersNeeded": 3, "durationMinutes": 60},
    }
    errors = (await api.gql(PRODUCT, {"in": bad}, token=owner))["data"]["createProduct"]["errors"]
    fields = {tuple(e["field"]) for e in errors}
    assert {e["code"] for e in errors} == {"INVALID_INPUT"}
    assert {
        ("input", "title"),
        ("input", "description"),
        ("input", "images"),
        ("input", "images", "0"),
        ("input", "skus", "0", "price"),
        ("input", "skus", "1", "stock"),
        ("input", "skus", "2", "price"),
        ("input", "skus", "2", "stock"),
    } <= fields
    offers = {
        "shopId": shop_id,
        "title": "团购砍价",
        "description": "",
        "images": [],
        "skus": [sku(price=1000)],
        "groupBuy": {"tiers": [{"size": 5, "price": 900}, {"size": 3, "price": 1000}], "durationMinutes": 60},
        "bargain": {"floorPrice": 1000, "helpersNeeded": 3, "durationMinutes": 60},
    }
    errors = (await api.gql(PRODUCT, {"in": offers}, token=owner))["data"]["createProduct"]["errors"]
    assert {tuple(e["field"]) for e in errors} >= {
        ("input", "groupBuy", "tiers", "1", "size"),
        ("input", "groupBuy", "tiers", "1", "price"),
        ("input", "bargain", "floorPrice"),
    }
    listed = await api.gql("query($s: ID!) { products(shopId: $s) { edges { node { id } } } }", {"s": shop_id})
    assert listed["data"]["products"]["edges"] == []


async def test_adjust_stock_is_idempotent_owner_only_and_never_negative(api: Api) -> None:
    owner, _ = await api.login("库存店主")
    stranger, _ = await api.login("库存路人")
    _, _, (sku_id,) = await make_product(api, owner, stock=10)
    for _ in range(3):
        payload = (await api.gql(STOCK, {"sku": sku_id, "d": 5, "k": "restock-1"}, token=owner))["data"]["adjustStock"]
        assert payload == {"sku": {"stock": 15}, "errors": []}
    payload = (await api.gql(STOCK, {"sku": sku_id, "d": -16, "k": "too-much"}, token=owner))["data"]["adjustStock"]
    assert payload == {"sku": None, "errors": [{"code": "INVALID_INPUT", "field": ["input", "delta"]}]}
    for delta in (0, 2_000_000):
        errors = (await api.gql(STOCK, {"sku": sku_id, "d": delta, "k": f"k{delta}"}, token=owner))["data"]
        assert errors["adjustStock"]["errors"][0]["field"] == ["input", "delta"]
    assert (await api.gql(STOCK, {"sku": sku_id, "d": 1, "k": "x"}, token=stranger))["data"]["adjustStock"]["errors"][
        0
    ]["code"] == "FORBIDDEN"
    # 20 different withdrawals of 1 race for 15 units: exactly 15 win
    results = await asyncio.gather(
        *(api.gql(STOCK, {"sku": sku_id, "d": -1, "k": f"take-{i}"}, token=owner) for i in range(20))
    )
    winners = [r for r in results if r["data"]["adjustStock"]["errors"] == []]
    assert len(winners) == 15
    stock = await api.gql("query($id: ID!) { node(id: $id) { ... on Sku { stock } } }", {"id": sku_id})
    assert stock["data"]["node"]["stock"] == 0


async def titles(api: Api, **variables: Any) -> list[str]:
    body = await api.gql(SEARCH, variables)
    return [e["node"]["title"] for e in body["data"]["products"]["edges"]]


async def test_search_finds_chinese_text_by_substring(api: Api) -> None:
    owner, _ = await api.login("搜索店主")
    shop_id, _, _ = await make_product(api, owner, title="西湖龙井绿茶", prices=(5000,), category="茶叶")
    for title, price in (("特级碧螺春绿茶罐装", 8000), ("红茶组合装", 3000), ("Apple iPhone 15 Pro 手机壳", 900)):
        await make_product(api, owner, title=title, prices=(price,), shop_id=shop_id, category="茶叶")
    assert set(await titles(api, q="绿茶")) == {"明前绿茶礼盒", "西湖龙井绿茶", "特级碧螺春绿茶罐装"}
    assert await titles(api, q="绿茶", sort="PRICE_ASC", shop=shop_id) == ["西湖龙井绿茶", "特级碧螺春绿茶罐装"]
    assert await titles(api, q="碧螺春绿") == ["特级碧螺春绿茶罐装"]
    assert await titles(api, q="IPHONE 15") == ["Apple iPhone 15 Pro 手机壳"]
    assert await titles(api, q="iphone 16") == []
    assert set(await titles(api, q="红")) == {"红茶组合装"}
    assert await titles(api, q="咖啡") == []
    assert set(await titles(api, q="茶叶", shop=shop_id)) == {
        "西湖龙井绿茶",
        "特级碧螺春绿茶罐装",
        "红茶组合装",
        "Apple iPhone 15 Pro 手机壳",
    }
    too_long = await api.gql(SEARCH, {"q": "茶" * 41}, expect_errors=True)
    assert too_long["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_search_pages_walk_every_match_once(api: Api) -> None:
    owner, _ = await api.login("翻页店主")
    shop_id, _, _ = await make_product(api, owner, title="绿茶 0", prices=(100,))
    for i in range(1, 7):
        await make_product(api, owner, title=f"绿茶 {i}", prices=(100 + i,), shop_id=shop_id)
    seen: list[str] = []
    after = None
    while True:
        body = await api.gql(SEARCH, {"q": "绿茶", "sort": "PRICE_DESC", "first": 2, "after": after, "shop": shop_id})
        conn = body["data"]["products"]
        seen += [e["node"]["title"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == [f"绿茶 {i}" for i in range(6, -1, -1)]


async def test_search_reads_an_index_not_the_collection(api: Api) -> None:
    store = unwrapped(api.services.store)
    assert isinstance(store, SqliteStore)
    sql = (
        "EXPLAIN QUERY PLAN SELECT id, doc FROM \"product_terms\" WHERE json_extract(doc, '$.term') = ? "
        "ORDER BY json_extract(doc, '$.createdAt') DESC, id DESC LIMIT 21"
    )
    plan = " ".join(str(row) for row in await store._run(lambda: store._db().execute(sql, ["绿茶"]).fetchall()))
    assert "USING INDEX product_terms__term__createdAt" in plan, plan

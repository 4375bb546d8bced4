"""Group-buy tier prices and bargain floors hold for every SKU they apply to (issue 14, finding 3).

A product-wide tier price or floor is checked against the product's lowest SKU price, so it only applies to the SKUs
at that price; a pricier SKU carries its own (`SkuInput.groupBuyPrices`, `SkuInput.bargainFloorPrice`, shown as
`Sku.groupBuy` and `Sku.bargain`), and every path that applies an offer's price reads the SKU's own.
"""

from __future__ import annotations

from typing import Any

from domain.ids import from_global_id, to_global_id
from resolvers.teams import sweep_teams
from tests.api.conftest import PRODUCT, SHOP, Api, use_clock
from tests.api.test_bargains import start as start_bargain
from tests.api.test_orders import pay
from tests.api.test_teams import join, order_doc, start

TIERS = {"tiers": [{"size": 2, "price": 9_000}, {"size": 3, "price": 8_000}], "durationMinutes": 60}
FLOOR = {"floorPrice": 5_000, "helpersNeeded": 3, "durationMinutes": 60}
SKU_OFFERS = """query($id: ID!) { node(id: $id) { ... on Product {
  groupBuy { tiers { size price { amount } } } bargain { floorPrice { amount } }
  skus { price { amount } groupBuy { tiers { size price { amount } } durationMinutes }
         bargain { floorPrice { amount } helpersNeeded durationMinutes } } } } }"""


async def create(api: Api, token: str, skus: list[dict[str, Any]], **offers: Any) -> dict[str, Any]:
    """createProduct's payload for a new shop's product with these SKUs (price, and any per-SKU offer fields)."""
    shop_id = (await api.gql(SHOP, {"n": "分规格店"}, token=token))["data"]["createShop"]["shop"]["id"]
    skus_in = [{"specs": [{"name": "款", "value": f"#{i}"}], "stock": 50, **s} for i, s in enumerate(skus)]
    product_in = {"shopId": shop_id, "title": "分规格团购", "description": "", "images": [], "skus": skus_in, **offers}
    payload: dict[str, Any] = (await api.gql(PRODUCT, {"in": product_in}, token=token))["data"]["createProduct"]
    return payload


def codes(payload: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["code"], ".".join(e["field"])) for e in payload["errors"]}


async def test_a_pricier_sku_without_its_own_tier_prices_is_refused(api: Api) -> None:
    # given a merchant whose SKUs cost 100.00 and 500.00 and a product-wide 90.00 tier
    seller, _ = await api.login("分规格卖家")
    # when they create the product without saying what the 500.00 SKU costs in a team
    payload = await create(api, seller, [{"price": 10_000}, {"price": 50_000}], groupBuy=TIERS)
    # then it is refused on that SKU, and nothing is created
    assert payload["product"] is None
    assert codes(payload) == {("INVALID_INPUT", "input.skus.1.groupBuyPrices")}
    assert await api.services.store.count("products") == 3  # the demo's only


async def test_a_pricier_sku_without_its_own_floor_is_refused(api: Api) -> None:
    seller, _ = await api.login("分规格砍价卖家")
    payload = await create(api, seller, [{"price": 10_000}, {"price": 50_000}], bargain=FLOOR)
    assert payload["product"] is None
    assert codes(payload) == {("INVALID_INPUT", "input.skus.1.bargainFloorPrice")}


async def test_own_tier_prices_and_floors_must_hold_for_their_sku(api: Api) -> None:
    # given SKU prices of their own that are not below the SKU's price, not one per tier, or not descending
    seller, _ = await api.login("坏规格卖家")
    skus = [
        {"price": 10_000, "groupBuyPrices": [9_500]},  # one price for two tiers
        {"price": 50_000, "groupBuyPrices": [50_000, 40_000], "bargainFloorPrice": 50_000},
        {"price": 60_000, "groupBuyPrices": [50_000, 55_000], "bargainFloorPrice": 59_999},  # 3 helpers, 1 fen
    ]
    # when the product is created
    payload = await create(api, seller, skus, groupBuy=TIERS, bargain=FLOOR)
    # then every broken rule is named on its SKU
    assert payload["product"] is None
    assert codes(payload) == {
        ("INVALID_INPUT", "input.skus.0.groupBuyPrices"),
        ("INVALID_INPUT", "input.skus.1.groupBuyPrices.0"),
        ("INVALID_INPUT", "input.skus.1.bargainFloorPrice"),
        ("INVALID_INPUT", "input.skus.2.groupBuyPrices.1"),
        ("INVALID_INPUT", "input.skus.2.bargainFloorPrice"),
    }


async def test_per_sku_prices_without_an_offer_are_refused(api: Api) -> None:
    seller, _ = await api.login("无活动卖家")
    payload = await create(api, seller, [{"price": 10_000, "groupBuyPrices": [9_000], "bargainFloorPrice": 5_000}])
    assert codes(payload) == {
        ("INVALID_INPUT", "input.skus.0.groupBuyPrices"),
        ("INVALID_INPUT", "input.skus.0.bargainFloorPrice"),
    }


async def test_each_sku_shows_its_own_tiers_and_floor(api: Api) -> None:
    # given a product whose 500.00 SKU has its own tier prices and floor
    seller, _ = await api.login("显示卖家")
    skus = [{"price": 10_000}, {"price": 50_000, "groupBuyPrices": [45_000, 40_000], "bargainFloorPrice": 30_000}]
    payload = await create(api, seller, skus, groupBuy=TIERS, bargain=FLOOR)
    assert payload["errors"] == []
    # when it is read
    node = (await api.gql(SKU_OFFERS, {"id": payload["product"]["id"]}))["data"]["node"]
    # then each SKU shows its own prices, and the product the lowest of each (a "from" price)
    cheap, dear = node["skus"]
    assert [t["price"]["amount"] for t in cheap["groupBuy"]["tiers"]] == [9_000, 8_000]
    assert [t["price"]["amount"] for t in dear["groupBuy"]["tiers"]] == [45_000, 40_000]
    assert [t["size"] for t in dear["groupBuy"]["tiers"]] == [2, 3] and dear["groupBuy"]["durationMinutes"] == 60
    assert (cheap["bargain"]["floorPrice"], dear["bargain"]["floorPrice"]) == ({"amount": 5_000}, {"amount": 30_000})
    assert [t["price"]["amount"] for t in node["groupBuy"]["tiers"]] == [9_000, 8_000]
    assert node["bargain"]["floorPrice"] == {"amount": 5_000}


async def test_a_team_charges_and_settles_each_member_at_their_skus_tier(api: Api) -> None:
    # given a team of a product with a 100.00 SKU (tiers 90/80) and a 500.00 SKU (tiers 450/400)
    seller, _ = await api.login("结算卖家")
    skus = [{"price": 10_000}, {"price": 50_000, "groupBuyPrices": [45_000, 40_000]}]
    payload = await create(api, seller, skus, groupBuy=TIERS)
    cheap, dear = (s["id"] for s in payload["product"]["skus"])
    a, b, c = [(await api.login(f"结算{i}"))[0] for i in range(3)]
    # when the leader starts it with the 500.00 SKU and two members join with the 100.00 one
    started = await start(api, a, dear)
    team_id = started["team"]["id"]
    joined = [await join(api, t, team_id, cheap, f"j{i}") for i, t in enumerate((b, c))]
    # then each pays the first tier of their own SKU
    assert started["order"]["total"] == {"amount": 45_000}
    assert [j["order"]["total"] for j in joined] == [{"amount": 9_000}, {"amount": 9_000}]
    # and when all three pay, the full team gives back the difference to the third tier of each SKU
    orders = [started["order"], *(j["order"] for j in joined)]
    for token, order in zip((a, b, c), orders, strict=True):
        assert (await pay(api, token, order["id"]))["errors"] == []
    refunds = [(await order_doc(api, o["id"]))["priceRefund"] for o in orders]
    assert refunds == [5_000, 1_000, 1_000]


async def test_a_bargain_cuts_down_to_its_skus_own_floor(api: Api) -> None:
    # given a 500.00 SKU with its own floor of 300.00 beside a 100.00 SKU with the product's 50.00
    seller, _ = await api.login("底价卖家")
    owner, _ = await api.login("底价发起人")
    skus = [{"price": 10_000}, {"price": 50_000, "bargainFloorPrice": 30_000}]
    payload = await create(api, seller, skus, bargain=FLOOR)
    cheap, dear = (s["id"] for s in payload["product"]["skus"])
    # when bargains start on each
    dear_bargain = (await start_bargain(api, owner, dear))["bargain"]
    cheap_bargain = (await start_bargain(api, owner, cheap))["bargain"]
    # then each goes down to its own SKU's floor
    assert (dear_bargain["startPrice"], dear_bargain["floorPrice"]) == ({"amount": 50_000}, {"amount": 30_000})
    assert (cheap_bargain["startPrice"], cheap_bargain["floorPrice"]) == ({"amount": 10_000}, {"amount": 5_000})


async def _legacy_product(api: Api, offers: dict[str, Any]) -> tuple[str, str]:
    """A product stored before per-SKU prices existed: SKUs of 100.00 and 500.00, offers on the product only."""
    store = api.services.store
    user = await store.find("users", {}, limit=1)
    shop = {"_id": "legacyshop", "name": "旧店", "logoUrl": None, "ownerId": user.docs[0]["_id"], "createdAt": 1}
    await store.insert("shops", shop)
    product = {
        "_id": "legacy",
        "shopId": "legacyshop",
        "title": "旧商品",
        "description": "",
        "images": [],
        "category": None,
        "price": 10_000,
        "salesCount": 0,
        "createdAt": 1,
        "groupBuy": None,
        "bargain": None,
        **offers,
    }
    skus = [
        {"_id": f"legacy00{i}", "productId": "legacy", "shopId": "legacyshop", "title": "旧商品", "specs": [], **s}
        for i, s in enumerate([{"price": 10_000, "stock": 9}, {"price": 50_000, "stock": 9}])
    ]
    await store.insert_many("skus", skus)
    await store.insert("products", product)
    return to_global_id("Sku", "legacy000"), to_global_id("Sku", "legacy001")


async def test_a_team_on_an_older_product_refuses_the_sku_its_tiers_were_not_checked_for(api: Api) -> None:
    # given a product made before per-SKU prices, whose 90.00 tier was only checked against its 100.00 SKU
    cheap, dear = await _legacy_product(api, {"groupBuy": TIERS})
    leader, _ = await api.login("旧团长")
    # when a team is started with the 500.00 SKU, then it is refused (not sold at 90.00)
    refused = await start(api, leader, dear)
    assert refused["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "skuId"]}]
    assert await api.services.store.count("teams", {"productId": "legacy"}) == 0
    # and the 100.00 SKU still gets the product's tier
    started = await start(api, leader, cheap, "cheap")
    assert started["errors"] == [] and started["order"]["total"] == {"amount": 9_000}
    # and nobody joins that team with the 500.00 SKU either
    member, _ = await api.login("旧团员")
    assert (await join(api, member, started["team"]["id"], dear))["errors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "skuId"]}
    ]


async def test_a_bargain_on_an_older_product_refuses_the_sku_its_floor_was_not_checked_for(api: Api) -> None:
    cheap, dear = await _legacy_product(api, {"bargain": FLOOR})
    owner, _ = await api.login("旧砍价")
    assert (await start_bargain(api, owner, dear))["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "skuId"]}]
    assert (await start_bargain(api, owner, cheap))["bargain"]["floorPrice"] == {"amount": 5_000}


async def test_the_demo_sells_each_tea_size_at_a_tier_below_its_own_price(api: Api) -> None:
    # given the demo world's group-buy product (250g at 199.00, 500g at 369.00)
    found = await api.gql('{ products(first: 10, query: "绿茶") { edges { node { id } } } }')
    product_id = found["data"]["products"]["edges"][0]["node"]["id"]
    # when its SKUs are read, then every SKU's tiers are below that SKU's price, the dearer one's above the cheaper's
    skus = (await api.gql(SKU_OFFERS, {"id": product_id}))["data"]["node"]["skus"]
    for sku in skus:
        assert all(t["price"]["amount"] < sku["price"]["amount"] for t in sku["groupBuy"]["tiers"])
    assert skus[1]["groupBuy"]["tiers"][0]["price"]["amount"] > skus[0]["price"]["amount"]


async def test_a_team_closing_by_time_settles_each_sku_at_its_tier(api: Api) -> None:
    # given a team of up to 4 with three paid members, one of them on the 500.00 SKU
    clock = use_clock(api)
    seller, _ = await api.login("到时卖家")
    tiers = {"tiers": [{"size": 2, "price": 9_000}, {"size": 3, "price": 8_000}, {"size": 4, "price": 7_000}]}
    skus = [{"price": 10_000}, {"price": 50_000, "groupBuyPrices": [45_000, 40_000, 35_000]}]
    payload = await create(api, seller, skus, groupBuy={**tiers, "durationMinutes": 60})
    cheap, dear = (s["id"] for s in payload["product"]["skus"])
    a, b, c = [(await api.login(f"到时{i}"))[0] for i in range(3)]
    started = await start(api, a, dear)
    orders = [started["order"]] + [
        (await join(api, t, started["team"]["id"], cheap, f"j{i}"))["order"] for i, t in enumerate((b, c))
    ]
    for token, order in zip((a, b, c), orders, strict=True):
        await pay(api, token, order["id"])
    # when it expires and the sweep closes it
    clock.advance(minutes=61)
    await sweep_teams(api.services)
    # then it succeeded at the tier of 3, and each member gets back the difference to their own SKU's price there
    refunds = [(await order_doc(api, o["id"])).get("priceRefund") for o in orders]
    assert refunds == [5_000, 1_000, 1_000]


async def test_a_sku_whose_price_fell_to_its_tier_or_floor_leaves_the_offer(api: Api) -> None:
    # given a 500.00 SKU with tiers 450/400 and floor 300, whose price is later lowered to 400.00 (no mutation
    # changes a price yet: the store is written directly, as a later one or an operator's repair would)
    seller, _ = await api.login("降价卖家")
    owner, _ = await api.login("降价买家")
    skus = [{"price": 10_000}, {"price": 50_000, "groupBuyPrices": [45_000, 40_000], "bargainFloorPrice": 30_000}]
    payload = await create(api, seller, skus, groupBuy=TIERS, bargain=FLOOR)
    dear = payload["product"]["skus"][1]["id"]
    raw = from_global_id(dear)[1]
    await api.services.store.update_one("skus", {"_id": raw}, {"$set": {"price": 40_000, "bargainFloorPrice": 39_999}})
    # when a team or a bargain is started on it, then both are refused rather than sold above or at its price
    assert (await start(api, owner, dear))["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "skuId"]}]
    assert (await start_bargain(api, owner, dear))["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "skuId"]}]
    # and the SKU shows no offer
    node = (await api.gql(SKU_OFFERS, {"id": payload["product"]["id"]}))["data"]["node"]
    assert (node["skus"][1]["groupBuy"], node["skus"][1]["bargain"]) == (None, None)

"""The cart through the API on the embedded default: lines per shop with their availability, adding to a line,
the limits, bad input, and the races (one line of the summed quantity; the line cap)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.ids import from_global_id
from tests.api.conftest import Api, make_product
from tests.contract.test_refund_contention import interleaved

CART_FIELDS = """cart { lineCount selectedSubtotal { amount }
  shops { shop { id name } lines { id quantity selected availability stock priceWhenAdded { amount }
          unitPrice { amount } sku { id } product { title } } } }"""
CART = "{ " + CART_FIELDS + " }"
ADD = f"""mutation($s: ID!, $q: Int!) {{ addToCart(input: {{skuId: $s, quantity: $q}}) {{
  {CART_FIELDS} errors {{ code field message }} }} }}"""
UPDATE = f"""mutation($l: ID!, $q: Int!) {{ updateCartLine(input: {{lineId: $l, quantity: $q}}) {{
  {CART_FIELDS} errors {{ code field }} }} }}"""
REMOVE = f"""mutation($l: [ID!]!) {{ removeCartLines(input: {{lineIds: $l}}) {{
  {CART_FIELDS} errors {{ code field }} }} }}"""
SELECT = f"""mutation($l: [ID!]!, $s: Boolean!) {{ selectCartLines(input: {{lineIds: $l, selected: $s}}) {{
  {CART_FIELDS} errors {{ code field }} }} }}"""


async def add(api: Api, token: str, sku_id: str, quantity: int = 1) -> Any:
    return (await api.gql(ADD, {"s": sku_id, "q": quantity}, token=token))["data"]["addToCart"]


async def cart(api: Api, token: str) -> Any:
    return (await api.gql(CART, token=token))["data"]["cart"]


def lines(cart: Any) -> list[Any]:
    return [line for shop in cart["shops"] for line in shop["lines"]]


async def set_sku(api: Api, sku_id: str, **fields: Any) -> None:
    """What a merchant's edit would do (the API has no price edit yet): change the SKU in the store."""
    await api.services.store.update_one("skus", {"_id": from_global_id(sku_id)[1]}, {"$set": fields})


async def test_lines_are_grouped_by_shop_and_adding_again_adds_to_the_line(api: Api) -> None:
    # given two shops' products
    seller, _ = await api.login("购物车卖家")
    other, _ = await api.login("另一家")
    buyer, _ = await api.login("购物车买家")
    shop_a, _, (a1, a2) = await make_product(api, seller, title="茶杯", prices=(1500, 2500), stock=50)
    shop_b, _, (b1,) = await make_product(api, other, title="茶壶", prices=(9900,), stock=50)
    # when the buyer adds them, one SKU twice
    await add(api, buyer, a1, 2)
    await add(api, buyer, b1, 1)
    await add(api, buyer, a2, 1)
    payload = await add(api, buyer, a1, 3)
    # then one line per SKU, grouped by shop (the most recently added first), quantities summed
    assert payload["errors"] == []
    shown = payload["cart"]
    assert shown["lineCount"] == 3
    assert [s["shop"]["id"] for s in shown["shops"]] == [shop_a, shop_b]
    assert [(ln["sku"]["id"], ln["quantity"]) for ln in shown["shops"][0]["lines"]] == [(a2, 1), (a1, 5)]
    assert shown["shops"][1]["lines"][0]["product"]["title"] == "茶壶"
    assert {ln["availability"] for ln in lines(shown)} == {"OK"}
    assert shown["selectedSubtotal"] == {"amount": 5 * 1500 + 2500 + 9900}
    assert await cart(api, buyer) == shown


async def test_each_line_shows_its_availability(api: Api) -> None:
    seller, _ = await api.login("状态卖家")
    buyer, _ = await api.login("状态买家")
    _, _, skus = await make_product(api, seller, prices=(100, 200, 300, 400, 500), stock=20)
    _, gone_product, (gone,) = await make_product(api, seller, title="下架品", stock=20)
    for sku in [*skus, gone]:
        await add(api, buyer, sku, 5)
    ok, changed, low, out, cheaper = skus
    await set_sku(api, changed, price=250)
    await set_sku(api, cheaper, price=450)
    await set_sku(api, low, stock=9)
    await set_sku(api, out, stock=4)
    await api.services.store.delete("products", from_global_id(gone_product)[1])
    by_sku = {ln["sku"]["id"] if ln["sku"] else None: ln for ln in lines(await cart(api, buyer))}
    assert {s: by_sku[s]["availability"] for s in skus} == {
        ok: "OK",
        changed: "PRICE_CHANGED",
        low: "LOW_STOCK",
        out: "OUT_OF_STOCK",
        cheaper: "PRICE_CHANGED",  # down as well as up
    }
    assert by_sku[changed]["priceWhenAdded"] == {"amount": 200} and by_sku[changed]["unitPrice"] == {"amount": 250}
    assert by_sku[out]["stock"] == 4
    off = [ln for ln in lines(await cart(api, buyer)) if ln["product"] is None]
    assert [ln["availability"] for ln in off] == ["OFF_SHELF"]
    # the subtotal counts what can be bought as it is, at today's price
    assert (await cart(api, buyer))["selectedSubtotal"] == {"amount": 5 * (100 + 250 + 300 + 450)}


async def test_update_select_and_remove_lines(api: Api) -> None:
    seller, _ = await api.login("改车卖家")
    buyer, _ = await api.login("改车买家")
    _, _, (a, b) = await make_product(api, seller, prices=(100, 200), stock=10)
    await add(api, buyer, a, 1)
    shown = (await add(api, buyer, b, 1))["cart"]
    line_a, line_b = (next(ln["id"] for ln in lines(shown) if ln["sku"]["id"] == s) for s in (a, b))
    updated = (await api.gql(UPDATE, {"l": line_a, "q": 7}, token=buyer))["data"]["updateCartLine"]
    assert updated["errors"] == [] and {ln["id"]: ln["quantity"] for ln in lines(updated["cart"])}[line_a] == 7
    unselected = (await api.gql(SELECT, {"l": [line_b], "s": False}, token=buyer))["data"]["selectCartLines"]
    assert {ln["id"]: ln["selected"] for ln in lines(unselected["cart"])} == {line_a: True, line_b: False}
    assert unselected["cart"]["selectedSubtotal"] == {"amount": 700}
    removed = (await api.gql(REMOVE, {"l": [line_a, line_b]}, token=buyer))["data"]["removeCartLines"]
    assert removed["errors"] == []
    assert removed["cart"] == {"lineCount": 0, "selectedSubtotal": {"amount": 0}, "shops": []}


async def test_bad_cart_input_is_refused_on_its_field_and_changes_nothing(api: Api) -> None:
    seller, _ = await api.login("坏车卖家")
    buyer, _ = await api.login("坏车买家")
    other, _ = await api.login("别人的车")
    _, _, (sku, scarce) = await make_product(api, seller, prices=(100, 200), stock=5)
    await set_sku(api, scarce, stock=1000)
    shown = (await add(api, buyer, sku, 2))["cart"]
    mine = lines(shown)[0]["id"]
    theirs = lines((await add(api, other, sku, 1))["cart"])[0]["id"]
    cases: list[tuple[str, dict[str, Any], str, list[str]]] = [
        (ADD, {"s": sku, "q": 0}, "INVALID_INPUT", ["input", "quantity"]),
        (ADD, {"s": sku, "q": 1000}, "INVALID_INPUT", ["input", "quantity"]),
        (ADD, {"s": sku, "q": 4}, "OUT_OF_STOCK", ["input", "quantity"]),  # 2 + 4 > 5 in stock
        (ADD, {"s": "U2t1Om5vcGU", "q": 1}, "NOT_FOUND", ["input", "skuId"]),
        (ADD, {"s": "garbage", "q": 1}, "INVALID_INPUT", ["input", "skuId"]),
        (UPDATE, {"l": mine, "q": 1000}, "INVALID_INPUT", ["input", "quantity"]),
        (UPDATE, {"l": mine, "q": 6}, "OUT_OF_STOCK", ["input", "quantity"]),
        (UPDATE, {"l": theirs, "q": 1}, "NOT_FOUND", ["input", "lineId"]),
        (UPDATE, {"l": sku, "q": 1}, "INVALID_INPUT", ["input", "lineId"]),
        (REMOVE, {"l": [mine, theirs]}, "NOT_FOUND", ["input", "lineIds", "1"]),
        (REMOVE, {"l": []}, "INVALID_INPUT", ["input", "lineIds"]),
        (REMOVE, {"l": [mine, mine]}, "INVALID_INPUT", ["input", "lineIds", "1"]),
        (SELECT, {"l": [theirs], "s": False}, "NOT_FOUND", ["input", "lineIds", "0"]),
    ]
    for i, (mutation, variables, code, field) in enumerate(cases):
        payload = next(iter((await api.gql(mutation, variables, token=buyer))["data"].values()))
        assert payload["cart"] is None and payload["errors"][0]["code"] == code, (i, payload)
        assert payload["errors"][0]["field"] == field, (i, payload)
    assert await cart(api, buyer) == shown
    # a line holds at most 999
    await add(api, buyer, scarce, 999)
    assert (await add(api, buyer, scarce, 1))["errors"][0]["field"] == ["input", "quantity"]
    anonymous = await api.gql(ADD, {"s": sku, "q": 1})
    assert anonymous["data"]["addToCart"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert (await api.gql(CART))["data"]["cart"] is None


async def test_racing_adds_of_one_sku_make_one_line_of_the_summed_quantity(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    seller, _ = await api.login("并发卖家")
    buyer, _ = await api.login("并发买家")
    _, _, (sku,) = await make_product(api, seller, stock=1000)
    interleaved(api.services, monkeypatch)  # each add yields between reading the cart and writing it
    results = await asyncio.gather(*(add(api, buyer, sku, q) for q in range(1, 21)))
    assert all(r["errors"] == [] for r in results)
    shown = await cart(api, buyer)
    assert shown["lineCount"] == 1 and lines(shown)[0]["quantity"] == sum(range(1, 21))


async def test_the_line_cap_holds_under_a_race(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    seller, _ = await api.login("上限卖家")
    buyer, _ = await api.login("上限买家")
    _, _, skus = await make_product(api, seller, prices=tuple(range(100, 200)), stock=10)
    _, _, more = await make_product(api, seller, title="更多", prices=tuple(range(100, 120)), stock=10)
    for sku in skus[:90]:
        assert (await add(api, buyer, sku))["errors"] == []
    # when 30 new SKUs race for the last 10 lines
    interleaved(api.services, monkeypatch)
    results = await asyncio.gather(*(add(api, buyer, sku) for sku in [*skus[90:], *more]))
    winners = [r for r in results if r["errors"] == []]
    refused = [r["errors"][0] for r in results if r["errors"]]
    # then exactly 10 win, the others are told the cart is full
    assert len(winners) == 10 and len(refused) == 20
    assert {(e["code"], tuple(e["field"])) for e in refused} == {("INVALID_INPUT", ("input", "skuId"))}
    assert (await cart(api, buyer))["lineCount"] == 100
    # adding to a line already there still works at the cap
    assert (await add(api, buyer, skus[0]))["errors"] == []

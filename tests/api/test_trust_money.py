"""Money fits the schema (issue 14, finding 4): order totals are capped before anything is written, every money
input is capped, and money fields are a 64-bit-safe `Long`, so whatever amount the store holds can be read."""

from __future__ import annotations

from typing import Any

from domain.ids import from_global_id
from store.ids import new_id
from tests.api.conftest import SHOP, Api, make_product
from tests.api.test_orders import line, place, stock

MY_ORDERS = (
    "{ myOrders { edges { node { number subtotal { amount } total { amount } lines { unitPrice { amount } } } } } }"
)
SKU_PRICE = """mutation($s: ID!, $p: Long!) { createProduct(input: {shopId: $s, title: "价", description: "",
  images: [], skus: [{specs: [], price: $p, stock: 1}]}) { product { id } errors { code field message } } }"""


async def test_an_order_over_the_total_cap_is_refused_before_any_stock_is_taken(api: Api) -> None:
    # given a SKU at the highest price, 999 in stock
    seller, _ = await api.login("高价卖家")
    buyer, _ = await api.login("大单买家")
    _, _, (sku,) = await make_product(api, seller, prices=(10_000_000,), stock=999)
    # when a buyer orders all 999 (9,990,000,000 fen, past the cap)
    refused = await place(api, buyer, [line(sku, 999)], "huge")
    # then it is an INVALID_INPUT on that line's quantity, and nothing was taken or stored
    assert refused["order"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["input", "lines", "0", "quantity"])
    assert str(api.services.settings.ORDER_MAX_TOTAL) in error["message"]
    assert (await stock(api, sku))[0] == 999
    assert await api.services.store.count("orders", {"buyerId": from_global_id(await me(api, buyer))[1]}) == 0


async def test_the_cap_counts_every_line_of_the_order(api: Api) -> None:
    # given two SKUs whose lines each fit under the cap but not together
    seller, _ = await api.login("两行卖家")
    buyer, _ = await api.login("两行买家")
    cap = api.services.settings.ORDER_MAX_TOTAL
    _, _, (a, b) = await make_product(api, seller, prices=(10_000_000, 10_000_000), stock=999)
    per_line = cap // 10_000_000
    # when both lines together pass the cap
    refused = await place(api, buyer, [line(a, per_line), line(b, per_line)], "two")
    # then the line that passes it is named
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("INVALID_INPUT", ["input", "lines", "1", "quantity"])
    ]
    # and an order right at the cap is placed
    placed = await place(api, buyer, [line(a, per_line)], "fits")
    assert placed["errors"] == [] and placed["order"]["total"]["amount"] == per_line * 10_000_000


async def me(api: Api, token: str) -> str:
    return str((await api.gql("{ me { id } }", token=token))["data"]["me"]["id"])


async def test_my_orders_reads_an_order_larger_than_32_bits(api: Api) -> None:
    # given an order of 9,990,000,000 fen that an earlier version stored
    buyer, user = await api.login("旧大单买家")
    seller, _ = await api.login("旧大单卖家")
    shop_id, product_id, (sku,) = await make_product(api, seller, prices=(10_000_000,), stock=1)
    total = 999 * 10_000_000
    doc: dict[str, Any] = {
        "_id": new_id(),
        "number": "20260101000000" + "12345678",
        "buyerId": from_global_id(user["id"])[1],
        "shopId": from_global_id(shop_id)[1],
        "lines": [
            {
                "skuId": from_global_id(sku)[1],
                "productId": from_global_id(product_id)[1],
                "title": "测试商品",
                "specs": [],
                "quantity": 999,
                "unitPrice": 10_000_000,
            }
        ],
        "subtotal": total,
        "discount": 0,
        "total": total,
        "status": "PENDING_PAYMENT",
        "createdAt": api.services.now(),
        "payBy": api.services.now() + 60_000,
        "idempotencyKey": "old",
        "history": [],
    }
    await api.services.store.insert("orders", doc)
    # when the buyer lists their orders with their money
    body = await api.gql(MY_ORDERS, token=buyer)
    # then every amount reads exactly, as a JSON integer
    [edge] = body["data"]["myOrders"]["edges"]
    assert edge["node"]["total"] == {"amount": total} and edge["node"]["subtotal"] == {"amount": total}
    assert edge["node"]["lines"] == [{"unitPrice": {"amount": 10_000_000}}]


async def test_money_is_a_documented_long_scalar_in_and_out(api: Api) -> None:
    # when the schema is introspected
    body = await api.gql(
        '{ __type(name: "Long") { kind description }'
        ' money: __type(name: "Money") { fields { name type { ofType { name } } } }'
        ' sku: __type(name: "SkuInput") { inputFields { name type { ofType { name } } } } }'
    )
    # then Money.amount and money inputs are Long, and Long says what it carries
    long = body["data"]["__type"]
    assert long["kind"] == "SCALAR" and "2^53" in long["description"]
    amount = next(f for f in body["data"]["money"]["fields"] if f["name"] == "amount")
    assert amount["type"]["ofType"]["name"] == "Long"
    price = next(f for f in body["data"]["sku"]["inputFields"] if f["name"] == "price")
    assert price["type"]["ofType"]["name"] == "Long"


async def shop_of(api: Api, token: str) -> str:
    return str((await api.gql(SHOP, {"n": "价店"}, token=token))["data"]["createShop"]["shop"]["id"])


async def test_a_long_outside_64_bits_or_not_an_integer_is_a_client_error(api: Api) -> None:
    # given a shop
    seller, _ = await api.login("长整卖家")
    shop_id = await shop_of(api, seller)
    for bad in (2**63, -(2**63) - 1, 1.5, "100", True):
        # when a money variable is out of the signed 64-bit range, fractional, a string or a boolean
        body = await api.gql(SKU_PRICE, {"s": shop_id, "p": bad}, token=seller, expect_errors=True)
        # then it is a client error with a code, never an internal one
        [error] = body["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT", (bad, error)
        assert "Long" in error["message"]
    # and a literal past 64 bits is refused the same way
    body = await api.gql(
        'mutation($s: ID!) { createProduct(input: {shopId: $s, title: "价", description: "", images: [],'
        " skus: [{specs: [], price: 99999999999999999999, stock: 1}]}) { product { id } } }",
        {"s": shop_id},
        token=seller,
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_price_past_the_cap_is_refused_on_its_field(api: Api) -> None:
    # given a shop
    seller, _ = await api.login("超价卖家")
    shop_id = await shop_of(api, seller)
    # when a SKU's price is a valid Long but past the price cap
    body = await api.gql(SKU_PRICE, {"s": shop_id, "p": 2**40}, token=seller)
    # then the mutation refuses it on that field
    errors = body["data"]["createProduct"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", "skus", "0", "price"])]


async def test_a_withdrawal_past_any_amount_the_store_holds_is_refused_before_a_write(api: Api) -> None:
    # given a user with no commission
    user, _ = await api.login("超额提现")
    # when they withdraw more than any amount can be
    body = await api.gql(
        'mutation($a: Long!) { withdrawCommission(input: {amount: $a, idempotencyKey: "w"})'
        " { errors { code field } } }",
        {"a": 2**62},
        token=user,
    )
    # then it is INVALID_INPUT on the amount and no withdrawal was recorded
    errors = body["data"]["withdrawCommission"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", "amount"])]
    assert await api.services.store.count("withdrawals", {}) == 0

"""Checkout through the API on the embedded default: one order per shop with its totals explained, the preview,
all or nothing, the idempotency key (raced), changed prices and stock, bad input, and payCheckout with DEV_PAY
(paid lines leave the cart)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.ids import from_global_id
from resolvers import shipping
from resolvers.checkout import expire_stale
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_addresses import create as create_address
from tests.api.test_cart import add, cart, lines, set_sku
from tests.api.test_coupons import CLAIM, coupon_input
from tests.api.test_coupons import CREATE as CREATE_COUPON
from tests.api.test_shipping import UPDATE_PRODUCT, create_template, rate
from tests.contract.test_refund_contention import interleaved

TOTALS = "subtotal { amount } discount { amount } shippingFee { amount } total { amount }"
SHOPS = f"""shops {{ shop {{ id }} {TOTALS} coupon {{ id }}
  lines {{ cartLineId quantity unitPrice {{ amount }} priceWhenAdded {{ amount }} sku {{ id }} }}
  shipping {{ templateName fee {{ amount }} freeShipping cartLineIds }} }}"""
CHECKOUT_FIELDS = f"""checkout {{ id number status {TOTALS} {SHOPS}
  shippingAddress {{ recipient phone fullPhone districtName detail }}
  orders {{ id status {TOTALS} shippingAddress {{ recipient districtName }} shop {{ id }}
            lines {{ quantity sku {{ id }} }} }} }}"""
CHECKOUT = f"""mutation($in: CheckoutInput!) {{ checkout(input: $in) {{ {CHECKOUT_FIELDS}
  errors {{ code field message }} }} }}"""
PREVIEW = f"""query($in: CheckoutPreviewInput!) {{ checkoutPreview(input: $in) {{ {TOTALS} {SHOPS}
  shippingAddress {{ recipient }} errors {{ code field message }} }} }}"""
PAY = f"""mutation($id: ID!, $m: PaymentMethod!, $k: String!) {{
  payCheckout(input: {{checkoutId: $id, method: $m, idempotencyKey: $k}}) {{
  {CHECKOUT_FIELDS} payment {{ method clientParams }} errors {{ code field }} }} }}"""


async def address_of(api: Api, token: str, **more: Any) -> str:
    payload = await create_address(api, token, **more)
    assert payload["errors"] == [], payload
    return str(payload["address"]["id"])


async def do_checkout(api: Api, token: str, line_ids: list[str], address: str, key: str = "co-1", **more: Any) -> Any:
    body = await api.gql(
        CHECKOUT, {"in": {"cartLineIds": line_ids, "addressId": address, "idempotencyKey": key, **more}}, token=token
    )
    return body["data"]["checkout"]


async def preview(api: Api, token: str, line_ids: list[str], address: str, **more: Any) -> Any:
    body = await api.gql(PREVIEW, {"in": {"cartLineIds": line_ids, "addressId": address, **more}}, token=token)
    return body["data"]["checkoutPreview"]


async def pay(api: Api, token: str, checkout_id: str, key: str = "pay-1", method: str = "DEV_PAY") -> Any:
    return (await api.gql(PAY, {"id": checkout_id, "m": method, "k": key}, token=token))["data"]["payCheckout"]


async def sku_stock(api: Api, sku_id: str) -> int:
    return int((await api.services.store.get("skus", from_global_id(sku_id)[1]) or {})["stock"])


def line_of(shown: Any, sku_id: str) -> str:
    return str(next(ln["id"] for ln in lines(shown) if ln["sku"]["id"] == sku_id))


async def coupon_for(api: Api, owner: str, buyer: str, shop_id: str, **terms: Any) -> str:
    made = (await api.gql(CREATE_COUPON, {"in": coupon_input(shop_id, **terms)}, token=owner))["data"]["createCoupon"]
    coupon_id = str(made["coupon"]["id"])
    assert (await api.gql(CLAIM, {"id": coupon_id}, token=buyer))["data"]["claimCoupon"]["errors"] == []
    return coupon_id


@pytest.fixture
async def two_shops(api: Api) -> dict[str, Any]:
    """A buyer whose cart holds 2 lines of shop A (charging 10 yuan + 5 per extra piece to ship) and 1 of shop B
    (free shipping), an address in 南山区 and a claimed coupon of shop A's (10 yuan off from 50)."""
    owner_a, _ = await api.login("甲店主")
    owner_b, _ = await api.login("乙店主")
    buyer, user = await api.login("结账买家")
    shop_a, product_a, (a1, a2) = await make_product(api, owner_a, title="茶叶", prices=(3000, 2000), stock=20)
    shop_b, _, (b1,) = await make_product(api, owner_b, title="茶具", prices=(8800,), stock=20)
    template = await create_template(api, owner_a, shop_a, defaultRate=rate(1000, 500))
    pointed = await api.gql(
        UPDATE_PRODUCT,
        {"in": {"productId": product_a, "shippingTemplateId": template["shippingTemplate"]["id"]}},
        token=owner_a,
    )
    assert pointed["data"]["updateProduct"]["errors"] == []
    await add(api, buyer, a1, 2)
    await add(api, buyer, b1, 1)
    shown = (await add(api, buyer, a2, 1))["cart"]
    return {
        "buyer": buyer,
        "buyerId": from_global_id(user["id"])[1],
        "owners": (owner_a, owner_b),
        "shops": (shop_a, shop_b),
        "skus": (a1, a2, b1),
        "lines": [line_of(shown, s) for s in (a1, a2, b1)],
        "address": await address_of(api, buyer),
        "coupon": await coupon_for(api, owner_a, buyer, shop_a),
    }


async def test_a_checkout_makes_one_order_per_shop_with_its_totals_explained(api: Api, two_shops: Any) -> None:
    s = two_shops
    a1, a2, b1 = s["skus"]
    # when the buyer checks out the three lines with shop A's coupon
    payload = await do_checkout(api, s["buyer"], s["lines"], s["address"], couponIds=[s["coupon"]])
    # then one order per shop, each with its lines, discount, shipping and the address snapshot
    assert payload["errors"] == []
    checkout = payload["checkout"]
    shop_a, shop_b = checkout["shops"]
    assert shop_a["shop"]["id"] == s["shops"][0] and shop_b["shop"]["id"] == s["shops"][1]
    assert [(ln["sku"]["id"], ln["quantity"], ln["unitPrice"]["amount"]) for ln in shop_a["lines"]] == [
        (a1, 2, 3000),
        (a2, 1, 2000),
    ]
    assert (shop_a["subtotal"], shop_a["discount"], shop_a["shippingFee"], shop_a["total"]) == (
        {"amount": 8000},
        {"amount": 1000},
        {"amount": 1000 + 2 * 500},  # 3 pieces: the first, then 2 more
        {"amount": 8000 - 1000 + 2000},
    )
    assert shop_a["coupon"] == {"id": s["coupon"]}
    assert shop_a["shipping"] == [
        {"templateName": "标准快递", "fee": {"amount": 2000}, "freeShipping": False, "cartLineIds": s["lines"][:2]}
    ]
    assert shop_b["shipping"] == [
        {"templateName": None, "fee": {"amount": 0}, "freeShipping": True, "cartLineIds": s["lines"][2:]}
    ]
    assert (checkout["subtotal"], checkout["discount"], checkout["shippingFee"], checkout["total"]) == (
        {"amount": 16800},
        {"amount": 1000},
        {"amount": 2000},
        {"amount": 17800},
    )
    assert checkout["status"] == "PENDING_PAYMENT"
    assert checkout["shippingAddress"] == {
        "recipient": "张三",
        "phone": "138****1234",
        "fullPhone": "13812341234",
        "districtName": "南山区",
        "detail": "科技园路1号",
    }
    orders = checkout["orders"]
    assert [o["shop"]["id"] for o in orders] == list(s["shops"])
    assert [o["total"]["amount"] for o in orders] == [9000, 8800]
    assert [o["shippingFee"]["amount"] for o in orders] == [2000, 0]
    assert {o["status"] for o in orders} == {"PENDING_PAYMENT"}
    assert orders[0]["shippingAddress"] == {"recipient": "张三", "districtName": "南山区"}
    doc = await api.services.store.get("orders", from_global_id(orders[0]["id"])[1]) or {}
    assert doc["phoneTail"] == "1234" and doc["checkoutId"] == from_global_id(checkout["id"])[1]
    assert [await sku_stock(api, x) for x in (a1, a2, b1)] == [18, 19, 19]
    # the lines stay in the cart until they are paid for
    assert (await cart(api, s["buyer"]))["lineCount"] == 3


async def test_the_preview_shows_the_same_totals_and_reserves_nothing(api: Api, two_shops: Any) -> None:
    s = two_shops
    shown = await preview(api, s["buyer"], s["lines"], s["address"], couponIds=[s["coupon"]])
    assert shown["errors"] == []
    assert [await sku_stock(api, x) for x in s["skus"]] == [20, 20, 20]
    assert await api.services.store.count("orders") == 0
    placed = (await do_checkout(api, s["buyer"], s["lines"], s["address"], couponIds=[s["coupon"]]))["checkout"]
    for key in ("subtotal", "discount", "shippingFee", "total", "shops"):
        assert shown[key] == placed[key], key


async def test_a_replayed_key_returns_the_first_checkout_even_when_racing(
    api: Api, two_shops: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = two_shops
    first = (await do_checkout(api, s["buyer"], s["lines"][:1], s["address"], key="again"))["checkout"]
    replay = await do_checkout(api, s["buyer"], s["lines"], s["address"], key="again")
    assert replay["errors"] == [] and replay["checkout"]["id"] == first["id"]
    assert len(replay["checkout"]["orders"]) == 1
    # when 12 calls with one new key race (each yielding between its reads and writes)
    interleaved(api.services, monkeypatch)
    racing = await asyncio.gather(
        *(do_checkout(api, s["buyer"], s["lines"], s["address"], key="race") for _ in range(12))
    )
    # then all get the same checkout, and exactly one set of orders was made
    assert all(r["errors"] == [] for r in racing)
    assert len({r["checkout"]["id"] for r in racing}) == 1
    assert await api.services.store.count("checkouts") == 2
    assert await api.services.store.count("orders") == 1 + 2
    a1, a2, b1 = s["skus"]
    assert [await sku_stock(api, x) for x in (a1, a2, b1)] == [20 - 2 - 2, 19, 19]


async def test_stock_short_in_one_shop_gives_back_the_others(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a SKU of shop A with plenty and one of shop B with 3 units, in the carts of 10 buyers
    owner_a, _ = await api.login("多店A")
    owner_b, _ = await api.login("多店B")
    _, _, (plenty,) = await make_product(api, owner_a, stock=100)
    _, _, (scarce,) = await make_product(api, owner_b, title="限量", stock=3)
    buyers = []
    for i in range(10):
        token, _ = await api.login(f"抢购买家{i}")
        await add(api, token, plenty, 2)
        shown = (await add(api, token, scarce, 1))["cart"]
        buyers.append((token, [line_of(shown, plenty), line_of(shown, scarce)], await address_of(api, token)))
    # when they all check out at once
    interleaved(api.services, monkeypatch)
    results = await asyncio.gather(*(do_checkout(api, t, ids, a, key="flash") for t, ids, a in buyers))
    # then exactly 3 checkouts are placed; the others are refused on the scarce line and keep nothing of shop A's
    winners = [r for r in results if r["errors"] == []]
    losers = [r["errors"] for r in results if r["errors"]]
    assert len(winners) == 3 and len(losers) == 7
    assert {(e[0]["code"], tuple(e[0]["field"])) for e in losers} == {("OUT_OF_STOCK", ("input", "cartLineIds", "1"))}
    assert await sku_stock(api, scarce) == 0 and await sku_stock(api, plenty) == 100 - 3 * 2
    assert await api.services.store.count("orders") == 3 * 2
    assert await api.services.store.count("checkouts") == 3


async def test_a_shop_refused_while_placing_gives_back_the_orders_before_it(api: Api, two_shops: Any) -> None:
    # given a buyer with 4 unpaid orders already (5 may wait at once), so the second order of a checkout is refused
    s = two_shops
    owner_c, _ = await api.login("丙店主")
    _, _, (other,) = await make_product(api, owner_c, stock=50)
    for i in range(4):
        await add(api, s["buyer"], other, 1)
        line_id = line_of(await cart(api, s["buyer"]), other)
        assert (await do_checkout(api, s["buyer"], [line_id], s["address"], key=f"before-{i}"))["errors"] == []
    # when the buyer checks out lines of two shops with shop A's coupon
    refused = await do_checkout(api, s["buyer"], s["lines"], s["address"], key="two", couponIds=[s["coupon"]])
    # then it is refused and shop A's order, reserved first, is given back: stock, coupon, hold, key
    assert [e["code"] for e in refused["errors"]] == ["TOO_MANY_UNPAID"] and refused["checkout"] is None
    assert [await sku_stock(api, x) for x in s["skus"]] == [20, 20, 20]
    assert await api.services.store.count("orders") == 4 and await api.services.store.count("checkouts") == 4
    claim = await api.services.store.get("coupon_claims", f"{from_global_id(s['coupon'])[1]}:{s['buyerId']}")
    assert claim is not None and claim["used"] is False
    holds = await api.services.store.get("unpaid_holds", s["buyerId"]) or {}
    assert len(holds["holds"]) == 4
    # and the key may be used again once there is room (shop A's lines only)
    again = await do_checkout(api, s["buyer"], s["lines"][:2], s["address"], key="two", couponIds=[s["coupon"]])
    assert again["errors"] == [] and again["checkout"]["discount"] == {"amount": 1000}


async def test_changed_prices_are_refused_naming_their_lines_unless_accepted(api: Api, two_shops: Any) -> None:
    s = two_shops
    _, a2, b1 = s["skus"]
    await set_sku(api, a2, price=2100)
    await set_sku(api, b1, price=8000)
    refused = await do_checkout(api, s["buyer"], s["lines"], s["address"])
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("PRICE_CHANGED", ["input", "cartLineIds", "1"]),
        ("PRICE_CHANGED", ["input", "cartLineIds", "2"]),
    ]
    assert await api.services.store.count("orders") == 0
    shown = await preview(api, s["buyer"], s["lines"], s["address"])
    assert [e["field"] for e in shown["errors"]] == [["input", "cartLineIds", "1"], ["input", "cartLineIds", "2"]]
    accepted = await do_checkout(api, s["buyer"], s["lines"], s["address"], acceptPriceChanges=True)
    assert accepted["errors"] == []
    prices = [
        (ln["unitPrice"]["amount"], ln["priceWhenAdded"]["amount"])
        for sh in accepted["checkout"]["shops"]
        for ln in sh["lines"]
    ]
    assert prices == [(3000, 3000), (2100, 2000), (8000, 8800)]


async def test_stock_short_of_a_line_is_refused_even_with_changes_accepted(api: Api, two_shops: Any) -> None:
    s = two_shops
    await set_sku(api, s["skus"][0], stock=1)  # the cart holds 2
    refused = await do_checkout(api, s["buyer"], s["lines"], s["address"], acceptPriceChanges=True)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("OUT_OF_STOCK", ["input", "cartLineIds", "0"])]
    assert await sku_stock(api, s["skus"][1]) == 20 and await api.services.store.count("orders") == 0


async def test_bad_checkout_input_is_refused_on_its_field_and_changes_nothing(api: Api, two_shops: Any) -> None:
    s = two_shops
    other, _ = await api.login("别的买家")
    await add(api, other, s["skus"][0], 1)
    theirs = lines(await cart(api, other))[0]["id"]
    their_address = await address_of(api, other)
    owner_b = s["owners"][1]
    coupon_b = await coupon_for(api, owner_b, s["buyer"], s["shops"][1], minSpend=200, discount=100)
    owner_c, _ = await api.login("丙店")
    shop_c, _, _ = await make_product(api, owner_c)
    coupon_c = await coupon_for(api, owner_c, s["buyer"], shop_c, minSpend=200, discount=100)
    second_a = await coupon_for(api, s["owners"][0], s["buyer"], s["shops"][0], minSpend=200, discount=100)
    mine, address = s["lines"], s["address"]
    cases: list[tuple[dict[str, Any], str, list[str]]] = [
        ({"cartLineIds": [mine[0], theirs]}, "NOT_FOUND", ["input", "cartLineIds", "1"]),
        ({"cartLineIds": []}, "INVALID_INPUT", ["input", "cartLineIds"]),
        ({"cartLineIds": [mine[0], mine[0]]}, "INVALID_INPUT", ["input", "cartLineIds", "1"]),
        ({"cartLineIds": ["garbage"]}, "INVALID_INPUT", ["input", "cartLineIds", "0"]),
        ({"addressId": their_address}, "NOT_FOUND", ["input", "addressId"]),
        ({"couponIds": [coupon_c]}, "COUPON_UNAVAILABLE", ["input", "couponIds", "0"]),
        ({"couponIds": [s["coupon"], second_a]}, "INVALID_INPUT", ["input", "couponIds", "1"]),
        ({"couponIds": [coupon_b, coupon_b]}, "INVALID_INPUT", ["input", "couponIds", "1"]),
        ({"couponIds": ["Q291cG9uOm5vcGU"]}, "NOT_FOUND", ["input", "couponIds", "0"]),
        ({"idempotencyKey": "has space"}, "INVALID_INPUT", ["input", "idempotencyKey"]),
    ]
    for i, (changes, code, field) in enumerate(cases):
        given = {"cartLineIds": mine, "addressId": address, "idempotencyKey": f"bad-{i}", **changes}
        payload = (await api.gql(CHECKOUT, {"in": given}, token=s["buyer"]))["data"]["checkout"]
        assert payload["checkout"] is None and (payload["errors"][0]["code"], payload["errors"][0]["field"]) == (
            code,
            field,
        ), (i, payload)
    assert await api.services.store.count("orders") == 0 and await api.services.store.count("checkouts") == 0
    assert [await sku_stock(api, x) for x in s["skus"]] == [20, 20, 20]
    anonymous = await api.gql(CHECKOUT, {"in": {"cartLineIds": mine, "addressId": address, "idempotencyKey": "a"}})
    assert anonymous["data"]["checkout"]["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_a_line_not_delivered_to_the_address_is_refused(api: Api) -> None:
    owner, _ = await api.login("不送西藏")
    buyer, _ = await api.login("拉萨买家")
    shop, product, (sku,) = await make_product(api, owner, stock=5)
    template = await create_template(api, owner, shop, undeliverableRegionCodes=["540000"])
    await api.gql(
        UPDATE_PRODUCT,
        {"in": {"productId": product, "shippingTemplateId": template["shippingTemplate"]["id"]}},
        token=owner,
    )
    line_id = line_of((await add(api, buyer, sku, 1))["cart"], sku)
    lhasa = await address_of(api, buyer, provinceCode="540000", cityCode="540100", districtCode="540102")
    refused = await do_checkout(api, buyer, [line_id], lhasa)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_DELIVERABLE", ["input", "cartLineIds", "0"])]
    assert await sku_stock(api, sku) == 5


async def test_pay_checkout_pays_every_order_and_the_paid_lines_leave_the_cart(api: Api, two_shops: Any) -> None:
    s = two_shops
    a1 = s["skus"][0]
    placed = (await do_checkout(api, s["buyer"], s["lines"], s["address"]))["checkout"]
    owner_c, _ = await api.login("丙店")
    _, _, (kept,) = await make_product(api, owner_c, stock=5)
    await add(api, s["buyer"], kept, 1)
    await add(api, s["buyer"], a1, 3)  # the line of a1 grows after checkout: 2 bought, 3 left
    paid = await pay(api, s["buyer"], placed["id"])
    assert paid["errors"] == [] and paid["payment"] == {"method": "DEV_PAY", "clientParams": "{}"}
    assert paid["checkout"]["status"] == "PAID"
    assert {o["status"] for o in paid["checkout"]["orders"]} == {"PAID"}
    left = {ln["sku"]["id"]: ln["quantity"] for ln in lines(await cart(api, s["buyer"]))}
    assert left == {kept: 1, a1: 3}
    replay = await pay(api, s["buyer"], placed["id"])
    assert replay["errors"] == [] and replay["checkout"]["id"] == placed["id"]
    again = await pay(api, s["buyer"], placed["id"], key="pay-2")
    assert again["errors"] == [{"code": "INVALID_STATE", "field": ["input", "checkoutId"]}]
    stranger, _ = await api.login("路人")
    theirs = await pay(api, stranger, placed["id"], key="x")
    assert theirs["errors"] == [{"code": "NOT_FOUND", "field": ["input", "checkoutId"]}]
    node = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": placed["id"]}, token=stranger)
    assert node["data"]["node"] is None


async def test_racing_payments_of_a_checkout_pay_each_order_once(
    api: Api, two_shops: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = two_shops
    placed = (await do_checkout(api, s["buyer"], s["lines"], s["address"]))["checkout"]
    interleaved(api.services, monkeypatch)
    results = await asyncio.gather(*(pay(api, s["buyer"], placed["id"], key=f"p{i}") for i in range(8)))
    assert sum(1 for r in results if r["errors"] == []) >= 1
    assert {e["code"] for r in results for e in r["errors"]} <= {"INVALID_STATE"}
    sold = [p["salesCount"] for p in (await api.services.store.find("products")).docs if p["salesCount"]]
    assert sorted(sold) == [1, 3]  # 3 units of shop A's product and 1 of shop B's, sold once


async def test_a_checkout_a_crash_left_placing_is_failed_by_the_sweep(api: Api, two_shops: Any) -> None:
    # given a checkout left PLACING by a crash after it wrote shop B's order but before shop A's (with a coupon)
    s = two_shops
    store = api.services.store
    clock = use_clock(api)
    placed = (await do_checkout(api, s["buyer"], s["lines"], s["address"], couponIds=[s["coupon"]]))["checkout"]
    raw = from_global_id(placed["id"])[1]
    order_a, order_b = (from_global_id(o["id"])[1] for o in placed["orders"])
    await store.update_one("checkouts", {"_id": raw}, {"$set": {"status": "PLACING"}})
    await store.delete("orders", order_a)
    # when the sweep runs, once the checkout is stale
    assert await expire_stale(api.services) == 0
    clock.advance(minutes=2)
    assert await expire_stale(api.services) == 1
    # then it is FAILED (its key spent), B's order is cancelled with its stock back, A's coupon claim and every
    # hold are given back; A's units stay taken (which were is not known: better unsold than sold twice)
    assert (await store.get("checkouts", raw) or {})["status"] == "FAILED"
    assert (await store.get("orders", order_b) or {})["status"] == "CANCELLED"
    assert [await sku_stock(api, x) for x in s["skus"]] == [18, 19, 20]
    claim = await store.get("coupon_claims", f"{from_global_id(s['coupon'])[1]}:{s['buyerId']}") or {}
    assert claim["used"] is False
    assert (await store.get("unpaid_holds", s["buyerId"]) or {})["holds"] == []
    again = await do_checkout(api, s["buyer"], s["lines"], s["address"])
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("CONFLICT", ["input", "idempotencyKey"])]


async def test_a_price_changed_between_pricing_and_reserving_is_refused(
    api: Api, two_shops: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a merchant who changes shop B's price while the checkout is being priced (after its SKUs were read)
    s = two_shops
    fees = shipping.fees

    async def meanwhile(*args: Any, **kwargs: Any) -> Any:
        await set_sku(api, s["skus"][2], price=9900)
        return await fees(*args, **kwargs)

    monkeypatch.setattr(shipping, "fees", meanwhile)
    # when the buyer checks out
    refused = await do_checkout(api, s["buyer"], s["lines"], s["address"])
    # then no unit is taken at a price nobody was shown: PRICE_CHANGED on the line, and shop A's units come back
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("PRICE_CHANGED", ["input", "cartLineIds", "2"])]
    assert [await sku_stock(api, x) for x in s["skus"]] == [20, 20, 20]
    assert await api.services.store.count("orders") == 0 and await api.services.store.count("checkouts") == 0


async def test_the_shops_desk_counts_and_finds_checkout_orders_by_phone(api: Api, two_shops: Any) -> None:
    # given shop A's desk already keeping its counts, then a checkout of the two shops' lines (the address's phone
    # ends in 1234)
    s = two_shops
    desk = """query($s: ID!, $q: String) { shop(id: $s) { orderCounts { status count }
      orders(query: $q, first: 5) { edges { node { id shippingAddress { phone fullPhone } } } } } }"""
    assert (await api.gql(desk, {"s": s["shops"][0], "q": None}, token=s["owners"][0]))["data"]["shop"]["orders"]
    payload = await do_checkout(api, s["buyer"], s["lines"], s["address"])
    assert payload["errors"] == []
    order_a = payload["checkout"]["orders"][0]["id"]
    # when shop A's owner opens the desk
    shown = (await api.gql(desk, {"s": s["shops"][0], "q": "1234"}, token=s["owners"][0]))["data"]["shop"]
    # then the order written by checkout is counted as unpaid and found by the phone's last 4 digits, masked
    assert {c["status"]: c["count"] for c in shown["orderCounts"]}["PENDING_PAYMENT"] == 1
    assert [e["node"] for e in shown["orders"]["edges"]] == [
        {"id": order_a, "shippingAddress": {"phone": "138****1234", "fullPhone": None}}
    ]
    # and once paid, it moves to PAID in the counts
    assert (await pay(api, s["buyer"], payload["checkout"]["id"]))["errors"] == []
    shown = (await api.gql(desk, {"s": s["shops"][0], "q": None}, token=s["owners"][0]))["data"]["shop"]
    counts = {c["status"]: c["count"] for c in shown["orderCounts"]}
    assert (counts["PENDING_PAYMENT"], counts["PAID"]) == (0, 1)

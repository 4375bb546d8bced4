"""Coupons: created by shop owners, claimed once per user while copies last, used by one order, returned on cancel."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.api.conftest import Api, make_product
from tests.api.test_orders import CANCEL, act, line, place

CREATE = """mutation($in: CreateCouponInput!) { createCoupon(input: $in) {
  coupon { id title discount { amount } minSpend { amount } remaining shop { id } } errors { code field } } }"""
CLAIM = (
    "mutation($id: ID!) { claimCoupon(input: {couponId: $id}) { coupon { remaining usable } errors { code field } } }"
)
MINE = "{ myCoupons { id usable } }"


def coupon_input(shop_id: str, **over: Any) -> dict[str, Any]:
    valid = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    return {
        "shopId": shop_id,
        "title": "满50减10",
        "discount": 1000,
        "minSpend": 5000,
        "validUntil": valid,
        "quantity": 5,
    } | over


async def test_owners_create_coupons_with_valid_terms(api: Api) -> None:
    owner, _ = await api.login("券店主")
    stranger, _ = await api.login("券路人")
    shop_id, _, _ = await make_product(api, owner)
    made = (await api.gql(CREATE, {"in": coupon_input(shop_id)}, token=owner))["data"]["createCoupon"]
    assert made["errors"] == [] and made["coupon"]["remaining"] == 5 and made["coupon"]["shop"]["id"] == shop_id
    assert (await api.gql(CREATE, {"in": coupon_input(shop_id)}, token=stranger))["data"]["createCoupon"]["errors"][0][
        "code"
    ] == "FORBIDDEN"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    bad = coupon_input(shop_id, title="", discount=0, minSpend=0, validUntil=past, quantity=0)
    errors = (await api.gql(CREATE, {"in": bad}, token=owner))["data"]["createCoupon"]["errors"]
    assert {e["field"][1] for e in errors} == {"title", "discount", "minSpend", "validUntil", "quantity"}
    above = coupon_input(shop_id, discount=5000, minSpend=5000)
    assert (await api.gql(CREATE, {"in": above}, token=owner))["data"]["createCoupon"]["errors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "minSpend"]}
    ]


async def test_claims_are_one_per_user_and_never_exceed_the_quantity(api: Api) -> None:
    owner, _ = await api.login("抢券店主")
    shop_id, _, _ = await make_product(api, owner)
    coupon_id = (await api.gql(CREATE, {"in": coupon_input(shop_id, quantity=5)}, token=owner))["data"]["createCoupon"][
        "coupon"
    ]["id"]
    first, _ = await api.login("抢券0")
    assert (await api.gql(CLAIM, {"id": coupon_id}, token=first))["data"]["claimCoupon"] == {
        "coupon": {"remaining": 4, "usable": True},
        "errors": [],
    }
    again = (await api.gql(CLAIM, {"id": coupon_id}, token=first))["data"]["claimCoupon"]
    assert again["errors"] == [{"code": "ALREADY_EXISTS", "field": ["input", "couponId"]}]
    tokens = [(await api.login(f"抢券{i}"))[0] for i in range(1, 21)]
    results = await asyncio.gather(
        *(api.gql(CLAIM, {"id": coupon_id}, token=t) for t in tokens + tokens[:5])  # some users claim twice at once
    )
    outcomes = [r["data"]["claimCoupon"] for r in results]
    assert sum(1 for o in outcomes if o["errors"] == []) == 4
    assert {o["errors"][0]["code"] for o in outcomes if o["errors"]} <= {"COUPON_UNAVAILABLE", "ALREADY_EXISTS"}
    store = api.services.store
    coupon = (await store.find("coupons", {"title": "满50减10"}, limit=1)).docs[0]
    assert coupon["remaining"] == 0
    assert await store.count("coupon_claims", {"couponId": coupon["_id"]}) == 5


async def test_a_coupon_pays_for_one_order_of_its_shop_above_its_minimum(api: Api) -> None:
    owner, _ = await api.login("用券店主")
    buyer, _ = await api.login("用券买家")
    shop_id, _, (sku_id,) = await make_product(api, owner, prices=(3000,), stock=20)
    _, _, (elsewhere,) = await make_product(api, owner, title="别的店", prices=(3000,), stock=20)
    coupon_id = (await api.gql(CREATE, {"in": coupon_input(shop_id)}, token=owner))["data"]["createCoupon"]["coupon"][
        "id"
    ]
    unclaimed = await place(api, buyer, [line(sku_id, 2)], "u", coupon_id)
    assert unclaimed["errors"][0]["code"] == "COUPON_UNAVAILABLE"
    await api.gql(CLAIM, {"id": coupon_id}, token=buyer)
    below = await place(api, buyer, [line(sku_id, 1)], "below", coupon_id)
    assert below["errors"] == [
        {"code": "COUPON_UNAVAILABLE", "field": ["input", "couponId"], "message": below["errors"][0]["message"]}
    ]
    other_shop = await place(api, buyer, [line(elsewhere, 2)], "other", coupon_id)
    assert other_shop["errors"][0]["code"] == "COUPON_UNAVAILABLE"
    assert await _stock(api, sku_id) == 20 and await _stock(api, elsewhere) == 20
    used = await place(api, buyer, [line(sku_id, 2)], "use", coupon_id)
    assert (used["order"]["subtotal"], used["order"]["discount"], used["order"]["total"]) == (
        {"amount": 6000},
        {"amount": 1000},
        {"amount": 5000},
    )
    assert (await api.gql(MINE, token=buyer))["data"]["myCoupons"] == [{"id": coupon_id, "usable": False}]
    twice = await place(api, buyer, [line(sku_id, 2)], "twice", coupon_id)
    assert twice["errors"][0]["code"] == "COUPON_UNAVAILABLE"
    assert (await act(api, CANCEL, buyer, used["order"]["id"]))["errors"] == []
    assert (await api.gql(MINE, token=buyer))["data"]["myCoupons"] == [{"id": coupon_id, "usable": True}]
    # racing orders for one coupon: one gets it
    results = await asyncio.gather(*(place(api, buyer, [line(sku_id, 2)], f"race{i}", coupon_id) for i in range(6)))
    assert sum(1 for r in results if r["errors"] == []) == 1
    assert await _stock(api, sku_id) == 18


async def _stock(api: Api, sku_id: str) -> int:
    body = await api.gql("query($id: ID!) { node(id: $id) { ... on Sku { stock } } }", {"id": sku_id})
    return int(body["data"]["node"]["stock"])

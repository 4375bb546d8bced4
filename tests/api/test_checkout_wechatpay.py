"""payCheckout with WeChat Pay's combined payment (合单支付) against the local fake: the combined prepay with real
request signing, the combined notification verified like a single one (signature, time window, replay), each
sub-order paid exactly once (raced), and a sub-order refunded on its own."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.api.conftest import Api, make_product
from tests.api.test_cart import add, cart, lines
from tests.api.test_checkout import address_of, do_checkout, line_of, pay
from tests.api.test_orders import REFUND, act
from tests.api.test_wechatpay import notify, wechat_buyer
from tests.contract.test_refund_contention import interleaved
from tests.fakes.wechat import FakeWechat
from tests.fakes.wechatpay import FakeWechatPay

NUMBERS = (
    "query($id: ID!) { node(id: $id) { ... on Checkout { number status orders { number status total { amount } } } } }"
)


async def placed_checkout(api: Api, wechat: tuple[FakeWechat, str]) -> dict[str, Any]:
    """A WeChat buyer's checkout of 2 units of shop A's tea (2990 each) and 1 of shop B's cup (1500)."""
    owner_a, _ = await api.login("合单甲店")
    owner_b, _ = await api.login("合单乙店")
    buyer = await wechat_buyer(api, wechat[0])
    _, _, (tea,) = await make_product(api, owner_a, title="茶叶", prices=(2990,), stock=10)
    _, _, (cup,) = await make_product(api, owner_b, title="茶杯", prices=(1500,), stock=10)
    await add(api, buyer, tea, 2)
    shown = (await add(api, buyer, cup, 1))["cart"]
    ids = [line_of(shown, tea), line_of(shown, cup)]
    payload = await do_checkout(api, buyer, ids, await address_of(api, buyer))
    assert payload["errors"] == [], payload
    checkout = (await api.gql(NUMBERS, {"id": payload["checkout"]["id"]}, token=buyer))["data"]["node"]
    return {"buyer": buyer, "id": payload["checkout"]["id"], "skus": (tea, cup), **checkout}


async def statuses(api: Api, token: str, checkout_id: str) -> tuple[str, list[str]]:
    node = (await api.gql(NUMBERS, {"id": checkout_id}, token=token))["data"]["node"]
    return node["status"], [o["status"] for o in node["orders"]]


async def sales(api: Api) -> list[int]:
    return sorted(p["salesCount"] for p in (await api.services.store.find("products")).docs if p["salesCount"])


async def test_pay_checkout_prepays_one_combined_payment_of_its_orders(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    placed = await placed_checkout(api_pay, wechat)
    payload = await pay(api_pay, placed["buyer"], placed["id"], method="WECHAT_PAY")
    assert payload["errors"] == [] and payload["checkout"]["status"] == "PENDING_PAYMENT"
    params = json.loads(payload["payment"]["clientParams"])
    assert params["package"].startswith("prepay_id=wx") and fake.verify_pay_sign(params)
    sent = fake.combines[placed["number"]]
    assert sent["combine_payer_info"] == {"openid": "o-buyer-openid"}
    assert [(s["out_trade_no"], s["amount"]["total_amount"]) for s in sent["sub_orders"]] == [
        (o["number"], o["total"]["amount"]) for o in placed["orders"]
    ]
    assert [o["total"]["amount"] for o in placed["orders"]] == [5980, 1500]
    assert fake.bad_signatures == 0
    replay = await pay(api_pay, placed["buyer"], placed["id"], method="WECHAT_PAY")
    assert replay["payment"] == payload["payment"]


async def test_the_combined_notification_marks_each_order_paid_once(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    placed = await placed_checkout(api_pay, wechat)
    await pay(api_pay, placed["buyer"], placed["id"], method="WECHAT_PAY")
    for _ in range(3):  # redelivered until WeChat Pay hears SUCCESS, each delivery signed afresh
        assert await notify(api_pay, *fake.combine_paid(placed["number"])) == (200, {"code": "SUCCESS", "message": ""})
    assert await statuses(api_pay, placed["buyer"], placed["id"]) == ("PAID", ["PAID", "PAID"])
    assert await sales(api_pay) == [1, 2]
    assert (await cart(api_pay, placed["buyer"]))["lineCount"] == 0  # paid lines leave the cart


async def test_forged_stale_replayed_and_inconsistent_combined_notifications_are_refused(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    placed = await placed_checkout(api_pay, wechat)
    await pay(api_pay, placed["buyer"], placed["id"], method="WECHAT_PAY")
    number = placed["number"]
    second = placed["orders"][1]["number"]
    forged = fake.combine_paid(number, signing_key=rsa.generate_private_key(65537, 2048))
    assert (await notify(api_pay, *forged))[0] == 401
    assert (await notify(api_pay, *fake.combine_paid(number, timestamp=int(time.time()) - 3600)))[0] == 401
    assert (await notify(api_pay, *fake.combine_paid(number, apiv3_key="0" * 32)))[0] == 401
    headers, body = fake.combine_paid(number)
    assert (await notify(api_pay, headers, body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESS" ')))[0] == 401
    # the second sub-order underpaid: neither order is marked paid
    assert (await notify(api_pay, *fake.combine_paid(number, totals={second: 1})))[0] == 400
    assert await statuses(api_pay, placed["buyer"], placed["id"]) == ("PENDING_PAYMENT", ["PENDING_PAYMENT"] * 2)
    assert await sales(api_pay) == []
    genuine = fake.combine_paid(number)
    assert (await notify(api_pay, *genuine))[0] == 200
    assert (await notify(api_pay, *genuine))[0] == 409  # the very same delivery again is a replay
    assert await statuses(api_pay, placed["buyer"], placed["id"]) == ("PAID", ["PAID", "PAID"])
    assert await sales(api_pay) == [1, 2]
    unknown = {"combine_out_trade_no": "C404", "sub_orders": [{"out_trade_no": "404", "trade_state": "SUCCESS"}]}
    assert (await notify(api_pay, *fake.notification("TRANSACTION.SUCCESS", unknown)))[0] == 404


async def test_racing_deliveries_of_a_combined_notification_pay_each_order_once(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = wechatpay[0]
    placed = await placed_checkout(api_pay, wechat)
    await pay(api_pay, placed["buyer"], placed["id"], method="WECHAT_PAY")
    deliveries = [fake.combine_paid(placed["number"]) for _ in range(10)]
    interleaved(api_pay.services, monkeypatch)
    answers = await asyncio.gather(*(notify(api_pay, *d) for d in deliveries))
    assert {status for status, _ in answers} == {200}
    assert await statuses(api_pay, placed["buyer"], placed["id"]) == ("PAID", ["PAID", "PAID"])
    assert await sales(api_pay) == [1, 2]  # each order's sale counted once
    purchases = (await api_pay.services.store.find("purchases")).docs
    assert sorted(p["orders"] for p in purchases) == [1, 1]


async def test_a_combined_sub_order_is_refunded_on_its_own(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    placed = await placed_checkout(api_pay, wechat)
    await pay(api_pay, placed["buyer"], placed["id"], method="WECHAT_PAY")
    await notify(api_pay, *fake.combine_paid(placed["number"]))
    node = await api_pay.gql(
        "query($id: ID!) { node(id: $id) { ... on Checkout { orders { id number } } } }",
        {"id": placed["id"]},
        token=placed["buyer"],
    )
    cup_order = node["data"]["node"]["orders"][1]
    refunding = await act(api_pay, REFUND, placed["buyer"], cup_order["id"], k="r1", r="不想要了")
    assert refunding == {"order": {"status": "REFUNDING"}, "errors": []}
    asked = fake.refunds[f"{cup_order['number']}R"]
    assert asked["amount"] == {"refund": 1500, "total": 1500, "currency": "CNY"}
    assert (await notify(api_pay, *fake.refunded(f"{cup_order['number']}R")))[0] == 200
    assert await statuses(api_pay, placed["buyer"], placed["id"]) == ("PAID", ["PAID", "REFUNDED"])
    assert lines(await cart(api_pay, placed["buyer"])) == []

"""WeChat Pay against a local fake of its API v3: real request signing, signed answers, encrypted and signed
notifications, all through the wechatpayv3 library."""

from __future__ import annotations

import json
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from domain.ids import from_global_id
from resolvers.orders import expire_unpaid
from tests.api.conftest import Api, make_product
from tests.api.test_orders import PAY, REFUND, act, line, place
from tests.fakes.wechat import FakeWechat
from tests.fakes.wechatpay import FakeWechatPay

WECHAT = """mutation($c: String!) { loginWithWechat(input: {code: $c}) { accessToken errors { code } } }"""
STATUS = "query($id: ID!) { order(id: $id) { status number total { amount } } }"


async def wechat_buyer(api: Api, fake: FakeWechat, openid: str = "o-buyer-openid") -> str:
    fake.issue(f"code-{openid}", openid)
    return str((await api.gql(WECHAT, {"c": f"code-{openid}"}))["data"]["loginWithWechat"]["accessToken"])


async def wechat_order(api: Api, wechat: tuple[FakeWechat, str], quantity: int = 2) -> tuple[str, str, str, str]:
    seller, _ = await api.login("微信卖家")
    buyer = await wechat_buyer(api, wechat[0])
    _, _, (sku_id,) = await make_product(api, seller, prices=(2990,), stock=10)
    order = (await place(api, buyer, [line(sku_id, quantity)], "wx-order"))["order"]
    return buyer, order["id"], order["number"], sku_id


async def notify(api: Api, headers: dict[str, str], body: str) -> tuple[int, Any]:
    resp = await api.client.post("/webhooks/wechatpay", data=body.encode(), headers=headers)
    return resp.status, await resp.json()


async def status_of(api: Api, token: str, order_id: str) -> str:
    return str((await api.gql(STATUS, {"id": order_id}, token=token))["data"]["order"]["status"])


async def stock(api: Api, sku_id: str) -> tuple[int, int]:
    body = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on Sku { stock product { salesCount } } } }", {"id": sku_id}
    )
    return body["data"]["node"]["stock"], body["data"]["node"]["product"]["salesCount"]


async def test_prepay_returns_signed_request_payment_params(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    buyer, order_id, number, _ = await wechat_order(api_pay, wechat)
    payload = (await api_pay.gql(PAY, {"id": order_id, "k": "p1", "m": "WECHAT_PAY"}, token=buyer))["data"]["payOrder"]
    assert payload["errors"] == [] and payload["order"]["status"] == "PENDING_PAYMENT"
    params = json.loads(payload["payment"]["clientParams"])
    assert set(params) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert params["package"].startswith("prepay_id=wx") and params["signType"] == "RSA"
    assert fake.verify_pay_sign(params)
    sent = fake.transactions[number]
    assert sent["amount"] == {"total": 5980, "currency": "CNY"} and sent["payer"] == {"openid": "o-buyer-openid"}
    assert fake.bad_signatures == 0
    replay = (await api_pay.gql(PAY, {"id": order_id, "k": "p1", "m": "WECHAT_PAY"}, token=buyer))["data"]["payOrder"]
    assert replay["payment"] == payload["payment"]


async def test_a_payment_notification_marks_the_order_paid_once(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    buyer, order_id, number, sku_id = await wechat_order(api_pay, wechat)
    await api_pay.gql(PAY, {"id": order_id, "k": "p1", "m": "WECHAT_PAY"}, token=buyer)
    for _ in range(3):  # WeChat Pay redelivers until it hears SUCCESS; each delivery is signed afresh
        assert await notify(api_pay, *fake.paid(number)) == (200, {"code": "SUCCESS", "message": ""})
    assert await status_of(api_pay, buyer, order_id) == "PAID"
    assert await stock(api_pay, sku_id) == (8, 2)  # sold once
    again = (await api_pay.gql(PAY, {"id": order_id, "k": "p2", "m": "WECHAT_PAY"}, token=buyer))["data"]["payOrder"]
    assert again["errors"][0]["code"] == "INVALID_STATE"


async def test_forged_replayed_stale_and_mismatched_notifications_are_refused(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    buyer, order_id, number, sku_id = await wechat_order(api_pay, wechat)
    await api_pay.gql(PAY, {"id": order_id, "k": "p1", "m": "WECHAT_PAY"}, token=buyer)
    forged = fake.paid(number, signing_key=rsa.generate_private_key(65537, 2048))
    assert (await notify(api_pay, *forged))[0] == 401
    stale = fake.paid(number, timestamp=int(time.time()) - 3600)
    assert (await notify(api_pay, *stale))[0] == 401
    wrong_key = fake.paid(number, apiv3_key="0" * 32)
    assert (await notify(api_pay, *wrong_key))[0] == 401
    headers, body = fake.paid(number)
    assert (await notify(api_pay, headers, body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESS" ')))[0] == 401
    cheap = fake.paid(number, total=1)
    assert (await notify(api_pay, *cheap))[0] == 400
    assert await status_of(api_pay, buyer, order_id) == "PENDING_PAYMENT"
    assert await stock(api_pay, sku_id) == (8, 0)
    genuine = fake.paid(number)
    assert (await notify(api_pay, *genuine))[0] == 200
    assert (await notify(api_pay, *genuine))[0] == 409  # the very same delivery again is a replay
    assert await status_of(api_pay, buyer, order_id) == "PAID"
    unknown = fake.notification("TRANSACTION.SUCCESS", {"out_trade_no": "nope", "trade_state": "SUCCESS"})
    assert (await notify(api_pay, *unknown))[0] == 404


async def test_wechat_pay_failures_are_payment_failed_and_retryable(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    seller, _ = await api_pay.login("卖家2")
    dev_buyer, _ = await api_pay.login("没有微信的人")
    _, _, (sku_id,) = await make_product(api_pay, seller, stock=5)
    dev_order = (await place(api_pay, dev_buyer, [line(sku_id)], "d"))["order"]["id"]
    payload = (await api_pay.gql(PAY, {"id": dev_order, "k": "p", "m": "WECHAT_PAY"}, token=dev_buyer))["data"]
    assert payload["payOrder"]["errors"] == [{"code": "PAYMENT_FAILED", "field": ["input", "method"]}]
    buyer, order_id, _, _ = await wechat_order(api_pay, wechat)
    fake.down = True
    failed = (await api_pay.gql(PAY, {"id": order_id, "k": "p1", "m": "WECHAT_PAY"}, token=buyer))["data"]["payOrder"]
    assert failed["errors"][0]["code"] == "PAYMENT_FAILED"
    fake.down = False
    retried = (await api_pay.gql(PAY, {"id": order_id, "k": "p1", "m": "WECHAT_PAY"}, token=buyer))["data"]["payOrder"]
    assert retried["errors"] == [] and "prepay_id=" in retried["payment"]["clientParams"]


async def test_refunds_go_through_wechat_pay_and_complete_on_its_notification(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    buyer, order_id, number, sku_id = await wechat_order(api_pay, wechat)
    await api_pay.gql(PAY, {"id": order_id, "k": "p1", "m": "WECHAT_PAY"}, token=buyer)
    await notify(api_pay, *fake.paid(number))
    refunding = await act(api_pay, REFUND, buyer, order_id, k="r1", r="买错了")
    assert refunding == {"order": {"status": "REFUNDING"}, "errors": []}
    asked = fake.refunds[f"{number}R"]
    assert asked["amount"] == {"refund": 5980, "total": 5980, "currency": "CNY"} and asked["out_trade_no"] == number
    assert await stock(api_pay, sku_id) == (8, 2)
    assert (await notify(api_pay, *fake.refunded(f"{number}R")))[0] == 200
    assert (await notify(api_pay, *fake.refunded(f"{number}R")))[0] == 200  # a redelivery changes nothing
    assert await status_of(api_pay, buyer, order_id) == "REFUNDED"
    assert await stock(api_pay, sku_id) == (10, 0)


async def test_money_arriving_for_an_expired_order_is_given_back(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    fake.refund_status = "SUCCESS"
    buyer, order_id, number, sku_id = await wechat_order(api_pay, wechat)
    await api_pay.gql(PAY, {"id": order_id, "k": "p1", "m": "WECHAT_PAY"}, token=buyer)
    store = api_pay.services.store
    raw = from_global_id(order_id)[1]
    await store.update_one("orders", {"_id": raw}, {"$set": {"payBy": 0}})
    assert await expire_unpaid(api_pay.services) == 1
    assert (await notify(api_pay, *fake.paid(number)))[0] == 200  # the buyer paid at the last second
    assert await status_of(api_pay, buyer, order_id) == "CANCELLED"
    assert f"{number}R" in fake.refunds
    doc = await store.get("orders", raw)
    assert doc is not None and doc["latePayment"] and doc["lateRefundedAt"]
    assert await stock(api_pay, sku_id) == (10, 0)


async def test_team_refunds_and_differences_go_through_wechat_pay(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    from resolvers.teams import sweep_teams
    from tests.api.conftest import offer_product, use_clock
    from tests.api.test_teams import join, start

    fake = wechatpay[0]
    clock = use_clock(api_pay)
    seller, _ = await api_pay.login("微信团卖家")
    tiers = {"tiers": [{"size": 2, "price": 900}, {"size": 3, "price": 800}], "durationMinutes": 60}
    _, (sku,) = await offer_product(api_pay, seller, group_buy=tiers)
    a, b, c = [await wechat_buyer(api_pay, wechat[0], f"o-team-{i}") for i in range(3)]
    full = await start(api_pay, a, sku, "full")
    orders = [full["order"], (await join(api_pay, b, full["team"]["id"], sku, "b"))["order"]]
    orders.append((await join(api_pay, c, full["team"]["id"], sku, "c"))["order"])
    for token, order in zip((a, b, c), orders, strict=True):
        await api_pay.gql(PAY, {"id": order["id"], "k": "p", "m": "WECHAT_PAY"}, token=token)
        number = (await api_pay.gql(STATUS, {"id": order["id"]}, token=token))["data"]["order"]["number"]
        assert (await notify(api_pay, *fake.paid(number)))[0] == 200
    numbers = [
        (await api_pay.gql(STATUS, {"id": o["id"]}, token=t))["data"]["order"]["number"]
        for t, o in zip((a, b, c), orders, strict=True)
    ]
    assert {f"{n}D" for n in numbers} <= set(fake.refunds)  # 100 fen back each: 900 paid, 800 final
    assert {fake.refunds[f"{n}D"]["amount"]["refund"] for n in numbers} == {100}
    assert (await notify(api_pay, *fake.refunded(f"{numbers[0]}D")))[0] == 200
    doc = await api_pay.services.store.get("orders", from_global_id(orders[0]["id"])[1])
    assert doc is not None and (doc["status"], doc["priceRefundDone"]) == ("PAID", True)
    lonely = await start(api_pay, a, sku, "lonely")
    await api_pay.gql(PAY, {"id": lonely["order"]["id"], "k": "p", "m": "WECHAT_PAY"}, token=a)
    lonely_number = (await api_pay.gql(STATUS, {"id": lonely["order"]["id"]}, token=a))["data"]["order"]["number"]
    await notify(api_pay, *fake.paid(lonely_number))
    clock.advance(minutes=61)
    await sweep_teams(api_pay.services)
    assert fake.refunds[f"{lonely_number}R"]["amount"]["refund"] == 900
    assert await status_of(api_pay, a, lonely["order"]["id"]) == "REFUNDING"
    await notify(api_pay, *fake.refunded(f"{lonely_number}R"))
    assert await status_of(api_pay, a, lonely["order"]["id"]) == "REFUNDED"

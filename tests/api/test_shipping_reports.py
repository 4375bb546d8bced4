"""Shipments reported to WeChat's shipping information (upload_shipping_info) against a local fake that issues
access tokens (stable_token), checks ours and validates bodies as WeChat documents them: a report of one package
and of split ones, SF's masked contact, a refused token renewed, an outage retried by the sweep with a backoff
then given up, racing reports uploading once; a report never fails nor undoes a shipment."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import aiohttp

from domain.ids import from_global_id
from integrations.wechat_token import AccessToken
from jobs.sweep import sweep
from resolvers.shipping_reports import report, retry_due
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_orders import PAY, line, pay, place
from tests.api.test_shipments import package, ship
from tests.api.test_teams import order_doc
from tests.api.test_wechatpay import notify, wechat_buyer
from tests.fakes.wechat import APP_ID, APP_SECRET, FakeWechat
from tests.fakes.wechatpay import FakeWechatPay

OPENID = "o-buyer-openid"  # wechat_order's buyer


async def wechat_paid(
    api: Api,
    wechat: tuple[FakeWechat, str],
    wechatpay: tuple[FakeWechatPay, str],
    quantity: int = 2,
    openid: str = OPENID,
) -> tuple[str, str, dict[str, Any]]:
    """(shop owner token, order id, order document) of a new shop's order of `quantity` units, paid through WeChat
    Pay by the WeChat user `openid`, the payment known to WeChat."""
    seller, _ = await api.login(f"卖家-{openid}")
    buyer = await wechat_buyer(api, wechat[0], openid)
    _, _, (sku,) = await make_product(api, seller, prices=(2990,), stock=10)
    placed = (await place(api, buyer, [line(sku, quantity)], "wx-order"))["order"]
    await api.gql(PAY, {"id": placed["id"], "k": "p", "m": "WECHAT_PAY"}, token=buyer)
    await notify(api, *wechatpay[0].paid(placed["number"]))
    doc = await order_doc(api, placed["id"])
    wechat[0].pay(doc["transactionId"], openid)
    return seller, placed["id"], doc


def reports(shipped: Any) -> list[str]:
    return [s["wechatReport"] for s in shipped["order"]["shipments"]]


async def test_a_package_is_reported_to_wechat_with_our_token(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a paid WeChat Pay order of 2 units
    fake = wechat[0]
    owner, order_id, doc = await wechat_paid(api_pay, wechat, wechatpay)
    # when the shop ships it in one package
    shipped = await ship(api_pay, owner, order_id, package("ZTO", "73100200300", (0, 2)))
    # then WeChat has it, as one unified delivery of that payment, for its payer
    assert shipped["order"]["status"] == "SHIPPED" and reports(shipped) == ["REPORTED"]
    [body] = fake.uploads
    assert body["order_key"] == {"order_number_type": 2, "transaction_id": doc["transactionId"]}
    assert (body["logistics_type"], body["delivery_mode"]) == (1, 1) and "is_all_delivered" not in body
    assert body["shipping_list"] == [
        {"tracking_no": "73100200300", "express_company": "ZTO", "item_desc": "测试商品*2"}
    ]
    assert body["payer"] == {"openid": OPENID}
    uploaded = datetime.fromisoformat(body["upload_time"])
    assert body["upload_time"].endswith("+08:00") and uploaded.tzinfo is not None
    assert fake.shipping[doc["transactionId"]]["delivered"] is True
    assert fake.token_calls == 1


async def test_packages_shipped_apart_are_split_deliveries_the_last_one_all_delivered(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a paid WeChat Pay order of 3 units
    fake = wechat[0]
    owner, order_id, doc = await wechat_paid(api_pay, wechat, wechatpay, quantity=3)
    use_clock(api_pay)  # time stands still: WeChat takes a later upload_time only, so ours must still increase
    # when one unit ships, then two in two packages
    first = await ship(api_pay, owner, order_id, package("YTO", "YT1", (0, 1)))
    rest = await ship(api_pay, owner, order_id, package("YD", "YD2", (0, 1)), package("STO", "ST3", (0, 1)))
    # then each upload is a split delivery with only its new packages, the last one saying all is delivered
    assert reports(first) == ["REPORTED"] and reports(rest) == ["REPORTED"] * 3
    assert [(b["delivery_mode"], b["is_all_delivered"], len(b["shipping_list"])) for b in fake.uploads] == [
        (2, False, 1),
        (2, True, 2),
    ]
    first_at, last_at = (datetime.fromisoformat(b["upload_time"]) for b in fake.uploads)
    assert last_at > first_at
    held = fake.shipping[doc["transactionId"]]
    assert held["delivered"] and [p["tracking_no"] for p in held["packages"]] == ["YT1", "YD2", "ST3"]
    assert fake.token_calls == 1  # the cached token served both


async def test_sf_takes_the_receiver_s_phone_masked_and_without_a_phone_it_is_not_reported(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a paid WeChat Pay order whose checkout kept the address (with the recipient's phone)
    fake = wechat[0]
    owner, order_id, doc = await wechat_paid(api_pay, wechat, wechatpay)
    address = {"recipient": "张三", "phone": "13812345678", "detail": "某路1号"}
    await api_pay.services.store.update_one("orders", {"_id": doc["_id"]}, {"$set": {"shippingAddress": address}})
    # when it ships with SF
    shipped = await ship(api_pay, owner, order_id, package("SF", "SF1400000001", (0, 2)))
    # then WeChat has it with the phone masked, the last 4 digits in clear
    assert reports(shipped) == ["REPORTED"]
    assert fake.uploads[0]["shipping_list"][0]["contact"] == {"receiver_contact": "138****5678"}
    # given another order without an address (placed before checkout kept one)
    owner, other_id, _ = await wechat_paid(api_pay, wechat, wechatpay, openid="o-other-buyer")
    # when it ships with SF, then it stands shipped, marked FAILED for the merchant to enter, and nothing is sent
    shipped = await ship(api_pay, owner, other_id, package("SF", "SF1400000002", (0, 2)))
    assert shipped["errors"] == [] and shipped["order"]["status"] == "SHIPPED" and reports(shipped) == ["FAILED"]
    assert fake.upload_calls == 1


async def test_a_refused_token_is_renewed_and_the_upload_made_once_more(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a first package reported, then WeChat expiring the token we hold
    fake = wechat[0]
    owner, order_id, _ = await wechat_paid(api_pay, wechat, wechatpay, quantity=2)
    await ship(api_pay, owner, order_id, package("ZTO", "ZT1", (0, 1)))
    fake.expire_token()
    # when the next package ships
    shipped = await ship(api_pay, owner, order_id, package("ZTO", "ZT2", (0, 1)))
    # then our token was refused (42001), a fresh one fetched, and the upload made with it
    assert reports(shipped) == ["REPORTED", "REPORTED"]
    assert (fake.token_calls, fake.upload_calls, len(fake.uploads)) == (2, 3, 2)


async def test_a_token_wechat_will_not_issue_leaves_the_package_pending_and_shipped(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given WeChat refusing our app secret
    fake = wechat[0]
    owner, order_id, _ = await wechat_paid(api_pay, wechat, wechatpay)
    fake.refuse_secret = True
    # when the shop ships
    shipped = await ship(api_pay, owner, order_id, package("JTSD", "JT0001", (0, 2)))
    # then the order is shipped, its package waits for WeChat, and the sweep uploads it once the secret passes
    assert shipped["errors"] == [] and shipped["order"]["status"] == "SHIPPED" and reports(shipped) == ["PENDING"]
    assert fake.upload_calls == 0
    fake.refuse_secret = False
    clock = use_clock(api_pay)
    clock.advance(minutes=1)
    await sweep(api_pay.services)
    assert [s["wechatReport"] for s in await shipments(api_pay, owner, order_id)] == ["REPORTED"]


async def shipments(api: Api, token: str, order_id: str) -> list[dict[str, Any]]:
    # the shop owner sees the order through node
    query = "query($id: ID!) { order(id: $id) { shipments { trackingNumber wechatReport } } }"
    return list((await api.gql(query, {"id": order_id}, token=token))["data"]["order"]["shipments"])


async def test_an_outage_is_retried_by_the_sweep_with_a_backoff(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given WeChat answering "system error" to the next two uploads
    fake = wechat[0]
    owner, order_id, _ = await wechat_paid(api_pay, wechat, wechatpay)
    clock = use_clock(api_pay)
    fake.outage = 2
    # when the shop ships: the package stands, pending
    shipped = await ship(api_pay, owner, order_id, package("EMS", "EA0001CN", (0, 2)))
    assert shipped["order"]["status"] == "SHIPPED" and reports(shipped) == ["PENDING"]
    # then the sweep asks again only once due: after 10 s, then 20 s
    assert await retry_due(api_pay.services) == 0
    clock.advance(minutes=11 / 60)
    assert await retry_due(api_pay.services) == 1  # the second outage
    clock.advance(minutes=11 / 60)
    assert await retry_due(api_pay.services) == 0
    clock.advance(minutes=10 / 60)
    assert await retry_due(api_pay.services) == 1
    assert [s["wechatReport"] for s in await shipments(api_pay, owner, order_id)] == ["REPORTED"]
    assert (fake.upload_calls, len(fake.uploads)) == (3, 1)
    clock.advance(minutes=60)
    assert await retry_due(api_pay.services) == 0  # nothing left to report


async def test_an_upload_wechat_never_takes_is_given_up_after_its_attempts(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given WeChat down for good, and 3 attempts allowed
    fake = wechat[0]
    api_pay.services.settings.WECHAT_SHIPPING_MAX_ATTEMPTS = 3
    owner, order_id, _ = await wechat_paid(api_pay, wechat, wechatpay)
    clock = use_clock(api_pay)
    fake.outage = 1000
    # when the shop ships and the sweep runs for hours
    await ship(api_pay, owner, order_id, package("DBL", "DPK100", (0, 2)))
    for _ in range(10):
        clock.advance(minutes=90)
        await sweep(api_pay.services)
    # then it was uploaded 3 times and is FAILED, for the merchant to enter by hand; the order stays shipped
    assert fake.upload_calls == 3
    assert [s["wechatReport"] for s in await shipments(api_pay, owner, order_id)] == ["FAILED"]
    doc = await order_doc(api_pay, order_id)
    assert doc["status"] == "SHIPPED" and doc["wechatReportFailed"] == "GAVE_UP" and "wechatReportDue" not in doc


async def test_racing_reports_upload_a_package_once(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a package WeChat did not take the first time, now due again
    fake = wechat[0]
    owner, order_id, _ = await wechat_paid(api_pay, wechat, wechatpay)
    clock = use_clock(api_pay)
    fake.outage = 1
    await ship(api_pay, owner, order_id, package("YTO", "YT9", (0, 2)))
    clock.advance(minutes=1)
    # when six reports race (sweeps of several processes, a shipOrder)
    await asyncio.gather(*(report(api_pay.services, from_global_id(order_id)[1]) for _ in range(6)))
    # then exactly one uploaded it
    assert (fake.upload_calls, len(fake.uploads)) == (2, 1)
    assert [s["wechatReport"] for s in await shipments(api_pay, owner, order_id)] == ["REPORTED"]


async def test_orders_not_paid_through_wechat_pay_and_untracked_packages_are_not_reported(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a DEV_PAY order and a WeChat Pay one, with WeChat configured
    fake = wechat[0]
    owner, order_id, _ = await wechat_paid(api_pay, wechat, wechatpay)
    seller, _ = await api_pay.login("开发卖家")
    buyer, _ = await api_pay.login("开发买家")
    _, _, (sku,) = await make_product(api_pay, seller, stock=5)
    dev_order = (await place(api_pay, buyer, [line(sku)], "dev"))["order"]["id"]
    await pay(api_pay, buyer, dev_order)
    # when both ship, the WeChat Pay one the contract's way (no tracking)
    dev = await ship(api_pay, seller, dev_order, package("SF", "SF77", (0, 1)))
    bare = await ship(api_pay, owner, order_id)
    # then neither is sent to WeChat
    assert reports(dev) == ["NOT_REQUIRED"] and reports(bare) == ["NOT_REQUIRED"]
    assert fake.upload_calls == 0 and "wechatReportDue" not in await order_doc(api_pay, order_id)


async def test_the_access_token_is_cached_until_shortly_before_it_expires(wechat: tuple[FakeWechat, str]) -> None:
    fake, base = wechat
    now = [0.0]
    async with aiohttp.ClientSession() as http:
        tokens = AccessToken(http, base, APP_ID, APP_SECRET, clock=lambda: now[0])
        first = await asyncio.gather(*(tokens.get() for _ in range(5)))
        assert len(set(first)) == 1 and fake.token_calls == 1  # one request however many callers wait
        now[0] = 7200 - 301
        assert await tokens.get() == first[0] and fake.token_calls == 1
        now[0] = 7200 - 299  # within the margin before WeChat's expiry: asked again
        await tokens.get()
        assert fake.token_calls == 2
        tokens.invalidate("some-older-token")  # a refusal of a token we no longer hold changes nothing
        await tokens.get()
        assert fake.token_calls == 2

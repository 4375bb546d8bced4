"""Payouts through the API against the local WeChat Pay fake: a withdrawal's merchant transfer (商家转账) from
request to PAID or FAILED, its notification verified like a payment's, the money of a failed transfer back once
however the end is told (twice at once, or racing the sweep's query), outages, refusals, and the dev path."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.ids import from_global_id
from resolvers.distribution import settle_due
from resolvers.payouts import check_withdrawals
from tests.api.conftest import Api, Clock, use_clock
from tests.api.test_distribution import APPLY, PLACE, invite_code, login, mine, shop_with_policy
from tests.api.test_orders import CONFIRM, SHIP, act, pay
from tests.api.test_wechatpay import notify, wechat_buyer
from tests.fakes.wechat import APP_ID, FakeWechat
from tests.fakes.wechatpay import MCH_ID, FakeWechatPay

WITHDRAW = """mutation($a: Long!, $k: String!) { withdrawCommission(input: {amount: $a, idempotencyKey: $k}) {
  withdrawal { id status amount { amount } transferState failureReason confirmParams { mchId appId package } }
  errors { code field } } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Withdrawal {
  status transferState failureReason paidAt failedAt confirmParams { mchId appId package } } } }"""
MINE = """{ myDistribution { withdrawals(first: 10) { edges { node { id status amount { amount } } } } } }"""
Fakes = tuple[FakeWechat, str]
PayFakes = tuple[FakeWechatPay, str]


async def earner(api: Api, wechat: FakeWechat | None, name: str = "payee", price: int = 10_000) -> str:
    """A distributor with 10% of `price` available (signed in with WeChat unless `wechat` is None)."""
    owner, shop_id, sku = await shop_with_policy(api, [1000], price=price)
    token = await wechat_buyer(api, wechat, f"o-{name}") if wechat else (await api.login(name))[0]
    await api.gql(APPLY, {"s": shop_id}, token=token)
    buyer, _ = await login(api, f"{name}-buyer", await invite_code(api, token))
    order = (await api.gql(PLACE, {"s": sku, "k": name, "t": None}, token=buyer))["data"]["placeOrder"]["order"]
    await pay(api, buyer, order["id"])
    await act(api, SHIP, owner, order["id"])
    await act(api, CONFIRM, buyer, order["id"])
    assert await settle_due(api.services) == 1
    return token


async def withdraw(api: Api, token: str, amount: int, key: str = "w1") -> Any:
    return (await api.gql(WITHDRAW, {"a": amount, "k": key}, token=token))["data"]["withdrawCommission"]


async def node(api: Api, token: str, withdrawal_id: str) -> Any:
    return (await api.gql(NODE, {"id": withdrawal_id}, token=token))["data"]["node"]


def raw(withdrawal_id: str) -> str:
    return from_global_id(withdrawal_id)[1]


async def money(api: Api, token: str) -> tuple[int, int]:
    """(available, withdrawn): the balance's counters, checked against the ledger's sums."""
    stats = (await mine(api, token))["stats"]
    user_id = raw((await api.gql("{ me { id } }", token=token))["data"]["me"]["id"])
    balance = await api.services.store.get("balances", user_id) or {}
    assert (balance["available"], balance["withdrawn"]) == (stats["available"]["amount"], stats["withdrawn"]["amount"])
    return balance["available"], balance["withdrawn"]


async def ledger_kinds(api: Api, withdrawal_id: str) -> list[str]:
    page = await api.services.store.find("ledger", {"ref": raw(withdrawal_id)}, sort="seq", limit=100)
    return [e["kind"] for e in page.docs]


async def ledger_intact(api: Api) -> bool:
    from resolvers.distribution import verify_ledger

    _, bad, _ = await verify_ledger(api.services)
    return bad is None


async def test_a_withdrawal_is_transferred_and_paid_when_wechat_pay_says_success(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes
) -> None:
    fake = wechatpay[0]
    # given a WeChat user with 1,000 fen of settled commission
    token = await earner(api_pay, wechat[0])
    # when they withdraw 600
    payload = await withdraw(api_pay, token, 600)
    # then a transfer of 600 to their openid is made under its own bill number, and it waits for them to confirm
    w = payload["withdrawal"]
    assert payload["errors"] == [] and (w["status"], w["transferState"]) == ("PROCESSING", "WAIT_USER_CONFIRM")
    bill = fake.bills[raw(w["id"])]
    assert w["confirmParams"] == {"mchId": MCH_ID, "appId": APP_ID, "package": bill["package_info"]}
    assert (bill["openid"], bill["transfer_amount"], bill["appid"]) == ("o-payee", 600, APP_ID)
    assert (bill["transfer_scene_id"], bill["user_recv_perception"], bill["transfer_remark"]) == (
        "1005",
        "劳务报酬",
        "佣金提现",
    )
    assert bill["notify_url"] == "https://shop.example.com/webhooks/wechatpay"
    assert [i["info_type"] for i in bill["transfer_scene_report_infos"]] == ["岗位类型", "报酬说明"]
    assert await money(api_pay, token) == (400, 600) and fake.bad_signatures == 0
    # when the user confirms and WeChat Pay says SUCCESS
    assert await notify(api_pay, *fake.transfer_finished(raw(w["id"]))) == (200, {"code": "SUCCESS", "message": ""})
    # then it is PAID, once, with the one WITHDRAWN entry in the ledger
    now = await node(api_pay, token, w["id"])
    assert (now["status"], now["transferState"], now["confirmParams"]) == ("PAID", "SUCCESS", None)
    assert now["paidAt"] is not None and await ledger_kinds(api_pay, w["id"]) == ["WITHDRAWN"]
    replay = await withdraw(api_pay, token, 600)
    assert replay["withdrawal"]["id"] == w["id"] and replay["withdrawal"]["status"] == "PAID"
    assert fake.transfer_requests == 1 and await money(api_pay, token) == (400, 600)
    listed = (await api_pay.gql(MINE, token=token))["data"]["myDistribution"]["withdrawals"]["edges"]
    assert [(e["node"]["id"], e["node"]["status"]) for e in listed] == [(w["id"], "PAID")]
    assert await ledger_intact(api_pay)


async def test_a_failed_transfer_gives_the_money_back_once(api_pay: Api, wechat: Fakes, wechatpay: PayFakes) -> None:
    fake = wechatpay[0]
    # given a withdrawal of 600 of 1,000 being transferred
    token = await earner(api_pay, wechat[0])
    w = (await withdraw(api_pay, token, 600))["withdrawal"]
    # when WeChat Pay says the transfer failed, and says it again
    for _ in range(2):
        finished = fake.transfer_finished(raw(w["id"]), "FAIL", "PAYEE_ACCOUNT_ABNORMAL")
        assert (await notify(api_pay, *finished))[0] == 200
    assert await check_withdrawals(api_pay.services) == 0
    # then it is FAILED, its 600 are available again once, with one reversing entry in an intact ledger
    now = await node(api_pay, token, w["id"])
    assert (now["status"], now["failureReason"], now["transferState"]) == ("FAILED", "PAYEE_ACCOUNT_ABNORMAL", "FAIL")
    assert now["failedAt"] is not None and now["confirmParams"] is None
    assert await money(api_pay, token) == (1000, 0)
    assert await ledger_kinds(api_pay, w["id"]) == ["WITHDRAWN", "WITHDRAWAL_RETURNED"]
    assert await ledger_intact(api_pay)
    # and the money can be withdrawn again (another key, another bill)
    again = (await withdraw(api_pay, token, 1000, "w2"))["withdrawal"]
    assert again["status"] == "PROCESSING" and raw(again["id"]) in fake.bills and len(fake.bills) == 2


async def test_forged_replayed_stale_and_mismatched_transfer_notifications_are_refused(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes
) -> None:
    fake = wechatpay[0]
    token = await earner(api_pay, wechat[0])
    w = (await withdraw(api_pay, token, 600))["withdrawal"]
    no = raw(w["id"])
    # when failures are told that WeChat Pay did not sign, long ago, under another key, altered, or wrong
    forged = fake.transfer_finished(no, "FAIL", signing_key=rsa.generate_private_key(65537, 2048))
    assert (await notify(api_pay, *forged))[0] == 401
    assert (await notify(api_pay, *fake.transfer_finished(no, "FAIL", timestamp=int(time.time()) - 3600)))[0] == 401
    assert (await notify(api_pay, *fake.transfer_finished(no, "FAIL", apiv3_key="0" * 32)))[0] == 401
    headers, body = fake.transfer_finished(no, "FAIL")
    altered = body.replace('"MCHTRANSFER.BILL.FINISHED"', '"MCHTRANSFER.BILL.FINISHED" ')
    assert (await notify(api_pay, headers, altered))[0] == 401
    assert (await notify(api_pay, *fake.transfer_finished(no, "FAIL", amount=1)))[0] == 400
    unknown = fake.notification("MCHTRANSFER.BILL.FINISHED", {"out_bill_no": "nope", "state": "FAIL"})
    assert (await notify(api_pay, *unknown))[0] == 404
    # then nothing moved
    assert (await node(api_pay, token, w["id"]))["status"] == "PROCESSING"
    assert await money(api_pay, token) == (400, 600) and await ledger_kinds(api_pay, w["id"]) == ["WITHDRAWN"]
    # and a genuine delivery is applied, the very same delivery again refused as a replay
    genuine = fake.transfer_finished(no, "SUCCESS")
    assert (await notify(api_pay, *genuine))[0] == 200
    assert (await notify(api_pay, *genuine))[0] == 409
    assert (await node(api_pay, token, w["id"]))["status"] == "PAID"


async def test_the_same_fail_notification_twice_at_once_returns_the_money_once(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes
) -> None:
    fake = wechatpay[0]
    token = await earner(api_pay, wechat[0])
    w = (await withdraw(api_pay, token, 600))["withdrawal"]
    no = raw(w["id"])
    # when the failure is delivered 8 times at once: 4 redeliveries (each signed afresh), each of them twice
    deliveries = [fake.transfer_finished(no, "FAIL", "TRANSFER_RISK") for _ in range(4)]
    answers = await asyncio.gather(*(notify(api_pay, *d) for d in deliveries for _ in range(2)))
    # then every redelivery is accepted once (its copy is a replay, or was accepted the same), and the money is
    # back once: one reversing entry, the balance as before the withdrawal
    assert {status for status, _ in answers} <= {200, 409} and sum(s == 200 for s, _ in answers) >= 4
    assert await ledger_kinds(api_pay, w["id"]) == ["WITHDRAWN", "WITHDRAWAL_RETURNED"]
    assert await money(api_pay, token) == (1000, 0)
    assert (await node(api_pay, token, w["id"]))["status"] == "FAILED" and await ledger_intact(api_pay)


async def test_a_fail_notification_racing_the_sweeps_query_returns_the_money_once(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes
) -> None:
    fake = wechatpay[0]
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0], price=20_000)
    first = (await withdraw(api_pay, token, 600))["withdrawal"]
    second = (await withdraw(api_pay, token, 800, "w2"))["withdrawal"]
    # given the first bill failed at WeChat Pay, and the sweep's time to query the bills has come
    told = fake.transfer_finished(raw(first["id"]), "FAIL", "PAYEE_ACCOUNT_ABNORMAL")
    clock.advance(minutes=5)
    # when its notification arrives while the sweep's query of it is on its way (WeChat Pay answers in 0.3 s)
    fake.slow = 0.3
    sweeping = asyncio.create_task(check_withdrawals(api_pay.services))
    await asyncio.sleep(0.1)
    assert (await notify(api_pay, *told))[0] == 200
    assert not sweeping.done() and await sweeping == 2 and fake.transfer_queries >= 1
    # and the second's failure is told and queried at the same time, in whatever order they interleave
    fake.slow = 0.0
    told = fake.transfer_finished(raw(second["id"]), "FAIL", "PAYEE_ACCOUNT_ABNORMAL")
    assert (await node(api_pay, token, second["id"]))["status"] == "PROCESSING"
    clock.advance(minutes=5)
    answered, looked = await asyncio.gather(notify(api_pay, *told), check_withdrawals(api_pay.services))
    # then each failure was heard, and each withdrawal's money is back once
    assert answered[0] == 200 and looked <= 1
    for w in (first, second):
        assert await ledger_kinds(api_pay, w["id"]) == ["WITHDRAWN", "WITHDRAWAL_RETURNED"]
        assert (await node(api_pay, token, w["id"]))["status"] == "FAILED"
    assert await money(api_pay, token) == (2000, 0) and await ledger_intact(api_pay)


async def test_an_outage_keeps_the_withdrawal_safe_and_the_sweep_asks_again_under_the_same_bill(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes
) -> None:
    fake = wechatpay[0]
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0], price=20_000)
    # when WeChat Pay is down as the withdrawal is made
    fake.down = True
    first = await withdraw(api_pay, token, 600)
    # then the withdrawal is taken and PROCESSING, nothing to confirm yet, no bill made
    w = first["withdrawal"]
    assert first["errors"] == [] and (w["status"], w["transferState"], w["confirmParams"]) == ("PROCESSING", None, None)
    assert fake.bills == {} and await money(api_pay, token) == (1400, 600)
    # and while it is down the sweep's look changes nothing but when it looks next
    clock.advance(minutes=1)
    assert await check_withdrawals(api_pay.services) == 1 and fake.bills == {}
    assert await check_withdrawals(api_pay.services) == 0  # not yet due again (the delay grows)
    # when WeChat Pay is back, the next look finds no bill and asks for it under the same number
    fake.down = False
    clock.advance(minutes=1)
    assert await check_withdrawals(api_pay.services) == 1
    assert list(fake.bills) == [raw(w["id"])]
    assert (await node(api_pay, token, w["id"]))["confirmParams"]["package"] == fake.bills[raw(w["id"])]["package_info"]
    # when a bill is made but its answer is lost
    fake.lose_answers = True
    lost = (await withdraw(api_pay, token, 800, "w2"))["withdrawal"]
    fake.lose_answers = False
    assert lost["status"] == "PROCESSING" and lost["confirmParams"] is None and raw(lost["id"]) in fake.bills
    # then the sweep finds the bill, and asking again for it (原单重试) answers its package: still one bill
    clock.advance(minutes=1)
    assert await check_withdrawals(api_pay.services) >= 1
    assert len(fake.bills) == 2 and (await node(api_pay, token, lost["id"]))["confirmParams"] is not None
    # and it is paid once when WeChat Pay says so
    assert (await notify(api_pay, *fake.transfer_finished(raw(lost["id"]))))[0] == 200
    assert (await node(api_pay, token, lost["id"]))["status"] == "PAID"
    assert await money(api_pay, token) == (600, 1400) and await ledger_intact(api_pay)


async def test_a_refusal_for_good_fails_the_withdrawal_and_a_passing_one_is_asked_again(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes
) -> None:
    fake = wechatpay[0]
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0])
    # when WeChat Pay refuses the transfer for good and has no bill by its number
    fake.transfer_refusal = (403, "NO_AUTH")
    refused = (await withdraw(api_pay, token, 600))["withdrawal"]
    # then it failed, its money back at once
    assert (refused["status"], refused["failureReason"]) == ("FAILED", "NO_AUTH")
    assert await money(api_pay, token) == (1000, 0)
    assert await ledger_kinds(api_pay, refused["id"]) == ["WITHDRAWN", "WITHDRAWAL_RETURNED"]
    # when it refuses with a reason that may pass (the merchant's account is short)
    fake.transfer_refusal = (403, "NOT_ENOUGH")
    waiting = (await withdraw(api_pay, token, 600, "w2"))["withdrawal"]
    assert (waiting["status"], waiting["failureReason"]) == ("PROCESSING", None)
    # then the sweep asks again later, and it goes through
    fake.transfer_refusal = None
    clock.advance(minutes=1)
    assert await check_withdrawals(api_pay.services) == 1
    assert (await node(api_pay, token, waiting["id"]))["transferState"] == "WAIT_USER_CONFIRM"
    assert await money(api_pay, token) == (400, 600)


async def test_a_transfer_never_confirmed_is_cancelled_and_its_money_returned(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes
) -> None:
    fake = wechatpay[0]
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0])
    w = (await withdraw(api_pay, token, 600))["withdrawal"]
    # given the user does not confirm it: the sweep looks with a growing delay and leaves it waiting
    await sweep_for(api_pay, clock, hours=47)
    assert (await node(api_pay, token, w["id"]))["transferState"] == "WAIT_USER_CONFIRM"
    # when it has waited WITHDRAWAL_CONFIRM_HOURS (48)
    await sweep_for(api_pay, clock, hours=3)
    # then it is cancelled with WeChat Pay, and once CANCELLED its money is back
    bill = fake.bills[raw(w["id"])]
    assert bill["state"] == "CANCELLED"
    now = await node(api_pay, token, w["id"])
    assert (now["status"], now["failureReason"]) == ("FAILED", "CANCELLED")
    assert await money(api_pay, token) == (1000, 0)


async def sweep_for(api: Api, clock: Clock, hours: float) -> None:
    for _ in range(int(hours * 6)):  # every 10 minutes
        clock.advance(minutes=10)
        await check_withdrawals(api.services)


async def test_bad_withdrawals_are_refused_and_change_nothing(api_pay: Api, wechat: Fakes, wechatpay: PayFakes) -> None:
    fake = wechatpay[0]
    token = await earner(api_pay, wechat[0])
    no_wechat = await earner(api_pay, None, "devuser")
    store = api_pay.services.store
    # a user who did not sign in with WeChat has no WeChat balance to be paid to
    assert (await withdraw(api_pay, no_wechat, 600))["errors"] == [{"code": "PAYMENT_FAILED", "field": None}]
    # more than available, past WITHDRAWAL_MAX, under 1 yuan
    assert (await withdraw(api_pay, token, 1001))["errors"] == [
        {"code": "INSUFFICIENT_FUNDS", "field": ["input", "amount"]}
    ]
    for amount in (200_000, 99):
        assert (await withdraw(api_pay, token, amount))["errors"] == [
            {"code": "INVALID_INPUT", "field": ["input", "amount"]}
        ]
    assert await store.count("withdrawals", {}) == 0 and fake.transfer_requests == 0
    assert await money(api_pay, token) == (1000, 0) and await money(api_pay, no_wechat) == (1000, 0)
    # a key used again for another amount
    first = (await withdraw(api_pay, token, 300, "k"))["withdrawal"]
    assert (await withdraw(api_pay, token, 400, "k"))["errors"] == [
        {"code": "CONFLICT", "field": ["input", "idempotencyKey"]}
    ]
    assert await store.count("withdrawals", {}) == 1 and first["status"] == "PROCESSING"


async def test_one_key_sent_ten_times_at_once_withdraws_and_transfers_once(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes
) -> None:
    fake = wechatpay[0]
    token = await earner(api_pay, wechat[0])
    results = await asyncio.gather(*(withdraw(api_pay, token, 600, "same") for _ in range(10)))
    assert all(r["errors"] == [] for r in results)
    assert len({r["withdrawal"]["id"] for r in results}) == 1
    assert len(fake.bills) == 1 and fake.transfer_requests == 1
    assert await money(api_pay, token) == (400, 600)


async def test_in_dev_mode_without_wechat_pay_a_withdrawal_is_paid_at_once(api: Api) -> None:
    token = await earner(api, None)
    payload = await withdraw(api, token, 600)
    w = payload["withdrawal"]
    assert (w["status"], w["transferState"], w["confirmParams"]) == ("PAID", None, None)
    assert await money(api, token) == (400, 600) and await ledger_kinds(api, w["id"]) == ["WITHDRAWN"]


async def test_a_slow_wechat_pay_does_not_hold_the_sweep(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolvers import payouts

    fake = wechatpay[0]
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0])
    # given three withdrawals due to be looked at while WeChat Pay takes 0.3 s to answer
    fake.down = True
    for key in ("a", "b", "c"):
        assert (await withdraw(api_pay, token, 100, key))["withdrawal"]["status"] == "PROCESSING"
    fake.down, fake.slow = False, 0.3
    clock.advance(minutes=1)
    monkeypatch.setattr(payouts, "SWEEP_BUDGET_SECONDS", 0.2)
    # when the sweep runs, then it stops starting looks once its budget is spent; the rest wait for the next
    assert await check_withdrawals(api_pay.services) == 1
    assert await check_withdrawals(api_pay.services) == 1
    assert len(fake.bills) == 2

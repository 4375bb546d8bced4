"""A withdrawal whose request dies between two of its steps is finished by the sweep once its lease is over: the
money taken once (or not at all), the transfer asked for under its own bill number, money owed back given back
once. The death is a step raising; everything else is the real app against the WeChat Pay fake."""

from __future__ import annotations

from typing import Any

import pytest

from domain import payouts as rules
from resolvers import payouts
from resolvers.payouts import check_withdrawals
from tests.api.conftest import Api, use_clock
from tests.api.test_payouts import WITHDRAW, Fakes, PayFakes, earner, ledger_intact, ledger_kinds, money, node, raw
from tests.api.test_wechatpay import notify

LEASE_MINUTES = rules.LEASE_MS / 60_000 + 1


def die_in(monkeypatch: pytest.MonkeyPatch, name: str, when: Any = None) -> None:
    """The request dies when it reaches `payouts.<name>` (for the calls `when` picks), as a crashed process would."""
    real = getattr(payouts, name)

    async def dying(*args: Any, **kwargs: Any) -> Any:
        if when is None or when(*args, **kwargs):
            monkeypatch.setattr(payouts, name, real)  # one death; the sweep runs the real step
            raise RuntimeError(f"the process died in {name}")
        return await real(*args, **kwargs)

    monkeypatch.setattr(payouts, name, dying)


async def withdraw_dying(api: Api, token: str, amount: int, key: str = "w1") -> str:
    """The id of the withdrawal a request that died left behind."""
    body = await api.gql(WITHDRAW, {"a": amount, "k": key}, token=token, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    page = await api.services.store.find("withdrawals", {"key": key}, limit=1)
    return str(page.docs[0]["_id"])


async def test_a_request_that_died_before_taking_the_money_is_finished_by_the_sweep(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = wechatpay[0]
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0])
    # given a request that died after recording its withdrawal, before taking the money
    die_in(monkeypatch, "_take")
    withdrawal_id = await withdraw_dying(api_pay, token, 600)
    assert await money(api_pay, token) == (1000, 0)
    # when the sweep looks: not before the request's lease is over
    assert await check_withdrawals(api_pay.services) == 0
    clock.advance(minutes=LEASE_MINUTES)
    assert await check_withdrawals(api_pay.services) == 1
    # then the money is taken once and the transfer made under the withdrawal's bill number
    assert await money(api_pay, token) == (400, 600) and list(fake.bills) == [withdrawal_id]
    gid = (await api_pay.gql("{ myDistribution { withdrawals { edges { node { id } } } } }", token=token))["data"]
    wid = gid["myDistribution"]["withdrawals"]["edges"][0]["node"]["id"]
    assert (await node(api_pay, token, wid))["transferState"] == "WAIT_USER_CONFIRM"
    assert await ledger_kinds(api_pay, wid) == ["WITHDRAWN"] and await ledger_intact(api_pay)


async def test_a_request_that_died_after_taking_the_money_does_not_take_it_twice(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = wechatpay[0]
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0])
    # given a request that died once the money was taken, before its ledger entry and the transfer
    die_in(monkeypatch, "_start")
    withdrawal_id = await withdraw_dying(api_pay, token, 600)
    balance = await api_pay.services.store.get("balances", (await withdrawal_doc(api_pay, withdrawal_id))["userId"])
    assert balance is not None and balance["available"] == 400
    # when the sweep resumes it
    clock.advance(minutes=LEASE_MINUTES)
    assert await check_withdrawals(api_pay.services) == 1
    # then the money was taken once, written once, and transferred once
    assert await money(api_pay, token) == (400, 600)
    doc = await withdrawal_doc(api_pay, withdrawal_id)
    assert doc["status"] == "PROCESSING" and list(fake.bills) == [withdrawal_id]
    entries = await api_pay.services.store.find("ledger", {"ref": withdrawal_id}, limit=10)
    assert [e["kind"] for e in entries.docs] == ["WITHDRAWN"]
    balance = await api_pay.services.store.get("balances", doc["userId"]) or {}
    assert f"take_{withdrawal_id}" not in balance  # the mark is gone once the move is made


async def test_a_dead_request_whose_money_was_spent_meanwhile_fails_without_moving_any(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0])
    # given a request that died before taking 600, and another withdrawal that took 800 since
    die_in(monkeypatch, "_take")
    withdrawal_id = await withdraw_dying(api_pay, token, 600)
    other = await api_pay.gql(WITHDRAW, {"a": 800, "k": "w2"}, token=token)
    assert other["data"]["withdrawCommission"]["errors"] == []
    # when the sweep resumes the first
    clock.advance(minutes=LEASE_MINUTES)
    await check_withdrawals(api_pay.services)
    # then it failed for want of funds, having taken nothing, and it never can (were its request only slow)
    doc = await withdrawal_doc(api_pay, withdrawal_id)
    assert (doc["status"], doc["failReason"]) == ("FAILED", "INSUFFICIENT_FUNDS")
    assert await money(api_pay, token) == (200, 800)
    assert not await payouts._take(api_pay.services, doc)
    assert await money(api_pay, token) == (200, 800)


async def test_money_owed_back_by_a_request_that_died_is_given_back_once_by_the_sweep(
    api_pay: Api, wechat: Fakes, wechatpay: PayFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = wechatpay[0]
    clock = use_clock(api_pay)
    token = await earner(api_pay, wechat[0])
    w = (await api_pay.gql(WITHDRAW, {"a": 600, "k": "w1"}, token=token))["data"]["withdrawCommission"]["withdrawal"]
    # given the FAIL notification's handling died after the money went back, before its ledger entry
    die_in(monkeypatch, "_entry_once", lambda services, withdrawal, kind, deltas: kind == rules.RETURNED)
    finished = fake.transfer_finished(raw(w["id"]), "FAIL", "PAYEE_ACCOUNT_ABNORMAL")
    assert (await notify(api_pay, *finished))[0] == 500
    # and WeChat Pay's redelivery finds it FAILED already
    assert (await notify(api_pay, *fake.transfer_finished(raw(w["id"]), "FAIL")))[0] == 200
    # when the sweep looks once the lease of the one that died is over
    clock.advance(minutes=LEASE_MINUTES)
    assert await check_withdrawals(api_pay.services) == 1
    assert await check_withdrawals(api_pay.services) == 0
    # then the money is back once, with its one reversing entry
    assert await money(api_pay, token) == (1000, 0)
    assert await ledger_kinds(api_pay, w["id"]) == ["WITHDRAWN", "WITHDRAWAL_RETURNED"]
    assert await ledger_intact(api_pay)
    doc = await withdrawal_doc(api_pay, raw(w["id"]))
    assert "returnDue" not in doc and doc["returnedAt"]


async def withdrawal_doc(api: Api, withdrawal_id: str) -> dict[str, Any]:
    doc = await api.services.store.get("withdrawals", withdrawal_id)
    assert doc is not None
    return doc


async def test_outside_dev_mode_without_wechat_pay_a_withdrawal_is_refused(api_prod: Api) -> None:
    # given a user with available commission on a server without WeChat Pay, not in dev mode
    store = api_prod.services.store
    await store.insert("users", {"_id": "u-prod", "nickname": "生产用户", "createdAt": 0})
    await store.insert("balances", {"_id": "u-prod", "frozen": 0, "available": 1000, "withdrawn": 0})
    # when they withdraw
    body = await api_prod.gql(WITHDRAW, {"a": 600, "k": "w"}, token=api_prod.token_for("u-prod"))
    # then it is refused, and nothing was taken or recorded
    assert body["data"]["withdrawCommission"]["errors"] == [{"code": "PAYMENT_FAILED", "field": None}]
    assert await store.count("withdrawals", {}) == 0
    assert (await store.get("balances", "u-prod") or {})["available"] == 1000

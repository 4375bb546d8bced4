"""The guarded moves of payouts raced on every store with atomic single-document updates: one key withdrawn at
once many times takes the money once, a transfer's failure told many times at once gives it back once, and sweeps
running side by side look at each withdrawal once. Winners are counted, not assumed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from app import wechat_pay
from integrations.wechat_pay import TransferBill
from resolvers import payouts
from resolvers.services import Services
from settings import Settings
from tests.contract.test_commerce_contention import any_services, services
from tests.contract.test_refund_contention import interleaved
from tests.fakes.wechatpay import FakeWechatPay

__all__ = ["any_services", "services"]


@contextlib.asynccontextmanager
async def paying_through_wechat(services: Services) -> AsyncIterator[tuple[Services, FakeWechatPay]]:
    """The services paying through WeChat Pay (the local fake), with a WeChat user holding 1,000 available."""
    fake = FakeWechatPay()
    async with TestServer(fake.app()) as server:
        settings = Settings(
            DATA_DIR=services.settings.DATA_DIR, DEV_LOGIN=True, **fake.settings(str(server.make_url("")), "wxapp")
        )
        services.settings, services.wechat_pay = settings, wechat_pay(settings)
        await services.store.insert("users", {"_id": "u", "nickname": "提现人", "openid": "o-u"})
        await services.store.insert("balances", {"_id": "u", "frozen": 0, "available": 1000, "withdrawn": 0})
        yield services, fake


@pytest.fixture
async def paying(services: Services) -> AsyncIterator[tuple[Services, FakeWechatPay]]:
    async with paying_through_wechat(services) as both:
        yield both


async def ledger_kinds(services: Services, withdrawal_id: str) -> list[str]:
    page = await services.store.find("ledger", {"ref": withdrawal_id}, sort="seq", limit=100)
    return [e["kind"] for e in page.docs]


async def test_one_key_withdrawn_twenty_times_at_once_takes_the_money_once(
    paying: tuple[Services, FakeWechatPay], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, fake = paying
    interleaved(services, monkeypatch)
    results = await asyncio.gather(*(payouts.withdraw(services, "u", 600, "k") for _ in range(20)))
    assert len({r["_id"] for r in results}) == 1
    balance = await services.store.get("balances", "u") or {}
    assert (balance["available"], balance["withdrawn"]) == (400, 600)
    assert await ledger_kinds(services, results[0]["_id"]) == ["WITHDRAWN"] and len(fake.bills) == 1


async def test_a_failure_told_twenty_times_at_once_gives_the_money_back_once(
    paying: tuple[Services, FakeWechatPay], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, _ = paying
    withdrawal = await payouts.withdraw(services, "u", 600, "k")
    assert withdrawal["status"] == "PROCESSING"
    interleaved(services, monkeypatch)
    failed = TransferBill(withdrawal["_id"], "FAIL", fail_reason="PAYEE_ACCOUNT_ABNORMAL", amount=600)
    ends = await asyncio.gather(*(payouts.apply_bill(services, withdrawal, failed) for _ in range(20)))
    assert {e["status"] for e in ends} == {"FAILED"}
    balance = await services.store.get("balances", "u") or {}
    assert (balance["available"], balance["withdrawn"]) == (1000, 0)
    assert await ledger_kinds(services, withdrawal["_id"]) == ["WITHDRAWN", "WITHDRAWAL_RETURNED"]


async def test_sweeps_side_by_side_look_at_each_withdrawal_once(
    paying: tuple[Services, FakeWechatPay], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, fake = paying
    fake.down = True
    made = [await payouts.withdraw(services, "u", 100, f"k{i}") for i in range(5)]
    fake.down = False
    start = services.now()
    services.clock = lambda: start + 60_000
    interleaved(services, monkeypatch)
    looked = await asyncio.gather(*(payouts.check_withdrawals(services) for _ in range(8)))
    assert sum(looked) == 5 and sorted(fake.bills) == sorted(m["_id"] for m in made)
    assert fake.transfer_queries == 5  # each withdrawal's bill was looked up by one sweep only


async def test_a_payout_runs_on_every_store(any_services: Services) -> None:
    async with paying_through_wechat(any_services) as (services, fake):
        # a transfer made, its failure told, the money back; another paid
        failing = await payouts.withdraw(services, "u", 600, "k1")
        assert failing["status"] == "PROCESSING" and fake.bills[failing["_id"]]["transfer_amount"] == 600
        fake.move_bill(failing["_id"], "FAIL", "PAYEE_ACCOUNT_ABNORMAL")
        start = services.now()
        services.clock = lambda: start + 60_000
        assert await payouts.check_withdrawals(services) == 1
        paid = await payouts.withdraw(services, "u", 1000, "k2")
        ended = await payouts.apply_bill(services, paid, TransferBill(paid["_id"], "SUCCESS", amount=1000))
        assert ended["status"] == "PAID"
        assert (await services.store.get("withdrawals", failing["_id"]) or {})["status"] == "FAILED"
        balance = await services.store.get("balances", "u") or {}
        assert (balance["available"], balance["withdrawn"]) == (0, 1000)
        assert [k for k in balance if k.startswith(("take_", "back_"))] == []
        assert await ledger_kinds(services, failing["_id"]) == ["WITHDRAWN", "WITHDRAWAL_RETURNED"]
        listed = await payouts.withdrawals(services, "u", 10, None)
        assert [w["_id"] for w in listed.docs] == [paid["_id"], failing["_id"]]

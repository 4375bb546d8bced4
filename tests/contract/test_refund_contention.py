"""The guarded refund update raced on every store with atomic single-document updates: however many refunds of
one order run at once, those that win never add up to more than was paid. Winners are counted, not assumed."""

from __future__ import annotations

import asyncio

import pytest

from resolvers import refunds
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc
from tests.contract.test_commerce_contention import any_services, services

__all__ = ["any_services", "services"]


def interleaved(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every racer yields between reading the order and updating it, as over a network (SQLite's small statements
    run on the event loop and would otherwise never interleave)."""
    store = services.store
    read = store.get

    async def get_then_yield(collection: str, doc_id: str) -> Doc | None:
        doc = await read(collection, doc_id)
        await asyncio.sleep(0)
        return doc

    monkeypatch.setattr(store, "get", get_then_yield)


async def paid_order(services: Services, total: int) -> str:
    order_id = new_id()
    await services.store.insert("orders", {"_id": order_id, "total": total, "status": "PAID", "history": []})
    return order_id


async def test_of_racing_full_refunds_exactly_one_wins(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a paid order of 1,000
    order_id = await paid_order(services, 1_000)
    interleaved(services, monkeypatch)
    # when 20 refunds of all that is left race (no status guard: `refunded` alone must hold)
    results = await asyncio.gather(*(refunds.claim(services, order_id, None, {}, {}) for _ in range(20)))
    # then exactly one wins, for the whole 1,000
    winners = [r for r in results if r is not None]
    assert [amount for _, amount in winners] == [1_000]
    assert (await services.store.get("orders", order_id) or {})["refunded"] == 1_000


async def test_racing_partial_refunds_win_only_while_money_is_left(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a paid order of 1,000
    order_id = await paid_order(services, 1_000)
    interleaved(services, monkeypatch)
    # when 20 refunds of 300 race, with a refund of the rest among them
    partial = [refunds.claim(services, order_id, 300, {}, {}) for _ in range(20)]
    rest = refunds.claim(services, order_id, None, {}, {})
    results = await asyncio.gather(*partial[:10], rest, *partial[10:])
    # then the winners add up to 1,000 at most, and the store says what they took
    taken = sum(amount for r in results if r is not None for _, amount in [r])
    doc = await services.store.get("orders", order_id) or {}
    assert taken == doc["refunded"] <= 1_000
    assert sum(1 for r in results[:10] + results[11:] if r is not None) <= 3

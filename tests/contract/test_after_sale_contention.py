"""The compare-and-sets of after-sales raced on every store that guarantees single-document atomicity: the order's
record of its after-sales (units and money reserved by requests), an after-sale's status (approvals), the refund
claimed out of the order's payment, and commission shrinking as refunds finish together. Every racer yields between
reading and writing, as over a network. Winners are counted, not assumed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain import after_sales as rules
from domain.distribution import commission
from resolvers import after_sales, catalog, distribution, orders, payments
from resolvers.services import Services
from store.protocol import Doc
from tests.contract.test_commerce_contention import any_services, outcome, services
from tests.contract.test_refund_contention import interleaved

__all__ = ["any_services", "services"]


async def paid_order(services: Services, quantities: tuple[int, ...] = (5, 1), key: str = "k") -> Doc:
    """A paid order of lines at 1,000 and 3,000 a unit, with these quantities."""
    shop = await catalog.create_shop(services, "seller", "店")
    skus = [{"specs": [{"name": "款", "value": str(i)}], "price": p, "stock": 100} for i, p in enumerate((1000, 3000))]
    product = await catalog.create_product(services, shop["_id"], "商品", "", [], None, skus)
    lines = [(f"{product['_id']}{i:03d}", q) for i, q in enumerate(quantities)]
    order = await orders.place_order(services, "buyer", lines, key)
    return (await payments.pay_order(services, "buyer", order["_id"], "DEV_PAY", "p")).order


def asking(services: Services, order: Doc, lines: list[tuple[int, int]], key: str, amount: int | None = None) -> Any:
    return after_sales.request(services, "buyer", order["_id"], rules.REFUND_ONLY, lines, "坏了", [], amount, key)


async def record(services: Services, order: Doc) -> Doc:
    return await services.store.get("orders", order["_id"]) or {}


async def test_the_after_sale_lifecycle_runs_on_every_store(any_services: Services) -> None:
    services = any_services
    order = await paid_order(services)
    # a refund-only, refunded at once; a request cancelled and one rejected, their units free again
    refunded = await after_sales.approve(services, "s", (await asking(services, order, [(0, 2)], "a"))["_id"])
    assert refunded["status"] == rules.REFUNDED and refunded["refundAmount"] == 2_000
    cancelled = await after_sales.cancel(services, "buyer", (await asking(services, order, [(1, 1)], "b"))["_id"])
    rejected = await after_sales.reject(services, "s", (await asking(services, order, [(1, 1)], "c"))["_id"], "不行")
    assert (cancelled["status"], rejected["status"]) == (rules.CANCELLED, rules.REJECTED)
    rest = await after_sales.approve(services, "s", (await asking(services, order, [(0, 3), (1, 1)], "d"))["_id"])
    # every fen back: the order is REFUNDED, its stock all returned (nothing shipped)
    doc = await record(services, order)
    assert (rest["status"], doc["status"], doc["refunded"]) == (rules.REFUNDED, "REFUNDED", 8_000)
    stock = [(await services.store.get("skus", ln["skuId"]) or {})["stock"] for ln in order["lines"]]
    assert stock == [100, 100]
    # and the lists find them
    mine = await after_sales.mine(services, "buyer", None, 10, None)
    assert len(mine.docs) == 4 and mine.docs[0]["_id"] == rest["_id"]
    shop = await after_sales.list_for_shop(services, order["shopId"], rules.REFUNDED, 10, None)
    assert {d["_id"] for d in shop.docs} == {refunded["_id"], rest["_id"]}


async def test_of_racing_requests_for_the_same_units_exactly_one_wins(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = await paid_order(services)
    interleaved(services, monkeypatch)
    results = await asyncio.gather(*(outcome(asking(services, order, [(0, 5)], f"k{i}")) for i in range(20)))
    assert results.count("ok") == 1 and set(results) == {"ok", "INVALID_INPUT"}
    assert len((await record(services, order))["afterSales"]) == 1
    assert await services.store.count("after_sales", {"orderId": order["_id"]}) == 1


async def test_racing_requests_for_one_unit_each_take_exactly_the_units_and_the_money_there_is(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a line of 5 units paid 5,000
    order = await paid_order(services)
    interleaved(services, monkeypatch)
    # when 20 requests for one unit each race
    results = await asyncio.gather(*(outcome(asking(services, order, [(0, 1)], f"k{i}")) for i in range(20)))
    # then 5 win, and together they hold exactly the line's 5,000
    assert results.count("ok") == 5
    doc = await record(services, order)
    assert rules.units_back(doc) == [5, 0] and rules.held_amount(doc) == 5_000


async def test_racing_replays_of_one_key_make_one_request(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    order = await paid_order(services)
    interleaved(services, monkeypatch)
    made = await asyncio.gather(*(asking(services, order, [(0, 1)], "same") for _ in range(20)))
    assert len({m["_id"] for m in made}) == 1
    assert len((await record(services, order))["afterSales"]) == 1


async def test_of_racing_approvals_exactly_one_refunds(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    order = await paid_order(services)
    asked = await asking(services, order, [(0, 2), (1, 1)], "k")
    interleaved(services, monkeypatch)
    results = await asyncio.gather(*(outcome(after_sales.approve(services, "staff", asked["_id"])) for _ in range(20)))
    assert results.count("ok") == 1 and set(results) == {"ok", "INVALID_STATE"}
    doc = await record(services, order)
    assert doc["refunded"] == 5_000 and [e["state"] for e in doc["afterSales"]] == [rules.ENTRY_REFUNDED]
    sku = await services.store.get("skus", order["lines"][0]["skuId"]) or {}
    assert sku["stock"] == 100 - 5 + 2  # the two unshipped units came back once


async def test_refunds_of_several_after_sales_finishing_together_never_pass_what_was_paid(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given five requests of one unit each, and the buyer's refund of the rest of the order
    order = await paid_order(services)
    asked = [await asking(services, order, [(0, 1)], f"k{i}") for i in range(5)]
    interleaved(services, monkeypatch)
    # when they are all approved at once while the buyer asks for the rest of the order
    rest = outcome(payments.refund_order(services, "buyer", order["_id"], "不要了", "r"))
    results = await asyncio.gather(*(outcome(after_sales.approve(services, "s", a["_id"])) for a in asked), rest)
    # then each after-sale refunded its 1,000, the buyer's refund is refused while they hold the order's money
    assert results == ["ok"] * 5 + ["INVALID_STATE"]
    doc = await record(services, order)
    assert doc["refunded"] == 5_000 <= doc["total"] and rules.refunded_amount(doc) == 5_000
    assert doc["status"] == "PAID"


async def test_a_request_racing_the_buyer_s_refund_of_the_order_never_both_win(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for attempt in range(6):  # which one wins varies with the order of arrival: both orders, three times
        order = await paid_order(services, key=f"o{attempt}")
        interleaved(services, monkeypatch)
        racers = [
            outcome(asking(services, order, [(0, 1)], f"k{attempt}")),
            outcome(payments.refund_order(services, "buyer", order["_id"], "不要了", f"r{attempt}")),
        ]
        if attempt % 2:
            racers.reverse()
        results = await asyncio.gather(*racers)
        monkeypatch.undo()
        request, refund = results[::-1] if attempt % 2 else results
        # exactly one of them wins; the other is refused, and the order shows only the winner's doing
        assert sorted([request, refund]) == ["INVALID_STATE", "ok"]
        doc = await record(services, order)
        if refund == "ok":
            assert (doc["status"], rules.refunded(doc), rules.entries(doc)) == ("REFUNDED", doc["total"], [])
        else:
            assert (rules.refunded(doc), len(rules.open_entries(doc))) == (0, 1)


async def test_commission_shrinks_to_what_the_least_kept_earns_when_refunds_finish_together(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a commission of 10% on 10,000, frozen
    row = {
        "_id": "o:1",
        "orderId": "o",
        "userId": "d",
        "rateBp": 1000,
        "amount": 1000,
        "status": "FROZEN",
        "createdAt": 0,
    }
    await services.store.insert("commissions", row)
    await services.store.insert("balances", {"_id": "d", "frozen": 1000, "available": 0, "withdrawn": 0})
    interleaved(services, monkeypatch)
    # when refunds finishing together each shrink it to what the order keeps after them (in any order)
    kept = [9_000, 7_000, 8_000, 4_000, 6_000, 5_000]
    await asyncio.gather(*(distribution.on_order_refunded(services, {"_id": "o"}, k) for k in kept))
    # then it is what the least kept earns, and the balance moved by exactly what was reversed
    after = await services.store.get("commissions", "o:1") or {}
    assert after["amount"] == commission(4_000, 1000) == 400
    assert (await services.store.get("balances", "d") or {})["frozen"] == 400

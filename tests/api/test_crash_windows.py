"""Crash windows of multi-step writes, through the API on the embedded default: a process that dies between two steps
(a step made to raise, with the request's own undo disabled, since a dead process runs nothing after the crash) leaves
a record of what was taken or owed; the sweep finishes or undoes it, exactly once, however often and however
concurrently it runs, also against a live request doing the same steps."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain import recovery as rules
from domain.ids import from_global_id
from jobs.sweep import sweep
from resolvers import checkout, orders, recovery
from resolvers.services import Services
from tests.api.conftest import Api, Clock, make_product, use_clock
from tests.api.test_checkout import CHECKOUT, two_shops  # noqa: F401 (a fixture)
from tests.api.test_orders import CANCEL, PAY, PLACE, REFUND, act, line, pay, place


class Died(Exception):
    """The process stops here: nothing after this point runs."""


def die(*_: Any, **__: Any) -> Any:
    raise Died("the process died here")


async def dies(api: Api, query: str, variables: dict[str, Any], token: str) -> None:
    """The request dies part-way: its client sees an internal error (its process would be gone)."""
    body = await api.gql(query, variables, token=token, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR", body


async def sku_stock(services: Services, sku_id: str) -> int:
    return int((await services.store.get("skus", from_global_id(sku_id)[1]) or {})["stock"])


async def sales(services: Services, product_id: str) -> int:
    return int((await services.store.get("products", from_global_id(product_id)[1]) or {})["salesCount"])


async def leftovers(services: Services, order_id: str, sku_ids: list[str]) -> list[str]:
    """Owed steps, repair times and marks left anywhere by the order: none once it is finished."""
    order = await services.store.get("orders", order_id) or {}
    left = [k for k in order if k.startswith(rules.OWE) or k == rules.REPAIR_AT]
    for sku_id in sku_ids:
        sku = await services.store.get("skus", from_global_id(sku_id)[1]) or {}
        left += [k for k in sku if k.startswith(rules.MARK)]
    return left


async def only_order(services: Services, buyer_token_user: str) -> dict[str, Any]:
    page = await services.store.find("orders", {"buyerId": from_global_id(buyer_token_user)[1]}, limit=10)
    assert len(page.docs) == 1
    return page.docs[0]


async def sweep_twice_at_once(services: Services, clock: Clock) -> None:
    clock.advance(minutes=2)  # past REPAIR_AFTER_MS and STALE_RESERVING_MS
    await asyncio.gather(sweep(services), sweep(services), recovery.repair_due(services))
    await sweep(services)  # and once more: nothing is done again


async def test_a_crash_between_taking_stock_and_leaving_reserving_gives_the_units_back_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = use_clock(api)
    seller, _ = await api.login("崩溃卖家")
    buyer, me = await api.login("崩溃买家")
    _, _, (a, b) = await make_product(api, seller, prices=(1000, 2000), stock=10)
    original_move = orders.move

    async def move_then_die(services: Services, order_id: str, target: str, **kw: Any) -> Any:
        if target == "PENDING_PAYMENT":
            raise Died("after taking the stock, before leaving RESERVING")
        return await original_move(services, order_id, target, **kw)

    monkeypatch.setattr(orders, "move", move_then_die)
    monkeypatch.setattr(orders, "forget", die)  # the request's own undo never runs
    await dies(api, PLACE, {"lines": [line(a, 3), line(b, 2)], "k": "k", "c": None}, buyer)
    services = api.services
    assert (await sku_stock(services, a), await sku_stock(services, b)) == (7, 8)  # taken, and the request is gone
    monkeypatch.undo()
    order = await only_order(services, me["id"])
    assert order["status"] == "RESERVING"
    await sweep_twice_at_once(services, clock)
    assert (await sku_stock(services, a), await sku_stock(services, b)) == (10, 10)
    assert (await services.store.get("orders", order["_id"]) or {})["status"] == "CANCELLED"
    assert await leftovers(services, order["_id"], [a, b]) == []


async def test_a_crash_between_one_line_and_the_next_gives_back_only_what_was_taken(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second line was never taken: the sweep gives back the first line's units, and none of the second's."""
    clock = use_clock(api)
    seller, _ = await api.login("半单卖家")
    buyer, me = await api.login("半单买家")
    _, _, (a, b) = await make_product(api, seller, prices=(1000, 2000), stock=10)
    services = api.services
    store = services.store
    original = store.update_one
    calls = {"skus": 0}

    async def second_take_dies(collection: str, where: Any, update: Any) -> Any:
        if collection == "skus" and "$inc" in update and update["$inc"].get("stock", 0) < 0:
            calls["skus"] += 1
            if calls["skus"] == 2:
                raise Died("between the first line and the second")
        return await original(collection, where, update)

    monkeypatch.setattr(store, "update_one", second_take_dies)
    monkeypatch.setattr(orders, "give_back_taken", die)
    monkeypatch.setattr(orders, "forget", die)
    await dies(api, PLACE, {"lines": [line(a, 3), line(b, 2)], "k": "half", "c": None}, buyer)
    monkeypatch.undo()
    assert (await sku_stock(services, a), await sku_stock(services, b)) == (7, 10)
    order = await only_order(services, me["id"])
    await sweep_twice_at_once(services, clock)
    assert (await sku_stock(services, a), await sku_stock(services, b)) == (10, 10)
    assert await leftovers(services, order["_id"], [a, b]) == []


async def test_a_crash_between_cancelling_and_returning_stock_is_finished_by_the_sweep_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = use_clock(api)
    seller, _ = await api.login("取消卖家")
    buyer, _ = await api.login("取消买家")
    _, _, (a, b) = await make_product(api, seller, prices=(1000, 2000), stock=10)
    order_id = (await place(api, buyer, [line(a, 3), line(b, 2)], "c1"))["order"]["id"]
    services = api.services
    assert await leftovers(services, from_global_id(order_id)[1], [a, b]) == []  # placed: the take marks cleared
    monkeypatch.setattr(recovery, "settle", die)
    await dies(api, CANCEL, {"id": order_id}, buyer)
    monkeypatch.undo()
    raw = from_global_id(order_id)[1]
    order = await services.store.get("orders", raw) or {}
    assert order["status"] == "CANCELLED" and sorted(rules.owed(order)) == ["restock_0", "restock_1"]
    assert (await sku_stock(services, a), await sku_stock(services, b)) == (7, 8)
    await sweep_twice_at_once(services, clock)
    assert (await sku_stock(services, a), await sku_stock(services, b)) == (10, 10)
    assert await leftovers(services, raw, [a, b]) == []


async def test_a_crash_right_after_a_step_changed_stock_is_not_repeated(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worst moment: the stock came back, the order does not say so yet. The mark on the SKU does."""
    clock = use_clock(api)
    seller, _ = await api.login("标记卖家")
    buyer, _ = await api.login("标记买家")
    _, _, (a,) = await make_product(api, seller, stock=10)
    order_id = (await place(api, buyer, [line(a, 4)], "m1"))["order"]["id"]
    services = api.services
    # the take mark is cleared at placement, so the restock step moves the stock with its own mark
    original = recovery.apply_once

    async def apply_then_die(services: Services, counter: recovery.Counter, mark: str) -> bool:
        await original(services, counter, mark)
        raise Died("after the increment, before the order records it")

    monkeypatch.setattr(recovery, "apply_once", apply_then_die)
    await act(api, CANCEL, buyer, order_id)  # the step fails: the request answers, the sweep finishes
    monkeypatch.undo()
    assert await sku_stock(services, a) == 10
    raw = from_global_id(order_id)[1]
    assert rules.owed(await services.store.get("orders", raw) or {}) != {}
    clock.advance(minutes=2)  # the runner's lease runs out
    await sweep_twice_at_once(services, clock)
    assert await sku_stock(services, a) == 10  # not 14
    assert await leftovers(services, raw, [a]) == []


async def test_a_crash_after_the_move_to_paid_loses_no_follow_up(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = use_clock(api)
    seller, _ = await api.login("付款卖家")
    buyer, me = await api.login("付款买家")
    _, product_id, (a,) = await make_product(api, seller, stock=10)
    order_id = (await place(api, buyer, [line(a, 3)], "p1"))["order"]["id"]
    monkeypatch.setattr(recovery, "settle", die)
    await dies(api, PAY, {"id": order_id, "k": "pay-1", "m": "DEV_PAY"}, buyer)  # died after the move
    monkeypatch.undo()
    services = api.services
    raw = from_global_id(order_id)[1]
    assert (await services.store.get("orders", raw) or {})["status"] == "PAID"
    assert await sales(services, product_id) == 0
    await sweep_twice_at_once(services, clock)
    assert await sales(services, product_id) == 3
    purchase_id = f"{from_global_id(me['id'])[1]}>{from_global_id(product_id)[1]}"
    purchase = await services.store.get("purchases", purchase_id) or {}
    assert purchase.get("orders") == 1
    bought = await services.store.count("outbox", {"kind": "bought", "orderId": raw})
    assert bought == 1
    assert await leftovers(services, raw, [a]) == []


async def test_a_crash_after_the_move_to_refunded_returns_stock_and_undoes_sales_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = use_clock(api)
    seller, _ = await api.login("退款崩溃卖家")
    buyer, _ = await api.login("退款崩溃买家")
    _, product_id, (a,) = await make_product(api, seller, stock=10)
    order_id = (await place(api, buyer, [line(a, 2)], "r1"))["order"]["id"]
    await pay(api, buyer, order_id)
    services = api.services
    assert (await sku_stock(services, a), await sales(services, product_id)) == (8, 2)
    monkeypatch.setattr(recovery, "settle", die)
    await dies(api, REFUND, {"id": order_id, "k": "rk", "r": "不要了"}, buyer)
    monkeypatch.undo()
    raw = from_global_id(order_id)[1]
    assert (await services.store.get("orders", raw) or {})["status"] == "REFUNDED"
    assert (await sku_stock(services, a), await sales(services, product_id)) == (8, 2)
    await sweep_twice_at_once(services, clock)
    assert (await sku_stock(services, a), await sales(services, product_id)) == (10, 0)
    assert await leftovers(services, raw, [a]) == []


async def test_the_repair_racing_the_live_request_does_each_step_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Steps owed by a cancelled order, run by the request and by several sweeps at the same moment."""
    clock = use_clock(api)
    seller, _ = await api.login("竞速卖家")
    buyer, _ = await api.login("竞速买家")
    _, _, (a, b) = await make_product(api, seller, prices=(1000, 2000), stock=10)
    services = api.services
    ids = []
    for i in range(3):
        ids.append(from_global_id((await place(api, buyer, [line(a, 1), line(b, 2)], f"race{i}"))["order"]["id"])[1])
    monkeypatch.setattr(recovery, "settle", die)
    for order_id in ids:
        try:
            await orders.cancel(services, order_id, "buyer")
        except Died:
            pass
    monkeypatch.undo()
    assert (await sku_stock(services, a), await sku_stock(services, b)) == (7, 4)
    clock.advance(minutes=2)
    docs = [await services.store.get("orders", i) or {} for i in ids]
    await asyncio.gather(
        *(recovery.settle(services, d) for d in docs for _ in range(3)),
        *(recovery.repair_due(services) for _ in range(3)),
    )
    assert (await sku_stock(services, a), await sku_stock(services, b)) == (10, 10)
    for order_id in ids:
        assert await leftovers(services, order_id, [a, b]) == []


async def test_a_crash_between_reserving_a_checkout_and_writing_its_orders_gives_the_units_back_later(
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    two_shops: Any,  # noqa: F811
) -> None:
    """Both shops' units reserved, no order written, the request gone: the sweep fails the checkout, and once no
    request can still be writing its orders, gives back exactly the units marked as taken for them."""
    s = two_shops
    clock = use_clock(api)
    services = api.services
    monkeypatch.setattr(orders, "insert_new", die)
    monkeypatch.setattr(checkout, "_give_back", die)
    await dies(
        api,
        CHECKOUT,
        {"in": {"cartLineIds": s["lines"], "addressId": s["address"], "idempotencyKey": "crash", "couponIds": []}},
        s["buyer"],
    )
    monkeypatch.undo()
    assert [await sku_stock(services, x) for x in s["skus"]] == [18, 19, 19]
    await sweep_twice_at_once(services, clock)  # 2 minutes on: FAILED, its units still out
    found = await services.store.find("checkouts", {"buyerId": s["buyerId"]}, limit=1)
    assert found.docs[0]["status"] == "FAILED"
    assert [await sku_stock(services, x) for x in s["skus"]] == [18, 19, 19]
    clock.advance(minutes=10)
    await sweep_twice_at_once(services, clock)
    assert [await sku_stock(services, x) for x in s["skus"]] == [20, 20, 20]
    for sku_id in s["skus"]:
        sku = await services.store.get("skus", from_global_id(sku_id)[1]) or {}
        assert [k for k in sku if k.startswith(rules.MARK)] == []

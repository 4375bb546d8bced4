"""The order desk on every store: staff invites raced for one code and the per-shop order counts under racing
moves (on stores whose guarded updates are atomic: not FerretDB 1.x), and the desk's queries (on every store)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.order_desk import prefix_range
from domain.orders import STATUSES
from resolvers import catalog, order_desk, orders, payments, staff
from resolvers.errors import Refused
from resolvers.services import Services
from tests.contract.test_commerce_contention import any_services, services

__all__ = ["any_services", "services"]


def interleaved(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every racer yields after each read and each guarded update, as over a network (SQLite's small statements
    run on the event loop and would otherwise never interleave)."""
    store = services.store
    for name in ("get", "update_one", "insert"):
        original = getattr(store, name)

        async def then_yield(*args: Any, _original: Any = original) -> Any:
            try:
                return await _original(*args)
            finally:
                await asyncio.sleep(0)

        monkeypatch.setattr(store, name, then_yield)


async def outcome(call: object) -> str:
    try:
        await call  # type: ignore[misc]
    except Refused as exc:
        return exc.code
    return "ok"


async def test_of_many_users_racing_for_one_invite_exactly_one_joins(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    interleaved(services, monkeypatch)
    shop = await catalog.create_shop(services, "owner", "招人店")
    _, code = await staff.invite(services, "owner", shop["_id"], ["WAREHOUSE"])
    results = await asyncio.gather(*(outcome(staff.accept(services, f"user{i}", code)) for i in range(20)))
    assert results.count("ok") == 1 and set(results) == {"ok", "INVALID_STATE"}
    members = await services.store.find("shop_staff", {"shopId": shop["_id"]})
    assert len(members.docs) == 1
    # two codes of one shop raced by one user: one membership, and the losing code is usable again
    codes = [(await staff.invite(services, "owner", shop["_id"], ["ADMIN"]))[1] for _ in range(2)]
    both = await asyncio.gather(*(outcome(staff.accept(services, "keen", c)) for c in codes))
    assert sorted(both) == ["ALREADY_EXISTS", "ok"]
    assert await services.store.count("shop_staff", {"shopId": shop["_id"]}) == 2
    loser = codes[both.index("ALREADY_EXISTS")]
    assert await outcome(staff.accept(services, "someone else", loser)) == "ok"


async def test_order_counts_stay_exact_under_racing_moves(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    interleaved(services, monkeypatch)
    shop = await catalog.create_shop(services, "seller", "计数店")
    product = await catalog.create_product(
        services, shop["_id"], "计数商品", "", [], None, [{"specs": [], "price": 100, "stock": 100}]
    )
    sku_id = f"{product['_id']}000"
    placed = await asyncio.gather(*(orders.place_order(services, f"b{i}", [(sku_id, 1)], "k") for i in range(30)))
    assert (await order_desk.order_counts(services, shop["_id"]))["PENDING_PAYMENT"] == 30  # now kept exact
    # every order paid at once, each paid twice concurrently (one move wins), a third cancelled at the same time
    pays = [payments.pay_order(services, o["buyerId"], o["_id"], "DEV_PAY", f"p{j}") for o in placed for j in range(2)]
    cancels = [orders.cancel_order(services, o["buyerId"], o["_id"]) for o in placed[:10]]
    await asyncio.gather(*(outcome(c) for c in [*pays, *cancels]))
    kept = await services.store.get("shop_order_counts", shop["_id"])
    assert kept is not None and kept["exact"]  # the counts below are the kept ones, not a recount
    counts = await order_desk.order_counts(services, shop["_id"])
    actual = {s: await services.store.count("orders", {"shopId": shop["_id"], "status": s}) for s in STATUSES}
    assert counts == actual and sum(counts.values()) == 30 and counts["PENDING_PAYMENT"] == 0


async def test_the_desks_queries_run_on_every_store(any_services: Services) -> None:
    services = any_services
    shop = await catalog.create_shop(services, "seller", "查询店")
    product = await catalog.create_product(
        services, shop["_id"], "查询商品", "", [], None, [{"specs": [], "price": 100, "stock": 100}]
    )
    sku_id = f"{product['_id']}000"
    placed = [await orders.place_order(services, f"b{i}", [(sku_id, 1)], f"k{i}") for i in range(6)]
    await services.store.update_one("orders", {"_id": placed[0]["_id"]}, {"$set": {"phoneTail": "4321"}})
    await payments.pay_order(services, "b1", placed[1]["_id"], "DEV_PAY", "p")
    shop_id = shop["_id"]
    newest = [o["_id"] for o in reversed(placed)]
    listed = await order_desk.shop_orders(services, shop_id, 4, None)
    rest = await order_desk.shop_orders(services, shop_id, 4, listed.next_cursor)
    assert [o["_id"] for o in listed.docs + rest.docs] == newest and rest.next_cursor is None
    paid = await order_desk.shop_orders(services, shop_id, 10, None, status="PAID")
    assert [o["_id"] for o in paid.docs] == [placed[1]["_id"]]
    tail = await order_desk.shop_orders(services, shop_id, 10, None, query="4321")
    assert [o["_id"] for o in tail.docs] == [placed[0]["_id"]]
    number = placed[3]["number"]
    found = await order_desk.shop_orders(services, shop_id, 10, None, query=number)
    assert [o["_id"] for o in found.docs] == [placed[3]["_id"]]
    assert prefix_range(number[:8]) == {"$gte": number[:8], "$lt": number[:8] + ":"}
    day = await order_desk.shop_orders(services, shop_id, 10, None, query=number[:8])
    assert number in [o["number"] for o in day.docs]

"""Crash windows and their repairs raced on every store whose guarded updates are atomic (SQLite, MongoDB; not
FerretDB 1.x): a process dies between two steps, then many sweeps (and the doctor) run at once; each step is done
exactly once, counted on the documents."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from backends import Backends
from domain import recovery as rules
from graph.memory import MemoryGraph
from graph.projector import Projector
from resolvers import catalog, doctor, orders, recovery
from resolvers.errors import Refused
from resolvers.services import Services
from settings import Settings
from store.collections import ensure_indexes
from store.protocol import DocumentStore
from subscriptions.memory import MemoryBus
from tests.contract.conftest import is_ferretdb
from tests.contract.test_document_store import FERRETDB_NOT_ATOMIC


@pytest.fixture
async def any_services(store: DocumentStore, tmp_path: Path) -> Services:
    await ensure_indexes(store)
    graph = MemoryGraph()
    settings = Settings(DATA_DIR=tmp_path, DEV_LOGIN=True)
    return Services(settings, Backends(store, graph, MemoryBus()), Projector(store, graph))


@pytest.fixture
async def services(any_services: Services) -> Services:
    """Only stores whose guarded single-document updates are atomic (not FerretDB 1.x)."""
    if await is_ferretdb(any_services.store):
        pytest.skip(FERRETDB_NOT_ATOMIC)
    return any_services


class Died(Exception):
    pass


def die(*_: Any, **__: Any) -> Any:
    raise Died("the process died here")


async def new_sku(services: Services, stock: int) -> str:
    shop = await catalog.create_shop(services, "seller", "店")
    product = await catalog.create_product(
        services, shop["_id"], "限量", "", [], None, [{"specs": [], "price": 100, "stock": stock}]
    )
    return f"{product['_id']}000"


async def stock(services: Services, sku_id: str) -> int:
    return int((await services.store.get("skus", sku_id) or {})["stock"])


def later(services: Services, ms: int) -> None:
    now = services.now() + ms
    services.clock = lambda: now  # type: ignore[method-assign]


async def no_leftovers(services: Services, order_id: str, sku_id: str) -> None:
    order = await services.store.get("orders", order_id) or {}
    sku = await services.store.get("skus", sku_id) or {}
    assert [k for k in order if k.startswith(rules.OWE) or k == rules.REPAIR_AT] == []
    assert [k for k in sku if k.startswith(rules.MARK)] == []


async def test_racing_sweeps_finish_a_crashed_cancel_once(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    sku_id = await new_sku(services, 20)
    placed = [await orders.place_order(services, f"b{i}", [(sku_id, 2)], f"k{i}") for i in range(5)]
    assert await stock(services, sku_id) == 10
    monkeypatch.setattr(recovery, "settle", die)
    for order in placed:
        with pytest.raises(Died):
            await orders.cancel(services, order["_id"], "buyer")
    monkeypatch.undo()
    assert await stock(services, sku_id) == 10  # cancelled, nothing back yet
    later(services, rules.REPAIR_AFTER_MS + 1)
    docs = [await services.store.get("orders", o["_id"]) or {} for o in placed]
    await asyncio.gather(
        *(recovery.repair_due(services) for _ in range(4)), *(recovery.settle(services, d) for d in docs * 2)
    )
    assert await stock(services, sku_id) == 20
    for order in placed:
        await no_leftovers(services, order["_id"], sku_id)


async def test_racing_sweeps_give_back_a_crashed_placement_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    sku_id = await new_sku(services, 20)
    original_move = orders.move

    async def move_then_die(services: Services, order_id: str, target: str, **kw: Any) -> Any:
        if target == "PENDING_PAYMENT":
            raise Died("after taking the stock")
        return await original_move(services, order_id, target, **kw)

    monkeypatch.setattr(orders, "move", move_then_die)
    monkeypatch.setattr(orders, "forget", die)
    for i in range(4):
        with pytest.raises(Died):
            await orders.place_order(services, f"b{i}", [(sku_id, 3)], f"k{i}")
    monkeypatch.undo()
    assert await stock(services, sku_id) == 8
    later(services, orders.STALE_RESERVING_MS + 1)
    await asyncio.gather(*(orders.expire_unpaid(services) for _ in range(5)))
    assert await stock(services, sku_id) == 20
    page = await services.store.find("orders", {"status": "CANCELLED"}, limit=10)
    assert len(page.docs) == 4
    for order in page.docs:
        await no_leftovers(services, order["_id"], sku_id)


async def test_doctors_racing_buyers_repair_a_leak_once(services: Services) -> None:
    sku_id = await new_sku(services, 30)
    await services.store.update_one("skus", {"_id": sku_id}, {"$inc": {"stock": -4}})  # 4 units leaked

    async def buy(i: int) -> bool:
        try:
            await orders.place_order(services, f"r{i}", [(sku_id, 1)], f"k{i}")
            return True
        except Refused:
            return False

    fixes = [doctor.run(services, fix=True, settle_seconds=0) for _ in range(3)]
    results = await asyncio.gather(*(buy(i) for i in range(15)), *fixes)
    placed = sum(1 for r in results[:15] if r is True)
    for _ in range(5):
        if (await doctor.run(services, fix=True, settle_seconds=0)).ok:
            break
    assert await doctor.check(services) == []
    assert await stock(services, sku_id) == 30 - placed


async def test_marks_and_owed_steps_work_on_every_store(
    any_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not raced (FerretDB too): the mark guards ({mark: None}, $unset) and the owed steps' compare-and-sets."""
    services = any_services
    sku_id = await new_sku(services, 10)
    order = await orders.place_order(services, "b", [(sku_id, 4)], "k")
    await no_leftovers(services, order["_id"], sku_id)
    original = recovery.apply_once

    async def apply_then_die(services: Services, counter: recovery.Counter, mark: str) -> bool:
        await original(services, counter, mark)
        raise Died("after the increment, before the order records it")

    monkeypatch.setattr(recovery, "apply_once", apply_then_die)
    await orders.cancel(services, order["_id"], "buyer")  # the step fails, the request answers
    monkeypatch.undo()
    assert await stock(services, sku_id) == 10
    later(services, rules.LEASE_MS + rules.REPAIR_AFTER_MS)
    assert await recovery.repair_due(services) == 1
    assert await recovery.repair_due(services) == 0
    assert await stock(services, sku_id) == 10
    await no_leftovers(services, order["_id"], sku_id)
    assert await doctor.check(services) == []

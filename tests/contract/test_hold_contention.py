"""Unpaid-hold limits under contention (domain/holds.py): one buyer's simultaneous orders never pass a limit
together. Raced on every store whose guarded single-document updates are atomic; winners are counted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backends import Backends
from graph.memory import MemoryGraph
from graph.projector import Projector
from resolvers import catalog, orders, teams
from resolvers.services import Services
from settings import Settings
from store.collections import ensure_indexes
from store.protocol import DocumentStore
from subscriptions.memory import MemoryBus
from tests.contract.conftest import is_ferretdb
from tests.contract.test_commerce_contention import outcome
from tests.contract.test_document_store import FERRETDB_NOT_ATOMIC


def services_with(store: DocumentStore, tmp_path: Path, **limits: int) -> Services:
    settings = Settings(DATA_DIR=tmp_path, DEV_LOGIN=True, **limits)  # type: ignore[arg-type]
    graph = MemoryGraph()
    return Services(settings, Backends(store, graph, MemoryBus()), Projector(store, graph))


@pytest.fixture
async def atomic_store(store: DocumentStore) -> DocumentStore:
    if await is_ferretdb(store):
        pytest.skip(FERRETDB_NOT_ATOMIC)
    await ensure_indexes(store)
    return store


async def sku_of(services: Services, stock: int, group_buy: dict[str, object] | None = None) -> str:
    shop = await catalog.create_shop(services, "seller", "店")
    product = await catalog.create_product(
        services, shop["_id"], "商品", "", [], None, [{"specs": [], "price": 1000, "stock": stock}], group_buy
    )
    return f"{product['_id']}000"


async def test_two_simultaneous_orders_of_one_buyer_do_not_both_pass_a_limit_of_one(
    atomic_store: DocumentStore, tmp_path: Path
) -> None:
    # given a limit of one unpaid order
    services = services_with(atomic_store, tmp_path, UNPAID_ORDERS_MAX=1)
    sku_id = await sku_of(services, 100)
    # when one buyer places ten orders at once, each with its own key
    results = await asyncio.gather(
        *(outcome(orders.place_order(services, "buyer", [(sku_id, 1)], f"k{i}")) for i in range(10))
    )
    # then exactly one wins, the others are TOO_MANY_UNPAID, and only the winner's unit is taken
    assert results.count("ok") == 1 and set(results) == {"ok", "TOO_MANY_UNPAID"}
    assert (await atomic_store.get("skus", sku_id) or {})["stock"] == 99
    assert await atomic_store.count("orders", {"buyerId": "buyer"}) == 1


async def test_simultaneous_orders_never_hold_more_units_of_a_sku_than_the_limit(
    atomic_store: DocumentStore, tmp_path: Path
) -> None:
    services = services_with(atomic_store, tmp_path, UNPAID_SKU_UNITS_MAX=5, UNPAID_ORDERS_MAX=100)
    sku_id = await sku_of(services, 100)
    results = await asyncio.gather(
        *(outcome(orders.place_order(services, "buyer", [(sku_id, 2)], f"k{i}")) for i in range(8))
    )
    assert results.count("ok") == 2 and set(results) == {"ok", "TOO_MANY_UNPAID"}
    assert (await atomic_store.get("skus", sku_id) or {})["stock"] == 96


async def test_simultaneous_team_starts_never_hold_more_seats_than_the_limit(
    atomic_store: DocumentStore, tmp_path: Path
) -> None:
    services = services_with(atomic_store, tmp_path, UNPAID_TEAM_SEATS_MAX=2)
    sku_id = await sku_of(services, 100, {"tiers": [{"size": 2, "price": 900}], "durationMinutes": 60})
    results = await asyncio.gather(*(outcome(teams.start_team(services, "buyer", sku_id, f"t{i}")) for i in range(6)))
    assert results.count("ok") == 2 and set(results) == {"ok", "TOO_MANY_UNPAID"}
    assert await atomic_store.count("teams") == 2 and await atomic_store.count("team_members") == 2
    assert (await atomic_store.get("skus", sku_id) or {})["stock"] == 98


async def test_a_paid_order_frees_its_hold_under_contention(atomic_store: DocumentStore, tmp_path: Path) -> None:
    from resolvers import payments

    services = services_with(atomic_store, tmp_path, UNPAID_ORDERS_MAX=1)
    sku_id = await sku_of(services, 100)
    first = await orders.place_order(services, "buyer", [(sku_id, 1)], "first")
    # paying it while new orders race: at most one of them gets in, and only once the first is paid
    paid, *results = await asyncio.gather(
        outcome(payments.pay_order(services, "buyer", first["_id"], "DEV_PAY", "p")),
        *(outcome(orders.place_order(services, "buyer", [(sku_id, 1)], f"k{i}")) for i in range(5)),
    )
    assert paid == "ok" and results.count("ok") <= 1
    assert await atomic_store.count("orders", {"buyerId": "buyer", "status": "PENDING_PAYMENT"}) <= 1
    held = await atomic_store.get("unpaid_holds", "buyer")
    assert held is not None and len(held["holds"]) == results.count("ok")

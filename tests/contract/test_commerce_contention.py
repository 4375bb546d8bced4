"""The guarded updates of commerce, raced on every store that guarantees single-document atomicity: stock,
coupon copies, the idempotency key and the PAID move. Winners are counted, not assumed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backends import Backends
from graph.memory import MemoryGraph
from graph.projector import Projector
from resolvers import catalog, coupons, orders, payments
from resolvers.errors import Refused
from resolvers.services import Services, now_ms
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


async def test_the_order_lifecycle_runs_on_every_store(any_services: Services) -> None:
    services = any_services
    shop = await catalog.create_shop(services, "seller", "店")
    product = await catalog.create_product(
        services, shop["_id"], "明前绿茶礼盒", "", [], "茶叶", [{"specs": [], "price": 1000, "stock": 3}]
    )
    sku_id = f"{product['_id']}000"
    found = await catalog.product_page(services, 10, None, query="绿茶", sort="PRICE_ASC")
    assert [p["_id"] for p in found.docs] == [product["_id"]]
    order = await orders.place_order(services, "buyer", [(sku_id, 2)], "k1")
    assert (await orders.place_order(services, "buyer", [(sku_id, 2)], "k1"))["_id"] == order["_id"]
    assert await outcome(orders.place_order(services, "other", [(sku_id, 2)], "k1")) == "OUT_OF_STOCK"
    paid = await payments.pay_order(services, "buyer", order["_id"], "DEV_PAY", "p1")
    assert paid.order["status"] == "PAID"
    refunded = await payments.refund_order(services, "buyer", order["_id"], "不要了", "r1")
    assert refunded["status"] == "REFUNDED" and [h["status"] for h in refunded["history"]] == [
        "PENDING_PAYMENT",
        "PAID",
        "REFUNDING",
        "REFUNDED",
    ]
    assert (await services.store.get("skus", sku_id) or {})["stock"] == 3
    assert (await services.store.get("products", product["_id"]) or {})["salesCount"] == 0
    mine = await orders.my_orders(services, "buyer", 10, None, None)
    assert [o["_id"] for o in mine.docs] == [order["_id"]]


async def outcome(coro: object) -> str:
    try:
        await coro  # type: ignore[misc]
    except Refused as exc:
        return exc.code
    return "ok"


async def test_buyers_racing_for_stock_get_exactly_the_stock(services: Services) -> None:
    shop = await catalog.create_shop(services, "seller", "店")
    product = await catalog.create_product(
        services, shop["_id"], "限量", "", [], None, [{"specs": [], "price": 100, "stock": 25}]
    )
    sku_id = f"{product['_id']}000"
    results = await asyncio.gather(
        *(outcome(orders.place_order(services, f"buyer{i}", [(sku_id, 1)], "k")) for i in range(80))
    )
    assert results.count("ok") == 25 and set(results) == {"ok", "OUT_OF_STOCK"}
    assert (await services.store.get("skus", sku_id) or {})["stock"] == 0
    assert await services.store.count("orders", {"status": "PENDING_PAYMENT"}) == 25


async def test_one_order_per_key_and_one_payment_per_order_under_contention(services: Services) -> None:
    shop = await catalog.create_shop(services, "seller", "店")
    product = await catalog.create_product(
        services, shop["_id"], "商品", "", [], None, [{"specs": [], "price": 100, "stock": 1000}]
    )
    sku_id = f"{product['_id']}000"
    placed = await asyncio.gather(*(orders.place_order(services, "buyer", [(sku_id, 2)], "same") for _ in range(20)))
    assert len({o["_id"] for o in placed}) == 1
    assert (await services.store.get("skus", sku_id) or {})["stock"] == 998
    paid = await asyncio.gather(
        *(outcome(payments.pay_order(services, "buyer", placed[0]["_id"], "DEV_PAY", f"p{i}")) for i in range(20))
    )
    assert paid.count("ok") == 1 and set(paid) == {"ok", "INVALID_STATE"}
    assert (await services.store.get("products", product["_id"]) or {})["salesCount"] == 2


async def test_coupon_copies_are_never_over_claimed(services: Services) -> None:
    shop = await catalog.create_shop(services, "seller", "店")
    coupon = await coupons.create_coupon(services, "seller", shop["_id"], "券", 100, 1000, now_ms() + 60_000, 7)
    results = await asyncio.gather(
        *(outcome(coupons.claim_coupon(services, f"user{i % 40}", coupon["_id"])) for i in range(60))
    )
    assert results.count("ok") == 7
    assert (await services.store.get("coupons", coupon["_id"]) or {})["remaining"] == 0
    assert await services.store.count("coupon_claims", {"couponId": coupon["_id"]}) == 7


async def test_concurrent_ledger_appends_make_one_unbroken_chain(services: Services) -> None:
    from resolvers.distribution import append_ledger, verify_ledger

    entries = await asyncio.gather(
        *(
            append_ledger(services, {"kind": "TEST", "userId": f"u{i % 5}", "ref": f"r{i}", "deltas": {"frozen": i}})
            for i in range(40)
        )
    )
    assert sorted(e["seq"] for e in entries) == list(range(1, 41))
    count, bad, head = await verify_ledger(services)
    assert (count, bad) == (40, None)
    assert head == (await services.store.get("ledger_head", "head") or {})["hash"]


async def test_racing_shipments_ship_each_unit_once_and_the_order_completes_once(services: Services) -> None:
    from domain.shipments import Package, PackageLine
    from resolvers import shipments

    shop = await catalog.create_shop(services, "seller", "店")
    product = await catalog.create_product(
        services, shop["_id"], "商品", "", [], None, [{"specs": [], "price": 100, "stock": 10}]
    )
    order = await orders.place_order(services, "buyer", [(f"{product['_id']}000", 3)], "k")
    await payments.pay_order(services, "buyer", order["_id"], "DEV_PAY", "p")
    # 12 calls race to ship the same 2 units, each in its own parcel: one ships them, the others are refused
    units = (PackageLine(0, 2),)
    shipped = await asyncio.gather(
        *(
            outcome(shipments.ship_order(services, "seller", order["_id"], [Package("SF", f"S{i}", units)]))
            for i in range(12)
        )
    )
    assert shipped.count("ok") == 1 and set(shipped) == {"ok", "INVALID_INPUT"}
    # 6 calls race to ship the last unit, then the buyer and the sweep race to complete the order
    last = await asyncio.gather(
        *(
            outcome(
                shipments.ship_order(services, "seller", order["_id"], [Package("ZTO", f"Z{i}", (PackageLine(0, 1),))])
            )
            for i in range(6)
        )
    )
    assert last.count("ok") == 1
    doc = await services.store.get("orders", order["_id"]) or {}
    assert doc["status"] == "SHIPPED" and doc["shipmentCount"] == 2 and len(doc["shipments"]) == 2
    confirmed = await asyncio.gather(
        *(outcome(orders.confirm_receipt(services, "buyer", order["_id"])) for _ in range(5)),
        *(completed(orders.complete(services, order["_id"], "auto")) for _ in range(5)),
    )
    assert confirmed.count("ok") == 1
    doc = await services.store.get("orders", order["_id"]) or {}
    assert [h["status"] for h in doc["history"]].count("COMPLETED") == 1


async def completed(coro: object) -> str:
    """ "ok" when the move into COMPLETED was this call's."""
    return "ok" if await coro is not None else "lost"  # type: ignore[misc]

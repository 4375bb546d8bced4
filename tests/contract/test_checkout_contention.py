"""The cart's and checkout's guarded writes raced on every store with atomic single-document updates: racing adds
of one SKU make one line of the summed quantity, racing adds of new SKUs never pass the line cap, and racing
checkouts with one key make one set of orders. Winners are counted."""

from __future__ import annotations

import asyncio

import pytest

from domain import cart as rules
from resolvers import addresses, cart, catalog, checkout
from resolvers.services import Services
from tests.contract.test_commerce_contention import any_services, outcome, services
from tests.contract.test_refund_contention import interleaved

__all__ = ["any_services", "services"]


async def skus(services: Services, count: int, stock: int = 10_000) -> list[str]:
    shop = await catalog.create_shop(services, "seller", "店")
    sku_input = [{"specs": [{"name": "号", "value": str(i)}], "price": 100 + i, "stock": stock} for i in range(count)]
    product = await catalog.create_product(services, shop["_id"], "商品", "", [], None, sku_input)
    return [f"{product['_id']}{i:03d}" for i in range(count)]


async def test_racing_adds_of_one_sku_sum_into_one_line(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    (sku,) = await skus(services, 1)
    interleaved(services, monkeypatch)
    results = await asyncio.gather(*(outcome(cart.add(services, "buyer", sku, 3)) for _ in range(20)))
    assert results == ["ok"] * 20
    lines = await cart.lines_of(services, "buyer")
    assert [(x["skuId"], x["quantity"]) for x in lines] == [(sku, 60)]


async def test_racing_new_lines_stop_at_the_cap(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    first, more = await skus(services, 100), await skus(services, 20)
    for sku in first[:95]:
        await cart.add(services, "buyer", sku, 1)
    interleaved(services, monkeypatch)
    results = await asyncio.gather(*(outcome(cart.add(services, "buyer", sku, 1)) for sku in [*first[95:], *more]))
    assert results.count("ok") == 5 and results.count("INVALID_INPUT") == 20
    assert len(await cart.lines_of(services, "buyer")) == rules.MAX_LINES


async def test_racing_checkouts_with_one_key_make_one_set_of_orders(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = await skus(services, 1, stock=50), await skus(services, 1, stock=50)
    for sku in (*first, *second):
        await cart.add(services, "buyer", sku, 2)
    line_ids = [x["id"] for x in await cart.lines_of(services, "buyer")]
    where = {"recipient": "张三", "phone": "13812341234", "provinceCode": "440000", "cityCode": "440300"}
    address, _ = await addresses.create_address(services, "buyer", {**where, "districtCode": "440305", "detail": "1号"})
    interleaved(services, monkeypatch)
    placed = await asyncio.gather(
        *(checkout.checkout(services, "buyer", line_ids, address["_id"], [], None, "k", False) for _ in range(10))
    )
    assert len({c.checkout["_id"] for c in placed}) == 1
    assert await services.store.count("checkouts", {"buyerId": "buyer"}) == 1
    assert await services.store.count("orders", {"buyerId": "buyer"}) == 2
    assert [(await services.store.get("skus", s) or {})["stock"] for s in (*first, *second)] == [48, 48]

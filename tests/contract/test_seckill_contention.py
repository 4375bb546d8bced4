"""The seckill rush raced on every store that guarantees single-document atomicity (SQLite, real MongoDB; FerretDB
skips), with the store's guarded updates alone and with the Redis Lua gate in front (a real Redis; two Services
stand for two server processes, each with its own connection and its own sold-out flags). Winners are counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backends import Backends
from domain import seckill as rules
from graph.memory import MemoryGraph
from graph.projector import Projector
from resolvers import catalog, orders, seckill
from resolvers.errors import Refused
from resolvers.seckill_gate import redis_keys
from resolvers.services import Services
from settings import Settings
from store.collections import ensure_indexes
from store.protocol import DocumentStore
from subscriptions.memory import MemoryBus
from tests.contract.conftest import is_ferretdb
from tests.contract.test_document_store import FERRETDB_NOT_ATOMIC

DAY0 = int(datetime(2026, 5, 31, 16, 0, tzinfo=UTC).timestamp() * 1000)  # 2026-06-01 00:00 in Shanghai
IN_SLOT = DAY0 + 10 * 3_600_000 + 60_000  # 10:01, within the 10:00-10:30 slot


@pytest.fixture(params=["store", "redis"])
async def processes(
    request: pytest.FixtureRequest, store: DocumentStore, tmp_path: Path
) -> AsyncIterator[list[Services]]:
    """Two Services over one store (and one Redis): two server processes of one deployment."""
    if await is_ferretdb(store):
        pytest.skip(FERRETDB_NOT_ATOMIC)
    await ensure_indexes(store)
    settings = Settings(DATA_DIR=tmp_path, DEV_LOGIN=True, SECKILL_ATTEMPTS_PER_SECOND=1000, UNPAID_ORDERS_MAX=50)
    buses = []
    if request.param == "redis":
        from subscriptions.redis import RedisBus

        url = request.getfixturevalue("redis_url")
        buses = [RedisBus(url), RedisBus(url)]
    else:
        buses = [MemoryBus()]
    made = []
    for bus in buses:
        await bus.open()
        graph = MemoryGraph()
        services = Services(settings, Backends(store, graph, bus), Projector(store, graph))
        services.clock = lambda: IN_SLOT
        services.seckill.start(bus)  # as the app does: the sold-out flags follow the bus
        await asyncio.wait_for(services.seckill.listening.wait(), 5)
        made.append(services)
    for services in made:  # each process's Redis connections open before the rush, not 80 connects within it
        if services.redis is not None:
            await asyncio.gather(*(services.redis.ping() for _ in range(100)))
    yield made if len(made) > 1 else made * 2
    for services in made:
        await services.seckill.stop()
    for bus in buses:
        await bus.close()


async def campaign_of(services: Services, units: int, limit: int) -> tuple[str, str]:
    shop = await catalog.create_shop(services, "seller", "店")
    product = await catalog.create_product(
        services, shop["_id"], "秒杀商品", "", [], None, [{"specs": [], "price": 1000, "stock": units + 10}]
    )
    sku_id = f"{product['_id']}000"
    campaign = await seckill.create_campaign(
        services,
        shop["_id"],
        name="整点秒杀",
        starts_at=DAY0,
        ends_at=DAY0 + 86_400_000,
        time_zone=None,
        slots=[("10:00", "10:30")],
        items=[(sku_id, 100, units)],
        limit_per_user=limit,
        limit_per_order=limit,
        stackable_with=[],
    )
    return campaign["_id"], sku_id


async def rush(services: Services, campaign_id: str, sku_id: str, user: str, key: str, q: int = 1) -> str:
    window = rules.running_window(await seckill.get_campaign(services, campaign_id) or {}, services.now())
    assert window is not None
    token = rules.path_token(services.settings.secret_key(), campaign_id, user, window)
    try:
        await seckill.seckill_order(services, user, campaign_id, sku_id, q, token, key)
    except Refused as exc:
        return exc.code
    return "ok"


async def test_racing_users_get_exactly_the_stock(processes: list[Services]) -> None:
    # given 25 units, limit 1, and 80 users attempting at once through two processes
    campaign_id, sku_id = await campaign_of(processes[0], 25, 1)
    results = await asyncio.gather(*(rush(processes[i % 2], campaign_id, sku_id, f"u{i}", "k") for i in range(80)))
    # then 25 winners, the others sold out; 25 orders, 0 left, the SKU's other 10 untouched
    store = processes[0].store
    assert results.count("ok") == 25 and set(results) == {"ok", "OUT_OF_STOCK"}
    assert await store.count("orders", {"seckillCampaignId": campaign_id}) == 25
    assert (await store.get("seckill_stock", f"{campaign_id}:{sku_id}") or {})["left"] == 0
    assert (await store.get("skus", sku_id) or {})["stock"] == 10
    redis = processes[0].redis
    if redis is not None:  # the Lua gate decided, and its counters agree with the store
        assert [p.seckill.store_decided for p in processes] == [0, 0], "Redis did not answer: the store decided"
        left, bought = redis_keys(campaign_id, sku_id)[:2]
        assert int(await redis.get(left)) == 0
        assert sum(int(v) for v in (await redis.hgetall(bought)).values()) == 25


async def test_one_user_firing_many_attempts_gets_no_more_than_the_limit(processes: list[Services]) -> None:
    # given 100 units, limit 2, and 10 users firing 20 attempts each, all at once
    campaign_id, sku_id = await campaign_of(processes[0], 100, 2)
    results = await asyncio.gather(
        *(rush(processes[j % 2], campaign_id, sku_id, f"u{i}", f"k{j}") for i in range(10) for j in range(20))
    )
    # then each user has exactly 2 units, in 2 orders
    assert results.count("ok") == 20 and set(results) == {"ok", "PURCHASE_LIMIT"}
    store = processes[0].store
    for i in range(10):
        assert await store.count("orders", {"buyerId": f"u{i}", "seckillCampaignId": campaign_id}) == 2
    assert (await store.get("seckill_stock", f"{campaign_id}:{sku_id}") or {})["left"] == 80


async def test_one_key_fired_at_once_places_one_order(processes: list[Services]) -> None:
    campaign_id, sku_id = await campaign_of(processes[0], 10, 3)
    results = await asyncio.gather(*(rush(processes[j % 2], campaign_id, sku_id, "u", "same") for j in range(15)))
    assert set(results) == {"ok"}
    assert await processes[0].store.count("orders", {"buyerId": "u"}) == 1
    assert (await processes[0].store.get("seckill_stock", f"{campaign_id}:{sku_id}") or {})["left"] == 9


async def test_a_cancelled_order_gives_its_unit_back_to_every_process(processes: list[Services]) -> None:
    # given one unit, sold through the first process, refused (and flagged) by the second
    first, second = processes
    campaign_id, sku_id = await campaign_of(first, 1, 1)
    assert await rush(first, campaign_id, sku_id, "winner", "k") == "ok"
    assert await rush(second, campaign_id, sku_id, "late", "k") == "OUT_OF_STOCK"
    assert second.seckill.is_sold_out(campaign_id, sku_id)
    # when the order is cancelled (unpaid)
    order = (await first.store.find("orders", {"buyerId": "winner"}, limit=1)).docs[0]
    await orders.cancel(first, order["_id"], "unpaid")
    # then the unit is back, and the second process, told by the bus, forgets its flag and sells it
    for _ in range(100):
        if not second.seckill.is_sold_out(campaign_id, sku_id):
            break
        await asyncio.sleep(0.02)
    assert await rush(second, campaign_id, sku_id, "late", "k2") == "ok"
    assert (await first.store.get("seckill_stock", f"{campaign_id}:{sku_id}") or {})["left"] == 0


async def test_racing_sweeps_announce_a_seckill_start_and_end_once_and_racing_cancels_its_end_once(
    processes: list[Services],
) -> None:
    # given a seckill that started (IN_SLOT is within its period) and the announcements on the bus recorded
    from resolvers import campaigns

    announced: list[tuple[str, str]] = []
    for services in {id(p): p for p in processes}.values():  # one process twice on the store-only variant
        original = services.backends.bus.publish

        async def record(topic: str, event: object, original: object = original) -> None:
            if topic.startswith("campaigns:") and isinstance(event, dict):
                announced.append((event["campaignId"], event["event"]))
            await original(topic, event)  # type: ignore[operator]

        services.backends.bus.publish = record  # type: ignore[method-assign]
    a, b = processes
    first, _ = await campaign_of(a, 5, 1)
    # when sweeps of both processes race, its start is announced once
    assert sum(await asyncio.gather(*(campaigns.announce_due(p) for p in [a, b] * 4))) == 1
    assert announced == [(first, campaigns.STARTED)]
    # and at its end, once more: ENDED once
    for p in processes:
        p.clock = lambda: DAY0 + 86_400_000  # type: ignore[method-assign]
    assert sum(await asyncio.gather(*(campaigns.announce_due(p) for p in [a, b] * 4))) == 1
    assert announced == [(first, campaigns.STARTED), (first, campaigns.ENDED)]
    # and a second seckill cancelled by racing calls (and sweeps) is announced ENDED once
    for p in processes:
        p.clock = lambda: IN_SLOT  # type: ignore[method-assign]
    second, _ = await campaign_of(a, 5, 1)
    announced.clear()
    calls = [seckill.cancel_campaign(p, second) for p in [a, b] * 4]
    results = await asyncio.gather(*calls, *(campaigns.announce_due(p) for p in [a, b] * 2), return_exceptions=True)
    assert sum(1 for r in results[:8] if isinstance(r, dict)) == 1
    assert all(isinstance(r, Refused) for r in results[:8] if not isinstance(r, dict))
    assert announced.count((second, campaigns.ENDED)) == 1
    assert set(announced) <= {(second, campaigns.STARTED), (second, campaigns.ENDED)}
    assert announced.count((second, campaigns.STARTED)) <= 1

"""The guarded updates of shop campaigns, raced on every store that guarantees single-document atomicity: a cancel
wins once, an update racing a cancel never revives it, and racing sweeps announce each start and end once."""

from __future__ import annotations

import asyncio
from typing import Any

from domain import pricing as rules
from resolvers import campaigns
from resolvers.services import Services
from tests.contract.test_commerce_contention import any_services, outcome, services

__all__ = ["any_services", "services"]

MINUTE = 60_000


def declared(now: int, **over: Any) -> campaigns.Declared:
    fields: dict[str, Any] = {
        "kind": rules.FULL_REDUCTION,
        "name": "满100减10",
        "starts_at": now + MINUTE,
        "ends_at": now + 10 * MINUTE,
        "scope_kind": "ALL",
        "scope_ids": (),
        "stackable_with": None,
        "tiers": (rules.Tier(10_000, 1_000),),
        "percent_off": None,
    }
    return campaigns.Declared(**(fields | over))


async def test_racing_cancels_win_once_and_an_update_never_revives_a_cancelled_campaign(services: Services) -> None:
    now = services.now()
    doc = await campaigns.create(services, "owner", "shop", declared(now))
    calls = [campaigns.cancel(services, doc["_id"]) for _ in range(8)]
    calls += [campaigns.update(services, doc["_id"], declared(now, name=f"改{i}")) for i in range(8)]
    results = await asyncio.gather(*(outcome(c) for c in calls))
    assert results[:8].count("ok") == 1
    after = await services.store.get("campaigns", doc["_id"])
    assert after is not None and after["cancelledAt"] is not None and after["nextEventAt"] is None
    assert campaigns.status_of(after, services.now()) == "ENDED"


async def test_racing_sweeps_announce_each_start_and_end_once(services: Services) -> None:
    now = services.now()
    bus_events: list[Any] = []
    original = services.backends.bus.publish

    async def record(topic: str, event: Any) -> None:
        bus_events.append((topic, event["event"]))
        await original(topic, event)

    services.backends.bus.publish = record  # type: ignore[method-assign]
    await campaigns.create(services, "owner", "shop", declared(now - 2 * MINUTE, starts_at=now - MINUTE))
    assert sum(await asyncio.gather(*(campaigns.announce_due(services) for _ in range(6)))) == 1
    assert bus_events == [("campaigns:shop", "STARTED")]
    services.clock = lambda: now + 20 * MINUTE  # type: ignore[method-assign]
    assert sum(await asyncio.gather(*(campaigns.announce_due(services) for _ in range(6)))) == 1
    assert bus_events == [("campaigns:shop", "STARTED"), ("campaigns:shop", "ENDED")]

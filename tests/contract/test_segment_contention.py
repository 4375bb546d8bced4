"""RFM segments on every store: a run reads a shop's paid orders and writes its members; a grant's key and its
position (compare-and-set) raced on every store with atomic single-document updates. Winners are counted."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from resolvers import coupons, segments
from resolvers.errors import Refused
from resolvers.services import Services
from store.ids import new_id
from tests.contract.test_commerce_contention import any_services, services

__all__ = ["any_services", "services"]

DAY_MS = 86_400_000


async def shop_with_buyers(services: Services, buyers: int) -> tuple[str, str]:
    """(shop id, coupon id): buyers b0.. with 1, 2, 3 ... paid orders of 1000 fen each, i days ago."""
    shop = {"_id": new_id(), "ownerId": "owner", "name": "分群"}
    await services.store.insert("shops", shop)
    now = services.now()
    for b in range(buyers):
        for k in range(b + 1):
            await services.store.insert(
                "orders",
                {"_id": new_id(), "shopId": shop["_id"], "buyerId": f"b{b}", "status": "PAID", "total": 1000,
                 "paidAt": now - (b + 1) * DAY_MS - k, "createdAt": now - (b + 1) * DAY_MS - k},
            )  # fmt: skip
    coupon = await coupons.create_coupon(services, "owner", shop["_id"], "回馈券", 500, 1000, now + 7 * DAY_MS, 100)
    return shop["_id"], coupon["_id"]


async def test_a_run_and_its_members_on_every_store(any_services: Services) -> None:
    shop, _ = await shop_with_buyers(any_services, 5)
    run = await segments.run_shop(any_services, shop)
    assert run is not None and run.buyers == 5
    latest = await segments.latest_run(any_services, shop)
    assert latest is not None and sum(latest["counts"].values()) == 5
    # b0: 1 day, 1 order (R 5, F 1, M 1); b4: 5 days, 5 orders (R 1, F 4, M 5)
    assert latest["cutPoints"] == {
        "recency": [1, 2, 3, 4],
        "frequency": [2, 3, 5, 10],
        "monetary": [2000, 3000, 4000, 5000],
    }
    found = {
        m.user_id: (m.r, m.f, m.m)
        for s in latest["counts"]
        for m in await segments.members_from(any_services, latest, s, 0, 10)
    }
    assert found == {"b0": (5, 1, 1), "b1": (4, 2, 2), "b2": (3, 3, 3), "b3": (2, 3, 4), "b4": (1, 4, 5)}


async def test_racing_grants_with_one_key_make_one_grant(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    shop, coupon = await shop_with_buyers(services, 5)
    await segments.run_shop(services, shop)
    monkeypatch.setattr(services, "spawn", lambda work, name: work.close())
    latest = await segments.latest_run(services, shop)
    assert latest is not None
    segment = max(latest["counts"], key=lambda s: latest["counts"][s])

    async def attempt() -> Any:
        try:
            return (await segments.grant_coupon(services, "owner", coupon, segment, "same-key"))["_id"]
        except Refused as exc:
            return exc.code

    results = await asyncio.gather(*(attempt() for _ in range(10)))
    assert len(set(results)) == 1 and await services.store.count("coupon_grants", {"shopId": shop}) == 1


async def test_racing_workers_give_each_member_one_copy(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "GRANT_BATCH", 1)
    shop, coupon = await shop_with_buyers(services, 5)
    await segments.run_shop(services, shop)
    latest = await segments.latest_run(services, shop)
    assert latest is not None
    segment = max(latest["counts"], key=lambda s: latest["counts"][s])
    monkeypatch.setattr(services, "spawn", lambda work, name: work.close())
    grant = await segments.grant_coupon(services, "owner", coupon, segment, "workers")
    await asyncio.gather(*(segments.run_grant(services, grant["_id"]) for _ in range(6)))
    await segments.resume_grants(services)
    done = await services.store.get("coupon_grants", grant["_id"])
    members = latest["counts"][segment]
    assert done is not None and (done["status"], done["position"], done["granted"]) == ("DONE", members, members)
    assert await services.store.count("coupon_claims", {"couponId": coupon}) == members
    left = await services.store.get("coupons", coupon)
    assert left is not None and left["remaining"] == 100 - members

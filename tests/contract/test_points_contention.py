"""The points ledger and the points mall raced on every store that guarantees single-document atomicity: spends
against one balance, earns and replays, reversals of one entry, a reward's stock and a member's limit. Winners are
counted, and the balance is the ledger's sum after every race."""

from __future__ import annotations

import asyncio

from resolvers import catalog, coupons, points, rewards
from resolvers.services import Services, now_ms
from tests.contract.test_commerce_contention import any_services, outcome, services

__all__ = ["any_services", "services"]


async def make_user(services: Services, user_id: str) -> None:
    await services.store.insert("users", {"_id": user_id, "nickname": user_id, "points": 0, "createdAt": 0})


async def balance_is_ledger_sum(services: Services, user_id: str) -> int:
    entries = (await services.store.find("points_ledger", {"userId": user_id}, limit=1000)).docs
    user = await services.store.get("users", user_id) or {}
    assert not [e for e in entries if e.get("pending")]
    assert sorted(e["seq"] for e in entries) == list(range(1, len(entries) + 1))
    assert sum(e["amount"] for e in entries) == user["points"]
    return int(user["points"])


async def test_spends_racing_for_one_balance_never_take_it_below_zero(services: Services) -> None:
    await make_user(services, "u")
    await points.earn(services, "u", 100, key="earn", reason="TEST")
    results = await asyncio.gather(
        *(outcome(points.spend(services, "u", 10, key=f"s{i}", reason="TEST")) for i in range(25))
    )
    assert results.count("ok") == 10 and set(results) == {"ok", "INSUFFICIENT_POINTS"}
    assert await balance_is_ledger_sum(services, "u") == 0


async def test_earns_and_replays_racing_move_the_balance_once_per_key(services: Services) -> None:
    await make_user(services, "u")
    keys = [f"k{i % 8}" for i in range(32)]  # 8 keys, each sent 4 times at once
    entries = await asyncio.gather(*(points.earn(services, "u", 5, key=k, reason="TEST") for k in keys))
    assert len({e["_id"] for e in entries if e}) == 8
    assert await balance_is_ledger_sum(services, "u") == 40
    user = await services.store.get("users", "u") or {}
    assert user["growth"] == 40 and sum(user["pointsLots"].values()) == 40


async def test_reversals_of_one_entry_never_give_back_more_than_it_moved(services: Services) -> None:
    await make_user(services, "u")
    await points.earn(services, "u", 100, key="e", reason="TEST")
    await asyncio.gather(*(points.reverse(services, "e", amount=30, by=f"r{i}") for i in range(6)))
    assert await balance_is_ledger_sum(services, "u") == 0  # 30 + 30 + 30 + 10, then nothing is left


async def test_a_rush_on_a_reward_is_exact_on_stock_limit_and_points(services: Services) -> None:
    shop = await catalog.create_shop(services, "seller", "店")
    coupon = await coupons.create_coupon(services, "seller", shop["_id"], "券", 100, 1000, now_ms() + 60_000, 50)
    reward = await rewards.create_reward(
        services,
        "seller",
        shop["_id"],
        kind="COUPON",
        title="兑换券",
        points_cost=30,
        stock=5,
        per_user_limit=1,
        coupon_id=coupon["_id"],
    )
    for i in range(12):
        await make_user(services, f"m{i}")
        await points.earn(services, f"m{i}", 50, key=f"e{i}", reason="TEST")
    # 12 members, each firing twice with one key and once with another
    calls = [rewards.redeem(services, f"m{i}", reward["_id"], k) for i in range(12) for k in ("a", "a", "b")]
    results = await asyncio.gather(*(outcome(c) for c in calls))
    issued = await services.store.count("points_redemptions", {"status": "ISSUED"})
    assert issued == 5 and results.count("ok") >= 5
    assert set(results) <= {"ok", "OUT_OF_STOCK", "LIMIT_REACHED", "CONFLICT", "ALREADY_EXISTS"}
    assert (await services.store.get("points_rewards", reward["_id"]) or {})["remaining"] == 0
    assert await services.store.count("coupon_claims", {"couponId": coupon["_id"]}) == 5
    balances = sorted([await balance_is_ledger_sum(services, f"m{i}") for i in range(12)])
    assert balances == [20] * 5 + [50] * 7

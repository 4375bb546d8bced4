"""The points ledger through the API on the embedded default: points earned by orders (at the level's multiplier)
and taken back by refunds, points used by an order given back in proportion to the money refunded, expiry at the
end of the year after earning (oldest lots first), and the balance always the ledger's sum."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.ids import from_global_id
from resolvers import payments
from resolvers import points as points_uc
from resolvers.errors import Refused
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_orders import CONFIRM, REFUND, SHIP, act, line, pay, place

ME = """{ me { points level membership { level name growth nextLevel { level growthNeeded }
  benefits { pricePercent freeShipping pointsMultiplierPercent } }
  pointsLedger(first: 20) { edges { node { kind amount reason expiresAt } } } } }"""


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def me(api: Api, token: str) -> dict[str, Any]:
    return (await api.gql(ME, token=token))["data"]["me"]  # type: ignore[no-any-return]


async def ledger_sum_is_balance(api: Api, user_id: str) -> int:
    """The invariant: users.points is the sum of the user's ledger entries, none left unapplied."""
    store = api.services.store
    entries = (await store.find("points_ledger", {"userId": user_id}, limit=1000)).docs
    user = await store.get("users", user_id)
    assert user is not None
    assert not [e for e in entries if e.get("pending")]
    assert sum(e["amount"] for e in entries) == user["points"]
    assert sorted(e["seq"] for e in entries) == list(range(1, len(entries) + 1))
    return int(user["points"])


async def completed_order(api: Api, seller: str, buyer: str, price: int, key: str) -> str:
    _, _, (sku_id,) = await make_product(api, seller, prices=(price,), stock=5, title=f"商品{key}")
    order_id: str = (await place(api, buyer, [line(sku_id)], key))["order"]["id"]
    await pay(api, buyer, order_id)
    await act(api, SHIP, seller, order_id)
    assert (await act(api, CONFIRM, buyer, order_id))["errors"] == []
    return order_id


async def test_an_order_earns_its_points_and_growth_on_the_ledger(api: Api) -> None:
    # given a buyer with nothing
    seller, _ = await api.login("积分卖家")
    buyer, user = await api.login("积分买家")
    assert (await me(api, buyer))["membership"] == {
        "level": 1,
        "name": "普通会员",
        "growth": 0,
        "nextLevel": {"level": 2, "growthNeeded": 100},
        "benefits": {"pricePercent": 100, "freeShipping": False, "pointsMultiplierPercent": 100},
    }
    # when an order of 123.45 yuan completes
    await completed_order(api, seller, buyer, 12_345, "e1")
    # then 123 points and 123 growth (level 2: 铜牌), one EARNED entry expiring at the end of next year
    mine = await me(api, buyer)
    assert (mine["points"], mine["level"], mine["membership"]["growth"]) == (123, 2, 123)
    assert mine["membership"]["nextLevel"] == {"level": 3, "growthNeeded": 377}
    (entry,) = [e["node"] for e in mine["pointsLedger"]["edges"]]
    assert (entry["kind"], entry["amount"], entry["reason"]) == ("EARNED", 123, "ORDER")
    china_year = datetime.now(UTC).year  # close enough outside New Year's Eve
    assert entry["expiresAt"].startswith(f"{china_year + 1}-12-31T16:00:00")
    # and a level 2 member earns at its multiplier (110 %) on the next order
    await completed_order(api, seller, buyer, 10_000, "e2")
    assert (await me(api, buyer))["points"] == 123 + 110
    assert await ledger_sum_is_balance(api, raw(user["id"])) == 233


async def test_a_completed_orders_points_are_taken_back_in_proportion_when_money_comes_back(api: Api) -> None:
    seller, _ = await api.login("退积分卖家")
    buyer, user = await api.login("退积分买家")
    order_id = await completed_order(api, seller, buyer, 20_000, "b1")
    assert (await me(api, buyer))["points"] == 200
    # when 50 yuan come back (a price difference)
    order = await api.services.store.get("orders", raw(order_id))
    assert order is not None
    await payments.refund_difference(api.services, order, 5_000, "差价")
    # then the order keeps 150 yuan: 150 points, 150 growth, the 50 reversed once
    mine = await me(api, buyer)
    assert (mine["points"], mine["membership"]["growth"]) == (150, 150)
    kinds = [(e["node"]["kind"], e["node"]["amount"]) for e in mine["pointsLedger"]["edges"]]
    assert kinds == [("REVERSED", -50), ("EARNED", 200)]
    await payments.refund_difference(api.services, order, 5_000, "差价")  # once per order: nothing more moves
    assert await ledger_sum_is_balance(api, raw(user["id"])) == 150


async def test_points_used_by_an_order_come_back_with_a_full_refund_and_in_part_with_a_partial_one(api: Api) -> None:
    seller, _ = await api.login("用积分卖家")
    buyer, user = await api.login("用积分买家")
    buyer_id = raw(user["id"])
    services = api.services
    await points_uc.earn(services, buyer_id, 1_000, key="gift", reason="GIFT")
    _, _, (sku_id,) = await make_product(api, seller, prices=(10_000,), stock=5)
    ids, gids = [], []
    for key in ("u1", "u2"):
        gid = (await place(api, buyer, [line(sku_id)], key))["order"]["id"]
        order_id = raw(gid)
        # given the checkout used 300 points for it (the pricing pipeline's step: pointsUsed and a SPENT entry)
        await points_uc.spend(services, buyer_id, 300, key=f"checkout:{order_id}", reason="ORDER", ref=order_id)
        await services.store.update_one("orders", {"_id": order_id}, {"$set": {"pointsUsed": 300}})
        await pay(api, buyer, gid)
        ids.append(order_id)
        gids.append(gid)
    assert (await me(api, buyer))["points"] == 400
    # when the first is refunded whole and a quarter of the second comes back
    full = await act(api, REFUND, buyer, gids[0], k="rf", r="不要了")
    assert full["order"]["status"] == "REFUNDED"
    second = await services.store.get("orders", ids[1])
    assert second is not None
    await payments.refund_difference(services, second, second["total"] // 4, "差价")
    # then 300 + 75 points are back, each once
    again = await act(api, REFUND, buyer, gids[0], k="rf", r="不要了")
    assert again["errors"] == []
    mine = await me(api, buyer)
    assert mine["points"] == 400 + 300 + 75
    reversed_ = sorted(e["node"]["amount"] for e in mine["pointsLedger"]["edges"] if e["node"]["kind"] == "REVERSED")
    assert reversed_ == [75, 300]
    assert await ledger_sum_is_balance(api, buyer_id) == 775


async def test_cancelling_an_unpaid_order_gives_its_points_back(api: Api) -> None:
    seller, _ = await api.login("取消积分卖家")
    buyer, user = await api.login("取消积分买家")
    buyer_id = raw(user["id"])
    await points_uc.earn(api.services, buyer_id, 500, key="gift", reason="GIFT")
    _, _, (sku_id,) = await make_product(api, seller, prices=(10_000,), stock=5)
    gid = (await place(api, buyer, [line(sku_id)], "c1"))["order"]["id"]
    order_id = raw(gid)
    await points_uc.spend(api.services, buyer_id, 200, key=f"checkout:{order_id}", reason="ORDER", ref=order_id)
    await api.services.store.update_one("orders", {"_id": order_id}, {"$set": {"pointsUsed": 200}})
    cancel = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { order { status } errors { code } } }"
    assert (await api.gql(cancel, {"id": gid}, token=buyer))["data"]["cancelOrder"]["errors"] == []
    assert await ledger_sum_is_balance(api, buyer_id) == 500


async def test_spending_is_refused_past_the_balance_and_a_key_spends_once(api: Api) -> None:
    _, user = await api.login("花积分")
    user_id, services = raw(user["id"]), api.services
    await points_uc.earn(services, user_id, 100, key="k-earn", reason="GIFT")
    first = await points_uc.spend(services, user_id, 60, key="k-spend", reason="TEST")
    assert (await points_uc.spend(services, user_id, 60, key="k-spend", reason="TEST"))["_id"] == first["_id"]
    try:
        await points_uc.spend(services, user_id, 41, key="k-more", reason="TEST")
        raise AssertionError("spent past the balance")
    except Refused as exc:
        assert exc.code == "INSUFFICIENT_POINTS"
    assert await points_uc.reverse(services, "k-spend") is not None
    assert await points_uc.reverse(services, "k-spend") is not None  # a replay: the same reversal
    assert await ledger_sum_is_balance(api, user_id) == 100


async def test_points_expire_at_the_end_of_the_year_after_they_were_earned_oldest_first(api: Api) -> None:
    _, user = await api.login("过期积分")
    user_id, services = raw(user["id"]), api.services
    clock = use_clock(api)
    china = datetime.fromisoformat
    clock.ms = int(china("2026-03-01T12:00:00+08:00").timestamp() * 1000)
    await points_uc.earn(services, user_id, 100, key="y2026", reason="GIFT")  # lot 2027
    clock.ms = int(china("2027-05-01T12:00:00+08:00").timestamp() * 1000)
    await points_uc.earn(services, user_id, 50, key="y2027", reason="GIFT")  # lot 2028
    await points_uc.spend(services, user_id, 80, key="s2027", reason="TEST")  # from the 2026 lot first
    # just before the end of 2027 nothing is due
    clock.ms = int(china("2027-12-31T23:59:59+08:00").timestamp() * 1000)
    assert await points_uc.expire_due(services) == 0
    # at the start of 2028 the 20 left of the 2026 lot expire, once
    clock.ms = int(china("2028-01-01T00:00:01+08:00").timestamp() * 1000)
    assert await points_uc.expire_due(services) == 1
    assert await points_uc.expire_due(services) == 0
    assert await ledger_sum_is_balance(api, user_id) == 50
    # a spend in 2028 takes from the 2027 lot; at the start of 2029 what is left of it expires
    await points_uc.spend(services, user_id, 30, key="s2028", reason="TEST")
    clock.ms = int(china("2029-01-01T00:00:01+08:00").timestamp() * 1000)
    assert await points_uc.expire_due(services) == 1
    assert await ledger_sum_is_balance(api, user_id) == 0
    expired = (await services.store.find("points_ledger", {"userId": user_id, "kind": "EXPIRED"})).docs
    assert sorted(e["amount"] for e in expired) == [-20, -20]


async def test_points_past_their_expiry_cannot_be_spent_before_the_sweep(api: Api) -> None:
    _, user = await api.login("未扫过期")
    user_id, services = raw(user["id"]), api.services
    clock = use_clock(api)
    clock.ms = int(datetime.fromisoformat("2026-03-01T12:00:00+08:00").timestamp() * 1000)
    await points_uc.earn(services, user_id, 100, key="old", reason="GIFT")
    clock.ms = int(datetime.fromisoformat("2028-01-01T08:00:00+08:00").timestamp() * 1000)
    try:
        await points_uc.spend(services, user_id, 1, key="late", reason="TEST")
        raise AssertionError("spent expired points")
    except Refused as exc:
        assert exc.code == "INSUFFICIENT_POINTS"


async def test_a_crash_between_writing_an_entry_and_applying_it_is_finished_by_the_next_change(api: Api) -> None:
    _, user = await api.login("崩溃积分")
    user_id, services = raw(user["id"]), api.services
    await points_uc.earn(services, user_id, 100, key="a", reason="GIFT")
    # given an entry written but never applied (the process died between the two writes)
    await services.store.insert(
        "points_ledger",
        {
            "_id": "b",
            "userId": user_id,
            "seq": 2,
            "reason": "GIFT",
            "ref": None,
            "at": services.now(),
            "pending": True,
            "kind": "EARNED",
            "amount": 40,
            "lots": {"2099": 40},
            "consumed": 0,
            "growth": 40,
        },
    )
    # when the user spends: the pending entry is applied first, on the balance it was written for
    await points_uc.spend(services, user_id, 140, key="c", reason="TEST")
    assert await ledger_sum_is_balance(api, user_id) == 0


async def test_the_sweep_applies_an_entry_a_crash_left_for_a_member_who_does_nothing_more(api: Api) -> None:
    _, user = await api.login("扫尾积分")
    user_id, services = raw(user["id"]), api.services
    clock = use_clock(api)
    await services.store.insert(
        "points_ledger",
        {
            "_id": "left",
            "userId": user_id,
            "seq": 1,
            "reason": "GIFT",
            "ref": None,
            "at": clock.ms,
            "pending": True,
            "kind": "EARNED",
            "amount": 25,
            "lots": {"2099": 25},
            "consumed": 0,
            "growth": 25,
        },
    )
    assert await points_uc.apply_pending(services) == 0  # too recent: its writer may still be at it
    clock.advance(minutes=2)
    assert await points_uc.apply_pending(services) == 1
    assert await points_uc.apply_pending(services) == 0
    assert await ledger_sum_is_balance(api, user_id) == 25

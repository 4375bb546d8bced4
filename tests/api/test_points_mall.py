"""The points mall and member levels through the API: rewards listed by shops and operators, redeemPoints with its
refusals (points, limit, stock, replayed key) and races, product vouchers, and the level table with its benefits."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id, to_global_id
from resolvers import points as points_uc
from resolvers.membership import benefits_for
from resolvers.users import grant_operator
from tests.api.conftest import Api, make_product
from tests.api.test_points import completed_order, ledger_sum_is_balance, me

COUPON = """mutation($s: ID!) { createCoupon(input: {shopId: $s, title: "积分兑换券", discount: 500, minSpend: 1000,
  validUntil: "2099-01-01T00:00:00Z", quantity: 100}) { coupon { id } errors { code } } }"""
SHOP_REWARD = """mutation($in: CreatePointsRewardInput!) { createPointsReward(input: $in) {
  reward { id kind title points stock remaining perUserLimit shop { id } coupon { id } product { id } }
  errors { code field message } } }"""
PLATFORM_REWARD = """mutation($in: CreatePlatformPointsRewardInput!) { createPlatformPointsReward(input: $in) {
  reward { id remaining shop { id } } errors { code field } } }"""
REDEEM = """mutation($r: ID!, $k: String!) { redeemPoints(input: {rewardId: $r, idempotencyKey: $k}) {
  redemption { id status points voucherCode coupon { id usable } reward { id remaining } }
  errors { code field message } } }"""
USE = """mutation($s: ID!, $c: String!) { useRewardVoucher(input: {shopId: $s, code: $c}) {
  redemption { status usedAt } errors { code field } } }"""
LEVELS = """mutation($l: [MemberLevelInput!]!) { setMemberLevels(input: {levels: $l}) {
  levels { level name growth benefits { pricePercent freeShipping pointsMultiplierPercent birthdayCoupon { id } } }
  errors { code field } } }"""


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def give(api: Api, user: dict[str, Any], amount: int, key: str = "gift") -> None:
    await points_uc.earn(api.services, raw(user["id"]), amount, key=f"{key}:{raw(user['id'])}", reason="GIFT")


async def redeem(api: Api, token: str, reward_id: str, key: str) -> dict[str, Any]:
    return (await api.gql(REDEEM, {"r": reward_id, "k": key}, token=token))["data"]["redeemPoints"]  # type: ignore[no-any-return]


async def coupon_reward(api: Api, seller: str, *, points: int = 100, stock: int = 5) -> tuple[str, str, str]:
    """(shop id, coupon id, reward id) of a shop's coupon reward."""
    shop_id, _, _ = await make_product(api, seller, title="兑换店")
    coupon_id = (await api.gql(COUPON, {"s": shop_id}, token=seller))["data"]["createCoupon"]["coupon"]["id"]
    body = {
        "shopId": shop_id,
        "kind": "COUPON",
        "title": "五元券",
        "points": points,
        "stock": stock,
        "couponId": coupon_id,
    }
    payload = (await api.gql(SHOP_REWARD, {"in": body}, token=seller))["data"]["createPointsReward"]
    assert payload["errors"] == [], payload
    return shop_id, coupon_id, payload["reward"]["id"]


async def test_a_coupon_reward_is_redeemed_once_per_key_and_claims_the_coupon(api: Api) -> None:
    # given a shop's coupon reward of 100 points and a member with 250
    seller, _ = await api.login("兑换卖家")
    buyer, user = await api.login("兑换买家")
    _, coupon_id, reward_id = await coupon_reward(api, seller)
    await give(api, user, 250)
    # when they redeem it, twice with one key at once
    first, replay = await asyncio.gather(redeem(api, buyer, reward_id, "r1"), redeem(api, buyer, reward_id, "r1"))
    # then one redemption: 100 points, one unit, the coupon claimed and usable
    done = [p for p in (first, replay) if p["errors"] == []]
    assert done and all(p["redemption"]["id"] == done[0]["redemption"]["id"] for p in done)
    assert all(p["errors"] == [] or p["errors"][0]["code"] == "CONFLICT" for p in (first, replay))
    redemption = done[0]["redemption"]
    assert (redemption["status"], redemption["points"], redemption["voucherCode"]) == ("ISSUED", 100, None)
    assert redemption["coupon"] == {"id": coupon_id, "usable": True}
    assert (await redeem(api, buyer, reward_id, "r1"))["redemption"]["id"] == redemption["id"]
    assert (await me(api, buyer))["points"] == 150
    assert (await api.gql("{ myCoupons { id } }", token=buyer))["data"]["myCoupons"] == [{"id": coupon_id}]
    # and a second key is past the limit of a coupon (once per member): refused, nothing moves
    again = await redeem(api, buyer, reward_id, "r2")
    assert again["errors"] == [
        {"code": "LIMIT_REACHED", "field": ["input", "rewardId"], "message": again["errors"][0]["message"]}
    ]
    assert (await me(api, buyer))["points"] == 150
    rewards = await api.gql("{ pointsRewards(first: 5) { edges { node { id } } } }")
    assert rewards["data"]["pointsRewards"]["edges"] == []  # the platform's: none; the shop's are under shopId
    assert await ledger_sum_is_balance(api, raw(user["id"])) == 150


async def test_redeeming_without_enough_points_or_stock_is_refused_and_nothing_moves(api: Api) -> None:
    seller, _ = await api.login("缺分卖家")
    poor, poor_user = await api.login("缺分买家")
    shop_id, _, reward_id = await coupon_reward(api, seller, points=100, stock=1)
    await give(api, poor_user, 99)
    refused = await redeem(api, poor, reward_id, "p1")
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INSUFFICIENT_POINTS", ["input", "rewardId"])]
    q = "query($s: ID!) { pointsRewards(shopId: $s) { edges { node { remaining } } } }"
    assert (await api.gql(q, {"s": shop_id}))["data"]["pointsRewards"]["edges"] == [{"node": {"remaining": 1}}]
    assert (await me(api, poor))["points"] == 99
    # the same key again, once they have the points, is a fresh attempt (the refused one left nothing)
    await give(api, poor_user, 1, key="more")
    assert (await redeem(api, poor, reward_id, "p1"))["errors"] == []
    rich, rich_user = await api.login("有分买家")
    await give(api, rich_user, 1000)
    sold_out = await redeem(api, rich, reward_id, "x")
    assert [e["code"] for e in sold_out["errors"]] == ["OUT_OF_STOCK"]
    assert (await me(api, rich))["points"] == 1000
    assert await api.services.store.count("reward_takers", {"userId": raw(rich_user["id"]), "count": 1}) == 0
    missing = await redeem(api, rich, to_global_id("PointsReward", "none"), "y")
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("NOT_FOUND", ["input", "rewardId"])]


async def test_a_rush_on_a_reward_has_as_many_winners_as_units(api: Api) -> None:
    # given a reward of 3 units and 8 members with points for it
    seller, _ = await api.login("抢兑卖家")
    _, _, reward_id = await coupon_reward(api, seller, points=100, stock=3)
    members = [await api.login(f"抢兑{i}") for i in range(8)]
    for _, user in members:
        await give(api, user, 100)
    # when all redeem at once
    results = await asyncio.gather(*(redeem(api, token, reward_id, "rush") for token, _ in members))
    # then 3 win, the others are refused OUT_OF_STOCK and keep their points
    winners = [r for r in results if r["errors"] == []]
    assert len(winners) == 3
    assert sorted({r["errors"][0]["code"] for r in results if r["errors"]}) == ["OUT_OF_STOCK"]
    balances = [await ledger_sum_is_balance(api, raw(user["id"])) for _, user in members]
    assert sorted(balances) == [0, 0, 0, 100, 100, 100, 100, 100]
    assert winners[0]["redemption"]["reward"]["remaining"] in (0, 1, 2)
    reward = await api.services.store.get("points_rewards", raw(reward_id))
    assert reward is not None and reward["remaining"] == 0


async def test_one_member_racing_many_keys_never_spends_past_the_balance(api: Api) -> None:
    # given a product reward of 100 points (limit 10 per member) and a member with 250
    seller, _ = await api.login("多键卖家")
    buyer, user = await api.login("多键买家")
    shop_id, product_id, _ = await make_product(api, seller, title="兑换品")
    body = {
        "shopId": shop_id,
        "kind": "PRODUCT",
        "title": "兑换一件",
        "points": 100,
        "stock": 10,
        "perUserLimit": 10,
        "productId": product_id,
    }
    reward = (await api.gql(SHOP_REWARD, {"in": body}, token=seller))["data"]["createPointsReward"]["reward"]
    assert reward["product"] == {"id": product_id} and reward["shop"] == {"id": shop_id}
    await give(api, user, 250)
    # when it fires 6 redemptions with 6 keys at once
    results = await asyncio.gather(*(redeem(api, buyer, reward["id"], f"k{i}") for i in range(6)))
    # then exactly 2 win; the others are refused for points, and the units and places they took are back
    assert sum(1 for r in results if r["errors"] == []) == 2
    assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"INSUFFICIENT_POINTS"}
    assert await ledger_sum_is_balance(api, raw(user["id"])) == 50
    doc = await api.services.store.get("points_rewards", raw(reward["id"]))
    taker = await api.services.store.get("reward_takers", f"{raw(reward['id'])}:{raw(user['id'])}")
    assert doc is not None and taker is not None and (doc["remaining"], taker["count"]) == (8, 2)
    # and a voucher is taken by its shop once, by no other shop
    code = next(r for r in results if r["errors"] == [])["redemption"]["voucherCode"]
    assert code and len(code) == 12
    other_shop, _, _ = await make_product(api, seller, title="别的店")
    assert (await api.gql(USE, {"s": other_shop, "c": code}, token=seller))["data"]["useRewardVoucher"]["errors"][0][
        "code"
    ] == "NOT_FOUND"
    assert (await api.gql(USE, {"s": shop_id, "c": code}, token=buyer))["data"]["useRewardVoucher"]["errors"][0][
        "code"
    ] == "FORBIDDEN"
    used = await asyncio.gather(*(api.gql(USE, {"s": shop_id, "c": code}, token=seller) for _ in range(3)))
    outcomes = sorted(
        u["data"]["useRewardVoucher"]["errors"][0]["code"] if u["data"]["useRewardVoucher"]["errors"] else "USED"
        for u in used
    )
    assert outcomes == ["INVALID_STATE", "INVALID_STATE", "USED"]


async def test_rewards_are_listed_by_operators_and_shop_staff_only_and_checked(api: Api) -> None:
    seller, _ = await api.login("上架卖家")
    stranger, _ = await api.login("路人")
    operator, op_user = await api.login("运营")
    await grant_operator(api.services, op_user["id"])
    shop_id, coupon_id, _ = await coupon_reward(api, seller)
    coupon_body = {"kind": "COUPON", "title": "平台兑换", "points": 10, "stock": 2, "couponId": coupon_id}
    refused = await api.gql(PLATFORM_REWARD, {"in": coupon_body}, token=stranger)
    assert refused["data"]["createPlatformPointsReward"]["errors"][0]["code"] == "FORBIDDEN"
    made = (await api.gql(PLATFORM_REWARD, {"in": coupon_body}, token=operator))["data"]["createPlatformPointsReward"]
    assert made["errors"] == [] and made["reward"]["shop"] is None
    listed = (await api.gql("{ pointsRewards { edges { node { id title } } } }"))["data"]["pointsRewards"]["edges"]
    assert listed == [{"node": {"id": made["reward"]["id"], "title": "平台兑换"}}]
    shop_body = {"shopId": shop_id, **coupon_body}
    assert (await api.gql(SHOP_REWARD, {"in": shop_body}, token=stranger))["data"]["createPointsReward"]["errors"][0][
        "code"
    ] == "FORBIDDEN"
    bad = {**shop_body, "points": 0, "stock": 0, "perUserLimit": 2}
    errors = (await api.gql(SHOP_REWARD, {"in": bad}, token=seller))["data"]["createPointsReward"]["errors"]
    assert sorted(e["field"][-1] for e in errors) == ["perUserLimit", "points", "stock"]
    other_shop, _, _ = await make_product(api, seller, title="另一家")
    foreign = {**shop_body, "shopId": other_shop}
    errors = (await api.gql(SHOP_REWARD, {"in": foreign}, token=seller))["data"]["createPointsReward"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", ["input", "couponId"])]


async def test_an_operator_sets_the_level_table_and_members_get_its_benefits(api: Api) -> None:
    seller, seller_user = await api.login("等级卖家")
    buyer, user = await api.login("等级买家")
    operator, op_user = await api.login("等级运营")
    await grant_operator(api.services, op_user["id"])
    _, coupon_id, _ = await coupon_reward(api, seller)
    table = [
        {"name": "新人", "growth": 0},
        {
            "name": "常客",
            "growth": 50,
            "pricePercent": 95,
            "pointsMultiplierPercent": 200,
            "birthdayCouponId": coupon_id,
        },
        {"name": "贵宾", "growth": 1000, "pricePercent": 90, "freeShipping": True},
    ]
    # a table that does not increase is refused whole, and only operators may set one
    flat = [table[0], {**table[1], "growth": 50}, {**table[2], "growth": 50}]
    payload = (await api.gql(LEVELS, {"l": flat}, token=operator))["data"]["setMemberLevels"]
    assert payload["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "levels", "2", "growth"]}]
    no_zero = [{**table[0], "growth": 10}, table[1]]
    payload = (await api.gql(LEVELS, {"l": no_zero}, token=operator))["data"]["setMemberLevels"]
    assert payload["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "levels", "0", "growth"]}]
    assert (await api.gql(LEVELS, {"l": table}, token=seller))["data"]["setMemberLevels"]["errors"][0][
        "code"
    ] == "FORBIDDEN"
    levels = await api.gql("{ memberLevels { level name growth } }")
    assert [lv["growth"] for lv in levels["data"]["memberLevels"]] == [0, 100, 500, 2000, 10000, 50000]  # unchanged
    payload = (await api.gql(LEVELS, {"l": table}, token=operator))["data"]["setMemberLevels"]
    assert payload["errors"] == [] and [lv["level"] for lv in payload["levels"]] == [1, 2, 3]
    assert payload["levels"][1]["benefits"]["birthdayCoupon"] == {"id": coupon_id}
    # when the buyer completes an order of 60 yuan (growth 60: level 2)
    await completed_order(api, seller, buyer, 6_000, "lv1")
    mine = await me(api, buyer)
    assert (mine["level"], mine["membership"]["name"], mine["membership"]["nextLevel"]) == (
        2,
        "常客",
        {"level": 3, "growthNeeded": 940},
    )
    assert mine["membership"]["benefits"] == {"pricePercent": 95, "freeShipping": False, "pointsMultiplierPercent": 200}
    benefits = await benefits_for(api.services, raw(user["id"]))
    assert (benefits.price_percent, benefits.free_shipping, benefits.points_multiplier_percent) == (95, False, 200)
    assert benefits.birthday_coupon_id == raw(coupon_id)
    # then the next order is at the member price (95 %: 9.50 yuan) and earns double points (2 x 9); others see no
    # membership of theirs
    await completed_order(api, seller, buyer, 1_000, "lv2")
    assert (await me(api, buyer))["points"] == 60 + 18
    q = "query($id: ID!) { user(id: $id) { level membership { level } pointsLedger { edges { cursor } } } }"
    other = (await api.gql(q, {"id": user["id"]}, token=seller))["data"]["user"]
    assert other == {"level": 2, "membership": None, "pointsLedger": None}
    assert seller_user


async def test_the_sweep_undoes_a_redemption_a_crash_left_half_made(api: Api) -> None:
    from resolvers import rewards as rewards_uc
    from tests.api.conftest import use_clock

    seller, _ = await api.login("崩溃兑换卖家")
    _, user = await api.login("崩溃兑换买家")
    _, _, reward_id = await coupon_reward(api, seller, points=100, stock=2)
    await give(api, user, 300)
    clock, services, store = use_clock(api), api.services, api.services.store
    user_id, reward_raw = raw(user["id"]), raw(reward_id)
    # given a redemption that took its place, its unit and its points, and then its process died
    await store.insert(
        "reward_takers", {"_id": f"{reward_raw}:{user_id}", "rewardId": reward_raw, "userId": user_id, "count": 1}
    )
    await store.update_one("points_rewards", {"_id": reward_raw}, {"$inc": {"remaining": -1}})
    await points_uc.spend(services, user_id, 100, key="redeem:dead", reason="REDEEM")
    await store.insert(
        "points_redemptions",
        {
            "_id": f"{user_id}:dead",
            "userId": user_id,
            "rewardId": reward_raw,
            "shopId": None,
            "kind": "COUPON",
            "points": 100,
            "attempt": "dead",
            "code": "DEADBEEF0000",
            "status": "PENDING",
            "steps": ["limit", "stock", "points"],
            "at": clock.ms,
        },
    )
    assert await rewards_uc.undo_stale(services) == 0  # not stale yet
    clock.advance(minutes=6)
    # when the sweep runs, then everything it took is back, once
    assert await rewards_uc.undo_stale(services) == 1
    assert await rewards_uc.undo_stale(services) == 0
    assert await ledger_sum_is_balance(api, user_id) == 300
    reward = await store.get("points_rewards", reward_raw)
    taker = await store.get("reward_takers", f"{reward_raw}:{user_id}")
    assert reward is not None and taker is not None and (reward["remaining"], taker["count"]) == (2, 0)
    assert await store.get("points_redemptions", f"{user_id}:dead") is None

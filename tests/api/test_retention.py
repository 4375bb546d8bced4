"""Retention through the API on a small world counted by hand: shop cohorts by first paid order, platform cohorts by
sign-up, day 1 / 7 / 30 returns on exactly that day, rates only over members whose day is over, bad ranges."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.retention import DAY_MS, OFFSET_MS
from resolvers.users import grant_operator
from store.ids import new_id
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_segments import raw

SHOP_RETENTION = """query($s: ID!, $f: DateTime!, $t: DateTime!) { shopRetention(shopId: $s, from: $f, to: $t) {
  weekStart size day1 { eligible returned rate } day7 { eligible returned rate } day30 { eligible returned rate } } }"""
PLATFORM = """query($f: DateTime!, $t: DateTime!, $c: RetentionCohortKind) {
  platformRetention(from: $f, to: $t, cohort: $c) {
  weekStart size day1 { eligible returned rate } day7 { eligible returned rate } day30 { eligible returned rate } } }"""
MONDAY = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp() * 1000) - OFFSET_MS  # Monday 2026-01-05 00:00 China time
HOUR = 3_600_000


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


async def order(api: Api, shop: str, buyer: str, at: int) -> None:
    await api.services.store.insert(
        "orders",
        {"_id": new_id(), "shopId": raw(shop), "buyerId": raw(buyer), "status": "PAID", "total": 100, "paidAt": at,
         "createdAt": at},
    )  # fmt: skip


async def event(api: Api, user: str, at: int, shop: str | None = None) -> None:
    doc = {"_id": new_id(), "name": "page_view", "at": at, "userId": raw(user), "clientId": None,
           "shopId": raw(shop) if shop else None, "props": {}}  # fmt: skip
    await api.services.store.insert("events", doc)


def rate(eligible: int, returned: int) -> dict[str, Any]:
    return {"eligible": eligible, "returned": returned, "rate": returned / eligible if eligible else None}


async def test_shop_cohorts_by_first_order_week_count_returns_on_exactly_day_1_7_and_30(api: Api) -> None:
    # given
    clock = use_clock(api)
    owner, _ = await api.login("留存店主")
    shop, _, _ = await make_product(api, owner)
    other, _ = await api.login("别的店主")
    other_shop, _, _ = await make_product(api, other, title="别店")
    p, q, r, s = [(await api.login(f"留存{n}"))[1]["id"] for n in "PQRS"]
    await order(api, shop, p, MONDAY + 10 * HOUR)  # week 1, Monday
    await event(api, p, MONDAY + DAY_MS + 23 * HOUR, shop)  # Tuesday 23:00: day 1
    await event(api, p, MONDAY + 7 * DAY_MS + HOUR, other_shop)  # day 7, but at another shop: not a return here
    await order(api, shop, q, MONDAY + 2 * DAY_MS + 12 * HOUR)  # week 1, Wednesday
    await order(api, shop, q, MONDAY + 9 * DAY_MS + 1)  # day 7
    await order(api, shop, q, MONDAY + 10 * DAY_MS)  # day 8: counts for nothing
    await order(api, shop, r, MONDAY + 7 * DAY_MS + HOUR)  # week 2, Monday
    await event(api, r, MONDAY + 37 * DAY_MS, shop)  # day 30
    await order(api, shop, s, MONDAY - DAY_MS)  # first order before the range: in no cohort
    await order(api, shop, s, MONDAY + DAY_MS)
    clock.ms = MONDAY + 38 * DAY_MS  # day 30 of R (week 2) is over, day 30 of Q (Wed + 30 = day 32 ... 33) too
    # when
    body = await api.gql(SHOP_RETENTION, {"s": shop, "f": iso(MONDAY), "t": iso(MONDAY + 14 * DAY_MS)}, token=owner)
    # then
    assert body["data"]["shopRetention"] == [
        {"weekStart": "2026-01-04T16:00:00+00:00", "size": 2, "day1": rate(2, 1), "day7": rate(2, 1),
         "day30": rate(2, 0)},
        {"weekStart": "2026-01-11T16:00:00+00:00", "size": 1, "day1": rate(1, 0), "day7": rate(1, 0),
         "day30": rate(1, 1)},
    ]  # fmt: skip


async def test_a_day_not_yet_over_has_no_rate(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("新店主")
    shop, _, _ = await make_product(api, owner)
    buyer = (await api.login("新买家"))[1]["id"]
    await order(api, shop, buyer, MONDAY + HOUR)
    clock.ms = MONDAY + 2 * DAY_MS + HOUR  # day 1 over, day 7 not
    body = await api.gql(SHOP_RETENTION, {"s": shop, "f": iso(MONDAY), "t": iso(MONDAY + DAY_MS)}, token=owner)
    (cohort,) = body["data"]["shopRetention"]
    assert cohort["day1"] == rate(1, 0) and cohort["day7"] == rate(0, 0) and cohort["day7"]["rate"] is None


async def test_platform_cohorts_by_sign_up_for_operators_only(api: Api) -> None:
    # given: two users sign up on Monday; one comes back the next day (any event), the other pays on day 7
    clock = use_clock(api)
    clock.ms = MONDAY + 9 * HOUR
    u_token, u_user = await api.login("注册甲")
    v = (await api.login("注册乙"))[1]["id"]
    u = u_user["id"]
    owner, owner_user = await api.login("平台店主")
    shop, _, _ = await make_product(api, owner)
    for user in (u, v, owner_user["id"]):  # sign-up takes the wall clock (resolvers/users.py), not the test's
        await api.services.store.update_one("users", {"_id": raw(user)}, {"$set": {"createdAt": MONDAY + 9 * HOUR}})
    await event(api, u, MONDAY + DAY_MS + HOUR)
    await order(api, shop, v, MONDAY + 7 * DAY_MS + 2 * HOUR)
    clock.ms = MONDAY + 40 * DAY_MS
    variables = {"f": iso(MONDAY), "t": iso(MONDAY + DAY_MS)}
    refused = await api.gql(PLATFORM, variables, token=u_token, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await grant_operator(api.services, u)
    # when
    body = await api.gql(PLATFORM, variables, token=u_token)
    # then: the shop's owner signed up on that Monday too (3 users)
    assert body["data"]["platformRetention"] == [
        {"weekStart": "2026-01-04T16:00:00+00:00", "size": 3, "day1": rate(3, 1), "day7": rate(3, 1),
         "day30": rate(3, 0)},
    ]  # fmt: skip
    by_order = await api.gql(PLATFORM, {**variables, "t": iso(MONDAY + 14 * DAY_MS), "c": "FIRST_ORDER"}, token=u_token)
    assert [(c["size"], c["day7"]) for c in by_order["data"]["platformRetention"]] == [(1, rate(1, 0))]


async def test_bad_ranges_and_other_shops_are_refused(api: Api) -> None:
    owner, _ = await api.login("范围店主")
    shop, _, _ = await make_product(api, owner)
    stranger, _ = await api.login("范围路人")
    long = {"s": shop, "f": iso(MONDAY), "t": iso(MONDAY + 366 * DAY_MS + 1)}
    backwards = {"s": shop, "f": iso(MONDAY), "t": iso(MONDAY)}
    for variables in (long, backwards):
        body = await api.gql(SHOP_RETENTION, variables, token=owner, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    theirs = await api.gql(
        SHOP_RETENTION, {"s": shop, "f": iso(MONDAY), "t": iso(MONDAY + DAY_MS)}, token=stranger, expect_errors=True
    )
    assert theirs["errors"][0]["extensions"]["code"] == "FORBIDDEN"

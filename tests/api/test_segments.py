"""RFM segments through the API on a small world scored by hand: the cut points a run used, the 8 segments with
their counts and changes, the members page, the merchant's own cut points, and who may read them."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id
from domain.rfm import DAY_MS
from store.ids import new_id
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_orders import line, pay, place

HOUR_MS = 3_600_000
SEGMENTS = """query($s: ID!) { rfmSegments(shopId: $s) { buyers windowDays previousComputedAt
  cutPoints { recency frequency monetary } segments { segment count change } } }"""
MEMBERS = """query($s: ID!, $g: RfmSegment!, $n: Int, $a: String) {
  segmentMembers(shopId: $s, segment: $g, first: $n, after: $a) { totalCount
    edges { cursor node { recencyDays orders amount { amount } r f m user { nickname } } }
    pageInfo { hasNextPage endCursor } } }"""
REFRESH = "mutation($s: ID!) { refreshSegments(input: {shopId: $s}) { started errors { code field } } }"
SET_CUTS = """mutation($in: SetRfmCutPointsInput!) { setRfmCutPoints(input: $in) {
  cutPoints { recency frequency monetary } errors { code field message } } }"""
CUTS = "query($s: ID!) { rfmCutPoints(shopId: $s) { recency frequency monetary } }"


async def settle(api: Api) -> None:
    """Wait for what the requests started after answering (a run, a grant)."""
    while api.services.background:
        await asyncio.gather(*api.services.background, return_exceptions=True)


async def refresh(api: Api, token: str, shop_id: str) -> None:
    payload = (await api.gql(REFRESH, {"s": shop_id}, token=token))["data"]["refreshSegments"]
    assert payload == {"started": True, "errors": []}
    await settle(api)


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def paid(api: Api, shop: str, buyer: str, days_ago: float, total: int, **more: Any) -> None:
    """A paid order of the shop, written as payments leave it (the API's own path is in the first test)."""
    order_id = new_id()
    now = api.services.now()
    await api.services.store.insert(
        "orders",
        {"_id": order_id, "shopId": raw(shop), "buyerId": raw(buyer), "status": "PAID", "total": total,
         "paidAt": now - int(days_ago * DAY_MS), "createdAt": now - int(days_ago * DAY_MS), **more},
    )  # fmt: skip


async def small_world(api: Api) -> tuple[str, str, dict[str, dict[str, Any]]]:
    """(owner token, shop id, buyers by name). By hand, at now:
    A: 10 orders (one through placeOrder and payOrder), last 1 day ago, 10000 fen
    B: 3 orders, last 10 days ago, 6000 fen less a 500 partial refund = 5500
    C: 1 order 40 days ago, 50000;  D: 1 order 100 days ago, 500;  E: 2 orders, last 200 days ago, 600
    not counted: A's order 400 days ago (outside the window), B's REFUNDED order, C's unpaid order."""
    clock = use_clock(api)
    owner, _ = await api.login("分群店主")
    shop, _, (sku,) = await make_product(api, owner, prices=(1000,), stock=50)
    buyers = {}
    for name in "ABCDE":
        token, user = await api.login(f"分群买家{name}")
        buyers[name] = {"token": token, "id": user["id"]}
    # A's most recent order, paid through the API a day (and an hour) ago
    clock.advance(days=-1, minutes=-60)
    order = (await place(api, buyers["A"]["token"], [line(sku)], "rfm-a"))["order"]
    assert (await pay(api, buyers["A"]["token"], order["id"]))["errors"] == []
    clock.advance(days=1, minutes=60)
    stored = await api.services.store.get("orders", raw(order["id"]))
    assert stored is not None and stored["total"] == 1000 and stored["status"] == "PAID"
    for i in range(9):
        await paid(api, shop, buyers["A"]["id"], 2 + i, 1000)
    await paid(api, shop, buyers["A"]["id"], 400, 99999)
    await paid(api, shop, buyers["B"]["id"], 10.04, 2000)
    await paid(api, shop, buyers["B"]["id"], 20, 2000, refunded=500)
    await paid(api, shop, buyers["B"]["id"], 30, 2000)
    await paid(api, shop, buyers["B"]["id"], 15, 7000, status="REFUNDED")
    await paid(api, shop, buyers["C"]["id"], 40.04, 50000)
    await api.services.store.insert(
        "orders", {"_id": "unpaid-c", "shopId": raw(shop), "buyerId": raw(buyers["C"]["id"]),
                   "status": "PENDING_PAYMENT", "total": 88888, "createdAt": api.services.now()}
    )  # fmt: skip
    await paid(api, shop, buyers["D"]["id"], 100.04, 500)
    await paid(api, shop, buyers["E"]["id"], 200.04, 300)
    await paid(api, shop, buyers["E"]["id"], 250, 300)
    return owner, shop, buyers


def counts(body: dict[str, Any]) -> dict[str, tuple[int, int | None]]:
    return {s["segment"]: (s["count"], s["change"]) for s in body["segments"] if s["count"] or s["change"]}


async def test_a_run_scores_the_shops_buyers_as_computed_by_hand(api: Api) -> None:
    # given
    owner, shop, _ = await small_world(api)
    assert (await api.gql(SEGMENTS, {"s": shop}, token=owner))["data"]["rfmSegments"] is None
    # when
    await refresh(api, owner, shop)
    # then: R by quintiles of days 1 10 40 100 200, M of 500 600 5500 10000 50000, F fixed
    body = (await api.gql(SEGMENTS, {"s": shop}, token=owner))["data"]["rfmSegments"]
    assert body["buyers"] == 5 and body["windowDays"] == 365 and body["previousComputedAt"] is None
    assert body["cutPoints"] == {
        "recency": [1, 10, 40, 100],
        "frequency": [2, 3, 5, 10],
        "monetary": [600, 5500, 10000, 50000],
    }
    # A R5 F5 M4, B R4 F3 M3: 重要价值; C R3 F1 M5: 重要发展; D R2 F1 M1, E R1 F2 M2: 一般挽留
    assert counts(body) == {
        "IMPORTANT_VALUE": (2, None),
        "IMPORTANT_DEVELOPMENT": (1, None),
        "GENERAL_WINBACK": (2, None),
    }
    assert len(body["segments"]) == 8
    members = (await api.gql(MEMBERS, {"s": shop, "g": "IMPORTANT_VALUE"}, token=owner))["data"]["segmentMembers"]
    assert members["totalCount"] == 2
    assert [e["node"] for e in members["edges"]] == [
        {"recencyDays": 1, "orders": 10, "amount": {"amount": 10000}, "r": 5, "f": 5, "m": 4,
         "user": {"nickname": "分群买家A"}},
        {"recencyDays": 10, "orders": 3, "amount": {"amount": 5500}, "r": 4, "f": 3, "m": 3,
         "user": {"nickname": "分群买家B"}},
    ]  # fmt: skip


async def test_members_page_by_cursor_most_paid_first(api: Api) -> None:
    owner, shop, _ = await small_world(api)
    await refresh(api, owner, shop)
    first = (await api.gql(MEMBERS, {"s": shop, "g": "GENERAL_WINBACK", "n": 1}, token=owner))["data"]
    page = first["segmentMembers"]
    assert [e["node"]["user"]["nickname"] for e in page["edges"]] == ["分群买家E"]  # 600 before D's 500
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    second = (await api.gql(MEMBERS, {"s": shop, "g": "GENERAL_WINBACK", "n": 1, "a": after}, token=owner))["data"]
    assert [e["node"]["user"]["nickname"] for e in second["segmentMembers"]["edges"]] == ["分群买家D"]
    assert second["segmentMembers"]["pageInfo"]["hasNextPage"] is False
    # a cursor of an earlier run is refused once the segments are computed again
    await refresh(api, owner, shop)
    stale = await api.gql(
        MEMBERS, {"s": shop, "g": "GENERAL_WINBACK", "n": 1, "a": after}, token=owner, expect_errors=True
    )
    assert stale["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_own_cut_points_apply_from_the_next_run_and_changes_are_against_the_previous_run(api: Api) -> None:
    owner, shop, _ = await small_world(api)
    await refresh(api, owner, shop)
    # when: R 5 up to 1 day, 4 up to 2, ... (B and C fall to R 1)
    set_cuts = {"shopId": shop, "recency": [1, 2, 3, 4]}
    payload = (await api.gql(SET_CUTS, {"in": set_cuts}, token=owner))["data"]["setRfmCutPoints"]
    assert payload == {"cutPoints": {"recency": [1, 2, 3, 4], "frequency": None, "monetary": None}, "errors": []}
    await refresh(api, owner, shop)
    # then
    body = (await api.gql(SEGMENTS, {"s": shop}, token=owner))["data"]["rfmSegments"]
    assert body["cutPoints"]["recency"] == [1, 2, 3, 4] and body["previousComputedAt"] is not None
    assert counts(body) == {
        "IMPORTANT_VALUE": (1, -1),  # A
        "IMPORTANT_RETENTION": (1, 1),  # B: R 1 F 3 M 3
        "IMPORTANT_DEVELOPMENT": (0, -1),
        "IMPORTANT_WINBACK": (1, 1),  # C: R 1 F 1 M 5
        "GENERAL_WINBACK": (2, 0),
    }


async def test_cut_points_that_do_not_increase_are_refused_and_nothing_is_written(api: Api) -> None:
    owner, shop, _ = await small_world(api)
    bad = {"shopId": shop, "frequency": [2, 2, 5, 10], "monetary": [100, 50, 200, 300], "recency": [1, 2, 3]}
    errors = (await api.gql(SET_CUTS, {"in": bad}, token=owner))["data"]["setRfmCutPoints"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_INPUT", ["input", "recency"]),
        ("INVALID_INPUT", ["input", "frequency"]),
        ("INVALID_INPUT", ["input", "monetary"]),
    ]
    assert (await api.gql(CUTS, {"s": shop}, token=owner))["data"]["rfmCutPoints"] == {
        "recency": None,
        "frequency": None,
        "monetary": None,
    }
    assert await api.services.store.get("rfm_settings", raw(shop)) is None


async def test_only_the_owner_and_admin_staff_read_or_refresh_a_shops_segments(api: Api) -> None:
    owner, shop, buyers = await small_world(api)
    await refresh(api, owner, shop)
    other, _ = await api.login("别家店主")
    other_shop, _, _ = await make_product(api, other, title="别家")
    for token in (other, buyers["A"]["token"]):
        body = await api.gql(SEGMENTS, {"s": shop}, token=token, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and body["data"] == {"rfmSegments": None}
        members = await api.gql(MEMBERS, {"s": shop, "g": "IMPORTANT_VALUE"}, token=token, expect_errors=True)
        assert members["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        refused = (await api.gql(REFRESH, {"s": shop}, token=token))["data"]["refreshSegments"]
        assert refused == {"started": False, "errors": [{"code": "FORBIDDEN", "field": ["input", "shopId"]}]}
        cuts = (await api.gql(SET_CUTS, {"in": {"shopId": shop, "frequency": [1, 2, 3, 4]}}, token=token))["data"]
        assert cuts["setRfmCutPoints"]["errors"][0]["code"] == "FORBIDDEN"
    assert (await api.gql(SEGMENTS, {"s": other_shop}, token=other))["data"]["rfmSegments"] is None
    assert await api.services.store.get("rfm_settings", raw(shop)) is None


async def test_the_segments_job_runs_shops_whose_last_run_is_old(api: Api) -> None:
    from resolvers.segments import latest_run, refresh_due

    _, shop, _ = await small_world(api)
    assert await refresh_due(api.services) >= 1
    first = await latest_run(api.services, raw(shop))
    assert first is not None and first["buyers"] == 5
    assert await latest_run(api.services, raw(shop)) == first
    assert raw(shop) not in await _ran(api)  # not due again within RFM_REFRESH_HOURS
    use_clock(api).advance(days=1.01)
    assert raw(shop) in await _ran(api)


async def _ran(api: Api) -> list[str]:
    from resolvers.segments import latest_run, refresh_due

    shops = (await api.services.store.find("shops", None, limit=100)).docs
    before = {s["_id"]: await latest_run(api.services, s["_id"]) for s in shops}
    await refresh_due(api.services)
    after = {s["_id"]: await latest_run(api.services, s["_id"]) for s in shops}
    return [s for s in after if after[s] != before[s]]

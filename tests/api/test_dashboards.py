"""The data platform end to end: events through trackEvents and the order use cases, aggregates recomputed, the
dashboard's numbers checked against a small world whose numbers are worked out by hand here.

The world (Asia/Shanghai; day 1 = 2026-11-02, day 2 = 2026-11-03):
  day 1 10:00  A: PAGE_VIEW, PRODUCT_VIEW(P1), ADD_TO_CART(P1); B: PAGE_VIEW; anonymous X: PAGE_VIEW, PRODUCT_VIEW(P1)
  day 1 10:30  A pays order 1: P1 x2 = 2000;  B pays order 2: P2 x1 = 3000
               C (no visit) pays order 3: P1 x1 = 1000 through A's share link (MOMENTS)
  day 1 11:00  A pays order 4: P1 x1 = 1000
  day 2 09:00  A refunds order 4 (1000, a late refund of day 1's order); B: PAGE_VIEW; B pays order 5: P1 x1 = 1000
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from resolvers import aggregates
from tests.api.conftest import Api, Clock, make_product, make_settings

DAY1 = datetime(2026, 11, 2, tzinfo=UTC) - timedelta(hours=8)  # local midnight in Shanghai
DAY2 = DAY1 + timedelta(days=1)
DAY3 = DAY2 + timedelta(days=1)

PLACE = """mutation($lines: [OrderLineInput!]!, $k: String!, $s: String) {
  placeOrder(input: {lines: $lines, idempotencyKey: $k, shareToken: $s}) { order { id } errors { code } } }"""
PAY = """mutation($id: ID!, $k: String!) {
  payOrder(input: {orderId: $id, method: DEV_PAY, idempotencyKey: $k}) { order { status } errors { code } } }"""
REFUND = """mutation($id: ID!, $k: String!) {
  refundOrder(input: {orderId: $id, reason: "不要了", idempotencyKey: $k}) { order { status } errors { code } } }"""
TRACK = """mutation($in: TrackEventsInput!) { trackEvents(input: $in) { accepted errors { code field message } } }"""
LINK = """mutation($p: ID, $c: String) { createShareLink(input: {productId: $p, channel: $c}) {
  link { token } errors { code } } }"""
BOARD = """query($s: ID!, $f: DateTime!, $t: DateTime!, $g: DashboardGranularity!) {
  shopDashboard(shopId: $s, from: $f, to: $t, granularity: $g) {
    errors { code field message }
    dashboard { timeZone repurchaseRate previousRepurchaseRate
      buckets metrics { metric total previous change values }
      funnel { visitors productViewers placedBuyers paidBuyers }
      channels { channel orders gmv gmvShare }
      topProducts(first: 5) { productId units gmv product { title } }
      layout } } }"""


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    # the jobs stay off: the test runs the writer's flush and the aggregate job itself
    settings = make_settings(tmp_path, AGGREGATE_SECONDS=0, SWEEP_SECONDS=0, EVENTS_FLUSH_SECONDS=60)
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Api(client)


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


async def settle(api: Api) -> None:
    """Write what the event writer holds, then recompute the marked days (what the app's tick and job do)."""
    await api.services.events.flush()
    while await aggregates.aggregate(api.services):
        pass


class World:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.clock = Clock(ms(DAY1))
        api.services.clock = self.clock
        self.keys = 0

    def at(self, t: datetime) -> None:
        self.clock.ms = ms(t)

    async def order(self, token: str, sku: str, quantity: int, share: str | None = None) -> str:
        self.keys += 1
        lines = [{"skuId": sku, "quantity": quantity}]
        placed = await self.api.gql(PLACE, {"lines": lines, "k": f"k{self.keys}", "s": share}, token=token)
        order_id: str = placed["data"]["placeOrder"]["order"]["id"]
        paid = await self.api.gql(PAY, {"id": order_id, "k": f"p{self.keys}"}, token=token)
        assert paid["data"]["payOrder"]["order"]["status"] == "PAID", paid
        return order_id

    async def track(self, token: str | None, events: list[dict[str, Any]], client: str | None = None) -> Any:
        body = await self.api.gql(TRACK, {"in": {"events": events, "clientId": client}}, token=token)
        return body["data"]["trackEvents"]


async def build_world(api: Api) -> dict[str, Any]:
    w = World(api)
    owner, _ = await api.login("店主")
    shop, p1, (sku1,) = await make_product(api, owner, title="苹果", prices=(1000,), stock=100)
    _, p2, (sku2,) = await make_product(api, owner, title="梨", prices=(3000,), stock=100, shop_id=shop)
    a, _ = await api.login("甲")
    b, _ = await api.login("乙")
    c, _ = await api.login("丙")
    w.at(DAY1 + timedelta(hours=10))
    view = {"name": "PAGE_VIEW", "shopId": shop, "properties": {"page": "home"}}
    product_view = {"name": "PRODUCT_VIEW", "shopId": shop, "properties": {"productId": p1}}
    cart = {"name": "ADD_TO_CART", "shopId": shop, "properties": {"productId": p1, "quantity": 2}}
    assert (await w.track(a, [{**view, "id": "a1"}, {**product_view, "id": "a2"}, {**cart, "id": "a3"}]))[
        "accepted"
    ] == 3
    assert (await w.track(b, [view]))["accepted"] == 1
    assert (await w.track(None, [view, product_view], client="device-x-0001"))["accepted"] == 2
    link = (await api.gql(LINK, {"p": p1, "c": "MOMENTS"}, token=a))["data"]["createShareLink"]["link"]["token"]
    w.at(DAY1 + timedelta(hours=10, minutes=30))
    await w.order(a, sku1, 2)
    await w.order(b, sku2, 1)
    await w.order(c, sku1, 1, share=link)
    w.at(DAY1 + timedelta(hours=11))
    late = await w.order(a, sku1, 1)
    await settle(api)
    w.at(DAY2 + timedelta(hours=9))
    refunded = await api.gql(REFUND, {"id": late, "k": "r1"}, token=a)
    assert refunded["data"]["refundOrder"]["order"]["status"] == "REFUNDED", refunded
    assert (await w.track(b, [view]))["accepted"] == 1
    await w.order(b, sku1, 1)
    await settle(api)
    return {"owner": owner, "shop": shop, "p1": p1, "p2": p2, "a": a, "world": w}


async def board(api: Api, token: str, shop: str, start: datetime, end: datetime, g: str = "DAY") -> dict[str, Any]:
    variables = {"s": shop, "f": start.isoformat(), "t": end.isoformat(), "g": g}
    result: dict[str, Any] = (await api.gql(BOARD, variables, token=token))["data"]["shopDashboard"]
    return result


def metrics(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["metric"]: m for m in dashboard["metrics"]}


async def test_each_metric_of_a_day_is_what_the_world_adds_up_to(api: Api) -> None:
    # given
    world = await build_world(api)
    # when
    result = await board(api, world["owner"], world["shop"], DAY1, DAY2)
    # then
    assert result["errors"] == []
    day = result["dashboard"]
    m = {k: v["total"] for k, v in metrics(day).items()}
    assert m["GMV"] == 2000 + 3000 + 1000 + 1000
    assert m["ORDERS"] == 4
    assert m["PAYING_BUYERS"] == 3  # A, B, C
    assert m["AOV"] == pytest.approx(7000 / 3)
    assert m["REFUNDS"] == 0  # the refund happened on day 2
    assert m["NET_SALES"] == 7000
    assert m["REFUNDS_BY_ORDER_DATE"] == 1000  # ... and comes back to its order's own day
    assert m["NET_SALES_BY_ORDER_DATE"] == 6000
    assert m["VISITORS"] == 3  # A, B and the anonymous device X
    assert m["PRODUCT_VIEWERS"] == 2  # A, X
    assert m["PAGE_VIEWS"] == 3
    assert m["PRODUCT_VIEWS"] == 2
    assert m["ADD_TO_CART"] == 1
    assert m["SHARE_ORDERS"] == 1  # C's, through A's MOMENTS link
    assert m["SHARE_GMV"] == 1000
    assert m["SHARE_GMV_SHARE"] == pytest.approx(1000 / 7000)
    assert m["CONVERSION_RATE"] == pytest.approx(2 / 3)  # A and B visited and paid that day; C never visited
    assert m["ACTIVE_DISTRIBUTORS"] == 0 and m["COMMISSION"] == 0
    assert day["funnel"] == {"visitors": 3, "productViewers": 2, "placedBuyers": 2, "paidBuyers": 2}
    channels = {c["channel"]: c for c in day["channels"]}
    assert channels["MOMENTS"] == {"channel": "MOMENTS", "orders": 1, "gmv": 1000, "gmvShare": pytest.approx(1 / 7)}
    assert channels["DIRECT"]["orders"] == 3 and channels["DIRECT"]["gmv"] == 6000
    assert channels["FRIEND"]["orders"] == 0
    top = day["topProducts"]
    assert [(t["product"]["title"], t["units"], t["gmv"]) for t in top] == [("苹果", 4, 4000), ("梨", 1, 3000)]


async def test_a_range_merges_days_and_compares_with_the_previous_period(api: Api) -> None:
    world = await build_world(api)
    # when: both days, by day
    both = (await board(api, world["owner"], world["shop"], DAY1, DAY3))["dashboard"]
    m = metrics(both)
    # then: sums, and distinct buyers/visitors over the range (A, B, C / A, B, X), not the sum of the days
    assert m["GMV"]["total"] == 8000
    assert m["REFUNDS"]["total"] == 1000
    assert m["NET_SALES"]["total"] == 7000
    assert m["PAYING_BUYERS"]["total"] == 3
    assert m["VISITORS"]["total"] == 3
    assert m["AOV"]["total"] == pytest.approx(8000 / 3)
    assert m["GMV"]["values"] == [7000, 1000]
    assert m["VISITORS"]["values"] == [3, 1]
    assert m["REFUNDS_BY_ORDER_DATE"]["values"] == [1000, 0]
    # A (orders 1 and 4) and B (2 and 5) bought twice within 30 days of their first order; C once
    assert both["repurchaseRate"] == pytest.approx(2 / 3)
    # when: day 2 alone, against day 1
    day2 = metrics((await board(api, world["owner"], world["shop"], DAY2, DAY3))["dashboard"])
    assert day2["GMV"]["total"] == 1000 and day2["GMV"]["previous"] == 7000
    assert day2["GMV"]["change"] == pytest.approx((1000 - 7000) / 7000)
    # a previous value of 0 gives no percentage at all
    assert day2["REFUNDS"]["previous"] == 0 and day2["REFUNDS"]["change"] is None


async def test_hour_week_and_month_series(api: Api) -> None:
    world = await build_world(api)
    hours = metrics((await board(api, world["owner"], world["shop"], DAY1, DAY2, "HOUR"))["dashboard"])
    series = hours["GMV"]["values"]
    assert len(series) == 24
    assert series[10:12] == [6000, 1000]  # 10:00-11:00 local, 11:00-12:00
    assert sum(series) == 7000
    week = metrics((await board(api, world["owner"], world["shop"], DAY1, DAY3, "WEEK"))["dashboard"])
    assert week["GMV"]["values"] == [8000]  # both days are in the week of Monday 11-02
    month = metrics((await board(api, world["owner"], world["shop"], DAY1, DAY3, "MONTH"))["dashboard"])
    assert month["ORDERS"]["values"] == [5]


async def test_replayed_and_late_events_count_once_and_on_their_own_day(api: Api) -> None:
    world = await build_world(api)
    w: World = world["world"]
    owner, shop = world["owner"], world["shop"]
    view = {"name": "PAGE_VIEW", "shopId": shop, "properties": {"page": "home"}, "id": "a1"}
    # when: A's client sends its day-1 event again (same id), and a day-1 view from a new device arrives on day 2
    await w.track(world["a"], [{**view, "at": (DAY1 + timedelta(hours=10)).isoformat()}])
    late = {
        "name": "PAGE_VIEW",
        "shopId": shop,
        "properties": {"page": "home"},
        "at": (DAY1 + timedelta(hours=20)).isoformat(),
    }
    await w.track(None, [late], client="device-late-01")
    await settle(api)
    await aggregates.aggregate(api.services)  # the job running again changes nothing
    # then
    day1 = metrics((await board(api, owner, shop, DAY1, DAY2))["dashboard"])
    assert day1["PAGE_VIEWS"]["total"] == 4  # 3 + the late one; the replay is the same event
    assert day1["VISITORS"]["total"] == 4


async def test_rebuild_gives_the_same_numbers(api: Api) -> None:
    world = await build_world(api)
    store = api.services.store
    ids = [f"{_raw(world['shop'])}:D:2026-11-02", f"{_raw(world['shop'])}:D:2026-11-03"]
    before = await store.get_many("shop_stats", ids)
    for doc_id in ids:
        await store.delete("shop_stats", doc_id)
    body = await api.gql(
        """mutation($s: ID!, $f: DateTime!, $t: DateTime!) { rebuildAggregates(input: {shopId: $s, from: $f, to: $t}) {
          days errors { code } } }""",
        {"s": world["shop"], "f": DAY1.isoformat(), "t": DAY3.isoformat()},
        token=world["owner"],
    )
    assert body["data"]["rebuildAggregates"] == {"days": 2, "errors": []}
    after = await store.get_many("shop_stats", ids)
    for doc_id in ids:
        assert {k: v for k, v in after[doc_id].items() if k != "computedAt"} == {
            k: v for k, v in before[doc_id].items() if k != "computedAt"
        }


def _raw(global_id: str) -> str:
    from strawberry.relay import from_base64

    return from_base64(global_id)[1]


async def test_bad_ranges_and_other_shops_are_refused(api: Api) -> None:
    world = await build_world(api)
    owner, shop = world["owner"], world["shop"]
    cases = [
        (DAY1, DAY1 + timedelta(days=367), "DAY", ["to"]),
        (DAY2, DAY1, "DAY", ["to"]),
        (DAY1, DAY1 + timedelta(days=8), "HOUR", ["granularity"]),
    ]
    for start, end, g, field in cases:
        result = await board(api, owner, shop, start, end, g)
        assert result["dashboard"] is None
        assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", field)]
    stranger, _ = await api.login("别家店主")
    other = await board(api, stranger, shop, DAY1, DAY2)
    assert other["dashboard"] is None and other["errors"][0]["code"] == "FORBIDDEN"
    buyer = await board(api, world["a"], shop, DAY1, DAY2)
    assert buyer["errors"][0]["code"] == "FORBIDDEN"


async def test_bad_events_are_refused_and_nothing_is_written(api: Api) -> None:
    world = await build_world(api)
    w: World = world["world"]
    shop, a = world["shop"], world["a"]
    before = await api.services.store.count("events")
    ok = {"name": "PAGE_VIEW", "shopId": shop, "properties": {"page": "home"}}
    future = (datetime.fromtimestamp(w.clock.ms / 1000, UTC) + timedelta(days=1, minutes=5)).isoformat()
    cases = [
        ([ok, {"name": "CLICK", "properties": {}}], ["input", "events", "1", "name"]),
        (
            [ok, {"name": "PAGE_VIEW", "properties": {"page": "x", "color": "red"}}],
            ["input", "events", "1", "properties", "color"],
        ),
        ([{"name": "PRODUCT_VIEW", "properties": {}}], ["input", "events", "0", "properties", "productId"]),
        ([ok] * 101, ["input", "events"]),
        ([ok, {**ok, "at": future}], ["input", "events", "1", "at"]),
    ]
    for events, field in cases:
        result = await w.track(a, events)
        assert result["accepted"] == 0
        assert result["errors"][0]["code"] == "INVALID_INPUT" and result["errors"][0]["field"] == field, result
    anonymous = await w.track(None, [ok])
    assert anonymous["errors"][0]["field"] == ["input", "clientId"]
    await api.services.events.flush()
    assert await api.services.store.count("events") == before


async def test_tracking_is_rate_limited_per_user(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, AGGREGATE_SECONDS=0, TRACKED_EVENTS_PER_MINUTE=150)
    async with TestClient(TestServer(create_app(settings))) as client:
        api = Api(client)
        token, _ = await api.login("刷子")
        events = [{"name": "SEARCH", "properties": {"query": "苹果"}}] * 100
        first = (await api.gql(TRACK, {"in": {"events": events}}, token=token))["data"]["trackEvents"]
        second = (await api.gql(TRACK, {"in": {"events": events}}, token=token))["data"]["trackEvents"]
        assert first == {"accepted": 100, "errors": []}
        assert second["errors"][0]["code"] == "RATE_LIMITED" and second["accepted"] == 0


async def test_layout_and_csv_export(api: Api) -> None:
    world = await build_world(api)
    owner, shop = world["owner"], world["shop"]
    saved = await api.gql(
        """mutation($s: ID!) { saveDashboardLayout(input: {shopId: $s, cards: [GMV, FUNNEL, AOV]}) {
          cards errors { code } } }""",
        {"s": shop},
        token=owner,
    )
    assert saved["data"]["saveDashboardLayout"] == {"cards": ["GMV", "FUNNEL", "AOV"], "errors": []}
    twice = await api.gql(
        """mutation($s: ID!) { saveDashboardLayout(input: {shopId: $s, cards: [GMV, GMV]}) { errors { code } } }""",
        {"s": shop},
        token=owner,
    )
    assert twice["data"]["saveDashboardLayout"]["errors"][0]["code"] == "INVALID_INPUT"
    stranger, _ = await api.login("别人")
    other = await api.gql(
        """mutation($s: ID!) { saveDashboardLayout(input: {shopId: $s, cards: [GMV]}) { errors { code } } }""",
        {"s": shop},
        token=stranger,
    )
    assert other["data"]["saveDashboardLayout"]["errors"][0]["code"] == "FORBIDDEN"
    assert (await board(api, owner, shop, DAY1, DAY2))["dashboard"]["layout"] == ["GMV", "FUNNEL", "AOV"]
    exported = await api.gql(
        """mutation($s: ID!, $f: DateTime!, $t: DateTime!) {
          exportDashboardSeries(input: {shopId: $s, from: $f, to: $t, metrics: [GMV, REFUNDS]}) {
          url errors { code } } }""",
        {"s": shop, "f": DAY1.isoformat(), "t": DAY3.isoformat()},
        token=owner,
    )
    url = exported["data"]["exportDashboardSeries"]["url"]
    resp = await api.client.get(url)
    assert resp.status == 200
    text = (await resp.read()).decode("utf-8-sig")
    assert text.splitlines() == [
        "start,GMV,REFUNDS",
        "2026-11-02T00:00:00+08:00,7000,0",
        "2026-11-03T00:00:00+08:00,1000,1000",
    ]
    forged = await api.client.get(url[:-3] + "abc")
    assert forged.status == 403


async def test_the_platform_dashboard_is_for_operators(api: Api) -> None:
    world = await build_world(api)
    query = """query($f: DateTime!, $t: DateTime!) { platformDashboard(from: $f, to: $t) {
      errors { code } dashboard { metrics(only: [GMV, VISITORS]) { metric total } } } }"""
    variables = {"f": DAY1.isoformat(), "t": DAY3.isoformat()}
    refused = (await api.gql(query, variables, token=world["owner"]))["data"]["platformDashboard"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    from resolvers.users import grant_operator

    operator, user = await api.login("运营")
    await grant_operator(api.services, user["id"])
    found = (await api.gql(query, variables, token=operator))["data"]["platformDashboard"]
    assert found["dashboard"]["metrics"] == [{"metric": "GMV", "total": 8000}, {"metric": "VISITORS", "total": 3}]


async def test_racing_marks_count_every_one_and_a_mark_made_during_a_run_is_kept(api: Api) -> None:
    store = api.services.store
    shop, _, _ = await make_product(api, (await api.login("店"))[0])
    raw = _raw(shop)
    event = {"shopId": raw, "at": ms(DAY1 + timedelta(hours=3)), "props": {}}
    # when: 20 flushes mark the same shop-hour at once
    await asyncio.gather(*(aggregates.mark(store, [event]) for _ in range(20)))
    # then: one mark, moved 20 times (none lost to the insert race)
    hour = event["at"] - event["at"] % 3_600_000
    doc = await store.get("aggregate_marks", f"{raw}:{hour}")
    assert doc is not None and doc["v"] == 20 and doc["pending"] is True
    # when: the job has read the mark, another flush marks it again, then the job clears what it read
    seen = doc["v"]
    await aggregates.mark(store, [event])
    cleared = await store.update_one("aggregate_marks", {"_id": doc["_id"], "v": seen}, {"$set": {"pending": False}})
    # then: the clear lost, so the newer events' day is recomputed on the next run
    assert cleared is None
    assert (await store.get("aggregate_marks", doc["_id"]) or {})["pending"] is True
    assert await aggregates.aggregate(api.services) == 1
    assert (await store.get("aggregate_marks", doc["_id"]) or {})["pending"] is False

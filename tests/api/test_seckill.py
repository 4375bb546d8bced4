"""Seckill (秒杀) through the API on the embedded default: a campaign's stock comes from its SKU at start and goes back
at its end, the countdown, the path token of a slot, the rush's refusals (each with nothing moved), the unit of an
unpaid order coming back, slots across midnight, and exact winners under a concurrent rush."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from domain.ids import from_global_id
from resolvers.seckill import sweep_seckill
from tests.api.conftest import Api, Clock, make_product

# 2026-06-01 10:00 in Shanghai is 02:00 UTC
DAY0 = int(datetime(2026, 5, 31, 16, 0, tzinfo=UTC).timestamp() * 1000)  # 2026-06-01 00:00 in Shanghai
MIN = 60_000
HOUR = 60 * MIN

CREATE = """mutation($in: CreateSeckillCampaignInput!) { createSeckillCampaign(input: $in) {
  campaign { id status name kind limitPerUser slots { start end crossesMidnight }
             items { stock remaining price { amount } sku { id stock } }
             currentSlot { startsAt endsAt running } serverTime }
  errors { code field message } } }"""
CANCEL = """mutation($c: ID!) { cancelSeckillCampaign(input: {campaignId: $c}) {
  campaign { id status items { remaining } } errors { code field } } }"""
CAMPAIGN = """query($c: ID!) { seckillCampaign(id: $c) { id status currentSlot { startsAt endsAt running } serverTime
  items { stock remaining sku { stock } } } }"""
TOKEN = "query($c: ID!) { seckillPathToken(campaignId: $c) { token slotStartsAt slotEndsAt } }"
ORDER = """mutation($c: ID!, $s: ID!, $q: Int!, $t: String!, $k: String!) {
  seckillOrder(input: {campaignId: $c, skuId: $s, quantity: $q, pathToken: $t, idempotencyKey: $k}) {
    order { id status total { amount } lines { quantity unitPrice { amount } } } serverTime errors { code field } } }"""
SKU = "query($id: ID!) { node(id: $id) { ... on Sku { stock } } }"


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def campaign_input(shop: str, sku: str, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "shopId": shop,
        "name": "整点秒杀",
        "startsAt": iso(DAY0),
        "endsAt": iso(DAY0 + 72 * HOUR),
        "slots": [{"start": "10:00", "end": "10:30"}],
        "items": [{"skuId": sku, "price": 100, "stock": 5}],
        "limitPerUser": 1,
        "limitPerOrder": 1,
    }
    return {**base, **over}


async def world(api: Api, stock: int = 20) -> tuple[str, str, str, Clock]:
    """(merchant token, shop id, SKU id, clock at 09:00 Shanghai on the first day)."""
    clock = Clock(DAY0 + 9 * HOUR)
    api.services.clock = clock
    merchant, _ = await api.login("seller")
    shop, _, skus = await make_product(api, merchant, prices=(1000,), stock=stock)
    return merchant, shop, skus[0], clock


async def create(api: Api, token: str, data: dict[str, Any]) -> Any:
    return (await api.gql(CREATE, {"in": data}, token=token))["data"]["createSeckillCampaign"]


async def sku_stock(api: Api, sku: str) -> int:
    return int((await api.gql(SKU, {"id": sku}))["data"]["node"]["stock"])


async def path_token(api: Api, token: str, campaign: str) -> str | None:
    found = (await api.gql(TOKEN, {"c": campaign}, token=token))["data"]["seckillPathToken"]
    return found["token"] if found else None


async def attempt(api: Api, token: str, campaign: str, sku: str, path: str, key: str, q: int = 1) -> Any:
    variables = {"c": campaign, "s": sku, "q": q, "t": path, "k": key}
    return (await api.gql(ORDER, variables, token=token))["data"]["seckillOrder"]


async def test_a_campaign_takes_its_stock_at_start_and_gives_the_rest_back_at_its_end(api: Api) -> None:
    # given a SKU of 20 units and a seckill of 5 starting at midnight of the first day
    merchant, shop, sku, clock = await world(api)
    clock.ms = DAY0 - HOUR
    made = await create(api, merchant, campaign_input(shop, sku))
    assert made["errors"] == []
    campaign = made["campaign"]
    assert campaign["status"] == "UPCOMING" and campaign["kind"] == "SECKILL"
    assert await sku_stock(api, sku) == 20
    # when it starts
    clock.ms = DAY0 + 1
    await sweep_seckill(api.services)
    # then its 5 units left the SKU
    assert await sku_stock(api, sku) == 15
    shown = (await api.gql(CAMPAIGN, {"c": campaign["id"]}))["data"]["seckillCampaign"]
    assert shown["status"] == "RUNNING" and shown["items"][0]["remaining"] == 5
    assert shown["currentSlot"]["startsAt"].startswith("2026-06-01T02:00:00") and not shown["currentSlot"]["running"]
    # and when one was sold and the campaign ends, the 4 others go back
    buyer, _ = await api.login("buyer")
    clock.ms = DAY0 + 10 * HOUR + MIN
    path = await path_token(api, buyer, campaign["id"])
    assert path is not None
    bought = await attempt(api, buyer, campaign["id"], sku, path, "k1")
    assert bought["errors"] == [] and bought["order"]["status"] == "PENDING_PAYMENT"
    clock.ms = DAY0 + 72 * HOUR
    await sweep_seckill(api.services)
    assert await sku_stock(api, sku) == 19
    again = (await api.gql(CAMPAIGN, {"c": campaign["id"]}))["data"]["seckillCampaign"]
    assert again["status"] == "ENDED" and again["currentSlot"] is None


async def test_a_seckill_order_is_at_the_seckill_price_and_explains_it(api: Api) -> None:
    # given a running slot
    merchant, shop, sku, clock = await world(api)
    campaign = (await create(api, merchant, campaign_input(shop, sku)))["campaign"]["id"]
    buyer, _ = await api.login("buyer")
    clock.ms = DAY0 + 10 * HOUR
    path = await path_token(api, buyer, campaign)
    assert path is not None
    # when the buyer rushes
    bought = await attempt(api, buyer, campaign, sku, path, "k1")
    # then the order is at 1 yuan, PENDING_PAYMENT, with its SECKILL adjustment kept
    order = bought["order"]
    assert bought["errors"] == [] and order["total"]["amount"] == 100
    assert order["lines"] == [{"quantity": 1, "unitPrice": {"amount": 100}}]
    doc = await api.services.store.get("orders", from_global_id(order["id"])[1]) or {}
    assert doc["adjustments"] == [
        {"kind": "SECKILL", "label": "Seckill price", "amount": -900, "campaignId": from_global_id(campaign)[1]}
    ]
    assert doc["payBy"] == clock.ms + 5 * MIN
    # and a replay of its key returns the same order, taking nothing more
    replay = await attempt(api, buyer, campaign, sku, path, "k1")
    assert replay["order"]["id"] == order["id"]
    shown = (await api.gql(CAMPAIGN, {"c": campaign}))["data"]["seckillCampaign"]
    assert shown["items"][0]["remaining"] == 4


async def test_bad_campaigns_are_refused_with_nothing_written(api: Api) -> None:
    merchant, shop, sku, _ = await world(api, stock=20)
    overlapping = campaign_input(
        shop, sku, slots=[{"start": "10:00", "end": "11:00"}, {"start": "10:30", "end": "12:00"}]
    )
    assert [(e["code"], e["field"]) for e in (await create(api, merchant, overlapping))["errors"]] == [
        ("INVALID_INPUT", ["input", "slots", "1"])
    ]
    too_many = campaign_input(shop, sku, items=[{"skuId": sku, "price": 100, "stock": 21}])
    assert [(e["code"], e["field"]) for e in (await create(api, merchant, too_many))["errors"]] == [
        ("INVALID_INPUT", ["input", "items", "0", "stock"])
    ]
    # a second campaign whose slot (across midnight) meets the first one's on the same SKU
    assert (await create(api, merchant, campaign_input(shop, sku, slots=[{"start": "20:00", "end": "00:30"}])))[
        "errors"
    ] == []
    clash = campaign_input(shop, sku, name="夜场", slots=[{"start": "00:00", "end": "01:00"}])
    assert [(e["code"], e["field"]) for e in (await create(api, merchant, clash))["errors"]] == [
        ("INVALID_INPUT", ["input", "items", "0", "skuId"])
    ]
    # someone else may not create one for the shop
    other, _ = await api.login("other")
    assert [e["code"] for e in (await create(api, other, campaign_input(shop, sku)))["errors"]] == ["FORBIDDEN"]
    assert await api.services.store.count("campaigns", {}) == 1


async def test_the_rush_refuses_early_late_tokenless_foreign_tokens_and_past_the_limit(api: Api) -> None:
    merchant, shop, sku, clock = await world(api)
    _, _, other_skus = await make_product(api, merchant, prices=(1000,), stock=5, shop_id=shop)
    campaign = (await create(api, merchant, campaign_input(shop, sku)))["campaign"]["id"]
    second = (
        await create(
            api,
            merchant,
            campaign_input(shop, other_skus[0], items=[{"skuId": other_skus[0], "price": 100, "stock": 5}]),
        )
    )["campaign"]["id"]
    buyer, _ = await api.login("buyer")
    # before the slot: no token, and an attempt is SECKILL_CLOSED
    clock.ms = DAY0 + 10 * HOUR - 1
    assert await path_token(api, buyer, campaign) is None
    early = await attempt(api, buyer, campaign, sku, "x.y.z", "k0")
    assert [e["code"] for e in early["errors"]] == ["SECKILL_CLOSED"] and early["serverTime"]
    # in the slot: without the token, with another campaign's, with another user's
    clock.ms = DAY0 + 10 * HOUR
    foreign = await path_token(api, buyer, second)
    assert foreign is not None
    someone, _ = await api.login("someone")
    theirs = await path_token(api, someone, campaign)
    assert theirs is not None
    for bad in ("", foreign, theirs):
        refused = await attempt(api, buyer, campaign, sku, bad, f"k-{len(bad)}")
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("PATH_TOKEN_INVALID", ["input", "pathToken"])]
    mine = await path_token(api, buyer, campaign)
    assert mine is not None
    # more than an order may hold, then past the user's limit (a second later: 5 attempts a second at most)
    clock.ms += 1000
    assert [e["code"] for e in (await attempt(api, buyer, campaign, sku, mine, "k1", q=2))["errors"]] == [
        "PURCHASE_LIMIT"
    ]
    assert (await attempt(api, buyer, campaign, sku, mine, "k2"))["errors"] == []
    assert [e["code"] for e in (await attempt(api, buyer, campaign, sku, mine, "k3"))["errors"]] == ["PURCHASE_LIMIT"]
    # after the slot: the token of the slot is refused
    clock.ms = DAY0 + 10 * HOUR + 31 * MIN
    assert [e["code"] for e in (await attempt(api, someone, campaign, sku, theirs, "k4"))["errors"]] == [
        "SECKILL_CLOSED"
    ]
    shown = (await api.gql(CAMPAIGN, {"c": campaign}))["data"]["seckillCampaign"]
    assert shown["items"][0]["remaining"] == 4  # only the one order took a unit
    assert await api.services.store.count("orders", {}) == 1


async def test_an_unpaid_order_gives_its_unit_back_after_the_pay_minutes(api: Api) -> None:
    merchant, shop, sku, clock = await world(api)
    campaign = (
        await create(api, merchant, campaign_input(shop, sku, items=[{"skuId": sku, "price": 100, "stock": 1}]))
    )["campaign"]["id"]
    buyer, _ = await api.login("buyer")
    late, _ = await api.login("late")
    clock.ms = DAY0 + 10 * HOUR
    path, late_path = await path_token(api, buyer, campaign), await path_token(api, late, campaign)
    assert path and late_path
    assert (await attempt(api, buyer, campaign, sku, path, "k1"))["errors"] == []
    # sold out: answered from this process's flag
    assert [e["code"] for e in (await attempt(api, late, campaign, sku, late_path, "k1"))["errors"]] == ["OUT_OF_STOCK"]
    assert api.services.seckill.is_sold_out(from_global_id(campaign)[1], from_global_id(sku)[1])
    # when 5 minutes pass unpaid, the sweep cancels it and the unit is back (the flag with it)
    clock.ms += 5 * MIN + 1
    from jobs.sweep import sweep

    await sweep(api.services)
    assert (await api.gql(CAMPAIGN, {"c": campaign}))["data"]["seckillCampaign"]["items"][0]["remaining"] == 1
    late_path = await path_token(api, late, campaign)
    assert late_path
    assert (await attempt(api, late, campaign, sku, late_path, "k2"))["errors"] == []
    assert await sku_stock(api, sku) == 19  # the SKU gave one unit to the campaign, once


async def test_a_slot_across_midnight_runs_until_the_next_morning(api: Api) -> None:
    merchant, shop, sku, clock = await world(api)
    night = campaign_input(shop, sku, slots=[{"start": "23:30", "end": "00:30"}])
    made = await create(api, merchant, night)
    assert made["campaign"]["slots"] == [{"start": "23:30", "end": "00:30", "crossesMidnight": True}]
    campaign = made["campaign"]["id"]
    buyer, _ = await api.login("buyer")
    clock.ms = DAY0 + 24 * HOUR + 15 * MIN  # 00:15 on the second day: the first night's slot is running
    path = await path_token(api, buyer, campaign)
    assert path is not None
    shown = (await api.gql(CAMPAIGN, {"c": campaign}))["data"]["seckillCampaign"]["currentSlot"]
    assert shown == {"startsAt": "2026-06-01T15:30:00+00:00", "endsAt": "2026-06-01T16:30:00+00:00", "running": True}
    assert (await attempt(api, buyer, campaign, sku, path, "k1"))["errors"] == []


async def test_cancelling_gives_the_units_back_and_closes_the_rush(api: Api) -> None:
    merchant, shop, sku, clock = await world(api)
    campaign = (await create(api, merchant, campaign_input(shop, sku)))["campaign"]["id"]
    buyer, _ = await api.login("buyer")
    clock.ms = DAY0 + 10 * HOUR
    path = await path_token(api, buyer, campaign)
    assert path and await sku_stock(api, sku) == 15
    cancelled = (await api.gql(CANCEL, {"c": campaign}, token=merchant))["data"]["cancelSeckillCampaign"]
    assert cancelled["errors"] == [] and cancelled["campaign"]["status"] == "ENDED"
    assert await sku_stock(api, sku) == 20
    assert [e["code"] for e in (await attempt(api, buyer, campaign, sku, path, "k1"))["errors"]] == ["SECKILL_CLOSED"]


async def test_a_concurrent_rush_has_exactly_the_stock_in_winners_and_nobody_above_the_limit(api: Api) -> None:
    # given 5 units, limit 2 a user, 2 an order
    merchant, shop, sku, clock = await world(api)
    data = campaign_input(shop, sku, limitPerUser=2, limitPerOrder=2)
    campaign = (await create(api, merchant, data))["campaign"]["id"]
    clock.ms = DAY0 + 10 * HOUR
    users = [await api.login(f"u{i}") for i in range(12)]
    paths = [await path_token(api, token, campaign) for token, _ in users]
    # when each fires 4 attempts at once (one unit each, distinct keys)
    results = await asyncio.gather(
        *(
            attempt(api, token, campaign, sku, path or "", f"k{j}")
            for (token, _), path in zip(users, paths, strict=True)
            for j in range(4)
        )
    )
    # then exactly 5 orders, no buyer above 2, the stock at 0
    won = [r["order"] for r in results if r["order"]]
    assert len(won) == 5
    assert {e["code"] for r in results for e in r["errors"]} <= {"OUT_OF_STOCK", "PURCHASE_LIMIT", "RATE_LIMITED"}
    docs = (await api.services.store.find("orders", {}, limit=100)).docs
    per_buyer: dict[str, int] = {}
    for doc in docs:
        per_buyer[doc["buyerId"]] = per_buyer.get(doc["buyerId"], 0) + doc["lines"][0]["quantity"]
    assert sum(per_buyer.values()) == 5 and max(per_buyer.values()) <= 2
    shown = (await api.gql(CAMPAIGN, {"c": campaign}))["data"]["seckillCampaign"]
    assert shown["items"][0]["remaining"] == 0


async def test_more_attempts_a_second_than_allowed_are_rate_limited(api: Api) -> None:
    merchant, shop, sku, clock = await world(api)
    campaign = (await create(api, merchant, campaign_input(shop, sku)))["campaign"]["id"]
    buyer, _ = await api.login("buyer")
    clock.ms = DAY0 + 10 * HOUR
    path = await path_token(api, buyer, campaign)
    assert path
    codes = [
        [e["code"] for e in (await attempt(api, buyer, campaign, sku, path, f"k{i}", q=2))["errors"]] for i in range(6)
    ]
    assert codes == [["PURCHASE_LIMIT"]] * 5 + [["RATE_LIMITED"]]
    clock.ms += 1000
    assert (await attempt(api, buyer, campaign, sku, path, "k9"))["errors"] == []


async def test_seckill_stock_pushes_what_is_left_at_most_once_a_tick(api: Api) -> None:
    # given a running slot of 5 units and a subscriber
    merchant, shop, sku, clock = await world(api)
    campaign = (await create(api, merchant, campaign_input(shop, sku, limitPerUser=5, limitPerOrder=1)))["campaign"][
        "id"
    ]
    clock.ms = DAY0 + 10 * HOUR
    sub = "subscription($c: ID!) { seckillStock(campaignId: $c) { items { skuId remaining } serverTime } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"c": campaign}}})

        async def pushed() -> Any:
            return (await ws.receive_json(timeout=5))["payload"]["data"]["seckillStock"]["items"]

        assert await pushed() == [{"skuId": sku, "remaining": 5}]
        # when 3 units sell within one tick
        buyers = [await api.login(f"b{i}") for i in range(3)]
        for token, _ in buyers:
            path = await path_token(api, token, campaign)
            assert (await attempt(api, token, campaign, sku, path or "", "k"))["errors"] == []
        # then the pushes that follow end at 2 left, fewer than one per sale
        seen = [await pushed()]
        while seen[-1] != [{"skuId": sku, "remaining": 2}]:
            seen.append(await pushed())
        assert len(seen) < 3

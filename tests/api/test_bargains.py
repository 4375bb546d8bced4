"""Bargains through the API: cuts to exactly the floor, exact under contention, the anti-abuse rules, new users
brought by the share link, buying once, expiry by an injected clock."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.bargains import cut_rng, next_cut
from domain.ids import from_global_id
from resolvers.bargains import sweep_bargains
from tests.api.conftest import Api, offer_product, use_clock

OFFER = {"floorPrice": 6000, "helpersNeeded": 4, "durationMinutes": 60}
BARGAIN = (
    "id status startPrice { amount } currentPrice { amount } floorPrice { amount } shareToken"
    " cuts { amount { amount } helper { nickname } }"
)
START = (
    f"mutation($s: ID!) {{ startBargain(input: {{skuId: $s}}) {{ bargain {{ {BARGAIN} }} errors {{ code field }} }} }}"
)
HELP = f"""mutation($b: ID!) {{ helpBargain(input: {{bargainId: $b}}) {{
  bargain {{ {BARGAIN} }} cut {{ amount {{ amount }} helper {{ nickname }} }} errors {{ code field }} }} }}"""
BUY = """mutation($b: ID!, $k: String!) { buyBargain(input: {bargainId: $b, idempotencyKey: $k}) {
  order { id total { amount } bargain { status } } errors { code field } } }"""


async def start(api: Api, token: str, sku: str) -> Any:
    return (await api.gql(START, {"s": sku}, token=token))["data"]["startBargain"]


async def help_(api: Api, token: str, bargain_id: str) -> Any:
    return (await api.gql(HELP, {"b": bargain_id}, token=token))["data"]["helpBargain"]


async def buy(api: Api, token: str, bargain_id: str, key: str = "buy") -> Any:
    return (await api.gql(BUY, {"b": bargain_id, "k": key}, token=token))["data"]["buyBargain"]


async def helpers(api: Api, n: int, prefix: str) -> list[str]:
    return [(await api.login(f"{prefix}{i}"))[0] for i in range(n)]


async def test_friends_cut_the_price_to_exactly_the_floor(api: Api) -> None:
    seller, _ = await api.login("砍价卖家")
    owner, _ = await api.login("砍价发起人")
    _, (plain,) = await offer_product(api, seller, title="不砍的")
    _, (sku,) = await offer_product(api, seller, bargain=OFFER, prices=(10_000,))
    assert (await start(api, owner, plain))["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "skuId"]}]
    bargain = (await start(api, owner, sku))["bargain"]
    assert (bargain["status"], bargain["startPrice"], bargain["currentPrice"]) == (
        "ACTIVE",
        {"amount": 10_000},
        {"amount": 10_000},
    )
    assert (await start(api, owner, sku))["bargain"]["id"] == bargain["id"]  # one open bargain per user and SKU
    by_token = await api.gql(
        "query($t: String!) { bargainByShareToken(shareToken: $t) { id } }", {"t": bargain["shareToken"]}
    )
    assert by_token["data"]["bargainByShareToken"]["id"] == bargain["id"]
    assert (await help_(api, owner, bargain["id"]))["errors"][0]["code"] == "SELF_ACTION"
    tokens = await helpers(api, 5, "砍一刀")
    raw = from_global_id(bargain["id"])[1]
    expected, price = [], 10_000
    for i in range(4):
        cut = next_cut(price - 6000, 4 - i, cut_rng(raw, i))
        expected.append(cut)
        price -= cut
    cuts = []
    for i, token in enumerate(tokens[:4]):
        payload = await help_(api, token, bargain["id"])
        assert payload["errors"] == [] and payload["cut"]["helper"] == {"nickname": f"砍一刀{i}"}
        cuts.append(payload["cut"]["amount"]["amount"])
        if i == 0:
            assert (await help_(api, token, bargain["id"]))["errors"][0]["code"] == "ALREADY_HELPED"
    assert cuts == expected and sum(cuts) == 4000 and min(cuts) >= 1
    assert (payload["bargain"]["status"], payload["bargain"]["currentPrice"]) == ("REACHED_FLOOR", {"amount": 6000})
    assert (await help_(api, tokens[4], bargain["id"]))["errors"][0]["code"] == "BARGAIN_CLOSED"


async def test_concurrent_helpers_never_cut_past_the_floor(api: Api) -> None:
    seller, _ = await api.login("抢砍卖家")
    owner, _ = await api.login("抢砍发起人")
    _, (sku,) = await offer_product(api, seller, bargain=OFFER, prices=(10_000,))
    bargain = (await start(api, owner, sku))["bargain"]
    tokens = await helpers(api, 8, "抢砍")
    results = await asyncio.gather(*(help_(api, t, bargain["id"]) for t in tokens))
    assert sum(1 for r in results if r["errors"] == []) == 4
    assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"BARGAIN_CLOSED"}
    doc = await api.services.store.get("bargains", from_global_id(bargain["id"])[1])
    assert doc is not None
    assert (doc["status"], doc["currentPrice"], doc["cutsDone"], len(doc["cuts"])) == ("REACHED_FLOOR", 6000, 4, 4)
    assert await api.services.store.count("bargain_helps", {"bargainId": doc["_id"]}) == 4  # losers' helps undone


async def test_daily_limits_and_bursts(api: Api) -> None:
    clock = use_clock(api)
    api.services.settings.BARGAIN_DAILY_HELPS = 3
    seller, _ = await api.login("限额卖家")
    helper, _ = await api.login("热心人")
    long_offer = {**OFFER, "helpersNeeded": 2, "durationMinutes": 3 * 24 * 60}
    _, (sku,) = await offer_product(api, seller, bargain=long_offer, prices=(10_000,))
    owners = await helpers(api, 5, "求砍")
    bargains = [(await start(api, o, sku))["bargain"]["id"] for o in owners]
    for b in bargains[:3]:
        assert (await help_(api, helper, b))["errors"] == []
        clock.advance(minutes=1)
    assert (await help_(api, helper, bargains[3]))["errors"] == [
        {"code": "DAILY_LIMIT", "field": ["input", "bargainId"]}
    ]
    clock.advance(days=1)
    assert (await help_(api, helper, bargains[3]))["errors"] == []
    api.services.settings.BARGAIN_DAILY_HELPS = 100
    sprinter, _ = await api.login("手快的人")
    results = [await help_(api, sprinter, b) for b in bargains]  # five within the same second: the burst
    assert [r["errors"] for r in results] == [[]] * 5
    more = await offer_product(api, seller, bargain=long_offer, prices=(10_000,), title="再来")
    extra = (await start(api, owners[0], more[1][0]))["bargain"]["id"]
    assert (await help_(api, sprinter, extra))["errors"][0]["code"] == "RATE_LIMITED"
    clock.advance(minutes=1)
    assert (await help_(api, sprinter, extra))["errors"] == []


async def test_a_user_the_share_link_brought_in_cuts_more_and_earns_the_owner_points(api: Api) -> None:
    seller, _ = await api.login("拉新卖家")
    owner, _ = await api.login("拉新发起人")
    _, (sku,) = await offer_product(api, seller, bargain={**OFFER, "helpersNeeded": 3}, prices=(100_000,))
    bargain = (await start(api, owner, sku))["bargain"]
    newcomer, _ = await api.login("新用户", invite_code=bargain["shareToken"])
    payload = await help_(api, newcomer, bargain["id"])
    raw = from_global_id(bargain["id"])[1]
    assert payload["cut"]["amount"]["amount"] == next_cut(94_000, 3, cut_rng(raw, 0), 2.0)
    assert payload["cut"]["amount"]["amount"] > next_cut(94_000, 3, cut_rng(raw, 0))
    points = await api.gql("{ me { points } }", token=owner)
    assert points["data"]["me"]["points"] == 10


async def test_the_owner_buys_once_at_the_price_reached(api: Api) -> None:
    seller, _ = await api.login("成交卖家")
    owner, _ = await api.login("成交发起人")
    _, (sku,) = await offer_product(api, seller, bargain=OFFER, prices=(10_000,))
    bargain = (await start(api, owner, sku))["bargain"]
    cut = (await help_(api, (await helpers(api, 1, "帮一下"))[0], bargain["id"]))["cut"]["amount"]["amount"]
    stranger, _ = await api.login("抢单的人")
    assert (await buy(api, stranger, bargain["id"]))["errors"] == [
        {"code": "NOT_FOUND", "field": ["input", "bargainId"]}
    ]
    bought = await buy(api, owner, bargain["id"])
    assert bought["errors"] == [] and bought["order"]["total"] == {"amount": 10_000 - cut}
    assert bought["order"]["bargain"] == {"status": "PURCHASED"}
    assert (await buy(api, owner, bargain["id"]))["order"]["id"] == bought["order"]["id"]  # replay
    assert (await buy(api, owner, bargain["id"], "another"))["errors"][0]["code"] == "BARGAIN_CLOSED"
    late = (await helpers(api, 1, "晚来的"))[0]
    assert (await help_(api, late, bargain["id"]))["errors"][0]["code"] == "BARGAIN_CLOSED"
    fresh = (await start(api, owner, sku))["bargain"]
    assert fresh["id"] != bargain["id"] and fresh["status"] == "ACTIVE"
    racing = await asyncio.gather(*(buy(api, owner, fresh["id"], f"k{i}") for i in range(6)))
    assert sum(1 for r in racing if r["errors"] == []) == 1
    assert (
        await api.services.store.count(
            "orders", {"bargainId": from_global_id(fresh["id"])[1], "status": "PENDING_PAYMENT"}
        )
        == 1
    )


async def test_bargains_expire(api: Api) -> None:
    clock = use_clock(api)
    seller, _ = await api.login("过期卖家")
    owner, _ = await api.login("过期发起人")
    _, (sku,) = await offer_product(api, seller, bargain=OFFER, prices=(10_000,))
    bargain = (await start(api, owner, sku))["bargain"]
    clock.advance(minutes=61)
    helper = (await helpers(api, 1, "过期帮手"))[0]
    assert (await help_(api, helper, bargain["id"]))["errors"][0]["code"] == "BARGAIN_CLOSED"
    assert (await buy(api, owner, bargain["id"]))["errors"][0]["code"] == "BARGAIN_CLOSED"
    assert await sweep_bargains(api.services) == 1
    assert await sweep_bargains(api.services) == 0
    q = "query($id: ID!) { bargain(id: $id) { status } }"
    assert (await api.gql(q, {"id": bargain["id"]}))["data"]["bargain"]["status"] == "EXPIRED"
    assert (await start(api, owner, sku))["bargain"]["id"] != bargain["id"]

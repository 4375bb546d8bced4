"""Group-buy teams through the API: seats exact under contention, tiers, closing by time (an injected clock) and
when full, refunds of failed teams and price differences of successful ones, idempotent sweeps."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id
from resolvers.orders import expire_unpaid
from resolvers.teams import sweep_teams
from tests.api.conftest import Api, offer_product, use_clock
from tests.api.test_orders import REFUND, act, pay

TIERS = {
    "tiers": [{"size": 2, "price": 900}, {"size": 3, "price": 800}, {"size": 5, "price": 700}],
    "durationMinutes": 60,
}
TEAM = (
    "id size minSize maxSize status currentPrice { amount } nextTier { size price { amount } }"
    " members { user { nickname } paid }"
)
START = f"""mutation($s: ID!, $k: String!) {{ startTeam(input: {{skuId: $s, idempotencyKey: $k}}) {{
  team {{ {TEAM} }} order {{ id total {{ amount }} status team {{ id }} }} errors {{ code field }} }} }}"""
JOIN = f"""mutation($t: ID!, $s: ID!, $k: String!) {{ joinTeam(input: {{teamId: $t, skuId: $s, idempotencyKey: $k}}) {{
  team {{ {TEAM} }} order {{ id total {{ amount }} status }} errors {{ code field }} }} }}"""
TEAM_Q = f"query($id: ID!) {{ team(id: $id) {{ {TEAM} }} }}"


async def start(api: Api, token: str, sku: str, key: str = "t") -> Any:
    return (await api.gql(START, {"s": sku, "k": key}, token=token))["data"]["startTeam"]


async def join(api: Api, token: str, team: str, sku: str, key: str = "j") -> Any:
    return (await api.gql(JOIN, {"t": team, "s": sku, "k": key}, token=token))["data"]["joinTeam"]


async def team_of(api: Api, team_id: str) -> Any:
    return (await api.gql(TEAM_Q, {"id": team_id}))["data"]["team"]


async def order_doc(api: Api, order_id: str) -> dict[str, Any]:
    doc = await api.services.store.get("orders", from_global_id(order_id)[1])
    assert doc is not None
    return doc


async def test_a_leader_opens_a_team_and_members_join_at_the_tier_reached(api: Api) -> None:
    seller, _ = await api.login("团购卖家")
    leader, _ = await api.login("团长")
    member, _ = await api.login("团员")
    _, (sku, other_sku) = await offer_product(api, seller, group_buy=TIERS, prices=(1000, 1000))
    started = await start(api, leader, sku)
    assert started["errors"] == [] and started["order"]["total"] == {"amount": 900}
    team = started["team"]
    assert (team["size"], team["minSize"], team["maxSize"], team["status"]) == (0, 2, 5, "OPEN")
    assert team["currentPrice"] == {"amount": 900} and team["nextTier"] == {"size": 2, "price": {"amount": 900}}
    assert started["order"]["team"]["id"] == team["id"]
    assert (await start(api, leader, sku))["team"]["id"] == team["id"]  # replay
    joined = await join(api, member, team["id"], other_sku)  # any SKU of the product
    assert joined["errors"] == [] and joined["order"]["total"] == {"amount": 900}
    assert [m["user"]["nickname"] for m in joined["team"]["members"]] == ["团长", "团员"]
    assert (await join(api, member, team["id"], sku, "again"))["errors"][0]["code"] == "ALREADY_JOINED"
    assert (await join(api, leader, team["id"], sku, "leader"))["errors"][0]["code"] == "ALREADY_JOINED"
    await pay(api, leader, started["order"]["id"])
    await pay(api, member, joined["order"]["id"])
    now = await team_of(api, team["id"])
    assert now["size"] == 2 and now["currentPrice"] == {"amount": 900}
    assert now["nextTier"] == {"size": 3, "price": {"amount": 800}}
    assert [m["paid"] for m in now["members"]] == [True, True]


async def test_bad_team_input_changes_nothing(api: Api) -> None:
    seller, _ = await api.login("坏团卖家")
    user, _ = await api.login("坏团用户")
    _, (plain_sku,) = await offer_product(api, seller, title="普通商品")
    _, (sku,) = await offer_product(api, seller, group_buy=TIERS)
    _, (foreign,) = await offer_product(api, seller, group_buy=TIERS, title="别的团购")
    assert (await start(api, user, plain_sku))["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "skuId"]}]
    team = (await start(api, seller, sku))["team"]
    assert (await join(api, user, team["id"], foreign))["errors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "skuId"]}
    ]
    assert (await join(api, user, "VGVhbTpub3Bl", sku))["errors"][0]["code"] == "NOT_FOUND"
    assert (await team_of(api, team["id"]))["members"] == [{"user": {"nickname": "坏团卖家"}, "paid": False}]
    assert await api.services.store.count("orders", {"teamId": from_global_id(team["id"])[1]}) == 1


async def test_seats_are_exact_under_contention(api: Api) -> None:
    seller, _ = await api.login("抢座卖家")
    _, (sku,) = await offer_product(api, seller, group_buy=TIERS)
    team = (await start(api, seller, sku))["team"]
    tokens = [(await api.login(f"抢座{i}"))[0] for i in range(12)]
    results = await asyncio.gather(*(join(api, t, team["id"], sku) for t in tokens))
    assert sum(1 for r in results if r["errors"] == []) == 4
    assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"TEAM_FULL"}
    doc = await api.services.store.get("teams", from_global_id(team["id"])[1])
    assert doc is not None and doc["seats"] == 5
    assert len((await team_of(api, team["id"]))["members"]) == 5


async def test_a_full_team_succeeds_at_once_and_pays_back_differences(api: Api) -> None:
    seller, _ = await api.login("满团卖家")
    _, (sku,) = await offer_product(
        api, seller, group_buy={"tiers": [{"size": 2, "price": 900}, {"size": 3, "price": 800}], "durationMinutes": 60}
    )
    tokens = [(await api.login(f"满团{i}"))[0] for i in range(4)]
    started = await start(api, tokens[0], sku)
    team_id = started["team"]["id"]
    orders = [started["order"]]
    await pay(api, tokens[0], orders[0]["id"])
    for i in (1, 2):
        joined = await join(api, tokens[i], team_id, sku)
        orders.append(joined["order"])
    assert [o["total"]["amount"] for o in orders] == [900, 900, 900]
    assert (await join(api, tokens[3], team_id, sku))["errors"][0]["code"] == "TEAM_FULL"  # unpaid seats count
    await pay(api, tokens[1], orders[1]["id"])
    assert (await team_of(api, team_id))["status"] == "OPEN"
    await pay(api, tokens[2], orders[2]["id"])
    closed = await team_of(api, team_id)
    assert (closed["status"], closed["size"], closed["currentPrice"], closed["nextTier"]) == (
        "SUCCEEDED",
        3,
        {"amount": 800},
        None,
    )
    for order in orders:
        doc = await order_doc(api, order["id"])
        assert (doc["status"], doc["priceRefund"], doc["priceRefundDone"]) == ("PAID", 100, True)
    assert (await join(api, tokens[3], team_id, sku))["errors"][0]["code"] == "TEAM_CLOSED"
    assert await sweep_teams(api.services) == 0  # nothing left to do
    assert (await order_doc(api, orders[0]["id"]))["priceRefund"] == 100


async def test_expiry_closes_by_paid_members_and_the_sweep_is_idempotent(api: Api) -> None:
    clock = use_clock(api)
    seller, _ = await api.login("到期卖家")
    _, (sku,) = await offer_product(api, seller, group_buy=TIERS, stock=10)
    a, b, c, d = [(await api.login(f"到期{i}"))[0] for i in range(4)]
    winning = await start(api, a, sku, "w")
    joined = await join(api, b, winning["team"]["id"], sku, "w")
    unpaid = await join(api, c, winning["team"]["id"], sku, "w")
    await pay(api, a, winning["order"]["id"])
    await pay(api, b, joined["order"]["id"])
    losing = await start(api, d, sku, "l")
    await pay(api, d, losing["order"]["id"])
    clock.advance(minutes=61)
    assert (await join(api, c, losing["team"]["id"], sku, "late"))["errors"][0]["code"] == "TEAM_CLOSED"
    assert await sweep_teams(api.services) == 2
    snapshot = [await team_of(api, t["team"]["id"]) for t in (winning, losing)]
    assert [(t["status"], t["size"]) for t in snapshot] == [("SUCCEEDED", 2), ("FAILED", 1)]
    assert (await order_doc(api, losing["order"]["id"]))["status"] == "REFUNDED"
    assert (await order_doc(api, unpaid["order"]["id"]))["status"] == "CANCELLED"
    assert (await order_doc(api, winning["order"]["id"]))["status"] == "PAID"
    stock_q = "query($id: ID!) { node(id: $id) { ... on Sku { stock } } }"
    assert (await api.gql(stock_q, {"id": sku}))["data"]["node"]["stock"] == 8  # the two winners' units only
    assert await sweep_teams(api.services) == 0
    assert [await team_of(api, t["team"]["id"]) for t in (winning, losing)] == snapshot
    refunded = await api.services.store.count("orders", {"status": "REFUNDED"})
    assert refunded == 1


async def test_an_unpaid_seat_is_released_after_pay_by(api: Api) -> None:
    clock = use_clock(api)
    seller, _ = await api.login("释放卖家")
    _, (sku,) = await offer_product(
        api, seller, group_buy={"tiers": [{"size": 2, "price": 900}], "durationMinutes": 600}
    )
    a, b, c = [(await api.login(f"释放{i}"))[0] for i in range(3)]
    team = (await start(api, a, sku))["team"]
    await join(api, b, team["id"], sku)
    assert (await join(api, c, team["id"], sku))["errors"][0]["code"] == "TEAM_FULL"
    clock.advance(minutes=16)
    assert await expire_unpaid(api.services) == 2
    assert (await team_of(api, team["id"]))["members"] == []
    again = await join(api, c, team["id"], sku, "second-try")
    assert again["errors"] == [] and len(again["team"]["members"]) == 1


async def test_refunds_free_a_seat_while_open_and_never_reopen_a_closed_team(api: Api) -> None:
    seller, _ = await api.login("退团卖家")
    _, (sku,) = await offer_product(
        api, seller, group_buy={"tiers": [{"size": 2, "price": 900}], "durationMinutes": 60}
    )
    a, b, c = [(await api.login(f"退团{i}"))[0] for i in range(3)]
    started = await start(api, a, sku)
    team_id = started["team"]["id"]
    await pay(api, a, started["order"]["id"])
    assert (await act(api, REFUND, a, started["order"]["id"], k="r", r="不拼了"))["order"]["status"] == "REFUNDED"
    after = await team_of(api, team_id)
    assert (after["size"], after["members"], after["status"]) == (0, [], "OPEN")
    first = await join(api, b, team_id, sku)
    second = await join(api, c, team_id, sku)
    await pay(api, b, first["order"]["id"])
    await pay(api, c, second["order"]["id"])
    assert (await team_of(api, team_id))["status"] == "SUCCEEDED"
    await act(api, REFUND, c, second["order"]["id"], k="r", r="后悔")
    closed = await team_of(api, team_id)
    assert (closed["status"], closed["size"]) == ("SUCCEEDED", 2)
    member = await api.services.store.find("team_members", {"teamId": from_global_id(team_id)[1], "refunded": True})
    assert len(member.docs) == 1


async def test_open_teams_list_friends_teams_first_and_only_joinable_ones(api: Api) -> None:
    seller, _ = await api.login("列表卖家")
    me, me_user = await api.login("看团的人")
    friend, friend_user = await api.login("好友团长")
    stranger, _ = await api.login("陌生团长")
    follow = "mutation($id: ID!) { follow(input: {userId: $id}) { errors { code } } }"
    await api.gql(follow, {"id": friend_user["id"]}, token=me)
    await api.gql(follow, {"id": me_user["id"]}, token=friend)
    await api.services.projector.drain()
    product, (sku,) = await offer_product(
        api, seller, group_buy={"tiers": [{"size": 2, "price": 900}], "durationMinutes": 60}
    )
    strangers = (await start(api, stranger, sku))["team"]["id"]
    friends = (await start(api, friend, sku))["team"]["id"]
    full = (await start(api, seller, sku))["team"]["id"]
    await join(api, stranger, full, sku, "fill")
    q = "query($p: ID!) { product(id: $p) { openTeams { id leader { nickname } } } }"
    listed = (await api.gql(q, {"p": product}, token=me))["data"]["product"]["openTeams"]
    assert [t["id"] for t in listed] == [friends, strangers]


async def test_team_progress_is_pushed_until_the_team_closes(api: Api) -> None:
    seller, _ = await api.login("推送团卖家")
    a, b = [(await api.login(f"推送团{i}"))[0] for i in range(2)]
    _, (sku,) = await offer_product(
        api, seller, group_buy={"tiers": [{"size": 2, "price": 900}], "durationMinutes": 60}
    )
    started = await start(api, a, sku)
    sub = "subscription($id: ID!) { teamProgress(teamId: $id) { size status members { paid } } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"id": started["team"]["id"]}}}
        )

        async def next_state() -> Any:
            return (await ws.receive_json(timeout=5))["payload"]["data"]["teamProgress"]

        assert await next_state() == {"size": 0, "status": "OPEN", "members": [{"paid": False}]}
        joined = await join(api, b, started["team"]["id"], sku)
        assert await next_state() == {"size": 0, "status": "OPEN", "members": [{"paid": False}, {"paid": False}]}
        await pay(api, a, started["order"]["id"])
        assert (await next_state())["size"] == 1
        await pay(api, b, joined["order"]["id"])
        states = [await next_state() for _ in range(1)]
        assert states[-1]["size"] == 2
        while states[-1]["status"] == "OPEN":
            states.append(await next_state())
        assert states[-1]["status"] == "SUCCEEDED"
        assert (await ws.receive_json(timeout=5))["type"] == "complete"

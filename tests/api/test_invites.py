"""Invite rewards through the API: the welcome coupon at sign-up, INVITE_POINTS after the invitee's first paid order,
taken back when it is refunded, the daily cap, and the refusals (oneself, a second binding, a user not new)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.ids import from_global_id
from resolvers import invites
from tests.api.conftest import Api, make_product
from tests.api.test_coupons import CREATE, coupon_input
from tests.api.test_orders import PLACE, REFUND, act, line, pay

MINE = """query($f: Int, $a: String) { myInvites(first: $f, after: $a) {
  edges { node { state points capped invitee { nickname } } cursor } pageInfo { hasNextPage endCursor } } }"""
ACCEPT = """mutation($c: String!) { acceptInvite(input: {code: $c}) {
  invitation { state invitee { nickname } } errors { code field } } }"""
COUPONS = "{ myCoupons { title usable } }"
POINTS = "{ me { points } }"


async def code_of(api: Api, token: str) -> str:
    return str((await api.gql("{ me { inviteCode } }", token=token))["data"]["me"]["inviteCode"])


async def points(api: Api, token: str) -> int:
    return int((await api.gql(POINTS, token=token))["data"]["me"]["points"])


async def states(api: Api, token: str) -> list[tuple[str, str, int]]:
    edges = (await api.gql(MINE, {"f": 50}, token=token))["data"]["myInvites"]["edges"]
    return [(e["node"]["invitee"]["nickname"], e["node"]["state"], e["node"]["points"]) for e in edges]


async def buy(api: Api, token: str, sku: str, key: str) -> str:
    body = await api.gql(PLACE, {"lines": [line(sku)], "k": key}, token=token)
    order = body["data"]["placeOrder"]
    assert order["errors"] == [], order
    assert (await pay(api, token, order["order"]["id"], key=f"pay-{key}"))["errors"] == []
    return str(order["order"]["id"])


async def welcome_coupon(api: Api, owner: str, shop_id: str) -> None:
    made = await api.gql(CREATE, {"in": coupon_input(shop_id, title="新人券", quantity=10)}, token=owner)
    api.services.settings.WELCOME_COUPON_ID = made["data"]["createCoupon"]["coupon"]["id"]  # a global id works


async def test_an_invitee_gets_the_coupon_and_the_inviter_points_after_the_first_paid_order(api: Api) -> None:
    owner, _ = await api.login("邀请店主")
    shop_id, _, (sku,) = await make_product(api, owner, prices=(6000,), stock=20)
    await welcome_coupon(api, owner, shop_id)
    inviter, _ = await api.login("邀请人")
    api.services.settings.INVITE_POINTS = 25
    invitee, _ = await api.login("新朋友", invite_code=await code_of(api, inviter))
    assert (await api.gql(COUPONS, token=invitee))["data"]["myCoupons"] == [{"title": "新人券", "usable": True}]
    assert await states(api, inviter) == [("新朋友", "SIGNED_UP", 0)]
    assert await points(api, inviter) == 0
    await buy(api, invitee, sku, "first")
    assert await states(api, inviter) == [("新朋友", "REWARDED", 25)]
    assert await points(api, inviter) == 25
    await buy(api, invitee, sku, "second")  # only the first order rewards
    assert await points(api, inviter) == 25


async def test_a_refunded_first_order_reverses_the_reward_once_and_no_later_order_earns_it(api: Api) -> None:
    owner, _ = await api.login("退款邀请店主")
    _, _, (sku,) = await make_product(api, owner, stock=20)
    inviter, _ = await api.login("退款邀请人")
    invitee, _ = await api.login("退款新朋友", invite_code=await code_of(api, inviter))
    first = await buy(api, invitee, sku, "first")
    assert await points(api, inviter) == 10
    assert (await act(api, REFUND, invitee, first, k="r1", r="不要了"))["errors"] == []
    assert await states(api, inviter) == [("退款新朋友", "REVERSED", 0)]
    assert await points(api, inviter) == 0
    refunded = await api.services.store.get("orders", from_global_id(first)[1])
    assert refunded is not None
    await invites.on_order_refunded(api.services, refunded)  # a replayed refund: nothing moves twice
    assert await points(api, inviter) == 0
    await buy(api, invitee, sku, "second")  # a reward for a refunded first order is not given by a later one
    assert await points(api, inviter) == 0
    assert await states(api, inviter) == [("退款新朋友", "REVERSED", 0)]


async def test_the_daily_cap_and_concurrent_payments_reward_once_each(api: Api) -> None:
    owner, _ = await api.login("封顶店主")
    _, _, (sku,) = await make_product(api, owner, stock=50)
    inviter, _ = await api.login("封顶邀请人")
    api.services.settings.INVITE_DAILY_CAP = 2
    code = await code_of(api, inviter)
    friends = [(await api.login(f"封顶朋友{i}", invite_code=code))[0] for i in range(3)]
    for i, token in enumerate(friends):
        await buy(api, token, sku, f"o{i}")
    got = sorted(s for _, s, _ in await states(api, inviter))
    assert got == ["FIRST_ORDER_PAID", "REWARDED", "REWARDED"]
    assert await points(api, inviter) == 20
    capped = (await api.gql(MINE, {"f": 10}, token=inviter))["data"]["myInvites"]["edges"]
    assert [e["node"]["capped"] for e in capped].count(True) == 1


async def test_concurrent_first_payment_hooks_reward_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    owner, _ = await api.login("并发邀请店主")
    _, _, (sku,) = await make_product(api, owner, stock=20)
    inviter, _ = await api.login("并发邀请人")
    invitee, user = await api.login("并发新朋友", invite_code=await code_of(api, inviter))
    hook = invites.on_order_paid

    async def not_yet(*_: Any) -> None:
        return None

    monkeypatch.setattr(invites, "on_order_paid", not_yet)  # paid, but the payment hook has not run yet
    await buy(api, invitee, sku, "o")
    monkeypatch.setattr(invites, "on_order_paid", hook)
    store = api.services.store
    invitation = await store.get("invitations", from_global_id(user["id"])[1])
    assert invitation is not None and invitation["state"] == "SIGNED_UP" and await points(api, inviter) == 0
    # the hook ten times at once
    order = (await store.find("orders", {"buyerId": invitation["_id"]})).docs[0]
    await asyncio.gather(*(invites.on_order_paid(api.services, order) for _ in range(10)))
    assert await points(api, inviter) == 10
    await asyncio.gather(*(invites.on_order_refunded(api.services, order) for _ in range(10)))
    assert await points(api, inviter) == 0


async def test_refusals_change_nothing(api: Api) -> None:
    inviter, _ = await api.login("拒绝邀请人")
    other, _ = await api.login("另一个邀请人")
    code, other_code = await code_of(api, inviter), await code_of(api, other)

    async def accept(token: str, c: str) -> list[dict[str, Any]]:
        return list((await api.gql(ACCEPT, {"c": c}, token=token))["data"]["acceptInvite"]["errors"])

    assert await accept(inviter, code) == [{"code": "INVALID_INPUT", "field": ["input", "code"]}]
    assert await accept(inviter, "no-such-code") == [{"code": "NOT_FOUND", "field": ["input", "code"]}]
    late, _ = await api.login("后来的新人")  # signed up without a code: may take one, once
    ok = (await api.gql(ACCEPT, {"c": code}, token=late))["data"]["acceptInvite"]
    assert ok["errors"] == [] and ok["invitation"] == {"state": "SIGNED_UP", "invitee": {"nickname": "后来的新人"}}
    assert await accept(late, other_code) == [{"code": "ALREADY_EXISTS", "field": ["input", "code"]}]
    assert await accept(late, code) == [{"code": "ALREADY_EXISTS", "field": ["input", "code"]}]
    bound, _ = await api.login("已绑定新人", invite_code=code)
    assert await accept(bound, other_code) == [{"code": "ALREADY_EXISTS", "field": ["input", "code"]}]
    assert [n for n, _, _ in await states(api, inviter)] == ["已绑定新人", "后来的新人"]
    assert await states(api, other) == []
    # an identity that signed up before (an account deleted, then a new sign-up) is not new to the platform
    await invites.first_seen(api.services, ["dev:回头客"])
    again, _ = await api.login("回头客")
    assert await accept(again, other_code) == [{"code": "INVALID_STATE", "field": ["input", "code"]}]
    assert await states(api, other) == []


async def test_concurrent_accepts_bind_once(api: Api) -> None:
    inviters = [(await api.login(f"抢绑邀请人{i}"))[0] for i in range(5)]
    codes = [await code_of(api, t) for t in inviters]
    late, _ = await api.login("抢绑新人")
    bodies = await asyncio.gather(*(api.gql(ACCEPT, {"c": c}, token=late) for c in codes))
    winners = [b for b in bodies if b["data"]["acceptInvite"]["errors"] == []]
    assert len(winners) == 1
    assert sum([len(await states(api, t)) for t in inviters]) == 1


async def test_the_same_code_accepted_at_once_binds_once(api: Api) -> None:
    inviter, _ = await api.login("同码邀请人")
    code = await code_of(api, inviter)
    late, _ = await api.login("同码新人")
    bodies = await asyncio.gather(*(api.gql(ACCEPT, {"c": code}, token=late) for _ in range(8)))
    errors = [b["data"]["acceptInvite"]["errors"] for b in bodies]
    assert errors.count([]) == 1
    assert all(e == [{"code": "ALREADY_EXISTS", "field": ["input", "code"]}] for e in errors if e)
    assert await states(api, inviter) == [("同码新人", "SIGNED_UP", 0)]

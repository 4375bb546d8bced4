"""Distribution through the API: a 3-level chain from payment to withdrawal, reversal on refund, binding without
cycles, region lock, approval, concurrent withdrawals, and a tampered ledger found."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id
from resolvers.distribution import settle_due
from resolvers.users import grant_operator
from tests.api.conftest import SHOP, Api, make_product, use_clock
from tests.api.test_orders import CONFIRM, REFUND, SHIP, act, pay

POLICY = """mutation($s: ID!, $r: [Int!]!, $f: Int!, $a: Boolean!, $l: Boolean!) {
  setCommissionPolicy(input: {shopId: $s, ratesBp: $r, freezeDays: $f, requiresApproval: $a, regionLocked: $l}) {
    policy { ratesBp freezeDays requiresApproval regionLocked } errors { code field } } }"""
APPLY = """mutation($s: ID!, $r: String) { applyDistributor(input: {shopId: $s, region: $r}) {
  distributorship { status region shop { id } } errors { code field } } }"""
REVIEW = """mutation($s: ID!, $u: ID!, $a: Boolean!) {
  reviewDistributor(input: {shopId: $s, userId: $u, approve: $a}) {
    distributorship { status } errors { code field } } }"""
LINK = """mutation($p: ID) {
  createShareLink(input: {productId: $p}) { link { token path product { id } } errors { code } } }"""
PLACE = """mutation($s: ID!, $k: String!, $t: String) {
  placeOrder(input: {lines: [{skuId: $s, quantity: 1}], idempotencyKey: $k, shareToken: $t}) {
    order { id total { amount } } errors { code field } } }"""
WITHDRAW = """mutation($a: Long!, $k: String!) { withdrawCommission(input: {amount: $a, idempotencyKey: $k}) {
  withdrawal { id amount { amount } status } errors { code field } } }"""
ME = """{ myDistribution { upline { nickname } memberships { status region }
  stats { directReferrals teamSize attributedOrders attributedSales { amount } frozen { amount } available { amount }
          withdrawn { amount } }
  commissions { edges { node { level amount { amount } status orderNumber unfreezeAt hash shop { id } } } } } }"""
VERIFY = "{ verifyCommissionLedger { ok entries firstBadEntry headHash } }"


async def login(api: Api, name: str, code: str | None = None) -> tuple[str, dict[str, Any]]:
    return await api.login(name, invite_code=code)


async def invite_code(api: Api, token: str) -> str:
    return str((await api.gql("{ me { inviteCode } }", token=token))["data"]["me"]["inviteCode"])


async def mine(api: Api, token: str) -> Any:
    return (await api.gql(ME, token=token))["data"]["myDistribution"]


async def shop_with_policy(
    api: Api, rates: list[int], *, freeze: int = 0, approval: bool = False, locked: bool = False, price: int = 10_000
) -> tuple[str, str, str]:
    owner, _ = await api.login("分销店主")
    shop_id, _, (sku,) = await make_product(api, owner, prices=(price,), stock=100)
    body = await api.gql(POLICY, {"s": shop_id, "r": rates, "f": freeze, "a": approval, "l": locked}, token=owner)
    assert body["data"]["setCommissionPolicy"]["errors"] == []
    return owner, shop_id, sku


async def test_a_three_level_chain_from_payment_to_withdrawal(api: Api) -> None:
    clock = use_clock(api)
    owner, shop_id, sku = await shop_with_policy(api, [1000, 500, 200], freeze=7)
    top, _ = await login(api, "一级")
    middle, _ = await login(api, "二级", await invite_code(api, top))
    link = (await api.gql(LINK, {"p": None}, token=middle))["data"]["createShareLink"]["link"]
    assert link["path"] == f"pages/index/index?s={link['token']}"
    near, _ = await login(api, "三级", link["token"])
    buyer, _ = await login(api, "买家")  # not referred at sign-up: the first order's share link binds them
    near_link = (await api.gql(LINK, {"p": None}, token=near))["data"]["createShareLink"]["link"]["token"]
    for token in (top, middle, near):
        assert (await api.gql(APPLY, {"s": shop_id, "r": None}, token=token))["data"]["applyDistributor"][
            "distributorship"
        ]["status"] == "ACTIVE"
    order = (await api.gql(PLACE, {"s": sku, "k": "o1", "t": near_link}, token=buyer))["data"]["placeOrder"]["order"]
    assert [u["nickname"] for u in (await mine(api, buyer))["upline"]] == ["三级", "二级", "一级"]
    await pay(api, buyer, order["id"])
    rows = {name: (await mine(api, t))["commissions"]["edges"] for name, t in (("c", near), ("b", middle), ("a", top))}
    assert [
        (r[0]["node"]["level"], r[0]["node"]["amount"]["amount"], r[0]["node"]["status"]) for r in rows.values()
    ] == [
        (1, 1000, "FROZEN"),
        (2, 500, "FROZEN"),
        (3, 200, "FROZEN"),
    ]
    assert rows["c"][0]["node"]["unfreezeAt"] is None and len(rows["c"][0]["node"]["hash"]) == 64
    await act(api, SHIP, owner, order["id"])
    await act(api, CONFIRM, buyer, order["id"])
    assert await settle_due(api.services) == 0  # frozen for 7 days after completion
    clock.advance(days=7, minutes=1)
    assert await settle_due(api.services) == 3
    assert await settle_due(api.services) == 0
    stats = (await mine(api, near))["stats"]
    assert stats == {
        "directReferrals": 1,  # the buyer, bound by the first order's share link
        "teamSize": 1,
        "attributedOrders": 1,
        "attributedSales": {"amount": 10_000},
        "frozen": {"amount": 0},
        "available": {"amount": 1000},
        "withdrawn": {"amount": 0},
    }
    assert (await mine(api, top))["stats"]["teamSize"] == 3  # 二级, 三级, 买家
    assert (await mine(api, middle))["stats"]["directReferrals"] == 1
    w = (await api.gql(WITHDRAW, {"a": 600, "k": "w1"}, token=near))["data"]["withdrawCommission"]
    assert w["errors"] == [] and w["withdrawal"]["status"] == "PAID"
    assert (await api.gql(WITHDRAW, {"a": 600, "k": "w1"}, token=near))["data"]["withdrawCommission"]["withdrawal"][
        "id"
    ] == w["withdrawal"]["id"]
    short = (await api.gql(WITHDRAW, {"a": 600, "k": "w2"}, token=near))["data"]["withdrawCommission"]
    assert short["errors"] == [{"code": "INSUFFICIENT_FUNDS", "field": ["input", "amount"]}]
    assert (await api.gql(WITHDRAW, {"a": 99, "k": "w3"}, token=near))["data"]["withdrawCommission"]["errors"][0][
        "field"
    ] == ["input", "amount"]
    stats = (await mine(api, near))["stats"]
    assert (stats["available"], stats["withdrawn"]) == ({"amount": 400}, {"amount": 600})


async def test_a_refund_reverses_every_commission_of_the_order(api: Api) -> None:
    _, shop_id, sku = await shop_with_policy(api, [1000, 500])
    sharer, _ = await login(api, "退款分享者")
    await api.gql(APPLY, {"s": shop_id}, token=sharer)
    buyer, _ = await login(api, "退款买家", await invite_code(api, sharer))
    order = (await api.gql(PLACE, {"s": sku, "k": "r1", "t": None}, token=buyer))["data"]["placeOrder"]["order"]
    await pay(api, buyer, order["id"])
    assert (await mine(api, sharer))["stats"]["frozen"] == {"amount": 1000}
    await act(api, REFUND, buyer, order["id"], k="r", r="不要了")
    me = await mine(api, sharer)
    assert [e["node"]["status"] for e in me["commissions"]["edges"]] == ["REVERSED"]
    assert (me["stats"]["frozen"], me["stats"]["attributedOrders"]) == ({"amount": 0}, 0)


async def test_referrers_bind_once_never_to_oneself_and_never_in_a_cycle(api: Api) -> None:
    a, _ = await login(api, "甲方")
    b, _ = await login(api, "乙方", await invite_code(api, a))
    c, _ = await login(api, "丙方", await invite_code(api, b))
    await login(api, "甲方", await invite_code(api, c))  # a -> c would close a loop
    await login(api, "甲方", await invite_code(api, a))  # oneself
    await login(api, "乙方", await invite_code(api, c))  # later links do not rebind
    assert (await mine(api, a))["upline"] == []
    assert [u["nickname"] for u in (await mine(api, c))["upline"]] == ["乙方", "甲方"]
    assert [u["nickname"] for u in (await mine(api, b))["upline"]] == ["甲方"]
    owner, _ = await api.login("无关店主")
    _, _, (sku,) = await make_product(api, owner)
    unknown = await api.gql(PLACE, {"s": sku, "k": "u", "t": "no-such-token"}, token=a)
    assert unknown["data"]["placeOrder"]["errors"] == []  # an unknown share token is ignored


async def test_region_lock_pays_only_distributors_of_the_buyers_region(api: Api) -> None:
    _, shop_id, sku = await shop_with_policy(api, [1000], locked=True)
    sharer, _ = await login(api, "上海分销")
    no_region = await api.gql(APPLY, {"s": shop_id, "r": None}, token=sharer)
    assert no_region["data"]["applyDistributor"]["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "region"]}]
    assert (await api.gql(APPLY, {"s": shop_id, "r": "上海"}, token=sharer))["data"]["applyDistributor"][
        "distributorship"
    ]["region"] == "上海"
    profile = "mutation($r: String) { updateProfile(input: {region: $r}) { errors { code } } }"
    for name, region, key in (("北京买家", "北京", "bj"), ("上海买家", "上海", "sh")):
        buyer, _ = await login(api, name, await invite_code(api, sharer))
        await api.gql(profile, {"r": region}, token=buyer)
        order = (await api.gql(PLACE, {"s": sku, "k": key, "t": None}, token=buyer))["data"]["placeOrder"]["order"]
        await pay(api, buyer, order["id"])
    rows = (await mine(api, sharer))["commissions"]["edges"]
    assert len(rows) == 1 and rows[0]["node"]["amount"] == {"amount": 1000}


async def test_approval_and_policy_rules(api: Api) -> None:
    owner, shop_id, sku = await shop_with_policy(api, [800], approval=True)
    stranger, stranger_user = await login(api, "审核路人")
    applicant, applicant_user = await login(api, "申请人")
    assert (await api.gql(APPLY, {"s": shop_id}, token=applicant))["data"]["applyDistributor"]["distributorship"][
        "status"
    ] == "PENDING"
    buyer, _ = await login(api, "审核买家", await invite_code(api, applicant))
    order = (await api.gql(PLACE, {"s": sku, "k": "a1", "t": None}, token=buyer))["data"]["placeOrder"]["order"]
    await pay(api, buyer, order["id"])
    assert (await mine(api, applicant))["commissions"]["edges"] == []  # not yet approved: nothing earned
    review = {"s": shop_id, "u": applicant_user["id"], "a": True}
    assert (await api.gql(REVIEW, review, token=stranger))["data"]["reviewDistributor"]["errors"][0][
        "code"
    ] == "FORBIDDEN"
    nobody = {"s": shop_id, "u": stranger_user["id"], "a": True}
    assert (await api.gql(REVIEW, nobody, token=owner))["data"]["reviewDistributor"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await api.gql(REVIEW, review, token=owner))["data"]["reviewDistributor"]["distributorship"][
        "status"
    ] == "ACTIVE"
    order = (await api.gql(PLACE, {"s": sku, "k": "a2", "t": None}, token=buyer))["data"]["placeOrder"]["order"]
    await pay(api, buyer, order["id"])
    assert len((await mine(api, applicant))["commissions"]["edges"]) == 1
    bad = [
        ([100, 100, 100, 100], 0, ["input", "ratesBp"]),
        ([-1], 0, ["input", "ratesBp", "0"]),
        ([3000, 2001], 0, ["input", "ratesBp"]),
        ([], 0, ["input", "ratesBp"]),
        ([100], 91, ["input", "freezeDays"]),
    ]
    for rates, freeze, field in bad:
        body = await api.gql(POLICY, {"s": shop_id, "r": rates, "f": freeze, "a": False, "l": False}, token=owner)
        assert body["data"]["setCommissionPolicy"]["errors"] == [{"code": "INVALID_INPUT", "field": field}], rates
    body = await api.gql(POLICY, {"s": shop_id, "r": [100], "f": 0, "a": False, "l": False}, token=stranger)
    assert body["data"]["setCommissionPolicy"]["errors"][0]["code"] == "FORBIDDEN"
    shop = await api.gql("query($id: ID!) { shop(id: $id) { commissionPolicy { ratesBp } } }", {"id": shop_id})
    assert shop["data"]["shop"]["commissionPolicy"] == {"ratesBp": [800]}
    plain_owner, _ = await api.login("没有分销的店主")
    plain_shop = (await api.gql(SHOP, {"n": "没有分销"}, token=plain_owner))["data"]["createShop"]["shop"]["id"]
    assert (await api.gql(APPLY, {"s": plain_shop}, token=applicant))["data"]["applyDistributor"]["errors"][0][
        "code"
    ] == "INVALID_STATE"


async def test_concurrent_withdrawals_never_overdraw(api: Api) -> None:
    owner, shop_id, sku = await shop_with_policy(api, [1000], price=10_000)
    sharer, _ = await login(api, "提现人")
    await api.gql(APPLY, {"s": shop_id}, token=sharer)
    buyer, _ = await login(api, "提现买家", await invite_code(api, sharer))
    order = (await api.gql(PLACE, {"s": sku, "k": "x", "t": None}, token=buyer))["data"]["placeOrder"]["order"]
    await pay(api, buyer, order["id"])
    await act(api, SHIP, owner, order["id"])
    await act(api, CONFIRM, buyer, order["id"])
    await settle_due(api.services)
    results = await asyncio.gather(*(api.gql(WITHDRAW, {"a": 300, "k": f"k{i}"}, token=sharer) for i in range(10)))
    ok = [r for r in results if r["data"]["withdrawCommission"]["errors"] == []]
    assert len(ok) == 3
    stats = (await mine(api, sharer))["stats"]
    assert (stats["available"], stats["withdrawn"]) == ({"amount": 100}, {"amount": 900})
    balance = await api.services.store.get(
        "balances", from_global_id((await api.gql("{ me { id } }", token=sharer))["data"]["me"]["id"])[1]
    )
    assert balance is not None and balance["available"] == 100


async def test_a_tampered_ledger_entry_is_found(api: Api) -> None:
    _, shop_id, sku = await shop_with_policy(api, [1000])
    sharer, _ = await login(api, "账本分享者")
    await api.gql(APPLY, {"s": shop_id}, token=sharer)
    buyer, _ = await login(api, "账本买家", await invite_code(api, sharer))
    for key in ("l1", "l2", "l3"):
        order = (await api.gql(PLACE, {"s": sku, "k": key, "t": None}, token=buyer))["data"]["placeOrder"]["order"]
        await pay(api, buyer, order["id"])
    operator, operator_user = await api.login("运营")
    assert (await api.gql(VERIFY, token=operator, expect_errors=True))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await grant_operator(api.services, operator_user["id"])
    clean = (await api.gql(VERIFY, token=operator))["data"]["verifyCommissionLedger"]
    assert clean["ok"] and clean["entries"] == 3 and clean["firstBadEntry"] is None
    store = api.services.store
    await store.update_one("ledger", {"_id": f"{2:012d}"}, {"$set": {"deltas": {"frozen": 999_999}}})
    found = (await api.gql(VERIFY, token=operator))["data"]["verifyCommissionLedger"]
    assert not found["ok"] and from_global_id(found["firstBadEntry"])[1] == f"{2:012d}"
    await store.update_one("ledger", {"_id": f"{2:012d}"}, {"$set": {"deltas": {"frozen": 1000}}})
    assert (await api.gql(VERIFY, token=operator))["data"]["verifyCommissionLedger"]["ok"]
    await store.delete("ledger", f"{2:012d}")  # a removed entry breaks the chain at the next one
    removed = (await api.gql(VERIFY, token=operator))["data"]["verifyCommissionLedger"]
    assert not removed["ok"] and from_global_id(removed["firstBadEntry"])[1] == f"{3:012d}"

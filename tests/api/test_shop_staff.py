"""Shop staff through the API: the owner invites with roles, a code joins once (raced), expires, and only the owner
manages staff; each merchant mutation lets exactly the roles it declares act, and nothing changes otherwise."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_coupons import CREATE as CREATE_COUPON
from tests.api.test_coupons import coupon_input
from tests.api.test_orders import SHIP, act, line, pay, place

INVITE = """mutation($s: ID!, $r: [ShopStaffRole!]!) { inviteShopStaff(input: {shopId: $s, roles: $r}) {
  code invite { id roles expiresAt } errors { code field message } } }"""
ACCEPT = """mutation($c: String!) { acceptShopStaffInvite(input: {code: $c}) {
  membership { roles shop { id } } errors { code field message } } }"""
UPDATE = """mutation($s: ID!, $u: ID!, $r: [ShopStaffRole!]!) {
  updateShopStaff(input: {shopId: $s, userId: $u, roles: $r}) {
  staffMember { roles user { nickname } } errors { code field } } }"""
REMOVE = """mutation($s: ID!, $u: ID!) { removeShopStaff(input: {shopId: $s, userId: $u}) {
  staffMember { roles user { nickname } } errors { code field } } }"""
STAFF = "query($s: ID!) { shop(id: $s) { staff { roles user { nickname } } } }"
STAFF_OF = "{ me { staffOf { roles shop { id } } } }"
PRODUCT = (
    """mutation($in: CreateProductInput!) { createProduct(input: $in) { product { id } errors { code field } } }"""
)
STOCK = """mutation($sku: ID!, $k: String!) { adjustStock(input: {skuId: $sku, delta: 5, idempotencyKey: $k}) {
  sku { stock } errors { code field } } }"""
POLICY = """mutation($s: ID!) { setCommissionPolicy(input: {shopId: $s, ratesBp: [500], freezeDays: 0,
  requiresApproval: false, regionLocked: false}) { policy { ratesBp } errors { code field } } }"""
ORDERS = "query($s: ID!) { shop(id: $s) { orders { edges { node { number } } } } }"


async def invite(api: Api, owner: str, shop_id: str, *roles: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.gql(INVITE, {"s": shop_id, "r": list(roles)}, token=owner))["data"][
        "inviteShopStaff"
    ]
    return payload


async def accept(api: Api, token: str, code: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.gql(ACCEPT, {"c": code}, token=token))["data"]["acceptShopStaffInvite"]
    return payload


async def hire(api: Api, owner: str, shop_id: str, nickname: str, *roles: str) -> tuple[str, dict[str, Any]]:
    """A new user on the shop's staff with these roles: (their token, their user)."""
    token, user = await api.login(nickname)
    joined = await accept(api, token, (await invite(api, owner, shop_id, *roles))["code"])
    assert joined["errors"] == [], joined
    return token, user


async def staff_of(api: Api, shop_id: str, token: str) -> Any:
    return (await api.gql(STAFF, {"s": shop_id}, token=token, expect_errors=True))["data"]["shop"]["staff"]


async def test_an_invitee_joins_with_the_roles_the_owner_gave(api: Api) -> None:
    # given a shop and an invite for customer service and the warehouse
    owner, _ = await api.login("招人店主")
    shop_id, _, _ = await make_product(api, owner)
    made = await invite(api, owner, shop_id, "CUSTOMER_SERVICE", "WAREHOUSE")
    assert made["errors"] == [] and made["invite"]["roles"] == ["CUSTOMER_SERVICE", "WAREHOUSE"]
    expires = datetime.fromisoformat(made["invite"]["expiresAt"])
    assert timedelta(hours=71) < expires - datetime.now(UTC) <= timedelta(hours=72)
    # when the invitee accepts it (twice: a replay answers the same)
    clerk, _ = await api.login("新店员")
    first = await accept(api, clerk, made["code"])
    again = await accept(api, clerk, made["code"])
    # then they are staff with those roles, seen by the owner and by themself
    assert (
        first
        == again
        == {
            "membership": {"roles": ["CUSTOMER_SERVICE", "WAREHOUSE"], "shop": {"id": shop_id}},
            "errors": [],
        }
    )
    assert await staff_of(api, shop_id, owner) == [
        {"roles": ["CUSTOMER_SERVICE", "WAREHOUSE"], "user": {"nickname": "新店员"}}
    ]
    assert (await api.gql(STAFF_OF, token=clerk))["data"]["me"]["staffOf"] == [
        {"roles": ["CUSTOMER_SERVICE", "WAREHOUSE"], "shop": {"id": shop_id}}
    ]
    assert (await api.gql(STAFF_OF, token=owner))["data"]["me"]["staffOf"] == [
        {"roles": ["OWNER"], "shop": {"id": shop_id}}
    ]
    # and the code is spent for anybody else; the stored invite does not hold the code itself
    late, _ = await api.login("晚来的人")
    assert (await accept(api, late, made["code"]))["errors"][0] == {
        "code": "INVALID_STATE",
        "field": ["input", "code"],
        "message": "This invite has been used",
    }
    stored = (await api.services.store.find("shop_staff_invites", {}, limit=10)).docs
    assert len(stored) == 1 and made["code"] not in str(stored)


async def test_of_many_users_racing_for_one_code_exactly_one_joins(api: Api) -> None:
    owner, _ = await api.login("抢码店主")
    shop_id, _, _ = await make_product(api, owner)
    code = (await invite(api, owner, shop_id, "ADMIN"))["code"]
    tokens = [(await api.login(f"抢码人{i}"))[0] for i in range(12)]
    results = await asyncio.gather(*(accept(api, t, code) for t in tokens))
    winners = [r for r in results if r["errors"] == []]
    assert len(winners) == 1
    assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"INVALID_STATE"}
    assert len(await staff_of(api, shop_id, owner)) == 1
    # the same user accepting one code many times at once joins once and every call says so
    code = (await invite(api, owner, shop_id, "WAREHOUSE"))["code"]
    keen, _ = await api.login("心急的人")
    again = await asyncio.gather(*(accept(api, keen, code) for _ in range(8)))
    assert all(r["errors"] == [] for r in again), again
    assert len(await staff_of(api, shop_id, owner)) == 2


async def test_an_invite_expires(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("过期店主")
    shop_id, _, _ = await make_product(api, owner)
    code = (await invite(api, owner, shop_id, "WAREHOUSE"))["code"]
    clock.advance(minutes=72 * 60 + 1)
    invitee, _ = await api.login("迟到的人")
    refused = await accept(api, invitee, code)
    assert refused["membership"] is None and refused["errors"][0]["code"] == "INVALID_STATE"
    assert "expired" in refused["errors"][0]["message"]
    assert await staff_of(api, shop_id, owner) == []
    assert (await accept(api, invitee, "not-a-code"))["errors"][0] == {
        "code": "NOT_FOUND",
        "field": ["input", "code"],
        "message": "No such invite; check the code",
    }


async def test_only_the_owner_manages_staff(api: Api) -> None:
    # given a shop with an ADMIN and a stranger
    owner, _ = await api.login("管人店主")
    shop_id, _, _ = await make_product(api, owner)
    admin, admin_user = await hire(api, owner, shop_id, "管理员", "ADMIN")
    helper, helper_user = await hire(api, owner, shop_id, "帮手", "WAREHOUSE")
    stranger, _ = await api.login("管人路人")
    # an ADMIN may not invite (not even without ADMIN), change roles or remove anyone; nor may a stranger
    for token in (admin, stranger):
        for roles in (["ADMIN"], ["WAREHOUSE"]):
            refused = await invite(api, token, shop_id, *roles)
            assert refused["code"] is None and refused["errors"][0]["code"] == "FORBIDDEN"
            assert refused["errors"][0]["message"] == "Only the shop's owner may do this"
        body = await api.gql(UPDATE, {"s": shop_id, "u": helper_user["id"], "r": ["ADMIN"]}, token=token)
        assert body["data"]["updateShopStaff"]["errors"] == [{"code": "FORBIDDEN", "field": ["input", "shopId"]}]
        body = await api.gql(REMOVE, {"s": shop_id, "u": helper_user["id"]}, token=token)
        assert body["data"]["removeShopStaff"]["errors"] == [{"code": "FORBIDDEN", "field": ["input", "shopId"]}]
    assert (await api.gql(UPDATE, {"s": shop_id, "u": admin_user["id"], "r": ["ADMIN"]}, token=admin))["data"][
        "updateShopStaff"
    ]["errors"][0]["code"] == "FORBIDDEN"
    # nothing changed
    assert sorted(m["user"]["nickname"] for m in await staff_of(api, shop_id, owner)) == ["帮手", "管理员"]
    assert [m["roles"] for m in await staff_of(api, shop_id, owner) if m["user"]["nickname"] == "帮手"] == [
        ["WAREHOUSE"]
    ]
    # the list of staff is for the owner and ADMIN only
    assert len(await staff_of(api, shop_id, admin)) == 2
    for token in (helper, stranger):
        body = await api.gql(STAFF, {"s": shop_id}, token=token, expect_errors=True)
        assert body["data"]["shop"]["staff"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # bad roles, a missing shop, the owner's own code
    for roles, message in (
        ([], "Give at least one role"),
        (["OWNER"], "OWNER is not a staff role"),
        (["ADMIN", "ADMIN"], "Each role appears once"),
    ):
        refused = await invite(api, owner, shop_id, *roles)
        assert refused["errors"][0]["code"] == "INVALID_INPUT" and refused["errors"][0]["field"] == ["input", "roles"]
        assert refused["errors"][0]["message"].startswith(message)
    assert (await invite(api, owner, "U2hvcDpub3Bl", "ADMIN"))["errors"][0]["code"] == "NOT_FOUND"
    code = (await invite(api, owner, shop_id, "ADMIN"))["code"]
    assert (await accept(api, owner, code))["errors"][0]["code"] == "SELF_ACTION"
    # an existing member cannot take a second code of the same shop (the owner changes roles instead)
    refused = await accept(api, helper, code)
    assert refused["errors"][0]["code"] == "ALREADY_EXISTS"
    joined = await accept(api, stranger, code)  # that code is still good for someone else
    assert joined["errors"] == [] and joined["membership"]["roles"] == ["ADMIN"]


async def test_the_owner_changes_roles_and_removes_staff_at_once(api: Api) -> None:
    owner, _ = await api.login("调岗店主")
    shop_id, _, (sku_id,) = await make_product(api, owner, stock=10)
    clerk, clerk_user = await hire(api, owner, shop_id, "调岗店员", "CUSTOMER_SERVICE")
    assert (await api.gql(STOCK, {"sku": sku_id, "k": "s1"}, token=clerk))["data"]["adjustStock"]["errors"][0][
        "code"
    ] == "FORBIDDEN"
    changed = await api.gql(UPDATE, {"s": shop_id, "u": clerk_user["id"], "r": ["WAREHOUSE"]}, token=owner)
    assert changed["data"]["updateShopStaff"] == {
        "staffMember": {"roles": ["WAREHOUSE"], "user": {"nickname": "调岗店员"}},
        "errors": [],
    }
    assert (await api.gql(STOCK, {"sku": sku_id, "k": "s2"}, token=clerk))["data"]["adjustStock"] == {
        "sku": {"stock": 15},
        "errors": [],
    }
    removed = await api.gql(REMOVE, {"s": shop_id, "u": clerk_user["id"]}, token=owner)
    assert removed["data"]["removeShopStaff"]["staffMember"]["user"] == {"nickname": "调岗店员"}
    assert (await api.gql(STOCK, {"sku": sku_id, "k": "s3"}, token=clerk))["data"]["adjustStock"]["errors"][0][
        "code"
    ] == "FORBIDDEN"
    assert (await api.gql(STAFF_OF, token=clerk))["data"]["me"]["staffOf"] == []
    # changing or removing someone who is not on the staff
    for mutation, variables in ((UPDATE, {"r": ["ADMIN"]}), (REMOVE, {})):
        body = await api.gql(mutation, {"s": shop_id, "u": clerk_user["id"], **variables}, token=owner)
        assert next(iter(body["data"].values()))["errors"] == [{"code": "NOT_FOUND", "field": ["input", "userId"]}]
    body = await api.gql(UPDATE, {"s": shop_id, "u": clerk_user["id"], "r": []}, token=owner)
    assert body["data"]["updateShopStaff"]["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "roles"]}]


async def test_the_code_a_removed_member_joined_with_does_not_bring_them_back(api: Api) -> None:
    owner, _ = await api.login("复用店主")
    shop_id, _, _ = await make_product(api, owner)
    token, user = await api.login("被请走的人")
    code = (await invite(api, owner, shop_id, "ADMIN"))["code"]
    assert (await accept(api, token, code))["errors"] == []
    await api.gql(REMOVE, {"s": shop_id, "u": user["id"]}, token=owner)
    again = await accept(api, token, code)
    assert again["membership"] is None and again["errors"][0]["code"] == "INVALID_STATE"
    assert await staff_of(api, shop_id, owner) == []


async def test_each_merchant_mutation_lets_only_the_roles_it_declares(api: Api) -> None:
    """Staff acting outside their role get FORBIDDEN and change nothing; inside it, they act for the shop."""
    # given a shop with one member per role, a paid order and a stranger
    owner, _ = await api.login("分工店主")
    shop_id, _, (sku_id,) = await make_product(api, owner, stock=10)
    admin, _ = await hire(api, owner, shop_id, "分工管理员", "ADMIN")
    service, _ = await hire(api, owner, shop_id, "分工客服", "CUSTOMER_SERVICE")
    warehouse, _ = await hire(api, owner, shop_id, "分工仓管", "WAREHOUSE")
    stranger, _ = await api.login("分工路人")
    buyer, _ = await api.login("分工买家")
    order_ids = []
    for i in range(3):
        order_id = (await place(api, buyer, [line(sku_id)], f"k{i}"))["order"]["id"]
        await pay(api, buyer, order_id, key=f"p{i}")
        order_ids.append(order_id)
    product = {
        "shopId": shop_id,
        "title": "新品",
        "description": "",
        "images": [],
        "skus": [{"specs": [], "price": 100, "stock": 1}],
    }

    unshipped = list(order_ids)
    keys = iter(range(100))

    def code(body: dict[str, Any]) -> str | None:
        errors = next(iter(body["data"].values()))["errors"]
        return errors[0]["code"] if errors else None

    async def attempt(kind: str, token: str) -> str | None:
        if kind == "createProduct":
            return code(await api.gql(PRODUCT, {"in": product}, token=token))
        if kind == "createCoupon":
            return code(await api.gql(CREATE_COUPON, {"in": coupon_input(shop_id)}, token=token))
        if kind == "setCommissionPolicy":
            return code(await api.gql(POLICY, {"s": shop_id}, token=token))
        if kind == "adjustStock":
            return code(await api.gql(STOCK, {"sku": sku_id, "k": f"stock-{next(keys)}"}, token=token))
        outcome = code({"data": {"shipOrder": await act(api, SHIP, token, unshipped[0])}})
        if outcome is None:
            unshipped.pop(0)
        return outcome

    declared = {
        "createProduct": set(),
        "createCoupon": set(),
        "setCommissionPolicy": set(),
        "adjustStock": {"warehouse"},
        "shipOrder": {"warehouse"},
    }
    people = {"service": service, "warehouse": warehouse, "stranger": stranger, "admin": admin}
    # when each of them tries each mutation
    for kind, roles in declared.items():
        for name, token in people.items():
            outcome = await attempt(kind, token)
            # then the roles it declares, and ADMIN, act; everybody else is FORBIDDEN
            assert outcome == (None if name in roles | {"admin"} else "FORBIDDEN"), (kind, name, outcome)
    # and the refused calls changed nothing
    stock = (await api.gql("query($id: ID!) { node(id: $id) { ... on Sku { stock } } }", {"id": sku_id}))["data"]
    assert stock["node"]["stock"] == 10 - 3 + 5 + 5  # the warehouse's and the admin's restocks
    products = await api.gql(
        "query($s: ID!) { shop(id: $s) { products { edges { node { title } } } } }", {"s": shop_id}
    )
    assert [e["node"]["title"] for e in products["data"]["shop"]["products"]["edges"]].count("新品") == 1
    assert len(unshipped) == 1  # shipped by the warehouse and the admin only
    coupons = await api.services.store.count("coupons", {})
    assert coupons == 1


async def test_staff_see_their_shops_orders_and_nobody_elses(api: Api) -> None:
    owner, _ = await api.login("看单店主")
    shop_id, _, (sku_id,) = await make_product(api, owner)
    other_owner, _ = await api.login("别家店主")
    other_shop, _, (other_sku,) = await make_product(api, other_owner, title="别家货")
    clerk, _ = await hire(api, owner, shop_id, "看单客服", "CUSTOMER_SERVICE")
    buyer, _ = await api.login("看单买家")
    mine = (await place(api, buyer, [line(sku_id)], "m"))["order"]
    theirs = (await place(api, buyer, [line(other_sku)], "t"))["order"]
    q = "query($id: ID!) { order(id: $id) { number } }"
    assert (await api.gql(q, {"id": mine["id"]}, token=clerk))["data"]["order"] == {"number": mine["number"]}
    assert (await api.gql(q, {"id": theirs["id"]}, token=clerk))["data"]["order"] is None
    assert (await api.gql(ORDERS, {"s": shop_id}, token=clerk))["data"]["shop"]["orders"]["edges"] == [
        {"node": {"number": mine["number"]}}
    ]
    body = await api.gql(ORDERS, {"s": other_shop}, token=clerk, expect_errors=True)
    assert body["data"]["shop"]["orders"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await api.gql(ORDERS, {"s": shop_id}, expect_errors=True)
    assert body["data"]["shop"]["orders"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

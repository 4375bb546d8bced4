"""Shop campaigns through the API: full-reduction (满减), full-discount (满折) and time-limited discounts (限时折扣),
what combines and what is refused, their bad input, the calendar (`Shop.campaigns`, `Product.activeCampaigns`) and
`campaignEvents` as the sweep sees them start and end; platform coupons; points in the checkout preview."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.ids import from_global_id
from jobs.sweep import sweep
from tests.api.conftest import Api, Clock, make_product, use_clock
from tests.api.test_cart import add, lines
from tests.api.test_checkout import address_of, coupon_for, do_checkout, preview
from tests.api.test_coupons import CLAIM
from tests.api.test_orders import PLACE, line, pay

FIELDS = """campaign { id kind name status stackableWith percentOff
  tiers { threshold { amount } amountOff { amount } percentOff } scope { kind categories productIds } }
  errors { code field message }"""
CREATE = f"mutation($in: CreateDiscountCampaignInput!) {{ createDiscountCampaign(input: $in) {{ {FIELDS} }} }}"
UPDATE = f"mutation($in: UpdateDiscountCampaignInput!) {{ updateDiscountCampaign(input: $in) {{ {FIELDS} }} }}"
CANCEL = f"mutation($in: CancelDiscountCampaignInput!) {{ cancelDiscountCampaign(input: $in) {{ {FIELDS} }} }}"
CALENDAR = """query($id: ID!, $s: CampaignStatus) { node(id: $id) { ... on Shop {
  campaigns(status: $s) { id kind name status } } } }"""
BADGES = "query($id: ID!) { node(id: $id) { ... on Product { activeCampaigns { id kind name } } } }"
ORDER_PLACE = """mutation($lines: [OrderLineInput!]!, $k: String!, $c: ID) {
  placeOrder(input: {lines: $lines, idempotencyKey: $k, couponId: $c}) {
    order { id subtotal { amount } discount { amount } total { amount } pointsUsed
            adjustments { kind label amount campaignId } lines { unitPrice { amount } } }
    errors { code field message } } }"""
PREVIEW = """query($in: CheckoutPreviewInput!) { checkoutPreview(input: $in) {
  subtotal { amount } discount { amount } shippingFee { amount } total { amount }
  adjustments { kind amount campaignId }
  shops { total { amount } pointsUsed adjustments { kind amount } coupon { id } }
  errors { code field message } } }"""
PLATFORM = """mutation($in: CreatePlatformCouponInput!) { createPlatformCoupon(input: $in) {
  coupon { id shop { id } } errors { code field } } }"""


def iso(clock_ms: int, **delta: float) -> str:
    return (datetime.fromtimestamp(clock_ms / 1000, UTC) + timedelta(**delta)).isoformat()


def campaign_input(shop_id: str, clock: Clock, **over: Any) -> dict[str, Any]:
    return {
        "shopId": shop_id,
        "kind": "FULL_REDUCTION",
        "name": "满100减10",
        "startsAt": iso(clock.ms, minutes=-1),
        "endsAt": iso(clock.ms, days=3),
        "tiers": [{"threshold": 10_000, "amountOff": 1_000}, {"threshold": 20_000, "amountOff": 3_000}],
    } | over


async def create(api: Api, token: str, shop_id: str, clock: Clock, **over: Any) -> Any:
    body = await api.gql(CREATE, {"in": campaign_input(shop_id, clock, **over)}, token=token)
    return body["data"]["createDiscountCampaign"]


async def place(api: Api, token: str, lines_: list[dict[str, Any]], key: str, coupon: str | None = None) -> Any:
    return (await api.gql(ORDER_PLACE, {"lines": lines_, "k": key, "c": coupon}, token=token))["data"]["placeOrder"]


def kinds(order: Any) -> list[tuple[str, int]]:
    return [(a["kind"], a["amount"]) for a in order["adjustments"]]


async def test_a_full_reduction_takes_its_tier_off_an_order_and_the_order_explains_it(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("满减店主")
    buyer, _ = await api.login("满减买家")
    shop_id, _, (a, b) = await make_product(api, owner, prices=(6_000, 9_000), stock=10)
    made = await create(api, owner, shop_id, clock)
    assert made["errors"] == [] and made["campaign"]["status"] == "RUNNING"
    assert made["campaign"]["stackableWith"] == ["SHOP_COUPON", "PLATFORM_COUPON"]  # the safe default
    order = (await place(api, buyer, [line(a), line(b, 2)], "fr-1"))["order"]
    assert (order["subtotal"]["amount"], order["discount"]["amount"], order["total"]["amount"]) == (
        24_000,
        3_000,
        21_000,
    )
    assert kinds(order) == [("FULL_REDUCTION", -3_000)]
    assert order["adjustments"][0]["campaignId"] == made["campaign"]["id"]
    doc = await api.services.store.get("orders", from_global_id(order["id"])[1])
    assert doc is not None and [x["discount"] for x in doc["lines"]] == [750, 2_250]  # to the fen, by amount
    small = (await place(api, buyer, [line(a)], "fr-2"))["order"]
    assert small["discount"]["amount"] == 0 and small["adjustments"] == []


async def test_a_full_discount_and_a_time_discount_and_their_scopes(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("满折店主")
    buyer, _ = await api.login("满折买家")
    shop_id, tea, (a,) = await make_product(api, owner, prices=(10_000,), category="茶")
    _, _, (b,) = await make_product(api, owner, prices=(10_000,), shop_id=shop_id, category="器")
    timed = await create(
        api,
        owner,
        shop_id,
        clock,
        kind="TIME_DISCOUNT",
        name="限时八折",
        tiers=[],
        percentOff=20,
        scope={"kind": "PRODUCTS", "productIds": [tea]},
    )
    assert timed["errors"] == [], timed
    off = await create(
        api,
        owner,
        shop_id,
        clock,
        kind="FULL_DISCOUNT",
        name="满100九折",
        tiers=[{"threshold": 10_000, "percentOff": 10}],
        scope={"kind": "CATEGORIES", "categories": ["器"]},
    )
    assert off["errors"] == [], off
    order = (await place(api, buyer, [line(a), line(b)], "fd-1"))["order"]
    assert kinds(order) == [("TIME_DISCOUNT", -2_000), ("FULL_DISCOUNT", -1_000)]
    assert [x["unitPrice"]["amount"] for x in order["lines"]] == [8_000, 10_000]
    assert order["total"]["amount"] == 17_000
    badges = (await api.gql(BADGES, {"id": tea}))["data"]["node"]["activeCampaigns"]
    assert [x["name"] for x in badges] == ["限时八折"]


async def test_an_activity_price_excludes_full_reduction_unless_the_merchant_allows_it(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("叠加店主")
    buyer, _ = await api.login("叠加买家")
    shop_id, product, (a,) = await make_product(api, owner, prices=(15_000,))
    scope = {"kind": "PRODUCTS", "productIds": [product]}
    timed = await create(
        api, owner, shop_id, clock, kind="TIME_DISCOUNT", name="限时", tiers=[], percentOff=10, scope=scope
    )
    reduction = await create(api, owner, shop_id, clock)
    order = (await place(api, buyer, [line(a)], "st-1"))["order"]
    assert kinds(order) == [("TIME_DISCOUNT", -1_500)]  # refused: the reduction does not name TIME_DISCOUNT
    again = campaign_input(shop_id, clock, campaignId=reduction["campaign"]["id"], stackableWith=["TIME_DISCOUNT"])
    again.pop("shopId")
    changed = await api.gql(UPDATE, {"in": again}, token=owner)
    # a running campaign keeps what buyers were priced at: cancel it and declare one that combines
    assert changed["data"]["updateDiscountCampaign"]["errors"][0]["code"] == "INVALID_STATE"
    cancelled = await api.gql(CANCEL, {"in": {"campaignId": reduction["campaign"]["id"]}}, token=owner)
    assert cancelled["data"]["cancelDiscountCampaign"]["campaign"]["status"] == "ENDED"
    assert (await create(api, owner, shop_id, clock, stackableWith=["TIME_DISCOUNT", "SHOP_COUPON"]))["errors"] == []
    order = (await place(api, buyer, [line(a)], "st-2"))["order"]
    assert kinds(order) == [("TIME_DISCOUNT", -1_500), ("FULL_REDUCTION", -1_000)]
    assert timed["campaign"]["id"] in [x["campaignId"] for x in order["adjustments"]]


async def test_a_coupon_combines_by_default_and_is_refused_by_a_campaign_that_says_so(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("券叠店主")
    buyer, _ = await api.login("券叠买家")
    shop_id, _, (a,) = await make_product(api, owner, prices=(12_000,), stock=10)
    coupon = await coupon_for(api, owner, buyer, shop_id)  # 10 yuan off from 50
    await create(api, owner, shop_id, clock)
    order = (await place(api, buyer, [line(a)], "cp-1", coupon))["order"]
    assert kinds(order) == [("FULL_REDUCTION", -1_000), ("SHOP_COUPON", -1_000)]
    assert order["total"]["amount"] == 10_000
    other, _ = await api.login("券叠店主2")
    shop2, _, (b,) = await make_product(api, other, prices=(12_000,), stock=10)
    coupon2 = await coupon_for(api, other, buyer, shop2)
    assert (await create(api, other, shop2, clock, stackableWith=[]))["errors"] == []
    refused = await place(api, buyer, [line(b)], "cp-2", coupon2)
    assert refused["order"] is None
    assert refused["errors"][0]["code"] == "COUPON_UNAVAILABLE" and refused["errors"][0]["field"] == [
        "input",
        "couponId",
    ]
    assert "满100减10" in refused["errors"][0]["message"]
    claim = await api.services.store.find("coupon_claims", {"couponId": from_global_id(coupon2)[1]}, limit=1)
    assert claim.docs[0]["used"] is False  # nothing moved


async def test_bad_campaign_input_is_refused_on_its_field_and_writes_nothing(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("坏活动店主")
    stranger, _ = await api.login("坏活动路人")
    shop_id, _, _ = await make_product(api, owner)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"stackableWith": ["FULL_DISCOUNT", "FREE_LUNCH"]}, ["input", "stackableWith", "1"]),
        (
            {"tiers": [{"threshold": 20_000, "amountOff": 1_000}, {"threshold": 10_000, "amountOff": 3_000}]},
            ["input", "tiers", "1"],
        ),
        (
            {"tiers": [{"threshold": 10_000, "amountOff": 3_000}, {"threshold": 20_000, "amountOff": 2_000}]},
            ["input", "tiers", "1"],
        ),
        ({"tiers": [{"threshold": 10_000, "amountOff": 10_000}]}, ["input", "tiers", "0", "value"]),
        ({"tiers": [{"threshold": 10_000, "percentOff": 10}]}, ["input", "tiers", "0"]),
        ({"kind": "TIME_DISCOUNT", "tiers": [], "percentOff": 100}, ["input", "percentOff"]),
        ({"kind": "SECKILL"}, ["input", "kind"]),
        ({"endsAt": iso(clock.ms, minutes=-2)}, ["input", "endsAt"]),
        ({"name": ""}, ["input", "name"]),
        ({"scope": {"kind": "PRODUCTS", "productIds": []}}, ["input", "scope", "ids"]),
    ]
    for over, field in cases:
        payload = await create(api, owner, shop_id, clock, **over)
        assert payload["campaign"] is None and field in [e["field"] for e in payload["errors"]], (over, payload)
        assert all(e["code"] == "INVALID_INPUT" for e in payload["errors"])
    other, _ = await api.login("坏活动他店")
    _, foreign, _ = await make_product(api, other)
    scoped = await create(api, owner, shop_id, clock, scope={"kind": "PRODUCTS", "productIds": [foreign]})
    assert scoped["errors"] == [
        {"code": "NOT_FOUND", "field": ["input", "scope", "ids", "0"], "message": scoped["errors"][0]["message"]}
    ]
    assert (await create(api, stranger, shop_id, clock))["errors"][0]["code"] == "FORBIDDEN"
    assert await api.services.store.count("campaigns", {}) == 0


async def test_the_calendar_and_campaign_events_as_campaigns_start_and_end(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("日历店主")
    shop_id, _, _ = await make_product(api, owner)
    later = await create(
        api, owner, shop_id, clock, name="下周", startsAt=iso(clock.ms, minutes=10), endsAt=iso(clock.ms, minutes=20)
    )
    now = await create(api, owner, shop_id, clock, name="现在", endsAt=iso(clock.ms, minutes=5))

    async def calendar(status: str | None = None) -> list[str]:
        body = await api.gql(CALENDAR, {"id": shop_id, "s": status})
        return [c["name"] for c in body["data"]["node"]["campaigns"]]

    assert await calendar() == ["现在", "下周"]
    assert (await calendar("UPCOMING"), await calendar("RUNNING"), await calendar("ENDED")) == (["下周"], ["现在"], [])
    sub = "subscription($id: ID!) { campaignEvents(shopId: $id) { event campaign { id name status } } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"id": shop_id}}})
        await asyncio.sleep(0.3)  # subscribed before the sweep announces

        async def event() -> Any:
            got = (await ws.receive_json(timeout=5))["payload"]["data"]["campaignEvents"]
            return got["event"], got["campaign"]["name"], got["campaign"]["status"]

        await sweep(api.services)  # "现在" started a minute ago
        assert await event() == ("STARTED", "现在", "RUNNING")
        clock.advance(minutes=11)
        await asyncio.gather(sweep(api.services), sweep(api.services))  # two racing sweeps announce each once
        got = {await event(), await event()}
        assert got == {("ENDED", "现在", "ENDED"), ("STARTED", "下周", "RUNNING")}
        await api.gql(CANCEL, {"in": {"campaignId": later["campaign"]["id"]}}, token=owner)
        assert await event() == ("ENDED", "下周", "ENDED")
        await sweep(api.services)
        with_nothing_more = asyncio.wait_for(ws.receive_json(), timeout=0.5)
        try:
            extra = await with_nothing_more
        except TimeoutError:
            extra = None
        assert extra is None
    assert now["campaign"]["id"] and await calendar("ENDED") == ["现在", "下周"]


async def test_platform_coupons_come_from_operators_and_apply_after_the_shop_coupon(api: Api) -> None:
    owner, _ = await api.login("平台券店主")
    buyer, _ = await api.login("平台券买家")
    operator, op_user = await api.login("平台运营")
    shop_id, _, (a,) = await make_product(api, owner, prices=(10_000,), stock=10)
    terms = {
        "title": "平台券",
        "discount": 500,
        "minSpend": 5_000,
        "quantity": 5,
        "validUntil": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
    }
    refused = (await api.gql(PLATFORM, {"in": terms}, token=owner))["data"]["createPlatformCoupon"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    from resolvers.users import grant_operator

    await grant_operator(api.services, from_global_id(op_user["id"])[1])
    made = (await api.gql(PLATFORM, {"in": terms}, token=operator))["data"]["createPlatformCoupon"]
    assert made["errors"] == [] and made["coupon"]["shop"] is None
    platform = made["coupon"]["id"]
    assert (await api.gql(CLAIM, {"id": platform}, token=buyer))["data"]["claimCoupon"]["errors"] == []
    shop_coupon = await coupon_for(api, owner, buyer, shop_id)
    address = await address_of(api, buyer)
    shown = (await add(api, buyer, a, 1))["cart"]
    line_id = lines(shown)[0]["id"]
    both = [shop_coupon, platform]
    seen = (
        await api.gql(PREVIEW, {"in": {"cartLineIds": [line_id], "addressId": address, "couponIds": both}}, token=buyer)
    )["data"]["checkoutPreview"]
    assert seen["errors"] == []
    assert [(x["kind"], x["amount"]) for x in seen["adjustments"]] == [
        ("SHOP_COUPON", -1_000),
        ("PLATFORM_COUPON", -500),
    ]
    assert seen["total"]["amount"] == 8_500
    placed = await do_checkout(api, buyer, [line_id], address, couponIds=both)
    assert placed["errors"] == [] and placed["checkout"]["total"]["amount"] == 8_500
    claims = await api.services.store.find(
        "coupon_claims",
        {"userId": from_global_id((await api.gql("{ me { id } }", token=buyer))["data"]["me"]["id"])[1]},
        limit=5,
    )
    assert sorted(c["used"] for c in claims.docs) == [True, True]
    order_id = from_global_id(placed["checkout"]["orders"][0]["id"])[1]
    from resolvers.orders import cancel

    await cancel(api.services, order_id, "test")
    claims = await api.services.store.find("coupon_claims", {"orderId": order_id}, limit=5)
    assert claims.docs == []  # both claims came back with the cancel


async def test_points_show_in_the_preview_within_the_balance_and_the_share(api: Api) -> None:
    owner, _ = await api.login("积分店主")
    buyer, user = await api.login("积分买家")
    _, _, (a,) = await make_product(api, owner, prices=(10_000,), stock=10)
    await api.services.store.update_one("users", {"_id": from_global_id(user["id"])[1]}, {"$set": {"points": 8_000}})
    address = await address_of(api, buyer)
    line_id = lines((await add(api, buyer, a, 1))["cart"])[0]["id"]
    ok = await preview(api, buyer, [line_id], address, points=5_000)
    assert ok["errors"] == [] and ok["total"]["amount"] == 5_000

    async def errors(points: int) -> Any:
        body = await api.gql(
            PREVIEW, {"in": {"cartLineIds": [line_id], "addressId": address, "points": points}}, token=buyer
        )
        return [(e["code"], e["field"]) for e in body["data"]["checkoutPreview"]["errors"]]

    assert await errors(5_001) == [("INVALID_INPUT", ["input", "points"])]  # above half the order
    await api.services.store.update_one("users", {"_id": from_global_id(user["id"])[1]}, {"$set": {"points": 100}})
    assert await errors(200) == [("INSUFFICIENT_POINTS", ["input", "points"])]
    body = await api.gql(PREVIEW, {"in": {"cartLineIds": [line_id], "addressId": address, "points": 100}}, token=buyer)
    shown = body["data"]["checkoutPreview"]
    assert shown["shops"][0]["pointsUsed"] == 100 and ("POINTS", -100) in [
        (x["kind"], x["amount"]) for x in shown["adjustments"]
    ]


async def test_team_and_bargain_prices_are_the_activity_step(api: Api) -> None:
    from tests.api.conftest import offer_product
    from tests.api.test_teams import start

    clock = use_clock(api)
    seller, _ = await api.login("团价店主")
    buyer, _ = await api.login("团价买家")
    _, (sku,) = await offer_product(
        api, seller, group_buy={"tiers": [{"size": 2, "price": 9_000}], "durationMinutes": 60}, prices=(12_000,)
    )
    shop = (await api.services.store.get("skus", from_global_id(sku)[1]) or {})["shopId"]
    from domain.ids import to_global_id

    assert (await create(api, seller, to_global_id("Shop", shop), clock))["errors"] == []
    started = await start(api, buyer, sku)
    order = await api.services.store.get("orders", from_global_id(started["order"]["id"])[1])
    assert order is not None and order["total"] == 9_000  # the reduction leaves a group-buy line out by default
    assert [(a["kind"], a["amount"]) for a in order["adjustments"]] == [("GROUP_BUY", -3_000)]
    assert PLACE and pay  # the plain order helpers stay importable for the other tests


async def test_the_cart_totals_come_from_the_pipeline(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("购物车满减店主")
    buyer, _ = await api.login("购物车满减买家")
    shop_id, _, (a,) = await make_product(api, owner, prices=(6_000,), stock=10)
    await create(api, owner, shop_id, clock)
    await add(api, buyer, a, 1)
    query = "{ cart { selectedSubtotal { amount } selectedTotal { amount } shops { selectedTotal { amount } adjustments { kind amount } } } }"  # noqa: E501
    shown = (await api.gql(query, token=buyer))["data"]["cart"]
    assert (shown["selectedSubtotal"]["amount"], shown["selectedTotal"]["amount"]) == (6_000, 6_000)
    await add(api, buyer, a, 1)
    shown = (await api.gql(query, token=buyer))["data"]["cart"]
    assert (shown["selectedSubtotal"]["amount"], shown["selectedTotal"]["amount"]) == (12_000, 11_000)
    assert shown["shops"][0]["adjustments"] == [{"kind": "FULL_REDUCTION", "amount": -1_000}]


async def test_checkout_orders_keep_the_adjustments_the_preview_showed(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("结账满减店主")
    buyer, _ = await api.login("结账满减买家")
    shop_id, product, (a, b) = await make_product(api, owner, prices=(7_000, 5_000), stock=10)
    await create(api, owner, shop_id, clock)
    timed = await create(
        api,
        owner,
        shop_id,
        clock,
        kind="TIME_DISCOUNT",
        name="限时",
        tiers=[],
        percentOff=10,
        scope={"kind": "PRODUCTS", "productIds": [product]},
        stackableWith=["FULL_REDUCTION", "SHOP_COUPON"],
    )
    assert timed["errors"] == []
    address = await address_of(api, buyer)
    await add(api, buyer, a, 1)
    shown = (await add(api, buyer, b, 1))["cart"]
    line_ids = [x["id"] for x in lines(shown)]
    seen = (await api.gql(PREVIEW, {"in": {"cartLineIds": line_ids, "addressId": address}}, token=buyer))["data"][
        "checkoutPreview"
    ]
    assert [(x["kind"], x["amount"]) for x in seen["adjustments"]] == [
        ("TIME_DISCOUNT", -1_200),
        ("FULL_REDUCTION", -1_000),
    ]
    assert seen["total"]["amount"] == 12_000 - 2_200
    placed = await do_checkout(api, buyer, line_ids, address)
    assert placed["errors"] == [] and placed["checkout"]["total"]["amount"] == seen["total"]["amount"]
    order_id = placed["checkout"]["orders"][0]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Order { total { amount } adjustments { kind amount } } } }"
    order = (await api.gql(query, {"id": order_id}, token=buyer))["data"]["node"]
    assert order == {
        "total": seen["total"],
        "adjustments": [{"kind": x["kind"], "amount": x["amount"]} for x in seen["adjustments"]],
    }
    paid = await api.services.store.get("orders", from_global_id(order_id)[1])
    assert paid is not None and sum(x["discount"] for x in paid["lines"]) == 1_000


async def test_an_upcoming_campaign_changes_anything_but_its_kind(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("改活动店主")
    staff_stranger, _ = await api.login("改活动路人")
    shop_id, _, _ = await make_product(api, owner)
    soon = {"startsAt": iso(clock.ms, minutes=30), "endsAt": iso(clock.ms, days=1)}
    made = await create(api, owner, shop_id, clock, **soon)
    campaign_id = made["campaign"]["id"]
    again = campaign_input(
        shop_id,
        clock,
        campaignId=campaign_id,
        name="满200减30",
        stackableWith=["GROUP_BUY"],
        tiers=[{"threshold": 20_000, "amountOff": 3_000}],
        **soon,
    )
    again.pop("shopId")
    changed = (await api.gql(UPDATE, {"in": again}, token=owner))["data"]["updateDiscountCampaign"]
    assert changed["errors"] == [] and changed["campaign"]["status"] == "UPCOMING"
    assert changed["campaign"]["name"] == "满200减30" and changed["campaign"]["stackableWith"] == ["GROUP_BUY"]
    assert changed["campaign"]["tiers"] == [
        {"threshold": {"amount": 20_000}, "amountOff": {"amount": 3_000}, "percentOff": None}
    ]
    other_kind = again | {"kind": "FULL_DISCOUNT", "tiers": [{"threshold": 1, "percentOff": 5}]}
    kind = (await api.gql(UPDATE, {"in": other_kind}, token=owner))["data"]["updateDiscountCampaign"]
    assert kind["errors"][0]["field"] == ["input", "kind"]
    bad = (await api.gql(UPDATE, {"in": again | {"stackableWith": ["NOPE"]}}, token=owner))["data"]
    assert bad["updateDiscountCampaign"]["errors"][0]["field"] == ["input", "stackableWith", "0"]
    forbidden = (await api.gql(UPDATE, {"in": again}, token=staff_stranger))["data"]["updateDiscountCampaign"]
    assert forbidden["errors"][0]["code"] == "FORBIDDEN"
    stored = await api.services.store.get("campaigns", from_global_id(campaign_id)[1])
    assert stored is not None and stored["name"] == "满200减30" and stored["kind"] == "FULL_REDUCTION"


async def test_active_campaigns_of_a_product_list_are_read_once(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("徽章店主")
    shop_id, first, _ = await make_product(api, owner, category="茶")
    for i in range(3):
        await make_product(api, owner, shop_id=shop_id, title=f"徽章{i}", category="器")
    await create(api, owner, shop_id, clock, scope={"kind": "CATEGORIES", "categories": ["茶"]}, name="茶满减")
    await create(api, owner, shop_id, clock, name="全店", startsAt=iso(clock.ms, minutes=5))  # upcoming: no badge
    store = api.services.store
    finds: list[str] = []
    original = store.find

    async def counting(collection: str, *args: Any, **kwargs: Any) -> Any:
        finds.append(collection)
        return await original(collection, *args, **kwargs)

    store.find = counting  # type: ignore[method-assign]
    query = """query($id: ID!) { node(id: $id) { ... on Shop { products(first: 10) { edges { node { id
      activeCampaigns { name } } } } } } }"""
    edges = (await api.gql(query, {"id": shop_id}))["data"]["node"]["products"]["edges"]
    badges = {e["node"]["id"]: [c["name"] for c in e["node"]["activeCampaigns"]] for e in edges}
    assert badges[first] == ["茶满减"] and sum(1 for b in badges.values() if b) == 1 and len(badges) == 4
    assert finds.count("campaigns") == 1


async def test_checkout_pays_with_points_from_the_ledger_and_a_refusal_or_a_cancel_gives_them_back(api: Api) -> None:
    from resolvers import points as points_uc
    from resolvers.orders import cancel
    from tests.api.test_checkout import sku_stock

    owner, _ = await api.login("积分付款店主")
    buyer, user = await api.login("积分付款买家")
    buyer_id = from_global_id(user["id"])[1]
    _, _, (a,) = await make_product(api, owner, prices=(10_000,), stock=10)
    await points_uc.earn(api.services, buyer_id, 6_000, key="gift-1", reason="TEST")
    address = await address_of(api, buyer)

    async def balance() -> int:
        return int((await api.services.store.get("users", buyer_id))["points"])

    # two checkouts at once, each wanting 4,000 of the 6,000 points: one is placed, the other refused on its field
    first, second = [lines((await add(api, buyer, a, 1))["cart"])[0]["id"]] * 2
    both = await asyncio.gather(
        do_checkout(api, buyer, [first], address, key="pts-1", points=4_000),
        do_checkout(api, buyer, [second], address, key="pts-2", points=4_000),
    )
    placed = [c for c in both if not c["errors"]]
    refused = [c for c in both if c["errors"]]
    assert len(placed) == 1 and len(refused) == 1, both
    assert [(e["code"], e["field"]) for e in refused[0]["errors"]] == [("INSUFFICIENT_POINTS", ["input", "points"])]
    assert await balance() == 2_000
    assert await sku_stock(api, a) == 9  # the refused one gave its unit back
    order_id = from_global_id(placed[0]["checkout"]["orders"][0]["id"])[1]
    order = await api.services.store.get("orders", order_id)
    assert ("POINTS", -4_000) in [(x["kind"], x["amount"]) for x in order["adjustments"]]
    assert order["pointsUsed"] == 4_000 and order["pointsKey"] == f"order-points:{order_id}"
    spent = await api.services.store.get("points_ledger", order["pointsKey"])
    assert spent is not None and spent["amount"] == -4_000 and spent["ref"] == order_id
    # cancelled before payment: the points come back, once
    await cancel(api.services, order_id, "test")
    await cancel(api.services, order_id, "test")
    assert await balance() == 6_000

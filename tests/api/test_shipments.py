"""Shipments through the API on the embedded default: packages and partial shipments (PARTLY_SHIPPED), the bare
shipOrder of the contract, who sees Order.shipments, bad packages, staff roles, racing shipOrder calls (winners
counted), receipt only once shipped, and completion AUTO_CONFIRM_DAYS after the last package (the sweep)."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id
from domain.staff import staff_id
from domain.tokens import verify_access_token
from jobs.sweep import sweep
from resolvers.loaders import Loaders
from resolvers.shipments import auto_confirm
from resolvers.visibility import Seer
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_orders import CANCEL, CONFIRM, REFUND, act, line, pay, place
from tests.api.test_teams import order_doc

SHIPMENTS = "shipments { id carrier { code name } trackingNumber lines { lineIndex quantity } shippedAt wechatReport }"
SHIP = f"""mutation($id: ID!, $p: [PackageInput!]) {{ shipOrder(input: {{orderId: $id, packages: $p}}) {{
  order {{ status {SHIPMENTS} }} errors {{ code field message }} }} }}"""
ORDER = f"query($id: ID!) {{ order(id: $id) {{ status {SHIPMENTS} }} }}"


def package(carrier: str, number: str, *parts: tuple[int, int]) -> dict[str, Any]:
    return {"carrier": carrier, "trackingNumber": number, "lines": [{"lineIndex": i, "quantity": q} for i, q in parts]}


async def ship(api: Api, token: str, order_id: str, *packages: dict[str, Any]) -> Any:
    body = await api.gql(SHIP, {"id": order_id, "p": list(packages) if packages else None}, token=token)
    return body["data"]["shipOrder"]


async def paid_order(api: Api, quantities: tuple[int, ...] = (3, 1), name: str = "发货") -> tuple[str, str, str]:
    """(seller token, buyer token, order id) of a paid DEV_PAY order with one line per quantity."""
    seller, _ = await api.login(f"{name}卖家")
    buyer, _ = await api.login(f"{name}买家")
    _, _, skus = await make_product(api, seller, prices=tuple(1000 + i for i in range(len(quantities))), stock=50)
    lines = [line(sku, q) for sku, q in zip(skus, quantities, strict=True)]
    order_id = (await place(api, buyer, lines, f"{name}-k"))["order"]["id"]
    await pay(api, buyer, order_id)
    return seller, buyer, order_id


async def test_an_order_ships_in_packages_and_is_partly_shipped_until_every_unit_left(api: Api) -> None:
    # given a paid order of 3 + 1 units
    seller, buyer, order_id = await paid_order(api)
    # when the shop ships 2 units of the first line
    first = await ship(api, seller, order_id, package("SF", "SF1234567890", (0, 2)))
    # then the order is PARTLY_SHIPPED with that package, and it cannot be received or refunded by the buyer alone
    assert first["errors"] == [] and first["order"]["status"] == "PARTLY_SHIPPED"
    [sent] = first["order"]["shipments"]
    assert sent["carrier"] == {"code": "SF", "name": "顺丰速运"} and sent["trackingNumber"] == "SF1234567890"
    assert sent["lines"] == [{"lineIndex": 0, "quantity": 2}] and sent["wechatReport"] == "NOT_REQUIRED"
    assert (await act(api, CONFIRM, buyer, order_id))["errors"][0]["code"] == "INVALID_STATE"
    refund = await act(api, REFUND, buyer, order_id, k="r", r="不要了")
    assert (refund["errors"][0]["code"], refund["errors"][0]["field"]) == ("INVALID_STATE", ["input", "orderId"])
    # when the rest leaves in two packages of one call
    rest = await ship(api, seller, order_id, package("ZTO", "7312345", (0, 1)), package("YD", "4312", (1, 1)))
    # then the order is SHIPPED, its three packages oldest first, and the buyer sees them and may confirm receipt
    assert rest["errors"] == [] and rest["order"]["status"] == "SHIPPED"
    seen = (await api.gql(ORDER, {"id": order_id}, token=buyer))["data"]["order"]
    assert [(s["carrier"]["code"], s["lines"]) for s in seen["shipments"]] == [
        ("SF", [{"lineIndex": 0, "quantity": 2}]),
        ("ZTO", [{"lineIndex": 0, "quantity": 1}]),
        ("YD", [{"lineIndex": 1, "quantity": 1}]),
    ]
    assert len({s["id"] for s in seen["shipments"]}) == 3
    assert (await act(api, CONFIRM, buyer, order_id))["order"]["status"] == "COMPLETED"


async def test_the_bare_ship_order_of_the_contract_ships_every_unit_left_untracked(api: Api) -> None:
    # given a paid order with one package shipped
    seller, _, order_id = await paid_order(api, name="无单号")
    await ship(api, seller, order_id, package("STO", "77001", (0, 1)))
    # when the shop ships it the contract's way, without packages
    done = await ship(api, seller, order_id)
    # then every unit left went in one package without carrier or tracking number, and the order is SHIPPED
    assert done["errors"] == [] and done["order"]["status"] == "SHIPPED"
    last = done["order"]["shipments"][-1]
    assert (last["carrier"], last["trackingNumber"], last["wechatReport"]) == (None, None, "NOT_REQUIRED")
    assert last["lines"] == [{"lineIndex": 0, "quantity": 2}, {"lineIndex": 1, "quantity": 1}]
    # and shipping it again is refused: nothing is left
    again = await ship(api, seller, order_id)
    assert (again["errors"][0]["code"], again["errors"][0]["field"]) == ("INVALID_STATE", ["input", "orderId"])


async def test_only_the_buyer_and_the_shop_s_staff_see_the_shipments(api: Api) -> None:
    # given a shipped order, a warehouse clerk and a customer-service agent of the shop, and a stranger
    seller, buyer, order_id = await paid_order(api, name="可见")
    shop_id = (await order_doc(api, order_id))["shopId"]
    clerk, agent = (
        await staff(api, shop_id, "仓管", ["WAREHOUSE"]),
        await staff(api, shop_id, "客服", ["CUSTOMER_SERVICE"]),
    )
    stranger, _ = await api.login("路人")
    shipped = await ship(api, clerk, order_id, package("JD", "JDVA0001", (0, 3), (1, 1)))
    # then the clerk who shipped it sees its package in the payload, as the buyer and the owner do
    assert [s["trackingNumber"] for s in shipped["order"]["shipments"]] == ["JDVA0001"]
    for who in (buyer, seller):
        assert len((await api.gql(ORDER, {"id": order_id}, token=who))["data"]["order"]["shipments"]) == 1
    # the rule behind it lets any of the shop's staff see them (the agent too), and nobody else
    doc = await order_doc(api, order_id)
    for who, sees in ((agent, True), (clerk, True), (buyer, True), (seller, True), (stranger, False), (None, False)):
        viewer = verify_access_token(api.services.settings.secret_key(), who) if who else None
        assert await Seer(Loaders(api.services.store), viewer).order(doc) is sees
    # and a stranger sees no order at all
    assert (await api.gql(ORDER, {"id": order_id}, token=stranger))["data"]["order"] is None


async def staff(api: Api, shop_id: str, nickname: str, roles: list[str]) -> str:
    """A user holding `roles` in the shop (raw id), as the owner's invitation records it."""
    token, user = await api.login(nickname)
    raw_user = from_global_id(user["id"])[1]
    doc = {"_id": staff_id(shop_id, raw_user), "shopId": shop_id, "userId": raw_user, "roles": roles}
    await api.services.store.insert("shop_staff", doc)
    return token


async def test_staff_ship_in_the_warehouse_role_or_as_admin_only(api: Api) -> None:
    # given a paid order, and staff of its shop in each role, and a user who is nobody's staff
    seller, buyer, order_id = await paid_order(api, (4,), name="角色")
    shop_id = (await order_doc(api, order_id))["shopId"]
    agent = await staff(api, shop_id, "客服甲", ["CUSTOMER_SERVICE"])
    clerk = await staff(api, shop_id, "仓管甲", ["WAREHOUSE"])
    admin = await staff(api, shop_id, "管理甲", ["ADMIN"])
    nobody, _ = await api.login("外人")
    # then customer service, strangers and the buyer are refused, and nothing ships
    for who in (agent, nobody, buyer):
        refused = await ship(api, who, order_id, package("EMS", "E1", (0, 1)))
        assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == ("FORBIDDEN", ["input", "orderId"])
    assert "shipments" not in await order_doc(api, order_id)
    # while the warehouse, an admin and the owner may ship
    for i, who in enumerate((clerk, admin, seller)):
        assert (await ship(api, who, order_id, package("EMS", f"E{i}", (0, 1))))["errors"] == []
    assert (await order_doc(api, order_id))["shipmentCount"] == 3


async def test_bad_packages_are_refused_on_their_field_and_change_nothing(api: Api) -> None:
    # given a paid order of 3 + 1 units whose first line has 2 units shipped
    seller, _, order_id = await paid_order(api, name="坏包裹")
    await ship(api, seller, order_id, package("YTO", "YT100", (0, 2)))
    before = await order_doc(api, order_id)
    too_long = "A" * 41
    cases: list[tuple[list[dict[str, Any]], list[str]]] = [
        ([package("FEDEX", "F1", (1, 1))], ["input", "packages", "0", "carrier"]),
        ([package("SF", "", (1, 1))], ["input", "packages", "0", "trackingNumber"]),
        ([package("SF", "   ", (1, 1))], ["input", "packages", "0", "trackingNumber"]),
        ([package("SF", too_long, (1, 1))], ["input", "packages", "0", "trackingNumber"]),
        ([package("SF", "SF 12", (1, 1))], ["input", "packages", "0", "trackingNumber"]),
        ([package("SF", "顺丰12", (1, 1))], ["input", "packages", "0", "trackingNumber"]),
        ([], ["input", "packages"]),
        ([package("SF", "S1")], ["input", "packages", "0", "lines"]),
        ([package("SF", "S1", (2, 1))], ["input", "packages", "0", "lines", "0", "lineIndex"]),
        ([package("SF", "S1", (-1, 1))], ["input", "packages", "0", "lines", "0", "lineIndex"]),
        ([package("SF", "S1", (1, 0))], ["input", "packages", "0", "lines", "0", "quantity"]),
        ([package("SF", "S1", (1, 1), (1, 1))], ["input", "packages", "0", "lines", "1", "lineIndex"]),
        ([package("SF", "S1", (0, 2))], ["input", "packages", "0", "lines", "0", "quantity"]),  # 1 left
        (
            [package("SF", "S1", (0, 1)), package("SF", "S2", (0, 1))],  # together more than is left
            ["input", "packages", "1", "lines", "0", "quantity"],
        ),
        ([package("YTO", "YT100", (1, 1))], ["input", "packages", "0", "trackingNumber"]),  # used already
        ([package("SF", f"S{i}", (1, 1)) for i in range(15)], ["input", "packages"]),  # 16 packages in all
    ]
    for i, (packages, field) in enumerate(cases):
        refused = await ship(api, seller, order_id, *packages) if packages else await ship_empty(api, seller, order_id)
        assert refused["order"] is None, (i, refused)
        assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == ("INVALID_INPUT", field), (i, refused)
    assert await order_doc(api, order_id) == before
    # and a line that has shipped is refused when shipped again
    await ship(api, seller, order_id, package("YTO", "YT101", (0, 1)))
    twice = await ship(api, seller, order_id, package("YTO", "YT102", (0, 1)))
    assert twice["errors"][0]["field"] == ["input", "packages", "0", "lines", "0", "quantity"]
    assert twice["errors"][0]["message"] == "This line has shipped already"


async def ship_empty(api: Api, token: str, order_id: str) -> Any:
    body = await api.gql(SHIP, {"id": order_id, "p": []}, token=token)
    return body["data"]["shipOrder"]


async def test_an_unpaid_cancelled_or_completed_order_does_not_ship(api: Api) -> None:
    # given an unpaid order, a cancelled one and a completed one
    seller, _ = await api.login("状态卖家")
    buyer, _ = await api.login("状态买家")
    _, _, (sku,) = await make_product(api, seller, stock=20)
    unpaid = (await place(api, buyer, [line(sku)], "u"))["order"]["id"]
    cancelled = (await place(api, buyer, [line(sku)], "c"))["order"]["id"]
    await act(api, CANCEL, buyer, cancelled)
    completed = (await place(api, buyer, [line(sku)], "d"))["order"]["id"]
    await pay(api, buyer, completed)
    await ship(api, seller, completed)
    await act(api, CONFIRM, buyer, completed)
    # then shipping any of them is refused on the order, with packages or without
    for order_id in (unpaid, cancelled, completed):
        for packages in ((package("SF", "S9", (0, 1)),), ()):
            refused = await ship(api, seller, order_id, *packages)
            assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == (
                "INVALID_STATE",
                ["input", "orderId"],
            )
    assert "shipments" not in await order_doc(api, unpaid)


async def test_other_order_mutations_refuse_packages(api: Api) -> None:
    _, buyer, order_id = await paid_order(api, name="别的")
    body = await api.gql(
        "mutation($id: ID!, $p: [PackageInput!]) { confirmReceipt(input: {orderId: $id, packages: $p}) {"
        " errors { code field } } }",
        {"id": order_id, "p": [package("SF", "S1", (0, 1))]},
        token=buyer,
    )
    assert body["data"]["confirmReceipt"]["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "packages"]}]


def interleave_reads(store: Any) -> None:
    """From now on every `get` lets the other tasks run after it read: racing calls all read the order before any
    writes it (the embedded store answers small reads at once, which would run each call to its end alone)."""
    original = store.get

    async def get(collection: str, doc_id: str) -> Any:
        found = await original(collection, doc_id)
        for _ in range(20):
            await asyncio.sleep(0)
        return found

    store.get = get


async def test_racing_shipments_of_the_same_units_ship_them_once(api: Api) -> None:
    # given a paid order of 3 + 1 units, and calls that interleave between reading the order and writing it
    seller, _, order_id = await paid_order(api, name="抢发")
    interleave_reads(api.services.store)
    # when 8 shipOrder calls race to ship all of the first line, each with its own parcel
    results = await asyncio.gather(*(ship(api, seller, order_id, package("ZTO", f"ZT{i}", (0, 3))) for i in range(8)))
    # then exactly one ships it; the others are told it has shipped; one package is on the order
    winners = [r for r in results if r["errors"] == []]
    assert len(winners) == 1
    assert all(r["errors"][0]["message"] == "This line has shipped already" for r in results if r not in winners)
    doc = await order_doc(api, order_id)
    assert doc["status"] == "PARTLY_SHIPPED" and doc["shipmentCount"] == 1 and len(doc["shipments"]) == 1


async def test_racing_shipments_of_different_lines_all_ship(api: Api) -> None:
    # given a paid order of four lines, and calls that interleave between reading the order and writing it
    seller, _, order_id = await paid_order(api, (1, 2, 3, 4), name="分头")
    interleave_reads(api.services.store)
    # when four calls race, each shipping another line
    results = await asyncio.gather(
        *(ship(api, seller, order_id, package("STO", f"ST{i}", (i, i + 1))) for i in range(4))
    )
    # then all four ship and the order is SHIPPED with four packages
    assert [r["errors"] for r in results] == [[]] * 4
    doc = await order_doc(api, order_id)
    assert doc["status"] == "SHIPPED" and doc["shipmentCount"] == 4
    assert sorted(s["lines"][0]["lineIndex"] for s in doc["shipments"]) == [0, 1, 2, 3]


async def test_a_shipped_order_completes_by_itself_auto_confirm_days_after_its_last_package(api: Api) -> None:
    # given an order whose first package left on day 0 and its last on day 5
    clock = use_clock(api)
    seller, buyer, order_id = await paid_order(api, (2,), name="自动收货")
    await ship(api, seller, order_id, package("SF", "SF01", (0, 1)))
    clock.advance(days=5)
    await ship(api, seller, order_id, package("SF", "SF02", (0, 1)))
    # when the sweep runs 10 days after the first package, then just before 10 days after the last
    clock.advance(days=5)
    await sweep(api.services)
    clock.advance(days=4.99)
    await sweep(api.services)
    # then the order is still SHIPPED
    assert (await order_doc(api, order_id))["status"] == "SHIPPED"
    # when the sweep runs past AUTO_CONFIRM_DAYS (10) after the last package
    clock.advance(days=0.02)
    await sweep(api.services)
    # then it completed as a confirmed receipt does: points earned (20.00 yuan), once however often the sweep runs
    doc = await order_doc(api, order_id)
    assert doc["status"] == "COMPLETED" and doc["completedBy"] == "auto" and doc["pointsGranted"] == 20
    await sweep(api.services)
    assert (await api.gql("{ me { points } }", token=buyer))["data"]["me"]["points"] == 20
    assert (await act(api, CONFIRM, buyer, order_id))["errors"][0]["code"] == "INVALID_STATE"


async def test_a_partly_shipped_order_never_completes_by_itself(api: Api) -> None:
    clock = use_clock(api)
    seller, _, order_id = await paid_order(api, (2,), name="半发")
    await ship(api, seller, order_id, package("SF", "SF03", (0, 1)))
    clock.advance(days=60)
    await sweep(api.services)
    assert (await order_doc(api, order_id))["status"] == "PARTLY_SHIPPED"


async def test_the_buyer_and_the_sweep_racing_complete_the_order_once(api: Api) -> None:
    # given a shipped order past AUTO_CONFIRM_DAYS
    clock = use_clock(api)
    seller, buyer, order_id = await paid_order(api, (3,), name="抢收货")
    await ship(api, seller, order_id)
    clock.advance(days=11)
    # when the buyer's confirmations race the sweep's
    buyer_calls = [act(api, CONFIRM, buyer, order_id) for _ in range(4)]
    sweeps = [auto_confirm(api.services) for _ in range(4)]
    results = await asyncio.gather(*buyer_calls, *sweeps)
    # then exactly one completes it, and its points are granted once
    confirmed = sum(1 for r in results[:4] if r["errors"] == [])
    auto = sum(results[4:])
    assert confirmed + auto == 1
    assert (await api.gql("{ me { points } }", token=buyer))["data"]["me"]["points"] == 30
    doc = await order_doc(api, order_id)
    assert doc["status"] == "COMPLETED" and [h["status"] for h in doc["history"]].count("COMPLETED") == 1


async def test_carriers_lists_wechat_s_codes(api: Api) -> None:
    carriers = (await api.gql("{ carriers { code name } }"))["data"]["carriers"]
    codes = {c["code"]: c["name"] for c in carriers}
    assert {"SF": "顺丰速运", "ZTO": "中通快递", "YTO": "圆通速递", "YD": "韵达速递", "STO": "申通快递"}.items() <= (
        codes.items()
    )
    assert {"JTSD", "EMS", "JD", "DBL"} <= set(codes)

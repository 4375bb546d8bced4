"""After-sales refused, each with its code and field path and nothing changed: past the window, for more than was
paid, for a line already refunded, for more units than a line has, another's order, an unpaid order, staff outside
their role, a return shipped before approval or confirmed before it shipped; and the races, winners counted: the
same units asked for twice at once, the same key twice at once, an approval twice at once (one refund, the money
moved once, on DEV_PAY and on WeChat Pay)."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id
from tests.api.conftest import Api, use_clock
from tests.api.test_after_sales import (
    APPROVE,
    CANCEL,
    RECEIVED,
    REJECT,
    REQUEST,
    SHIP_RETURN,
    Sale,
    ask,
    order_doc,
    paid_sale,
    request_input,
    run,
    staff_member,
)
from tests.api.test_orders import line, place, stock
from tests.api.test_trust_refunds import paid_wechat_order
from tests.fakes.wechat import FakeWechat
from tests.fakes.wechatpay import FakeWechatPay


def refusal(payload: Any) -> tuple[str, list[str]]:
    assert payload["afterSale"] is None, payload
    return payload["errors"][0]["code"], payload["errors"][0]["field"]


def refusals(payloads: list[Any]) -> set[tuple[str, tuple[str, ...]]]:
    return {(code, tuple(field)) for code, field in map(refusal, payloads)}


async def after_sales_of(api: Api, sale: Sale) -> list[dict[str, Any]]:
    page = await api.services.store.find("after_sales", {"orderId": sale.raw_order}, limit=100)
    return page.docs


async def test_a_request_past_its_window_is_refused(api: Api) -> None:
    # given an order completed 7 days ago
    clock = use_clock(api)
    sale = await paid_sale(api, completed=True)
    clock.advance(days=6.99)
    assert (await ask(api, sale.buyer, sale, [(0, 1)], idempotencyKey="inside"))["errors"] == []
    # when the buyer asks a little after the 7 days
    clock.advance(days=0.02)
    late = await ask(api, sale.buyer, sale, [(1, 1)], idempotencyKey="late")
    # then it is refused on the order, and nothing more is held
    assert refusal(late) == ("INVALID_STATE", ["input", "orderId"])
    assert len(await after_sales_of(api, sale)) == 1 and len((await order_doc(api, sale))["afterSales"]) == 1


async def test_a_request_for_more_than_was_paid_is_refused(api: Api) -> None:
    sale = await paid_sale(api)
    # one unit of the first line was paid 1,500
    assert refusal(await ask(api, sale.buyer, sale, [(0, 1)], amount=1501)) == ("INVALID_INPUT", ["input", "amount"])
    assert refusal(await ask(api, sale.buyer, sale, [(0, 1)], amount=0)) == ("INVALID_INPUT", ["input", "amount"])
    assert await after_sales_of(api, sale) == [] and not (await order_doc(api, sale)).get("afterSales")
    # and once 1,000 of it came back, no more than the other 500 for that unit... and the rest of the line
    first = await ask(api, sale.buyer, sale, [(0, 1)], amount=1000, idempotencyKey="first")
    await run(api, APPROVE, sale.owner, first["afterSale"]["id"])
    rest = await ask(api, sale.buyer, sale, [(0, 1)], amount=2001, idempotencyKey="rest")
    assert refusal(rest) == ("INVALID_INPUT", ["input", "amount"])
    assert (await ask(api, sale.buyer, sale, [(0, 1)], amount=2000, idempotencyKey="ok"))["errors"] == []


async def test_a_line_already_refunded_is_refused(api: Api) -> None:
    sale = await paid_sale(api)
    first = await ask(api, sale.buyer, sale, [(0, 2)])
    await run(api, APPROVE, sale.owner, first["afterSale"]["id"])
    again = await ask(api, sale.buyer, sale, [(0, 1)], idempotencyKey="again")
    assert refusal(again) == ("INVALID_INPUT", ["input", "lines", "0", "lineIndex"])
    assert "refunded already" in again["errors"][0]["message"]
    assert (await order_doc(api, sale))["refunded"] == 3000


async def test_units_above_the_line_s_and_lines_the_order_has_not_are_refused(api: Api) -> None:
    sale = await paid_sale(api)
    cases: list[tuple[list[tuple[int, int]], list[str]]] = [
        ([(0, 3)], ["input", "lines", "0", "quantity"]),
        ([(0, 0)], ["input", "lines", "0", "quantity"]),
        ([(1, 1), (5, 1)], ["input", "lines", "1", "lineIndex"]),
        ([(0, 1), (0, 1)], ["input", "lines", "1", "lineIndex"]),
        ([], ["input", "lines"]),
    ]
    for i, (lines, field) in enumerate(cases):
        assert refusal(await ask(api, sale.buyer, sale, lines, idempotencyKey=f"bad{i}")) == ("INVALID_INPUT", field)
    unshipped_return = await ask(api, sale.buyer, sale, [(0, 1)], kind="RETURN_AND_REFUND")
    assert refusal(unshipped_return) == ("INVALID_INPUT", ["input", "lines", "0", "lineIndex"])
    photos = [f"https://img.example.com/{i}.jpg" for i in range(10)]
    assert refusal(await ask(api, sale.buyer, sale, [(0, 1)], photos=photos)) == ("INVALID_INPUT", ["input", "photos"])
    bad_photo = await ask(api, sale.buyer, sale, [(0, 1)], photos=["javascript:alert(1)"])
    assert refusal(bad_photo) == ("INVALID_INPUT", ["input", "photos", "0"])
    assert refusal(await ask(api, sale.buyer, sale, [(0, 1)], reason=" ")) == ("INVALID_INPUT", ["input", "reason"])
    assert refusal(await ask(api, sale.buyer, sale, [(0, 1)], idempotencyKey="")) == (
        "INVALID_INPUT",
        ["input", "idempotencyKey"],
    )
    assert await after_sales_of(api, sale) == []


async def test_another_s_order_and_an_unpaid_order_are_refused(api: Api) -> None:
    sale = await paid_sale(api)
    stranger, _ = await api.login("别人")
    assert refusal(await ask(api, stranger, sale, [(0, 1)])) == ("NOT_FOUND", ["input", "orderId"])
    assert refusal(await ask(api, sale.owner, sale, [(0, 1)])) == ("NOT_FOUND", ["input", "orderId"])
    anonymous = (await api.gql(REQUEST, {"in": request_input(sale, [(0, 1)])}))["data"]["requestAfterSale"]
    assert refusal(anonymous)[0] == "UNAUTHENTICATED"
    unpaid = (await place(api, sale.buyer, [line(sale.skus[0])], "unpaid"))["order"]
    payload = await ask(api, sale.buyer, Sale(sale.owner, sale.buyer, sale.shop_id, sale.skus, unpaid["id"]), [(0, 1)])
    assert refusal(payload) == ("INVALID_STATE", ["input", "orderId"])
    assert await after_sales_of(api, sale) == []


async def test_staff_outside_their_role_are_refused_and_nothing_moves(api: Api) -> None:
    # given a return request, a warehouse clerk and a customer-service agent of the shop, and another shop's owner
    sale = await paid_sale(api, shipped=True)
    clerk = await staff_member(api, sale, "仓管", "WAREHOUSE")
    service = await staff_member(api, sale, "客服专员", "CUSTOMER_SERVICE")
    other_owner, _ = await api.login("别的店主")
    asked = await ask(api, sale.buyer, sale, [(0, 1)], kind="RETURN_AND_REFUND")
    after_sale = asked["afterSale"]["id"]
    # then approving and rejecting are for customer service (and admins, and the owner), not the warehouse
    for token in (clerk, other_owner, sale.buyer):
        assert refusal(await run(api, APPROVE, token, after_sale)) == ("FORBIDDEN", ["input", "afterSaleId"])
        assert refusal(await run(api, REJECT, token, after_sale, r="不行")) == ("FORBIDDEN", ["input", "afterSaleId"])
    assert (await run(api, APPROVE, service, after_sale))["afterSale"]["status"] == "AWAITING_RETURN"
    await run(api, SHIP_RETURN, sale.buyer, after_sale, c="圆通", t="YT9876543210")
    # and confirming the goods came back is for the warehouse, not customer service
    assert refusal(await run(api, RECEIVED, service, after_sale)) == ("FORBIDDEN", ["input", "afterSaleId"])
    assert refusal(await run(api, RECEIVED, other_owner, after_sale)) == ("FORBIDDEN", ["input", "afterSaleId"])
    [doc] = await after_sales_of(api, sale)
    assert doc["status"] == "RETURN_SHIPPED" and not (await order_doc(api, sale)).get("refunded")
    assert (await run(api, RECEIVED, clerk, after_sale))["afterSale"]["status"] == "REFUNDED"
    # and an id that names no after-sale, or is not an after-sale id, is refused on the field
    assert refusal(await run(api, APPROVE, service, "QWZ0ZXJTYWxlOm5vcGU"))[1] == ["input", "afterSaleId"]
    assert refusal(await run(api, APPROVE, service, sale.order_id)) == ("INVALID_INPUT", ["input", "afterSaleId"])


async def test_a_return_shipped_before_approval_or_confirmed_before_it_shipped_is_refused(api: Api) -> None:
    sale = await paid_sale(api, shipped=True)
    asked = await ask(api, sale.buyer, sale, [(0, 1)], kind="RETURN_AND_REFUND")
    after_sale = asked["afterSale"]["id"]
    early = await run(api, SHIP_RETURN, sale.buyer, after_sale, c="顺丰", t="SF0001")
    assert refusal(early) == ("INVALID_STATE", ["input", "afterSaleId"])
    assert refusal(await run(api, RECEIVED, sale.owner, after_sale)) == ("INVALID_STATE", ["input", "afterSaleId"])
    await run(api, APPROVE, sale.owner, after_sale)
    assert refusal(await run(api, RECEIVED, sale.owner, after_sale)) == ("INVALID_STATE", ["input", "afterSaleId"])
    bad = await run(api, SHIP_RETURN, sale.buyer, after_sale, c="顺丰", t="no such number!")
    assert refusal(bad) == ("INVALID_INPUT", ["input", "trackingNumber"])
    stranger, _ = await api.login("冒充者")
    assert refusal(await run(api, SHIP_RETURN, stranger, after_sale, c="顺丰", t="SF0001"))[0] == "NOT_FOUND"
    assert refusal(await run(api, CANCEL, stranger, after_sale))[0] == "NOT_FOUND"
    [doc] = await after_sales_of(api, sale)
    assert doc["status"] == "AWAITING_RETURN" and "returnShipment" not in doc
    assert await stock(api, sale.skus[0]) == (8, 3)


async def test_the_same_units_asked_for_twice_at_once_are_given_to_exactly_one_request(api: Api) -> None:
    # given a paid order
    sale = await paid_sale(api)
    # when ten requests for both units of the first line race, each with its own key
    racing = await asyncio.gather(*(ask(api, sale.buyer, sale, [(0, 2)], idempotencyKey=f"k{i}") for i in range(10)))
    # then exactly one wins; the others are refused on the line
    winners = [r for r in racing if not r["errors"]]
    assert len(winners) == 1
    assert refusals([r for r in racing if r["errors"]]) == {("INVALID_INPUT", ("input", "lines", "0", "lineIndex"))}
    # and the order holds one request, and only the winner exists
    assert [e["id"] for e in (await order_doc(api, sale))["afterSales"]] == [
        from_global_id(winners[0]["afterSale"]["id"])[1]
    ]
    assert len(await after_sales_of(api, sale)) == 1


async def test_the_same_key_twice_at_once_makes_one_request(api: Api) -> None:
    sale = await paid_sale(api)
    racing = await asyncio.gather(*(ask(api, sale.buyer, sale, [(0, 1)], idempotencyKey="same") for _ in range(10)))
    assert all(r["errors"] == [] for r in racing)
    assert len({r["afterSale"]["id"] for r in racing}) == 1
    assert len(await after_sales_of(api, sale)) == 1 and len((await order_doc(api, sale))["afterSales"]) == 1


async def test_an_approval_twice_at_once_refunds_once(api: Api) -> None:
    # given a request for one unit of an unshipped order, and the owner and two agents
    sale = await paid_sale(api)
    agents = [await staff_member(api, sale, f"客服{i}", "CUSTOMER_SERVICE") for i in range(2)]
    asked = await ask(api, sale.buyer, sale, [(0, 1)])
    # when they all approve it at once, several times
    tokens = [sale.owner, *agents] * 4
    racing = await asyncio.gather(*(run(api, APPROVE, t, asked["afterSale"]["id"]) for t in tokens))
    # then exactly one approval wins; the others are told it moved on
    assert sum(1 for r in racing if not r["errors"]) == 1
    assert refusals([r for r in racing if r["errors"]]) == {("INVALID_STATE", ("input", "afterSaleId"))}
    # and the money moved once, the unit returned to stock once, the sale was uncounted once
    doc = await order_doc(api, sale)
    assert doc["refunded"] == 1500 and [e["state"] for e in doc["afterSales"]] == ["REFUNDED"]
    assert await stock(api, sale.skus[0]) == (9, 2)


async def test_an_approval_twice_at_once_asks_wechat_pay_once(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    buyer, order_id, _ = await paid_wechat_order(api_pay, wechat, fake)
    seller, _ = await api_pay.login("微信卖家")
    request = {
        "orderId": order_id,
        "kind": "REFUND_ONLY",
        "lines": [{"lineIndex": 0, "quantity": 1}],
        "reason": "坏了",
        "idempotencyKey": "k",
    }
    asked = (await api_pay.gql(REQUEST, {"in": request}, token=buyer))["data"]["requestAfterSale"]["afterSale"]
    racing = await asyncio.gather(*(run(api_pay, APPROVE, seller, asked["id"]) for _ in range(8)))
    assert sum(1 for r in racing if not r["errors"]) == 1
    assert fake.refund_requests == 1 and [r["amount"]["refund"] for r in fake.refunds.values()] == [2990]
    order = await api_pay.services.store.get("orders", from_global_id(order_id)[1]) or {}
    assert order["refunded"] == 2990

"""Orders through the API on the embedded default: placing (idempotent, all or nothing, exact under contention),
DEV_PAY, cancelling, the unpaid-order sweep, shipping, receipt, points, refunds, visibility, orderStatus."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import orjson

from domain.ids import from_global_id
from resolvers.orders import expire_unpaid
from tests.api.conftest import Api, make_product

PLACE = """mutation($lines: [OrderLineInput!]!, $k: String!, $c: ID) {
  placeOrder(input: {lines: $lines, idempotencyKey: $k, couponId: $c}) {
    order { id number status subtotal { amount } discount { amount } total { amount } payBy
            lines { quantity unitPrice { amount } sku { id } product { title } } buyer { nickname } shop { id } }
    errors { code field message } } }"""
PAY = """mutation($id: ID!, $k: String!, $m: PaymentMethod!) {
  payOrder(input: {orderId: $id, method: $m, idempotencyKey: $k}) {
  order { status paidAt } payment { method clientParams } errors { code field } } }"""
SIMPLE = "order { status } errors { code field }"
CANCEL = f"mutation($id: ID!) {{ cancelOrder(input: {{orderId: $id}}) {{ {SIMPLE} }} }}"
SHIP = f"mutation($id: ID!) {{ shipOrder(input: {{orderId: $id}}) {{ {SIMPLE} }} }}"
CONFIRM = f"mutation($id: ID!) {{ confirmReceipt(input: {{orderId: $id}}) {{ {SIMPLE} }} }}"
REFUND = f"""mutation($id: ID!, $k: String!, $r: String!) {{
  refundOrder(input: {{orderId: $id, reason: $r, idempotencyKey: $k}}) {{ {SIMPLE} }} }}"""
STOCK = "query($id: ID!) { node(id: $id) { ... on Sku { stock product { salesCount } } } }"


def line(sku_id: str, quantity: int = 1) -> dict[str, Any]:
    return {"skuId": sku_id, "quantity": quantity}


async def place(api: Api, token: str, lines: list[dict[str, Any]], key: str, coupon: str | None = None) -> Any:
    return (await api.gql(PLACE, {"lines": lines, "k": key, "c": coupon}, token=token))["data"]["placeOrder"]


async def pay(api: Api, token: str, order_id: str, key: str = "pay-1", method: str = "DEV_PAY") -> Any:
    return (await api.gql(PAY, {"id": order_id, "k": key, "m": method}, token=token))["data"]["payOrder"]


async def stock(api: Api, sku_id: str) -> tuple[int, int]:
    node = (await api.gql(STOCK, {"id": sku_id}))["data"]["node"]
    return node["stock"], node["product"]["salesCount"]


async def act(api: Api, mutation: str, token: str, order_id: str, **more: str) -> Any:
    body = await api.gql(mutation, {"id": order_id, **more}, token=token)
    return next(iter(body["data"].values()))


async def test_an_order_reserves_stock_and_shows_its_totals(api: Api) -> None:
    seller, _ = await api.login("卖家")
    buyer, _ = await api.login("买家")
    shop_id, _, (a, b) = await make_product(api, seller, title="双色杯", prices=(1500, 2500), stock=10)
    payload = await place(api, buyer, [line(a, 2), line(b, 1)], "k1")
    order = payload["order"]
    assert payload["errors"] == []
    assert order["status"] == "PENDING_PAYMENT" and order["buyer"] == {"nickname": "买家"}
    assert (order["subtotal"], order["discount"], order["total"]) == ({"amount": 5500}, {"amount": 0}, {"amount": 5500})
    assert [(ln["quantity"], ln["unitPrice"]["amount"], ln["sku"]["id"]) for ln in order["lines"]] == [
        (2, 1500, a),
        (1, 2500, b),
    ]
    assert order["shop"]["id"] == shop_id
    assert re.fullmatch(r"\d{22}", order["number"])
    pay_by = datetime.fromisoformat(order["payBy"])
    assert 14 * 60 < (pay_by - datetime.now(UTC)).total_seconds() <= 15 * 60
    assert await stock(api, a) == (8, 0) and await stock(api, b) == (9, 0)


async def test_replaying_a_key_returns_the_first_order_even_when_concurrent(api: Api) -> None:
    seller, _ = await api.login("重放卖家")
    buyer, _ = await api.login("重放买家")
    other, _ = await api.login("另一个买家")
    _, _, (sku_id,) = await make_product(api, seller, stock=100)
    first = await place(api, buyer, [line(sku_id)], "same-key")
    again = await place(api, buyer, [line(sku_id, 5)], "same-key")
    assert again["order"]["id"] == first["order"]["id"] and again["order"]["lines"][0]["quantity"] == 1
    racing = await asyncio.gather(*(place(api, buyer, [line(sku_id, 2)], "race-key") for _ in range(12)))
    assert {r["order"]["id"] for r in racing} == {racing[0]["order"]["id"]}
    assert all(r["errors"] == [] for r in racing)
    # the key is per buyer: another buyer's same key is another order
    theirs = await place(api, other, [line(sku_id)], "same-key")
    assert theirs["order"]["id"] != first["order"]["id"]
    assert (await stock(api, sku_id))[0] == 100 - 1 - 2 - 1


async def test_bad_lines_are_refused_with_their_path_and_take_no_stock(api: Api) -> None:
    seller, _ = await api.login("坏单卖家")
    buyer, _ = await api.login("坏单买家")
    _, _, (sku_id,) = await make_product(api, seller, stock=5)
    _, _, (elsewhere,) = await make_product(api, seller, title="别家", stock=5)
    cases: list[tuple[list[dict[str, Any]], str, list[str]]] = [
        ([], "INVALID_INPUT", ["input", "lines"]),
        ([line(sku_id, 0)], "INVALID_INPUT", ["input", "lines", "0", "quantity"]),
        ([line(sku_id, -3)], "INVALID_INPUT", ["input", "lines", "0", "quantity"]),
        ([line(sku_id, 1000)], "INVALID_INPUT", ["input", "lines", "0", "quantity"]),
        ([line(sku_id), line(sku_id)], "INVALID_INPUT", ["input", "lines", "1", "skuId"]),
        ([line(sku_id), line(elsewhere)], "INVALID_INPUT", ["input", "lines", "1", "skuId"]),
        ([line(sku_id), line("U2t1Om5vcGU")], "NOT_FOUND", ["input", "lines", "1", "skuId"]),
        ([line(sku_id), line("garbage")], "INVALID_INPUT", ["input", "lines", "1", "skuId"]),
        ([line(sku_id)] * 51, "INVALID_INPUT", ["input", "lines"]),
    ]
    for i, (lines, code, field) in enumerate(cases):
        payload = await place(api, buyer, lines, f"bad-{i}")
        assert payload["order"] is None and (payload["errors"][0]["code"], payload["errors"][0]["field"]) == (
            code,
            field,
        ), (i, payload)
    assert await stock(api, sku_id) == (5, 0) and await stock(api, elsewhere) == (5, 0)
    blank = await place(api, buyer, [line(sku_id)], "")
    assert blank["errors"][0]["field"] == ["input", "idempotencyKey"]
    anonymous = await api.gql(PLACE, {"lines": [line(sku_id)], "k": "anon"})
    assert anonymous["data"]["placeOrder"]["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_a_line_out_of_stock_returns_the_earlier_lines(api: Api) -> None:
    seller, _ = await api.login("缺货卖家")
    buyer, _ = await api.login("缺货买家")
    _, _, (plenty, scarce) = await make_product(api, seller, prices=(100, 200), stock=3)
    payload = await place(api, buyer, [line(plenty, 2), line(scarce, 4)], "short")
    assert payload["errors"] == [
        {
            "code": "OUT_OF_STOCK",
            "field": ["input", "lines", "1", "quantity"],
            "message": payload["errors"][0]["message"],
        }
    ]
    assert await stock(api, plenty) == (3, 0) and await stock(api, scarce) == (3, 0)
    # the failed attempt did not spend the key
    assert (await place(api, buyer, [line(plenty, 2), line(scarce, 3)], "short"))["errors"] == []
    assert await stock(api, plenty) == (1, 0) and await stock(api, scarce) == (0, 0)
    mine = await api.gql("{ myOrders { edges { node { status } } } }", token=buyer)
    assert [e["node"]["status"] for e in mine["data"]["myOrders"]["edges"]] == ["PENDING_PAYMENT"]


async def test_many_buyers_racing_for_few_units_get_exactly_that_many_orders(api: Api) -> None:
    seller, _ = await api.login("抢购卖家")
    _, _, (sku_id,) = await make_product(api, seller, stock=10)
    buyers = [(await api.login(f"抢购{i}"))[0] for i in range(40)]
    results = await asyncio.gather(*(place(api, t, [line(sku_id)], "flash") for t in buyers))
    winners = [r for r in results if r["errors"] == []]
    losers = [r for r in results if r["errors"]]
    assert len(winners) == 10 and {r["errors"][0]["code"] for r in losers} == {"OUT_OF_STOCK"}
    assert await stock(api, sku_id) == (0, 0)


async def test_dev_pay_pays_once_and_payment_rules_hold(api: Api) -> None:
    seller, _ = await api.login("收款卖家")
    buyer, _ = await api.login("付款买家")
    stranger, _ = await api.login("别人")
    _, _, (sku_id,) = await make_product(api, seller, stock=5)
    order_id = (await place(api, buyer, [line(sku_id, 2)], "o"))["order"]["id"]
    assert (await pay(api, stranger, order_id))["errors"] == [{"code": "NOT_FOUND", "field": ["input", "orderId"]}]
    first = await pay(api, buyer, order_id, "pay-a")
    assert first["errors"] == [] and first["order"]["status"] == "PAID" and first["order"]["paidAt"]
    assert first["payment"] == {"method": "DEV_PAY", "clientParams": "{}"}
    assert (await pay(api, buyer, order_id, "pay-a"))["payment"] == first["payment"]  # replay
    assert (await pay(api, buyer, order_id, "pay-b"))["errors"] == [
        {"code": "INVALID_STATE", "field": ["input", "orderId"]}
    ]
    assert await stock(api, sku_id) == (3, 2)
    racing_id = (await place(api, buyer, [line(sku_id)], "o2"))["order"]["id"]
    results = await asyncio.gather(*(pay(api, buyer, racing_id, f"k{i}") for i in range(8)))
    assert sum(1 for r in results if r["errors"] == []) == 1
    assert await stock(api, sku_id) == (2, 3)


async def test_dev_pay_is_refused_outside_dev_mode(api_prod: Api) -> None:
    from resolvers.users import new_user

    services = api_prod.services
    seller, buyer = new_user("卖"), new_user("买")
    await services.store.insert_many("users", [seller, buyer])
    s_token, b_token = api_prod.token_for(seller["_id"]), api_prod.token_for(buyer["_id"])
    _, _, (sku_id,) = await make_product(api_prod, s_token, stock=5)
    order_id = (await place(api_prod, b_token, [line(sku_id)], "o"))["order"]["id"]
    assert (await pay(api_prod, b_token, order_id))["errors"] == [{"code": "FORBIDDEN", "field": ["input", "method"]}]
    assert (await pay(api_prod, b_token, order_id, method="WECHAT_PAY"))["errors"][0]["code"] == "PAYMENT_FAILED"


async def test_cancel_returns_stock_and_only_unpaid_orders_cancel(api: Api) -> None:
    seller, _ = await api.login("取消卖家")
    buyer, _ = await api.login("取消买家")
    _, _, (sku_id,) = await make_product(api, seller, stock=5)
    order_id = (await place(api, buyer, [line(sku_id, 3)], "c1"))["order"]["id"]
    assert await act(api, CANCEL, seller, order_id) == {
        "order": None,
        "errors": [{"code": "NOT_FOUND", "field": ["input", "orderId"]}],
    }
    results = await asyncio.gather(*(act(api, CANCEL, buyer, order_id) for _ in range(5)))
    assert sum(1 for r in results if r["errors"] == []) == 1
    assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"INVALID_STATE"}
    assert await stock(api, sku_id) == (5, 0)
    assert (await pay(api, buyer, order_id))["errors"][0]["code"] == "INVALID_STATE"
    paid_id = (await place(api, buyer, [line(sku_id)], "c2"))["order"]["id"]
    await pay(api, buyer, paid_id)
    assert (await act(api, CANCEL, buyer, paid_id))["errors"][0]["code"] == "INVALID_STATE"


async def test_unpaid_orders_are_cancelled_after_pay_by_and_their_stock_returns(api: Api) -> None:
    seller, _ = await api.login("超时卖家")
    buyer, _ = await api.login("超时买家")
    _, _, (sku_id,) = await make_product(api, seller, stock=5)
    services = api.services
    services.settings.ORDER_PAY_MINUTES = 0.002  # 120 ms
    late = (await place(api, buyer, [line(sku_id, 2)], "late"))["order"]["id"]
    services.settings.ORDER_PAY_MINUTES = 15
    on_time = (await place(api, buyer, [line(sku_id, 1)], "on-time"))["order"]["id"]
    await asyncio.sleep(0.2)
    assert (await pay(api, buyer, late))["errors"][0]["code"] == "INVALID_STATE"  # past payBy
    assert await expire_unpaid(services) == 1
    assert await expire_unpaid(services) == 0
    q = "query($id: ID!) { order(id: $id) { status payBy } }"
    assert (await api.gql(q, {"id": late}, token=buyer))["data"]["order"] == {"status": "CANCELLED", "payBy": None}
    assert (await api.gql(q, {"id": on_time}, token=buyer))["data"]["order"]["status"] == "PENDING_PAYMENT"
    assert await stock(api, sku_id) == (4, 0)


async def test_ship_confirm_and_points(api: Api) -> None:
    seller, _ = await api.login("发货卖家")
    buyer, _ = await api.login("收货买家")
    _, _, (sku_id,) = await make_product(api, seller, prices=(12_345,), stock=50)
    order_id = (await place(api, buyer, [line(sku_id, 9)], "s1"))["order"]["id"]
    assert (await act(api, SHIP, seller, order_id))["errors"][0]["code"] == "INVALID_STATE"  # unpaid
    await pay(api, buyer, order_id)
    assert (await act(api, CONFIRM, buyer, order_id))["errors"][0]["code"] == "INVALID_STATE"  # not shipped
    assert (await act(api, SHIP, buyer, order_id))["errors"][0]["code"] == "FORBIDDEN"
    assert (await act(api, SHIP, seller, order_id))["order"]["status"] == "SHIPPED"
    assert (await act(api, CONFIRM, seller, order_id))["errors"][0]["code"] == "NOT_FOUND"
    results = await asyncio.gather(*(act(api, CONFIRM, buyer, order_id) for _ in range(4)))
    assert sum(1 for r in results if r["errors"] == []) == 1
    me = (await api.gql("{ me { points level } }", token=buyer))["data"]["me"]
    assert me == {"points": 1111, "level": 3}  # 9 x 123.45 yuan = 1111.05 yuan
    refund = await act(api, REFUND, buyer, order_id, k="r", r="不想要了")
    assert refund["errors"][0]["code"] == "INVALID_STATE"


async def test_refunds_return_unshipped_stock_and_undo_sales(api: Api) -> None:
    seller, _ = await api.login("退款卖家")
    buyer, _ = await api.login("退款买家")
    _, _, (sku_id,) = await make_product(api, seller, stock=10)
    unshipped = (await place(api, buyer, [line(sku_id, 2)], "r1"))["order"]["id"]
    shipped = (await place(api, buyer, [line(sku_id, 3)], "r2"))["order"]["id"]
    assert (await act(api, REFUND, buyer, unshipped, k="x", r="不要"))["errors"][0]["code"] == "INVALID_STATE"  # unpaid
    await pay(api, buyer, unshipped)
    await pay(api, buyer, shipped)
    await act(api, SHIP, seller, shipped)
    assert await stock(api, sku_id) == (5, 5)
    assert (await act(api, REFUND, buyer, unshipped, k="rk", r=""))["errors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "reason"]}
    ]
    results = await asyncio.gather(*(act(api, REFUND, buyer, unshipped, k="rk", r="不要了") for _ in range(4)))
    # replays get the order as it is (one may still see the first call's REFUNDING); the refund happens once
    assert all(r["errors"] == [] and r["order"]["status"] in ("REFUNDING", "REFUNDED") for r in results)
    q = "query($id: ID!) { order(id: $id) { status } }"
    assert (await api.gql(q, {"id": unshipped}, token=buyer))["data"]["order"]["status"] == "REFUNDED"
    assert await stock(api, sku_id) == (7, 3)
    assert (await act(api, REFUND, buyer, unshipped, k="another", r="再退"))["errors"][0]["code"] == "INVALID_STATE"
    # once shipped, the buyer alone gets no refund (issue 14: after-sales, with the merchant's approval)
    assert (await act(api, REFUND, buyer, shipped, k="rk2", r="坏了"))["errors"][0]["code"] == "INVALID_STATE"
    assert await stock(api, sku_id) == (7, 3)


async def test_an_order_is_seen_by_its_buyer_and_its_shop_owner_only(api: Api) -> None:
    seller, _ = await api.login("看单卖家")
    buyer, _ = await api.login("看单买家")
    stranger, _ = await api.login("看单路人")
    _, _, (sku_id,) = await make_product(api, seller, stock=5)
    order_id = (await place(api, buyer, [line(sku_id)], "v"))["order"]["id"]
    q = "query($id: ID!) { order(id: $id) { id } node(id: $id) { id } }"
    for token in (buyer, seller):
        assert (await api.gql(q, {"id": order_id}, token=token))["data"] == {
            "order": {"id": order_id},
            "node": {"id": order_id},
        }
    for token in (stranger, None):
        assert (await api.gql(q, {"id": order_id}, token=token))["data"] == {"order": None, "node": None}
    await pay(api, buyer, order_id)
    mine = "query($s: OrderStatus) { myOrders(status: $s) { edges { node { id } } } }"
    assert len((await api.gql(mine, {"s": "PAID"}, token=buyer))["data"]["myOrders"]["edges"]) == 1
    assert (await api.gql(mine, {"s": "CANCELLED"}, token=buyer))["data"]["myOrders"]["edges"] == []
    assert (await api.gql(mine, {}, token=stranger))["data"]["myOrders"]["edges"] == []


async def test_friends_who_bought_honours_privacy(api: Api) -> None:
    seller, _ = await api.login("社交卖家")
    me, me_user = await api.login("我")
    friend, friend_user = await api.login("好友")
    shy, shy_user = await api.login("低调好友")
    stranger, _ = await api.login("陌生人")
    follow = "mutation($id: ID!) { follow(input: {userId: $id}) { errors { code } } }"
    for token, target in ((me, friend_user), (friend, me_user), (me, shy_user), (shy, me_user)):
        await api.gql(follow, {"id": target["id"]}, token=token)
    _, product_id, (sku_id,) = await make_product(api, seller, stock=10)
    for token in (friend, shy, stranger):
        order_id = (await place(api, token, [line(sku_id)], "fwb"))["order"]["id"]
        await pay(api, token, order_id)
    await api.gql("mutation { updatePrivacy(input: {showInSocialProof: false}) { errors { code } } }", token=shy)
    await api.services.projector.drain()
    q = "query($id: ID!) { product(id: $id) { salesCount friendsWhoBought { nickname } } }"
    assert (await api.gql(q, {"id": product_id}, token=me))["data"]["product"] == {
        "salesCount": 3,
        "friendsWhoBought": [{"nickname": "好友"}],
    }
    assert (await api.gql(q, {"id": product_id}))["data"]["product"]["friendsWhoBought"] == []
    graph = api.services.backends.graph
    assert await graph.neighbors("BOUGHT", from_global_id(friend_user["id"])[1]) == [from_global_id(product_id)[1]]


async def test_order_status_is_pushed_over_websocket(api: Api) -> None:
    seller, _ = await api.login("推送卖家")
    buyer, _ = await api.login("推送买家")
    _, _, (sku_id,) = await make_product(api, seller, stock=5)
    order_id = (await place(api, buyer, [line(sku_id)], "ws"))["order"]["id"]
    sub = "subscription($id: ID!) { orderStatus(orderId: $id) { status } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {buyer}"}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"id": order_id}}})
        assert (await ws.receive_json(timeout=5))["payload"]["data"]["orderStatus"]["status"] == "PENDING_PAYMENT"
        await pay(api, buyer, order_id)
        assert (await ws.receive_json(timeout=5))["payload"]["data"]["orderStatus"]["status"] == "PAID"
        await act(api, SHIP, seller, order_id)
        await act(api, CONFIRM, buyer, order_id)
        statuses = [(await ws.receive_json(timeout=5)) for _ in range(2)]
        assert [m["payload"]["data"]["orderStatus"]["status"] for m in statuses] == ["SHIPPED", "COMPLETED"]
        # COMPLETED is not final (after-sales may still refund it all): the stream goes on until the client stops it
        # (tests/api/test_after_sales.py follows one to REFUNDED)
        await ws.send_json({"id": "1", "type": "complete"})
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {}})
        await ws.receive_json(timeout=5)
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"id": order_id}}})
        refused = await ws.receive_json(timeout=5)
        assert orjson.dumps(refused).decode().count("NOT_FOUND") == 1


async def test_a_refund_reason_follows_the_text_rules(api: Api) -> None:
    # given a paid order
    seller, _ = await api.login("理由卖家")
    buyer, _ = await api.login("理由买家")
    _, _, (sku_id,) = await make_product(api, seller, stock=10)
    order_id = (await place(api, buyer, [line(sku_id, 1)], "why"))["order"]["id"]
    await pay(api, buyer, order_id)
    # when its refund reason carries an RTL override, or nothing visible
    for reason in ("\u202e退款", "\u200b\u200b"):
        refused = await act(api, REFUND, buyer, order_id, k=f"r-{len(reason)}", r=reason)
        # then it is refused on the reason, as every other user text is
        assert refused["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "reason"]}], reason
    # and a clean reason is stored clean
    assert (await act(api, REFUND, buyer, order_id, k="ok", r="  不想要了 \u3000"))["errors"] == []
    doc = await api.services.store.get("orders", from_global_id(order_id)[1])
    assert doc is not None and doc["refundReason"] == "不想要了"

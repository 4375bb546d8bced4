"""The merchant's order desk through the API: Shop.orders (status, placing time, pages), its query (order number or
its start, buyer nickname, phone tail), Shop.orderCounts after every kind of move, the shopOrderEvents
subscription over the WebSocket, and the CSV export from a signed, expiring URL."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.ids import from_global_id
from domain.orders import CHINA
from resolvers import order_export
from resolvers.order_desk import publish_shop_event
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_orders import CANCEL, CONFIRM, REFUND, SHIP, act, line, pay, place
from tests.api.test_shop_staff import REMOVE, hire

DESK = """query($s: ID!, $status: OrderStatus, $q: String, $from: DateTime, $to: DateTime, $first: Int,
  $after: String) {
  shop(id: $s) { orders(status: $status, query: $q, placedFrom: $from, placedTo: $to, first: $first, after: $after) {
    edges { node { id number status buyer { nickname } } } pageInfo { hasNextPage endCursor } } } }"""
COUNTS = "query($s: ID!) { shop(id: $s) { orderCounts { status count } } }"
EXPORT = """mutation($s: ID!, $from: DateTime!, $to: DateTime!) { exportShopOrders(input: {shopId: $s, from: $from,
  to: $to}) { url expiresAt errors { code field message } } }"""


async def desk(api: Api, token: str, shop_id: str, **args: Any) -> dict[str, Any]:
    body = await api.gql(DESK, {"s": shop_id, **args}, token=token)
    orders: dict[str, Any] = body["data"]["shop"]["orders"]
    return orders


def numbers(orders: dict[str, Any]) -> list[str]:
    return [e["node"]["number"] for e in orders["edges"]]


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def test_staff_list_the_shops_orders_newest_first_by_status_time_and_page(api: Api) -> None:
    # given five orders placed a minute apart, three of them paid
    clock = use_clock(api)
    owner, _ = await api.login("列表店主")
    shop_id, _, (sku_id,) = await make_product(api, owner, stock=20)
    clerk, _ = await hire(api, owner, shop_id, "列表仓管", "WAREHOUSE")
    buyer, _ = await api.login("列表买家")
    placed = []
    for i in range(5):
        order = (await place(api, buyer, [line(sku_id)], f"k{i}"))["order"]
        if i % 2 == 0:
            await pay(api, buyer, order["id"], key=f"p{i}")
        placed.append((order["number"], clock.ms))
        clock.advance(minutes=1)
    newest_first = [n for n, _ in reversed(placed)]
    # then every role sees them all, newest first, and by status
    assert numbers(await desk(api, clerk, shop_id)) == newest_first
    assert numbers(await desk(api, clerk, shop_id, status="PAID")) == [placed[4][0], placed[2][0], placed[0][0]]
    assert numbers(await desk(api, clerk, shop_id, status="PENDING_PAYMENT")) == [placed[3][0], placed[1][0]]
    assert numbers(await desk(api, clerk, shop_id, status="SHIPPED")) == []
    # placed in [from, to)
    window = await desk(api, owner, shop_id, **{"from": iso(placed[1][1]), "to": iso(placed[3][1])})
    assert numbers(window) == [placed[2][0], placed[1][0]]
    paid_since = await desk(api, owner, shop_id, status="PAID", **{"from": iso(placed[1][1])})
    assert numbers(paid_since) == [placed[4][0], placed[2][0]]
    # pages of two follow each other without a gap or a repeat
    seen: list[str] = []
    after = None
    while True:
        page = await desk(api, clerk, shop_id, first=2, after=after)
        seen += numbers(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == newest_first


async def test_a_query_finds_orders_by_number_nickname_or_phone_tail(api: Api) -> None:
    """phoneTail is set on the order documents with the store directly until checkout writes it (the lead can
    switch these orders to checkout's)."""
    # given orders of three buyers, one of them nicknamed with four digits
    owner, _ = await api.login("搜索店主")
    shop_id, _, (sku_id,) = await make_product(api, owner, stock=20)
    other_owner, _ = await api.login("搜索别家")
    _, _, (other_sku,) = await make_product(api, other_owner, title="别家的", stock=5)
    clerk, _ = await hire(api, owner, shop_id, "搜索客服", "CUSTOMER_SERVICE")
    jia, _ = await api.login("买家甲")
    digits, _ = await api.login("5678")
    alice, _ = await api.login("Alice")
    jia_orders = [(await place(api, jia, [line(sku_id)], f"j{i}"))["order"] for i in range(3)]
    await pay(api, jia, jia_orders[0]["id"])
    digits_order = (await place(api, digits, [line(sku_id)], "d"))["order"]
    alice_order = (await place(api, alice, [line(sku_id)], "a"))["order"]
    await place(api, alice, [line(other_sku)], "elsewhere")
    store = api.services.store
    await store.update_one("orders", {"_id": raw(jia_orders[1]["id"])}, {"$set": {"phoneTail": "5678"}})
    await store.update_one("orders", {"_id": raw(jia_orders[2]["id"])}, {"$set": {"phoneTail": "1234"}})

    def by_number(*orders: dict[str, Any]) -> list[str]:
        return sorted((o["number"] for o in orders), reverse=True)

    # then a nickname finds its buyer's orders in this shop only (exactly, by its look: case does not count)
    assert numbers(await desk(api, clerk, shop_id, q="买家甲")) == by_number(*jia_orders)
    assert numbers(await desk(api, clerk, shop_id, q="alice")) == [alice_order["number"]]
    assert numbers(await desk(api, clerk, shop_id, q="买家")) == []
    # four digits are a phone tail and a nickname at once
    assert numbers(await desk(api, clerk, shop_id, q="5678")) == by_number(jia_orders[1], digits_order)
    assert numbers(await desk(api, clerk, shop_id, q=" 1234 ")) == [jia_orders[2]["number"]]
    # an order number, whole or its start
    target = alice_order["number"]
    assert numbers(await desk(api, clerk, shop_id, q=target)) == [target]
    start = await desk(api, clerk, shop_id, q=target[:17])
    assert target in numbers(start) and all(n.startswith(target[:17]) for n in numbers(start))
    day = numbers(await desk(api, clerk, shop_id, q=target[:8]))  # the day it was placed (China time)
    assert set(day) >= {o["number"] for o in (*jia_orders, digits_order, alice_order) if o["number"][:8] == target[:8]}
    # with a status too
    assert numbers(await desk(api, clerk, shop_id, q="买家甲", status="PAID")) == [jia_orders[0]["number"]]
    # the union pages like any list
    first = await desk(api, clerk, shop_id, q="5678", first=1)
    second = await desk(api, clerk, shop_id, q="5678", first=1, after=first["pageInfo"]["endCursor"])
    assert first["pageInfo"]["hasNextPage"] and not second["pageInfo"]["hasNextPage"]
    assert numbers(first) + numbers(second) == by_number(jia_orders[1], digits_order)


async def test_order_counts_follow_every_move(api: Api) -> None:
    # given orders in every reachable status
    owner, _ = await api.login("计数店主")
    shop_id, _, (sku_id,) = await make_product(api, owner, stock=20)
    clerk, _ = await hire(api, owner, shop_id, "计数客服", "CUSTOMER_SERVICE")
    buyer, _ = await api.login("计数买家")
    ids = [(await place(api, buyer, [line(sku_id)], f"c{i}"))["order"]["id"] for i in range(5)]
    for i in range(4):
        await pay(api, buyer, ids[i], key=f"p{i}")
    await act(api, SHIP, owner, ids[0])
    await act(api, SHIP, owner, ids[1])
    await act(api, CONFIRM, buyer, ids[1])
    await act(api, REFUND, buyer, ids[2], k="r", r="不要了")
    await act(api, CANCEL, buyer, ids[4])
    expected = {
        "PENDING_PAYMENT": 0,
        "PAID": 1,
        "PARTLY_SHIPPED": 0,
        "SHIPPED": 1,
        "COMPLETED": 1,
        "CANCELLED": 1,
        "REFUNDING": 0,
        "REFUNDED": 1,
    }

    async def counts(token: str) -> dict[str, int]:
        rows = (await api.gql(COUNTS, {"s": shop_id}, token=token))["data"]["shop"]["orderCounts"]
        return {r["status"]: r["count"] for r in rows}

    # then the counts say so, for any role, and agree with counting the orders themselves
    assert await counts(clerk) == expected
    store = api.services.store
    for status, n in expected.items():
        assert await store.count("orders", {"shopId": raw(shop_id), "status": status}) == n
    kept = await store.get("shop_order_counts", raw(shop_id))
    assert kept is not None and kept["exact"] and {s: kept.get(s, 0) for s in expected} == expected
    # and a shop whose counts were never kept (orders from before them) is counted once, then kept
    await store.delete("shop_order_counts", raw(shop_id))
    assert await counts(owner) == expected
    assert (await store.get("shop_order_counts", raw(shop_id)) or {}).get("exact") is True


async def test_the_desk_refuses_bad_arguments_and_outsiders(api: Api) -> None:
    owner, _ = await api.login("坏参店主")
    shop_id, _, _ = await make_product(api, owner)
    stranger, _ = await api.login("坏参路人")
    now = datetime.now(UTC)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"q": "x" * 41}, ["query"]),
        ({"from": now.isoformat(), "to": (now - timedelta(seconds=1)).isoformat()}, ["placedTo"]),
        ({"first": 101}, ["first"]),
        ({"after": "garbage"}, ["after"]),
    ]
    for args, field in cases:
        body = await api.gql(DESK, {"s": shop_id, **args}, token=owner, expect_errors=True)
        assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}, args
    for token, code in ((stranger, "FORBIDDEN"), (None, "UNAUTHENTICATED")):
        for query in (DESK, COUNTS):
            body = await api.gql(query, {"s": shop_id}, token=token, expect_errors=True)
            assert body["data"]["shop"] is not None and body["errors"][0]["extensions"]["code"] == code


async def test_staff_hear_paid_orders_and_after_sales_over_websocket(api: Api) -> None:
    # given a shop, its customer service, another shop, and unpaid orders in both
    owner, _ = await api.login("推送店主")
    shop_id, _, (sku_id,) = await make_product(api, owner, stock=5)
    other_owner, _ = await api.login("推送别家")
    _, _, (other_sku,) = await make_product(api, other_owner, title="别家推送", stock=5)
    clerk, clerk_user = await hire(api, owner, shop_id, "推送客服", "CUSTOMER_SERVICE")
    stranger, _ = await api.login("推送路人")
    buyer, _ = await api.login("推送买家")
    order = (await place(api, buyer, [line(sku_id)], "w1"))["order"]
    elsewhere = (await place(api, buyer, [line(other_sku)], "w2"))["order"]
    sub = """subscription($s: ID!) { shopOrderEvents(shopId: $s) { kind afterSaleId order { number status } } }"""

    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {clerk}"}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"s": shop_id}}})
        await wait_subscribed(api, shop_id)
        # when orders of both shops are paid, then only this shop's is heard
        await pay(api, buyer, elsewhere["id"], key="pe")
        await pay(api, buyer, order["id"])
        heard = await ws.receive_json(timeout=5)
        assert heard["payload"]["data"]["shopOrderEvents"] == {
            "kind": "ORDER_PAID",
            "afterSaleId": None,
            "order": {"number": order["number"], "status": "PAID"},
        }
        # the after-sales part tells the desk through publish_shop_event
        await publish_shop_event(
            api.services, raw(shop_id), "AFTER_SALE_REQUESTED", order_id=raw(order["id"]), after_sale_id="as1"
        )
        event = (await ws.receive_json(timeout=5))["payload"]["data"]["shopOrderEvents"]
        assert event["kind"] == "AFTER_SALE_REQUESTED" and from_global_id(event["afterSaleId"]) == ("AfterSale", "as1")
        # once removed from the staff, the next event ends the subscription instead of reaching them
        await api.gql(REMOVE, {"s": shop_id, "u": clerk_user["id"]}, token=owner)
        await publish_shop_event(api.services, raw(shop_id), "AFTER_SALE_TIMED_OUT", order_id=raw(order["id"]))
        assert await ws.receive_json(timeout=5) == {"id": "1", "type": "complete"}

    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {stranger}"}})
        await ws.receive_json(timeout=5)
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"s": shop_id}}})
        refused = await ws.receive_json(timeout=5)
        assert refused["payload"]["data"] is None
        assert refused["payload"]["errors"][0]["extensions"] == {"code": "FORBIDDEN", "field": ["shopId"]}


async def wait_subscribed(api: Api, shop_id: str) -> None:
    """Until the subscription listens on the bus (publishing before that would be lost, as for any late joiner)."""
    bus = api.services.backends.bus
    for _ in range(200):
        if bus.fanout.count(f"shop:{raw(shop_id)}"):  # type: ignore[attr-defined]  # the embedded MemoryBus
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the subscription never listened")


ADDRESS = {
    "recipient": "-张三",
    "phone": "13812345678",
    "provinceCode": "330000",
    "provinceName": "浙江省",
    "cityCode": "330100",
    "cityName": "杭州市",
    "districtCode": "330106",
    "districtName": "西湖区",
    "detail": "文三路 1 号",
    "postcode": None,
}


async def export(api: Api, token: str, shop_id: str, start: int, end: int) -> dict[str, Any]:
    body = await api.gql(EXPORT, {"s": shop_id, "from": iso(start), "to": iso(end)}, token=token)
    payload: dict[str, Any] = body["data"]["exportShopOrders"]
    return payload


async def test_an_export_streams_the_ranges_orders_as_a_csv_excel_opens(api: Api) -> None:
    """The shipping address snapshot, phoneTail and shippingFee are set on the order documents with the store
    directly until checkout writes them (the lead can switch these orders to checkout's)."""
    # given an order before the range, and two in it (one of a product whose title a spreadsheet would run)
    clock = use_clock(api)
    owner, _ = await api.login("导出店主")
    shop_id, _, (cup,) = await make_product(api, owner, title='=HYPERLINK("http://x")', prices=(1999,), stock=20)
    _, _, (tea,) = await make_product(api, owner, title="龙井", prices=(5000,), stock=20, shop_id=shop_id)
    warehouse, _ = await hire(api, owner, shop_id, "导出仓管", "WAREHOUSE")
    buyer, _ = await api.login("@导出买家")
    await place(api, buyer, [line(tea)], "old")
    clock.advance(days=10)
    start = clock.ms
    first = (await place(api, buyer, [line(cup, 2), line(tea)], "e1"))["order"]
    await pay(api, buyer, first["id"])
    clock.advance(minutes=5)
    second = (await place(api, buyer, [line(tea)], "e2"))["order"]
    store = api.services.store
    await store.update_one(
        "orders",
        {"_id": raw(first["id"])},
        {"$set": {"shippingAddress": ADDRESS, "phoneTail": "5678", "shippingFee": 800}, "$inc": {"total": 800}},
    )
    # when staff export the range and fetch the URL
    made = await export(api, warehouse, shop_id, start, clock.ms + 1)
    assert made["errors"] == [] and made["url"].startswith("/exports/orders.csv?token=")
    expires = datetime.fromtimestamp(clock.ms / 1000, UTC) + timedelta(minutes=10)
    assert datetime.fromisoformat(made["expiresAt"]) == expires
    resp = await api.client.get(made["url"])
    body = await resp.read()
    # then it is a UTF-8 CSV with a BOM, one row per order of the range, oldest first
    assert resp.status == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="orders-')
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "订单号",
        "下单时间",
        "状态",
        "买家昵称",
        "收货人",
        "手机号",
        "收货地区",
        "商品",
        "件数",
        "商品金额",
        "优惠",
        "运费",
        "实付",
    ]
    placed_at = datetime.fromtimestamp(start / 1000, CHINA).strftime("%Y-%m-%d %H:%M:%S")
    assert rows[1] == [
        "\t" + first["number"],  # a tab keeps Excel from turning 22 digits into 2.02612E+21
        placed_at,
        "待发货",
        "'@导出买家",  # what a spreadsheet would take for a formula starts with a quote
        "'-张三",
        "138****5678",
        "浙江省 杭州市 西湖区",
        '\'=HYPERLINK("http://x") (款:#0) ×2; 龙井 (款:#0) ×1',
        "3",
        "89.98",
        "0.00",
        "8.00",
        "97.98",
    ]
    assert [r[0].strip() for r in rows[2:]] == [second["number"]]
    assert rows[2][2:4] == ["待付款", "'@导出买家"] and rows[2][4:7] == ["", "", ""]


async def test_an_export_spans_at_most_93_days_and_its_url_expires_and_cannot_be_forged(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("限额店主")
    shop_id, _, _ = await make_product(api, owner)
    clerk, clerk_user = await hire(api, owner, shop_id, "限额客服", "CUSTOMER_SERVICE")
    stranger, _ = await api.login("限额路人")
    now, day = clock.ms, 86_400_000
    # bad ranges and outsiders: a typed error on the field, and no URL
    for start, end, message in (
        (now, now + 93 * day + 1, "An export covers at most 93 days; split the range"),
        (now, now - 1, "to must be after from"),
        (now, now, "to must be after from"),
    ):
        refused = await export(api, owner, shop_id, start, end)
        assert refused["url"] is None
        assert refused["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "to"], "message": message}]
    outsider = await export(api, stranger, shop_id, now - day, now)
    assert outsider["url"] is None and outsider["errors"][0]["code"] == "FORBIDDEN"
    assert (await export(api, clerk, "U2hvcDpub3Bl", now - day, now))["errors"][0]["code"] == "NOT_FOUND"
    assert (await export(api, clerk, shop_id, now - 93 * day, now))["errors"] == []
    url = (await export(api, clerk, shop_id, now - day, now))["url"]
    assert (await api.client.get(url)).status == 200
    # a URL altered or incomplete: 403 with a clear body
    token = url.split("token=")[1]
    forged = url[:-2] + ("AA" if not url.endswith("AA") else "BB")
    for bad in (
        forged,
        "/exports/orders.csv",
        f"/exports/orders.csv?token={token[:-40]}",
        f"/exports/orders.csv?token={clerk}",
    ):
        resp = await api.client.get(bad)
        assert resp.status == 403 and (await resp.json())["errors"][0]["extensions"]["code"] == "FORBIDDEN", bad
    # an expired one: 410 saying so
    clock.advance(minutes=10)
    resp = await api.client.get(url)
    assert resp.status == 410
    assert (await resp.json())["errors"][0] == {
        "message": "This export link has expired; export again from the order desk",
        "extensions": {"code": "EXPIRED"},
    }
    # a member removed from the staff: their unexpired URL no longer works
    url = (await export(api, clerk, shop_id, now - day, now))["url"]
    await api.gql(REMOVE, {"s": shop_id, "u": clerk_user["id"]}, token=owner)
    resp = await api.client.get(url)
    assert resp.status == 403 and "no longer" in (await resp.json())["errors"][0]["message"]


async def test_an_export_reads_page_after_page_and_leaves_out_orders_being_placed(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given pages of two orders, seven orders one minute apart, and one order caught being placed
    monkeypatch.setattr(order_export, "PAGE", 2)
    clock = use_clock(api)
    owner, _ = await api.login("分页导出店主")
    shop_id, _, (sku_id,) = await make_product(api, owner, stock=20)
    buyers = [(await api.login(f"分页买家{i}"))[0] for i in range(3)]
    start = clock.ms
    placed = []
    for i in range(7):
        placed.append((await place(api, buyers[i % 3], [line(sku_id)], f"p{i}"))["order"]["number"])
        clock.advance(minutes=1)
    reserving = {**(await api.services.store.find("orders", {"shopId": raw(shop_id)}, limit=1)).docs[0]}
    reserving |= {"_id": "being-placed", "number": "2099", "status": "RESERVING", "idempotencyKey": "r"}
    await api.services.store.insert("orders", reserving)
    # when the owner exports them
    url = (await export(api, owner, shop_id, start, clock.ms))["url"]
    body = (await (await api.client.get(url)).read()).decode("utf-8-sig")
    # then every order is there once, oldest first, with its buyer, and the one being placed is not
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert [r[0].strip() for r in rows] == placed
    assert [r[3] for r in rows] == [f"分页买家{i % 3}" for i in range(7)]

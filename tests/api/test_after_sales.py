"""After-sales (售后) through the API on the embedded default: a refund-only and a return, each line's share of the
discount and shipping, stock, points and commission afterwards, the order REFUNDED once all of it came back, the
buyer cancelling, the shop rejecting, the sweep approving what the shop left unanswered, and who sees what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.ids import from_global_id
from jobs.sweep import sweep
from resolvers.after_sales import sweep_after_sales
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_coupons import CLAIM, CREATE, coupon_input
from tests.api.test_order_desk import wait_subscribed
from tests.api.test_orders import CONFIRM, REFUND, SHIP, act, line, pay, place, stock

FIELDS = """afterSale { id status kind amount { amount } refundedAmount { amount } rejectReason autoApproved respondBy
  lines { lineIndex quantity amount { amount } orderLine { quantity } } returnShipment { carrier trackingNumber }
  order { id status } }
errors { code field message }"""
REQUEST = f"mutation($in: RequestAfterSaleInput!) {{ requestAfterSale(input: $in) {{ {FIELDS} }} }}"
APPROVE = f"mutation($id: ID!) {{ approveAfterSale(input: {{afterSaleId: $id}}) {{ {FIELDS} }} }}"
REJECT = (
    f"mutation($id: ID!, $r: String!) {{ rejectAfterSale(input: {{afterSaleId: $id, reason: $r}}) {{ {FIELDS} }} }}"
)
CANCEL = f"mutation($id: ID!) {{ cancelAfterSale(input: {{afterSaleId: $id}}) {{ {FIELDS} }} }}"
SHIP_RETURN = f"""mutation($id: ID!, $c: String!, $t: String!) {{
  shipReturn(input: {{afterSaleId: $id, carrier: $c, trackingNumber: $t}}) {{ {FIELDS} }} }}"""
RECEIVED = f"mutation($id: ID!) {{ confirmReturnReceived(input: {{afterSaleId: $id}}) {{ {FIELDS} }} }}"
ORDER = "query($id: ID!) { order(id: $id) { status afterSales { id status amount { amount } } } }"
NODE = "query($id: ID!) { afterSale(id: $id) { id status } }"
MINE = """query($s: AfterSaleStatus) { myAfterSales(status: $s, first: 10) {
  edges { node { id status order { id } } } pageInfo { hasNextPage } } }"""


@dataclass
class Sale:
    """A shop, its owner, a buyer and the buyer's paid order of two lines: 2 x 1,500 and 1 x 2,500."""

    owner: str
    buyer: str
    shop_id: str
    skus: list[str]
    order_id: str

    @property
    def raw_order(self) -> str:
        return from_global_id(self.order_id)[1]


async def paid_sale(
    api: Api, *, shipped: bool = False, completed: bool = False, coupon: bool = False, shipping_fee: int = 0
) -> Sale:
    owner, _ = await api.login("售后店主")
    buyer, _ = await api.login("售后买家")
    shop_id, _, skus = await make_product(api, owner, prices=(1500, 2500), stock=10)
    coupon_id = None
    if coupon:  # 1,000 off orders of 5,000 or more
        made = await api.gql(CREATE, {"in": coupon_input(shop_id)}, token=owner)
        coupon_id = made["data"]["createCoupon"]["coupon"]["id"]
        await api.gql(CLAIM, {"id": coupon_id}, token=buyer)
    placed = await place(api, buyer, [line(skus[0], 2), line(skus[1], 1)], "order-1", coupon_id)
    assert placed["errors"] == [], placed
    sale = Sale(owner, buyer, shop_id, skus, placed["order"]["id"])
    if shipping_fee:  # as checkout sets it (total = subtotal - discount + shippingFee)
        total = placed["order"]["total"]["amount"] + shipping_fee
        await api.services.store.update_one(
            "orders", {"_id": sale.raw_order}, {"$set": {"shippingFee": shipping_fee, "total": total}}
        )
    assert (await pay(api, buyer, sale.order_id))["errors"] == []
    if shipped or completed:
        assert (await act(api, SHIP, owner, sale.order_id))["errors"] == []
    if completed:
        assert (await act(api, CONFIRM, buyer, sale.order_id))["errors"] == []
    return sale


def request_input(sale: Sale, lines: list[tuple[int, int]], **more: Any) -> dict[str, Any]:
    return {
        "orderId": sale.order_id,
        "kind": "REFUND_ONLY",
        "lines": [{"lineIndex": i, "quantity": q} for i, q in lines],
        "reason": "不想要了",
        "idempotencyKey": "as-" + "-".join(f"{i}x{q}" for i, q in lines),
        **more,
    }


async def ask(api: Api, token: str, sale: Sale, lines: list[tuple[int, int]], **more: Any) -> Any:
    body = await api.gql(REQUEST, {"in": request_input(sale, lines, **more)}, token=token)
    return body["data"]["requestAfterSale"]


async def run(api: Api, mutation: str, token: str, after_sale_id: str, **more: str) -> Any:
    return next(iter((await api.gql(mutation, {"id": after_sale_id, **more}, token=token))["data"].values()))


async def order_doc(api: Api, sale: Sale) -> dict[str, Any]:
    doc = await api.services.store.get("orders", sale.raw_order)
    assert doc is not None
    return doc


async def add_staff(api: Api, shop_id: str, user_id: str, *roles: str) -> None:
    shop, user = from_global_id(shop_id)[1], from_global_id(user_id)[1]
    doc = {"_id": f"{shop}:{user}", "shopId": shop, "userId": user, "roles": list(roles)}
    await api.services.store.insert("shop_staff", doc)


async def staff_member(api: Api, sale: Sale, nickname: str, *roles: str) -> str:
    token, user = await api.login(nickname)
    await add_staff(api, sale.shop_id, user["id"], *roles)
    return token


async def test_a_refund_only_of_unshipped_units_gives_their_money_back_and_returns_their_stock(api: Api) -> None:
    # given a paid, unshipped order of 2 x 1,500 and 1 x 2,500 (8 and 9 units left; 3 sold of the product)
    sale = await paid_sale(api)
    assert await stock(api, sale.skus[0]) == (8, 3)
    # when the buyer asks for one unit of the first line back, and the shop approves
    asked = await ask(api, sale.buyer, sale, [(0, 1)])
    assert asked["errors"] == [] and asked["afterSale"]["status"] == "REQUESTED"
    assert asked["afterSale"]["amount"] == {"amount": 1500} and asked["afterSale"]["respondBy"]
    approved = await run(api, APPROVE, sale.owner, asked["afterSale"]["id"])
    # then it is refunded at once (DEV_PAY), the unit is back in stock, and the order keeps the rest
    assert approved["errors"] == []
    assert (approved["afterSale"]["status"], approved["afterSale"]["refundedAmount"]) == ("REFUNDED", {"amount": 1500})
    assert approved["afterSale"]["order"]["status"] == "PAID"
    assert await stock(api, sale.skus[0]) == (9, 2)
    doc = await order_doc(api, sale)
    assert doc["refunded"] == 1500 and doc["total"] == 5500
    # and the order and the buyer's list show it
    shown = (await api.gql(ORDER, {"id": sale.order_id}, token=sale.buyer))["data"]["order"]
    assert shown["afterSales"] == [{"id": asked["afterSale"]["id"], "status": "REFUNDED", "amount": {"amount": 1500}}]
    mine = (await api.gql(MINE, {"s": "REFUNDED"}, token=sale.buyer))["data"]["myAfterSales"]["edges"]
    assert [e["node"]["id"] for e in mine] == [asked["afterSale"]["id"]]
    assert (await api.gql(MINE, {"s": "REQUESTED"}, token=sale.buyer))["data"]["myAfterSales"]["edges"] == []


async def test_a_refund_only_of_shipped_goods_leaves_the_stock_as_it_is(api: Api) -> None:
    # given a shipped order (the buyer keeps the goods: a damaged item, a refund without a return)
    sale = await paid_sale(api, shipped=True)
    asked = await ask(api, sale.buyer, sale, [(1, 1)], amount=1000)
    # when the shop approves a partial amount for it
    approved = await run(api, APPROVE, sale.owner, asked["afterSale"]["id"])
    # then 1,000 comes back, and no unit returns to stock
    assert approved["afterSale"]["refundedAmount"] == {"amount": 1000}
    assert await stock(api, sale.skus[1]) == (9, 2)
    assert (await order_doc(api, sale))["status"] == "SHIPPED"


async def test_a_return_is_refunded_once_the_goods_are_back_and_they_return_to_stock_then(api: Api) -> None:
    # given a shipped order and a warehouse clerk of the shop
    sale = await paid_sale(api, shipped=True)
    clerk = await staff_member(api, sale, "仓库员", "WAREHOUSE")
    asked = await ask(api, sale.buyer, sale, [(0, 2)], kind="RETURN_AND_REFUND")
    after_sale = asked["afterSale"]["id"]
    # when the shop approves, the buyer ships it back and the warehouse confirms it arrived
    approved = await run(api, APPROVE, sale.owner, after_sale)
    assert approved["afterSale"]["status"] == "AWAITING_RETURN"
    shipped = await run(api, SHIP_RETURN, sale.buyer, after_sale, c="顺丰速运", t="SF1234567890")
    assert shipped["afterSale"]["status"] == "RETURN_SHIPPED"
    assert shipped["afterSale"]["returnShipment"] == {"carrier": "顺丰速运", "trackingNumber": "SF1234567890"}
    assert await stock(api, sale.skus[0]) == (8, 3)  # not back before it arrives
    received = await run(api, RECEIVED, clerk, after_sale)
    # then the two units are back in stock and their 3,000 are refunded
    assert received["errors"] == []
    assert (received["afterSale"]["status"], received["afterSale"]["refundedAmount"]) == ("REFUNDED", {"amount": 3000})
    assert await stock(api, sale.skus[0]) == (10, 1)


async def test_each_line_gets_its_share_of_the_discount_and_the_shipping_fee_to_the_fen(api: Api) -> None:
    # given an order of 3,000 + 2,500 with a 1,000 coupon, and a shipping fee of 700 (as checkout sets it)
    sale = await paid_sale(api, coupon=True, shipping_fee=700)
    assert (await order_doc(api, sale))["total"] == 5200
    # when the buyer asks for the most for one unit of each line, then for everything that is left
    first = await ask(api, sale.buyer, sale, [(0, 1)])
    second = await ask(api, sale.buyer, sale, [(1, 1)])
    # then the lines were paid 3000 - 545 + 382 = 2837 and 2500 - 455 + 318 = 2363: half the first, all the second
    assert first["afterSale"]["amount"] == {"amount": 1418}
    assert second["afterSale"]["amount"] == {"amount": 2363}
    rest = await ask(api, sale.buyer, sale, [(0, 1)], idempotencyKey="rest")
    assert rest["afterSale"]["amount"] == {"amount": 2837 - 1418}
    # and once all are refunded, exactly the order's total came back and the order is REFUNDED
    for asked in (first, second, rest):
        assert (await run(api, APPROVE, sale.owner, asked["afterSale"]["id"]))["errors"] == []
    doc = await order_doc(api, sale)
    assert (doc["refunded"], doc["status"]) == (5200, "REFUNDED")
    assert await stock(api, sale.skus[0]) == (10, 0) and await stock(api, sale.skus[1]) == (10, 0)


async def test_a_completed_order_refunded_in_full_ends_refunded_and_its_points_go(api: Api) -> None:
    # given a completed order of 5,500 (55 points earned)
    sale = await paid_sale(api, completed=True)
    points = "{ me { points } }"
    assert (await api.gql(points, token=sale.buyer))["data"]["me"]["points"] == 55
    # when one line comes back, then the other
    first = await ask(api, sale.buyer, sale, [(1, 1)], kind="RETURN_AND_REFUND")
    await run(api, APPROVE, sale.owner, first["afterSale"]["id"])
    await run(api, SHIP_RETURN, sale.buyer, first["afterSale"]["id"], c="中通", t="ZT0001")
    await run(api, RECEIVED, sale.owner, first["afterSale"]["id"])
    # then the points are those of the 3,000 kept
    assert (await api.gql(points, token=sale.buyer))["data"]["me"]["points"] == 30
    assert (await order_doc(api, sale))["status"] == "COMPLETED"
    second = await ask(api, sale.buyer, sale, [(0, 2)])
    await run(api, APPROVE, sale.owner, second["afterSale"]["id"])
    # and with everything back the order is REFUNDED and no point is left
    doc = await order_doc(api, sale)
    assert [h["status"] for h in doc["history"]][-3:] == ["COMPLETED", "REFUNDING", "REFUNDED"]
    assert (await api.gql(points, token=sale.buyer))["data"]["me"]["points"] == 0
    assert await stock(api, sale.skus[0]) == (8, 0)  # kept by the buyer (a refund-only of shipped goods)
    assert await stock(api, sale.skus[1]) == (10, 0)  # returned


async def test_the_buyer_cancels_a_request_before_it_is_approved_and_may_ask_again(api: Api) -> None:
    # given a request
    sale = await paid_sale(api)
    asked = await ask(api, sale.buyer, sale, [(0, 2)])
    # when the buyer cancels it
    cancelled = await run(api, CANCEL, sale.buyer, asked["afterSale"]["id"])
    # then it is CANCELLED and its units may be asked for again
    assert cancelled["afterSale"]["status"] == "CANCELLED"
    again = await ask(api, sale.buyer, sale, [(0, 2)], idempotencyKey="again")
    assert again["errors"] == []
    # and once approved it can no longer be cancelled
    await run(api, APPROVE, sale.owner, again["afterSale"]["id"])
    late = await run(api, CANCEL, sale.buyer, again["afterSale"]["id"])
    assert (late["errors"][0]["code"], late["errors"][0]["field"]) == ("INVALID_STATE", ["input", "afterSaleId"])


async def test_the_shop_rejects_with_a_reason_and_the_units_are_free_again(api: Api) -> None:
    sale = await paid_sale(api, shipped=True)
    service = await staff_member(api, sale, "客服", "CUSTOMER_SERVICE")
    asked = await ask(api, sale.buyer, sale, [(1, 1)])
    rejected = await run(api, REJECT, service, asked["afterSale"]["id"], r="商品无质量问题")
    assert rejected["errors"] == []
    assert (rejected["afterSale"]["status"], rejected["afterSale"]["rejectReason"]) == ("REJECTED", "商品无质量问题")
    assert not (await order_doc(api, sale)).get("refunded")
    assert (await ask(api, sale.buyer, sale, [(1, 1)], idempotencyKey="again"))["errors"] == []


async def test_a_request_left_unanswered_is_approved_by_the_sweep(api: Api) -> None:
    # given a request the shop does not answer
    clock = use_clock(api)
    sale = await paid_sale(api)
    asked = await ask(api, sale.buyer, sale, [(0, 1)])
    after_sale = asked["afterSale"]["id"]
    # when the sweep runs before AFTER_SALE_AUTO_APPROVE_HOURS, nothing happens
    clock.advance(days=1.9)
    await sweep(api.services)
    assert (await api.gql(NODE, {"id": after_sale}, token=sale.buyer))["data"]["afterSale"]["status"] == "REQUESTED"
    # then after 48 hours it is approved by the platform, and refunded
    clock.advance(days=0.2)
    await sweep(api.services)
    query = "query($id: ID!) { afterSale(id: $id) { status autoApproved } }"
    shown = await api.gql(query, {"id": after_sale}, token=sale.buyer)
    assert shown["data"]["afterSale"] == {"status": "REFUNDED", "autoApproved": True}
    assert (await order_doc(api, sale))["refunded"] == 1500
    assert await sweep_after_sales(api.services) == 0  # and again: nothing more to do


async def test_a_step_a_crash_left_undone_is_finished_by_the_sweep(api: Api) -> None:
    # given an approval whose process died before the refund (APPROVED, nothing claimed), and a request whose
    # process died while reserving (OPENING, holding nothing)
    clock = use_clock(api)
    sale = await paid_sale(api)
    asked = await ask(api, sale.buyer, sale, [(0, 1)])
    raw = from_global_id(asked["afterSale"]["id"])[1]
    store = api.services.store
    now = api.services.now()
    await store.update_one("after_sales", {"_id": raw}, {"$set": {"status": "APPROVED", "repairAt": now + 60_000}})
    orphan = {
        "_id": "orphan",
        "status": "OPENING",
        "orderId": sale.raw_order,
        "buyerId": "x",
        "shopId": "y",
        "idempotencyKey": "o",
        "createdAt": now,
        "repairAt": now + 60_000,
    }
    await store.insert("after_sales", orphan)
    # when the sweep runs a minute later
    clock.advance(minutes=2)
    await sweep_after_sales(api.services)
    # then the approval is refunded and the orphan forgotten
    assert (await store.get("after_sales", raw) or {})["status"] == "REFUNDED"
    assert (await order_doc(api, sale))["refunded"] == 1500
    assert await store.get("after_sales", "orphan") is None


async def test_the_buyer_cannot_refund_the_order_alone_while_an_after_sale_holds_part_of_it(api: Api) -> None:
    sale = await paid_sale(api)
    asked = await ask(api, sale.buyer, sale, [(0, 1)])
    refused = await act(api, REFUND, sale.buyer, sale.order_id, k="r", r="不要了")
    assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == ("INVALID_STATE", ["input", "orderId"])
    # and once that after-sale is refunded, the rest may come back, with only the stock not returned yet
    await run(api, APPROVE, sale.owner, asked["afterSale"]["id"])
    refunded = await act(api, REFUND, sale.buyer, sale.order_id, k="r2", r="不要了")
    assert refunded == {"order": {"status": "REFUNDED"}, "errors": []}
    doc = await order_doc(api, sale)
    assert (doc["refunded"], doc["refundAmount"]) == (5500, 4000)
    assert await stock(api, sale.skus[0]) == (10, 0) and await stock(api, sale.skus[1]) == (10, 0)


async def test_the_buyer_and_the_shop_s_staff_see_an_after_sale_and_nobody_else(api: Api) -> None:
    sale = await paid_sale(api)
    clerk = await staff_member(api, sale, "店员", "WAREHOUSE")
    stranger, _ = await api.login("路人")
    asked = await ask(api, sale.buyer, sale, [(0, 1)])
    node = {"id": asked["afterSale"]["id"]}
    for token in (sale.buyer, sale.owner, clerk):
        assert (await api.gql(NODE, node, token=token))["data"]["afterSale"]["id"] == node["id"]
    assert (await api.gql(NODE, node, token=stranger))["data"]["afterSale"] is None
    assert (await api.gql(NODE, node))["data"]["afterSale"] is None


async def test_the_after_sales_of_a_page_of_orders_are_read_in_one_query(api: Api) -> None:
    # given a buyer with three paid orders, each with an after-sale
    sale = await paid_sale(api)
    order_ids = [sale.order_id]
    for i in range(2):
        placed = await place(api, sale.buyer, [line(sale.skus[0])], f"more-{i}")
        await pay(api, sale.buyer, placed["order"]["id"])
        order_ids.append(placed["order"]["id"])
    for i, order_id in enumerate(order_ids):
        request = request_input(sale, [(0, 1)], orderId=order_id, idempotencyKey=f"k{i}")
        assert (await api.gql(REQUEST, {"in": request}, token=sale.buyer))["data"]["requestAfterSale"]["errors"] == []
    # when the buyer lists their orders with their after-sales
    store = api.services.store
    finds: list[str] = []
    original = store.find

    async def counting(collection: str, *args: Any, **kwargs: Any) -> Any:
        finds.append(collection)
        return await original(collection, *args, **kwargs)

    store.find = counting  # type: ignore[method-assign]
    body = await api.gql("{ myOrders(first: 10) { edges { node { afterSales { status } } } } }", token=sale.buyer)
    # then each order shows its own, read in one query for the page
    assert [e["node"]["afterSales"] for e in body["data"]["myOrders"]["edges"]] == [[{"status": "REQUESTED"}]] * 3
    assert finds.count("after_sales") == 1


async def test_an_admin_of_the_shop_may_do_what_any_role_may(api: Api) -> None:
    sale = await paid_sale(api, shipped=True)
    admin = await staff_member(api, sale, "管理员", "ADMIN")
    asked = await ask(api, sale.buyer, sale, [(0, 1)], kind="RETURN_AND_REFUND")
    assert (await run(api, APPROVE, admin, asked["afterSale"]["id"]))["errors"] == []
    await run(api, SHIP_RETURN, sale.buyer, asked["afterSale"]["id"], c="京东物流", t="JD0001")
    assert (await run(api, RECEIVED, admin, asked["afterSale"]["id"]))["afterSale"]["status"] == "REFUNDED"


async def test_units_refunded_before_shipping_are_not_shipped_afterwards(api: Api) -> None:
    # given a paid order of 2 + 1 units whose buyer got one unit of the first line refunded before it shipped
    sale = await paid_sale(api)
    asked = await ask(api, sale.buyer, sale, [(0, 1)])
    assert (await run(api, APPROVE, sale.owner, asked["afterSale"]["id"]))["afterSale"]["status"] == "REFUNDED"
    ship = """mutation($id: ID!, $p: [PackageInput!]) { shipOrder(input: {orderId: $id, packages: $p}) {
      order { status shipments { lines { lineIndex quantity } } } errors { code field } } }"""
    # when the shop ships both units of the first line, it is refused on that quantity
    both = [{"carrier": "SF", "trackingNumber": "SF100", "lines": [{"lineIndex": 0, "quantity": 2}]}]
    refused = (await api.gql(ship, {"id": sale.order_id, "p": both}, token=sale.owner))["data"]["shipOrder"]
    assert refused["errors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "packages", "0", "lines", "0", "quantity"]}
    ]
    # and shipping everything that is left sends the other unit and the second line: the order is SHIPPED
    done = (await api.gql(ship, {"id": sale.order_id, "p": None}, token=sale.owner))["data"]["shipOrder"]
    assert done["errors"] == [] and done["order"]["status"] == "SHIPPED"
    assert done["order"]["shipments"][0]["lines"] == [{"lineIndex": 0, "quantity": 1}, {"lineIndex": 1, "quantity": 1}]


async def test_the_shop_lists_its_after_sales_and_its_live_desk_hears_each_request(api: Api) -> None:
    # given a paid order and the shop's live desk listening
    sale = await paid_sale(api)
    stranger, _ = await api.login("售后路人")
    listing = """query($s: ID!, $st: AfterSaleStatus) { shop(id: $s) { afterSales(status: $st, first: 10) {
      edges { node { id status } } } } }"""
    sub = "subscription($s: ID!) { shopOrderEvents(shopId: $s) { kind afterSaleId order { id } } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {sale.owner}"}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"s": sale.shop_id}}}
        )
        await wait_subscribed(api, sale.shop_id)
        # when the buyer asks for one unit back
        asked = (await ask(api, sale.buyer, sale, [(0, 1)]))["afterSale"]
        # then the desk hears it, naming the request and its order
        event = (await ws.receive_json(timeout=5))["payload"]["data"]["shopOrderEvents"]
        assert event == {"kind": "AFTER_SALE_REQUESTED", "afterSaleId": asked["id"], "order": {"id": sale.order_id}}
    # and the shop's list shows it to its staff, by status; a stranger is refused
    shown = (await api.gql(listing, {"s": sale.shop_id, "st": "REQUESTED"}, token=sale.owner))["data"]
    assert [e["node"] for e in shown["shop"]["afterSales"]["edges"]] == [{"id": asked["id"], "status": "REQUESTED"}]
    other = await api.gql(listing, {"s": sale.shop_id, "st": None}, token=stranger, expect_errors=True)
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_order_status_goes_on_after_completion_until_an_after_sale_refunds_it_all(api: Api) -> None:
    # given a buyer watching a completed order (COMPLETED can still move: after-sales may give all its money back)
    sale = await paid_sale(api, completed=True)
    sub = "subscription($id: ID!) { orderStatus(orderId: $id) { status } }"
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {sale.buyer}"}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        variables = {"id": sale.order_id}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": variables}})
        assert (await ws.receive_json(timeout=5))["payload"]["data"]["orderStatus"]["status"] == "COMPLETED"
        # when a refund-only after-sale of every unit is approved
        asked = await ask(api, sale.buyer, sale, [(0, 2), (1, 1)])
        await run(api, APPROVE, sale.owner, asked["afterSale"]["id"])
        # then the order's last moves are pushed (the stream reads the order at each event: REFUNDING may be passed
        # already when it reads), and it ends at the final one
        pushed = [await ws.receive_json(timeout=5)]
        while pushed[-1]["type"] == "next":
            pushed.append(await ws.receive_json(timeout=5))
        statuses = [m["payload"]["data"]["orderStatus"]["status"] for m in pushed[:-1]]
        assert statuses in (["REFUNDING", "REFUNDED"], ["REFUNDED"])
        assert pushed[-1] == {"id": "1", "type": "complete"}

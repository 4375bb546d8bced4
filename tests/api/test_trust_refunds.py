"""Refunds never give back more than is left of what was paid, whoever asks and in whatever order (issue 14,
findings 1 and 2): a team's price difference then the buyer's refund, commission and points on refunded money,
refunds WeChat Pay refuses for good, and no refund by the buyer alone once the goods are shipped."""

from __future__ import annotations

from typing import Any

from domain.ids import from_global_id
from resolvers.payments import retry_refunds
from tests.api.conftest import PRODUCT, SHOP, Api, use_clock
from tests.api.test_distribution import APPLY, POLICY, invite_code, mine
from tests.api.test_orders import CONFIRM, PAY, REFUND, SHIP, act, line, pay, place
from tests.api.test_teams import join, start
from tests.api.test_wechatpay import STATUS, notify, wechat_buyer
from tests.fakes.wechat import FakeWechat
from tests.fakes.wechatpay import FakeWechatPay

# Three members pay 10,000 each at the first tier; the full team closes at 9,000: 1,000 back to each.
TIERS = {"tiers": [{"size": 2, "price": 10_000}, {"size": 3, "price": 9_000}], "durationMinutes": 60}


async def team_shop(api: Api, rates: list[int] | None = None) -> tuple[str, str, str]:
    """(owner token, shop id, SKU id) of a group-buy product at 12,000, in a shop with the given commission policy."""
    owner, _ = await api.login("团购店主")
    shop_id = (await api.gql(SHOP, {"n": "团购店"}, token=owner))["data"]["createShop"]["shop"]["id"]
    if rates is not None:
        policy = {"s": shop_id, "r": rates, "f": 0, "a": False, "l": False}
        assert (await api.gql(POLICY, policy, token=owner))["data"]["setCommissionPolicy"]["errors"] == []
    sku = {"specs": [{"name": "款", "value": "标准"}], "price": 12_000, "stock": 50}
    product = {"shopId": shop_id, "title": "团购茶", "description": "", "images": [], "skus": [sku], "groupBuy": TIERS}
    payload = (await api.gql(PRODUCT, {"in": product}, token=owner))["data"]["createProduct"]
    assert payload["errors"] == [], payload
    return owner, shop_id, payload["product"]["skus"][0]["id"]


async def full_team(api: Api, sku: str, tokens: list[str], method: str = "DEV_PAY") -> list[str]:
    """Three members start, join and pay; the team fills and succeeds at 9,000. Their order ids."""
    started = await start(api, tokens[0], sku, "t0")
    orders = [started["order"]["id"]]
    for i, token in enumerate(tokens[1:], start=1):
        orders.append((await join(api, token, started["team"]["id"], sku, f"t{i}"))["order"]["id"])
    for token, order_id in zip(tokens, orders, strict=True):
        await api.gql(PAY, {"id": order_id, "k": "p", "m": method}, token=token)
    return orders


async def order_doc(api: Api, order_id: str) -> dict[str, Any]:
    doc = await api.services.store.get("orders", from_global_id(order_id)[1])
    assert doc is not None
    return doc


async def test_refunding_after_a_team_difference_gives_back_only_what_is_left(api: Api) -> None:
    # given a member who paid 10,000 and got the 1,000 difference back when the team succeeded at 9,000
    _, _, sku = await team_shop(api)
    tokens = [(await api.login(f"差价团员{i}"))[0] for i in range(3)]
    orders = await full_team(api, sku, tokens)
    assert (await order_doc(api, orders[0]))["priceRefundDone"] is True
    # when the member asks for a refund of the order
    refunded = await act(api, REFUND, tokens[0], orders[0], k="r", r="不要了")
    # then 9,000 more comes back, not 10,000: all refunds together are what was paid
    assert refunded == {"order": {"status": "REFUNDED"}, "errors": []}
    doc = await order_doc(api, orders[0])
    assert (doc["refundAmount"], doc["refunded"], doc["total"]) == (9_000, 10_000, 10_000)


async def test_on_wechat_pay_the_refund_after_a_difference_asks_for_the_rest_only(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a WeChat Pay team member whose 1,000 difference came back (WeChat Pay refuses refunds past the total)
    fake = wechatpay[0]
    fake.refund_status = "SUCCESS"
    _, _, sku = await team_shop(api_pay)
    tokens = [await wechat_buyer(api_pay, wechat[0], f"o-rest-{i}") for i in range(3)]
    started = await start(api_pay, tokens[0], sku, "t0")
    orders = [started["order"]["id"]]
    for i in (1, 2):
        orders.append((await join(api_pay, tokens[i], started["team"]["id"], sku, f"t{i}"))["order"]["id"])
    numbers = []
    for token, order_id in zip(tokens, orders, strict=True):
        await api_pay.gql(PAY, {"id": order_id, "k": "p", "m": "WECHAT_PAY"}, token=token)
        numbers.append((await api_pay.gql(STATUS, {"id": order_id}, token=token))["data"]["order"]["number"])
        assert (await notify(api_pay, *fake.paid(numbers[-1])))[0] == 200
    assert fake.refunds[f"{numbers[0]}D"]["amount"]["refund"] == 1_000
    # when the member asks for a refund
    refunded = await act(api_pay, REFUND, tokens[0], orders[0], k="r", r="不要了")
    # then WeChat Pay is asked for the 9,000 left, takes it, and the order is REFUNDED (nothing to retry forever)
    assert fake.refunds[f"{numbers[0]}R"]["amount"]["refund"] == 9_000
    assert refunded == {"order": {"status": "REFUNDED"}, "errors": []}
    asked = fake.refund_requests
    assert await retry_refunds(api_pay.services) == 0 and fake.refund_requests == asked


async def referred_team(api: Api) -> tuple[str, str, list[str]]:
    """(distributor token, referred buyer token, order ids) of a full team whose first member the distributor
    referred, in a shop paying 10% commission: 1,000 on the 10,000 paid."""
    _, shop_id, sku = await team_shop(api, rates=[1_000])
    sharer, _ = await api.login("团购分享者")
    await api.gql(APPLY, {"s": shop_id}, token=sharer)
    buyer, _ = await api.login("被推荐团员", await invite_code(api, sharer))
    others = [(await api.login(f"团员{i}"))[0] for i in range(2)]
    return sharer, buyer, await full_team(api, sku, [buyer, *others])


async def test_a_difference_refund_reduces_commission_in_proportion(api: Api) -> None:
    # given a distributor earning 10% of a team member's 10,000 order
    # when the team succeeds at 9,000 and 1,000 comes back to the buyer
    sharer, _, _ = await referred_team(api)
    # then the commission is 10% of the 9,000 kept: the 100 on the refunded money is reversed
    me = await mine(api, sharer)
    assert [(e["node"]["amount"], e["node"]["status"]) for e in me["commissions"]["edges"]] == [
        ({"amount": 900}, "FROZEN")
    ]
    assert me["stats"]["frozen"] == {"amount": 900}


async def test_attributed_sales_count_the_money_kept(api: Api) -> None:
    # given a distributor's referred member, 1,000 of whose 10,000 came back when the team succeeded
    sharer, _, _ = await referred_team(api)
    # when the distributor reads their stats
    stats = (await mine(api, sharer))["stats"]
    # then the sale attributed to them is the 9,000 kept
    assert (stats["attributedOrders"], stats["attributedSales"]) == (1, {"amount": 9_000})


async def test_then_a_full_refund_reverses_the_rest_of_the_commission(api: Api) -> None:
    # given the referred buyer's commission at 900 after the difference
    sharer, buyer, orders = await referred_team(api)
    # when the buyer refunds the order
    await act(api, REFUND, buyer, orders[0], k="r", r="不要了")
    # then nothing is left frozen and the commission is REVERSED
    me = await mine(api, sharer)
    assert [e["node"]["status"] for e in me["commissions"]["edges"]] == ["REVERSED"]
    assert me["stats"]["frozen"] == {"amount": 0}


async def test_points_are_earned_on_the_money_kept_after_a_difference(api: Api) -> None:
    # given a member who paid 10,000 and got 1,000 back when the team succeeded
    owner, _, sku = await team_shop(api)
    tokens = [(await api.login(f"积分团员{i}"))[0] for i in range(3)]
    orders = await full_team(api, sku, tokens)
    # when the order is shipped and received
    assert (await act(api, SHIP, owner, orders[0]))["errors"] == []
    assert (await act(api, CONFIRM, tokens[0], orders[0]))["errors"] == []
    # then the points are those of the 9,000 kept (one per yuan), not of the 10,000 first paid
    points = (await api.gql("{ me { points } }", token=tokens[0]))["data"]["me"]["points"]
    assert points == 90


async def test_a_buyer_cannot_refund_a_shipped_order_alone(api: Api) -> None:
    # given a paid order the shop shipped
    owner, _ = await api.login("发货店主")
    buyer, _ = await api.login("发货后退款")
    _, _, (plain_sku,) = await _plain_product(api, owner)
    order = (await place(api, buyer, [line(plain_sku)], "k"))["order"]
    await pay(api, buyer, order["id"])
    assert (await act(api, SHIP, owner, order["id"]))["errors"] == []
    # when the buyer asks for a refund
    refused = await act(api, REFUND, buyer, order["id"], k="r", r="不想要了")
    # then it is refused: after shipping, money comes back through after-sales with the merchant's approval
    assert refused["order"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("INVALID_STATE", ["input", "orderId"])
    doc = await order_doc(api, order["id"])
    assert doc["status"] == "SHIPPED" and not doc.get("refunded")


async def _plain_product(api: Api, owner: str) -> tuple[str, str, list[str]]:
    from tests.api.conftest import make_product

    return await make_product(api, owner, prices=(3_000,), stock=5)


async def test_a_team_order_ships_only_once_its_team_succeeded(api: Api) -> None:
    # given a paid member of a team that is still open (it may yet fail and refund everybody)
    owner, _, sku = await team_shop(api)
    leader, _ = await api.login("未成团团长")
    started = await start(api, leader, sku, "t")
    await pay(api, leader, started["order"]["id"])
    # when the shop ships the order
    refused = await act(api, SHIP, owner, started["order"]["id"])
    # then it is refused, and the order stays PAID
    assert refused["errors"][0]["code"] == "INVALID_STATE"
    assert (await order_doc(api, started["order"]["id"]))["status"] == "PAID"


async def paid_wechat_order(api_pay: Api, wechat: tuple[FakeWechat, str], fake: FakeWechatPay) -> tuple[str, str, str]:
    """(buyer token, order id, order number) of an order paid through WeChat Pay (its notification delivered)."""
    from tests.api.test_wechatpay import wechat_order

    buyer, order_id, number, _ = await wechat_order(api_pay, wechat)
    await api_pay.gql(PAY, {"id": order_id, "k": "p", "m": "WECHAT_PAY"}, token=buyer)
    await notify(api_pay, *fake.paid(number))
    return buyer, order_id, number


async def test_a_refund_wechat_pay_refuses_for_good_is_not_asked_again(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a paid WeChat Pay order, and WeChat Pay refusing its refunds for a reason that will not pass
    fake = wechatpay[0]
    buyer, order_id, _ = await paid_wechat_order(api_pay, wechat, fake)
    fake.refund_refusal = (403, "USER_ACCOUNT_ABNORMAL")
    # when the buyer asks for a refund and the sweep runs again and again
    await act(api_pay, REFUND, buyer, order_id, k="r", r="不要了")
    clock = use_clock(api_pay)
    for _ in range(5):
        clock.advance(minutes=90)
        await retry_refunds(api_pay.services)
    # then WeChat Pay was asked once; the order waits for an operator, marked as failed
    assert fake.refund_requests == 1
    doc = await order_doc(api_pay, order_id)
    assert doc["status"] == "REFUNDING" and doc["refundFailed"] == "USER_ACCOUNT_ABNORMAL"


async def test_a_refund_wechat_pay_could_not_take_is_asked_again_with_a_backoff_then_given_up(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a paid WeChat Pay order, and WeChat Pay down when the buyer asks for a refund
    fake = wechatpay[0]
    buyer, order_id, _ = await paid_wechat_order(api_pay, wechat, fake)
    clock = use_clock(api_pay)
    fake.down = True
    await act(api_pay, REFUND, buyer, order_id, k="r", r="不要了")
    assert (await order_doc(api_pay, order_id))["refundAttempts"] == 1
    # when the sweep runs at once
    await retry_refunds(api_pay.services)
    # then it waits before asking again
    assert (await order_doc(api_pay, order_id))["refundAttempts"] == 1
    # and when WeChat Pay stays down for days, it stops after REFUND_MAX_ATTEMPTS and marks the order
    most = api_pay.services.settings.REFUND_MAX_ATTEMPTS
    for _ in range(most + 5):
        clock.advance(minutes=90)
        await retry_refunds(api_pay.services)
    doc = await order_doc(api_pay, order_id)
    assert (doc["refundAttempts"], doc["refundFailed"], doc["status"]) == (most, "GAVE_UP", "REFUNDING")


async def test_a_refund_wechat_pay_reports_abnormal_is_marked_for_an_operator(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given a WeChat Pay refund that WeChat Pay took (PROCESSING)
    fake = wechatpay[0]
    buyer, order_id, number = await paid_wechat_order(api_pay, wechat, fake)
    await act(api_pay, REFUND, buyer, order_id, k="r", r="不要了")
    # when WeChat Pay notifies that it could not be made (the buyer's card was closed)
    resource = {**fake.refunds[f"{number}R"], "out_refund_no": f"{number}R", "refund_status": "ABNORMAL"}
    status, _ = await notify(api_pay, *fake.notification("REFUND.ABNORMAL", resource))
    # then the order is marked for an operator, and still REFUNDING
    assert status == 200
    doc = await order_doc(api_pay, order_id)
    assert (doc["status"], doc["refundFailed"]) == ("REFUNDING", "ABNORMAL")

"""What follows an after-sale's money: WeChat Pay partial refunds under the after-sale's own refund number (asked
again when WeChat Pay is down, marked for an operator when it will not be made), commission shrinking in proportion
(frozen, or settled and already withdrawn: a negative balance earned back later), and a team member's refund."""

from __future__ import annotations

from typing import Any

from domain.ids import from_global_id
from resolvers.after_sales import sweep_after_sales
from resolvers.distribution import settle_due
from tests.api.conftest import Api, use_clock
from tests.api.test_after_sales import APPROVE, RECEIVED, REQUEST, SHIP_RETURN, run
from tests.api.test_distribution import APPLY, WITHDRAW, invite_code, mine, shop_with_policy
from tests.api.test_orders import CONFIRM, SHIP, act, line, pay, place
from tests.api.test_teams import start
from tests.api.test_trust_refunds import full_team, paid_wechat_order, team_shop
from tests.api.test_wechatpay import notify
from tests.fakes.wechat import FakeWechat
from tests.fakes.wechatpay import FakeWechatPay

SHARER = "分销员"
STATUS = "query($id: ID!) { afterSale(id: $id) { status refundedAmount { amount } order { status } } }"


async def ask(api: Api, token: str, order_id: str, lines: list[tuple[int, int]], key: str, **more: Any) -> Any:
    request = {
        "orderId": order_id,
        "kind": "REFUND_ONLY",
        "lines": [{"lineIndex": i, "quantity": q} for i, q in lines],
        "reason": "质量问题",
        "idempotencyKey": key,
        **more,
    }
    payload = (await api.gql(REQUEST, {"in": request}, token=token))["data"]["requestAfterSale"]
    assert payload["errors"] == [], payload
    return payload["afterSale"]


async def status(api: Api, token: str, after_sale_id: str) -> Any:
    return (await api.gql(STATUS, {"id": after_sale_id}, token=token))["data"]["afterSale"]


def refund_no(number: str, after_sale_id: str) -> str:
    return f"{number}A{from_global_id(after_sale_id)[1]}"


async def test_on_wechat_pay_each_after_sale_is_a_partial_refund_under_its_own_number(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given an order of 2 x 2,990 paid through WeChat Pay
    fake = wechatpay[0]
    buyer, order_id, number = await paid_wechat_order(api_pay, wechat, fake)
    seller, _ = await api_pay.login("微信卖家")
    # when one unit comes back with the shop's approval
    first = await ask(api_pay, buyer, order_id, [(0, 1)], "first")
    approved = await run(api_pay, APPROVE, seller, first["id"])
    # then WeChat Pay is asked for a refund of 2,990 of the 5,980 under the after-sale's number, which it processes
    assert approved["afterSale"]["status"] == "REFUNDING"
    assert fake.refunds[refund_no(number, first["id"])]["amount"] == {"refund": 2990, "total": 5980, "currency": "CNY"}
    # and once it notifies the refund made, the after-sale is REFUNDED while the order keeps the rest
    assert (await notify(api_pay, *fake.refunded(refund_no(number, first["id"]))))[0] == 200
    assert await status(api_pay, buyer, first["id"]) == {
        "status": "REFUNDED",
        "refundedAmount": {"amount": 2990},
        "order": {"status": "PAID"},
    }
    # when the other unit comes back the same way, the order is REFUNDED: two refunds, together what was paid
    second = await ask(api_pay, buyer, order_id, [(0, 1)], "second")
    await run(api_pay, APPROVE, seller, second["id"])
    assert (await notify(api_pay, *fake.refunded(refund_no(number, second["id"]))))[0] == 200
    assert (await status(api_pay, buyer, second["id"]))["order"] == {"status": "REFUNDED"}
    assert sum(r["amount"]["refund"] for r in fake.refunds.values()) == 5980 and fake.refund_requests == 2


async def test_a_refund_wechat_pay_could_not_take_is_asked_again_by_the_sweep(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    # given WeChat Pay down when the shop approves a refund
    fake = wechatpay[0]
    buyer, order_id, number = await paid_wechat_order(api_pay, wechat, fake)
    seller, _ = await api_pay.login("微信卖家")
    clock = use_clock(api_pay)
    asked = await ask(api_pay, buyer, order_id, [(0, 2)], "down")
    fake.down = True
    assert (await run(api_pay, APPROVE, seller, asked["id"]))["afterSale"]["status"] == "REFUNDING"
    doc = await api_pay.services.store.get("after_sales", from_global_id(asked["id"])[1]) or {}
    assert (
        doc["refundAttempts"] == 1
        and (await api_pay.services.store.get("orders", doc["orderId"]) or {})["refunded"] == 5980
    )  # claimed once, whatever the provider says
    # when it is back and the sweep runs after the backoff
    fake.down, fake.refund_status = False, "SUCCESS"
    await sweep_after_sales(api_pay.services)
    assert fake.refund_requests == 0  # not before the delay
    clock.advance(minutes=1)
    await sweep_after_sales(api_pay.services)
    # then it is asked again, once, under the same number, and the after-sale and the order are refunded
    assert fake.refund_requests == 1 and list(fake.refunds) == [refund_no(number, asked["id"])]
    assert await status(api_pay, buyer, asked["id"]) == {
        "status": "REFUNDED",
        "refundedAmount": {"amount": 5980},
        "order": {"status": "REFUNDED"},
    }


async def test_a_refund_wechat_pay_reports_abnormal_is_marked_for_an_operator(
    api_pay: Api, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> None:
    fake = wechatpay[0]
    buyer, order_id, number = await paid_wechat_order(api_pay, wechat, fake)
    seller, _ = await api_pay.login("微信卖家")
    asked = await ask(api_pay, buyer, order_id, [(0, 1)], "abnormal")
    await run(api_pay, APPROVE, seller, asked["id"])
    no = refund_no(number, asked["id"])
    resource = {**fake.refunds[no], "out_refund_no": no, "refund_status": "ABNORMAL"}
    assert (await notify(api_pay, *fake.notification("REFUND.ABNORMAL", resource)))[0] == 200
    doc = await api_pay.services.store.get("after_sales", from_global_id(asked["id"])[1]) or {}
    assert (doc["status"], doc["refundFailed"]) == ("REFUNDING", "ABNORMAL")


async def referred_order(api: Api, freeze: int = 0) -> tuple[str, str, str, str, str]:
    """(shop owner, distributor, buyer tokens, SKU, the buyer's paid order of 2 x 10,000) in a shop paying 10% to
    the distributor who referred the buyer: 2,000 of commission."""
    owner, shop_id, sku = await shop_with_policy(api, [1000], freeze=freeze)
    sharer, _ = await api.login(SHARER)
    await api.gql(APPLY, {"s": shop_id}, token=sharer)
    buyer, _ = await api.login("被推荐买家", await invite_code(api, sharer))
    order = (await place(api, buyer, [line(sku, 2)], "o1"))["order"]
    await pay(api, buyer, order["id"])
    return owner, sharer, buyer, sku, order["id"]


async def test_a_partial_refund_shrinks_frozen_commission_in_proportion(api: Api) -> None:
    # given a distributor's 2,000 frozen on a 20,000 order
    owner, sharer, buyer, _, order_id = await referred_order(api, freeze=7)
    # when one of the two units comes back
    asked = await ask(api, buyer, order_id, [(0, 1)], "half")
    await run(api, APPROVE, owner, asked["id"])
    # then the commission is that of the 10,000 kept
    me = await mine(api, sharer)
    assert [(e["node"]["amount"], e["node"]["status"]) for e in me["commissions"]["edges"]] == [
        ({"amount": 1000}, "FROZEN")
    ]
    assert me["stats"]["frozen"] == {"amount": 1000}


async def test_commission_already_withdrawn_becomes_a_negative_balance_earned_back_later(api: Api) -> None:
    # given a distributor whose 2,000 settled (no freeze) and who withdrew all of it
    owner, sharer, buyer, sku, order_id = await referred_order(api)
    sharer_id = (await api.login(SHARER))[1]["id"]
    await act(api, SHIP, owner, order_id)
    await act(api, CONFIRM, buyer, order_id)
    assert await settle_due(api.services) == 1
    withdrawn = (await api.gql(WITHDRAW, {"a": 2000, "k": "w1"}, token=sharer))["data"]["withdrawCommission"]
    assert withdrawn["errors"] == []
    # when one unit comes back within the after-sale window (received goods, returned)
    asked = await ask(api, buyer, order_id, [(0, 1)], "back", kind="RETURN_AND_REFUND")
    await run(api, APPROVE, owner, asked["id"])
    await run(api, SHIP_RETURN, buyer, asked["id"], c="顺丰", t="SF0001")
    assert (await run(api, RECEIVED, owner, asked["id"]))["afterSale"]["status"] == "REFUNDED"
    # then the 1,000 earned on the refunded money is taken from the available balance, which goes below zero
    me = await mine(api, sharer)
    assert (me["stats"]["available"], me["stats"]["withdrawn"]) == ({"amount": -1000}, {"amount": 2000})
    assert [e["node"]["amount"] for e in me["commissions"]["edges"]] == [{"amount": 1000}]
    # and nothing can be withdrawn while it is: a withdrawal never takes the balance below zero itself
    refused = (await api.gql(WITHDRAW, {"a": 100, "k": "w2"}, token=sharer))["data"]["withdrawCommission"]
    assert refused["errors"][0]["code"] == "INSUFFICIENT_FUNDS"
    balance = await api.services.store.get("balances", from_global_id(sharer_id)[1])
    assert balance is not None and balance["available"] == -1000
    # when the buyer's next order earns the distributor 2,000 and it settles, the debt is earned back first
    again = (await place(api, buyer, [line(sku, 2)], "o2"))["order"]
    await pay(api, buyer, again["id"])
    await act(api, SHIP, owner, again["id"])
    await act(api, CONFIRM, buyer, again["id"])
    await settle_due(api.services)
    assert (await mine(api, sharer))["stats"]["available"] == {"amount": 1000}


async def test_a_member_s_refund_after_the_team_succeeded_leaves_the_team_as_it_closed(api: Api) -> None:
    # given a team that succeeded at 9,000, each member having paid 10,000 and got 1,000 back
    owner, _, sku = await team_shop(api)
    tokens = [(await api.login(f"售后团员{i}"))[0] for i in range(3)]
    orders = await full_team(api, sku, tokens)
    # when a member asks for their money back
    asked = await ask(api, tokens[0], orders[0], [(0, 1)], "team")
    # then at most the 9,000 left can come back, and once it has the order is REFUNDED
    assert asked["amount"] == {"amount": 9000}
    approved = await run(api, APPROVE, owner, asked["id"])
    assert approved["afterSale"]["order"]["status"] == "REFUNDED"
    doc = await api.services.store.get("orders", from_global_id(orders[0])[1]) or {}
    assert (doc["refunded"], doc["total"]) == (10_000, 10_000)
    # and the team stays SUCCEEDED with its three paid members (the member is marked refunded)
    team = await api.services.store.get("teams", doc["teamId"]) or {}
    assert (team["status"], team["paidCount"]) == ("SUCCEEDED", 3)
    member = await api.services.store.get("team_members", f"{doc['teamId']}:{doc['buyerId']}") or {}
    assert member["refunded"] is True


async def test_a_team_order_has_no_after_sale_before_its_team_succeeded(api: Api) -> None:
    # given a paid leader of a team still open
    _, _, sku = await team_shop(api)
    leader, _ = await api.login("开团人")
    started = await start(api, leader, sku, "t")
    await pay(api, leader, started["order"]["id"])
    # when the leader asks for an after-sale
    request = {
        "orderId": started["order"]["id"],
        "kind": "REFUND_ONLY",
        "lines": [{"lineIndex": 0, "quantity": 1}],
        "reason": "不想拼了",
        "idempotencyKey": "k",
    }
    refused = (await api.gql(REQUEST, {"in": request}, token=leader))["data"]["requestAfterSale"]
    # then it is refused (refundOrder gives it all back and frees the seat), and the team is unchanged
    assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == ("INVALID_STATE", ["input", "orderId"])
    team = await api.services.store.get("teams", from_global_id(started["team"]["id"])[1]) or {}
    assert (team["status"], team["paidCount"]) == ("OPEN", 1)

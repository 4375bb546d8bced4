"""A seckill order is priced by the one pipeline (domain/pricing.py) like every other order: the seckill price is the
line's SECKILL activity, the member price does not stack on it, and the seckill campaign's `stackableWith` decides
whether the shop's full-reduction applies (its amount then allocated to the line's `discount`)."""

from __future__ import annotations

from domain.ids import from_global_id
from domain.membership import Benefits, Level
from resolvers.membership import set_levels
from tests.api.conftest import Api, Clock
from tests.api.test_campaigns import create as create_discount
from tests.api.test_seckill import DAY0, HOUR, attempt, campaign_input, create, make_product, path_token


async def test_a_seckill_order_takes_its_adjustments_and_line_discounts_from_the_pipeline(api: Api) -> None:
    # given two SKUs at 300 yuan, a member price of 90 % for everybody, and a running 满100减10
    clock = Clock(DAY0 + 9 * HOUR)
    api.services.clock = clock
    merchant, _ = await api.login("秒杀定价店主")
    shop, _, (plain, stacking) = await make_product(api, merchant, prices=(30_000, 30_000), stock=10)
    await set_levels(api.services, "op", [Level(1, "会员", 0, Benefits(price_percent=90))])
    reduction = await create_discount(
        api, merchant, shop, clock, tiers=[{"threshold": 10_000, "amountOff": 1_000}], endsAt="2026-06-05T00:00:00Z"
    )
    assert reduction["errors"] == []
    # and two seckills at 200 yuan: one declaring nothing, one combining with full-reduction
    items = [{"skuId": plain, "price": 20_000, "stock": 5}]
    first = await create(api, merchant, campaign_input(shop, plain, items=items))
    items = [{"skuId": stacking, "price": 20_000, "stock": 5}]
    second = await create(api, merchant, campaign_input(shop, stacking, items=items, stackableWith=["FULL_REDUCTION"]))
    assert first["errors"] == [] and second["errors"] == []
    buyer, _ = await api.login("秒杀定价买家")
    clock.ms = DAY0 + 10 * HOUR

    async def rush(campaign: str, sku: str, key: str) -> dict:
        path = await path_token(api, buyer, campaign)
        assert path is not None
        bought = await attempt(api, buyer, campaign, sku, path, key)
        assert bought["errors"] == []
        return await api.services.store.get("orders", from_global_id(bought["order"]["id"])[1]) or {}

    # when the buyer rushes the one that declares nothing
    order = await rush(first["campaign"]["id"], plain, "p-1")
    # then the member price is replaced by the seckill price (not stacked: 300 - 200 yuan off in all) and the
    # full-reduction is refused, as the pipeline's safe default says
    seckill_id = from_global_id(first["campaign"]["id"])[1]
    assert [(a["kind"], a["amount"], a["campaignId"]) for a in order["adjustments"]] == [
        ("MEMBER_PRICE", -3_000, None),
        ("SECKILL", -7_000, seckill_id),
    ]
    assert sum(a["amount"] for a in order["adjustments"]) == -(30_000 - 20_000) * 1
    assert order["total"] == 20_000 and order["lines"][0]["discount"] == 0
    # and the one that combines with full-reduction gets 10 yuan more off, allocated to its line
    order = await rush(second["campaign"]["id"], stacking, "p-2")
    assert [(a["kind"], a["amount"]) for a in order["adjustments"]] == [
        ("MEMBER_PRICE", -3_000),
        ("SECKILL", -7_000),
        ("FULL_REDUCTION", -1_000),
    ]
    assert order["total"] == 19_000 and order["lines"][0]["discount"] == 1_000
    assert order["lines"][0]["unitPrice"] == 20_000 and order["subtotal"] == 20_000

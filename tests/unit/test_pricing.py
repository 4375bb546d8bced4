"""The price pipeline (domain/pricing.py): each step, how kinds combine, and properties over any inputs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import pricing as p
from domain.allocation import order_shares


def line(sku: str, price: int, quantity: int = 1, product: str | None = None, **kw: object) -> p.LineIn:
    return p.LineIn(sku, product or f"p-{sku}", quantity, price, **kw)  # type: ignore[arg-type]


def reduction(cid: str = "fr", tiers: tuple[tuple[int, int], ...] = ((10_000, 1_000),), **kw: object) -> p.Campaign:
    return p.Campaign(cid, p.FULL_REDUCTION, f"Reduction {cid}", tiers=tuple(p.Tier(*t) for t in tiers), **kw)  # type: ignore[arg-type]


def kinds(priced: p.Priced) -> list[tuple[str, int]]:
    return [(a.kind, a.amount) for a in priced.adjustments]


def test_plain_lines_cost_their_sku_prices_plus_shipping() -> None:
    priced = p.price(p.PricingInput((line("a", 1_000, 2), line("b", 500)), shipping_fee=800))
    assert (priced.subtotal, priced.discount, priced.total) == (2_500, 0, 3_300)
    assert kinds(priced) == [("SHIPPING", 800)]


def test_full_reduction_takes_its_highest_tier_reached_allocated_to_the_fen() -> None:
    campaign = reduction(tiers=((10_000, 1_000), (20_000, 3_000)))
    priced = p.price(p.PricingInput((line("a", 7_000), line("b", 7_001, 2)), campaigns=(campaign,)))
    assert kinds(priced) == [("FULL_REDUCTION", -3_000)]
    assert sum(x.discount for x in priced.lines) == 3_000
    assert priced.total == 21_002 - 3_000
    below = p.price(p.PricingInput((line("a", 9_999),), campaigns=(campaign,)))
    assert below.adjustments == ()


def test_full_discount_takes_percent_off_and_the_better_campaign_wins_alone() -> None:
    discount = p.Campaign("fd", p.FULL_DISCOUNT, "10% off", tiers=(p.Tier(10_000, 10),))
    priced = p.price(p.PricingInput((line("a", 30_000),), campaigns=(reduction(), discount)))
    assert kinds(priced) == [("FULL_DISCOUNT", -3_000)]  # not both: neither declares the other
    both = p.Campaign(
        "fd", p.FULL_DISCOUNT, "10% off", tiers=(p.Tier(10_000, 10),), stackable_with=frozenset({p.FULL_REDUCTION})
    )
    priced = p.price(p.PricingInput((line("a", 30_000),), campaigns=(reduction(), both)))
    assert kinds(priced) == [("FULL_DISCOUNT", -3_000), ("FULL_REDUCTION", -1_000)]


def test_time_discount_is_the_activity_price_and_excludes_full_reduction_by_default() -> None:
    timed = p.Campaign("td", p.TIME_DISCOUNT, "Flash", p.Scope("PRODUCTS", frozenset({"p-a"})), percent_off=20)
    lines = (line("a", 10_000), line("b", 10_000))
    priced = p.price(p.PricingInput(lines, campaigns=(timed, reduction(tiers=((15_000, 1_500),)))))
    assert priced.lines[0].unit_price == 8_000 and priced.lines[0].activity_kind == p.TIME_DISCOUNT
    assert kinds(priced) == [("TIME_DISCOUNT", -2_000)]  # b alone (10,000) does not reach 15,000
    allowed = reduction(tiers=((15_000, 1_500),), stackable_with=frozenset({p.TIME_DISCOUNT}))
    priced = p.price(p.PricingInput(lines, campaigns=(timed, allowed)))
    assert kinds(priced) == [("TIME_DISCOUNT", -2_000), ("FULL_REDUCTION", -1_500)]


def test_group_buy_lines_stay_out_of_full_reduction_unless_the_campaign_allows_group_buys() -> None:
    team = p.Activity(p.GROUP_BUY, 15_000, "Group-buy price")
    lines = (line("a", 20_000, activity=team),)
    assert kinds(p.price(p.PricingInput(lines, campaigns=(reduction(),)))) == [("GROUP_BUY", -5_000)]
    allowing = reduction(stackable_with=frozenset({p.GROUP_BUY}))
    assert kinds(p.price(p.PricingInput(lines, campaigns=(allowing,)))) == [
        ("GROUP_BUY", -5_000),
        ("FULL_REDUCTION", -1_000),
    ]


def test_member_price_then_an_activity_price_only_when_lower() -> None:
    seckill = p.Activity(p.SECKILL, 9_500, "Seckill")
    priced = p.price(p.PricingInput((line("a", 10_000, activity=seckill),), member_price_percent=90))
    assert priced.lines[0].unit_price == 9_000
    assert kinds(priced) == [("MEMBER_PRICE", -1_000)]
    priced = p.price(p.PricingInput((line("a", 10_000, activity=seckill),), member_price_percent=98))
    assert kinds(priced) == [("MEMBER_PRICE", -200), ("SECKILL", -300)]


def test_shop_coupon_then_platform_coupon_each_with_its_min_spend() -> None:
    shop = p.Coupon("c1", p.SHOP_COUPON, "Shop", 1_000, 5_000)
    platform = p.Coupon("c2", p.PLATFORM_COUPON, "Platform", 500, 5_000)
    priced = p.price(p.PricingInput((line("a", 5_500),), shop_coupon=shop, platform_coupon=platform))
    assert kinds(priced) == [("SHOP_COUPON", -1_000)]  # 4,500 left: below the platform coupon's 5,000
    assert [r.target for r in priced.refusals] == [p.ON_PLATFORM_COUPON]
    priced = p.price(p.PricingInput((line("a", 6_000),), shop_coupon=shop, platform_coupon=platform))
    assert kinds(priced) == [("SHOP_COUPON", -1_000), ("PLATFORM_COUPON", -500)] and priced.refusals == ()


def test_a_coupon_the_applied_campaign_does_not_combine_with_is_refused() -> None:
    alone = reduction(stackable_with=frozenset())
    shop = p.Coupon("c1", p.SHOP_COUPON, "Shop", 1_000, 5_000)
    priced = p.price(p.PricingInput((line("a", 20_000),), campaigns=(alone,), shop_coupon=shop))
    assert kinds(priced) == [("FULL_REDUCTION", -1_000)]
    assert priced.refusals[0].code == "COUPON_UNAVAILABLE" and priced.shop_coupon is None


def test_points_up_to_the_share_and_the_balance() -> None:
    lines = (line("a", 10_000),)
    ok = p.price(p.PricingInput(lines, points=p.Points(5_000, 9_000)))
    assert kinds(ok) == [("POINTS", -5_000)] and ok.points_used == 5_000 and ok.total == 5_000
    over_share = p.price(p.PricingInput(lines, points=p.Points(5_001, 9_000)))
    assert over_share.refusals[0].target == p.ON_POINTS and over_share.total == 10_000
    over_balance = p.price(p.PricingInput(lines, points=p.Points(100, 99)))
    assert over_balance.refusals[0].code == "INSUFFICIENT_POINTS"
    per_200 = p.points_fen(301, 1_000, 10_000, per_yuan=200)
    assert per_200 == (0, ("INVALID_INPUT", "Points go by 2 (200 make 1 yuan)"))


def test_free_shipping_writes_a_zero_line() -> None:
    priced = p.price(p.PricingInput((line("a", 100),), shipping_fee=800, free_shipping=True))
    assert priced.total == 100 and kinds(priced) == [("SHIPPING", 0)]


def test_tiers_must_increase_and_stackable_kinds_must_be_known() -> None:
    now = 0
    problems = p.campaign_problems(
        p.FULL_REDUCTION,
        "X",
        1,
        2,
        "ALL",
        (),
        ("FULL_REDUCTION", "FREE_LUNCH"),
        (p.Tier(10_000, 1_000), p.Tier(10_000, 2_000)),
        None,
        now,
    )
    assert [x.field for x in problems] == ["stackableWith.1", "tiers.1"]
    assert p.tier_problems(p.FULL_DISCOUNT, (p.Tier(100, 10), p.Tier(200, 5)))[0].field == "tiers.1"
    assert p.campaign_problems(p.TIME_DISCOUNT, "X", 1, 2, "ALL", (), (), (), 100, now)[0].field == "percentOff"


# ---- properties


def lines_strategy() -> st.SearchStrategy[tuple[p.LineIn, ...]]:
    activity = st.none() | st.builds(
        p.Activity,
        st.sampled_from([p.SECKILL, p.GROUP_BUY, p.BARGAIN]),
        st.integers(0, 200_000),
        st.just("activity"),
        st.none(),
        st.frozensets(st.sampled_from(p.STACKABLE_KINDS)),
    )
    one = st.builds(
        p.LineIn,
        st.sampled_from(["s1", "s2", "s3", "s4"]),
        st.sampled_from(["p1", "p2", "p3"]),
        st.integers(1, 20),
        st.integers(1, 200_000),
        st.sampled_from([None, "tea", "fruit"]),
        activity,
    )
    return st.lists(one, min_size=1, max_size=20).map(tuple)


def campaign_strategy() -> st.SearchStrategy[p.Campaign]:
    scope = st.builds(p.Scope, st.sampled_from(p.SCOPE_KINDS), st.frozensets(st.sampled_from(["p1", "p2", "tea"])))
    stack = st.frozensets(st.sampled_from(p.STACKABLE_KINDS))
    tiers = st.lists(st.tuples(st.integers(1, 500_000), st.integers(1, 99)), min_size=1, max_size=3).map(
        lambda ts: tuple(p.Tier(t, v) for t, v in sorted(ts))
    )
    return st.builds(
        p.Campaign,
        st.sampled_from(["c1", "c2", "c3", "c4"]),
        st.sampled_from(p.CAMPAIGN_KINDS),
        st.just("campaign"),
        scope,
        stack,
        tiers,
        st.integers(0, 99),
    )


def coupon_strategy(kind: str) -> st.SearchStrategy[p.Coupon | None]:
    return st.none() | st.builds(
        p.Coupon, st.just(kind), st.just(kind), st.just("c"), st.integers(1, 100_000), st.integers(0, 200_000)
    )


inputs = st.builds(
    p.PricingInput,
    lines_strategy(),
    st.integers(1, 100),
    st.lists(campaign_strategy(), max_size=4).map(tuple),
    coupon_strategy(p.SHOP_COUPON),
    coupon_strategy(p.PLATFORM_COUPON),
    st.none() | st.builds(p.Points, st.integers(0, 300_000), st.integers(0, 300_000)),
    st.integers(0, 5_000),
    st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_a_total_is_never_negative_never_above_the_undiscounted_sum_and_always_the_same(order: p.PricingInput) -> None:
    priced = p.price(order)
    undiscounted = sum(x.list_price * x.quantity for x in order.lines) + order.shipping_fee
    assert 0 <= priced.total <= undiscounted
    assert priced.total == priced.list_subtotal + sum(a.amount for a in priced.adjustments)
    assert all(0 <= x.discount <= x.amount for x in priced.lines)
    assert all(0 <= x.unit_price <= x.line.list_price for x in priced.lines)
    assert p.price(order) == priced  # deterministic
    # what refunds read back is what the pipeline allocated
    doc = {
        "lines": [
            {"unitPrice": x.unit_price, "quantity": x.line.quantity, "discount": x.discount} for x in priced.lines
        ],
        "discount": priced.discount,
        "shippingFee": priced.shipping_fee,
    }
    shares = order_shares(doc)
    assert [s.discount for s in shares] == [x.discount for x in priced.lines]
    assert sum(s.paid for s in shares) == priced.total

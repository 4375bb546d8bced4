"""Pure commerce rules: the order status machine, numbers, points and levels, search terms, catalog checks."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from domain import membership
from domain import orders as o
from domain.catalog import bargain_problems, coupon_refusal, group_buy_problems, stock_change_problems
from domain.search import matches, normalize, query_terms, terms

STATUSES = [
    o.PENDING_PAYMENT,
    o.PAID,
    o.PARTLY_SHIPPED,
    o.SHIPPED,
    o.COMPLETED,
    o.CANCELLED,
    o.REFUNDING,
    o.REFUNDED,
]


def test_the_status_machine_allows_exactly_the_documented_moves() -> None:
    allowed = {(a, b) for a in STATUSES for b in STATUSES if o.can_move(a, b)}
    assert allowed == {
        (o.PENDING_PAYMENT, o.PAID),
        (o.PENDING_PAYMENT, o.CANCELLED),
        (o.PAID, o.PARTLY_SHIPPED),
        (o.PAID, o.SHIPPED),
        (o.PAID, o.REFUNDING),
        (o.PARTLY_SHIPPED, o.PARTLY_SHIPPED),  # another package, units still left
        (o.PARTLY_SHIPPED, o.SHIPPED),
        (o.PARTLY_SHIPPED, o.REFUNDING),
        (o.SHIPPED, o.COMPLETED),
        (o.SHIPPED, o.REFUNDING),
        (o.COMPLETED, o.REFUNDING),  # after-sales gave back the last of a completed order's money
        (o.REFUNDING, o.REFUNDED),
    }
    assert o.sources_of(o.REFUNDING) == [o.COMPLETED, o.PAID, o.PARTLY_SHIPPED, o.SHIPPED]
    assert o.sources_of(o.COMPLETED) == [o.SHIPPED]  # receipt only once every unit has shipped
    assert o.BUYER_REFUNDABLE == {o.PAID}  # the buyer alone, only before anything left
    assert not any(o.can_move(final, b) for final in (o.CANCELLED, o.REFUNDED) for b in STATUSES)


def test_the_schema_enum_is_the_domain_s_statuses() -> None:
    from schema.orders import OrderStatus

    assert tuple(s.value for s in OrderStatus) == o.STATUSES == tuple(STATUSES)


def test_order_numbers_are_china_time_and_digits() -> None:
    assert o.order_number(datetime(2026, 11, 24, 16, 30, 5, tzinfo=UTC), "00000042") == "2026112500300500000042"
    assert len({o.order_number(datetime.now(UTC)) for _ in range(200)}) == 200


def test_points_and_levels() -> None:
    assert [o.points_earned(f) for f in (0, 99, 100, 12_345, -5)] == [0, 0, 1, 123, 0]
    growths = (0, 99, 100, 499, 500, 2_000, 10_000, 50_000, 10**9)
    assert [membership.level_of(g).level for g in growths] == [1, 1, 2, 2, 3, 4, 5, 6, 6]


def test_search_terms_and_matching() -> None:
    assert normalize("  Apple iPhone！15　Pro ") == "apple iphone 15 pro"
    assert {"绿茶", "明前", "礼盒", "绿", "盒"} <= terms("明前绿茶礼盒")
    assert query_terms("西湖龙井") == ["西湖", "湖龙", "龙井"] and query_terms("红") == ["红"]
    assert matches("明前绿茶礼盒 茶叶", "绿茶") and not matches("明前绿茶礼盒", "红茶")
    assert matches("Apple iPhone 15 Pro", "IPHONE 15") and not matches("Apple iPhone 15 Pro", "iphone 16")


@given(st.text(min_size=2, max_size=30), st.data())
def test_every_substring_query_finds_its_text_through_its_terms(text: str, data: st.DataObject) -> None:
    words = normalize(text).split()
    if not words:
        return
    word = data.draw(st.sampled_from(words))
    start = data.draw(st.integers(0, len(word) - 1))
    piece = word[start : data.draw(st.integers(start + 1, len(word)))]
    assert set(query_terms(piece)) <= terms(text)
    assert matches(text, piece)


def test_offer_and_stock_rules() -> None:
    good = {"tiers": [{"size": 2, "price": 900}, {"size": 5, "price": 800}], "durationMinutes": 60}
    assert group_buy_problems(good, 1000) == []
    assert {p.field for p in group_buy_problems({**good, "tiers": [{"size": 1, "price": 1000}]}, 1000)} == {
        "groupBuy.tiers.0.size",
        "groupBuy.tiers.0.price",
    }
    assert bargain_problems({"floorPrice": 500, "helpersNeeded": 5, "durationMinutes": 60}, 1000) == []
    assert [
        p.field for p in bargain_problems({"floorPrice": 998, "helpersNeeded": 5, "durationMinutes": 60}, 1000)
    ] == ["bargain.floorPrice"]
    assert stock_change_problems(3, -3) == [] and stock_change_problems(3, -4)[0].field == "delta"


def test_coupon_terms() -> None:
    coupon = {"shopId": "s1", "validUntil": 2_000, "minSpend": 5_000}
    assert coupon_refusal(coupon, "s1", 1_000) is None
    assert coupon_refusal(coupon, "s2", 1_000) is not None
    assert coupon_refusal({**coupon, "shopId": None}, "s2", 1_000) is None  # a platform coupon pays at any shop
    assert coupon_refusal(coupon, "s1", 2_000) is not None

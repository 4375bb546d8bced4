"""The money allocation of domain/allocation.py: each line's share of an order's discount and shipping fee, to the
fen, and what a line may still give back. Whatever the order, the shares are whole, never negative and add up
exactly; the lines' paid amounts add up to the total; the refunds of a line never pass what it was paid."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain import allocation

PRICE = st.integers(min_value=0, max_value=1_000_000)
QUANTITY = st.integers(min_value=1, max_value=999)
LINES = st.lists(st.tuples(PRICE, QUANTITY), min_size=1, max_size=50)
FEE = st.integers(min_value=0, max_value=100_000)


@st.composite
def orders(draw: st.DrawFn) -> tuple[list[tuple[int, int]], int, int]:
    """(lines as (unit price, quantity), a discount of at most the subtotal, a shipping fee)."""
    lines = draw(LINES)
    subtotal = sum(p * q for p, q in lines)
    return lines, draw(st.integers(min_value=0, max_value=subtotal)), draw(FEE)


def grosses(lines: list[tuple[int, int]]) -> list[int]:
    return [p * q for p, q in lines]


@given(orders())
def test_the_shares_are_whole_never_negative_and_add_up_exactly(order: tuple[list[tuple[int, int]], int, int]) -> None:
    # given an order's lines, discount and shipping fee
    lines, discount, fee = order
    # when they are allocated
    shares = allocation.allocate(grosses(lines), discount, fee)
    # then every share is >= 0, no line's discount passes its gross, and each sum is exact
    assert all(s.discount >= 0 and s.shipping >= 0 and s.discount <= s.gross for s in shares)
    assert sum(s.discount for s in shares) == discount
    assert sum(s.shipping for s in shares) == fee
    # and the lines' paid amounts add up to what the order was paid
    assert all(s.paid >= 0 for s in shares)
    assert sum(s.paid for s in shares) == sum(grosses(lines)) - discount + fee


@given(orders())
def test_the_same_order_always_divides_the_same_way(order: tuple[list[tuple[int, int]], int, int]) -> None:
    lines, discount, fee = order
    assert allocation.allocate(grosses(lines), discount, fee) == allocation.allocate(grosses(lines), discount, fee)


@given(orders())
def test_shares_follow_the_lines_gross(order: tuple[list[tuple[int, int]], int, int]) -> None:
    # each share is within one fen of the exact proportional share
    lines, discount, fee = order
    total = sum(grosses(lines))
    for share in allocation.allocate(grosses(lines), discount, fee):
        if total:
            assert abs(share.discount * total - discount * share.gross) < total
            assert abs(share.shipping * total - fee * share.gross) < total


def test_the_left_over_fen_go_to_the_largest_remainders_then_the_earlier_line() -> None:
    # 100 fen over three equal lines: 33 each and one left over, to the first line (a tie)
    assert allocation.split(100, [1, 1, 1]) == [34, 33, 33]
    # 10 fen by 1:2: exact shares 3.33 and 6.67; the fen left goes to the larger remainder
    assert allocation.split(10, [1, 2]) == [3, 7]
    # all-zero weights (free lines) split evenly
    assert allocation.split(5, [0, 0]) == [3, 2]


def test_an_order_document_without_a_shipping_fee_is_allocated_as_free_shipping() -> None:
    order = {"lines": [{"unitPrice": 1500, "quantity": 2}, {"unitPrice": 2500, "quantity": 1}], "discount": 550}
    shares = allocation.order_shares(order)
    assert [(s.gross, s.discount, s.shipping, s.paid) for s in shares] == [(3000, 300, 0, 2700), (2500, 250, 0, 2250)]


@st.composite
def refund_runs(draw: st.DrawFn) -> tuple[int, int, list[tuple[int, int | None]]]:
    """(a line's paid amount, its units, refunds asked one after another as (units, fen or None for the most))."""
    paid = draw(st.integers(min_value=0, max_value=10_000_000))
    quantity = draw(QUANTITY)
    asks = draw(
        st.lists(
            st.tuples(st.integers(min_value=-2, max_value=quantity + 2), st.none() | st.integers(-5, 10_000_000)),
            max_size=30,
        )
    )
    return paid, quantity, asks


@given(refund_runs())
def test_a_line_s_refunds_never_add_up_to_more_than_it_was_paid(
    run: tuple[int, int, list[tuple[int, int | None]]],
) -> None:
    # given a line paid `paid` for `quantity` units, and refunds asked one after another
    paid, quantity, asks = run
    units_back = amount_back = 0
    for units, asked in asks:
        most = allocation.refundable(paid, quantity, units_back, amount_back, units)
        # then each refund takes at most what is refundable for its units (the caller refuses more)
        amount = most if asked is None else asked
        if most == 0 or not 0 < amount <= most:
            continue
        units_back += units
        amount_back += amount
        # and what came back never passes what those units were paid
        assert amount_back <= allocation.cap(paid, quantity, units_back) <= paid
    assert amount_back <= paid and units_back <= quantity


@given(st.integers(min_value=0, max_value=10_000_000), QUANTITY, st.data())
def test_taking_the_most_each_time_gives_back_exactly_what_was_paid(
    paid: int, quantity: int, data: st.DataObject
) -> None:
    # given a line refunded in pieces, each for the most its units may bring back
    units_back = amount_back = 0
    while units_back < quantity:
        units = data.draw(st.integers(min_value=1, max_value=quantity - units_back))
        amount_back += allocation.refundable(paid, quantity, units_back, amount_back, units)
        units_back += units
    # then once every unit is back, so is every fen of it: no fen lost to rounding
    assert amount_back == paid


@given(orders())
def test_the_lines_refunded_in_full_give_back_the_order_s_total(order: tuple[list[tuple[int, int]], int, int]) -> None:
    lines, discount, fee = order
    shares = allocation.allocate(grosses(lines), discount, fee)
    back = sum(allocation.refundable(s.paid, q, 0, 0, q) for s, (_, q) in zip(shares, lines, strict=True))
    assert back == sum(grosses(lines)) - discount + fee


def test_units_that_are_not_left_bring_nothing_back() -> None:
    assert allocation.refundable(1000, 2, 2, 1000, 1) == 0  # the line is refunded already
    assert allocation.refundable(1000, 2, 0, 0, 3) == 0  # more units than the line has
    assert allocation.refundable(1000, 2, 0, 0, 0) == 0
    assert allocation.refundable(1000, 3, 0, 0, 1) == 333 and allocation.refundable(1000, 3, 1, 333, 2) == 667

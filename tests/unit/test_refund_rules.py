"""The refund rules of domain/refunds.py: whatever refunds are asked, in whatever order, they never add up to more
than was paid; commission and points shrink with the money kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain import refunds
from domain.distribution import commission
from domain.orders import points_earned

PAID = st.integers(min_value=0, max_value=2**31 - 1)
ASK = st.one_of(st.none(), st.integers(min_value=-(2**40), max_value=2**40))


@given(PAID, st.lists(ASK, max_size=20))
def test_refunds_never_add_up_to_more_than_was_paid(paid: int, asks: list[int | None]) -> None:
    # given an order paid `paid`, when refunds are asked one after another (None: all that is left)
    refunded = 0
    for asked in asks:
        amount = refunds.take(paid, refunded, asked)
        # then each is 0 (refused) or a positive amount that fits in what is left
        assert 0 <= amount <= refunds.left(paid, refunded)
        refunded += amount
    # and all of them together never pass what was paid
    assert refunded <= paid


@given(PAID, st.integers(min_value=0, max_value=2**31 - 1), st.integers(min_value=1, max_value=2**31 - 1))
def test_an_amount_that_fits_is_given_in_full_and_one_that_does_not_is_refused(
    paid: int, refunded: int, asked: int
) -> None:
    refunded = min(refunded, paid)
    amount = refunds.take(paid, refunded, asked)
    assert amount == (asked if asked <= paid - refunded else 0)


@given(PAID, st.integers(min_value=0, max_value=2**31 - 1))
def test_the_rest_is_all_that_is_left(paid: int, refunded: int) -> None:
    refunded = min(refunded, paid)
    assert refunds.take(paid, refunded, None) == paid - refunded


def test_a_difference_then_the_rest_add_up_to_what_was_paid() -> None:
    # the finding: 10,000 paid, 1,000 difference back, then the buyer's refund
    difference = refunds.take(10_000, 0, 1_000)
    rest = refunds.take(10_000, difference, None)
    assert (difference, rest) == (1_000, 9_000)
    assert refunds.take(10_000, 10_000, None) == 0  # and nothing after that


@given(PAID, st.integers(min_value=0, max_value=5_000), st.integers(min_value=0, max_value=2**31 - 1))
def test_commission_kept_is_that_of_the_money_kept(paid: int, rate_bp: int, refunded: int) -> None:
    refunded = min(refunded, paid)
    amount = commission(paid, rate_bp)
    back = refunds.commission_back(amount, rate_bp, paid - refunded)
    assert 0 <= back <= amount
    assert amount - back == commission(paid - refunded, rate_bp)
    assert refunds.commission_back(amount, rate_bp, 0) == amount  # a full refund reverses it all


@given(PAID, st.integers(min_value=0, max_value=2**31 - 1))
def test_points_kept_are_those_of_the_money_kept(paid: int, refunded: int) -> None:
    refunded = min(refunded, paid)
    granted = points_earned(paid)
    assert granted - refunds.points_back(granted, paid - refunded) == points_earned(paid - refunded)


def test_retries_back_off_to_a_ceiling() -> None:
    delays = [refunds.retry_delay_ms(n) for n in range(1, 20)]
    assert delays == sorted(delays) and delays[0] == refunds.RETRY_FIRST_MS
    assert max(delays) == refunds.RETRY_MAX_MS

"""The payout rules of domain/payouts.py: which transfer states end a withdrawal and how, the bill number, the
delays between looks, and when a transfer waiting for the user is cancelled."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import payouts as rules
from domain.distribution import withdrawal_problems
from store.ids import new_id

STATES = ["ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING", "SUCCESS", "FAIL", "CANCELING", "CANCELLED"]


def test_only_success_pays_and_only_fail_or_cancelled_fails() -> None:
    ends = {state: rules.outcome(state) for state in STATES}
    assert ends == {
        "ACCEPTED": None,
        "PROCESSING": None,
        "WAIT_USER_CONFIRM": None,
        "TRANSFERING": None,
        "SUCCESS": "PAID",
        "FAIL": "FAILED",
        "CANCELING": None,  # a cancellation asked for is not one made
        "CANCELLED": "FAILED",
    }
    assert rules.outcome("SOMETHING_NEW") is None  # an unknown state ends nothing: it is looked at again


def test_the_user_can_confirm_while_waiting_or_transfering_only() -> None:
    assert [s for s in STATES if rules.awaits_user(s)] == ["WAIT_USER_CONFIRM", "TRANSFERING"]
    assert not rules.awaits_user(None)
    assert rules.normal_state("CANCELLING") == "CANCELING" and rules.normal_state("FAIL") == "FAIL"


def test_the_bill_number_is_the_withdrawal_id_and_fits_wechat_pay() -> None:
    withdrawal_id = new_id()
    assert rules.bill_no(withdrawal_id) == withdrawal_id and withdrawal_id.isalnum() and len(withdrawal_id) <= 32
    for bad in ("has-dash", "x" * 33, ""):
        with pytest.raises(ValueError):
            rules.bill_no(bad)


@given(st.integers(min_value=1, max_value=10_000))
def test_looks_come_later_and_later_up_to_an_hour(checks: int) -> None:
    assert 10_000 <= rules.next_check_ms(checks) <= 3_600_000
    assert rules.next_check_ms(checks) <= rules.next_check_ms(checks + 1)


def test_a_transfer_is_overdue_after_the_confirmation_hours() -> None:
    hour = 3_600_000
    assert not rules.overdue(0, 48 * hour - 1, 48)
    assert rules.overdue(0, 48 * hour, 48)


def test_legacy_pending_withdrawals_read_as_requested() -> None:
    assert rules.status_of("PENDING") == "REQUESTED" and rules.status_of("PAID") == "PAID"


def test_a_withdrawal_is_one_yuan_to_the_maximum() -> None:
    assert withdrawal_problems(100, 199_999) == [] and withdrawal_problems(199_999, 199_999) == []
    assert [p.field for p in withdrawal_problems(99, 199_999) + withdrawal_problems(200_000, 199_999)] == [
        "amount",
        "amount",
    ]

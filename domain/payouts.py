"""Payouts: a withdrawal's states, and what WeChat Pay's merchant transfer (商家转账) states mean for it. No I/O.

A withdrawal is REQUESTED when it is recorded, PROCESSING once its money has left the available balance (ledger
WITHDRAWN) and the transfer is being made, then PAID when WeChat Pay says SUCCESS, or FAILED when it says FAIL or
CANCELLED (the money goes back to the available balance, once: ledger WITHDRAWAL_RETURNED). Every other transfer
state keeps it PROCESSING: WAIT_USER_CONFIRM and TRANSFERING are the two in which the user confirms the receipt in
the mini-program (wx.requestMerchantTransfer with the transfer's package).
"""

from __future__ import annotations

from domain.refunds import retry_delay_ms

REQUESTED = "REQUESTED"
PROCESSING = "PROCESSING"
PAID = "PAID"
FAILED = "FAILED"
LEGACY = {"PENDING": REQUESTED}  # what withdrawals recorded before payouts were made call REQUESTED

# How the money is paid: WeChat Pay's transfer to the user's WeChat balance, or nothing (dev mode only).
WECHAT_PAY = "WECHAT_PAY"
DEV = "DEV"

# WeChat Pay's transfer bill states (the official spelling is CANCELING; CANCELLING is read the same).
SUCCESS = "SUCCESS"
FAIL = "FAIL"
CANCELLED = "CANCELLED"
CANCELING = "CANCELING"
WAIT_USER_CONFIRM = "WAIT_USER_CONFIRM"
TRANSFERING = "TRANSFERING"
CONFIRMABLE = frozenset({WAIT_USER_CONFIRM, TRANSFERING})  # the user may open the confirmation page

# Ledger entry kinds of a withdrawal: the money taken, and the money given back after a failed transfer.
WITHDRAWN = "WITHDRAWN"
RETURNED = "WITHDRAWAL_RETURNED"

# Whoever works on a withdrawal holds it this long; past it the sweep takes over (a crashed request, a lost answer).
LEASE_MS = 120_000
REMARK = "佣金提现"  # what the user reads on the transfer (at most 32 characters)


def status_of(stored: str) -> str:
    return LEGACY.get(stored, stored)


def bill_no(withdrawal_id: str) -> str:
    """The transfer's out_bill_no: the withdrawal's own id (hex, 22 characters), so asking again with it can never
    pay twice (WeChat Pay takes a repeat of a bill number as the same bill: 原单重试)."""
    if not withdrawal_id.isalnum() or len(withdrawal_id) > 32:
        raise ValueError(f"{withdrawal_id!r} cannot be an out_bill_no (letters and digits, at most 32)")
    return withdrawal_id


def outcome(state: str) -> str | None:
    """The withdrawal's end for a transfer in `state`: PAID, FAILED, or None while it is not over."""
    if state == SUCCESS:
        return PAID
    if state in (FAIL, CANCELLED):
        return FAILED
    return None


def awaits_user(state: str | None) -> bool:
    return state in CONFIRMABLE


def normal_state(state: str) -> str:
    return CANCELING if state == "CANCELLING" else state


def next_check_ms(checks: int) -> int:
    """When to look at a transfer again after `checks` looks that found it unfinished (10 s doubling to 1 h)."""
    return retry_delay_ms(checks)


def overdue(processing_since: int, now: int, confirm_hours: float) -> bool:
    """A transfer waiting for the user's confirmation this long is cancelled (its money comes back)."""
    return now - processing_since >= confirm_hours * 3_600_000

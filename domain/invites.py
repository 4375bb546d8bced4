"""Invite rewards (邀请有礼): the states of an invitation and the day a reward counts against. No I/O.

An invitation is one per invitee (its `_id` is the invitee's id, so a user is bound once):

    SIGNED_UP --first paid order--> FIRST_ORDER_PAID --under the inviter's daily cap--> REWARDED
    FIRST_ORDER_PAID | REWARDED --that order refunded--> REVERSED

Every move is a compare-and-set on `state`, so a replayed payment or refund moves it once. An invitation whose
first order came when the inviter had used the day's cap stays FIRST_ORDER_PAID (no reward).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

SIGNED_UP = "SIGNED_UP"
FIRST_ORDER_PAID = "FIRST_ORDER_PAID"
REWARDED = "REWARDED"
REVERSED = "REVERSED"
STATES = (SIGNED_UP, FIRST_ORDER_PAID, REWARDED, REVERSED)
# what a refund of the first order reverses from
REVERSIBLE = (FIRST_ORDER_PAID, REWARDED)

CHINA = timezone(timedelta(hours=8))


def reward_day(at_ms: int) -> str:
    """The calendar day (China time, YYYYMMDD) a reward given at `at_ms` counts against for the daily cap."""
    return datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(CHINA).strftime("%Y%m%d")

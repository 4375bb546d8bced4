"""Distribution (分销) rules: commission policies, amounts, referral chains. No I/O.

A shop's policy pays up to 3 levels of the buyer's upline (three levels is also the legal ceiling for
distribution in China) a rate in basis points of the paid amount, 50% in all at most. Commission stays FROZEN
until `freezeDays` after the order completes (the after-sales window), then SETTLES into the available balance; a
refund REVERSES what it earned on the money refunded (domain/refunds.py), from frozen or from available: all of
it for a full refund, in proportion for a partial one (a team's price difference).
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.money import AMOUNT_MAX
from domain.profile import REGION_MAX as REGION_MAX  # a distributor's region is a profile region
from domain.profile import Problem

MAX_LEVELS = 3
MAX_TOTAL_BP = 5_000
MAX_FREEZE_DAYS = 90
MIN_WITHDRAWAL = 100  # fen: 1 yuan
DAY_MS = 86_400_000

FROZEN = "FROZEN"
SETTLED = "SETTLED"
REVERSED = "REVERSED"

PENDING = "PENDING"
ACTIVE = "ACTIVE"
REJECTED = "REJECTED"
SUSPENDED = "SUSPENDED"


def policy_problems(rates_bp: Sequence[int], freeze_days: int) -> list[Problem]:
    problems = []
    if not 1 <= len(rates_bp) <= MAX_LEVELS:
        problems.append(Problem("ratesBp", f"A policy pays 1 to {MAX_LEVELS} levels"))
    problems += [Problem(f"ratesBp.{i}", "A rate is 0 or more basis points") for i, r in enumerate(rates_bp) if r < 0]
    if sum(r for r in rates_bp if r > 0) > MAX_TOTAL_BP:
        problems.append(Problem("ratesBp", f"All levels together pay at most {MAX_TOTAL_BP} basis points (50%)"))
    if not 0 <= freeze_days <= MAX_FREEZE_DAYS:
        problems.append(Problem("freezeDays", f"Commission is frozen 0 to {MAX_FREEZE_DAYS} days"))
    return problems


def withdrawal_problems(amount: int, maximum: int = AMOUNT_MAX) -> list[Problem]:
    if not MIN_WITHDRAWAL <= amount <= min(maximum, AMOUNT_MAX):
        return [Problem("amount", f"A withdrawal is {MIN_WITHDRAWAL} fen (1 yuan) to {min(maximum, AMOUNT_MAX)} fen")]
    return []


def commission(paid: int, rate_bp: int) -> int:
    """floor(paid x rate), in fen."""
    return paid * rate_bp // 10_000


def region_ok(region_locked: bool, distributor_region: str | None, buyer_region: str | None) -> bool:
    return not region_locked or (distributor_region is not None and distributor_region == buyer_region)


def would_cycle(user_id: str, referrer_upline: Sequence[str]) -> bool:
    """Binding `user_id` under a referrer whose upline (the referrer first) is `referrer_upline` would loop."""
    return user_id in referrer_upline

"""The points mall's rewards: what a reward may be, and a redemption's states. No I/O.

A reward is a coupon (claimed for the member through the coupon claim, once per member, so at most 1 per member) or
a product (a voucher: a code the product's shop takes in exchange for it, once). Each has a cost in points, a stock
and a limit per member."""

from __future__ import annotations

from domain.points import MAX_AMOUNT
from domain.problem import Problem
from domain.text import text_problems

COUPON, PRODUCT = "COUPON", "PRODUCT"
PENDING, ISSUED, USED = "PENDING", "ISSUED", "USED"  # a redemption: taking its steps, done (its voucher used)
TITLE_MAX = 40
STOCK_MAX = 1_000_000
PER_USER_MAX = 100
# A redemption a crash left PENDING this long is undone by the sweep (its points, stock and limit given back).
STALE_MS = 5 * 60_000


def reward_problems(kind: str, title: str, points: int, stock: int, per_user_limit: int) -> list[Problem]:
    problems = text_problems("title", title, "A reward's title", TITLE_MAX)
    if not 1 <= points <= MAX_AMOUNT:
        problems.append(Problem("points", f"A reward costs 1 to {MAX_AMOUNT} points"))
    if not 1 <= stock <= STOCK_MAX:
        problems.append(Problem("stock", f"A reward has 1 to {STOCK_MAX} units"))
    if not 1 <= per_user_limit <= PER_USER_MAX:
        problems.append(Problem("perUserLimit", f"A member may redeem a reward 1 to {PER_USER_MAX} times"))
    elif kind == COUPON and per_user_limit != 1:
        problems.append(Problem("perUserLimit", "A coupon is claimed once per member: its limit is 1"))
    return problems

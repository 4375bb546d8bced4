"""Member levels: a growth value and the table of levels it climbs, with each level's benefits. No I/O.

Growth is what a member has given the platform: one point per whole yuan of completed orders' money they kept, plus
the activity points they earned (invites). It only moves with the points ledger (each entry carries its growth) and
never falls when points are spent or expire; money refunded takes its growth back. The table's thresholds start at
0 and strictly increase; an operator may replace it (`setMemberLevels`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from domain.problem import Problem
from domain.text import text_problems

NAME_MAX = 20
MAX_LEVELS = 20


@dataclass(frozen=True)
class Benefits:
    """What a level gives: prices at `price_percent` (100 = no member price, 95 = 5 % off), free shipping, a
    birthday coupon (a coupon id, or None), and points earned at `points_multiplier_percent` (100 = as is)."""

    price_percent: int = 100
    free_shipping: bool = False
    points_multiplier_percent: int = 100
    birthday_coupon_id: str | None = None


@dataclass(frozen=True)
class Level:
    level: int  # 1, 2, ... in table order
    name: str
    growth: int  # the growth from which a member is at this level
    benefits: Benefits


DEFAULT_LEVELS = (
    Level(1, "普通会员", 0, Benefits()),
    Level(2, "铜牌会员", 100, Benefits(points_multiplier_percent=110)),
    Level(3, "银牌会员", 500, Benefits(price_percent=98, points_multiplier_percent=120)),
    Level(4, "金牌会员", 2_000, Benefits(price_percent=95, free_shipping=True, points_multiplier_percent=150)),
    Level(5, "铂金会员", 10_000, Benefits(price_percent=92, free_shipping=True, points_multiplier_percent=180)),
    Level(6, "钻石会员", 50_000, Benefits(price_percent=90, free_shipping=True, points_multiplier_percent=200)),
)


def level_of(growth: int, table: Sequence[Level] = DEFAULT_LEVELS) -> Level:
    """The highest level whose threshold the growth reaches (the first level otherwise)."""
    reached = [lv for lv in table if growth >= lv.growth]
    return reached[-1] if reached else table[0]


def next_level(growth: int, table: Sequence[Level] = DEFAULT_LEVELS) -> Level | None:
    return next((lv for lv in table if lv.growth > growth), None)


def table_problems(table: Sequence[Level]) -> list[Problem]:
    """A level table: 1 to MAX_LEVELS levels, the first from growth 0, thresholds strictly increasing, named,
    benefits in range."""
    if not 1 <= len(table) <= MAX_LEVELS:
        return [Problem("levels", f"A table has 1 to {MAX_LEVELS} levels")]
    problems: list[Problem] = []
    if table[0].growth != 0:
        problems.append(Problem("levels.0.growth", "The first level starts at growth 0"))
    for i, (before, lv) in enumerate(pairwise(table), start=1):
        if lv.growth <= before.growth:
            problems.append(Problem(f"levels.{i}.growth", "Thresholds strictly increase from one level to the next"))
    for i, lv in enumerate(table):
        problems += text_problems(f"levels.{i}.name", lv.name, "A level's name", NAME_MAX)
        if not 50 <= lv.benefits.price_percent <= 100:
            problems.append(Problem(f"levels.{i}.pricePercent", "A member price is 50 to 100 percent of the price"))
        if not 100 <= lv.benefits.points_multiplier_percent <= 1000:
            problems.append(Problem(f"levels.{i}.pointsMultiplierPercent", "A multiplier is 100 to 1000 percent"))
    return problems


def to_doc(table: Sequence[Level]) -> list[dict[str, object]]:
    return [
        {
            "name": lv.name,
            "growth": lv.growth,
            "pricePercent": lv.benefits.price_percent,
            "freeShipping": lv.benefits.free_shipping,
            "pointsMultiplierPercent": lv.benefits.points_multiplier_percent,
            "birthdayCouponId": lv.benefits.birthday_coupon_id,
        }
        for lv in table
    ]


def from_doc(levels: Sequence[dict[str, object]]) -> tuple[Level, ...]:
    return tuple(
        Level(
            i + 1,
            str(d["name"]),
            int(d["growth"]),  # type: ignore[call-overload]
            Benefits(
                int(d["pricePercent"]),  # type: ignore[call-overload]
                bool(d["freeShipping"]),
                int(d["pointsMultiplierPercent"]),  # type: ignore[call-overload]
                d.get("birthdayCouponId") or None,  # type: ignore[arg-type]
            ),
        )
        for i, d in enumerate(levels)
    )


def multiplied(points: int, multiplier_percent: int) -> int:
    """Points earned at a level's multiplier, rounded down."""
    return points * multiplier_percent // 100

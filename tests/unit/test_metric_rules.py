"""The dashboard's pure rules: the previous-period change, ranges, the repurchase rate, sketches."""

from __future__ import annotations

from domain import metrics as rules

DAY = rules.DAY_MS


def test_change_is_null_when_there_is_nothing_to_compare_with() -> None:
    assert rules.change(150, 100) == 0.5
    assert rules.change(0, 100) == -1.0
    assert rules.change(100, 0) is None  # not (100 - 0) / 1
    assert rules.change(None, 100) is None and rules.change(100, None) is None


def test_range_rules() -> None:
    assert rules.range_problems(0, 366 * DAY, "DAY") == []
    assert rules.range_problems(0, 366 * DAY + 1, "DAY")[0].field == "to"
    assert rules.range_problems(DAY, DAY, "DAY")[0].field == "to"
    assert rules.range_problems(0, 7 * DAY, "HOUR") == []
    assert rules.range_problems(0, 7 * DAY + 1, "HOUR")[0].field == "granularity"


def test_repurchase_counts_orders_in_the_30_days_from_the_first_in_the_period() -> None:
    paid = [
        ("a", 1 * DAY),
        ("a", 20 * DAY),  # twice within 30 days: repeat
        ("b", 2 * DAY),
        ("b", 40 * DAY),  # the second is 38 days later: not
        ("c", -5 * DAY),
        ("c", 3 * DAY),  # the earlier order is before the period: c's first in it is day 3
        ("d", 50 * DAY),  # not a buyer of the period [0, 10 days)
    ]
    assert rules.repurchase_rate(paid, 0, 10 * DAY) == 1 / 3
    assert rules.repurchase_rate([], 0, DAY) is None


def test_sketches_merge_to_the_distinct_count() -> None:
    day1 = rules.sketch(f"u{i}" for i in range(1000))
    day2 = rules.sketch(f"u{i}" for i in range(500, 1500))
    assert abs(rules.merged_count([day1, day2]) - 1500) < 1500 * 0.05
    assert rules.merged_count([rules.sketch(["a", "b", "c"]), rules.sketch(["c"])]) == 3

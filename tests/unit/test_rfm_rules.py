"""RFM cut points, quantiles and segments; retention days, weeks and cohorts (domain/rfm.py, domain/retention.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from domain import retention
from domain import rfm as rules


def arr(*values: int) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def test_the_fixed_frequency_cut_points_make_1_2_3to4_5to9_10plus() -> None:
    orders = arr(1, 2, 3, 4, 5, 9, 10, 250)
    assert rules.scores_up(orders, rules.DEFAULT_FREQUENCY_CUTS).tolist() == [1, 2, 3, 3, 4, 4, 5, 5]


def test_recency_scores_count_the_cut_points_at_or_above_the_days() -> None:
    # given: score 5 up to 7 days, 4 up to 30, 3 up to 90, 2 up to 180
    days = arr(0, 7, 8, 30, 31, 90, 91, 180, 181, 5000)
    assert rules.scores_down(days, (7, 30, 90, 180)).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_quintiles_of_distinct_values_put_a_fifth_in_each_score() -> None:
    amounts = arr(*range(100, 1100, 100))  # 10 buyers: 100 .. 1000 fen
    cuts = rules.quantile_cuts(amounts)
    assert cuts == (300, 500, 700, 900)
    assert rules.scores_up(amounts, cuts).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_are_never_split_and_take_the_lowest_score_they_reach() -> None:
    # given: 6 of 10 paid 100, then 200, 300, 400, 500
    amounts = arr(100, 100, 100, 100, 100, 100, 200, 300, 400, 500)
    cuts = rules.quantile_cuts(amounts)
    # ceil(k*10/5) = 2, 4, 6, 8 values below: 100 has none below, 200 has 6, 400 has 8
    assert cuts == (200, 200, 200, 400)
    assert rules.scores_up(amounts, cuts).tolist() == [1] * 6 + [4, 4, 5, 5]


def test_when_everybody_bought_once_the_same_amount_the_same_day_nobody_scores_high() -> None:
    days, orders, amount = arr(3, 3, 3, 3), arr(1, 1, 1, 1), arr(990, 990, 990, 990)
    scored = rules.score(days, orders, amount)
    assert scored.f.tolist() == [1, 1, 1, 1]  # fixed cut points: one order is F = 1, not a collapsed quantile
    assert scored.r.tolist() == [1, 1, 1, 1] and scored.m.tolist() == [1, 1, 1, 1]
    assert scored.cuts == rules.Cuts((2, 2, 2, 2), (2, 3, 5, 10), (991, 991, 991, 991))
    assert {rules.SEGMENT_OF_BITS[b] for b in scored.segment.tolist()} == {"GENERAL_WINBACK"}


def test_everybody_bought_once_at_different_times_and_amounts_only_f_is_low() -> None:
    days = arr(1, 2, 3, 4, 5)
    amount = arr(100, 200, 300, 400, 500)
    scored = rules.score(days, arr(1, 1, 1, 1, 1), amount)
    assert scored.r.tolist() == [5, 4, 3, 2, 1]  # most recent first
    assert scored.m.tolist() == [1, 2, 3, 4, 5]
    assert scored.f.tolist() == [1] * 5
    assert [rules.SEGMENT_OF_BITS[b] for b in scored.segment.tolist()] == [
        "GENERAL_DEVELOPMENT",  # R 5, M 1
        "GENERAL_DEVELOPMENT",  # R 4, M 2
        "IMPORTANT_DEVELOPMENT",  # R 3, M 3
        "IMPORTANT_WINBACK",  # R 2, M 4
        "IMPORTANT_WINBACK",  # R 1, M 5
    ]


def test_custom_cut_points_replace_the_quantiles() -> None:
    scored = rules.score(arr(10, 100), arr(1, 12), arr(5000, 90000), recency=(7, 30, 90, 180), monetary=(1, 2, 3, 4))
    assert scored.r.tolist() == [4, 2] and scored.m.tolist() == [5, 5] and scored.f.tolist() == [1, 5]


def test_segments_follow_the_high_low_rule_at_3() -> None:
    assert rules.segment_of(3, 3, 3) == "IMPORTANT_VALUE"
    assert rules.segment_of(2, 5, 5) == "IMPORTANT_RETENTION"
    assert rules.segment_of(5, 2, 3) == "IMPORTANT_DEVELOPMENT"
    assert rules.segment_of(1, 1, 3) == "IMPORTANT_WINBACK"
    assert rules.segment_of(5, 5, 2) == "GENERAL_VALUE"
    assert rules.segment_of(2, 2, 2) == "GENERAL_WINBACK"
    assert len({rules.SEGMENTS[s][3] for s in rules.SEGMENTS}) == 8


def test_custom_cut_points_must_be_four_strictly_increasing_numbers() -> None:
    assert rules.cut_problems("frequency", None) == []
    assert rules.cut_problems("frequency", [1, 2, 4, 8]) == []
    assert rules.cut_problems("frequency", [1, 2, 2, 8])[0].message == "Cut points must be strictly increasing"
    assert rules.cut_problems("recency", [30, 7, 90, 180])[0].field == "recency"
    assert rules.cut_problems("monetary", [1, 2, 3])[0].message.startswith("Give 4 cut points")
    assert rules.cut_problems("monetary", [-1, 2, 3, 4]) != []


def test_days_since_counts_whole_24_hour_periods() -> None:
    now = 100 * rules.DAY_MS
    assert rules.days_since(now, arr(now, now - 1, now - rules.DAY_MS, now - rules.DAY_MS - 1, now + 5)).tolist() == [
        0,
        0,
        1,
        1,
        0,
    ]


def test_the_trend_is_null_without_a_previous_run() -> None:
    assert rules.trend(5, None) is None and rules.trend(5, 7) == -2 and rules.trend(0, 0) == 0


def ms(*args: int) -> int:
    """UTC ms of a China-time wall clock time."""
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000) - retention.OFFSET_MS


def test_days_and_weeks_are_china_time_and_monday_first() -> None:
    # 2026-12-02 is a Wednesday
    assert retention.day_start(ms(2026, 12, 2, 23, 59)) == ms(2026, 12, 2)
    assert retention.day_start(ms(2026, 12, 3, 0, 0)) == ms(2026, 12, 3)
    assert retention.week_start(ms(2026, 12, 2, 12)) == ms(2026, 11, 30)
    assert retention.week_start(ms(2026, 12, 6, 23, 59)) == ms(2026, 11, 30)  # Sunday
    assert retention.week_start(ms(2026, 12, 7)) == ms(2026, 12, 7)  # Monday


def test_a_rate_counts_only_members_whose_day_is_over() -> None:
    day = ms(2026, 11, 30)
    now = day + 8 * retention.DAY_MS + 1  # day 7 is over, day 30 is not
    assert retention.matured(day, now) == [1, 7]
    members = [
        retention.Member(day, {1: True, 7: False}),
        retention.Member(day + retention.DAY_MS, {1: False, 7: False}),  # Tuesday: same week
        retention.Member(day + 7 * retention.DAY_MS, {}),  # next week, nothing over yet
    ]
    first, second = retention.cohorts(members)
    assert (first.week, first.size, first.rate(1), first.rate(7), first.rate(30)) == (day, 2, 0.5, 0.0, None)
    assert (second.size, second.rate(1)) == (1, None)


def test_retention_ranges_are_at_most_366_days_and_forward() -> None:
    assert retention.range_problems(0, retention.DAY_MS * 366) == []
    assert retention.range_problems(0, retention.DAY_MS * 366 + 1)[0].message == "A range is at most 366 days"
    assert retention.range_problems(5, 5)[0].field == "to"

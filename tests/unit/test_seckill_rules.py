"""Seckill rules (domain/seckill.py): slots across midnight, the windows they open, overlaps, the path token."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from domain import seckill as rules

DAY0 = int(datetime(2026, 5, 31, 16, 0, tzinfo=UTC).timestamp() * 1000)  # 2026-06-01 00:00 in Shanghai
HOUR = 3_600_000


def campaign(slots: list[tuple[str, str]], starts: int = DAY0, ends: int = DAY0 + 48 * HOUR) -> dict:
    parsed, problems = rules.slot_problems(slots)
    assert problems == []
    return {
        "startsAt": starts,
        "endsAt": ends,
        "timeZone": "Asia/Shanghai",
        "slots": [{"start": s.start, "end": s.end} for s in parsed],
    }


def test_a_slot_across_midnight_runs_into_the_next_day() -> None:
    c = campaign([("23:00", "01:00")])
    window = rules.current_or_next(c, DAY0 + 24 * HOUR + 30 * 60_000)  # 00:30 on the second day
    assert window == rules.Window(DAY0 + 23 * HOUR, DAY0 + 25 * HOUR)
    assert window.holds(DAY0 + 24 * HOUR + 30 * 60_000)


def test_the_first_night_is_cut_to_the_campaign_start() -> None:
    c = campaign([("23:00", "01:00")])
    assert rules.current_or_next(c, DAY0) == rules.Window(DAY0, DAY0 + HOUR)  # the slot that began the day before


def test_between_slots_the_next_one_is_shown_and_none_after_the_end() -> None:
    c = campaign([("10:00", "10:30"), ("20:00", "20:30")])
    assert rules.current_or_next(c, DAY0 + 11 * HOUR) == rules.Window(DAY0 + 20 * HOUR, DAY0 + 20 * HOUR + 1_800_000)
    assert rules.running_window(c, DAY0 + 11 * HOUR) is None
    assert rules.current_or_next(c, DAY0 + 48 * HOUR) is None
    assert rules.current_or_next(c, DAY0 + 45 * HOUR) is None  # 21:00 on the last day: no slot opens any more


def test_overlapping_and_empty_slots_are_refused() -> None:
    _, problems = rules.slot_problems([("22:00", "02:00"), ("01:00", "03:00"), ("25:00", "01:00"), ("05:00", "05:00")])
    assert [p.field for p in problems] == ["slots.2.start", "slots.3.end", "slots.1"]


def test_campaigns_clash_only_where_their_slots_meet_in_a_shared_period() -> None:
    mine, _ = rules.slot_problems([("00:00", "01:00")])
    other = {**campaign([("23:30", "00:30")]), "cancelledAt": None}
    assert rules.clashes(mine, "Asia/Shanghai", (DAY0, DAY0 + 48 * HOUR), other, DAY0)
    later = (DAY0 + 72 * HOUR, DAY0 + 96 * HOUR)
    assert not rules.clashes(mine, "Asia/Shanghai", later, other, DAY0)
    # the same hours in another zone are other instants: 00:00-01:00 in Tokyo is 23:00-00:00 in Shanghai
    assert rules.clashes(mine, "Asia/Tokyo", (DAY0, DAY0 + 48 * HOUR), other, DAY0)
    far, _ = rules.slot_problems([("12:00", "13:00")])
    assert not rules.clashes(far, "Asia/Tokyo", (DAY0, DAY0 + 48 * HOUR), other, DAY0)


def test_a_path_token_is_bound_to_campaign_user_and_slot() -> None:
    window = rules.Window(DAY0 + 10 * HOUR, DAY0 + 11 * HOUR)
    token = rules.path_token("s3cret", "c1", "u1", window)
    assert rules.token_window("s3cret", token, "c1", "u1") == window
    assert rules.token_window("s3cret", token, "c2", "u1") is None
    assert rules.token_window("s3cret", token, "c1", "u2") is None
    assert rules.token_window("other", token, "c1", "u1") is None
    start, end, sig = token.split(".")
    moved = f"{int(start, 16) + HOUR:x}.{int(end, 16) + HOUR:x}.{sig}"
    assert rules.token_window("s3cret", moved, "c1", "u1") is None
    assert rules.token_window("s3cret", "garbage", "c1", "u1") is None


@given(st.integers(0, 1439), st.integers(0, 1439), st.integers(0, 1439), st.integers(0, 1439))
def test_overlap_is_symmetric_and_matches_minute_sets(a0: int, a1: int, b0: int, b1: int) -> None:
    if a0 == a1 or b0 == b1:
        return
    a, b = rules.Slot(a0, a1), rules.Slot(b0, b1)

    def minutes(s: rules.Slot) -> set[int]:
        return {(s.start + i) % 1440 for i in range(s.minutes)}

    assert rules.slots_overlap(a, b) == rules.slots_overlap(b, a) == bool(minutes(a) & minutes(b))


def test_a_seckill_line_is_priced_by_the_pipeline_as_its_activity() -> None:
    from domain import pricing

    activity = pricing.Activity(pricing.SECKILL, 100, "Seckill price", "c1")
    line = pricing.LineIn("s", "p", 2, 1000, activity=activity)
    priced = pricing.price(pricing.PricingInput((line,), member_price_percent=95))
    assert priced.lines[0].unit_price == 100 and priced.total == 200
    assert [a.doc() for a in priced.adjustments] == [
        {"kind": "MEMBER_PRICE", "label": "Member price (95%)", "amount": -100, "campaignId": None},
        {"kind": "SECKILL", "label": "Seckill price", "amount": -1700, "campaignId": "c1"},
    ]

"""Unpaid-hold rules (domain/holds.py): the limits, replays, the grace after payBy and the shorter time to pay."""

from __future__ import annotations

from domain.holds import GRACE_MS, ORDERS, SEATS, UNITS, Limits, admitted, new_hold, pay_minutes, refusal, released

LIMITS = Limits(orders=2, sku_units=10, team_seats=1, large_units=5, large_pay_minutes=3, pay_minutes=15)
NOW = 1_000_000


def hold(order_id: str, *lines: tuple[str, int], seat: bool = False, until: int = NOW + 60_000) -> dict[str, object]:
    return new_hold(order_id, f"key-{order_id}", list(lines), seat, until)


def test_a_buyer_under_every_limit_is_admitted() -> None:
    assert refusal([hold("a", ("s", 4))], hold("b", ("s", 6)), LIMITS, NOW) is None


def test_one_order_too_many_is_refused() -> None:
    found = refusal([hold("a", ("s", 1)), hold("b", ("t", 1))], hold("c", ("u", 1)), LIMITS, NOW)
    assert found is not None and found.kind == ORDERS


def test_units_of_one_sku_add_up_over_orders_and_name_the_line() -> None:
    found = refusal([hold("a", ("s", 6))], hold("b", ("t", 9), ("s", 5)), LIMITS, NOW)
    assert found is not None and (found.kind, found.line) == (UNITS, 1)
    assert "4 more" in found.message


def test_a_second_unpaid_seat_is_refused_but_a_plain_order_is_not() -> None:
    held = [hold("a", ("s", 1), seat=True)]
    found = refusal(held, hold("b", ("s", 1), seat=True), LIMITS, NOW)
    assert found is not None and found.kind == SEATS
    assert refusal(held, hold("b", ("s", 1)), LIMITS, NOW) is None


def test_a_replay_of_the_same_key_is_not_counted_against_itself() -> None:
    held = [hold("a", ("s", 1)), hold("b", ("s", 1))]
    replay = new_hold("", "key-b", [("s", 1)], False, NOW + 60_000)
    assert refusal(held, replay, LIMITS, NOW) is None


def test_a_hold_stops_counting_a_grace_after_its_pay_by() -> None:
    stale = hold("a", ("s", 10), until=NOW - GRACE_MS)
    recent = hold("a", ("s", 10), until=NOW - GRACE_MS + 1)
    assert refusal([stale], hold("b", ("s", 10)), LIMITS, NOW) is None
    assert refusal([recent], hold("b", ("s", 10)), LIMITS, NOW) is not None


def test_admitting_and_releasing_keep_one_hold_per_order_and_drop_stale_ones() -> None:
    stale = hold("old", ("s", 1), until=NOW - GRACE_MS)
    after = admitted([stale, hold("a", ("s", 1))], hold("a", ("s", 1)), NOW)
    assert [h["orderId"] for h in after] == ["a"]
    assert released(after, "a", NOW) == []


def test_a_large_order_gets_the_shorter_time_and_never_a_longer_one() -> None:
    assert pay_minutes([("s", 3), ("t", 2)], LIMITS) == 15
    assert pay_minutes([("s", 3), ("t", 3)], LIMITS) == 3
    longer = Limits(orders=2, sku_units=10, team_seats=1, large_units=5, large_pay_minutes=30, pay_minutes=15)
    assert pay_minutes([("s", 6)], longer) == 15

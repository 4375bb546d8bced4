"""The records of multi-step writes (domain/recovery.py) and the invariants doctor checks (domain/invariants.py)."""

from __future__ import annotations

from typing import Any

from domain import invariants, recovery


def order(status: str, *lines: tuple[str, int], **more: Any) -> dict[str, Any]:
    history = [{"status": "PENDING_PAYMENT"}] if status != "RESERVING" else []
    return {
        "_id": "o1",
        "status": status,
        "lines": [{"skuId": s, "productId": f"p-{s}", "quantity": q} for s, q in lines],
        "history": history,
        **more,
    }


def test_step_names_split_into_kind_and_argument() -> None:
    assert recovery.split("restock_2") == ("restock", "2")
    assert recovery.split("team_paid") == ("team_paid", "")
    assert recovery.split("points_back") == ("points_back", "")
    assert recovery.split("unsales_0") == ("unsales", "0")


def test_a_step_is_claimable_when_unclaimed_or_its_lease_ran_out() -> None:
    now = 1_000_000
    assert recovery.claimable(0, now)
    assert not recovery.claimable(now - 1, now)
    assert recovery.claimable(now - recovery.LEASE_MS - 1, now)
    assert not recovery.claimable(recovery.DONE, now)


def test_owing_writes_one_field_per_step_and_when_the_sweep_takes_over() -> None:
    fields = recovery.owing(5, ["restock_0"], ["take_0"])
    assert fields == {"owe_restock_0": 0, "owe_take_0": "done", "repairAt": 5 + recovery.REPAIR_AFTER_MS}
    assert recovery.owing(5, []) == {}


def test_marks_name_their_order_and_step_even_with_odd_ids() -> None:
    key = recovery.mark("a-b", "restock_1")
    assert key == "once_a_b_restock_1"
    assert recovery.mark_owner(key, {"a_b": {}}) == ("a_b", "restock_1")
    assert recovery.mark_owner(key, {"zz": {}}) is None


def test_the_steps_of_a_payment_name_each_product_by_its_first_line() -> None:
    paid = order("PAID", ("s1", 1), ("s2", 2))
    paid["lines"][1]["productId"] = "p-s1"  # two SKUs of one product
    assert recovery.payment_steps(paid) == ["sales_0", "purchase_0", "signals", "commission", "invite_paid", "cart"]
    assert recovery.products(paid) == {0: ("p-s1", 3)}


def test_a_refund_gives_back_only_unshipped_units() -> None:
    refunded = order("REFUNDED", ("s1", 3), shipments=[{"lines": [{"lineIndex": 0, "quantity": 1}]}])
    assert recovery.unsold(refunded) == [2]
    assert recovery.restock_units(refunded, 0) == 2


def test_units_out_follow_the_status_the_marks_and_what_is_still_owed() -> None:
    skus: dict[str, dict[str, Any]] = {"s1": {"_id": "s1"}}
    assert invariants.units_out(order("PENDING_PAYMENT", ("s1", 3)), skus) == {"s1": 3}
    assert invariants.units_out(order("RESERVING", ("s1", 3)), skus) == {"s1": 0}  # not taken yet
    assert invariants.units_out(order("RESERVING", ("s1", 3)), {"s1": {"once_o1_take_0": 3}}) == {"s1": 3}
    assert invariants.units_out(order("CANCELLED", ("s1", 3)), skus) == {"s1": 0}
    owing = order("CANCELLED", ("s1", 3), owe_restock_0=0)
    assert invariants.units_out(owing, skus) == {"s1": 3}  # not back yet
    assert invariants.units_out(owing, {"s1": {"once_o1_restock_0": 1}}) == {"s1": 0}  # back, not recorded yet
    returned = order("SHIPPED", ("s1", 3))
    assert invariants.units_out(returned, skus, [(0, 1)]) == {"s1": 2}


def test_stock_must_add_up_to_the_supply() -> None:
    found = invariants.stock_violations([{"_id": "s1", "stock": 5, "supply": 10}], {"s1": 3})
    assert [(v.check, v.wanted) for v in found] == [("stock", {"stock": 7})]
    assert invariants.stock_violations([{"_id": "s1", "stock": 7, "supply": 10}], {"s1": 3}) == []
    (legacy,) = invariants.stock_violations([{"_id": "s1", "stock": 7}], {"s1": 3})
    assert legacy.check == "supply" and legacy.wanted == {"supply": 10}


def test_balances_must_equal_their_ledger_unless_a_withdrawal_is_in_flight() -> None:
    sums = invariants.ledger_sums([{"userId": "u", "deltas": {"frozen": 5}}, {"userId": "u", "deltas": {"frozen": -2}}])
    assert invariants.balance_violations([{"_id": "u", "frozen": 3}], sums) == []
    (wrong,) = invariants.balance_violations([{"_id": "u", "frozen": 4}], sums)
    assert wrong.wanted == {"frozen": 1}
    assert invariants.balance_violations([{"_id": "u", "frozen": 4, "take_w1": True}], sums) == []

"""The order desk's pure rules: who may, what a query means, counts per move, export ranges, CSV cells, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import order_desk as desk
from domain import order_export as export
from domain import staff
from domain.tokens import (
    ExpiredToken,
    ExportClaims,
    InvalidToken,
    issue_access_token,
    issue_export_token,
    read_export_token,
)

SECRET = "a secret of thirty-two bytes or more, as HS256 asks"


def test_owner_may_all_admin_all_but_the_owners_own_others_what_is_declared() -> None:
    assert staff.may({staff.OWNER}, [staff.OWNER]) and staff.may({staff.OWNER}, [staff.WAREHOUSE])
    assert staff.may({staff.ADMIN}, [staff.WAREHOUSE]) and not staff.may({staff.ADMIN}, [staff.OWNER])
    assert staff.may({staff.WAREHOUSE}, [staff.WAREHOUSE, staff.CUSTOMER_SERVICE])
    assert not staff.may({staff.CUSTOMER_SERVICE}, [staff.WAREHOUSE]) and not staff.may(set(), staff.ROLES)
    assert staff.who_may([staff.OWNER]) == "Only the shop's owner may do this"
    assert (
        staff.who_may([staff.WAREHOUSE]) == "Only the shop's owner or staff with a role of ADMIN, WAREHOUSE may do this"
    )


@pytest.mark.parametrize(
    ("roles", "problem"),
    [
        ([], "Give at least one role"),
        (["ADMIN", "ADMIN"], "Each role appears once"),
        (["OWNER"], "OWNER is not a staff role (ADMIN, CUSTOMER_SERVICE, WAREHOUSE)"),
        (["WAREHOUSE", "CUSTOMER_SERVICE"], None),
    ],
)
def test_roles_given_to_staff(roles: list[str], problem: str | None) -> None:
    found = staff.role_problems(roles)
    assert [p.message for p in found] == ([problem] if problem else [])


def test_an_invite_is_usable_once_and_until_it_expires() -> None:
    assert staff.invite_usable({"acceptedBy": None, "expiresAt": 10}, 9) is None
    assert staff.invite_usable({"acceptedBy": None, "expiresAt": 10}, 10) is not None
    assert staff.invite_usable({"acceptedBy": "u", "expiresAt": 10}, 0) == "This invite has been used"


@pytest.mark.parametrize(
    ("query", "tail", "prefix"),
    [
        ("1234", "1234", None),
        ("12345", None, "12345"),
        ("2026120212000112345678", None, "2026120212000112345678"),
        ("20261202120001123456789", None, None),  # longer than any order number
        ("123", None, None),
        ("１２３４", None, None),  # full-width digits are a nickname, not a number
        ("买家", None, None),
    ],
)
def test_what_a_query_looks_for(query: str, tail: str | None, prefix: str | None) -> None:
    search = desk.search_of(f"  {query} ")
    assert search == desk.Search(nickname=query, phone_tail=tail, number_prefix=prefix)


def test_a_blank_query_is_none_and_a_long_one_is_refused() -> None:
    assert desk.search_of(None) is None and desk.search_of("   ") is None
    assert desk.query_problems("x" * 41)[0].field == "query" and desk.query_problems("x" * 40) == []


def test_a_prefix_range_holds_exactly_the_numbers_that_start_with_it() -> None:
    bounds = desk.prefix_range("202612")
    inside = ["202612", "20261200000000", "2026129999999999999999"]
    outside = ["202611999", "202613", "20261", "2026130000000000000000"]
    assert all(bounds["$gte"] <= n < bounds["$lt"] for n in inside)
    assert not any(bounds["$gte"] <= n < bounds["$lt"] for n in outside)


def history(*statuses: str) -> dict[str, object]:
    return {"history": [{"status": s, "at": i} for i, s in enumerate(statuses)]}


def test_each_move_takes_one_from_the_status_it_left_and_adds_one_to_the_new() -> None:
    assert desk.count_changes(history()) == {}
    assert desk.count_changes(history("PENDING_PAYMENT")) == {"PENDING_PAYMENT": 1}
    assert desk.count_changes(history("PENDING_PAYMENT", "PAID")) == {"PENDING_PAYMENT": -1, "PAID": 1}
    assert desk.count_changes(history("PENDING_PAYMENT", "PAID", "REFUNDING")) == {"PAID": -1, "REFUNDING": 1}
    assert desk.count_changes(history("CANCELLED")) == {"CANCELLED": 1}  # RESERVING -> CANCELLED (a crash)


def test_counts_replayed_over_any_walk_equal_the_statuses_reached() -> None:
    walks = [
        ("PENDING_PAYMENT", "PAID", "SHIPPED", "COMPLETED"),
        ("PENDING_PAYMENT", "CANCELLED"),
        ("PENDING_PAYMENT", "PAID", "REFUNDING", "REFUNDED"),
    ]
    counts: dict[str, int] = {}
    for walk in walks:
        for n in range(1, len(walk) + 1):
            for status, change in desk.count_changes(history(*walk[:n])).items():
                counts[status] = counts.get(status, 0) + change
    assert {s: c for s, c in counts.items() if c} == {"COMPLETED": 1, "CANCELLED": 1, "REFUNDED": 1}


def test_an_export_range_is_forward_and_at_most_93_days() -> None:
    day = desk.DAY_MS
    assert desk.export_problems(0, 93 * day) == []
    assert desk.export_problems(0, 93 * day + 1)[0].field == "to"
    assert desk.export_problems(5, 5)[0].message == "to must be after from"
    assert desk.placed_problems(5, 4, ("placedFrom", "placedTo"))[0].field == "placedTo"
    assert desk.placed_problems(None, 4, ("placedFrom", "placedTo")) == []


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-张三", "'-张三"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_quoted(cell: str, safe: str) -> None:
    assert export.safe_cell(cell) == safe


def test_money_times_phones_and_numbers_as_a_merchant_reads_them() -> None:
    assert [export.yuan(f) for f in (0, 5, 99, 100, 123456, -250)] == [
        "0.00",
        "0.05",
        "0.99",
        "1.00",
        "1234.56",
        "-2.50",
    ]
    midnight_in_china = int(datetime(2026, 1, 31, 16, 0, tzinfo=UTC).timestamp() * 1000)
    assert export.china_time(midnight_in_china) == "2026-02-01 00:00:00"
    assert export.masked_phone("13812345678") == "138****5678" and export.masked_phone(None) == ""
    assert export.masked_phone("123") == "****"
    assert export.order_number_cell("2026120212000112345678") == "\t2026120212000112345678"
    assert export.order_number_cell("=x") == "'=x"


def test_a_row_has_every_column_of_the_header() -> None:
    order = {
        "number": "2026120212000112345678",
        "createdAt": 0,
        "status": "PARTLY_SHIPPED",
        "lines": [{"title": "杯", "specs": [], "quantity": 2, "unitPrice": 100}],
        "subtotal": 200,
        "total": 200,
    }
    row = export.row(order, "买家")
    assert len(row) == len(export.HEADER)
    assert row[2] == "部分发货" and row[7] == "杯 ×2" and row[8:] == ["2", "2.00", "0.00", "0.00", "2.00"]
    assert export.row({**order, "status": "SOMETHING_NEW"}, "")[2] == "SOMETHING_NEW"


def test_an_export_token_is_read_back_refused_when_forged_or_of_another_kind_and_expires_by_the_callers_clock() -> None:
    claims = ExportClaims("u1", "s1", 1_000, 2_000, 10_000)
    token = issue_export_token(SECRET, claims)
    assert read_export_token(SECRET, token, 9_999) == claims
    with pytest.raises(ExpiredToken):
        read_export_token(SECRET, token, 10_000)
    with pytest.raises(InvalidToken):
        read_export_token("another secret of thirty-two bytes or more", token, 0)
    access = issue_access_token(SECRET, "u1", datetime.now(UTC), timedelta(minutes=5))
    with pytest.raises(InvalidToken) as refused:
        read_export_token(SECRET, access, 0)
    assert not isinstance(refused.value, ExpiredToken)

"""Pure shipment rules: what is left to ship, which packages a call may add, the status after them, WeChat's
item description and request body, and where a package's report stands."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain import orders as o
from domain import shipments as s
from integrations.wechat_shipping import ReportedPackage, ShippingReport, body
from tests.fakes.wechat import shipping_problem


def order(*quantities: int, **more: Any) -> dict[str, Any]:
    lines = [{"skuId": f"k{i}", "title": f"商品{i}", "quantity": q, "unitPrice": 100} for i, q in enumerate(quantities)]
    return {"lines": lines, **more}


def shipment(*parts: tuple[int, int], carrier: str = "SF", number: str = "SF1") -> dict[str, Any]:
    return {"carrier": carrier, "trackingNumber": number, "lines": [{"lineIndex": i, "quantity": q} for i, q in parts]}


def pkg(*parts: tuple[int, int], carrier: str = "ZTO", number: str = "Z1") -> s.Package:
    return s.Package(carrier, number, tuple(s.PackageLine(i, q) for i, q in parts))


def test_what_is_left_counts_every_package_and_old_orders_shipped_everything() -> None:
    shipped = order(3, 2, shipments=[shipment((0, 2)), shipment((0, 1), (1, 1), number="SF2")])
    assert s.shipped(shipped) == [3, 1] and s.left(shipped) == [0, 1]
    assert s.unshipped_lines(shipped) == [{**shipped["lines"][1], "quantity": 1}]
    legacy = order(3, 2, shippedAt=1)  # shipped before packages existed: everything at once
    assert s.left(legacy) == [0, 0] and s.unshipped_lines(legacy) == []
    assert s.left(order(3, 2)) == [3, 2]


def test_packages_are_checked_whatever_the_order() -> None:
    assert [p.field for p in s.package_problems([])] == ["packages"]
    bad = [
        s.Package("NOPE", "x", (s.PackageLine(0, 1),)),
        s.Package("SF", "", ()),
        s.Package("SF", "A" * 41, (s.PackageLine(0, 0), s.PackageLine(0, 1))),
        s.Package("SF", "有空 格", (s.PackageLine(0, 1),)),
    ]
    assert [p.field for p in s.package_problems(bad)] == [
        "packages.0.carrier",
        "packages.1.trackingNumber",
        "packages.1.lines",
        "packages.2.trackingNumber",
        "packages.2.lines.0.quantity",
        "packages.2.lines.1.lineIndex",
        "packages.3.trackingNumber",
    ]
    assert s.package_problems([pkg((0, 1)), pkg((1, 5), carrier="JTSD", number="JT-0001")]) == []


def test_packages_are_checked_against_what_is_left() -> None:
    current = order(3, 1, shipments=[shipment((0, 2), carrier="ZTO", number="Z1")])
    assert [p.field for p in s.order_problems(current, [pkg((0, 1), number="Z2"), pkg((0, 1), number="Z3")])] == [
        "packages.1.lines.0.quantity"
    ]
    assert [p.field for p in s.order_problems(current, [pkg((2, 1), number="Z2")])] == ["packages.0.lines.0.lineIndex"]
    assert [p.field for p in s.order_problems(current, [pkg((1, 1))])] == ["packages.0.trackingNumber"]  # Z1 again
    many = [pkg((1, 1), number=f"N{i}") for i in range(15)]
    assert next(p.field for p in s.order_problems(current, many)) == "packages"
    assert s.order_problems(current, [pkg((0, 1), (1, 1), number="Z2")]) == []


def test_the_status_after_packages_and_the_bare_shipment() -> None:
    current = order(3, 1, shipments=[shipment((0, 2))])
    assert s.status_after(current, [pkg((0, 1))]) == o.PARTLY_SHIPPED
    assert s.status_after(current, [pkg((0, 1), (1, 1))]) == o.SHIPPED
    rest = s.everything_left(current)
    assert (rest.carrier, rest.tracking_number, rest.lines) == (None, None, (s.PackageLine(0, 1), s.PackageLine(1, 1)))
    assert s.status_after(current, [rest]) == o.SHIPPED


@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=4),
    st.lists(st.lists(st.tuples(st.integers(0, 4), st.integers(1, 5)), min_size=1, max_size=3), max_size=12),
)
def test_accepted_packages_never_ship_a_unit_twice(quantities: list[int], calls: list[list[tuple[int, int]]]) -> None:
    current = order(*quantities, shipments=[])
    for n, parts in enumerate(calls):
        unique = list(dict(parts).items())  # one entry per line in a package
        candidate = [pkg(*unique, number=f"P{n}")]
        if s.package_problems(candidate) or s.order_problems(current, candidate):
            continue
        status = s.status_after(current, candidate)
        current["shipments"].append(shipment(*unique, carrier="ZTO", number=f"P{n}"))
        assert all(0 <= left <= q for left, q in zip(s.left(current), quantities, strict=True))
        assert (status == o.SHIPPED) == (not any(s.left(current)))


def test_item_desc() -> None:
    lines = order(2, 1)["lines"]
    assert s.item_desc(lines, shipment((0, 2), (1, 1))) == "商品0*2、商品1*1"
    long = [{"title": "很长的商品名" * 30, "quantity": 1}]
    assert len(s.item_desc(long, shipment((0, 1)))) == s.ITEM_DESC_MAX


def test_where_a_package_s_report_stands() -> None:
    tracked, untracked = shipment((0, 1)), {"carrier": None, "trackingNumber": None, "lines": []}
    assert s.report_status(order(1, shipments=[tracked]), 0) == s.NOT_REQUIRED  # not to be reported
    reported = order(1, shipments=[tracked, tracked, untracked], wechatReported=1)
    assert [s.report_status(reported, i) for i in range(3)] == [s.REPORTED, s.PENDING, s.NOT_REQUIRED]
    reported["wechatReportFailed"] = "GAVE_UP"
    assert s.report_status(reported, 1) == s.FAILED


def test_the_upload_body_is_one_wechat_takes() -> None:
    package = ReportedPackage("SF1", "SF", "商品*1", "138****5678")
    unified = body(ShippingReport("4200001", "o-1", (package,), False, True, 1_700_000_000_123))
    assert unified["delivery_mode"] == 1 and "is_all_delivered" not in unified
    assert unified["upload_time"] == "2023-11-15T06:13:20.123+08:00"
    assert shipping_problem(unified, {"4200001": "o-1"}, {}) is None
    split = body(ShippingReport("4200001", "o-1", (package, package), True, False, 1_700_000_000_123))
    assert (split["delivery_mode"], split["is_all_delivered"]) == (2, False)
    assert shipping_problem(split, {"4200001": "o-2"}, {}) is not None  # another payer
    assert shipping_problem(split, {}, {}) == (10060001, "支付单不存在")

"""The after-sale rules of domain/after_sales.py: the state machine, the window, what a request may ask for, and the
record an order keeps (its lines' refunds never pass what they were paid, however many requests)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain import after_sales as a
from domain import allocation

DAY = a.DAY_MS


def test_the_state_machine_allows_exactly_the_documented_moves() -> None:
    allowed = {(s, t) for s in a.MOVES for t in a.MOVES if a.can_move(s, t)}
    assert allowed == {
        (a.OPENING, a.REQUESTED),
        (a.REQUESTED, a.APPROVED),
        (a.REQUESTED, a.REJECTED),
        (a.REQUESTED, a.CANCELLED),
        (a.APPROVED, a.REFUNDING),
        (a.APPROVED, a.AWAITING_RETURN),
        (a.AWAITING_RETURN, a.RETURN_SHIPPED),
        (a.AWAITING_RETURN, a.CANCELLED),
        (a.RETURN_SHIPPED, a.RETURN_RECEIVED),
        (a.RETURN_RECEIVED, a.REFUNDING),
        (a.REFUNDING, a.REFUNDED),
    }
    assert a.FINAL == {a.REJECTED, a.CANCELLED, a.REFUNDED}
    assert a.after_approval(a.REFUND_ONLY) == a.REFUNDING and a.after_approval(a.RETURN_AND_REFUND) == a.AWAITING_RETURN


def test_the_schema_enum_is_the_domain_s_statuses() -> None:
    from schema.after_sales import AfterSaleKind, AfterSaleStatus

    assert tuple(s.value for s in AfterSaleStatus) == a.STATUSES
    assert tuple(k.value for k in AfterSaleKind) == a.KINDS


def order(*lines: tuple[int, int], discount: int = 0, fee: int = 0, **more: Any) -> dict[str, Any]:
    docs = [{"unitPrice": p, "quantity": q, "skuId": f"s{i}", "productId": f"p{i}"} for i, (p, q) in enumerate(lines)]
    total = sum(p * q for p, q in lines) - discount + fee
    return {"lines": docs, "discount": discount, "shippingFee": fee, "total": total, "status": "PAID", **more}


def test_the_window_is_from_payment_until_days_after_completion() -> None:
    assert a.window_refusal(order((100, 1), status="PENDING_PAYMENT"), 0, 7) == "This order is not paid"
    for status in ("PAID", "PARTLY_SHIPPED", "SHIPPED"):
        assert a.window_refusal(order((100, 1), status=status), 0, 7) is None
    completed = order((100, 1), status="COMPLETED", completedAt=10 * DAY)
    assert a.window_refusal(completed, 17 * DAY, 7) is None
    assert "closed" in (a.window_refusal(completed, 17 * DAY + 1, 7) or "")
    for status in ("CANCELLED", "REFUNDING", "REFUNDED"):
        assert a.window_refusal(order((100, 1), status=status), 0, 7) == f"An order that is {status} has no after-sales"


def fields(problems: list[Any]) -> list[str]:
    return [p.field for p in problems]


def test_a_request_names_existing_lines_once_with_units_left() -> None:
    doc = order((1000, 2), (500, 1), shippedAt=1)
    ok = a.request_problems(doc, a.REFUND_ONLY, [(0, 2), (1, 1)], "坏了", [])
    assert ok == []
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [], "坏了", [])) == ["lines"]
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [(2, 1)], "坏了", [])) == ["lines.0.lineIndex"]
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [(0, 1), (0, 1)], "坏了", [])) == ["lines.1.lineIndex"]
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [(0, 3)], "坏了", [])) == ["lines.0.quantity"]
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [(0, 0)], "坏了", [])) == ["lines.0.quantity"]
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [(0, 1)], "", [])) == ["reason"]
    photos = [f"https://img.example.com/{i}.jpg" for i in range(10)]
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [(0, 1)], "坏了", photos)) == ["photos"]
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [(0, 1)], "坏了", ["file:///etc/passwd"])) == ["photos.0"]


def test_units_under_another_request_or_refunded_are_not_left() -> None:
    doc = order((1000, 2))
    doc["afterSales"] = [a.new_entry("x", a.REFUND_ONLY, doc, [(0, 1)], 500)]
    assert fields(a.request_problems(doc, a.REFUND_ONLY, [(0, 2)], "坏了", [])) == ["lines.0.quantity"]
    doc["afterSales"].append(a.new_entry("y", a.REFUND_ONLY, doc, [(0, 1)], 500))
    [problem] = a.request_problems(doc, a.REFUND_ONLY, [(0, 1)], "坏了", [])
    assert problem.field == "lines.0.lineIndex" and "refunded already" in problem.message
    # a cancelled request lets go of its units
    doc["afterSales"] = a.without(doc, "y")
    assert a.request_problems(doc, a.REFUND_ONLY, [(0, 1)], "坏了", []) == []


def test_a_return_needs_goods_that_shipped() -> None:
    unshipped = order((1000, 1))
    assert fields(a.request_problems(unshipped, a.RETURN_AND_REFUND, [(0, 1)], "坏了", [])) == ["lines.0.lineIndex"]
    partly = order((1000, 1), (500, 1), shipments=[{"lines": [{"lineIndex": 1, "quantity": 1}]}])
    assert fields(a.request_problems(partly, a.RETURN_AND_REFUND, [(0, 1), (1, 1)], "坏了", [])) == [
        "lines.0.lineIndex"
    ]


def test_the_most_is_those_units_share_and_never_more_than_is_left() -> None:
    # 3,000 + 2,500 less a 550 discount plus 600 shipping: the first line paid 2700 + 327
    doc = order((1500, 2), (2500, 1), discount=550, fee=600)
    assert [s.paid for s in allocation.order_shares(doc)] == [3027, 2523]
    assert a.most_refundable(doc, [(0, 1)]) == 1513
    assert a.most_refundable(doc, [(0, 2), (1, 1)]) == doc["total"] == 5550
    # after a team's difference came back, no more than what is left
    assert a.most_refundable({**doc, "refunded": 5000}, [(0, 2), (1, 1)]) == 550
    assert fields(a.amount_problems(1514, 1513)) == ["amount"]
    assert fields(a.amount_problems(0, 1513)) == ["amount"]
    assert a.amount_problems(None, 1513) == [] and a.amount_problems(1513, 1513) == []
    assert fields(a.amount_problems(None, 0)) == ["lines"]


def test_a_claim_for_less_than_asked_shrinks_the_lines_and_a_refund_only_restocks_what_never_shipped() -> None:
    doc = order((1000, 3), (1000, 1), shipments=[{"lines": [{"lineIndex": 0, "quantity": 1}]}])
    doc["afterSales"] = [a.new_entry("x", a.REFUND_ONLY, doc, [(0, 3), (1, 1)], 4000)]
    [entry] = a.claimed(doc, "x", 2000)
    assert entry["state"] == a.CLAIMED and entry["amount"] == 2000
    assert [(ln["amount"], ln["restocked"]) for ln in entry["lines"]] == [(1500, 2), (500, 1)]
    doc["afterSales"] = [entry]
    assert a.restocked_units(doc) == [2, 1] and a.refunded_units(doc) == [3, 1] and a.uncounted_units(doc) == [0, 0]
    doc["afterSales"] = a.marked_refunded(doc, "x")
    assert a.uncounted_units(doc) == [3, 1] and a.refunded_amount(doc) == 2000 and a.open_entries(doc) == []


@st.composite
def runs(draw: st.DrawFn) -> tuple[dict[str, Any], list[tuple[list[tuple[int, int]], int | None, str]]]:
    """An order and requests made one after another: (lines asked, amount or None, what becomes of it)."""
    lines = draw(st.lists(st.tuples(st.integers(0, 100_000), st.integers(1, 5)), min_size=1, max_size=5))
    subtotal = sum(p * q for p, q in lines)
    doc = order(*lines, discount=draw(st.integers(0, subtotal)), fee=draw(st.integers(0, 2_000)))
    line = st.tuples(st.integers(0, len(lines) - 1), st.integers(1, 5))
    ask = st.tuples(
        st.lists(line, min_size=1, max_size=3, unique_by=lambda t: t[0]),
        st.none() | st.integers(1, 200_000),
        st.sampled_from(["cancel", "claim", "refund"]),
    )
    return doc, draw(st.lists(ask, max_size=12))


@given(runs())
def test_however_many_requests_no_line_gets_back_more_than_it_was_paid(
    run: tuple[dict[str, Any], list[tuple[list[tuple[int, int]], int | None, str]]],
) -> None:
    doc, asks = run
    paid = [s.paid for s in allocation.order_shares(doc)]
    for n, (requested, asked, outcome) in enumerate(asks):
        # a request passes only when its rules do, as resolvers/after_sales.request checks them
        if a.request_problems(doc, a.REFUND_ONLY, requested, "坏了", []):
            continue
        most = a.most_refundable(doc, requested)
        if a.amount_problems(asked, most):
            continue
        doc["afterSales"] = [*a.entries(doc), a.new_entry(f"r{n}", a.REFUND_ONLY, doc, requested, asked or most)]
        if outcome == "cancel":
            doc["afterSales"] = a.without(doc, f"r{n}")
            continue
        amount = a.entry_of(doc, f"r{n}")["amount"]  # type: ignore[index]
        doc["afterSales"] = a.claimed(doc, f"r{n}", amount)
        doc["refunded"] = a.refunded(doc) + amount
        if outcome == "refund":
            doc["afterSales"] = a.marked_refunded(doc, f"r{n}")
        # then each line's refunds and holds stay within what it was paid, and the order's within its total
        assert all(back <= p for back, p in zip(a.amount_back(doc), paid, strict=True))
        assert a.refunded(doc) + a.held_amount(doc) <= doc["total"]
        assert all(u <= ln["quantity"] for u, ln in zip(a.units_back(doc), doc["lines"], strict=True))

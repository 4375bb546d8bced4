"""The cart: a buyer's lines (one per SKU), their limits and how available each line is now. No I/O.

A buyer's cart is one document, `{version, lines: [...]}`, changed by compare-and-set on its version: two racing
adds of one SKU make one line with both quantities, and two racing adds of new SKUs never pass the line cap.
Each line keeps the price its SKU had when it was added, so a change since can be shown and checked at checkout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domain.profile import Problem

MAX_LINES = 100
MAX_QUANTITY = 999
# A line is LOW_STOCK when its SKU has enough for it but fewer than this many units left.
LOW_STOCK_UNITS = 10

OK = "OK"
PRICE_CHANGED = "PRICE_CHANGED"
LOW_STOCK = "LOW_STOCK"
OUT_OF_STOCK = "OUT_OF_STOCK"
OFF_SHELF = "OFF_SHELF"
AVAILABILITIES = (OK, PRICE_CHANGED, LOW_STOCK, OUT_OF_STOCK, OFF_SHELF)

Line = Mapping[str, Any]


def availability(line: Line, sku: Mapping[str, Any] | None, product: Mapping[str, Any] | None) -> str:
    """The first that holds: OFF_SHELF (the SKU or its product is gone), OUT_OF_STOCK (fewer units than the line's
    quantity), PRICE_CHANGED (since the line was added, up or down), LOW_STOCK (enough, but under LOW_STOCK_UNITS
    left), else OK."""
    if sku is None or product is None:
        return OFF_SHELF
    if sku["stock"] < line["quantity"]:
        return OUT_OF_STOCK
    if sku["price"] != line["priceAtAdd"]:
        return PRICE_CHANGED
    if sku["stock"] < LOW_STOCK_UNITS:
        return LOW_STOCK
    return OK


def quantity_problems(quantity: int, field: str = "quantity") -> list[Problem]:
    if not 1 <= quantity <= MAX_QUANTITY:
        return [Problem(field, f"A quantity is 1 to {MAX_QUANTITY}")]
    return []


def new_line(line_id: str, sku: Mapping[str, Any], quantity: int, now: int) -> dict[str, Any]:
    return {
        "id": line_id,
        "skuId": sku["_id"],
        "productId": sku["productId"],
        "shopId": sku["shopId"],
        "quantity": quantity,
        "priceAtAdd": sku["price"],
        "selected": True,
        "addedAt": now,
    }


def with_added(lines: Sequence[Line], line: Line) -> tuple[list[dict[str, Any]], Problem | None]:
    """The lines with `line` added: to the quantity of the existing line of its SKU (which keeps its id and the
    price it was added at), or as a new last line. A Problem instead when a limit would be passed."""
    merged = [dict(x) for x in lines]
    for existing in merged:
        if existing["skuId"] == line["skuId"]:
            total = existing["quantity"] + line["quantity"]
            if total > MAX_QUANTITY:
                return merged, Problem(
                    "quantity", f"A cart line holds at most {MAX_QUANTITY}; this one has {existing['quantity']}"
                )
            existing["quantity"] = total
            return merged, None
    if len(merged) >= MAX_LINES:
        return merged, Problem("skuId", f"A cart holds at most {MAX_LINES} lines; remove one first")
    return [*merged, dict(line)], None


def find(lines: Iterable[Line], line_id: str) -> Line | None:
    return next((x for x in lines if x["id"] == line_id), None)


def after_purchase(lines: Sequence[Line], bought: Mapping[str, int]) -> list[dict[str, Any]]:
    """The lines once `bought` ({line id: quantity}) are paid for: each loses that quantity, and goes when none
    is left (a line grown since checkout keeps the rest)."""
    kept = []
    for line in lines:
        left = line["quantity"] - bought.get(line["id"], 0)
        if left > 0:
            kept.append({**line, "quantity": left})
    return kept


def id_list_problems(ids: Sequence[str], field: str, most: int = MAX_LINES) -> list[Problem]:
    """1 to `most` ids, each once."""
    if not 1 <= len(ids) <= most:
        return [Problem(field, f"Give 1 to {most} ids")]
    seen: set[str] = set()
    problems = []
    for i, line_id in enumerate(ids):
        if line_id in seen:
            problems.append(Problem(f"{field}.{i}", "Each id appears once"))
        seen.add(line_id)
    return problems

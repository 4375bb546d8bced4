"""Checkout: cart lines priced per shop, one order per shop, paid at once. No I/O here.

A checkout is PLACING while its orders are reserved (internal, never shown), then PLACED; what the buyer sees as its
status follows from its orders: PENDING_PAYMENT while one of them waits for payment, then PAID when one was paid,
CANCELLED when none ever was. A checkout that was refused is forgotten (so is its idempotency key); one a crash left
PLACING is FAILED by the sweep, which cancels what it had placed, and its key stays spent.

    PLACING -> PLACED | (forgotten) | FAILED
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain import orders as order_rules
from domain.profile import Problem

PLACING = "PLACING"
PLACED = "PLACED"
FAILED = "FAILED"
PENDING_PAYMENT = "PENDING_PAYMENT"
PAID = "PAID"
CANCELLED = "CANCELLED"
STATUSES = (PENDING_PAYMENT, PAID, CANCELLED)

# Shops (so orders) in one checkout: each is a sub-order of one combined WeChat payment, which takes up to 50;
# ten keeps one checkout's work (and its unpaid holds) small.
MAX_SHOPS = 10
MAX_COUPONS = MAX_SHOPS
# A PLACING checkout older than this was left by a crashed process (a checkout takes well under a second).
STALE_PLACING_MS = 60_000

NOT_FOUND = "NOT_FOUND"
OUT_OF_STOCK = "OUT_OF_STOCK"
PRICE_CHANGED = "PRICE_CHANGED"


@dataclass(frozen=True)
class Line:
    """A cart line as checkout prices it. `index` is its position in the input's cartLineIds."""

    index: int
    line_id: str
    sku_id: str
    product_id: str
    shop_id: str
    quantity: int
    price_at_add: int
    unit_price: int

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class LineRefusal:
    index: int
    code: str
    message: str


def line_refusal(
    line: Mapping[str, Any], sku: Mapping[str, Any] | None, product: Mapping[str, Any] | None, accept_prices: bool
) -> tuple[str, str] | None:
    """Why a cart line cannot be bought as it is, (code, message); None when it can. A price changed since the line
    was added is refused unless the buyer accepts today's prices; stock short of the quantity always is."""
    if sku is None or product is None:
        return NOT_FOUND, "This product is no longer sold"
    if sku["stock"] < line["quantity"]:
        return OUT_OF_STOCK, f"Only {sku['stock']} left of the {line['quantity']} in your cart"
    if sku["price"] != line["priceAtAdd"] and not accept_prices:
        return PRICE_CHANGED, f"The price is now {sku['price']} fen, not {line['priceAtAdd']}"
    return None


def by_shop(lines: Iterable[Line]) -> dict[str, list[Line]]:
    """Lines per shop, shops in the order of their first line."""
    groups: dict[str, list[Line]] = {}
    for line in lines:
        groups.setdefault(line.shop_id, []).append(line)
    return groups


def shop_problems(groups: Mapping[str, Sequence[Line]]) -> list[Problem]:
    """At most MAX_SHOPS shops, and no more lines from one shop than an order takes."""
    if len(groups) > MAX_SHOPS:
        return [Problem("cartLineIds", f"A checkout holds lines of at most {MAX_SHOPS} shops")]
    for lines in groups.values():
        if len(lines) > order_rules.MAX_LINES:
            last = lines[order_rules.MAX_LINES]
            return [Problem(f"cartLineIds.{last.index}", f"An order has at most {order_rules.MAX_LINES} lines")]
    return []


def coupon_id_problems(ids: Sequence[str]) -> list[Problem]:
    """At most MAX_COUPONS coupons, each once (which shop each is for is checked against the lines)."""
    if len(ids) > MAX_COUPONS:
        return [Problem("couponIds", f"At most {MAX_COUPONS} coupons, one per shop")]
    return [Problem(f"couponIds.{i}", "Each coupon appears once") for i, c in enumerate(ids) if c in ids[:i]]


def status(orders: Iterable[Mapping[str, Any]]) -> str:
    """The buyer's view of a checkout from its orders' statuses."""
    statuses = [o["status"] for o in orders]
    if order_rules.PENDING_PAYMENT in statuses:
        return PENDING_PAYMENT
    if any(s not in (order_rules.CANCELLED, order_rules.RESERVING) for s in statuses):
        return PAID
    return CANCELLED


def checkout_id(buyer_id: str, key: str) -> str:
    """A checkout's id follows from its buyer and idempotency key (so a replay finds it by id, and two racing
    calls cannot both insert one), and tells neither."""
    return hashlib.sha256(f"{buyer_id}\x00{key}".encode()).hexdigest()[:24]


def number(order_number: str) -> str:
    """The checkout's number (a combined payment's combine_out_trade_no): C and an order-number-like string."""
    return f"C{order_number}"

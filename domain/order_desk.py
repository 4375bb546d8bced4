"""The merchant's order desk: what a search box query means, the date ranges a desk and an export accept, how an
order's move changes its shop's per-status counts, and the events a live desk hears. No I/O here.

A query is read three ways at once, each from its own index: exactly 4 digits are the last digits of the
recipient's phone; 5 to 22 digits are an order number or the start of one (numbers begin with the China-time
second the order was placed, so a prefix is a period: `20261202` is that day); and any query is also a buyer's
nickname, matched exactly by its look (the unique key nicknames are claimed under, domain/text.skeleton).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.orders import RESERVING
from domain.profile import Problem

QUERY_MAX = 40
PHONE_TAIL_DIGITS = 4
NUMBER_DIGITS = 22  # domain/orders.order_number: 14 digits of time, 8 random
NUMBER_PREFIX_MIN = 5
EXPORT_MAX_DAYS = 93
DAY_MS = 86_400_000

# What a live desk hears (shopOrderEvents): the order part publishes ORDER_PAID where an order becomes PAID; the
# after-sales part publishes the other two through resolvers/order_desk.publish_shop_event.
ORDER_PAID = "ORDER_PAID"
AFTER_SALE_REQUESTED = "AFTER_SALE_REQUESTED"
AFTER_SALE_TIMED_OUT = "AFTER_SALE_TIMED_OUT"
SHOP_EVENTS = (ORDER_PAID, AFTER_SALE_REQUESTED, AFTER_SALE_TIMED_OUT)


@dataclass(frozen=True)
class Search:
    nickname: str
    phone_tail: str | None = None
    number_prefix: str | None = None


def search_of(query: str | None) -> Search | None:
    """What a desk query looks for; None for no query (a blank one is none)."""
    text = (query or "").strip()
    if not text:
        return None
    digits = text.isascii() and text.isdigit()
    return Search(
        nickname=text,
        phone_tail=text if digits and len(text) == PHONE_TAIL_DIGITS else None,
        number_prefix=text if digits and NUMBER_PREFIX_MIN <= len(text) <= NUMBER_DIGITS else None,
    )


def prefix_range(prefix: str) -> dict[str, str]:
    """The order numbers starting with `prefix` (all digits): ':' is the character after '9'."""
    return {"$gte": prefix, "$lt": prefix + ":"}


def query_problems(query: str | None) -> list[Problem]:
    if query is not None and len(query) > QUERY_MAX:
        return [Problem("query", f"A query has at most {QUERY_MAX} characters")]
    return []


def placed_problems(placed_from: int | None, placed_to: int | None, names: tuple[str, str]) -> list[Problem]:
    if placed_from is not None and placed_to is not None and placed_to < placed_from:
        return [Problem(names[1], f"{names[1]} is before {names[0]}")]
    return []


def export_problems(start: int, end: int) -> list[Problem]:
    """An export covers [from, to): `to` after `from`, at most EXPORT_MAX_DAYS days."""
    if end <= start:
        return [Problem("to", "to must be after from")]
    if end - start > EXPORT_MAX_DAYS * DAY_MS:
        return [Problem("to", f"An export covers at most {EXPORT_MAX_DAYS} days; split the range")]
    return []


def count_changes(order: Mapping[str, Any]) -> dict[str, int]:
    """How the order's last move changes its shop's counts per status, from its history (every move appends the
    status it moved to): one more in the new status, one fewer in the one it left. RESERVING is never counted."""
    history: Sequence[Mapping[str, Any]] = order.get("history") or []
    if not history:
        return {}
    target = history[-1]["status"]
    source = history[-2]["status"] if len(history) >= 2 else RESERVING
    changes: dict[str, int] = {}
    if target != RESERVING:
        changes[target] = changes.get(target, 0) + 1
    if source != RESERVING:
        changes[source] = changes.get(source, 0) - 1
    return {status: n for status, n in changes.items() if n}

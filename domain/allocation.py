"""How an order's payment divides among its lines, to the fen, and how much of a line may still come back. No I/O.

An order is paid `total = subtotal - discount + shippingFee`. Each line's share of the discount and of the shipping
fee is proportional to its gross (unit price x quantity), by the largest-remainder method: each line gets the floor
of its exact share, and the fen left over go one each to the lines with the largest remainders (the earlier line on
a tie). So every share is whole fen and never negative, the shares add up exactly to the discount (and to the fee),
a line's discount share never passes its gross, and the lines' paid amounts add up exactly to the total. The same
order always divides the same way.

A line's money comes back with its units: once k of its Q units have, at most floor(paid x k / Q) of it in all (all
of it with the last unit), whatever each refund took before. So the refunds of a line never pass what it was paid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def split(amount: int, weights: Sequence[int]) -> list[int]:
    """`amount` fen (>= 0) in whole parts proportional to `weights` (>= 0) that add up to exactly `amount`, by the
    largest remainder (ties to the earlier part). All-zero weights split it evenly."""
    if amount < 0 or any(w < 0 for w in weights):
        raise ValueError("an amount and its weights are never negative")
    if not weights:
        if amount:
            raise ValueError(f"{amount} fen cannot be split over nothing")
        return []
    if not any(weights):
        weights = [1] * len(weights)
    whole = sum(weights)
    parts = [amount * w // whole for w in weights]
    remainders = [amount * w % whole for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[: amount - sum(parts)]:  # fewer than len(weights): each remainder is below `whole`
        parts[i] += 1
    return parts


@dataclass(frozen=True)
class LineShare:
    """One line's part of an order's money: its gross, its shares of the discount and the shipping fee."""

    gross: int
    discount: int
    shipping: int

    @property
    def paid(self) -> int:
        return self.gross - self.discount + self.shipping


def allocate(grosses: Sequence[int], discount: int, shipping: int) -> list[LineShare]:
    """Each line's shares of `discount` (at most the lines' gross together) and `shipping`, by gross."""
    if discount > sum(grosses):
        raise ValueError(f"a discount of {discount} passes the lines' {sum(grosses)}")
    discounts = split(discount, grosses)
    fees = split(shipping, grosses)
    return [LineShare(g, d, s) for g, d, s in zip(grosses, discounts, fees, strict=True)]


def order_shares(order: Mapping[str, Any]) -> list[LineShare]:
    """The shares of an order document's lines (orders from before shipping fees have none). Orders priced by the
    pipeline (domain/pricing.py) keep each line's `discount` (the shop campaigns, coupons and points it counted
    for): those are its shares; older orders' discount is split here by gross."""
    grosses = [int(line["unitPrice"]) * int(line["quantity"]) for line in order["lines"]]
    fee = int(order.get("shippingFee") or 0)
    kept = [line.get("discount") for line in order["lines"]]
    if all(isinstance(d, int) for d in kept) and sum(kept) == int(order.get("discount") or 0):
        return [LineShare(g, int(d), s) for g, d, s in zip(grosses, kept, split(fee, grosses), strict=True)]
    return allocate(grosses, int(order.get("discount") or 0), fee)


def cap(paid: int, quantity: int, units: int) -> int:
    """The most that may have come back, in all, of a line of `quantity` units paid `paid` once `units` have."""
    return paid * min(max(units, 0), quantity) // quantity


def refundable(paid: int, quantity: int, units_back: int, amount_back: int, units: int) -> int:
    """What `units` more units of a line may bring back, once `units_back` of its units and `amount_back` fen came
    back (or are on their way): 0 when those units are not left."""
    if units <= 0 or units_back + units > quantity:
        return 0
    return max(0, cap(paid, quantity, units_back + units) - amount_back)

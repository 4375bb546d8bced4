"""Money is an integer number of minor units (fen), as WeChat Pay counts it.

No single amount the store holds (a price, an order's total, a coupon, a refund, a withdrawal) passes AMOUNT_MAX,
the largest WeChat Pay's 32-bit `total` carries; the caps of domain/catalog.py and the ORDER_MAX_TOTAL setting keep
them under it. Sums of them (balances, sales, dashboards) stay below SAFE_MAX, 2^53 - 1, the largest integer a
JavaScript number holds exactly, for any realistic count: the API's Long scalar carries both.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CURRENCY = "CNY"
AMOUNT_MAX = 2**31 - 1
SAFE_MAX = 2**53 - 1


@dataclass(frozen=True)
class Money:
    amount: int
    currency: str = DEFAULT_CURRENCY

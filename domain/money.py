"""Money is an integer number of minor units (fen), as WeChat Pay counts it."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CURRENCY = "CNY"


@dataclass(frozen=True)
class Money:
    amount: int
    currency: str = DEFAULT_CURRENCY

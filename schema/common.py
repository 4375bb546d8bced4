"""Types every area shares: Node, PageInfo, Money, ErrorCode, UserError, and page-size checks."""

from __future__ import annotations

from enum import Enum
from typing import Any, NewType

import strawberry
from graphql import GraphQLError, IntValueNode, ValueNode

from domain.money import DEFAULT_CURRENCY
from resolvers.errors import ApiError, bad_input
from store.protocol import Doc, Page

MAX_PAGE = 100
DEFAULT_PAGE = 20
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def _not_long(message: str) -> GraphQLError:
    """Raised as a GraphQLError, graphql-core reports it as it is: a client error with its code."""
    return GraphQLError(message, extensions={"code": "INVALID_INPUT"})


def _long(value: Any) -> int:
    """An integer within the signed 64-bit range; anything else (a fraction, a string, a boolean) is refused."""
    if isinstance(value, bool) or not isinstance(value, int) or not LONG_MIN <= value <= LONG_MAX:
        raise _not_long(f"Long is an integer from -2^63 to 2^63 - 1, not {value!r}")
    return value


def _long_out(value: int) -> int:
    """What the store holds fits (domain/money.py); past 64 bits would be a broken invariant, not a client error."""
    if not LONG_MIN <= value <= LONG_MAX:
        raise ValueError(f"{value} does not fit a Long")
    return int(value)


def _long_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> int:
    if not isinstance(node, IntValueNode):
        raise _not_long("Long is an integer literal")
    return _long(int(node.value))


# Money in fen as the schema carries it: an int in Python, the Long scalar (LONG, in the schema's scalar_map).
Long = NewType("Long", int)
LONG = strawberry.scalar(
    name="Long",
    description=(
        "A 64-bit signed integer, as a JSON number: money in minor units (fen). Inputs are integers from -2^63 to"
        " 2^63 - 1 (each field has its own, smaller, limit). Every amount the API answers is below 2^53, so a"
        " JavaScript number reads it exactly: one amount is at most 2^31 - 1 fen, and sums of them stay below 2^53."
    ),
    serialize=_long_out,
    parse_value=_long,
    parse_literal=_long_literal,
)


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, page: Page, after: str | None) -> PageInfo:
        return cls(
            has_next_page=page.next_cursor is not None,
            has_previous_page=after is not None,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type
class Money:
    amount: Long = strawberry.field(description="Minor units (fen); a Long, so no sum overflows 32 bits.")
    currency: str = strawberry.field(description="ISO 4217, CNY unless a shop says otherwise.")

    @classmethod
    def fen(cls, amount: int, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(amount=Long(amount), currency=currency)


@strawberry.enum
class ErrorCode(Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    CONFLICT = "CONFLICT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    SELF_ACTION = "SELF_ACTION"
    BLOCKED = "BLOCKED"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    TEAM_FULL = "TEAM_FULL"
    TOO_MANY_UNPAID = "TOO_MANY_UNPAID"
    TEAM_CLOSED = "TEAM_CLOSED"
    ALREADY_JOINED = "ALREADY_JOINED"
    BARGAIN_CLOSED = "BARGAIN_CLOSED"
    ALREADY_HELPED = "ALREADY_HELPED"
    DAILY_LIMIT = "DAILY_LIMIT"
    COUPON_UNAVAILABLE = "COUPON_UNAVAILABLE"
    INVALID_STATE = "INVALID_STATE"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    CONTENT_REJECTED = "CONTENT_REJECTED"
    ROOM_NOT_LIVE = "ROOM_NOT_LIVE"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    NOT_DISTRIBUTOR = "NOT_DISTRIBUTOR"
    TOO_MANY_ADDRESSES = "TOO_MANY_ADDRESSES"
    NOT_DELIVERABLE = "NOT_DELIVERABLE"
    PRICE_CHANGED = "PRICE_CHANGED"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    LIMIT_REACHED = "LIMIT_REACHED"
    # seckill (resolvers/seckill.py)
    SECKILL_CLOSED = "SECKILL_CLOSED"
    PATH_TOKEN_INVALID = "PATH_TOKEN_INVALID"
    PURCHASE_LIMIT = "PURCHASE_LIMIT"
    # what stops deleteMyAccount (domain/account_deletion.py BLOCKERS), one error each
    BALANCE_NOT_EMPTY = "BALANCE_NOT_EMPTY"
    OPEN_ORDERS = "OPEN_ORDERS"
    OPEN_AFTER_SALES = "OPEN_AFTER_SALES"
    OPEN_WITHDRAWALS = "OPEN_WITHDRAWALS"
    OWNS_SHOP = "OWNS_SHOP"


@strawberry.type
class UserError:
    code: ErrorCode
    field: list[str] | None = strawberry.field(
        description='Path to the offending input field, e.g. ["input", "lines", "0", "quantity"].'
    )
    message: str

    @classmethod
    def of(cls, error: ApiError) -> UserError:
        return cls(code=ErrorCode(error.code), field=error.field, message=str(error))


def must(doc: Doc | None, what: str) -> Doc:
    """A document a non-null field points at; its absence is a broken reference (masked as internal)."""
    if doc is None:
        raise LookupError(f"dangling reference to a {what}")
    return doc


def page_size(first: int | None, default: int = DEFAULT_PAGE) -> int:
    """`first` outside 1..100 is an INVALID_INPUT GraphQL error: no silent capping."""
    if first is None:
        return default
    if not 1 <= first <= MAX_PAGE:
        raise bad_input(f"first must be between 1 and {MAX_PAGE}", "first")
    return first

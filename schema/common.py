"""Types every area shares: Node, PageInfo, Money, ErrorCode, UserError, and page-size checks."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.money import DEFAULT_CURRENCY
from resolvers.errors import ApiError, bad_input
from store.protocol import Doc, Page

MAX_PAGE = 100
DEFAULT_PAGE = 20


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
    amount: int = strawberry.field(description="Minor units (fen).")
    currency: str = strawberry.field(description="ISO 4217, CNY unless a shop says otherwise.")

    @classmethod
    def fen(cls, amount: int, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(amount=amount, currency=currency)


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

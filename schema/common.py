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


@strawberry.interface(description="Anything with a global id, which `node(id:)` and `nodes(ids:)` fetch back.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id: opaque, stable, and unique across all types.")


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether this page was asked for with `after`.")
    start_cursor: str | None = strawberry.field(description="The first item's cursor; null on an empty page.")
    end_cursor: str | None = strawberry.field(
        description="The last item's cursor: pass it as `after` for the next page; null on an empty page."
    )

    @classmethod
    def of(cls, page: Page, after: str | None) -> PageInfo:
        return cls(
            has_next_page=page.next_cursor is not None,
            has_previous_page=after is not None,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type(description="An amount of money: integer minor units (fen) and a currency.")
class Money:
    amount: Long = strawberry.field(description="Minor units (fen); a Long, so no sum overflows 32 bits.")
    currency: str = strawberry.field(description="ISO 4217, CNY unless a shop says otherwise.")

    @classmethod
    def fen(cls, amount: int, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(amount=Long(amount), currency=currency)


@strawberry.enum(description="Why a mutation was refused: `UserError.code`, for the client to act on.")
class ErrorCode(Enum):
    INVALID_INPUT = strawberry.enum_value(
        "INVALID_INPUT",
        description="An input field is malformed or out of its limits; `field` names it.",
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND",
        description="What the input names does not exist, or the viewer may not see it.",
    )
    UNAUTHENTICATED = strawberry.enum_value(
        "UNAUTHENTICATED",
        description="The call needs a signed-in user (an access token) and has none, or an expired one.",
    )
    TOO_MANY_SUBSCRIPTIONS = strawberry.enum_value(
        "TOO_MANY_SUBSCRIPTIONS",
        description=(
            "The WebSocket holds the most subscriptions it may (in all, or to this one topic); end one first."
        ),
    )
    FORBIDDEN = strawberry.enum_value(
        "FORBIDDEN",
        description=(
            "The viewer is signed in but may not do this (not the owner, not staff in the right role, not an operator)."
        ),
    )
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description="The viewer made too many such calls in the last minute; retry later.",
    )
    CONFLICT = strawberry.enum_value(
        "CONFLICT",
        description=(
            "Something changed meanwhile, or an idempotency key was reused for other input; retry (with a new key"
            " if it says so)."
        ),
    )
    ALREADY_EXISTS = strawberry.enum_value(
        "ALREADY_EXISTS",
        description="The thing to create exists already (one per user or per name).",
    )
    SELF_ACTION = strawberry.enum_value(
        "SELF_ACTION",
        description="The viewer cannot do this to themselves (follow, help their own bargain, ...).",
    )
    BLOCKED = strawberry.enum_value("BLOCKED", description="One of the two users has blocked the other.")
    OUT_OF_STOCK = strawberry.enum_value("OUT_OF_STOCK", description="Not enough stock left for the quantity asked.")
    TEAM_FULL = strawberry.enum_value("TEAM_FULL", description="The group-buy team has all its members.")
    TOO_MANY_UNPAID = strawberry.enum_value(
        "TOO_MANY_UNPAID",
        description="The buyer holds too many unpaid orders; pay or cancel one first.",
    )
    TEAM_CLOSED = strawberry.enum_value(
        "TEAM_CLOSED",
        description="The group-buy team is no longer open (completed, expired or failed).",
    )
    ALREADY_JOINED = strawberry.enum_value("ALREADY_JOINED", description="The viewer is in this team already.")
    BARGAIN_CLOSED = strawberry.enum_value("BARGAIN_CLOSED", description="The bargain is over.")
    ALREADY_HELPED = strawberry.enum_value(
        "ALREADY_HELPED",
        description="The viewer has already cut this bargain's price.",
    )
    DAILY_LIMIT = strawberry.enum_value(
        "DAILY_LIMIT",
        description="The viewer reached today's limit for this action (days in China time).",
    )
    COUPON_UNAVAILABLE = strawberry.enum_value(
        "COUPON_UNAVAILABLE",
        description="The coupon cannot be claimed or used here.",
    )
    INVALID_STATE = strawberry.enum_value(
        "INVALID_STATE",
        description="The object is not in a state that allows this (e.g. refunding an unpaid order).",
    )
    PAYMENT_FAILED = strawberry.enum_value("PAYMENT_FAILED", description="WeChat Pay refused or failed the payment.")
    CONTENT_REJECTED = strawberry.enum_value(
        "CONTENT_REJECTED",
        description="The text or image breaks the community rules; `message` says why.",
    )
    ROOM_NOT_LIVE = strawberry.enum_value("ROOM_NOT_LIVE", description="The live room is not broadcasting now.")
    INSUFFICIENT_FUNDS = strawberry.enum_value(
        "INSUFFICIENT_FUNDS",
        description="The balance is below the amount asked.",
    )
    NOT_DISTRIBUTOR = strawberry.enum_value("NOT_DISTRIBUTOR", description="Only approved distributors may do this.")
    TOO_MANY_ADDRESSES = strawberry.enum_value(
        "TOO_MANY_ADDRESSES",
        description="The address book is full; delete an address first.",
    )
    NOT_DELIVERABLE = strawberry.enum_value(
        "NOT_DELIVERABLE",
        description="The shop does not ship this line to the address chosen.",
    )
    PRICE_CHANGED = strawberry.enum_value(
        "PRICE_CHANGED",
        description="A price moved since the preview; preview again and confirm the new total.",
    )
    INSUFFICIENT_POINTS = strawberry.enum_value(
        "INSUFFICIENT_POINTS",
        description="The viewer has fewer points than this needs.",
    )
    LIMIT_REACHED = strawberry.enum_value(
        "LIMIT_REACHED",
        description="The viewer reached how many times this may be done (e.g. a reward's per-member redemptions).",
    )
    # seckill (resolvers/seckill.py)
    SECKILL_CLOSED = strawberry.enum_value(
        "SECKILL_CLOSED",
        description="No slot of the flash sale is running now, or the sale is over.",
    )
    PATH_TOKEN_INVALID = strawberry.enum_value(
        "PATH_TOKEN_INVALID",
        description="The flash-sale path token is missing, expired or for another slot; fetch a new one.",
    )
    PURCHASE_LIMIT = strawberry.enum_value(
        "PURCHASE_LIMIT",
        description="The viewer bought the most this flash sale allows per person.",
    )
    # what stops deleteMyAccount (domain/account_deletion.py BLOCKERS), one error each
    BALANCE_NOT_EMPTY = strawberry.enum_value(
        "BALANCE_NOT_EMPTY",
        description=(
            "Account deletion: the commission balance is not empty; withdraw it (and wait for what is frozen)."
        ),
    )
    OPEN_ORDERS = strawberry.enum_value(
        "OPEN_ORDERS",
        description=(
            "Account deletion: orders are not finished (unpaid, paid, shipping, or with a refund on its way)."
        ),
    )
    OPEN_AFTER_SALES = strawberry.enum_value(
        "OPEN_AFTER_SALES",
        description="Account deletion: after-sale requests are still open.",
    )
    OPEN_WITHDRAWALS = strawberry.enum_value(
        "OPEN_WITHDRAWALS",
        description="Account deletion: withdrawals are still being paid out.",
    )
    OWNS_SHOP = strawberry.enum_value("OWNS_SHOP", description="Account deletion: the viewer owns a shop.")


@strawberry.type(description="One reason a mutation was refused.")
class UserError:
    code: ErrorCode = strawberry.field(description="What went wrong, for the client to act on.")
    field: list[str] | None = strawberry.field(
        description='Path to the offending input field, e.g. ["input", "lines", "0", "quantity"].'
    )
    message: str = strawberry.field(description="A sentence for the user (English), not for parsing.")

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

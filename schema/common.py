"""Types every area shares: Node, PageInfo, Money, ErrorCode, UserError, and page-size checks."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, NewType, TypeVar, cast

import strawberry
from graphql import GraphQLError, IntValueNode, ValueNode

from domain.money import DEFAULT_CURRENCY
from resolvers.errors import ApiError, bad_input
from resolvers.loaders import NOT_LOADED
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


def described_value(value: str, description: str) -> str:
    """An enum value with its description for the docs pane. Typed as the str it is at run time (strawberry unwraps
    it); mypy would otherwise see `strawberry.enum_value`'s definition object as the member's `.value`."""
    return cast(str, strawberry.enum_value(value, description=description))


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
    INVALID_INPUT = described_value(
        "INVALID_INPUT",
        "An input field is malformed or out of its limits; `field` names it.",
    )
    NOT_FOUND = described_value("NOT_FOUND", "What the input names does not exist, or the viewer may not see it.")
    UNAUTHENTICATED = described_value(
        "UNAUTHENTICATED",
        "The call needs a signed-in user (an access token) and has none, or an expired one.",
    )
    TOO_MANY_SUBSCRIPTIONS = described_value(
        "TOO_MANY_SUBSCRIPTIONS",
        "The WebSocket holds the most subscriptions it may (in all, or to this one topic); end one first.",
    )
    FORBIDDEN = described_value(
        "FORBIDDEN",
        ("The viewer is signed in but may not do this (not the owner, not staff in the right role, not an operator)."),
    )
    RATE_LIMITED = described_value(
        "RATE_LIMITED",
        "The viewer made too many such calls in the last minute; retry later.",
    )
    CONFLICT = described_value(
        "CONFLICT",
        (
            "Something changed meanwhile, or an idempotency key was reused for other input; retry (with a new key"
            " if it says so)."
        ),
    )
    ALREADY_EXISTS = described_value("ALREADY_EXISTS", "The thing to create exists already (one per user or per name).")
    SELF_ACTION = described_value(
        "SELF_ACTION",
        "The viewer cannot do this to themselves (follow, help their own bargain, ...).",
    )
    BLOCKED = described_value("BLOCKED", "One of the two users has blocked the other.")
    OUT_OF_STOCK = described_value("OUT_OF_STOCK", "Not enough stock left for the quantity asked.")
    TEAM_FULL = described_value("TEAM_FULL", "The group-buy team has all its members.")
    TOO_MANY_UNPAID = described_value(
        "TOO_MANY_UNPAID",
        "The buyer holds too many unpaid orders; pay or cancel one first.",
    )
    TEAM_CLOSED = described_value("TEAM_CLOSED", "The group-buy team is no longer open (completed, expired or failed).")
    ALREADY_JOINED = described_value("ALREADY_JOINED", "The viewer is in this team already.")
    BARGAIN_CLOSED = described_value("BARGAIN_CLOSED", "The bargain is over.")
    ALREADY_HELPED = described_value("ALREADY_HELPED", "The viewer has already cut this bargain's price.")
    DAILY_LIMIT = described_value(
        "DAILY_LIMIT",
        "The viewer reached today's limit for this action (days in China time).",
    )
    COUPON_UNAVAILABLE = described_value("COUPON_UNAVAILABLE", "The coupon cannot be claimed or used here.")
    INVALID_STATE = described_value(
        "INVALID_STATE",
        "The object is not in a state that allows this (e.g. refunding an unpaid order).",
    )
    PAYMENT_FAILED = described_value("PAYMENT_FAILED", "WeChat Pay refused or failed the payment.")
    CONTENT_REJECTED = described_value(
        "CONTENT_REJECTED",
        "The text or image breaks the community rules; `message` says why.",
    )
    ROOM_NOT_LIVE = described_value("ROOM_NOT_LIVE", "The live room is not broadcasting now.")
    INSUFFICIENT_FUNDS = described_value("INSUFFICIENT_FUNDS", "The balance is below the amount asked.")
    NOT_DISTRIBUTOR = described_value("NOT_DISTRIBUTOR", "Only approved distributors may do this.")
    TOO_MANY_ADDRESSES = described_value("TOO_MANY_ADDRESSES", "The address book is full; delete an address first.")
    NOT_DELIVERABLE = described_value("NOT_DELIVERABLE", "The shop does not ship this line to the address chosen.")
    PRICE_CHANGED = described_value(
        "PRICE_CHANGED",
        "A price moved since the preview; preview again and confirm the new total.",
    )
    INSUFFICIENT_POINTS = described_value("INSUFFICIENT_POINTS", "The viewer has fewer points than this needs.")
    LIMIT_REACHED = described_value(
        "LIMIT_REACHED",
        "The viewer reached how many times this may be done (e.g. a reward's per-member redemptions).",
    )
    # seckill (resolvers/seckill.py)
    SECKILL_CLOSED = described_value("SECKILL_CLOSED", "No slot of the flash sale is running now, or the sale is over.")
    PATH_TOKEN_INVALID = described_value(
        "PATH_TOKEN_INVALID",
        "The flash-sale path token is missing, expired or for another slot; fetch a new one.",
    )
    PURCHASE_LIMIT = described_value("PURCHASE_LIMIT", "The viewer bought the most this flash sale allows per person.")
    # what stops deleteMyAccount (domain/account_deletion.py BLOCKERS), one error each
    BALANCE_NOT_EMPTY = described_value(
        "BALANCE_NOT_EMPTY",
        "Account deletion: the commission balance is not empty; withdraw it (and wait for what is frozen).",
    )
    OPEN_ORDERS = described_value(
        "OPEN_ORDERS",
        "Account deletion: orders are not finished (unpaid, paid, shipping, or with a refund on its way).",
    )
    OPEN_AFTER_SALES = described_value("OPEN_AFTER_SALES", "Account deletion: after-sale requests are still open.")
    OPEN_WITHDRAWALS = described_value("OPEN_WITHDRAWALS", "Account deletion: withdrawals are still being paid out.")
    OWNS_SHOP = described_value("OWNS_SHOP", "Account deletion: the viewer owns a shop.")


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


T = TypeVar("T")


def related(info: Any, loader: str, key: Any, build: Callable[[Doc | None], T]) -> T:
    """`build` of the document the request's loader `loader` holds for `key`: at once when the loader has read it
    already (a list's `intact` check reads a page's related documents in one batch), so a page of 100 items costs
    no task per item; else an awaitable of it (graphql-core awaits what a resolver returns)."""
    known = info.context.loaders.loaded(loader, key)
    if known is not NOT_LOADED:
        return build(known)

    async def later() -> T:
        return build(await getattr(info.context.loaders, loader).load(key))

    return later()  # type: ignore[return-value]


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

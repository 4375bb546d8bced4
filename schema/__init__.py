"""Builds the GraphQL `schema` from each area's types."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from schema.catalog import Product, Shop, Sku
from schema.common import UserError
from schema.errors import ErrorCodes
from schema.query import Query
from schema.users import User

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000

schema = strawberry.Schema(
    query=Query,
    types=[User, Shop, Product, Sku, UserError],
    extensions=[
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        ErrorCodes,
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"

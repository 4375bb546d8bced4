"""Builds the GraphQL `schema` from each area's queries, mutations and types."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from schema.auth import AuthMutations
from schema.catalog import CatalogMutations, CatalogQueries, Product, Shop, Sku
from schema.common import UserError
from schema.coupons import Coupon, CouponMutations, CouponQueries
from schema.errors import ErrorCodes
from schema.orders import Order, OrderMutations, OrderQueries, OrderSubscriptions
from schema.query import NodeQueries
from schema.users import User, UserMutations, UserQueries

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000

Query = merge_types("Query", (NodeQueries, UserQueries, CatalogQueries, OrderQueries, CouponQueries))
Mutation = merge_types("Mutation", (AuthMutations, UserMutations, CatalogMutations, OrderMutations, CouponMutations))
Subscription = merge_types("Subscription", (OrderSubscriptions,))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[User, Shop, Product, Sku, Order, Coupon, UserError],
    extensions=[
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        ErrorCodes,
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"

"""Builds the GraphQL `schema` from each area's queries, mutations and types."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from graphql import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache
from strawberry.extensions.max_aliases import create_validator as alias_limit
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from observability.request_ids import RequestIdInResponse
from schema.addresses import Address, AddressMutations, AddressQueries
from schema.after_sales import AfterSale, AfterSaleMutations, AfterSaleQueries
from schema.analytics import TRACK_SHORTCUT, AnalyticsMutations, AnalyticsQueries
from schema.auth import AuthMutations
from schema.bargains import Bargain, BargainMutations, BargainQueries
from schema.campaigns import CampaignMutations, CampaignSubscriptions, DiscountCampaign
from schema.cart import CartMutations, CartQueries
from schema.catalog import CatalogMutations, CatalogQueries, Product, Shop, Sku
from schema.checkout import Checkout, CheckoutMutations, CheckoutQueries
from schema.common import LONG, Long, UserError
from schema.content import Activity, Comment, ContentMutations, ContentQueries, ContentSubscriptions, Post, Topic
from schema.coupons import Coupon, CouponMutations, CouponQueries
from schema.creators import CreatorMutations, CreatorQueries
from schema.data_rights import DataRightsMutations
from schema.descriptions import fill as fill_descriptions
from schema.distribution import Commission, DistributionMutations, DistributionQueries
from schema.engine import ApiSchema
from schema.errors import ErrorCodes
from schema.execution import ApiExecutionContext
from schema.favorites import FavoriteMutations, FavoriteQueries
from schema.invites import InviteMutations, InviteQueries
from schema.limits import RequestLimits
from schema.live import LiveComment, LiveMutations, LiveQueries, LiveRoom, LiveSubscriptions
from schema.membership import MembershipMutations, MembershipQueries
from schema.operation_metrics import OperationMetrics
from schema.order_desk import OrderDeskMutations, OrderDeskSubscriptions
from schema.orders import Order, OrderMutations, OrderQueries, OrderSubscriptions
from schema.pages.components import ComponentQueries, TemplateMutations
from schema.pages.pages import PageMutations, PageQueries
from schema.pages.rendering import RenderQueries
from schema.pages.themes import ThemeMutations, ThemeQueries
from schema.payouts import PayoutMutations, Withdrawal
from schema.points import PointsMutations, PointsQueries, PointsReward
from schema.query import NodeQueries
from schema.recommend import RecommendQueries
from schema.reviews import Review, ReviewMutations, ReviewQueries
from schema.seckill import (
    SOLD_OUT_SHORTCUT,
    SeckillCampaign,
    SeckillMutations,
    SeckillQueries,
    SeckillSubscriptions,
)
from schema.segments import SegmentMutations, SegmentQueries
from schema.sharing import SharingMutations
from schema.shipments import ShipmentQueries
from schema.shipping import ShippingMutations, ShippingTemplate
from schema.teams import Team, TeamMutations, TeamQueries, TeamSubscriptions
from schema.users import User, UserMutations, UserQueries

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
# Parsed documents are cached by query text (clients send the same few queries over and over); so are validation
# results (schema/limits.py, which also bounds selections, validation time and query cost).
DOCUMENT_CACHE = 1000
# Created once, so the validation cache sees the same rules on every request.
LIMIT_RULES: list[type[ASTValidationRule]] = [depth_limit(MAX_DEPTH, None, None), alias_limit(MAX_ALIASES)]


class Limits(AddValidationRules):
    """Depth and alias limits as validation rules (cached with the rest of validation)."""

    def __init__(self) -> None:
        super().__init__(LIMIT_RULES)


Query = merge_types(
    "Query",
    (
        NodeQueries,
        UserQueries,
        CatalogQueries,
        OrderQueries,
        ShipmentQueries,
        AfterSaleQueries,
        CartQueries,
        CheckoutQueries,
        TeamQueries,
        BargainQueries,
        SeckillQueries,
        CouponQueries,
        DistributionQueries,
        ContentQueries,
        RecommendQueries,
        LiveQueries,
        AddressQueries,
        PageQueries,
        RenderQueries,
        ComponentQueries,
        ThemeQueries,
        PointsQueries,
        MembershipQueries,
        InviteQueries,
        CreatorQueries,
        ReviewQueries,
        FavoriteQueries,
        AnalyticsQueries,
        SegmentQueries,
    ),
)
MUTATIONS = (
    AuthMutations,
    UserMutations,
    CatalogMutations,
    OrderMutations,
    AfterSaleMutations,
    CartMutations,
    CheckoutMutations,
    TeamMutations,
    BargainMutations,
    SeckillMutations,
    CouponMutations,
    CampaignMutations,
    DistributionMutations,
    PayoutMutations,
    ContentMutations,
    LiveMutations,
    AddressMutations,
    ShippingMutations,
    OrderDeskMutations,
    DataRightsMutations,
    PageMutations,
    TemplateMutations,
    ThemeMutations,
    PointsMutations,
    MembershipMutations,
    InviteMutations,
    SharingMutations,
    CreatorMutations,
    ReviewMutations,
    FavoriteMutations,
    AnalyticsMutations,
    SegmentMutations,
)
Mutation = merge_types("Mutation", MUTATIONS)
Subscription = merge_types(
    "Subscription",
    (
        OrderSubscriptions,
        TeamSubscriptions,
        ContentSubscriptions,
        LiveSubscriptions,
        OrderDeskSubscriptions,
        CampaignSubscriptions,
        SeckillSubscriptions,
    ),
)


def build(extra_extensions: Sequence[Any] = ()) -> ApiSchema:
    """The API's schema; `extra_extensions` (tracing) run first, around everything else."""
    built = ApiSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            User,
            Shop,
            Product,
            Sku,
            Order,
            AfterSale,
            Checkout,
            Team,
            Bargain,
            SeckillCampaign,
            Coupon,
            DiscountCampaign,
            Commission,
            Withdrawal,
            Post,
            Comment,
            Topic,
            Activity,
            LiveRoom,
            LiveComment,
            UserError,
            Address,
            ShippingTemplate,
            PointsReward,
            Review,
        ],
        extensions=[
            *extra_extensions,
            OperationMetrics,
            RequestIdInResponse,
            partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
            partial(ParserCache, maxsize=DOCUMENT_CACHE),
            Limits,
            RequestLimits,
            ErrorCodes,
        ],
        config=StrawberryConfig(scalar_map={Long: LONG}),
        execution_context_class=ApiExecutionContext,
    )
    fill_descriptions(built._schema)
    return built


schema = build()
# Mutations answered before the engine when their answer is known in memory (schema/shortcuts.py).
SHORTCUTS = [SOLD_OUT_SHORTCUT, TRACK_SHORTCUT]


def sdl() -> str:
    return schema.as_str() + "\n"

"""The data platform's API: trackEvents (clients' events), shopDashboard and platformDashboard, the saved layout of
a shop's dashboard, CSV exports of its series and rebuildAggregates. Metrics are defined in README-events.md."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from domain import events as ev
from domain import metrics as metric_rules
from domain.ids import BadGlobalId, from_global_id
from resolvers import aggregates as aggregates_uc
from resolvers import dashboards as uc
from resolvers import events as events_uc
from resolvers.errors import ApiError, refuse_problems
from resolvers.users import is_operator
from schema.catalog import Product
from schema.common import Long, UserError, described_value
from schema.context import Context, Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.orders import when
from schema.shortcuts import LEAF, USER_ERROR, Shortcut, user_errors
from schema.staff import SHOP, Staff

_METRIC_DOCS = {
    "GMV": "Fen paid for orders paid in the bucket (by payment time), refunds not taken off.",
    "REFUNDS": "Fen given back in the bucket (by refund time): full, partial (team price) and after-sale refunds.",
    "NET_SALES": "GMV - REFUNDS of the same bucket.",
    "REFUNDS_BY_ORDER_DATE": "Fen given back so far for the orders paid in the bucket (a late refund lands here too).",
    "NET_SALES_BY_ORDER_DATE": "GMV - REFUNDS_BY_ORDER_DATE: what the bucket's orders keep.",
    "ORDERS": "Orders paid in the bucket.",
    "PAYING_BUYERS": "Distinct buyers with an order paid in the bucket (exact per hour and day; a HyperLogLog "
    "estimate over several days).",
    "AOV": "Average order value (客单价) = GMV / PAYING_BUYERS, in fen; null without paying buyers.",
    "VISITORS": "Distinct visitors (signed-in user, else client id) with any client event at the shop.",
    "PRODUCT_VIEWERS": "Distinct visitors with a PRODUCT_VIEW at the shop.",
    "PAGE_VIEWS": "PAGE_VIEW events.",
    "PRODUCT_VIEWS": "PRODUCT_VIEW events.",
    "ADD_TO_CART": "ADD_TO_CART events.",
    "CONVERSION_RATE": "Funnel: visitors of a day who placed an order that day and paid it / visitors, per day "
    "(visitor-days over a range).",
    "SHARE_ORDERS": "Paid orders whose channel is not DIRECT (a share link or a team).",
    "SHARE_GMV": "GMV of SHARE_ORDERS.",
    "SHARE_GMV_SHARE": "SHARE_GMV / GMV; null when GMV is 0.",
    "ACTIVE_DISTRIBUTORS": "Distinct distributors who earned a commission on an order paid in the bucket.",
    "COMMISSION": "Fen of commission on orders paid in the bucket, less what was reversed.",
}


@strawberry.enum(description="A dashboard metric; each value's description defines it exactly.")
class ShopMetric(Enum):
    GMV = strawberry.enum_value("GMV", description=_METRIC_DOCS["GMV"])
    REFUNDS = strawberry.enum_value("REFUNDS", description=_METRIC_DOCS["REFUNDS"])
    NET_SALES = strawberry.enum_value("NET_SALES", description=_METRIC_DOCS["NET_SALES"])
    REFUNDS_BY_ORDER_DATE = strawberry.enum_value(
        "REFUNDS_BY_ORDER_DATE", description=_METRIC_DOCS["REFUNDS_BY_ORDER_DATE"]
    )
    NET_SALES_BY_ORDER_DATE = strawberry.enum_value(
        "NET_SALES_BY_ORDER_DATE", description=_METRIC_DOCS["NET_SALES_BY_ORDER_DATE"]
    )
    ORDERS = strawberry.enum_value("ORDERS", description=_METRIC_DOCS["ORDERS"])
    PAYING_BUYERS = strawberry.enum_value("PAYING_BUYERS", description=_METRIC_DOCS["PAYING_BUYERS"])
    AOV = strawberry.enum_value("AOV", description=_METRIC_DOCS["AOV"])
    VISITORS = strawberry.enum_value("VISITORS", description=_METRIC_DOCS["VISITORS"])
    PRODUCT_VIEWERS = strawberry.enum_value("PRODUCT_VIEWERS", description=_METRIC_DOCS["PRODUCT_VIEWERS"])
    PAGE_VIEWS = strawberry.enum_value("PAGE_VIEWS", description=_METRIC_DOCS["PAGE_VIEWS"])
    PRODUCT_VIEWS = strawberry.enum_value("PRODUCT_VIEWS", description=_METRIC_DOCS["PRODUCT_VIEWS"])
    ADD_TO_CART = strawberry.enum_value("ADD_TO_CART", description=_METRIC_DOCS["ADD_TO_CART"])
    CONVERSION_RATE = strawberry.enum_value("CONVERSION_RATE", description=_METRIC_DOCS["CONVERSION_RATE"])
    SHARE_ORDERS = strawberry.enum_value("SHARE_ORDERS", description=_METRIC_DOCS["SHARE_ORDERS"])
    SHARE_GMV = strawberry.enum_value("SHARE_GMV", description=_METRIC_DOCS["SHARE_GMV"])
    SHARE_GMV_SHARE = strawberry.enum_value("SHARE_GMV_SHARE", description=_METRIC_DOCS["SHARE_GMV_SHARE"])
    ACTIVE_DISTRIBUTORS = strawberry.enum_value("ACTIVE_DISTRIBUTORS", description=_METRIC_DOCS["ACTIVE_DISTRIBUTORS"])
    COMMISSION = strawberry.enum_value("COMMISSION", description=_METRIC_DOCS["COMMISSION"])


@strawberry.enum(
    description="A card of a shop's dashboard: a metric, or FUNNEL, CHANNELS, TOP_PRODUCTS, REPURCHASE_RATE."
)
class DashboardCard(Enum):
    GMV = described_value("GMV", "The GMV metric: its total, change and series.")
    REFUNDS = described_value("REFUNDS", "The REFUNDS metric: its total, change and series.")
    NET_SALES = described_value("NET_SALES", "The NET_SALES metric: its total, change and series.")
    REFUNDS_BY_ORDER_DATE = described_value(
        "REFUNDS_BY_ORDER_DATE", "The REFUNDS_BY_ORDER_DATE metric: its total, change and series."
    )
    NET_SALES_BY_ORDER_DATE = described_value(
        "NET_SALES_BY_ORDER_DATE", "The NET_SALES_BY_ORDER_DATE metric: its total, change and series."
    )
    ORDERS = described_value("ORDERS", "The ORDERS metric: its total, change and series.")
    PAYING_BUYERS = described_value("PAYING_BUYERS", "The PAYING_BUYERS metric: its total, change and series.")
    AOV = described_value("AOV", "The AOV metric: its total, change and series.")
    VISITORS = described_value("VISITORS", "The VISITORS metric: its total, change and series.")
    PRODUCT_VIEWERS = described_value("PRODUCT_VIEWERS", "The PRODUCT_VIEWERS metric: its total, change and series.")
    PAGE_VIEWS = described_value("PAGE_VIEWS", "The PAGE_VIEWS metric: its total, change and series.")
    PRODUCT_VIEWS = described_value("PRODUCT_VIEWS", "The PRODUCT_VIEWS metric: its total, change and series.")
    ADD_TO_CART = described_value("ADD_TO_CART", "The ADD_TO_CART metric: its total, change and series.")
    CONVERSION_RATE = described_value("CONVERSION_RATE", "The CONVERSION_RATE metric: its total, change and series.")
    SHARE_ORDERS = described_value("SHARE_ORDERS", "The SHARE_ORDERS metric: its total, change and series.")
    SHARE_GMV = described_value("SHARE_GMV", "The SHARE_GMV metric: its total, change and series.")
    SHARE_GMV_SHARE = described_value("SHARE_GMV_SHARE", "The SHARE_GMV_SHARE metric: its total, change and series.")
    ACTIVE_DISTRIBUTORS = described_value(
        "ACTIVE_DISTRIBUTORS", "The ACTIVE_DISTRIBUTORS metric: its total, change and series."
    )
    COMMISSION = described_value("COMMISSION", "The COMMISSION metric: its total, change and series.")
    FUNNEL = described_value("FUNNEL", "The funnel: visitors, product viewers, placed and paid buyers.")
    CHANNELS = described_value("CHANNELS", "Paid orders and GMV per sales channel.")
    TOP_PRODUCTS = described_value("TOP_PRODUCTS", "The products with the most GMV.")
    REPURCHASE_RATE = described_value("REPURCHASE_RATE", "The repurchase rate (复购率) against the previous period.")


@strawberry.enum(
    description=(
        "Where an order came from: GROUP (a team), a share link's channel (FRIEND, MOMENTS, POSTER, LIVE, NOTE;"
        " DISTRIBUTOR when its sharer is an active distributor of the shop), DIRECT otherwise."
    )
)
class SalesChannel(Enum):
    FRIEND = described_value("FRIEND", "A share link sent to a friend in a chat.")
    GROUP = described_value("GROUP", "A group-buy team.")
    MOMENTS = described_value("MOMENTS", "A share link posted to WeChat Moments.")
    POSTER = described_value("POSTER", "A share poster's QR code.")
    LIVE = described_value("LIVE", "A share link from a live room.")
    NOTE = described_value("NOTE", "A share link from a post.")
    DISTRIBUTOR = described_value("DISTRIBUTOR", "A share link of an active distributor of the shop.")
    DIRECT = described_value("DIRECT", "No share link and no team.")


@strawberry.enum(description="How long each bucket of a dashboard's series is.")
class DashboardGranularity(Enum):
    HOUR = described_value("HOUR", "An hour (a range of at most 7 days).")
    DAY = described_value("DAY", "A local day of the shop's time zone.")
    WEEK = described_value("WEEK", "A local week, from Monday.")
    MONTH = described_value("MONTH", "A local calendar month.")


def _ms(value: datetime) -> int:
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp() * 1000)


@strawberry.type(description="One metric of a dashboard: its total, the change, its series.")
class DashboardMetric:
    metric: ShopMetric = strawberry.field(description="Which metric (its description defines it).")
    total: float | None = strawberry.field(
        description=("Over the whole range (fen for money metrics); null when it has no value (a rate without a base).")
    )
    previous: float | None = strawberry.field(description="The total of the previous period of the same length.")
    change: float | None = strawberry.field(
        description="(total - previous) / previous; null when previous is 0 or unknown (never a made-up base)."
    )
    values: list[float | None] = strawberry.field(
        description="The metric per bucket, in the order of the dashboard's `buckets` (one list per metric rather "
        "than an object per point: a 90-day dashboard of every metric is 1,700 numbers)."
    )


@strawberry.type(
    description=(
        "Counted by the visit's day: visitors of a day, those of them who viewed a product, placed an order that day,"
        " and paid an order placed that day (whenever it was paid). Over a range: sums of the days (visitor-days)."
    )
)
class DashboardFunnel:
    visitors: int = strawberry.field(description="Visitor-days.")
    product_viewers: int = strawberry.field(description="Of those, who viewed a product.")
    placed_buyers: int = strawberry.field(description="Of those, who placed an order that day.")
    paid_buyers: int = strawberry.field(description="Of those, who paid an order placed that day.")


@strawberry.type(description="One sales channel's part of a period's paid orders.")
class ChannelStats:
    channel: SalesChannel = strawberry.field(description="The channel.")
    orders: int = strawberry.field(description="Paid orders from it.")
    gmv: Long = strawberry.field(description="Fen paid for them.")
    gmv_share: float | None = strawberry.field(description="Its part of the GMV, 0 to 1; null when the GMV is 0.")


@strawberry.type(description="One product's sales over a dashboard's period.")
class ProductStats:
    product_id: strawberry.ID = strawberry.field(
        description=("The product's global id (it stays when the product is gone).")
    )
    units: int = strawberry.field(description="Units in paid orders (before refunds).")
    gmv: Long = strawberry.field(description="Fen paid for them.")

    @strawberry.field(description="The product; null when it is gone.")
    async def product(self, info: Info) -> Product | None:
        doc = await info.context.loaders.product.load(str(self.product_id))
        return Product.from_doc(doc) if doc else None


@strawberry.type(description="A shop's (or the platform's) numbers over a period.")
class ShopDashboard:
    board: strawberry.Private[uc.Dashboard]

    @strawberry.field(name="from", description="The start of the period (included).")
    def from_(self) -> datetime:
        return when(self.board.start)  # type: ignore[return-value]

    @strawberry.field(description="The end of the period (excluded).")
    def to(self) -> datetime:
        return when(self.board.end)  # type: ignore[return-value]

    @strawberry.field(description="How long each bucket of the series is.")
    def granularity(self) -> DashboardGranularity:
        return DashboardGranularity(self.board.granularity)

    @strawberry.field(description="Where each bucket of the series starts (an hour, or a local day, week, month).")
    def buckets(self) -> list[datetime]:
        return [when(start) for start, _ in self.board.series]  # type: ignore[misc]

    @strawberry.field(description="The IANA time zone the shop's days are counted in.")
    def time_zone(self) -> str:
        return self.board.tz

    @strawberry.field(description="Totals, previous period and series of these metrics (all when not given).")
    def metrics(
        self,
        only: Annotated[
            list[ShopMetric] | None, strawberry.argument(description=("The metrics to answer; all when not given."))
        ] = None,
    ) -> list[DashboardMetric]:
        names = [m.name for m in only] if only else list(uc.METRICS)
        return [_metric(self.board.metric(n)) for n in names]

    @strawberry.field(description="The conversion funnel over the period.")
    def funnel(self) -> DashboardFunnel:
        t = self.board.totals
        return DashboardFunnel(
            visitors=t["funnelVisitors"],
            product_viewers=t["funnelProductViewers"],
            placed_buyers=t["funnelPlaced"],
            paid_buyers=t["funnelPaid"],
        )

    @strawberry.field(description="Paid orders and GMV per channel (every channel, zeros included).")
    def channels(self) -> list[ChannelStats]:
        rows = metric_rules.channels(self.board.docs)
        gmv = sum(r["gmv"] for r in rows.values())
        return [
            ChannelStats(
                channel=SalesChannel(c),
                orders=r["orders"],
                gmv=Long(r["gmv"]),
                gmv_share=r["gmv"] / gmv if gmv else None,
            )
            for c, r in rows.items()
        ]

    @strawberry.field(description="Products by GMV of the period's paid orders (units before refunds).")
    def top_products(
        self, first: Annotated[int, strawberry.argument(description="How many, 1 to 100 (outside: clamped).")] = 10
    ) -> list[ProductStats]:
        first = max(1, min(first, 100))
        return [
            ProductStats(product_id=strawberry.ID(p), units=u, gmv=Long(g))
            for p, u, g in metric_rules.top_products(self.board.docs, first)
        ]

    @strawberry.field(
        description="复购率: of the buyers with a paid order in the period, the share with 2 or more paid orders in "
        "the 30 days from their first paid order in the period (null without buyers; null for the platform)."
    )
    async def repurchase_rate(self, info: Info) -> float | None:
        return (await self.board.repurchase(info.context.services))[0]

    @strawberry.field(description="The repurchase rate of the previous period of the same length.")
    async def previous_repurchase_rate(self, info: Info) -> float | None:
        return (await self.board.repurchase(info.context.services))[1]

    @strawberry.field(description="The saved layout: which cards, in which order (all cards when none was saved).")
    async def layout(self, info: Info) -> list[DashboardCard]:
        if self.board.shop_id is None:
            return [DashboardCard(c) for c in uc.CARDS]
        return [DashboardCard(c) for c in await uc.layout(info.context.services, self.board.shop_id)]


def _metric(m: uc.Metric) -> DashboardMetric:
    return DashboardMetric(
        metric=ShopMetric(m.name),
        total=m.total,
        previous=m.previous,
        change=m.change,
        values=[p.value for p in m.series],
    )


@strawberry.type(
    description=(
        "The dashboard, or why not (a range over 366 days, `to` before `from`, HOUR over 7 days, a shop the viewer "
        "may not read)."
    )
)
class ShopDashboardResult:
    dashboard: ShopDashboard | None = strawberry.field(default=None, description="The numbers; null when refused.")
    errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=("Why it was refused (UNAUTHENTICATED, FORBIDDEN, INVALID_INPUT); empty otherwise."),
    )


def _refused(exc: ApiError) -> ShopDashboardResult:
    return ShopDashboardResult(errors=[UserError.of(e) for e in exc.each()])


@strawberry.type
class AnalyticsQueries:
    @strawberry.field(
        description="A shop's numbers over [from, to) (at most 366 days; HOUR at most 7): totals, series and the "
        "change against the previous period of the same length. The shop's owner and ADMIN staff."
    )
    async def shop_dashboard(
        self,
        info: Info,
        shop_id: strawberry.ID,
        from_: Annotated[datetime, strawberry.argument(name="from", description="The start (included).")],
        to: Annotated[datetime, strawberry.argument(description="The end (excluded).")],
        granularity: Annotated[
            DashboardGranularity, strawberry.argument(description=("Bucket length."))
        ] = DashboardGranularity.DAY,
    ) -> ShopDashboardResult:
        try:
            viewer = info.context.require_viewer()
            shop = raw_id(shop_id, "Shop", "shopId")
            board = await uc.read_shop(info.context.services, viewer, shop, _ms(from_), _ms(to), granularity.value)
        except ApiError as exc:
            return _refused(exc)
        return ShopDashboardResult(dashboard=ShopDashboard(board=board))

    @strawberry.field(description="Every shop's numbers together (days in SHOP_TIME_ZONE). Operators only.")
    async def platform_dashboard(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from", description="The start (included).")],
        to: Annotated[datetime, strawberry.argument(description="The end (excluded).")],
        granularity: Annotated[
            DashboardGranularity, strawberry.argument(description=("Bucket length."))
        ] = DashboardGranularity.DAY,
    ) -> ShopDashboardResult:
        try:
            viewer = info.context.require_viewer()
            if not is_operator(await info.context.loaders.user.load(viewer)):
                raise ApiError("FORBIDDEN", "Only operators may read the platform's dashboard")
            board = await uc.read_platform(info.context.services, _ms(from_), _ms(to), granularity.value)
        except ApiError as exc:
            return _refused(exc)
        return ShopDashboardResult(dashboard=ShopDashboard(board=board))


# -- mutations -------------------------------------------------------------------------------------------------
@strawberry.input
class TrackEventsInput:
    events: list[JSON] = strawberry.field(
        description="Up to 100 events, each {name, at, shopId, id, properties}: `name` one of PAGE_VIEW {page!, "
        "referrer, channel}, PRODUCT_VIEW {productId!, channel}, ADD_TO_CART {productId!, skuId, quantity}, "
        "SHARE_TAPPED {channel!, productId}, SEARCH {query!} (its properties; ! required, no others); `at` ISO "
        "8601 or ms (default now; at most a day ahead); `shopId` a Shop id; `id` the client's id of the event (a "
        "retried call with the same ids counts once). Checked by the server (a UserError per problem), not by "
        "GraphQL types: a batch is validated in one pass."
    )
    client_id: str | None = strawberry.field(
        default=None, description="The device's own id (8 to 64 characters); required when not signed in."
    )


@strawberry.type
class TrackEventsPayload:
    accepted: int = strawberry.field(default=0, description="Events queued (fewer only when the server sheds load).")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SaveDashboardLayoutInput:
    shop_id: strawberry.ID
    cards: list[DashboardCard] = strawberry.field(description="The cards to show, in order.")


@strawberry.type
class SaveDashboardLayoutPayload:
    cards: list[DashboardCard] | None = strawberry.field(
        default=None, description=("The layout saved; null when refused.")
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ExportDashboardSeriesInput:
    shop_id: strawberry.ID
    from_: datetime = strawberry.field(name="from", description="The start (included).")
    to: datetime = strawberry.field(description="The end (excluded).")
    granularity: DashboardGranularity = strawberry.field(default=DashboardGranularity.DAY, description="Bucket length.")
    metrics: list[ShopMetric] = strawberry.field(description="The CSV's columns, one per metric.")


@strawberry.type
class ExportDashboardSeriesPayload:
    url: str | None = strawberry.field(default=None, description="A signed URL of the CSV, relative to the API.")
    expires_at: datetime | None = strawberry.field(default=None, description="When the URL stops working.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RebuildAggregatesInput:
    shop_id: strawberry.ID
    from_: datetime = strawberry.field(name="from", description="The first day to recompute.")
    to: datetime = strawberry.field(description="The end (excluded).")


@strawberry.type
class RebuildAggregatesPayload:
    days: int = strawberry.field(default=0, description="Days recomputed.")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _shop_of(global_id: str) -> str | None:
    try:
        type_name, raw = from_global_id(global_id)
    except BadGlobalId:
        return None
    return raw if type_name == "Shop" else None


async def _track_answer(context: Context, input: dict[str, Any]) -> dict[str, Any]:
    """trackEvents before the engine (schema/shortcuts.py): the whole mutation is in memory (the rate limit, the
    writer's buffer), so every call that coerces is answered here, as track_events below answers it."""
    try:
        accepted = await events_uc.track(
            context.services, context.viewer_id, input["clientId"], input["events"], _shop_of
        )
    except ApiError as refused:
        return {"accepted": 0, "errors": user_errors(refused)}
    return {"accepted": accepted, "errors": []}


TRACK_SHORTCUT = Shortcut("trackEvents", {"accepted": LEAF, "errors": USER_ERROR}, _track_answer)


@strawberry.type
class AnalyticsMutations:
    @payload_mutation(
        TrackEventsPayload,
        login=False,
        description=f"Record up to {ev.MAX_PER_CALL} client events (all or none); rate-limited per user or client.",
    )
    async def track_events(self, info: Info, input: TrackEventsInput) -> TrackEventsPayload:
        accepted = await events_uc.track(
            info.context.services, info.context.viewer_id, input.client_id, input.events, _shop_of
        )
        return TrackEventsPayload(accepted=accepted)

    @payload_mutation(SaveDashboardLayoutPayload, staff=Staff(SHOP), description="Which cards, in which order.")
    async def save_dashboard_layout(self, info: Info, input: SaveDashboardLayoutInput) -> SaveDashboardLayoutPayload:
        shop = raw_id(input.shop_id, "Shop", "input", "shopId")
        doc = await uc.save_layout(
            info.context.services, shop, [c.value for c in input.cards], info.context.require_viewer()
        )
        return SaveDashboardLayoutPayload(cards=[DashboardCard(c) for c in doc["cards"]])

    @payload_mutation(
        ExportDashboardSeriesPayload,
        staff=Staff(SHOP),
        limit="EXPORTS_PER_MINUTE",
        description="A signed, short-lived URL of a CSV of these metrics' series (one row per bucket).",
    )
    async def export_dashboard_series(
        self, info: Info, input: ExportDashboardSeriesInput
    ) -> ExportDashboardSeriesPayload:
        shop = raw_id(input.shop_id, "Shop", "input", "shopId")
        url, expires = uc.issue_export(
            info.context.services,
            info.context.require_viewer(),
            shop,
            _ms(input.from_),
            _ms(input.to),
            input.granularity.value,
            [m.name for m in input.metrics],
        )
        return ExportDashboardSeriesPayload(url=url, expires_at=when(expires))

    @payload_mutation(
        RebuildAggregatesPayload,
        staff=Staff(SHOP),
        limit="EXPORTS_PER_MINUTE",
        description="Recompute the shop's hour and day buckets of [from, to) from its events and orders.",
    )
    async def rebuild_aggregates(self, info: Info, input: RebuildAggregatesInput) -> RebuildAggregatesPayload:
        shop = raw_id(input.shop_id, "Shop", "input", "shopId")
        start, end = _ms(input.from_), _ms(input.to)
        problems = metric_rules.range_problems(start, end, "DAY")
        refuse_problems(problems)
        days = await aggregates_uc.rebuild(info.context.services, shop, start, end)
        return RebuildAggregatesPayload(days=days)

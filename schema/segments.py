"""RFM segments, a segment's members, coupon grants to a segment, and retention cohorts (resolvers/segments.py,
resolvers/retention.py; the definitions are domain/rfm.py's and domain/retention.py's)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from domain import rfm as rules
from domain import staff as staff_rules
from domain.ids import to_global_id
from domain.retention import Cohort
from resolvers import retention as retention_uc
from resolvers import segments as segments_uc
from resolvers import staff as staff_uc
from resolvers.errors import ApiError
from resolvers.users import is_operator
from schema.common import Long, Money, PageInfo, UserError, described_value, page_size
from schema.context import Info
from schema.coupons import Coupon, epoch_ms
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.orders import when
from schema.staff import COUPON, SHOP, Staff
from schema.users import User
from store.protocol import Doc, Page

MARKETING = (staff_rules.ADMIN,)  # who reads segments and grants to them: the owner and ADMIN staff


@strawberry.enum(description="The 8 classic RFM segments: each of R, F, M is high (score >= 3) or low (score 1 or 2).")
class RfmSegment(Enum):
    IMPORTANT_VALUE = strawberry.enum_value("IMPORTANT_VALUE", description="重要价值: R high, F high, M high.")
    IMPORTANT_DEVELOPMENT = strawberry.enum_value(
        "IMPORTANT_DEVELOPMENT", description="重要发展: R high, F low, M high."
    )
    IMPORTANT_RETENTION = strawberry.enum_value("IMPORTANT_RETENTION", description="重要保持: R low, F high, M high.")
    IMPORTANT_WINBACK = strawberry.enum_value("IMPORTANT_WINBACK", description="重要挽留: R low, F low, M high.")
    GENERAL_VALUE = strawberry.enum_value("GENERAL_VALUE", description="一般价值: R high, F high, M low.")
    GENERAL_DEVELOPMENT = strawberry.enum_value("GENERAL_DEVELOPMENT", description="一般发展: R high, F low, M low.")
    GENERAL_RETENTION = strawberry.enum_value("GENERAL_RETENTION", description="一般保持: R low, F high, M low.")
    GENERAL_WINBACK = strawberry.enum_value("GENERAL_WINBACK", description="一般挽留: R low, F low, M low.")


assert {s.name for s in RfmSegment} == set(rules.SEGMENTS)


@strawberry.type(description="Four increasing cut points per score (see each field).")
class RfmCutPoints:
    recency: list[int] = strawberry.field(
        description="Days since the last paid order: the most days that still score 5, 4, 3, 2 (R = 1 + the number"
        " of cut points >= the days)."
    )
    frequency: list[int] = strawberry.field(
        description="Paid orders in the window: the fewest that score 2, 3, 4, 5 (F = 1 + the number of cut points"
        " <= the orders). Default 2, 3, 5, 10."
    )
    monetary: list[Long] = strawberry.field(
        description="Fen paid in the window: the least that scores 2, 3, 4, 5 (M = 1 + the number of cut points <="
        " the amount)."
    )


@strawberry.type(description="The shop's own cut points; null: the default (quintiles for R and M, fixed for F).")
class RfmCustomCutPoints:
    recency: list[int] | None = strawberry.field(
        description=("4 days, decreasing (see RfmCutPoints); null: the default.")
    )
    frequency: list[int] | None = strawberry.field(description="4 order counts, increasing; null: the default.")
    monetary: list[Long] | None = strawberry.field(description="4 amounts in fen, increasing; null: the default.")

    @classmethod
    def from_doc(cls, doc: Doc) -> RfmCustomCutPoints:
        return cls(recency=doc.get("recency"), frequency=doc.get("frequency"), monetary=doc.get("monetary"))


@strawberry.type(description="How many buyers one segment holds.")
class RfmSegmentCount:
    segment: RfmSegment = strawberry.field(description="The segment.")
    count: int = strawberry.field(description="Buyers in the segment at this run.")
    change: int | None = strawberry.field(
        description="count minus the count at the previous run; null when there was no previous run."
    )


@strawberry.type(description="The latest RFM run of a shop.")
class RfmSegments:
    computed_at: datetime = strawberry.field(description="When the run was made.")
    previous_computed_at: datetime | None = strawberry.field(
        description=("When the run before it was made; null for the first.")
    )
    window_days: int = strawberry.field(description="Paid orders of this many days before the run were scored.")
    buyers: int = strawberry.field(description="Buyers with a paid order in the window (every segment's sum).")
    cut_points: RfmCutPoints = strawberry.field(description="The cut points this run used (persisted with it).")
    segments: list[RfmSegmentCount] = strawberry.field(description="Every segment, empty ones included.")

    @classmethod
    def from_doc(cls, run: Doc) -> RfmSegments:
        cuts, previous = run["cutPoints"], run.get("previousCounts")
        return cls(
            computed_at=when(run["at"]) or datetime.now(),
            previous_computed_at=when(run.get("previousAt")),
            window_days=run["windowDays"],
            buyers=run["buyers"],
            cut_points=RfmCutPoints(
                recency=cuts["recency"], frequency=cuts["frequency"], monetary=[Long(m) for m in cuts["monetary"]]
            ),
            segments=[
                RfmSegmentCount(
                    segment=RfmSegment(s),
                    count=run["counts"][s],
                    change=rules.trend(run["counts"][s], previous.get(s, 0) if previous is not None else None),
                )
                for s in rules.SEGMENTS
            ],
        )


@strawberry.type(description="A buyer of a segment, with the scores of the latest run.")
class RfmMember:
    recency_days: int = strawberry.field(description="Whole days (24 h) since the last paid order, at the run.")
    orders: int = strawberry.field(description="Paid orders in the window.")
    amount: Money = strawberry.field(description="Paid in the window, less refunds.")
    r: int = strawberry.field(description="Recency score, 1 to 5 (5: most recent).")
    f: int = strawberry.field(description="Frequency score, 1 to 5.")
    m: int = strawberry.field(description="Monetary score, 1 to 5.")
    user_id: strawberry.Private[str]

    @strawberry.field(description="The buyer; null when their account is gone.")
    async def user(self, info: Info) -> User | None:
        found = await info.context.loaders.user.load(self.user_id)
        return User.from_doc(found) if found else None


@strawberry.type
class RfmMemberEdge:
    node: RfmMember
    cursor: str


@strawberry.type
class RfmMemberConnection:
    edges: list[RfmMemberEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Buyers in the segment at the run.")


@strawberry.enum(description="Where a coupon grant is.")
class CouponGrantStatus(Enum):
    RUNNING = described_value("RUNNING", "Still handing out copies.")
    DONE = described_value("DONE", "Every member was handled.")


@strawberry.type(description="A coupon given to every member of a segment (as of the run it started at).")
class CouponGrant:
    id: strawberry.ID = strawberry.field(description="The grant's global id.")
    segment: RfmSegment = strawberry.field(description="Whom it is for.")
    status: CouponGrantStatus = strawberry.field(description="Running or done.")
    total: int = strawberry.field(description="Members of the segment.")
    processed: int = strawberry.field(description="Members handled so far (progress: processed / total).")
    granted: int = strawberry.field(description="Members who got the coupon from this grant.")
    already_held: int = strawberry.field(description="Members who held the coupon already (they get no second one).")
    missed: int = strawberry.field(description="Members left without it: no copy was left, or it expired meanwhile.")
    created_at: datetime = strawberry.field(description="When it started.")
    finished_at: datetime | None = strawberry.field(description="When it was done; null while running.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> CouponGrant:
        return cls(
            id=strawberry.ID(to_global_id("CouponGrant", doc["_id"])),
            segment=RfmSegment(doc["segment"]),
            status=CouponGrantStatus(doc["status"]),
            total=doc["total"],
            processed=doc["position"],
            granted=doc[segments_uc.GRANTED],
            already_held=doc[segments_uc.HELD],
            missed=doc[segments_uc.MISSED],
            created_at=when(doc["createdAt"]) or datetime.now(),
            finished_at=when(doc.get("finishedAt")),
            doc=doc,
        )

    @strawberry.field(description="The coupon granted; null when it is gone.")
    async def coupon(self, info: Info) -> Coupon | None:
        found = await info.context.loaders.coupon.load(self.doc["couponId"])
        return Coupon.from_doc(found) if found else None


@strawberry.type(description="Who of a cohort came back on day N.")
class RetentionRate:
    eligible: int = strawberry.field(description="Cohort members whose day N is over.")
    returned: int = strawberry.field(description="Of those, members with an event or a paid order on day N.")
    rate: float | None = strawberry.field(description="returned / eligible; null while nobody is eligible.")


@strawberry.type(description="Users whose cohort day (China time) falls in one Monday-first week.")
class RetentionCohort:
    week_start: datetime = strawberry.field(description="The Monday (China time) the week starts.")
    size: int = strawberry.field(description="Users in the cohort.")
    day1: RetentionRate = strawberry.field(description="Back on day 1 after their cohort day.")
    day7: RetentionRate = strawberry.field(description="Back on day 7.")
    day30: RetentionRate = strawberry.field(description="Back on day 30.")

    @classmethod
    def of(cls, cohort: Cohort) -> RetentionCohort:
        def rate(n: int) -> RetentionRate:
            return RetentionRate(eligible=cohort.eligible[n], returned=cohort.returned[n], rate=cohort.rate(n))

        return cls(
            week_start=when(cohort.week) or datetime.now(), size=cohort.size, day1=rate(1), day7=rate(7), day30=rate(30)
        )


@strawberry.enum(description="What puts a user in a cohort.")
class RetentionCohortKind(Enum):
    SIGN_UP = strawberry.enum_value(retention_uc.SIGN_UP, description="By the day of sign-up (users.createdAt).")
    FIRST_ORDER = strawberry.enum_value(retention_uc.FIRST_ORDER, description="By the day of the first paid order.")


async def _marketing(info: Info, shop_id: strawberry.ID) -> str:
    """The shop's raw id when the viewer is its owner or ADMIN staff (NOT_FOUND / FORBIDDEN otherwise)."""
    raw = raw_id(shop_id, "Shop", "shopId")
    await staff_uc.require(info.context.services, raw, info.context.require_viewer(), MARKETING, ["shopId"])
    return raw


@strawberry.type
class SegmentQueries:
    @strawberry.field(description="The owner and ADMIN staff: the shop's latest RFM run; null before the first.")
    async def rfm_segments(self, info: Info, shop_id: strawberry.ID) -> RfmSegments | None:
        run = await segments_uc.latest_run(info.context.services, await _marketing(info, shop_id))
        return RfmSegments.from_doc(run) if run else None

    @strawberry.field(description="The owner and ADMIN staff: the shop's own RFM cut points (used from the next run).")
    async def rfm_cut_points(self, info: Info, shop_id: strawberry.ID) -> RfmCustomCutPoints:
        doc = await segments_uc.cut_points_of(info.context.services, await _marketing(info, shop_id))
        return RfmCustomCutPoints.from_doc(doc)

    @strawberry.field(
        description="The owner and ADMIN staff: the segment's buyers at the latest run, who paid most first. A cursor"
        " of an earlier run is refused (INVALID_INPUT) once the segments were computed again."
    )
    async def segment_members(
        self,
        info: Info,
        shop_id: strawberry.ID,
        segment: Annotated[RfmSegment, strawberry.argument(description="The segment.")],
        first: int | None = None,
        after: str | None = None,
    ) -> RfmMemberConnection:
        size = page_size(first)
        run, members, more = await segments_uc.segment_members(
            info.context.services, await _marketing(info, shop_id), segment.name, size, after
        )
        edges = [
            RfmMemberEdge(
                node=RfmMember(
                    recency_days=m.days, orders=m.orders, amount=Money.fen(m.amount), r=m.r, f=m.f, m=m.m,
                    user_id=m.user_id,
                ),
                cursor=segments_uc.member_cursor(run["_id"], m.position) if run else "",
            )
            for m in members
        ]  # fmt: skip
        cursors = [e.cursor for e in edges]
        page = Page(docs=[], next_cursor=cursors[-1] if more and cursors else None, cursors=cursors)
        return RfmMemberConnection(
            edges=edges, page_info=PageInfo.of(page, after), total_count=run["counts"][segment.name] if run else 0
        )

    @strawberry.field(description="The owner and ADMIN staff of the coupon's shop: a grant to a segment, its progress.")
    async def coupon_grant(self, info: Info, id: strawberry.ID) -> CouponGrant | None:
        grant = await segments_uc.grant_of(info.context.services, raw_id(id, "CouponGrant", "id"))
        if grant is None:
            return None
        await staff_uc.require(info.context.services, grant["shopId"], info.context.require_viewer(), MARKETING, ["id"])
        return CouponGrant.from_doc(grant)

    @strawberry.field(
        description="The owner and ADMIN staff: buyers by the week of their first paid order in the shop, and who"
        " came back (an event at the shop or a paid order in it) on day 1, 7 and 30. Cohort days in [from, to), at"
        " most 366 days."
    )
    async def shop_retention(
        self,
        info: Info,
        shop_id: strawberry.ID,
        from_: Annotated[
            datetime, strawberry.argument(name="from", description=("Cohort days from this time (included)."))
        ],
        to: Annotated[datetime, strawberry.argument(description="Cohort days before this time (at most 366 days on).")],
    ) -> list[RetentionCohort]:
        found = await retention_uc.shop_retention(
            info.context.services, await _marketing(info, shop_id), epoch_ms(from_), epoch_ms(to)
        )
        return [RetentionCohort.of(c) for c in found]

    @strawberry.field(
        description="Operators: users by the week of their sign-up or first paid order, and who came back (any"
        " event or paid order) on day 1, 7 and 30. Cohort days in [from, to), at most 366 days."
    )
    async def platform_retention(
        self,
        info: Info,
        from_: Annotated[
            datetime, strawberry.argument(name="from", description=("Cohort days from this time (included)."))
        ],
        to: Annotated[datetime, strawberry.argument(description="Cohort days before this time (at most 366 days on).")],
        cohort: Annotated[
            RetentionCohortKind, strawberry.argument(description=("What puts a user in a cohort."))
        ] = RetentionCohortKind.SIGN_UP,
    ) -> list[RetentionCohort]:
        viewer = info.context.require_viewer()
        if not is_operator(await info.context.loaders.user.load(viewer)):
            raise ApiError("FORBIDDEN", "Only operators may read the platform's retention")
        found = await retention_uc.platform_retention(info.context.services, epoch_ms(from_), epoch_ms(to), cohort.name)
        return [RetentionCohort.of(c) for c in found]


# -- mutations ----------------------------------------------------------------------------------------------
@strawberry.input
class SetRfmCutPointsInput:
    shop_id: strawberry.ID
    recency: list[int] | None = strawberry.field(default=None, description="Null: quintiles of the shop's buyers.")
    frequency: list[int] | None = strawberry.field(default=None, description="Null: 2, 3, 5, 10.")
    monetary: list[Long] | None = strawberry.field(default=None, description="Null: quintiles of the shop's buyers.")


@strawberry.type
class RfmCutPointsPayload:
    cut_points: RfmCustomCutPoints | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RefreshSegmentsInput:
    shop_id: strawberry.ID


@strawberry.type
class RefreshSegmentsPayload:
    started: bool = strawberry.field(
        default=False, description="False when a run of the shop is going already (it is the one to wait for)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class GrantCouponToSegmentInput:
    coupon_id: strawberry.ID = strawberry.field(description="A coupon of the shop.")
    segment: RfmSegment = strawberry.field(description="The members to give it to.")
    idempotency_key: str = strawberry.field(
        description=("1 to 64 characters: a retry with the same key returns the first grant.")
    )


@strawberry.type
class GrantCouponToSegmentPayload:
    grant: CouponGrant | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SegmentMutations:
    @payload_mutation(
        RfmCutPointsPayload,
        staff=Staff(SHOP, *MARKETING),
        description="The owner and ADMIN staff: the shop's own cut points, four strictly increasing numbers each;"
        " used from the next run.",
    )
    async def set_rfm_cut_points(self, info: Info, input: SetRfmCutPointsInput) -> RfmCutPointsPayload:
        cuts = {"recency": input.recency, "frequency": input.frequency, "monetary": input.monetary}
        doc = await segments_uc.set_cut_points(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.shop_id, "Shop", "input", "shopId"),
            {k: [int(x) for x in v] if v is not None else None for k, v in cuts.items()},
        )
        return RfmCutPointsPayload(cut_points=RfmCustomCutPoints.from_doc(doc))

    @payload_mutation(
        RefreshSegmentsPayload,
        staff=Staff(SHOP, *MARKETING),
        description="The owner and ADMIN staff: score the shop's buyers again now (the run goes on after the answer;"
        " rfmSegments.computedAt tells when it is done).",
    )
    async def refresh_segments(self, info: Info, input: RefreshSegmentsInput) -> RefreshSegmentsPayload:
        services, shop_id = info.context.services, raw_id(input.shop_id, "Shop", "input", "shopId")
        if await segments_uc.refreshing(services, shop_id):
            return RefreshSegmentsPayload(started=False)
        segments_uc.start_refresh(services, shop_id)
        return RefreshSegmentsPayload(started=True)

    @payload_mutation(
        GrantCouponToSegmentPayload,
        staff=Staff(COUPON, *MARKETING),
        description="The owner and ADMIN staff of the coupon's shop: give the coupon to every member of the segment"
        " at the latest run, once each (a member who holds it already gets no second one). Runs after the answer;"
        " the grant shows its progress. The same key again returns the same grant.",
    )
    async def grant_coupon_to_segment(
        self, info: Info, input: GrantCouponToSegmentInput
    ) -> GrantCouponToSegmentPayload:
        grant = await segments_uc.grant_coupon(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.coupon_id, "Coupon", "input", "couponId"),
            input.segment.name,
            input.idempotency_key,
        )
        return GrantCouponToSegmentPayload(grant=CouponGrant.from_doc(grant))

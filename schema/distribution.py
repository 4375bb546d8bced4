"""Distribution (分销): share links, policies, distributorships, commissions, withdrawals, the ledger check."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from domain import distribution as rules
from domain.ids import to_global_id
from domain.staff import ADMIN
from resolvers import distribution as dist_uc
from resolvers import payouts as payouts_uc
from resolvers.errors import ApiError
from resolvers.intact import intact, intact_edges, one
from resolvers.users import is_operator
from schema.catalog import Product, Shop
from schema.common import Money, Node, PageInfo, UserError, described_value, must, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id, register_node
from schema.orders import when
from schema.payouts import WithdrawalConnection
from schema.staff import SHOP, Staff
from schema.users import User
from store.protocol import Doc, Page


@strawberry.enum(description="Where a user stands as a distributor of a shop.")
class DistributorStatus(Enum):
    PENDING = described_value(rules.PENDING, "Applied; the shop has not answered (shops that require approval).")
    ACTIVE = described_value(rules.ACTIVE, "Earns commission on the orders they bring.")
    REJECTED = described_value(rules.REJECTED, "The shop said no.")
    SUSPENDED = described_value(rules.SUSPENDED, "Suspended: earns nothing.")


@strawberry.enum(description="Where a commission is.")
class CommissionStatus(Enum):
    FROZEN = described_value(rules.FROZEN, "Held until freezeDays after the order completes (the after-sales window).")
    SETTLED = described_value(rules.SETTLED, "In the available balance, to withdraw.")
    REVERSED = described_value(rules.REVERSED, "Taken back: the order was refunded.")


@strawberry.type(description="A share link of the viewer's: who opens it and buys is attributed to them.")
class ShareLink:
    token: str = strawberry.field(description="Opaque; attributes visits, sign-ups and orders to the sharer.")
    path: str = strawberry.field(
        description="Mini-program page path carrying the token, e.g. pages/product/index?id=...&s=TOKEN."
    )
    doc: strawberry.Private[Doc]

    @strawberry.field(description="The product it opens; null for a link to the shop or when it is gone.")
    async def product(self, info: Info) -> Product | None:
        found = await info.context.loaders.product.load(self.doc["productId"]) if self.doc.get("productId") else None
        found = await one(info.context.loaders, "product", found)
        return Product.from_doc(found) if found else None


@strawberry.type(description="What a shop pays the upline of its buyers (分销).")
class CommissionPolicy:
    rates_bp: list[int] = strawberry.field(description="Basis points of the paid amount per level; at most 3 levels.")
    freeze_days: int = strawberry.field(
        description="Commission stays FROZEN this many days after the order completes (the after-sales window)."
    )
    requires_approval: bool = strawberry.field(
        description="Distributors must be approved by the shop before they earn."
    )
    region_locked: bool = strawberry.field(
        description="Orders from outside a distributor's region earn nothing (regional price protection)."
    )

    @classmethod
    def from_doc(cls, doc: Doc | None) -> CommissionPolicy | None:
        if not doc:
            return None
        return cls(
            rates_bp=list(doc["ratesBp"]),
            freeze_days=doc["freezeDays"],
            requires_approval=doc["requiresApproval"],
            region_locked=doc["regionLocked"],
        )


@strawberry.type(description="What the viewer earned on one order, as a distributor; their own only.")
class Commission(Node):
    id: strawberry.ID
    order_number: str = strawberry.field(description="Order number only: the buyer stays private.")
    level: int = strawberry.field(description="1 for the buyer's direct referrer, 2 and 3 above.")
    amount: Money = strawberry.field(description="What it earns (less what a partial refund reversed).")
    status: CommissionStatus = strawberry.field(description="Frozen, settled or reversed.")
    created_at: datetime = strawberry.field(description="When the order was paid.")
    unfreeze_at: datetime | None = strawberry.field(description="When it settles; null until the order completes.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Commission:
        return cls(
            id=strawberry.ID(to_global_id("Commission", doc["_id"])),
            order_number=doc["orderNumber"],
            level=doc["level"],
            amount=Money.fen(doc["amount"]),
            status=CommissionStatus(doc["status"]),
            created_at=when(doc["createdAt"]) or datetime.now(),
            unfreeze_at=when(doc.get("unfreezeAt")),
            doc=doc,
        )

    @strawberry.field(description="The shop that pays it.")
    async def shop(self, info: Info) -> Shop:
        return Shop.from_doc(must(await info.context.loaders.shop.load(self.doc["shopId"]), "shop"))

    @strawberry.field(description="sha256 of this ledger entry chained to the previous entry's hash.")
    async def hash(self, info: Info) -> str:
        return await dist_uc.entry_hash(info.context.services, self.doc["_id"])


async def commission_visible(info: Info, doc: Doc) -> bool:
    return info.context.viewer_id == doc["userId"]


register_node("Commission", "commission", Commission.from_doc, commission_visible)


@strawberry.type
class CommissionEdge:
    node: Commission
    cursor: str


@strawberry.type
class CommissionConnection:
    edges: list[CommissionEdge]
    page_info: PageInfo

    @classmethod
    async def of(cls, info: Info, page: Page, after: str | None) -> CommissionConnection:
        kept = await intact_edges(info.context.loaders, "commission", page)
        edges = [CommissionEdge(node=Commission.from_doc(d), cursor=c) for d, c in kept]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.type(description="A distributor's numbers.")
class DistributorStats:
    direct_referrals: int = strawberry.field(description="Users they invited.")
    team_size: int = strawberry.field(description="Users below them, up to 3 levels.")
    attributed_orders: int = strawberry.field(description="Orders they earn commission on (not reversed).")
    attributed_sales: Money = strawberry.field(description="What those orders paid (less refunds).")
    frozen: Money = strawberry.field(description="Commission still frozen.")
    available: Money = strawberry.field(description="Commission they may withdraw.")
    withdrawn: Money = strawberry.field(description="Commission withdrawn so far.")


@strawberry.type(description="The viewer's standing as a distributor of one shop.")
class Distributorship:
    status: DistributorStatus = strawberry.field(description="Where it stands.")
    region: str | None = strawberry.field(description="Their region, for region-locked shops; null when none.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Distributorship:
        return cls(status=DistributorStatus(doc["status"]), region=doc.get("region"), doc=doc)

    @strawberry.field(description="The shop.")
    async def shop(self, info: Info) -> Shop:
        return Shop.from_doc(must(await info.context.loaders.shop.load(self.doc["shopId"]), "shop"))


@strawberry.type(description="The viewer as a distributor: their shops, numbers, commissions and withdrawals.")
class Distributor:
    user_id: strawberry.Private[str]

    @strawberry.field(description="The viewer.")
    async def user(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.user_id), "user"))

    @strawberry.field(description="Who referred this user, up to 3 levels, nearest first.")
    async def upline(self, info: Info) -> list[User]:
        ids = await dist_uc.upline(info.context.services, self.user_id)
        docs = await info.context.loaders.user.load_many(ids)
        return [User.from_doc(d) for d in docs if d]

    @strawberry.field(description="The shops they applied to distribute for.")
    async def memberships(self, info: Info) -> list[Distributorship]:
        found = await dist_uc.memberships(info.context.services, self.user_id)
        return [Distributorship.from_doc(d) for d in await intact(info.context.loaders, "distributorship", found)]

    @strawberry.field(description="Their referrals, sales and balances.")
    async def stats(self, info: Info) -> DistributorStats:
        s = await dist_uc.stats(info.context.services, self.user_id)
        return DistributorStats(
            direct_referrals=s.direct_referrals,
            team_size=s.team_size,
            attributed_orders=s.attributed_orders,
            attributed_sales=Money.fen(s.attributed_sales),
            frozen=Money.fen(s.frozen),
            available=Money.fen(s.available),
            withdrawn=Money.fen(s.withdrawn),
        )

    @strawberry.field(description="Their commissions, newest first.")
    async def commissions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: Annotated[
            CommissionStatus | None, strawberry.argument(description=("Only those in this status."))
        ] = None,
    ) -> CommissionConnection:
        page = await dist_uc.commissions(
            info.context.services, self.user_id, page_size(first), after, status.value if status else None
        )
        return await CommissionConnection.of(info, page, after)

    @strawberry.field(description="The viewer's withdrawals, newest first.")
    async def withdrawals(self, info: Info, first: int | None = None, after: str | None = None) -> WithdrawalConnection:
        page = await payouts_uc.withdrawals(info.context.services, self.user_id, page_size(first), after)
        return WithdrawalConnection.of(page, after)


@strawberry.type(description="The check of a commission ledger's hash chain.")
class LedgerVerification:
    ok: bool = strawberry.field(description="Whether every entry's hash matches its chain.")
    entries: int = strawberry.field(description="Entries checked.")
    first_bad_entry: strawberry.ID | None = strawberry.field(
        description="The first entry whose hash does not match, if any."
    )
    head_hash: str = strawberry.field(description="The last entry's hash.")


@strawberry.input
class ShareLinkInput:
    product_id: strawberry.ID | None = strawberry.field(
        default=None, description=("The product to share; the shop itself when not given.")
    )
    channel: str | None = strawberry.field(
        default=None,
        description="Where the link is shared (FRIEND, MOMENTS, POSTER, LIVE, NOTE): the channel its orders count "
        "in on the shop's dashboard (default: FRIEND, or DISTRIBUTOR for an active distributor of the shop).",
    )


@strawberry.input
class ApplyDistributorInput:
    shop_id: strawberry.ID
    region: str | None = strawberry.field(
        default=None, description=("Where the viewer sells, up to 20 characters (for region-locked shops).")
    )


@strawberry.input
class ReviewDistributorInput:
    shop_id: strawberry.ID
    user_id: strawberry.ID = strawberry.field(description="The applicant.")
    approve: bool = strawberry.field(description="true: ACTIVE; false: REJECTED.")


@strawberry.input
class CommissionPolicyInput:
    shop_id: strawberry.ID
    rates_bp: list[int] = strawberry.field(
        description=("Basis points per level, 1 to 3 levels, 5000 (50%) in all at most.")
    )
    freeze_days: int = strawberry.field(description="0 to 90 days after completion.")
    requires_approval: bool = strawberry.field(description="Whether applicants wait for the shop.")
    region_locked: bool = strawberry.field(
        description=("Whether orders from outside a distributor's region earn nothing.")
    )


@strawberry.type
class ShareLinkPayload:
    link: ShareLink | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DistributorshipPayload:
    distributorship: Distributorship | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CommissionPolicyPayload:
    policy: CommissionPolicy | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DistributionQueries:
    @strawberry.field(description="The viewer as a distributor: upline, memberships, earnings.")
    def my_distribution(self, info: Info) -> Distributor | None:
        viewer = info.context.viewer_id
        return Distributor(user_id=viewer) if viewer else None

    @strawberry.field(description="Operators only: recompute the commission ledger's hash chain.")
    async def verify_commission_ledger(self, info: Info) -> LedgerVerification:
        viewer = info.context.viewer_id
        user = await info.context.loaders.user.load(viewer) if viewer else None
        if not is_operator(user):
            raise ApiError("FORBIDDEN", "Only operators may verify the ledger")
        count, bad, head = await dist_uc.verify_ledger(info.context.services)
        return LedgerVerification(
            ok=bad is None,
            entries=count,
            first_bad_entry=strawberry.ID(to_global_id("LedgerEntry", bad["_id"])) if bad else None,
            head_hash=head,
        )


@strawberry.type
class DistributionMutations:
    @payload_mutation(
        ShareLinkPayload,
        limit="SHARE_LINKS_PER_MINUTE",
        description="A link to a product (or the mall) that attributes to the viewer.",
    )
    async def create_share_link(self, info: Info, input: ShareLinkInput) -> ShareLinkPayload:
        product = raw_id(input.product_id, "Product", "input", "productId") if input.product_id else None
        link = await dist_uc.create_share_link(
            info.context.services, info.context.require_viewer(), product, input.channel
        )
        return ShareLinkPayload(link=ShareLink(token=link["_id"], path=dist_uc.link_path(link), doc=link))

    @payload_mutation(DistributorshipPayload, description="ACTIVE at once on an open policy, PENDING otherwise.")
    async def apply_distributor(self, info: Info, input: ApplyDistributorInput) -> DistributorshipPayload:
        shop = raw_id(input.shop_id, "Shop", "input", "shopId")
        doc = await dist_uc.apply(info.context.services, info.context.require_viewer(), shop, input.region)
        return DistributorshipPayload(distributorship=Distributorship.from_doc(doc))

    @payload_mutation(
        DistributorshipPayload,
        staff=Staff(SHOP, ADMIN),
        description="The shop's owner or ADMIN staff approves or rejects a PENDING application.",
    )
    async def review_distributor(self, info: Info, input: ReviewDistributorInput) -> DistributorshipPayload:
        shop = raw_id(input.shop_id, "Shop", "input", "shopId")
        user = raw_id(input.user_id, "User", "input", "userId")
        doc = await dist_uc.review(info.context.services, info.context.require_viewer(), shop, user, input.approve)
        return DistributorshipPayload(distributorship=Distributorship.from_doc(doc))

    @payload_mutation(
        CommissionPolicyPayload,
        staff=Staff(SHOP, ADMIN),
        description="The shop's owner or ADMIN staff: 1-3 levels, 50% in all at most.",
    )
    async def set_commission_policy(self, info: Info, input: CommissionPolicyInput) -> CommissionPolicyPayload:
        shop = await dist_uc.set_policy(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.shop_id, "Shop", "input", "shopId"),
            input.rates_bp,
            input.freeze_days,
            input.requires_approval,
            input.region_locked,
        )
        return CommissionPolicyPayload(policy=CommissionPolicy.from_doc(shop["commissionPolicy"]))

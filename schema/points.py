"""The points ledger and the points mall: a member's entries and redemptions, the rewards catalogue, redeeming."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import strawberry

from domain import rewards as reward_rules
from domain.ids import to_global_id
from domain.staff import ADMIN, WAREHOUSE
from resolvers import points as points_uc
from resolvers import rewards as rewards_uc
from resolvers.intact import one
from schema.catalog import Product, Shop
from schema.common import PageInfo, UserError, described_value, page_size
from schema.context import Info
from schema.coupons import Coupon
from schema.mutations import payload_mutation
from schema.nodes import raw_id, register_node
from schema.staff import SHOP, Staff
from store.protocol import Doc, Page


def _time(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, UTC) if ms is not None else None


@strawberry.enum(description="What moved the points.")
class PointsEntryKind(Enum):
    EARNED = described_value("EARNED", "Earned (an order, an invitation, ...).")
    SPENT = described_value("SPENT", "Spent (a reward, an order's points).")
    EXPIRED = described_value("EXPIRED", "Earned points left unspent at their expiry.")
    REVERSED = described_value("REVERSED", "An earlier entry undone (a refund).")


@strawberry.type(description="One movement of a member's points; the balance is the sum of them all.")
class PointsEntry:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    kind: PointsEntryKind = strawberry.field(description="What moved the points.")
    amount: int = strawberry.field(description="Signed: earned and given back positive, spent and expired negative.")
    reason: str = strawberry.field(description="ORDER, INVITE, REDEEM, EXPIRED, ORDER_REFUND, ...")
    created_at: datetime = strawberry.field(description="When.")
    expires_at: datetime | None = strawberry.field(description="EARNED: when what is left of them expires.")

    @classmethod
    def from_doc(cls, doc: Doc) -> PointsEntry:
        lots = doc.get("lots") or {}
        expires = None
        if doc["kind"] == "EARNED" and lots:
            from domain.points import expires_at

            expires = _time(expires_at(next(iter(lots))))
        return cls(
            id=strawberry.ID(to_global_id("PointsEntry", f"{doc['userId']}:{doc['seq']}")),
            kind=PointsEntryKind(doc["kind"]),
            amount=int(doc["amount"]),
            reason=doc["reason"],
            created_at=datetime.fromtimestamp(doc["at"] / 1000, UTC),
            expires_at=expires,
        )


@strawberry.type
class PointsEntryEdge:
    node: PointsEntry
    cursor: str


@strawberry.type
class PointsEntryConnection:
    edges: list[PointsEntryEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page, after: str | None) -> PointsEntryConnection:
        edges = [
            PointsEntryEdge(node=PointsEntry.from_doc(d), cursor=c)
            for d, c in zip(page.docs, page.cursors, strict=True)
        ]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


async def ledger_of(info: Info, user_id: str, first: int | None, after: str | None) -> PointsEntryConnection:
    page = await points_uc.ledger_page(info.context.services, user_id, page_size(first), after)
    return PointsEntryConnection.of(page, after)


@strawberry.enum(description="What a reward gives.")
class PointsRewardKind(Enum):
    COUPON = described_value("COUPON", "A coupon, claimed for the member at once.")
    PRODUCT = described_value("PRODUCT", "A voucher, exchanged for a product at the shop.")


@strawberry.type(description="What points can be exchanged for in the points mall.")
class PointsReward:
    id: strawberry.ID = strawberry.field(description="The reward's id.")
    kind: PointsRewardKind = strawberry.field(description="A coupon or a product voucher.")
    title: str = strawberry.field(description="Up to 40 characters.")
    points: int = strawberry.field(description="What one costs.")
    stock: int = strawberry.field(description="How many there were.")
    remaining: int = strawberry.field(description="How many are left.")
    per_user_limit: int = strawberry.field(description="How many one member may redeem.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> PointsReward:
        return cls(
            id=strawberry.ID(to_global_id("PointsReward", doc["_id"])),
            kind=PointsRewardKind(doc["kind"]),
            title=doc["title"],
            points=doc["points"],
            stock=doc["stock"],
            remaining=doc["remaining"],
            per_user_limit=doc["perUserLimit"],
            doc=doc,
        )

    @strawberry.field(description="The shop that lists it; null for the platform's rewards.")
    async def shop(self, info: Info) -> Shop | None:
        found = await info.context.loaders.shop.load(self.doc["shopId"]) if self.doc.get("shopId") else None
        found = await one(info.context.loaders, "shop", found)
        return Shop.from_doc(found) if found else None

    @strawberry.field(description="COUPON: the coupon claimed for the member.")
    async def coupon(self, info: Info) -> Coupon | None:
        found = await info.context.loaders.coupon.load(self.doc["couponId"]) if self.doc.get("couponId") else None
        return Coupon.from_doc(found) if found else None

    @strawberry.field(description="PRODUCT: the product a voucher is exchanged for at its shop.")
    async def product(self, info: Info) -> Product | None:
        found = await info.context.loaders.product.load(self.doc["productId"]) if self.doc.get("productId") else None
        found = await one(info.context.loaders, "product", found)
        return Product.from_doc(found) if found else None


register_node("PointsReward", "points_reward", PointsReward.from_doc)


@strawberry.type
class PointsRewardEdge:
    node: PointsReward
    cursor: str


@strawberry.type
class PointsRewardConnection:
    edges: list[PointsRewardEdge]
    page_info: PageInfo


@strawberry.enum(description="Where a redemption is.")
class PointsRedemptionStatus(Enum):
    ISSUED = described_value("ISSUED", "Given: the coupon claimed, or the voucher not used yet.")
    USED = described_value("USED", "The voucher was exchanged at the shop.")


@strawberry.type(description="Points exchanged for a reward: a coupon claimed, or a voucher for a product.")
class PointsRedemption:
    id: strawberry.ID = strawberry.field(description="The redemption's id.")
    status: PointsRedemptionStatus = strawberry.field(description="Issued or used.")
    points: int = strawberry.field(description="What it cost.")
    created_at: datetime = strawberry.field(description="When it was redeemed.")
    used_at: datetime | None = strawberry.field(description="When the voucher was used; null until then.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> PointsRedemption:
        return cls(
            id=strawberry.ID(to_global_id("PointsRedemption", doc["_id"])),
            status=PointsRedemptionStatus(doc["status"]),
            points=doc["points"],
            created_at=datetime.fromtimestamp(doc["at"] / 1000, UTC),
            used_at=_time(doc.get("usedAt")),
            doc=doc,
        )

    @strawberry.field(description="PRODUCT: the code the shop takes in exchange for the product, once.")
    def voucher_code(self) -> str | None:
        return self.doc["code"] if self.doc["kind"] == reward_rules.PRODUCT else None

    @strawberry.field(description="The reward; null when it is gone.")
    async def reward(self, info: Info) -> PointsReward | None:
        found = await info.context.loaders.points_reward.load(self.doc["rewardId"])
        return PointsReward.from_doc(found) if found else None

    @strawberry.field(description="COUPON: the coupon claimed.")
    async def coupon(self, info: Info) -> Coupon | None:
        found = await info.context.loaders.coupon.load(self.doc["couponId"]) if self.doc.get("couponId") else None
        return Coupon.from_doc(found) if found else None


@strawberry.type
class PointsRedemptionEdge:
    node: PointsRedemption
    cursor: str


@strawberry.type
class PointsRedemptionConnection:
    edges: list[PointsRedemptionEdge]
    page_info: PageInfo


async def redemptions_of(info: Info, user_id: str, first: int | None, after: str | None) -> PointsRedemptionConnection:
    page = await rewards_uc.my_redemptions(info.context.services, user_id, page_size(first), after)
    edges = [
        PointsRedemptionEdge(node=PointsRedemption.from_doc(d), cursor=c)
        for d, c in zip(page.docs, page.cursors, strict=True)
    ]
    return PointsRedemptionConnection(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.input
class CreatePointsRewardInput:
    shop_id: strawberry.ID
    kind: PointsRewardKind = strawberry.field(description="A coupon, or a voucher for a product.")
    title: str = strawberry.field(description="1 to 40 characters.")
    points: int = strawberry.field(description="What one costs, 1 to 100,000,000 points.")
    stock: int = strawberry.field(description="How many there are, 1 to 1,000,000.")
    per_user_limit: int = strawberry.field(default=1, description="How many one member may redeem, 1 to 100.")
    coupon_id: strawberry.ID | None = strawberry.field(default=None, description="COUPON: one of the shop's.")
    product_id: strawberry.ID | None = strawberry.field(default=None, description="PRODUCT: one of the shop's.")


@strawberry.input
class CreatePlatformPointsRewardInput:
    kind: PointsRewardKind = strawberry.field(description="A coupon, or a voucher for a product.")
    title: str = strawberry.field(description="1 to 40 characters.")
    points: int = strawberry.field(description="What one costs, 1 to 100,000,000 points.")
    stock: int = strawberry.field(description="How many there are, 1 to 1,000,000.")
    per_user_limit: int = strawberry.field(default=1, description="How many one member may redeem, 1 to 100.")
    coupon_id: strawberry.ID | None = strawberry.field(default=None, description="COUPON: a platform coupon.")
    product_id: strawberry.ID | None = strawberry.field(default=None, description="PRODUCT: the product.")


@strawberry.input
class RedeemPointsInput:
    reward_id: strawberry.ID = strawberry.field(description="The reward.")
    idempotency_key: str = strawberry.field(description="A replay with the same key has the first call's one effect.")


@strawberry.input
class UseRewardVoucherInput:
    shop_id: strawberry.ID
    code: str = strawberry.field(description="The voucher code the member shows.")


@strawberry.type
class PointsRewardPayload:
    reward: PointsReward | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RedeemPointsPayload:
    redemption: PointsRedemption | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _ids(input: CreatePointsRewardInput | CreatePlatformPointsRewardInput) -> tuple[str | None, str | None]:
    coupon = raw_id(input.coupon_id, "Coupon", "input", "couponId") if input.coupon_id else None
    product = raw_id(input.product_id, "Product", "input", "productId") if input.product_id else None
    return coupon, product


@strawberry.type
class PointsQueries:
    @strawberry.field(description="The points mall: a shop's rewards, or the platform's without shopId; newest first.")
    async def points_rewards(
        self, info: Info, shop_id: strawberry.ID | None = None, first: int | None = None, after: str | None = None
    ) -> PointsRewardConnection:
        shop = raw_id(shop_id, "Shop", "shopId") if shop_id else None
        page = await rewards_uc.rewards_page(info.context.services, shop, page_size(first), after)
        edges = [
            PointsRewardEdge(node=PointsReward.from_doc(d), cursor=c)
            for d, c in zip(page.docs, page.cursors, strict=True)
        ]
        return PointsRewardConnection(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.type
class PointsMutations:
    @payload_mutation(PointsRewardPayload, staff=Staff(SHOP, ADMIN), description="The shop's owner or ADMIN staff.")
    async def create_points_reward(self, info: Info, input: CreatePointsRewardInput) -> PointsRewardPayload:
        coupon, product = _ids(input)
        reward = await rewards_uc.create_reward(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.shop_id, "Shop", "input", "shopId"),
            kind=input.kind.value,
            title=input.title,
            points_cost=input.points,
            stock=input.stock,
            per_user_limit=input.per_user_limit,
            coupon_id=coupon,
            product_id=product,
        )
        return PointsRewardPayload(reward=PointsReward.from_doc(reward))

    @payload_mutation(PointsRewardPayload, role="operator", description="Operators: a reward of the platform's.")
    async def create_platform_points_reward(
        self, info: Info, input: CreatePlatformPointsRewardInput
    ) -> PointsRewardPayload:
        coupon, product = _ids(input)
        reward = await rewards_uc.create_reward(
            info.context.services,
            info.context.require_viewer(),
            None,
            kind=input.kind.value,
            title=input.title,
            points_cost=input.points,
            stock=input.stock,
            per_user_limit=input.per_user_limit,
            coupon_id=coupon,
            product_id=product,
        )
        return PointsRewardPayload(reward=PointsReward.from_doc(reward))

    @payload_mutation(RedeemPointsPayload, description="Exchange points for a reward, while stock and limits allow.")
    async def redeem_points(self, info: Info, input: RedeemPointsInput) -> RedeemPointsPayload:
        redemption = await rewards_uc.redeem(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.reward_id, "PointsReward", "input", "rewardId"),
            input.idempotency_key,
        )
        return RedeemPointsPayload(redemption=PointsRedemption.from_doc(redemption))

    @payload_mutation(
        RedeemPointsPayload, staff=Staff(SHOP, WAREHOUSE), description="The shop hands a product out for its voucher."
    )
    async def use_reward_voucher(self, info: Info, input: UseRewardVoucherInput) -> RedeemPointsPayload:
        used = await rewards_uc.use_voucher(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.shop_id, "Shop", "input", "shopId"),
            input.code,
        )
        return RedeemPointsPayload(redemption=PointsRedemption.from_doc(used))

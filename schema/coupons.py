"""Coupons: created by shops, claimed by users, used by orders."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from domain.ids import to_global_id
from domain.staff import ADMIN
from resolvers import coupons as coupons_uc
from resolvers.intact import one
from schema.catalog import Shop
from schema.common import Long, Money, Node, UserError
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id, register_node
from schema.staff import SHOP, Staff
from store.protocol import Doc


def epoch_ms(value: datetime) -> int:
    """A DateTime input; one without a zone is taken as UTC."""
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp() * 1000)


@strawberry.type(description="A coupon: claimed by users (one each, while copies last), then used on one order.")
class Coupon(Node):
    id: strawberry.ID
    title: str = strawberry.field(description="Up to 40 characters.")
    discount: Money = strawberry.field(description="Off the order subtotal.")
    min_spend: Money = strawberry.field(description="What the lines it counts must cost for it to apply.")
    valid_until: datetime = strawberry.field(description="Usable until then.")
    doc: strawberry.Private[Doc]
    claimed_usable: strawberry.Private[bool | None] = None

    @classmethod
    def from_doc(cls, doc: Doc, usable: bool | None = None) -> Coupon:
        return cls(
            id=strawberry.ID(to_global_id("Coupon", doc["_id"])),
            title=doc["title"],
            discount=Money.fen(doc["discount"]),
            min_spend=Money.fen(doc["minSpend"]),
            valid_until=datetime.fromtimestamp(doc["validUntil"] / 1000, UTC),
            doc=doc,
            claimed_usable=usable,
        )

    @strawberry.field(description="Null for a platform coupon, usable at any shop.")
    async def shop(self, info: Info) -> Shop | None:
        shop = await info.context.loaders.shop.load(self.doc["shopId"]) if self.doc.get("shopId") else None
        shop = await one(info.context.loaders, "shop", shop)
        return Shop.from_doc(shop) if shop else None

    @strawberry.field(description="Claimed and not yet used, for the viewer.")
    async def usable(self, info: Info) -> bool:
        if self.claimed_usable is not None:
            return self.claimed_usable
        return await coupons_uc.usable_for(info.context.services, info.context.viewer_id, self.doc)

    @strawberry.field(description="Copies not yet claimed.")
    def remaining(self) -> int:
        return int(self.doc["remaining"])


register_node("Coupon", "coupon", Coupon.from_doc)


@strawberry.input
class CreateCouponInput:
    shop_id: strawberry.ID
    title: str = strawberry.field(description="1 to 40 characters.")
    discount: Long = strawberry.field(description="Fen off, 1 to 10,000,000.")
    min_spend: Long = strawberry.field(description="Fen the order must reach; more than the discount.")
    valid_until: datetime = strawberry.field(description="In the future: claimed copies are usable until then.")
    quantity: int = strawberry.field(description="Copies, 1 to 1,000,000; one per user.")


@strawberry.input
class CreatePlatformCouponInput:
    title: str = strawberry.field(description="1 to 40 characters.")
    discount: Long = strawberry.field(description="Fen off, 1 to 10,000,000.")
    min_spend: Long = strawberry.field(description="Fen the order must reach; more than the discount.")
    valid_until: datetime = strawberry.field(description="In the future: claimed copies are usable until then.")
    quantity: int = strawberry.field(description="Copies, 1 to 1,000,000; one per user.")


@strawberry.input
class CouponIdInput:
    coupon_id: strawberry.ID = strawberry.field(description="The coupon.")


@strawberry.type
class CouponPayload:
    coupon: Coupon | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CouponQueries:
    @strawberry.field(description="The viewer's claimed coupons, newest first.")
    async def my_coupons(self, info: Info) -> list[Coupon]:
        viewer = info.context.viewer_id
        if viewer is None:
            return []
        return [Coupon.from_doc(v.coupon, v.usable) for v in await coupons_uc.my_coupons(info.context.services, viewer)]


@strawberry.type
class CouponMutations:
    @payload_mutation(CouponPayload, staff=Staff(SHOP, ADMIN), description="The shop's owner or ADMIN staff.")
    async def create_coupon(self, info: Info, input: CreateCouponInput) -> CouponPayload:
        coupon = await coupons_uc.create_coupon(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.shop_id, "Shop", "input", "shopId"),
            input.title,
            input.discount,
            input.min_spend,
            epoch_ms(input.valid_until),
            input.quantity,
        )
        return CouponPayload(coupon=Coupon.from_doc(coupon))

    @payload_mutation(
        CouponPayload,
        role="operator",
        description="Operators only: a platform coupon, usable at any shop (at most one per shop order, besides one"
        " shop coupon; the shop coupon applies first).",
    )
    async def create_platform_coupon(self, info: Info, input: CreatePlatformCouponInput) -> CouponPayload:
        coupon = await coupons_uc.create_coupon(
            info.context.services,
            info.context.require_viewer(),
            None,
            input.title,
            input.discount,
            input.min_spend,
            epoch_ms(input.valid_until),
            input.quantity,
        )
        return CouponPayload(coupon=Coupon.from_doc(coupon))

    @payload_mutation(CouponPayload, description="One per user, while copies last.")
    async def claim_coupon(self, info: Info, input: CouponIdInput) -> CouponPayload:
        coupon = await coupons_uc.claim_coupon(
            info.context.services, info.context.require_viewer(), raw_id(input.coupon_id, "Coupon", "input", "couponId")
        )
        return CouponPayload(coupon=Coupon.from_doc(coupon, usable=True))

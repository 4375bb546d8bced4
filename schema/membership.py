"""Member levels: the table, a member's level with progress to the next, and the benefits of each."""

from __future__ import annotations

import strawberry

from domain import membership as rules
from domain.membership import Benefits, Level
from resolvers import membership as membership_uc
from schema.common import UserError
from schema.context import Info
from schema.coupons import Coupon
from schema.mutations import payload_mutation
from schema.nodes import raw_id


@strawberry.type(description="What a member level gives.")
class MemberBenefits:
    price_percent: int = strawberry.field(description="Member price: 100 = the price, 95 = 5 % off.")
    free_shipping: bool = strawberry.field(description="Whether orders ship free.")
    points_multiplier_percent: int = strawberry.field(description="Points earned on orders: 100 = as is, 150 = x1.5.")
    benefits: strawberry.Private[Benefits]

    @classmethod
    def of(cls, benefits: Benefits) -> MemberBenefits:
        return cls(
            price_percent=benefits.price_percent,
            free_shipping=benefits.free_shipping,
            points_multiplier_percent=benefits.points_multiplier_percent,
            benefits=benefits,
        )

    @strawberry.field(description="The level's birthday coupon (not yet issued on birthdays: users have no birthday).")
    async def birthday_coupon(self, info: Info) -> Coupon | None:
        coupon_id = self.benefits.birthday_coupon_id
        found = await info.context.loaders.coupon.load(coupon_id) if coupon_id else None
        return Coupon.from_doc(found) if found else None


@strawberry.type(description="One level of a member table.")
class MemberLevel:
    level: int = strawberry.field(description="From 1.")
    name: str = strawberry.field(description="Up to 20 characters.")
    growth: int = strawberry.field(description="The growth from which a member is at this level.")
    benefits: MemberBenefits = strawberry.field(description="What members at this level get.")

    @classmethod
    def of(cls, level: Level) -> MemberLevel:
        return cls(level=level.level, name=level.name, growth=level.growth, benefits=MemberBenefits.of(level.benefits))


@strawberry.type(description="The level a member climbs to next.")
class NextMemberLevel:
    level: int = strawberry.field(description="The next level.")
    name: str = strawberry.field(description="Its name.")
    growth_needed: int = strawberry.field(description="Growth still to gain to reach it.")


@strawberry.type(
    description="A member's level from their growth: paid spend (1 per whole yuan of completed orders "
    "kept) plus activity points (invites)."
)
class Membership:
    level: int = strawberry.field(description="The member's level now.")
    name: str = strawberry.field(description="Its name.")
    growth: int = strawberry.field(description="Their growth value (it never falls when points are spent).")
    next_level: NextMemberLevel | None = strawberry.field(description="The next level; null at the top.")
    benefits: MemberBenefits = strawberry.field(description="What they get now.")

    @classmethod
    def of(cls, found: membership_uc.Membership) -> Membership:
        nxt = found.next
        return cls(
            level=found.level.level,
            name=found.level.name,
            growth=found.growth,
            next_level=NextMemberLevel(level=nxt.level, name=nxt.name, growth_needed=nxt.growth - found.growth)
            if nxt
            else None,
            benefits=MemberBenefits.of(found.level.benefits),
        )


async def levels_table(info: Info) -> tuple[Level, ...]:
    """The table, read once per request."""
    doc = await info.context.loaders.member_levels.load(membership_uc.TABLE_ID)
    return rules.from_doc(doc["levels"]) if doc else rules.DEFAULT_LEVELS


async def membership_of(info: Info, growth: int) -> Membership:
    return Membership.of(membership_uc.of_growth(await levels_table(info), growth))


@strawberry.input(description="One level of the member table.")
class MemberLevelInput:
    name: str = strawberry.field(description="1 to 20 characters.")
    growth: int = strawberry.field(description="Where it starts: 0 for the first level, then strictly increasing.")
    price_percent: int = strawberry.field(default=100, description="Member price, 50 to 100 percent of the price.")
    free_shipping: bool = strawberry.field(default=False, description="Orders ship free.")
    points_multiplier_percent: int = strawberry.field(default=100, description="Points earned, 100 to 1000 percent.")
    birthday_coupon_id: strawberry.ID | None = strawberry.field(
        default=None, description=("A coupon given on the member's birthday.")
    )


@strawberry.input
class SetMemberLevelsInput:
    levels: list[MemberLevelInput] = strawberry.field(description="From level 1; thresholds strictly increasing.")


@strawberry.type
class MemberLevelsPayload:
    levels: list[MemberLevel] | None = strawberry.field(
        default=None, description=("The table as saved; null when refused.")
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MembershipQueries:
    @strawberry.field(description="The member levels, from level 1.")
    async def member_levels(self, info: Info) -> list[MemberLevel]:
        return [MemberLevel.of(lv) for lv in await levels_table(info)]


@strawberry.type
class MembershipMutations:
    @payload_mutation(MemberLevelsPayload, role="operator", description="Operators: replace the member level table.")
    async def set_member_levels(self, info: Info, input: SetMemberLevelsInput) -> MemberLevelsPayload:
        levels = [
            Level(
                i + 1,
                lv.name,
                lv.growth,
                Benefits(
                    lv.price_percent,
                    lv.free_shipping,
                    lv.points_multiplier_percent,
                    raw_id(lv.birthday_coupon_id, "Coupon", "input", "levels", str(i), "birthdayCouponId")
                    if lv.birthday_coupon_id
                    else None,
                ),
            )
            for i, lv in enumerate(input.levels)
        ]
        table = await membership_uc.set_levels(info.context.services, info.context.require_viewer(), levels)
        return MemberLevelsPayload(levels=[MemberLevel.of(lv) for lv in table])

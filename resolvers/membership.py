"""Member levels: the table (the default in domain/membership.py until an operator sets one), a member's level from
their growth, and the benefits pricing and points apply (`benefits_for`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain import membership as rules
from domain.membership import Benefits, Level
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.protocol import DuplicateKey

TABLE_ID = "levels"


@dataclass(frozen=True)
class Membership:
    level: Level
    growth: int
    next: Level | None


async def table(services: Services) -> tuple[Level, ...]:
    doc = await services.store.get("member_levels", TABLE_ID)
    return rules.from_doc(doc["levels"]) if doc else rules.DEFAULT_LEVELS


async def set_levels(services: Services, operator_id: str, levels: Sequence[Level]) -> tuple[Level, ...]:
    """Replace the table (operators; who may is the mutation's declaration). Refused whole when a threshold does
    not increase or a birthday coupon does not exist."""
    numbered = tuple(Level(i + 1, lv.name.strip(), lv.growth, lv.benefits) for i, lv in enumerate(levels))
    refuse_problems(rules.table_problems(numbered))
    coupon_ids = [lv.benefits.birthday_coupon_id for lv in numbered if lv.benefits.birthday_coupon_id]
    found = await services.store.get_many("coupons", coupon_ids)
    for i, lv in enumerate(numbered):
        if lv.benefits.birthday_coupon_id and lv.benefits.birthday_coupon_id not in found:
            raise Refused("NOT_FOUND", "No such coupon", ["input", "levels", str(i), "birthdayCouponId"])
    doc = {"levels": rules.to_doc(numbered), "updatedAt": services.now(), "updatedBy": operator_id}
    if await services.store.update_one("member_levels", {"_id": TABLE_ID}, {"$set": doc}) is None:
        try:
            await services.store.insert("member_levels", {"_id": TABLE_ID, **doc})
        except DuplicateKey:  # another operator created it first: theirs is replaced by ours, as the later write
            await services.store.update_one("member_levels", {"_id": TABLE_ID}, {"$set": doc})
    return numbered


async def membership_of(services: Services, user_id: str) -> Membership | None:
    user = await services.store.get("users", user_id)
    if user is None:
        return None
    return of_growth(await table(services), int(user.get("growth", 0)))


def of_growth(levels: Sequence[Level], growth: int) -> Membership:
    return Membership(rules.level_of(growth, levels), growth, rules.next_level(growth, levels))


async def benefits_for(services: Services, user_id: str) -> Benefits:
    """The benefits of the user's level now (those of the first level for an unknown user)."""
    found = await membership_of(services, user_id)
    return found.level.benefits if found else (await table(services))[0].benefits

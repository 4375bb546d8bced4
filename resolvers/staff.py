"""Shop staff: the roles a user holds in a shop, and the one check every merchant mutation goes through."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from domain import staff as rules
from resolvers.errors import Refused
from resolvers.services import Services
from store.protocol import Doc


async def roles_in(services: Services, shop: Doc, user_id: str) -> frozenset[str]:
    if shop["ownerId"] == user_id:
        return frozenset({rules.OWNER})
    member = await services.store.get("shop_staff", rules.staff_id(shop["_id"], user_id))
    return frozenset(member["roles"]) if member else frozenset()


async def require(
    services: Services, shop_id: str | None, user_id: str, allowed: Iterable[str], field: Sequence[str]
) -> Doc:
    """The shop, when `user_id` may act for it in one of the `allowed` roles: NOT_FOUND or FORBIDDEN otherwise
    (a user who is not staff at all learns nothing more than a missing shop would tell)."""
    shop = await services.store.get("shops", shop_id) if shop_id else None
    if shop is None:
        raise Refused("NOT_FOUND", "No such shop", list(field))
    held = await roles_in(services, shop, user_id)
    if not rules.may(held, allowed):
        names = ", ".join(sorted(set(allowed) | {rules.ADMIN}))
        raise Refused("FORBIDDEN", f"Only the shop's owner or staff with a role of {names} may do this", list(field))
    return shop

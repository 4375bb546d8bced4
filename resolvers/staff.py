"""Shop staff: the roles a user holds in a shop and the one check every merchant mutation goes through; the
owner's invites (a secret code, single use, expiring), role changes and removals.

`shop_staff` holds one document per member, `_id = staff_id(shop, user)`, so a user is a member of a shop once.
An invite is `shop_staff_invites` under the hash of its code (the code itself is shown once, to the owner):
accepting it is a compare-and-set on `acceptedBy`, so of two users racing for one code exactly one gets in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence

from domain import staff as rules
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey, Page

CODE_FIELD = ["input", "code"]
USER_FIELD = ["input", "userId"]
MEMBERSHIPS_MAX = 200


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
    return await check(services, shop, user_id, allowed, field)


async def check(services: Services, shop: Doc, user_id: str, allowed: Iterable[str], field: Sequence[str]) -> Doc:
    """`require` for a shop already read (a field of Shop): the shop, or FORBIDDEN."""
    held = await roles_in(services, shop, user_id)
    if not rules.may(held, allowed):
        raise Refused("FORBIDDEN", rules.who_may(allowed), list(field))
    return shop


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def invite(services: Services, owner_id: str, shop_id: str, roles: list[str]) -> tuple[Doc, str]:
    """A new invite to the shop with these roles, and its code (never stored: only its hash is)."""
    refuse_problems(rules.role_problems(roles))
    code = secrets.token_urlsafe(rules.INVITE_CODE_BYTES)
    now = services.now()
    doc = {
        "_id": code_hash(code),
        "shopId": shop_id,
        "roles": roles,
        "invitedBy": owner_id,
        "createdAt": now,
        "expiresAt": now + int(services.settings.STAFF_INVITE_HOURS * 3_600_000),
        "acceptedBy": None,
    }
    await services.store.insert("shop_staff_invites", doc)
    return doc, code


async def accept(services: Services, user_id: str, code: str) -> Doc:
    """Join the invite's shop with its roles: once per code; the same user accepting again gets the same answer."""
    store = services.store
    invite_id = code_hash(code.strip())
    found = await store.get("shop_staff_invites", invite_id)
    shop = await store.get("shops", found["shopId"]) if found else None
    if found is None or shop is None:
        raise Refused("NOT_FOUND", "No such invite; check the code", CODE_FIELD)
    if shop["ownerId"] == user_id:
        raise Refused("SELF_ACTION", "You own this shop already", CODE_FIELD)
    if found.get("acceptedBy") == user_id and not found.get("revoked"):
        return await _join(services, found, user_id)  # a replay, or a retry after a crash before joining
    reason = rules.invite_usable(found, services.now())
    if reason:
        raise Refused("INVALID_STATE", reason, CODE_FIELD)
    if await store.get("shop_staff", rules.staff_id(shop["_id"], user_id)) is not None:
        raise Refused(
            "ALREADY_EXISTS", "You are on this shop's staff already; the owner can change your roles", CODE_FIELD
        )
    taken = await store.update_one(
        "shop_staff_invites",
        {"_id": invite_id, "acceptedBy": None, "expiresAt": {"$gt": services.now()}},
        {"$set": {"acceptedBy": user_id, "acceptedAt": services.now()}},
    )
    if taken is None:
        current = await store.get("shop_staff_invites", invite_id) or found
        if current.get("acceptedBy") == user_id and not current.get("revoked"):
            return await _join(services, current, user_id)
        raise Refused("INVALID_STATE", rules.invite_usable(current, services.now()) or "Try again", CODE_FIELD)
    try:
        return await _join(services, taken, user_id, fresh=True)
    except Refused:
        # Another invite of this shop made them staff meanwhile: this code stays usable by someone else.
        await store.update_one(
            "shop_staff_invites",
            {"_id": invite_id, "acceptedBy": user_id},
            {"$set": {"acceptedBy": None}, "$unset": {"acceptedAt": ""}},
        )
        raise


async def _join(services: Services, invite: Doc, user_id: str, *, fresh: bool = False) -> Doc:
    member = {
        "_id": rules.staff_id(invite["shopId"], user_id),
        "shopId": invite["shopId"],
        "userId": user_id,
        "roles": invite["roles"],
        "inviteId": invite["_id"],
        "invitedBy": invite["invitedBy"],
        "addedAt": services.now(),
    }
    try:
        await services.store.insert("shop_staff", member)
        return member
    except DuplicateKey:
        existing = await services.store.get("shop_staff", member["_id"])
        if existing is None:
            raise
        if fresh and existing.get("inviteId") != invite["_id"]:
            raise Refused("ALREADY_EXISTS", "You are on this shop's staff already", CODE_FIELD) from None
        return existing


async def update(services: Services, shop_id: str, user_id: str, roles: list[str]) -> Doc:
    refuse_problems(rules.role_problems(roles))
    updated = await services.store.update_one(
        "shop_staff",
        {"_id": rules.staff_id(shop_id, user_id)},
        {"$set": {"roles": roles, "updatedAt": services.now()}},
    )
    if updated is None:
        raise Refused("NOT_FOUND", "This user is not on the shop's staff", USER_FIELD)
    return updated


async def remove(services: Services, shop_id: str, user_id: str) -> Doc:
    """The member as they were; they lose every role in the shop at once, and the code they joined with is spent
    for good (accepting it again does not bring them back)."""
    store = services.store
    member_id = rules.staff_id(shop_id, user_id)
    member = await store.get("shop_staff", member_id)
    if member is None:
        raise Refused("NOT_FOUND", "This user is not on the shop's staff", USER_FIELD)
    if member.get("inviteId"):
        await store.update_one("shop_staff_invites", {"_id": member["inviteId"]}, {"$set": {"revoked": True}})
    if not await store.delete("shop_staff", member_id):
        raise Refused("NOT_FOUND", "This user is not on the shop's staff", USER_FIELD)
    return member


async def staff_page(services: Services, shop_id: str, first: int, after: str | None) -> Page:
    return await services.store.find("shop_staff", {"shopId": shop_id}, sort="addedAt", limit=first, after=after)


async def memberships(services: Services, user_id: str) -> list[tuple[Doc, list[str]]]:
    """The shops the user works for: (shop id and since when, roles): those they own first (role OWNER)."""
    owned = await services.store.find("shops", {"ownerId": user_id}, sort="createdAt", limit=MEMBERSHIPS_MAX)
    staffed = await services.store.find("shop_staff", {"userId": user_id}, sort="addedAt", limit=MEMBERSHIPS_MAX)
    return [({"shopId": s["_id"], "since": s.get("createdAt")}, [rules.OWNER]) for s in owned.docs] + [
        ({"shopId": m["shopId"], "since": m["addedAt"]}, list(m["roles"])) for m in staffed.docs
    ]

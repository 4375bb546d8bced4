"""Users: creation, dev logins, and reading users and their relations."""

from __future__ import annotations

from typing import Any

from resolvers.services import Services, now_ms
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

DEFAULT_PRIVACY = {"activityVisibility": "FRIENDS", "showInSocialProof": True, "connectionsVisibility": "PUBLIC"}


def new_user(nickname: str, **extra: Any) -> Doc:
    return {
        "_id": new_id(),
        "nickname": nickname,
        "avatarUrl": None,
        "bio": None,
        "influence": 0.0,
        "followerCount": 0,
        "followingCount": 0,
        "points": 0,
        "level": 1,
        "roles": [],
        "privacy": dict(DEFAULT_PRIVACY),
        "createdAt": now_ms(),
        **extra,
    }


async def dev_user(services: Services, nickname: str) -> Doc:
    """The one user a dev nickname names, created on first use (concurrent first logins still make one)."""
    store = services.store
    found = await store.find("users", {"devNickname": nickname}, limit=1)
    if found.docs:
        return found.docs[0]
    user = new_user(nickname, devNickname=nickname)
    try:
        await store.insert("users", user)
        return user
    except DuplicateKey:
        again = await store.find("users", {"devNickname": nickname}, limit=1)
        return again.docs[0]


async def follow_page(services: Services, user_id: str, direction: str, first: int, after: str | None) -> Page:
    """Followers (direction "in") or followees ("out") of a user, newest first; docs are the follow edges."""
    where = {"dst": user_id} if direction == "in" else {"src": user_id}
    return await services.store.find("follows", where, sort="at", direction=-1, limit=first, after=after)


async def grant_operator(services: Services, user_id: str) -> bool:
    """Add the operator role (accepts a global User id or a raw id); False when there is no such user."""
    from domain.ids import BadGlobalId, from_global_id

    try:
        type_name, raw = from_global_id(user_id)
        if type_name == "User":
            user_id = raw
    except BadGlobalId:
        pass
    user = await services.store.get("users", user_id)
    if user is None:
        return False
    if "operator" not in user.get("roles", []):
        await services.store.update_one("users", {"_id": user_id}, {"$push": {"roles": "operator"}})
    return True

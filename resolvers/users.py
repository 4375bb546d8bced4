"""Users: creation, dev logins, profiles and their unique nicknames, and reading users and their relations.

A nickname is unique by its look (`domain.text.skeleton`): `nicknames` holds one claim per skeleton, its `_id`,
so the unique `_id` alone decides which of two racing sign-ups or renames gets it. A user's `nicknameKey` is the
skeleton they hold. Claims are never deleted, only released (userId None) by compare-and-set; a claim left by a
crash between claiming and writing the profile is taken over once it is STALE_CLAIM_MS old.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from domain import birthdays, visibility
from domain.profile import clean_nickname, profile_problems
from domain.text import clean, skeleton
from resolvers.birthdays import changes_for as birthday_changes
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services, now_ms
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

NICKNAME_FIELD = ["input", "nickname"]
STALE_CLAIM_MS = 60_000


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
        "privacy": dict(visibility.DEFAULTS),
        "createdAt": now_ms(),
        **extra,
    }


async def follow_page(services: Services, user_id: str, direction: str, first: int, after: str | None) -> Page:
    """Followers (direction "in") or followees ("out") of a user, newest first; docs are the follow edges."""
    where = {"dst": user_id} if direction == "in" else {"src": user_id}
    return await services.store.find("follows", where, sort="at", direction=-1, limit=first, after=after)


def is_operator(user: Doc | None) -> bool:
    return user is not None and "operator" in user.get("roles", [])


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
    if not is_operator(user):
        await services.store.update_one("users", {"_id": user_id}, {"$push": {"roles": "operator"}})
    return True


async def update_profile(
    services: Services,
    user_id: str,
    nickname: str | None,
    avatar_url: str | None,
    bio: str | None,
    region: str | None = None,
    birthday: str | None = None,
) -> Doc:
    problems = profile_problems(nickname=nickname, bio=bio, avatar_url=avatar_url, region=region)
    problems += birthdays.birthday_problems(birthday) if birthday is not None else []
    refuse_problems(problems)
    changes: dict[str, Any] = {}
    held: str | None = None
    if birthday is not None:  # "MM-DD", or "" to clear it; its gift's due date with it (resolvers/birthdays.py)
        user = await services.store.get("users", user_id)
        if user is None:
            raise Refused("NOT_FOUND", "No such user")
        changes |= birthday_changes(services, user, birthday)
    if nickname is not None:
        current = await services.store.get("users", user_id)
        if current is None:
            raise Refused("NOT_FOUND", "No such user")
        held = current.get("nicknameKey") or None
        changes["nickname"] = clean_nickname(nickname)
        changes["nicknameKey"] = await claim_nickname(services, user_id, changes["nickname"])
    if avatar_url is not None:
        changes["avatarUrl"] = avatar_url
    if bio is not None:
        changes["bio"] = clean(bio, multiline=True)
    if region is not None:
        changes["region"] = clean(region)
    user = await _set(services, user_id, changes)
    if held is not None and held != changes.get("nicknameKey", held):
        await release_nickname(services, user_id, held)
    return user


async def claim_nickname(services: Services, user_id: str, nickname: str) -> str:
    """Take the nickname's skeleton for the user (again: a no-op) and return it; ALREADY_EXISTS when another user
    holds it or a look-alike of it."""
    store = services.store
    key = skeleton(nickname)
    now = services.now()
    try:
        await store.insert("nicknames", {"_id": key, "userId": user_id, "at": now})
        return key
    except DuplicateKey:
        pass
    held = await store.get("nicknames", key)
    if held is not None and held["userId"] == user_id:
        return key
    if held is not None and await _free(services, held, key, now):
        taken = await store.update_one(
            "nicknames",
            {"_id": key, "userId": held["userId"], "at": held["at"]},
            {"$set": {"userId": user_id, "at": now}},
        )
        if taken is not None:
            return key
    raise Refused("ALREADY_EXISTS", "This nickname, or one that looks just like it, is taken", NICKNAME_FIELD)


async def _free(services: Services, claim: Doc, key: str, now: int) -> bool:
    """A released claim, or an old one whose holder does not bear the nickname (a crash before the profile write)."""
    if claim["userId"] is None:
        return True
    if claim["at"] > now - STALE_CLAIM_MS:
        return False
    holder = await services.store.get("users", claim["userId"])
    return holder is None or holder.get("nicknameKey") != key


async def release_nickname(services: Services, user_id: str, key: str) -> None:
    """Give the skeleton back, if the user holds it."""
    await services.store.update_one(
        "nicknames", {"_id": key, "userId": user_id}, {"$set": {"userId": None, "at": services.now()}}
    )


async def claim_legacy_nicknames(services: Services, batch: int = 500) -> int:
    """Claim the nicknames of users from before nicknames were unique, earliest account first; a later look-alike
    keeps its nickname unclaimed (nicknameKey "") until it picks another. Run at start; the number claimed."""
    store = services.store
    claimed = 0
    while True:
        page = await store.find("users", {"nicknameKey": None}, sort="createdAt", limit=batch)
        for user in page.docs:
            try:
                key = await claim_nickname(services, user["_id"], user.get("nickname") or "")
                claimed += 1
            except Refused:
                key = ""
            await store.update_one("users", {"_id": user["_id"], "nicknameKey": None}, {"$set": {"nicknameKey": key}})
        if len(page.docs) < batch:
            return claimed


async def update_privacy(services: Services, user_id: str, changes: dict[str, Any]) -> Doc:
    """Change some privacy settings (keys of visibility.DEFAULTS; None values are left as they are)."""
    user = await services.store.get("users", user_id)
    if user is None:
        raise Refused("NOT_FOUND", "No such user")
    privacy = visibility.privacy(user)
    privacy.update({k: v for k, v in changes.items() if v is not None and k in visibility.DEFAULTS})
    return await _set(services, user_id, {"privacy": privacy})


async def _set(services: Services, user_id: str, changes: dict[str, Any]) -> Doc:
    if not changes:
        user = await services.store.get("users", user_id)
    else:
        user = await services.store.update_one("users", {"_id": user_id}, {"$set": changes})
    if user is None:
        raise Refused("NOT_FOUND", "No such user")
    return user


@dataclass(frozen=True)
class Suggestion:
    user: Doc
    mutual_friends: int
    reason: str


async def friend_suggestions(services: Services, viewer: str, first: int) -> list[Suggestion]:
    """Friends of friends, most mutual friends first (then influence), never someone the viewer follows, has
    blocked or is blocked by. A suggestion tells whom the candidate is friends with, so (domain/visibility.py)
    it goes only through friends who do not keep their connections PRIVATE, and only to candidates whose
    connections are PUBLIC."""
    graph = services.backends.graph
    followed, blocked, blockers, friends = await asyncio.gather(  # four round trips at once on a remote graph
        graph.neighbors("FOLLOWS", viewer, limit=100_000),
        graph.neighbors("BLOCKS", viewer, limit=100_000),
        graph.neighbors("BLOCKS", viewer, direction="in", limit=100_000),
        graph.neighbors("FRIEND", viewer, limit=5_000),
    )
    exclude = {*followed, *blocked, *blockers}
    want = first * 3 + 20  # more than needed, so the influence tie-break also orders candidates just past the cut
    friend_docs = await services.store.get_many("users", friends)
    paths = [f for f in friends if f in friend_docs and visibility.suggestion_path(friend_docs[f])]
    if len(paths) == len(friends):
        candidates = await graph.two_hop("FRIEND", viewer, limit=want, exclude=exclude)
    else:  # some friends keep their friends to themselves: count only the paths through the others
        reached = await graph.neighbor_counts("FRIEND", paths, limit=want + len(friends) + len(exclude) + 1)
        skip = {viewer, *friends, *exclude}
        candidates = [(c, n) for c, n in reached if c not in skip][:want]
    users = await services.store.get_many("users", [c for c, _ in candidates])
    ranked = sorted(
        ((users[c], n) for c, n in candidates if c in users and visibility.suggestable(users[c])),
        key=lambda un: (-un[1], -float(un[0].get("influence", 0.0)), un[0]["_id"]),
    )
    return [Suggestion(u, n, f"{n} mutual friend{'s' if n != 1 else ''}") for u, n in ranked[:first]]

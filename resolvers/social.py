"""Follows between users. Exact counts: a count moves only when the edge document really appears or goes."""

from __future__ import annotations

from resolvers.errors import Refused
from resolvers.services import Services, now_ms
from store.protocol import DuplicateKey


async def follow(services: Services, src: str, dst: str) -> None:
    store = services.store
    if src == dst:
        raise Refused("SELF_ACTION", "You cannot follow yourself", ["input", "userId"])
    if await store.get("users", dst) is None:
        raise Refused("NOT_FOUND", "No such user", ["input", "userId"])
    if await store.get("blocks", f"{dst}>{src}") is not None:
        raise Refused("BLOCKED", "This user has blocked you", ["input", "userId"])
    try:
        await store.insert("follows", {"_id": f"{src}>{dst}", "src": src, "dst": dst, "at": now_ms()})
    except DuplicateKey:
        return  # already following: idempotent
    await store.update_one("users", {"_id": src}, {"$inc": {"followingCount": 1}})
    await store.update_one("users", {"_id": dst}, {"$inc": {"followerCount": 1}})
    await services.emit("user_pair", a=src, b=dst)


async def unfollow(services: Services, src: str, dst: str) -> None:
    store = services.store
    if src == dst:
        raise Refused("SELF_ACTION", "You cannot unfollow yourself", ["input", "userId"])
    if not await store.delete("follows", f"{src}>{dst}"):
        return  # was not following: idempotent
    await store.update_one("users", {"_id": src}, {"$inc": {"followingCount": -1}})
    await store.update_one("users", {"_id": dst}, {"$inc": {"followerCount": -1}})
    await services.emit("user_pair", a=src, b=dst)

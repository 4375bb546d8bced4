"""Follows between users. Exact counts: a count moves only when the edge document really appears or goes."""

from __future__ import annotations

from domain import events as ev
from domain import visibility
from domain.visibility import Viewer
from resolvers import events as facts
from resolvers import feeds
from resolvers.errors import Refused
from resolvers.services import Services, now_ms
from store.protocol import Doc, DuplicateKey
from subscriptions.live import BLOCKS_TOPIC

BLOCKS_PAGE = 1_000


async def follow(services: Services, src: str, dst: str) -> None:
    store = services.store
    if src == dst:
        raise Refused("SELF_ACTION", "You cannot follow yourself", ["input", "userId"])
    if not await _exists(services, dst):
        raise Refused("NOT_FOUND", "No such user", ["input", "userId"])
    if await is_blocked_between(services, src, dst):
        raise Refused("BLOCKED", "One of you has blocked the other", ["input", "userId"])
    try:
        await store.insert("follows", {"_id": f"{src}>{dst}", "src": src, "dst": dst, "at": now_ms()})
    except DuplicateKey:
        return  # already following: idempotent
    await store.update_one("users", {"_id": src}, {"$inc": {"followingCount": 1}})
    facts.record(services, ev.FOLLOWED, user_id=src, key=f"{src}>{dst}", followedId=dst)
    await store.update_one("users", {"_id": dst}, {"$inc": {"followerCount": 1}})
    if await is_blocked_between(services, src, dst):
        # A block landed while we followed; its sweep may have run before our insert, so undo it here.
        await drop_follow(services, src, dst)
        raise Refused("BLOCKED", "One of you has blocked the other", ["input", "userId"])
    await services.emit("user_pair", a=src, b=dst)
    await feeds.relations_changed(services, src, dst)


async def unfollow(services: Services, src: str, dst: str) -> None:
    if src == dst:
        raise Refused("SELF_ACTION", "You cannot unfollow yourself", ["input", "userId"])
    if await drop_follow(services, src, dst):
        await services.emit("user_pair", a=src, b=dst)
        await feeds.relations_changed(services, src, dst)


async def drop_follow(services: Services, src: str, dst: str) -> bool:
    """Delete the follow if it exists; counts move only for the one caller whose delete removed it."""
    store = services.store
    if not await store.delete("follows", f"{src}>{dst}"):
        return False
    await store.update_one("users", {"_id": src}, {"$inc": {"followingCount": -1}})
    await store.update_one("users", {"_id": dst}, {"$inc": {"followerCount": -1}})
    return True


async def block(services: Services, src: str, dst: str) -> None:
    """Block dst: follows both ways end, and dst can no longer follow src (idempotent)."""
    store = services.store
    if src == dst:
        raise Refused("SELF_ACTION", "You cannot block yourself", ["input", "userId"])
    if not await _exists(services, dst):
        raise Refused("NOT_FOUND", "No such user", ["input", "userId"])
    try:
        await store.insert("blocks", {"_id": f"{src}>{dst}", "src": src, "dst": dst, "at": now_ms()})
    except DuplicateKey:
        pass
    await services.backends.bus.publish(BLOCKS_TOPIC, {"a": src, "b": dst, "blocked": True})  # live rooms' hubs
    await feeds.relations_changed(services, src, dst)
    for a, b in ((src, dst), (dst, src)):
        await drop_follow(services, a, b)
    await services.emit("user_pair", a=src, b=dst)


async def _exists(services: Services, user_id: str) -> bool:
    """A user one may follow or block: there, and not the tombstone of a deleted account."""
    user = await services.store.get("users", user_id)
    return user is not None and not user.get("deletedAt")


async def is_blocked_between(services: Services, a: str, b: str) -> bool:
    found = await services.store.get_many("blocks", [f"{a}>{b}", f"{b}>{a}"])
    return bool(found)


async def blocked_either_way(services: Services, user_id: str) -> set[str]:
    """Everyone on the other side of a block from the user: whom they blocked and who blocked them (all of them,
    page by page; a live room's hub holds the set while the user watches)."""
    found: set[str] = set()
    for field, other in (("src", "dst"), ("dst", "src")):
        after: str | None = None
        while True:
            page = await services.store.find("blocks", {field: user_id}, limit=BLOCKS_PAGE, after=after)
            found.update(b[other] for b in page.docs)
            if page.next_cursor is None:
                break
            after = page.next_cursor
    return found


async def friends_who_bought(services: Services, viewer: str, product_id: str, first: int) -> list[Doc]:
    """Friends of the viewer with a purchase of the product who let it be shown, most recent buyer first."""
    friends = await services.backends.graph.neighbors("FRIEND", viewer, limit=5_000)
    found = await services.store.get_many("purchases", [f"{f}>{product_id}" for f in friends])
    users = await services.store.get_many("users", [p["userId"] for p in found.values()])
    shown = []
    for purchase in sorted(found.values(), key=lambda p: -p["at"]):
        user = users.get(purchase["userId"])
        if user is not None and visibility.purchase_shown(user, Viewer(viewer)):
            shown.append(user)
    return shown[:first]

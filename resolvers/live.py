"""Live selling (直播带货) use cases: rooms, their products, comments and likes.

Every change a viewer should see is published on the room's topic (`live:<room>`) as one small event that
carries what the subscribers show (the comment and its author, the pinned product), so no subscriber reads the
store for it. Likes are summed in memory by the LiveHub and written once per tick.

Comments are kept (an audit trail for moderation); `recentComments` serves the latest RECENT_MAX.
"""

from __future__ import annotations

from typing import Any

from domain import live as rules
from domain import moderation
from domain.text import clean
from resolvers.content import banned_words
from resolvers.errors import Refused, refuse_problems
from resolvers.feeds import record_activity
from resolvers.ratelimit import spend
from resolvers.services import Services
from resolvers.social import is_blocked_between
from store.ids import new_id
from store.protocol import Doc, Page
from subscriptions.live import topic

ROOM_FIELD = ["input", "roomId"]


async def create_room(services: Services, host_id: str, title: str, product_ids: list[str]) -> Doc:
    refuse_problems(rules.room_problems(title, product_ids))
    unique = list(dict.fromkeys(product_ids))
    found = await services.store.get_many("products", unique)
    for i, product_id in enumerate(product_ids):
        if product_id not in found:
            raise Refused("NOT_FOUND", "No such product", ["input", "productIds", str(i)])
    now = services.now()
    room = {
        "_id": new_id(),
        "hostId": host_id,
        "title": clean(title),
        "status": rules.SCHEDULED,
        "productIds": unique,
        "pinnedProductId": None,
        "likeCount": 0,
        "viewers": 0,
        "rank": rules.rank(rules.SCHEDULED, 0),
        "createdAt": now,
        "startedAt": None,
        "endedAt": None,
    }
    await services.store.insert("live_rooms", room)
    return room


async def room_or_refuse(services: Services, room_id: str) -> Doc:
    room = await services.store.get("live_rooms", room_id)
    if room is None:
        raise Refused("NOT_FOUND", "No such live room", ROOM_FIELD)
    return room


async def hosted_room(services: Services, host_id: str, room_id: str) -> Doc:
    room = await room_or_refuse(services, room_id)
    if room["hostId"] != host_id:
        raise Refused("FORBIDDEN", "Only the host may do this", ROOM_FIELD)
    return room


async def _move(services: Services, room: Doc, target: str, changes: dict[str, Any]) -> Doc:
    """Compare-and-set the room's status; INVALID_STATE when it is not in a state that may move there."""
    moved = await services.store.update_one(
        "live_rooms",
        {"_id": room["_id"], "status": {"$in": list(rules.SOURCES[target])}},
        {"$set": {"status": target, "rank": rules.rank(target, 0), **changes}},
    )
    if moved is None:
        raise Refused("INVALID_STATE", f"A {room['status'].lower()} room cannot become {target.lower()}", ROOM_FIELD)
    return moved


async def start(services: Services, host_id: str, room_id: str) -> Doc:
    room = await _move(
        services, await hosted_room(services, host_id, room_id), rules.LIVE, {"startedAt": services.now()}
    )
    await record_activity(services, host_id, "WENT_LIVE", liveRoomId=room_id)
    return room


async def end(services: Services, host_id: str, room_id: str) -> Doc:
    return await end_room(services, await hosted_room(services, host_id, room_id))


async def end_room(services: Services, room: Doc, **changes: Any) -> Doc:
    now = services.now()
    ended = await _move(services, room, rules.ENDED, {"endedAt": now, **changes})
    await services.backends.bus.publish(topic(room["_id"]), {"kind": "ended", "endedAt": now})
    return ended


async def pin(services: Services, host_id: str, room_id: str, product_id: str) -> Doc:
    room = await hosted_room(services, host_id, room_id)
    if product_id not in room["productIds"]:
        raise Refused("INVALID_INPUT", "Pin one of this room's products", ["input", "productId"])
    pinned = await services.store.update_one(
        "live_rooms",
        {"_id": room_id, "status": {"$in": [rules.SCHEDULED, rules.LIVE]}},
        {"$set": {"pinnedProductId": product_id}},
    )
    if pinned is None:
        raise Refused("INVALID_STATE", "This room has ended", ROOM_FIELD)
    product = await services.store.get("products", product_id)
    await services.backends.bus.publish(topic(room_id), {"kind": "pinned", "product": product})
    return pinned


async def live_room(services: Services, room_id: str) -> Doc:
    """The room, when it is LIVE: NOT_FOUND or ROOM_NOT_LIVE otherwise."""
    room = await room_or_refuse(services, room_id)
    if room["status"] != rules.LIVE:
        raise Refused("ROOM_NOT_LIVE", "This room is not live", ROOM_FIELD)
    return room


async def like(services: Services, user_id: str, room_id: str, count: int) -> Doc:
    refuse_problems(rules.like_problems(count))
    room = await live_room(services, room_id)
    if await is_blocked_between(services, user_id, room["hostId"]):
        raise Refused("BLOCKED", "You cannot like this room", ROOM_FIELD)
    await spend(services, "LIVE_LIKES_PER_MINUTE", user_id, cost=count, field=["input", "count"])  # likes, not calls
    services.live.add_likes(room_id, count)
    return room


def like_count(services: Services, room: Doc) -> int:
    """Stored likes plus the ones this process has not written yet."""
    return int(room.get("likeCount", 0)) + services.live.pending_likes(room["_id"])


async def comment(services: Services, user_id: str, room_id: str, body: str) -> Doc:
    refuse_problems(rules.comment_problems(body))
    room = await live_room(services, room_id)
    if await is_blocked_between(services, user_id, room["hostId"]):
        raise Refused("BLOCKED", "You cannot comment in this room", ROOM_FIELD)
    settings = services.settings
    allowed = await services.limiter.allow(
        f"live-comment:{user_id}", services.now(), settings.LIVE_COMMENTS_PER_SECOND, settings.LIVE_COMMENT_BURST
    )
    if not allowed:
        raise Refused("RATE_LIMITED", "Too many comments: at most one a second", ["input", "body"])
    verdict = moderation.review(body, banned_words(services))
    if verdict.status != moderation.APPROVED:
        raise Refused(
            "CONTENT_REJECTED",
            "This comment breaks the community rules: " + "; ".join(verdict.reasons),
            ["input", "body"],
        )
    doc = {"_id": new_id(), "roomId": room_id, "authorId": user_id, "body": clean(body), "at": services.now()}
    await services.store.insert("live_comments", doc)
    author = await services.store.get("users", user_id)
    await services.backends.bus.publish(topic(room_id), {"kind": "comment", "comment": doc, "author": author})
    return doc


async def recent_comments(services: Services, room_id: str, last: int | None) -> list[Doc]:
    """The latest comments, oldest first."""
    count = rules.recent_count(last)
    if count == 0:
        return []
    page = await services.store.find("live_comments", {"roomId": room_id}, sort="at", direction=-1, limit=count)
    return page.docs[::-1]


async def rooms(services: Services, first: int, after: str | None) -> Page:
    """LIVE rooms first, most viewers first; then scheduled rooms, then ended ones."""
    return await services.store.find("live_rooms", {}, sort="rank", direction=-1, limit=first, after=after)


async def flush_likes(services: Services, room_id: str, count: int) -> int | None:
    """Write a tick's likes in one increment; the room's new total (None if the room is gone)."""
    room = await services.store.update_one("live_rooms", {"_id": room_id}, {"$inc": {"likeCount": count}})
    return int(room["likeCount"]) if room is not None else None


async def record_viewers(services: Services, room_id: str, viewers: int) -> None:
    """Keep a live room's viewer count on its document, for liveRooms' order."""
    await services.store.update_one(
        "live_rooms",
        {"_id": room_id, "status": rules.LIVE},
        {"$set": {"viewers": viewers, "rank": rules.rank(rules.LIVE, viewers)}},
    )

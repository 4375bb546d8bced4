"""Favorites (收藏) of products, shops and posts. One document per user and target (`<user>><KIND>:<target>`):
its insert decides who counts, so favoriting twice, or twice at once, counts once; its delete decides for
unfavorite. Each target's count is kept in `favorite_counts` (`<KIND>:<target>`), read through a DataLoader.

A favorite is a recommendation signal through the outbox, like a like: a product's, or the products a post tags,
count in the user's ENGAGED edges (resolvers/content.engage). The first favorite of a target by a user is a
FAVORITED activity for their friends (as their privacy allows; a held post's is hidden with the post)."""

from __future__ import annotations

from typing import Any

from domain import reviews as rules
from resolvers import feeds
from resolvers.content import engage
from resolvers.errors import Refused
from resolvers.services import Services
from resolvers.visibility import Seer
from store.counters import increment
from store.protocol import Doc, DuplicateKey, Page

FIELD = ["input", "targetId"]
REF_FIELDS = {rules.PRODUCT: "productId", rules.SHOP: "shopId", rules.POST: "postId"}


def key(kind: str, target_id: str) -> str:
    return f"{kind}:{target_id}"


def favorite_id(user_id: str, kind: str, target_id: str) -> str:
    return f"{user_id}>{key(kind, target_id)}"


async def _owner(services: Services, kind: str, target: Doc) -> str | None:
    """Whose the target is, for blocks: a post's author, a shop's owner, a product's shop's owner."""
    if kind == rules.POST:
        return str(target["authorId"])
    if kind == rules.SHOP:
        return str(target["ownerId"])
    shop = await services.store.get("shops", target["shopId"])
    return str(shop["ownerId"]) if shop else None


async def _target(services: Services, user_id: str, kind: str, target_id: str) -> Doc:
    """The target the user may favorite: NOT_FOUND when it does not exist (or moderation hides the post),
    BLOCKED across a block with its owner."""
    seer = Seer.of(services.store, user_id)
    if kind == rules.POST:
        post = await seer.post_to_engage(target_id, FIELD)
        if post["moderation"] != "APPROVED":
            raise Refused("INVALID_STATE", "This post is not published", FIELD)
        return post
    target = await services.store.get(rules.FAVORITE_COLLECTIONS[kind], target_id)
    if target is None:
        raise Refused("NOT_FOUND", f"No such {kind.lower()}", FIELD)
    owner = await _owner(services, kind, target)
    if owner is not None and await seer.blocked_among([owner]):
        raise Refused("BLOCKED", "One of you has blocked the other", FIELD)
    return target


async def _products(services: Services, kind: str, target: Doc) -> list[str]:
    """The products a favorite of the target says the user is interested in."""
    if kind == rules.PRODUCT:
        return [target["_id"]]
    if kind == rules.POST:
        return list(target.get("productIds", []))
    return []


async def favorite(services: Services, user_id: str, kind: str, target_id: str) -> Doc:
    """Idempotent: the target, favorited by the user."""
    target = await _target(services, user_id, kind, target_id)
    doc = {
        "_id": favorite_id(user_id, kind, target_id),
        "userId": user_id,
        "kind": kind,
        "targetId": target_id,
        "at": services.now(),
    }
    try:
        await services.store.insert("favorites", doc)
    except DuplicateKey:
        return target  # favorited already
    await increment(services.store, "favorite_counts", key(kind, target_id), {"count": 1}, {})
    await engage(services, user_id, await _products(services, kind, target), 1)
    # favoriting again after taking it back is no news: one FAVORITED activity per user and target
    refs: dict[str, Any] = {REF_FIELDS[kind]: target_id}
    await feeds.record_activity(services, user_id, "FAVORITED", once=f"favorited:{doc['_id']}", **refs)
    return target


async def unfavorite(services: Services, user_id: str, kind: str, target_id: str) -> Doc | None:
    """Idempotent, and across a block too; the target (None if it no longer exists)."""
    target = await services.store.get(rules.FAVORITE_COLLECTIONS[kind], target_id)
    removed = await drop(services, user_id, kind, target_id)
    if removed and target is not None:
        await engage(services, user_id, await _products(services, kind, target), -1)
    if target is not None and kind == rules.POST and not await Seer.of(services.store, user_id).post(target):
        return None  # a post hidden from the user since: taken back, not shown
    return target


async def drop(services: Services, user_id: str, kind: str, target_id: str) -> bool:
    """Delete the favorite if it exists; the count moves only for the one caller whose delete removed it."""
    if not await services.store.delete("favorites", favorite_id(user_id, kind, target_id)):
        return False
    await services.store.update_one("favorite_counts", {"_id": key(kind, target_id)}, {"$inc": {"count": -1}})
    return True


async def mine(services: Services, user_id: str, kind: str | None, first: int, after: str | None) -> Page:
    where: dict[str, Any] = {"userId": user_id}
    if kind is not None:
        where["kind"] = kind
    return await services.store.find("favorites", where, sort="at", direction=-1, limit=first, after=after)

"""The steps that carry out an account's deletion, one per collection domain/personal_data.py says is DELETED or
ANONYMISED (a test keeps the two equal), in the order they run: logins first (the user can no longer act), the
user document last (it becomes the tombstone of the account).

Every step can be run again after a crash part-way: deletes of what is gone already are no-ops, counters move
only for the caller whose delete or compare-and-set removed the thing they count, anonymising sets fixed values.
Graph edges go as every graph change does: the documents change, an outbox event names the pair, the projector
makes the graph agree (so the graph equals a rebuild afterwards).

A sweep run spends at most ACCOUNT_ERASURE_SECONDS on erasures (a user with 100,000 documents takes a minute or
more, and the sweep also cancels unpaid orders): past it, the step pauses after its current page (Paused) and the
next run resumes it, which re-reads from the first document left.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar

from domain import bargains as bargain_rules
from domain import live as live_rules
from domain.personal_data import Found, erased_address, personal, tombstone
from resolvers import auth, bargains, content, feeds, live
from resolvers.data_export import erase_exports
from resolvers.errors import Refused
from resolvers.personal_data import pages
from resolvers.services import Services
from resolvers.social import drop_follow
from resolvers.users import release_nickname
from store.protocol import Doc

Step = Callable[[Services, str], Awaitable[None]]
# When this sweep run's time for erasures is over (time.monotonic()); None: no limit.
DEADLINE: ContextVar[float | None] = ContextVar("erasure_deadline", default=None)


class Paused(Exception):
    """This run's time for erasures is over; the step resumes in the next run."""


async def each(services: Services, collection: str, found: Found, user_id: str) -> AsyncIterator[Doc]:
    """The user's documents, page by page; Paused after a page once the run's time is over (never before the first
    page, so every run gets on)."""
    async for page in pages(services.store, collection, found, user_id):
        for doc in page:
            yield doc
        deadline = DEADLINE.get()
        if deadline is not None and time.monotonic() > deadline:
            raise Paused(collection)


def _found(collection: str) -> Found:
    """Where the table says the user's documents of `collection` are (its first place)."""
    rule = personal(collection)
    assert rule is not None and rule.found, collection
    return rule.found[0]


async def _delete_all(services: Services, collection: str, found: Found, user_id: str) -> None:
    async for doc in each(services, collection, found, user_id):
        await services.store.delete(collection, doc["_id"])


def _deleting(collection: str) -> Step:
    async def step(services: Services, user_id: str) -> None:
        await _delete_all(services, collection, _found(collection), user_id)

    return step


# -- the account -----------------------------------------------------------------------------------------------
async def revoke_logins(services: Services, user_id: str) -> None:
    """Every login of the user revoked: refresh tokens refused, access tokens and sockets closed everywhere."""
    async for family in each(services, "token_families", _found("token_families"), user_id):
        if not family.get("revoked"):
            await auth.revoke_family(services, family["_id"])


async def _nickname(services: Services, user_id: str) -> None:
    user = await services.store.get("users", user_id)
    if user and user.get("nicknameKey"):
        await release_nickname(services, user_id, user["nicknameKey"])


async def _tombstone(services: Services, user_id: str) -> None:
    changes, dropped = tombstone(services.now())
    await services.store.update_one(
        "users", {"_id": user_id}, {"$set": changes, "$unset": {field: "" for field in dropped}}
    )
    services.known_users.pop(user_id, None)


async def _exports(services: Services, user_id: str) -> None:
    await erase_exports(services, user_id)


# -- the social graph ------------------------------------------------------------------------------------------
async def _follows(services: Services, user_id: str) -> None:
    for side, other in (("src", "dst"), ("dst", "src")):
        async for edge in each(services, "follows", Found(side, "", "at"), user_id):
            if await drop_follow(services, edge["src"], edge["dst"]):
                await services.emit("user_pair", a=edge["src"], b=edge["dst"])
                await feeds.relations_changed(services, edge[other])


async def _blocks(services: Services, user_id: str) -> None:
    for side in ("src", "dst"):
        async for edge in each(services, "blocks", Found(side, ""), user_id):
            if await services.store.delete("blocks", edge["_id"]):
                await services.emit("user_pair", a=edge["src"], b=edge["dst"])


# -- content ---------------------------------------------------------------------------------------------------
async def _posts(services: Services, user_id: str) -> None:
    async for post in each(services, "posts", _found("posts"), user_id):
        if post["moderation"] != "REMOVED":
            await content.remove_post(services, post)


async def _comments(services: Services, user_id: str) -> None:
    async for comment in each(services, "comments", _found("comments"), user_id):
        if not comment.get("removed"):
            await content.remove_comment(services, comment)


async def _likes(services: Services, user_id: str) -> None:
    async for like in each(services, "likes", _found("likes"), user_id):
        await content.drop_like(services, user_id, like["postId"])


async def _videos(services: Services, user_id: str) -> None:
    async for video in each(services, "videos", _found("videos"), user_id):
        if services.media is not None:
            for url in (video.get("url"), video.get("coverUrl")):
                if url and url.startswith("/media/"):
                    await services.media.delete(url.removeprefix("/media/"))
        await services.store.delete("videos", video["_id"])


async def _timeline(services: Services, user_id: str) -> None:
    await _delete_all(services, "timelines", Found("ownerId", "", "at"), user_id)


async def _live_rooms(services: Services, user_id: str) -> None:
    async for room in each(services, "live_rooms", _found("live_rooms"), user_id):
        if room["status"] != live_rules.ENDED:
            try:
                await live.end_room(services, room, title="")
                continue
            except Refused:  # ended meanwhile
                pass
        await services.store.update_one("live_rooms", {"_id": room["_id"]}, {"$set": {"title": ""}})


# -- projections -----------------------------------------------------------------------------------------------
async def _engagements(services: Services, user_id: str) -> None:
    async for doc in each(services, "engagements", _found("engagements"), user_id):
        if await services.store.delete("engagements", doc["_id"]):
            await services.emit("engaged", userId=user_id, productId=doc["productId"])


async def _purchases(services: Services, user_id: str) -> None:
    async for doc in each(services, "purchases", _found("purchases"), user_id):
        if await services.store.delete("purchases", doc["_id"]):
            await services.emit("bought", userId=user_id, productId=doc["productId"])


# -- commerce --------------------------------------------------------------------------------------------------
async def _address_book(services: Services, user_id: str) -> None:
    await services.store.delete("address_books", user_id)


async def _unpaid_holds(services: Services, user_id: str) -> None:
    await services.store.delete("unpaid_holds", user_id)


async def _coupon_claims(services: Services, user_id: str) -> None:
    async for claim in each(services, "coupon_claims", _found("coupon_claims"), user_id):
        if not claim["used"]:
            await services.store.delete("coupon_claims", claim["_id"])


async def _orders(services: Services, user_id: str) -> None:
    async for order in each(services, "orders", _found("orders"), user_id):
        changes = {"shippingAddress": erased_address(order["shippingAddress"])} if order.get("shippingAddress") else {}
        await services.store.update_one(
            "orders", {"_id": order["_id"]}, {"$set": changes, "$unset": {"phoneTail": "", "buyerRegion": ""}}
        )


async def _checkouts(services: Services, user_id: str) -> None:
    async for checkout in each(services, "checkouts", _found("checkouts"), user_id):
        if checkout.get("shippingAddress"):
            erased = erased_address(checkout["shippingAddress"])
            await services.store.update_one(
                "checkouts", {"_id": checkout["_id"]}, {"$set": {"shippingAddress": erased}}
            )


async def _withdrawals(services: Services, user_id: str) -> None:
    async for withdrawal in each(services, "withdrawals", _found("withdrawals"), user_id):
        if "openid" in withdrawal:
            await services.store.update_one("withdrawals", {"_id": withdrawal["_id"]}, {"$unset": {"openid": ""}})


async def _bargains(services: Services, user_id: str) -> None:
    async for bargain in each(services, "bargains", _found("bargains"), user_id):
        if bargain["status"] in bargain_rules.OPEN_STATUSES:
            await bargains.expire(services, bargain)


async def _bargain_daily(services: Services, user_id: str) -> None:
    """Its ids are `<helper>:<day>`: the user's are the ids between `<user>:` and `<user>;` (':' + 1)."""
    store = services.store
    while True:
        page = await store.find("bargain_daily", {"_id": {"$gte": f"{user_id}:", "$lt": f"{user_id};"}}, limit=500)
        for doc in page.docs:
            await store.delete("bargain_daily", doc["_id"])
        if page.next_cursor is None:
            return


# The steps, in the order they run (a deletion's `step` is its position here: do not reorder, append).
ERASERS: dict[str, Step] = {
    "token_families": revoke_logins,
    "refresh_tokens": _deleting("refresh_tokens"),
    "identities": _deleting("identities"),
    "data_exports": _exports,
    "invites": _deleting("invites"),
    "share_links": _deleting("share_links"),
    "nicknames": _nickname,
    "follows": _follows,
    "blocks": _blocks,
    "posts": _posts,
    "comments": _comments,
    "likes": _likes,
    "videos": _videos,
    "activities": _deleting("activities"),
    "timelines": _timeline,
    "live_rooms": _live_rooms,
    "live_comments": _deleting("live_comments"),
    "engagements": _engagements,
    "purchases": _purchases,
    "events": _deleting("events"),
    "addresses": _deleting("addresses"),
    "address_books": _address_book,
    "coupon_claims": _coupon_claims,
    "unpaid_holds": _unpaid_holds,
    "orders": _orders,
    "withdrawals": _withdrawals,
    "bargains": _bargains,
    "bargain_daily": _bargain_daily,
    "distributors": _deleting("distributors"),
    "shop_staff": _deleting("shop_staff"),
    "carts": _deleting("carts"),
    "checkouts": _checkouts,
    "users": _tombstone,
}

"""`PageSection.data`: what a section shows as one JSON value, the shape a renderer reads (documented per kind in
README-pages.md). One field per section instead of a dozen per product: a page of 200 products costs GraphQL ~30
fields, not ~3,000, which is what keeps shopPage within its latency budget. The typed fields of PageSection answer
the same items as GraphQL objects when a client needs more of them."""

from __future__ import annotations

from typing import Any

from domain.ids import to_global_id
from resolvers.pages.render import CouponItem, Item
from store.protocol import Doc

Json = dict[str, Any]


def _state(item: Item) -> Json:
    return {"ref": item.ref, "available": item.available, "reason": item.reason}


def badges(product: Doc) -> list[Json]:
    found: list[Json] = []
    if offer := product.get("groupBuy"):
        tier = min(offer["tiers"], key=lambda t: t["price"])
        found.append({"kind": "GROUP_BUY", "price": tier["price"], "teamSize": tier["size"]})
    if offer := product.get("bargain"):
        found.append({"kind": "BARGAIN", "price": offer["floorPrice"], "helpersNeeded": offer["helpersNeeded"]})
    return found


def product_card(item: Item, stock: int | None) -> Json:
    """{ref, available, reason, id, title, image, price (fen), stock, badges: [{kind, price, teamSize or
    helpersNeeded}]}"""
    doc = item.doc
    if doc is None:
        return _state(item)
    images = doc.get("images") or []
    return {
        **_state(item),
        "id": to_global_id("Product", doc["_id"]),
        "title": doc["title"],
        "image": images[0] if images else None,
        "price": doc["price"],
        "stock": stock,
        "badges": badges(doc) if item.available else [],
    }


def coupon_card(item: CouponItem) -> Json:
    """{ref, available, reason, id, title, discount, minSpend (fen), validUntil (ms), remaining, claimed, claimable}"""
    doc = item.doc
    state = {**_state(item), "claimed": item.claimed, "claimable": item.available and not item.claimed}
    if doc is None:
        return state
    return {
        **state,
        "id": to_global_id("Coupon", doc["_id"]),
        "title": doc["title"],
        "discount": doc["discount"],
        "minSpend": doc["minSpend"],
        "validUntil": doc["validUntil"],
        "remaining": doc["remaining"],
    }


def room_card(item: Item, viewers: int) -> Json:
    """{ref, available, reason, id, title, status, viewerCount, startedAt (ms)}"""
    doc = item.doc
    if doc is None:
        return _state(item)
    return {
        **_state(item),
        "id": to_global_id("LiveRoom", doc["_id"]),
        "title": doc["title"],
        "status": doc["status"],
        "viewerCount": viewers,
        "startedAt": doc.get("startedAt"),
    }


def note_card(post: Doc, author: Doc | None) -> Json:
    """{id, title, image, likeCount, author: {id, nickname, avatarUrl}}"""
    images = post.get("images") or []
    return {
        "id": to_global_id("Post", post["_id"]),
        "title": post["title"],
        "image": images[0] if images else None,
        "likeCount": post.get("likeCount", 0),
        "author": {
            "id": to_global_id("User", author["_id"]),
            "nickname": author.get("nickname"),
            "avatarUrl": author.get("avatarUrl"),
        }
        if author
        else None,
    }


def shop_card(shop: Doc, owner: Doc | None, viewer_follows: bool) -> Json:
    """{id, name, logoUrl, followerCount, viewerFollows} (following the shop is following its owner)"""
    return {
        "id": to_global_id("Shop", shop["_id"]),
        "name": shop["name"],
        "logoUrl": shop.get("logoUrl"),
        "followerCount": (owner or {}).get("followerCount", 0),
        "viewerFollows": viewer_follows,
    }

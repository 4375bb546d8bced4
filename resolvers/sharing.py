"""Share cards (分享卡片): what the mini-program hands to onShareAppMessage / onShareTimeline for a product or a
post, through a share token of the sharer's (resolvers/distribution.py share links, so that the sign-ups and
orders the link brings are attributed and earn commission), and for POSTER a PNG with the product picture, price,
the sharer's nickname and a mini-program code (WeChat's getwxacodeunlimit, or a QR code drawn locally when WeChat is
not configured). Posters are cached by their inputs (`share_posters`, _id = the SHA-256 of what is drawn): the
same sharer, target, price and picture give the same file, served at /media/posters/<key>.png. Every card is
recorded in `share_events` (sharer, channel, target) for the data work."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from domain import moderation
from domain.ids import to_global_id
from integrations import posters
from integrations.wechat_token import WechatApiError
from resolvers.distribution import create_share_link
from resolvers.errors import Refused
from resolvers.services import Services
from resolvers.visibility import Seer
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
TARGET = ["input", "targetId"]
CHANNELS = ("FRIEND", "GROUP", "MOMENTS", "POSTER")
PAGES = {"Product": "pages/product/index", "Post": "pages/post/index"}
PICTURE_MAX_BYTES = 5 * 1024 * 1024
PICTURE_TIMEOUT = aiohttp.ClientTimeout(total=3)


@dataclass(frozen=True)
class Card:
    title: str
    image_url: str | None
    path: str
    token: str
    channel: str
    poster_url: str | None
    target_kind: str
    target: Doc


async def share_card(services: Services, user_id: str, kind: str, target_id: str, channel: str) -> Card:
    """The card for sharing a product or a post; refused (nothing written) for a target the sharer cannot see
    or a post held by moderation."""
    store = services.store
    target = await store.get("products" if kind == "Product" else "posts", target_id) if kind in PAGES else None
    if target is None:
        raise Refused("NOT_FOUND", "Nothing to share here", TARGET)
    if kind == "Post":
        if not await Seer.of(store, user_id).post(target):
            raise Refused("NOT_FOUND", "Nothing to share here", TARGET)  # as for an id that names nothing
        if target["moderation"] != moderation.APPROVED:
            raise Refused("INVALID_STATE", "This post is not public (held by moderation): it cannot be shared", TARGET)
    sharer = await store.get("users", user_id)
    if sharer is None:
        raise Refused("NOT_FOUND", "No such user")
    link = await _link(services, user_id, kind, target_id)
    gid = to_global_id(kind, target_id)
    path = f"{PAGES[kind]}?id={gid}&s={link['_id']}"
    title, image, price = _face(kind, target)
    poster_url = (
        await poster(services, sharer, kind, target, link, title, image, price) if channel == "POSTER" else None
    )
    await store.insert(
        "share_events",
        {
            "_id": new_id(),
            "userId": user_id,
            "channel": channel,
            "targetKind": kind,
            "targetId": target_id,
            "token": link["_id"],
            "at": services.now(),
        },
    )
    return Card(title, image, path, link["_id"], channel, poster_url, kind, target)


def _face(kind: str, target: Doc) -> tuple[str, str | None, int | None]:
    """(title, picture URL, price in fen) of what is shared."""
    images = target.get("images") or []
    if kind == "Product":
        return str(target["title"]), images[0] if images else None, target.get("price")
    title = target.get("title") or (target.get("body") or "")[:30] or "分享一篇笔记"
    return str(title), images[0] if images else None, None


async def _link(services: Services, user_id: str, kind: str, target_id: str) -> Doc:
    """The sharer's share link for the target, made on first share and reused after (one token per sharer and
    target keeps posters cached and attribution in one place)."""
    where = (
        {"userId": user_id, "productId": target_id} if kind == "Product" else {"userId": user_id, "postId": target_id}
    )
    found = await services.store.find("share_links", where, limit=1)
    if found.docs:
        return found.docs[0]
    if kind == "Product":
        return await create_share_link(services, user_id, target_id)
    link = {
        "_id": secrets.token_urlsafe(12),
        "userId": user_id,
        "kind": "share",
        "productId": None,
        "postId": target_id,
        "createdAt": services.now(),
    }
    await services.store.insert("share_links", link)
    return link


def poster_key(parts: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def poster(
    services: Services, sharer: Doc, kind: str, target: Doc, link: Doc, title: str, image: str | None, price: int | None
) -> str:
    """The poster's URL: the cached one for these inputs, or a new one drawn and stored."""
    settings = services.settings
    page, scene = PAGES[kind], f"s={link['_id']}"
    wechat = services.wechat_codes is not None
    parts = {
        "v": posters.VERSION,
        "title": title,
        "price": price,
        "nickname": sharer["nickname"],
        "picture": image,
        "page": page,
        "scene": scene,
        "code": "wechat" if wechat else "qr",
    }
    key = poster_key(parts)
    cached = await services.store.get("share_posters", key)
    if cached is not None:
        return str(cached["url"])
    picture, code = await asyncio.gather(_picture(services, image), _code(services, page, scene))
    link_url = f"{settings.SHARE_QR_BASE_URL.rstrip('/')}/{link['_id']}"
    drawn = posters.Poster(title, price, sharer["nickname"], picture, code, link_url)
    png = await asyncio.to_thread(posters.render, drawn, settings.POSTER_FONT)
    name = f"posters/{key}.png"
    assert services.media is not None
    url = await services.media.write(name, png)
    if code is None and wechat:
        return url  # WeChat failed this time: the local QR is served, not cached, so the next share asks again
    try:
        doc = {"_id": key, "url": url, "userId": sharer["_id"], "bytes": len(png), "at": services.now()}
        await services.store.insert("share_posters", doc)
    except DuplicateKey:
        pass  # drawn at once by another share: the same bytes
    return url


async def _code(services: Services, page: str, scene: str) -> bytes | None:
    if services.wechat_codes is None:
        return None
    try:
        return bytes(await services.wechat_codes.unlimited(scene, page))
    except WechatApiError as exc:
        log.warning("sharing: no mini-program code from WeChat (%s); a local QR code instead", exc)
        return None


async def _picture(services: Services, url: str | None) -> bytes | None:
    """The picture's bytes when it is on a host POSTER_IMAGE_HOSTS allows (the shop's CDN; never an address a
    merchant typed in, which could point inside our network), within a size and a time limit."""
    hosts = {h.strip().lower() for h in services.settings.POSTER_IMAGE_HOSTS.split(",") if h.strip()}
    if not url or services.http is None or (urlsplit(url).hostname or "").lower() not in hosts:
        return None
    try:
        async with services.http.get(url, timeout=PICTURE_TIMEOUT, allow_redirects=False) as resp:
            if resp.status != 200:
                return None
            data = await resp.content.read(PICTURE_MAX_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("sharing: the picture %s could not be read (%s)", url, exc)
        return None
    return data if len(data) <= PICTURE_MAX_BYTES else None

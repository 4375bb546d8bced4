"""At save, every reference of a page must name something of the shop: products (with the offer a group-buy or
bargain zone needs), coupons that have not expired, live rooms that have not ended and whose host is the shop's
owner or staff. One get_many per collection, whatever the number of references."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from domain import live
from domain.ids import BadGlobalId, from_global_id
from domain.pages.components import BARGAIN, COUPON, GROUP_BUY, LIVE_ROOM, REF_TYPES, Ref
from domain.problem import Problem
from domain.staff import staff_id
from resolvers.services import Services
from store.protocol import Doc

COLLECTIONS = {"Product": "products", "Coupon": "coupons", "LiveRoom": "live_rooms"}
WHAT = {"Product": "product", "Coupon": "coupon", "LiveRoom": "live room"}


def raw_ref(ref: Ref) -> str | None:
    """The document id a reference names, or None when it is not an id of the type its place wants."""
    try:
        type_name, raw = from_global_id(ref.global_id)
    except BadGlobalId:
        return None
    return raw if type_name == REF_TYPES[ref.kind] else None


async def reference_problems(services: Services, shop: Doc, refs: Sequence[Ref], prefix: str) -> list[Problem]:
    """A problem (at `prefix` + the reference's path) for each reference that is not of the shop or not usable."""
    wanted: dict[str, set[str]] = {c: set() for c in COLLECTIONS.values()}
    raws = [raw_ref(ref) for ref in refs]
    for ref, raw in zip(refs, raws, strict=True):
        if raw is not None:
            wanted[COLLECTIONS[REF_TYPES[ref.kind]]].add(raw)
    found = dict(
        zip(
            wanted,
            await asyncio.gather(*(services.store.get_many(c, sorted(ids)) for c, ids in wanted.items())),
            strict=True,
        )
    )
    hosts = await _staff_hosts(services, shop, found["live_rooms"].values())
    now = services.now()
    problems = []
    for ref, raw in zip(refs, raws, strict=True):
        if raw is None:
            message: str | None = f"Expected a {REF_TYPES[ref.kind]} id"
        else:
            message = _unusable(ref.kind, found[COLLECTIONS[REF_TYPES[ref.kind]]].get(raw), shop, hosts, now)
        if message:
            problems.append(_at(prefix, ref, message))
    return problems


def _at(prefix: str, ref: Ref, message: str) -> Problem:
    return Problem(".".join((prefix, *ref.path)), message)


def _unusable(kind: str, doc: Doc | None, shop: Doc, hosts: set[str], now: int) -> str | None:
    what = WHAT[REF_TYPES[kind]]
    if kind == LIVE_ROOM:
        if doc is None or doc["hostId"] not in hosts:
            return f"No such {what} of this shop (its host is the owner or staff)"
        return "This live room has ended" if doc["status"] == live.ENDED else None
    if doc is None or doc.get("shopId") != shop["_id"]:
        return f"No such {what} in this shop"  # another shop's is not told apart from a missing one
    if kind == GROUP_BUY and not doc.get("groupBuy"):
        return "This product has no group-buy offer"
    if kind == BARGAIN and not doc.get("bargain"):
        return "This product has no bargain offer"
    if kind == COUPON and doc["validUntil"] <= now:
        return "This coupon has expired"
    return None


async def _staff_hosts(services: Services, shop: Doc, rooms: Any) -> set[str]:
    """Of the rooms' hosts, those who may speak for the shop: its owner and its staff."""
    others = sorted({r["hostId"] for r in rooms} - {shop["ownerId"]})
    staff = await services.store.get_many("shop_staff", [staff_id(shop["_id"], h) for h in others]) if others else {}
    return {shop["ownerId"]} | {h for h in others if staff_id(shop["_id"], h) in staff}

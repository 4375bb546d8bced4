"""The address book: at most 20 addresses per user, exactly one of them the default, and the snapshot an order keeps.

At most 20: each address takes one of 20 slots under a unique (userId, slot) index, so two racing creates can not
both take the last one, and a crash leaves no count to repair. Exactly one default: the book's `defaultId` is one
field, set by one update (two racing setDefaultAddress calls leave one of them); when it names no address (its
address was deleted meanwhile) the oldest address is the default, so there is always exactly one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain import addresses as rules
from domain import regions
from domain.problem import Problem
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

ADDRESS_FIELD = ["input", "addressId"]
# wx.chooseAddress's names for our fields, so a refused import names the field the client sent
WECHAT_FIELDS = {"recipient": "userName", "phone": "telNumber", "detail": "detailInfo", "postcode": "postalCode"}


@dataclass
class Book:
    addresses: list[Doc]  # the default first, then the newest first
    default_id: str | None


def _default_of(addresses: list[Doc], book: Doc | None) -> str | None:
    ids = {a["_id"] for a in addresses}
    named = book.get("defaultId") if book else None
    if named in ids:
        return named
    oldest = min(addresses, key=lambda a: (a["createdAt"], a["_id"]), default=None)
    return oldest["_id"] if oldest else None


async def book(services: Services, user_id: str) -> Book:
    store = services.store
    page = await store.find("addresses", {"userId": user_id}, sort="createdAt", direction=-1, limit=100)
    default_id = _default_of(page.docs, await store.get("address_books", user_id))
    ordered = sorted(page.docs, key=lambda a: a["_id"] != default_id)  # stable: newest first after the default
    return Book(ordered, default_id)


async def own_address(services: Services, user_id: str, address_id: str, field: list[str] = ADDRESS_FIELD) -> Doc:
    """The user's address; NOT_FOUND for one that does not exist or is someone else's (the same answer)."""
    address = await services.store.get("addresses", address_id)
    if address is None or address["userId"] != user_id:
        raise Refused("NOT_FOUND", "No such address of yours", field)
    return address


async def snapshot(services: Services, user_id: str, address_id: str) -> dict[str, Any]:
    """What an order keeps of the user's address (checkout calls this): recipient, phone, the region codes and
    names, detail, postcode (or None). NOT_FOUND on ["input", "addressId"] for an address that is not theirs."""
    return rules.snapshot(await own_address(services, user_id, address_id))


async def _set_default(services: Services, user_id: str, address_id: str) -> None:
    """One update of one field: whichever of two racing calls writes last is the default, and only it."""
    store = services.store
    if await store.update_one("address_books", {"_id": user_id}, {"$set": {"defaultId": address_id}}) is None:
        try:
            await store.insert("address_books", {"_id": user_id, "defaultId": address_id})
        except DuplicateKey:  # another call made the book meanwhile
            await store.update_one("address_books", {"_id": user_id}, {"$set": {"defaultId": address_id}})


def _refuse(problems: list[Problem], names: Mapping[str, str] | None = None) -> None:
    if names:
        problems = [Problem(names.get(p.field, p.field), p.message) for p in problems]
    refuse_problems(problems)


async def create_address(
    services: Services, user_id: str, fields: Mapping[str, Any], make_default: bool = False
) -> tuple[Doc, Book]:
    fields = {**fields, "phone": rules.normal_phone(fields["phone"])}
    _refuse(rules.address_problems(fields))
    return await _insert(services, user_id, rules.address_fields(fields), make_default)


async def _insert(services: Services, user_id: str, fields: dict[str, Any], make_default: bool) -> tuple[Doc, Book]:
    store = services.store
    now = services.now()
    for _ in range(rules.MAX_ADDRESSES + 1):
        current = await book(services, user_id)
        used = {a["slot"] for a in current.addresses}
        free = [s for s in range(rules.MAX_ADDRESSES) if s not in used]
        if not free:
            raise Refused(
                "TOO_MANY_ADDRESSES",
                f"An address book holds at most {rules.MAX_ADDRESSES} addresses; delete one first",
                ["input"],
            )
        doc = {"_id": new_id(), "userId": user_id, "slot": free[0], **fields, "createdAt": now, "updatedAt": now}
        try:
            await store.insert("addresses", doc)
        except DuplicateKey:
            continue  # a racing create took that slot: look again
        if make_default or current.default_id is None:
            await _set_default(services, user_id, doc["_id"])
        return doc, await book(services, user_id)
    raise Refused("CONFLICT", "The address book changed meanwhile; try again", ["input"])


async def update_address(
    services: Services, user_id: str, address_id: str, changes: Mapping[str, Any], make_default: bool = False
) -> tuple[Doc, Book]:
    """`changes` holds the fields given (the others stay); the region codes are checked together."""
    address = await own_address(services, user_id, address_id)
    if "phone" in changes:
        changes = {**changes, "phone": rules.normal_phone(changes["phone"])}
    merged = {**{k: address[k] for k in rules.SNAPSHOT_FIELDS}, **changes}
    _refuse(rules.address_problems(merged))
    updated = await services.store.update_one(
        "addresses",
        {"_id": address_id, "userId": user_id},
        {"$set": {**rules.address_fields(merged), "updatedAt": services.now()}},
    )
    if updated is None:
        raise Refused("NOT_FOUND", "No such address of yours", ADDRESS_FIELD)  # deleted meanwhile
    if make_default:
        await _set_default(services, user_id, address_id)
    return updated, await book(services, user_id)


async def set_default_address(services: Services, user_id: str, address_id: str) -> tuple[Doc, Book]:
    address = await own_address(services, user_id, address_id)
    await _set_default(services, user_id, address_id)
    return address, await book(services, user_id)


async def delete_address(services: Services, user_id: str, address_id: str) -> Book:
    """Deleting the default makes the oldest remaining address the default."""
    await own_address(services, user_id, address_id)
    store = services.store
    await store.delete("addresses", address_id)
    after = await book(services, user_id)
    # written down too, so the book names its default; guarded, so a racing setDefaultAddress is not overwritten
    await store.update_one(
        "address_books", {"_id": user_id, "defaultId": address_id}, {"$set": {"defaultId": after.default_id}}
    )
    return after


async def import_wechat_address(
    services: Services, user_id: str, wx: Mapping[str, str], make_default: bool = False
) -> tuple[Doc, Book]:
    """An address from wx.chooseAddress's result: its nationalCode (the district's GB/T 2260 code) decides the
    region, and its names must agree with it."""
    place, problems = regions.wechat_place(wx["provinceName"], wx["cityName"], wx["countyName"], wx["nationalCode"])
    postcode = (wx.get("postalCode") or "").strip() or None
    fields = {
        "recipient": wx["userName"],
        "phone": rules.normal_phone(wx["telNumber"]),
        "provinceCode": place.province.code if place else "",
        "cityCode": place.city.code if place else "",
        "districtCode": place.district.code if place else "",
        "detail": wx["detailInfo"],
        "postcode": postcode,
    }
    _refuse(rules.contact_problems(fields) + problems, WECHAT_FIELDS)
    return await _insert(services, user_id, rules.address_fields(fields), make_default)

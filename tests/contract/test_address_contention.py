"""The address book's guarded writes raced on every store with atomic single-document updates: racing creates
never pass 20 addresses (the unique slot index), and racing default changes and deletes leave exactly one default.
Winners are counted, not assumed."""

from __future__ import annotations

import asyncio

import pytest

from domain.addresses import MAX_ADDRESSES
from resolvers import addresses
from resolvers.services import Services
from store.protocol import Page
from tests.contract.test_commerce_contention import any_services, outcome, services

__all__ = ["any_services", "services"]

FIELDS = {
    "recipient": "王五",
    "phone": "13712345678",
    "provinceCode": "310000",
    "cityCode": "310100",
    "districtCode": "310104",
    "detail": "漕溪北路1号",
    "postcode": None,
}


def interleaved(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every racer yields after reading the book, as over a network, so racers see the same free slots (SQLite's
    small statements run on the event loop and would otherwise never interleave)."""
    store = services.store
    find = store.find

    async def find_then_yield(*args: object, **kwargs: object) -> Page:
        page = await find(*args, **kwargs)  # type: ignore[arg-type]
        await asyncio.sleep(0)
        return page

    monkeypatch.setattr(store, "find", find_then_yield)


async def test_the_address_book_runs_on_every_store(any_services: Services) -> None:
    services = any_services
    first, _ = await addresses.create_address(services, "u1", FIELDS)
    second, book = await addresses.create_address(services, "u1", FIELDS, make_default=True)
    assert book.default_id == second["_id"] and [a["_id"] for a in book.addresses] == [second["_id"], first["_id"]]
    after = await addresses.delete_address(services, "u1", second["_id"])
    assert after.default_id == first["_id"]
    assert (await addresses.snapshot(services, "u1", first["_id"]))["districtName"] == "徐汇区"
    assert await outcome(addresses.snapshot(services, "u2", first["_id"])) == "NOT_FOUND"


async def test_racing_creates_fill_the_book_to_exactly_20(
    any_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On FerretDB too: this rests on a unique index, not on findAndModify."""
    services = any_services
    # given: 15 addresses, and racers that all read the book before any inserts
    for _ in range(15):
        await addresses.create_address(services, "racer", FIELDS)
    interleaved(services, monkeypatch)
    # when: 12 more at once
    results = await asyncio.gather(*(outcome(addresses.create_address(services, "racer", FIELDS)) for _ in range(12)))
    # then: exactly the 5 free places were taken, each once
    assert results.count("ok") == MAX_ADDRESSES - 15
    assert results.count("TOO_MANY_ADDRESSES") == 7
    book = await addresses.book(services, "racer")
    assert len(book.addresses) == MAX_ADDRESSES
    assert sorted(a["slot"] for a in book.addresses) == list(range(MAX_ADDRESSES))


async def test_racing_defaults_and_deletes_leave_exactly_one_default(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: six addresses
    ids = [(await addresses.create_address(services, "owner", FIELDS))[0]["_id"] for _ in range(6)]
    interleaved(services, monkeypatch)
    # when: each is made the default while half of them are deleted
    await asyncio.gather(
        *(outcome(addresses.set_default_address(services, "owner", i)) for i in ids),
        *(outcome(addresses.delete_address(services, "owner", i)) for i in ids[::2]),
    )
    # then: exactly one of the remaining three is the default
    book = await addresses.book(services, "owner")
    assert {a["_id"] for a in book.addresses} == set(ids[1::2])
    assert book.default_id in ids[1::2]

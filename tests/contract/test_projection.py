"""DocumentStore contract, `find(..., fields=...)`: documents cut down to `_id` and the named top-level fields, the
same on every store and through the proxies the app wraps the store in (metrics' Timed, the response cache's
Watched); pages and cursors as without it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from observability.metrics import Metrics, Timed
from response_cache import ResponseCache
from store.protocol import DocumentStore, Index

ORDER = {
    "_id": "o1",
    "buyerId": "u1",
    "total": 990,
    "refunded": None,
    "paid": True,
    "address": {"city": "深圳", "lines": ["科技园路 1 号"]},
    "lines": [{"sku": "s1", "quantity": 2}],
    "note": '请放"门口"',
}

PROXIES: dict[str, Callable[[Any], Any]] = {
    "plain": lambda store: store,
    "timed": lambda store: Timed(store, Metrics().store_seconds),
    "watched": lambda store: ResponseCache(1 << 20, 60, lambda _: True).watch(store),  # type: ignore[arg-type]
}


@pytest.fixture(params=list(PROXIES))
def through(request: pytest.FixtureRequest, store: DocumentStore) -> DocumentStore:
    proxied: DocumentStore = PROXIES[request.param](store)
    return proxied


async def test_a_projection_returns_the_id_and_the_named_fields_only(through: DocumentStore) -> None:
    # given a document with scalars, a null, a boolean, nested objects and arrays
    await through.insert("orders", ORDER)
    # when it is found with some of its fields named, one of them a field it does not have
    page = await through.find("orders", fields=["buyerId", "refunded", "paid", "address", "lines", "note", "gone"])
    # then it holds exactly those it has, with their values as stored (a null stays null, a missing field is absent)
    assert page.docs == [{k: v for k, v in ORDER.items() if k != "total"}]


async def test_a_projection_of_no_fields_returns_the_ids(through: DocumentStore) -> None:
    await through.insert_many("orders", [{**ORDER, "_id": "o1"}, {**ORDER, "_id": "o2"}])
    page = await through.find("orders", fields=[])
    assert page.docs == [{"_id": "o1"}, {"_id": "o2"}]


async def test_projected_pages_sorted_on_a_field_not_named_visit_every_document_once(
    through: DocumentStore,
) -> None:
    # given documents with many ties on the sort key
    await through.ensure_index(Index("rows", ("group", "at")))
    docs = [{"_id": f"r{i:02d}", "group": "g" if i % 5 else "h", "at": i % 4, "n": i} for i in range(30)]
    await through.insert_many("rows", docs)
    for direction in (1, -1):
        # when they are paged in `at` order, `at` not among the fields
        seen: list[dict[str, Any]] = []
        after = None
        while True:
            page = await through.find(
                "rows", {"group": "g"}, sort="at", direction=direction, limit=4, after=after, fields=["n"]
            )  # type: ignore[arg-type]
            assert len(page.cursors) == len(page.docs)
            seen += page.docs
            if page.next_cursor is None:
                break
            after = page.next_cursor
        # then each comes once, in order, holding `n` only (the sort key made the cursors and left)
        expected = sorted((d for d in docs if d["group"] == "g"), key=lambda d: (d["at"], d["_id"]))
        if direction == -1:
            expected.reverse()
        assert seen == [{"_id": d["_id"], "n": d["n"]} for d in expected]


async def test_projected_pages_in_id_order_after_a_cursor(through: DocumentStore) -> None:
    await through.insert_many("rows", [{"_id": f"r{i:02d}", "at": i, "n": -i} for i in range(7)])
    first = await through.find("rows", {"at": {"$gte": 1}}, limit=3, fields=["n"])
    second = await through.find("rows", {"at": {"$gte": 1}}, limit=3, after=first.next_cursor, fields=["n"])
    assert first.docs == [{"_id": f"r0{i}", "n": -i} for i in (1, 2, 3)]
    assert second.docs == [{"_id": f"r0{i}", "n": -i} for i in (4, 5, 6)]
    assert second.next_cursor is None


async def test_a_projected_page_has_the_cursors_of_a_whole_one(through: DocumentStore) -> None:
    await through.insert_many("rows", [{"_id": f"r{i}", "at": i % 2, "n": i} for i in range(5)])
    whole = await through.find("rows", sort="at", limit=3)
    projected = await through.find("rows", sort="at", limit=3, fields=["n", "at"])
    assert projected.cursors == whole.cursors and projected.next_cursor == whole.next_cursor
    assert projected.docs == [{"_id": d["_id"], "n": d["n"], "at": d["at"]} for d in whole.docs]


@pytest.mark.parametrize("name", ["address.city", "bad name", "x'); DROP TABLE orders; --"])
async def test_a_projection_names_top_level_fields_only(store: DocumentStore, name: str) -> None:
    await store.insert("orders", ORDER)
    with pytest.raises(ValueError):
        await store.find("orders", fields=[name])
    assert await store.count("orders") == 1


async def test_one_name_is_not_taken_for_a_list_of_letters(store: DocumentStore) -> None:
    with pytest.raises(TypeError):
        await store.find("orders", fields="buyerId")

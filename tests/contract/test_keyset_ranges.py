"""Keyset pages of a filter with a range on the sort key itself (an export's [from, to), a desk's placedFrom): every
document in the range once, in order, whatever the bounds (the stores drop a bound the cursor makes redundant)."""

from __future__ import annotations

import pytest

from store.protocol import DocumentStore, Index
from store.sqlite import past_cursor


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize(
    "bounds", [{"$gte": 3, "$lt": 17}, {"$gt": 3, "$lte": 17}, {"$gte": 0}, {"$lt": 9}, {"$gt": 5, "$lt": 6}]
)
async def test_pages_of_a_range_on_the_sort_key_visit_it_once_in_order(
    store: DocumentStore, direction: int, bounds: dict[str, int]
) -> None:
    await store.ensure_index(Index("rows", ("group", "at", "_id")))
    docs = [{"_id": f"r{i:02d}", "group": "g" if i % 7 else "h", "at": i // 2} for i in range(40)]  # ties on `at`
    await store.insert_many("rows", docs)

    def inside(at: int) -> bool:
        checks = {"$gte": at >= bounds.get("$gte", at), "$gt": at > bounds.get("$gt", at - 1)}
        checks |= {"$lte": at <= bounds.get("$lte", at), "$lt": at < bounds.get("$lt", at + 1)}
        return all(checks.values())

    expected = sorted(
        ((d["at"], d["_id"]) for d in docs if d["group"] == "g" and inside(d["at"])), reverse=direction == -1
    )
    seen: list[tuple[int, str]] = []
    after = None
    while True:
        page = await store.find(
            "rows", {"group": "g", "at": bounds}, sort="at", direction=direction, limit=3, after=after
        )  # type: ignore[arg-type]
        seen += [(d["at"], d["_id"]) for d in page.docs]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected


def test_only_a_bound_the_cursor_implies_is_dropped() -> None:
    where = {"g": 1, "at": {"$gte": 3, "$lt": 9}}
    assert past_cursor(where, "at", 1, 5) == {"g": 1, "at": {"$lt": 9}}
    assert past_cursor(where, "at", 1, 3) == {"g": 1, "at": {"$lt": 9}}  # >= 3 is implied by a cursor at 3
    assert past_cursor({"at": {"$gt": 3}}, "at", 1, 3) == {"at": {"$gt": 3}}  # > 3 is not: it drops the ties at 3
    assert past_cursor({"at": {"$gt": 3}}, "at", 1, 4) == {}
    assert past_cursor(where, "at", -1, 5) == {"g": 1, "at": {"$gte": 3}}  # descending: the cursor bounds from above
    assert past_cursor({"at": {"$lte": 9}}, "at", -1, 5) == {}
    assert past_cursor({"at": {"$gte": "a"}}, "at", 1, 5) == {"at": {"$gte": "a"}}  # not comparable: kept
    assert past_cursor({"at": 5}, "at", 1, 5) == {"at": 5}

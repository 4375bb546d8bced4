"""DocumentStore contract: the same assertions on SQLite and on a MongoDB-wire server."""

from __future__ import annotations

import asyncio

import pytest

from store.cursor import BadCursor
from store.protocol import DocumentStore, DuplicateKey, Index
from tests.contract.conftest import is_ferretdb

FERRETDB_NOT_ATOMIC = (
    "FerretDB 1.x answers findAndModify by reading, then writing by _id, so a guarded update is not atomic "
    "under concurrency there; run this against MongoDB >= 6 with MONGO_URL"
)


async def test_insert_then_get_returns_the_document(store: DocumentStore) -> None:
    await store.insert("things", {"_id": "a", "name": "茶", "n": 1, "tags": ["x"]})
    assert await store.get("things", "a") == {"_id": "a", "name": "茶", "n": 1, "tags": ["x"]}
    assert await store.get("things", "missing") is None


async def test_get_many_returns_found_documents_by_id(store: DocumentStore) -> None:
    for i in range(5):
        await store.insert("things", {"_id": f"t{i}", "n": i})
    found = await store.get_many("things", ["t3", "t1", "nope", "t1"])
    assert sorted(found) == ["t1", "t3"]
    assert found["t3"]["n"] == 3


async def test_duplicate_id_is_reported_as_duplicate_key(store: DocumentStore) -> None:
    await store.insert("things", {"_id": "a"})
    with pytest.raises(DuplicateKey):
        await store.insert("things", {"_id": "a"})


async def test_unique_index_conflict_is_reported_as_duplicate_key(store: DocumentStore) -> None:
    await store.ensure_index(Index("users", ("email",), unique=True))
    await store.insert("users", {"_id": "u1", "email": "a@example.com"})
    with pytest.raises(DuplicateKey):
        await store.insert("users", {"_id": "u2", "email": "a@example.com"})
    assert await store.get("users", "u2") is None
    await store.insert("users", {"_id": "u3", "email": "b@example.com"})
    with pytest.raises(DuplicateKey):
        await store.update_one("users", {"_id": "u3"}, {"$set": {"email": "a@example.com"}})
    assert (await store.get("users", "u3") or {})["email"] == "b@example.com"


async def test_compound_unique_index_allows_same_value_under_another_key(store: DocumentStore) -> None:
    await store.ensure_index(Index("keys", ("owner", "key"), unique=True))
    await store.insert("keys", {"_id": "1", "owner": "u1", "key": "k"})
    await store.insert("keys", {"_id": "2", "owner": "u2", "key": "k"})
    with pytest.raises(DuplicateKey):
        await store.insert("keys", {"_id": "3", "owner": "u1", "key": "k"})


async def test_find_filters_by_equality_and_comparisons(store: DocumentStore) -> None:
    for i in range(10):
        await store.insert("items", {"_id": f"i{i}", "shop": "s1" if i % 2 else "s2", "price": i * 10})
    page = await store.find("items", {"shop": "s1", "price": {"$gte": 30, "$lt": 80}}, sort="price")
    assert [d["_id"] for d in page.docs] == ["i3", "i5", "i7"]
    page = await store.find("items", {"_id": {"$in": ["i1", "i2", "zz"]}})
    assert [d["_id"] for d in page.docs] == ["i1", "i2"]
    page = await store.find("items", {"shop": {"$ne": "s1"}, "price": {"$lte": 20}})
    assert [d["_id"] for d in page.docs] == ["i0", "i2"]
    assert await store.count("items", {"shop": "s2"}) == 5


@pytest.mark.parametrize("direction", [1, -1])
async def test_keyset_pagination_visits_every_document_once_in_order(store: DocumentStore, direction: int) -> None:
    await store.ensure_index(Index("posts", ("score",)))
    for i in range(23):
        await store.insert("posts", {"_id": f"p{i:02d}", "score": i % 5})  # many ties on score
    expected = sorted(((i % 5, f"p{i:02d}") for i in range(23)), reverse=direction == -1)
    seen: list[tuple[int, str]] = []
    after = None
    while True:
        page = await store.find("posts", sort="score", direction=direction, limit=4, after=after)  # type: ignore[arg-type]
        seen += [(d["score"], d["_id"]) for d in page.docs]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected


async def test_pagination_is_stable_when_documents_are_inserted_before_the_cursor(store: DocumentStore) -> None:
    for i in range(10):
        await store.insert("feed", {"_id": f"f{i}", "at": 100 + i})
    first = await store.find("feed", sort="at", direction=-1, limit=4)
    assert [d["_id"] for d in first.docs] == ["f9", "f8", "f7", "f6"]
    await store.insert("feed", {"_id": "new", "at": 500})  # newer than everything: lands before the cursor
    second = await store.find("feed", sort="at", direction=-1, limit=4, after=first.next_cursor)
    assert [d["_id"] for d in second.docs] == ["f5", "f4", "f3", "f2"]


async def test_last_page_has_no_cursor(store: DocumentStore) -> None:
    for i in range(3):
        await store.insert("few", {"_id": f"x{i}"})
    page = await store.find("few", limit=3)
    assert len(page.docs) == 3 and page.next_cursor is None


async def test_a_cursor_not_made_by_the_store_is_rejected(store: DocumentStore) -> None:
    with pytest.raises(BadCursor):
        await store.find("few", after="not-a-cursor")


async def test_update_one_applies_set_inc_push_unset(store: DocumentStore) -> None:
    await store.insert("c", {"_id": "a", "n": 1, "gone": True, "log": []})
    after = await store.update_one(
        "c",
        {"_id": "a"},
        {"$set": {"name": "x"}, "$inc": {"n": 2, "fresh": 1}, "$push": {"log": "e1"}, "$unset": {"gone": ""}},
    )
    assert after == {"_id": "a", "n": 3, "fresh": 1, "log": ["e1"], "name": "x"}
    assert await store.get("c", "a") == after


async def test_update_one_returns_none_and_changes_nothing_when_the_guard_fails(store: DocumentStore) -> None:
    await store.insert("stock", {"_id": "sku", "stock": 2, "status": "OPEN"})
    assert await store.update_one("stock", {"_id": "sku", "stock": {"$gte": 3}}, {"$inc": {"stock": -3}}) is None
    assert await store.update_one("stock", {"_id": "sku", "status": "CLOSED"}, {"$set": {"status": "X"}}) is None
    assert await store.get("stock", "sku") == {"_id": "sku", "stock": 2, "status": "OPEN"}
    moved = await store.update_one("stock", {"_id": "sku", "status": "OPEN"}, {"$set": {"status": "CLOSED"}})
    assert moved is not None and moved["status"] == "CLOSED"


async def test_concurrent_guarded_decrements_never_go_below_zero(store: DocumentStore) -> None:
    if await is_ferretdb(store):
        pytest.skip(FERRETDB_NOT_ATOMIC)
    await store.insert("counters", {"_id": "c", "left": 10})

    async def take() -> bool:
        return await store.update_one("counters", {"_id": "c", "left": {"$gte": 1}}, {"$inc": {"left": -1}}) is not None

    results = await asyncio.gather(*(take() for _ in range(50)))
    assert results.count(True) == 10
    assert (await store.get("counters", "c") or {})["left"] == 0


async def test_concurrent_inserts_of_one_unique_key_have_exactly_one_winner(store: DocumentStore) -> None:
    await store.ensure_index(Index("idem", ("key",), unique=True))

    async def claim(i: int) -> bool:
        try:
            await store.insert("idem", {"_id": f"r{i}", "key": "same"})
            return True
        except DuplicateKey:
            return False

    results = await asyncio.gather(*(claim(i) for i in range(20)))
    assert results.count(True) == 1
    assert await store.count("idem") == 1


async def test_delete_removes_once(store: DocumentStore) -> None:
    await store.insert("d", {"_id": "a"})
    assert await store.delete("d", "a") is True
    assert await store.delete("d", "a") is False
    assert await store.get("d", "a") is None


async def test_sqlite_guarded_updates_hold_across_processes(tmp_path: object) -> None:
    """Two SqliteStores on one file stand for two server processes: BEGIN IMMEDIATE keeps the guard exact."""
    from pathlib import Path

    from store.sqlite import SqliteStore

    path = Path(str(tmp_path)) / "shared.sqlite3"
    first, second = SqliteStore(path), SqliteStore(path)
    await first.open()
    await second.open()
    try:
        await first.insert("counters", {"_id": "c", "left": 10})

        async def take(store: SqliteStore) -> bool:
            guard = {"_id": "c", "left": {"$gte": 1}}
            return await store.update_one("counters", guard, {"$inc": {"left": -1}}) is not None

        results = await asyncio.gather(*(take(first if i % 2 else second) for i in range(50)))
        assert results.count(True) == 10
        assert (await second.get("counters", "c") or {})["left"] == 0
    finally:
        await first.close()
        await second.close()


async def test_set_many_sets_fields_on_found_documents_only(store: DocumentStore) -> None:
    for i in range(3):
        await store.insert("users", {"_id": f"u{i}", "name": f"n{i}", "influence": 0.0})
    changed = await store.set_many("users", {"u0": {"influence": 12.5}, "u2": {"influence": 99.0}, "nope": {"x": 1}})
    assert changed == 2
    found = await store.get_many("users", ["u0", "u1", "u2"])
    assert [found[f"u{i}"]["influence"] for i in range(3)] == [12.5, 0.0, 99.0]
    assert found["u0"]["name"] == "n0"
    assert await store.get("users", "nope") is None
    # values already held are not rewritten, and only real changes are counted
    again = {"u0": {"influence": 12.5}, "u1": {"influence": 1.0, "name": "n1"}, "u2": {"influence": 99.0, "tag": None}}
    assert await store.set_many("users", again) == 2
    found = await store.get_many("users", ["u1", "u2"])
    assert found["u1"]["influence"] == 1.0 and found["u2"]["tag"] is None and "tag" in found["u2"]
    assert await store.set_many("users", {"u1": {"flags": ["a", 1], "meta": {"k": "v"}}}) == 1
    assert (await store.get("users", "u1") or {})["flags"] == ["a", 1]


async def test_insert_many_inserts_all_and_reports_a_conflict(store: DocumentStore) -> None:
    await store.insert_many("bulk", [{"_id": f"b{i}", "n": i} for i in range(250)])
    assert await store.count("bulk") == 250
    with pytest.raises(DuplicateKey):
        await store.insert_many("bulk", [{"_id": "new"}, {"_id": "b7"}])
    assert (await store.get("bulk", "b7") or {})["n"] == 7


async def test_increment_creates_once_and_counts_every_caller(store: DocumentStore) -> None:
    import asyncio

    from store.counters import increment

    await asyncio.gather(*(increment(store, "counters", "c1", {"n": 1}, {"kind": "test"}) for _ in range(10)))
    doc = await store.get("counters", "c1")
    assert doc is not None and doc["kind"] == "test"
    if not await is_ferretdb(store):  # FerretDB 1.x applies $inc by reading, then writing
        assert doc["n"] == 10
    assert (await increment(store, "counters", "c1", {"n": 5}, {"kind": "other"}))["kind"] == "test"


async def test_sqlite_checkpoints_its_wal_in_the_background(tmp_path: object) -> None:
    """Single writes never pay for a checkpoint (auto-checkpointing is off); a background connection copies the
    WAL into the database file instead, so the file grows while nobody wrote to it. A big bulk write checkpoints
    and empties the WAL before it returns."""
    from pathlib import Path

    from store import sqlite

    path = Path(str(tmp_path)) / "wal.sqlite3"
    store = sqlite.SqliteStore(path)
    await store.open()
    try:
        before = path.stat().st_size
        for i in range(2000):  # single writes (a bulk write checkpoints what it wrote itself)
            await store.insert("docs", {"_id": f"d{i}", "text": "x" * 500})
        assert path.stat().st_size == before  # all of it still in the WAL
        async with asyncio.timeout(sqlite.CHECKPOINT_SECONDS * 5):
            while path.stat().st_size < before + 1_000_000:  # noqa: ASYNC110 - another thread writes the file
                await asyncio.sleep(0.05)
        assert await store.count("docs") == 2000
        wal = path.with_name(path.name + "-wal")
        await store.insert_many("batch", [{"_id": f"b{i}", "text": "y" * 500} for i in range(500)])
        assert wal.stat().st_size > 0  # a small bulk write (the event writer's) leaves it to the background
        rows = sqlite.BULK_CHECKPOINT_ROWS
        await store.insert_many("more", [{"_id": f"m{i}", "text": "y" * 500} for i in range(rows)])
        assert wal.stat().st_size == 0
    finally:
        await store.close()


async def test_sqlite_bulk_inserts_in_chunks_all_or_nothing(tmp_path: object) -> None:
    """A bulk insert runs one statement per INSERT_CHUNK documents inside one transaction: documents come back as
    they went in, and a conflict in the last chunk leaves none of the earlier chunks written."""
    from pathlib import Path

    from store import sqlite

    store = sqlite.SqliteStore(Path(str(tmp_path)) / "chunks.sqlite3")
    await store.open()
    try:
        rows = sqlite.INSERT_CHUNK + 10
        numbers = [1.0000000000000002, 1e300, 5e-324, -0.0, 2**62]  # kept to the last digit
        docs = [{"_id": f"c{i}", "n": i, "nested": {"list": [i, '文字\u2028\\"', None, *numbers]}} for i in range(rows)]
        await store.insert_many("chunks", docs)
        assert await store.count("chunks") == rows
        assert await store.get("chunks", f"c{rows - 1}") == docs[-1]
        again = [{"_id": f"d{i}"} for i in range(sqlite.INSERT_CHUNK)] + [{"_id": "c3"}]
        with pytest.raises(DuplicateKey):
            await store.insert_many("chunks", again)
        assert await store.get("chunks", "d0") is None
        assert await store.count("chunks") == rows
    finally:
        await store.close()

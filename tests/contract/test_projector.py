"""The outbox projector on every graph backend: documents in, the same graph out, however often applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from graph.projector import Projector, rebuild
from graph.protocol import GraphStore
from store.sqlite import SqliteStore


@pytest.fixture
async def docs(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(tmp_path / "p.sqlite3")
    await store.open()
    yield store
    await store.close()


async def put(store: SqliteStore, collection: str, a: str, b: str) -> None:
    await store.insert(collection, {"_id": f"{a}>{b}", "src": a, "dst": b, "at": 1})
    await store.insert(
        "outbox", {"_id": f"{collection}-{a}-{b}-{id(store)}", "kind": "user_pair", "a": a, "b": b, "done": False}
    )


async def test_follows_become_edges_and_mutual_follows_friends(docs: SqliteStore, graph: GraphStore) -> None:
    await put(docs, "follows", "u1", "u2")
    await put(docs, "follows", "u2", "u1")
    await put(docs, "follows", "u1", "u3")
    await Projector(docs, graph).drain()
    assert await graph.neighbors("FOLLOWS", "u1") == ["u2", "u3"]
    assert await graph.neighbors("FRIEND", "u1") == ["u2"]
    assert await graph.neighbors("FRIEND", "u2") == ["u1"]
    assert await docs.count("outbox", {"done": False}) == 0


async def test_an_unfollow_removes_the_edge_and_the_friendship(docs: SqliteStore, graph: GraphStore) -> None:
    await put(docs, "follows", "u1", "u2")
    await put(docs, "follows", "u2", "u1")
    projector = Projector(docs, graph)
    await projector.drain()
    await docs.delete("follows", "u2>u1")
    await docs.insert("outbox", {"_id": "later", "kind": "user_pair", "a": "u2", "b": "u1", "done": False})
    await projector.drain()
    assert await graph.neighbors("FOLLOWS", "u2") == []
    assert await graph.neighbors("FRIEND", "u1") == []
    assert await graph.neighbors("FOLLOWS", "u1") == ["u2"]


async def test_replaying_events_changes_nothing(docs: SqliteStore, graph: GraphStore) -> None:
    await put(docs, "follows", "u1", "u2")
    await put(docs, "blocks", "u3", "u1")
    projector = Projector(docs, graph)
    await projector.drain()
    for event in (await docs.find("outbox")).docs:  # deliver everything a second time
        await docs.update_one("outbox", {"_id": event["_id"]}, {"$set": {"done": False}})
    await projector.drain()
    assert [e async for b in graph.edges("FOLLOWS") for e in b] == [("u1", "u2")]
    assert await graph.neighbors("BLOCKS", "u3") == ["u1"]


async def test_rebuild_gives_the_same_graph_as_projection(docs: SqliteStore, graph: GraphStore) -> None:
    for a, b in [("u1", "u2"), ("u2", "u1"), ("u2", "u3"), ("u3", "u4"), ("u4", "u3")]:
        await put(docs, "follows", a, b)
    await Projector(docs, graph).drain()
    projected = {rel: sorted([e async for b in graph.edges(rel) for e in b]) for rel in ("FOLLOWS", "FRIEND")}
    await rebuild(docs, graph)
    rebuilt = {rel: sorted([e async for b in graph.edges(rel) for e in b]) for rel in ("FOLLOWS", "FRIEND")}
    assert rebuilt == projected
    assert projected["FRIEND"] == [("u1", "u2"), ("u2", "u1"), ("u3", "u4"), ("u4", "u3")]


async def test_applied_events_are_purged_after_their_time(docs: SqliteStore, graph: GraphStore) -> None:
    from graph.projector import purge_done

    await docs.insert("follows", {"_id": "a>b", "src": "a", "dst": "b", "at": 1})
    await docs.insert("outbox", {"_id": "e1", "kind": "user_pair", "a": "a", "b": "b", "done": False, "at": 1_000})
    await docs.insert("outbox", {"_id": "e2", "kind": "user_pair", "a": "a", "b": "b", "done": False, "at": 5_000})
    await Projector(docs, graph).drain()
    assert await purge_done(docs, older_than_ms=2_000) == 1
    assert [e["_id"] for e in (await docs.find("outbox")).docs] == ["e2"]
    assert await purge_done(docs, older_than_ms=2_000) == 0
    assert await graph.neighbors("FOLLOWS", "a") == ["b"]  # purging history changes nothing in the graph

"""The outbox projector on every graph backend: documents in, the same graph out, however often applied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from graph.projector import Projector, rebuild
from graph.protocol import GraphStore
from store.ids import new_id
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


async def test_a_graph_that_lost_its_data_is_rebuilt_and_caught_up(docs: SqliteStore, graph: GraphStore) -> None:
    # given a projected graph
    for a, b in [("u1", "u2"), ("u2", "u1"), ("u3", "u1")]:
        await put(docs, "follows", a, b)
    projector = Projector(docs, graph)
    assert await projector.ensure_projected() == 5  # a new graph has no stamp: rebuilt (3 follows, a friendship)
    await projector.drain()
    assert await projector.ensure_projected() is None  # stamped: left alone
    # when its server comes back empty, and a follow is made meanwhile
    await graph.clear()
    await put(docs, "follows", "u4", "u1")
    # then the projector sees the stamp is gone, rebuilds, and applies what came after
    assert await projector.ensure_projected() == 6  # four follows, and the friendship in both directions
    await projector.drain()
    assert await graph.neighbors("FOLLOWS", "u1", direction="in") == ["u2", "u3", "u4"]
    assert await graph.neighbors("FRIEND", "u1") == ["u2"]
    assert await graph.stamp() is not None


async def test_an_event_another_process_projected_during_a_rebuild_is_applied_again(docs: SqliteStore) -> None:
    # given a graph without a stamp, and another process that projects an unfollow just after the rebuild read
    # the follows (so the rebuild writes an edge that is no longer true)
    from graph.memory import MemoryGraph

    graph = MemoryGraph()
    await put(docs, "follows", "u1", "u2")
    find = docs.find

    async def racing_find(collection: str, *args: object, **kwargs: object) -> object:
        page = await find(collection, *args, **kwargs)  # type: ignore[arg-type]
        if collection == "follows" and await docs.delete("follows", "u1>u2"):
            await docs.insert("outbox", {"_id": new_id(), "kind": "user_pair", "a": "u1", "b": "u2", "done": True})
        return page

    docs.find = racing_find  # type: ignore[method-assign]
    # when the projector rebuilds
    await Projector(docs, graph).ensure_projected()
    # then the event of the rebuild's time is applied again: the graph has no edge the documents lack
    assert [e async for b in graph.edges("FOLLOWS") for e in b] == []


async def test_the_running_projector_rebuilds_a_graph_that_lost_its_stamp(docs: SqliteStore) -> None:
    from graph.memory import MemoryGraph

    graph = MemoryGraph()
    await put(docs, "follows", "u1", "u2")
    projector = Projector(docs, graph, poll_seconds=0.01, stamp_seconds=0.05)
    await projector.ensure_projected()
    projector.start()
    try:
        await graph.clear()  # lost, with nothing to project: only the stamp check can see it
        async with asyncio.timeout(5):
            while projector.rebuilds < 2:  # noqa: ASYNC110 - the projector's state, polled
                await asyncio.sleep(0.01)
        assert await graph.neighbors("FOLLOWS", "u1") == ["u2"]
    finally:
        await projector.stop()


async def test_per_process_graphs_following_all_see_each_others_events(docs: SqliteStore) -> None:
    """Two worker processes on one store, each with its own memory graph: an event one of them applied (and
    marked done) reaches the other's graph too, once, also when it was written late within the margin."""
    from graph.memory import MemoryGraph

    mine, theirs = MemoryGraph(), MemoryGraph()
    first, second = Projector(docs, mine, follow_all=True), Projector(docs, theirs, follow_all=True)
    await first.ensure_projected()
    await second.ensure_projected()

    async def follow(a: str, b: str, event_id: str) -> None:
        await docs.insert("follows", {"_id": f"{a}>{b}", "src": a, "dst": b, "at": 1})
        await docs.insert("outbox", {"_id": event_id, "kind": "user_pair", "a": a, "b": b, "done": False})

    await follow("u1", "u2", new_id())
    await first.drain()  # applied here and marked done
    assert await docs.count("outbox", {"done": False}) == 0
    await second.drain()
    assert await theirs.neighbors("FOLLOWS", "u1") == ["u2"]
    # an event whose id is a little older than the newest applied (another process committed it late)
    await follow("u3", "u4", new_id())
    await second.drain()
    late = f"{int(new_id()[:12], 16) - 2_000:012x}" + "0" * 10
    await follow("u5", "u6", late)
    await first.drain()
    await second.drain()
    for graph in (mine, theirs):
        assert await graph.neighbors("FOLLOWS", "u3") == ["u4"]
        assert await graph.neighbors("FOLLOWS", "u5") == ["u6"]
    # nothing is applied twice: a drain with nothing new applies nothing
    assert await second.run_once() == 0 and await first.run_once() == 0
    # a projector that does not follow all leaves events another one marked done alone (the shared-graph case)
    shared = MemoryGraph()
    await follow("u7", "u8", new_id())
    await first.drain()
    await Projector(docs, shared).drain()
    assert await shared.neighbors("FOLLOWS", "u7") == []

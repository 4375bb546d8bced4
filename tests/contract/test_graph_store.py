"""GraphStore contract: memory, Neo4j and Gremlin give the same answers."""

from __future__ import annotations

import pytest

from graph.protocol import GraphStore

# a -> b, c, d ; b -> e, f ; c -> e, f, g ; d -> e, a ; e -> a
EDGES = [
    ("a", "b"),
    ("a", "c"),
    ("a", "d"),
    ("b", "e"),
    ("b", "f"),
    ("c", "e"),
    ("c", "f"),
    ("c", "g"),
    ("d", "e"),
    ("d", "a"),
    ("e", "a"),
]


async def load(graph: GraphStore, rel: str = "FOLLOWS") -> None:
    for src, dst in EDGES:
        await graph.add_edge(rel, src, dst)


async def test_add_edge_is_idempotent(graph: GraphStore) -> None:
    await graph.add_edge("FOLLOWS", "u1", "u2")
    await graph.add_edge("FOLLOWS", "u1", "u2")
    assert await graph.neighbors("FOLLOWS", "u1") == ["u2"]
    assert await graph.neighbors("FOLLOWS", "u2", direction="in") == ["u1"]
    assert [e async for batch in graph.edges("FOLLOWS") for e in batch] == [("u1", "u2")]


async def test_remove_edge_is_idempotent_and_leaves_other_edges(graph: GraphStore) -> None:
    await graph.add_edge("FOLLOWS", "u1", "u2")
    await graph.add_edge("FOLLOWS", "u1", "u3")
    await graph.remove_edge("FOLLOWS", "u1", "u2")
    await graph.remove_edge("FOLLOWS", "u1", "u2")
    await graph.remove_edge("FOLLOWS", "nobody", "u2")
    assert await graph.neighbors("FOLLOWS", "u1") == ["u3"]


async def test_relations_are_kept_apart(graph: GraphStore) -> None:
    await graph.add_edge("FOLLOWS", "u1", "u2")
    await graph.add_edge("BLOCKS", "u1", "u3")
    assert await graph.neighbors("FOLLOWS", "u1") == ["u2"]
    assert await graph.neighbors("BLOCKS", "u1") == ["u3"]


async def test_neighbors_in_both_directions_sorted_and_limited(graph: GraphStore) -> None:
    await load(graph)
    assert await graph.neighbors("FOLLOWS", "a") == ["b", "c", "d"]
    assert await graph.neighbors("FOLLOWS", "e", direction="in") == ["b", "c", "d"]
    assert await graph.neighbors("FOLLOWS", "a", limit=2) == ["b", "c"]
    assert await graph.neighbors("FOLLOWS", "nobody") == []


async def test_two_hop_counts_distinct_intermediates_and_excludes_start_and_direct(graph: GraphStore) -> None:
    await load(graph)
    # from a: via b {e,f}, via c {e,f,g}, via d {e,a}; a itself and direct b,c,d are excluded
    assert await graph.two_hop("FOLLOWS", "a") == [("e", 3), ("f", 2), ("g", 1)]
    assert await graph.two_hop("FOLLOWS", "a", limit=2) == [("e", 3), ("f", 2)]
    assert await graph.two_hop("FOLLOWS", "a", exclude=["e"]) == [("f", 2), ("g", 1)]
    assert await graph.two_hop("FOLLOWS", "nobody") == []


async def test_edges_stream_in_batches(graph: GraphStore) -> None:
    await load(graph)
    batches = [batch async for batch in graph.edges("FOLLOWS", batch=4)]
    assert all(len(b) <= 4 for b in batches) and len(batches) >= 3
    assert sorted(e for b in batches for e in b) == sorted(EDGES)


async def test_unknown_relation_is_refused(graph: GraphStore) -> None:
    with pytest.raises(ValueError):
        await graph.add_edge("LOVES) DETACH DELETE (n", "a", "b")


async def test_clear_removes_everything(graph: GraphStore) -> None:
    await load(graph)
    await graph.clear()
    assert [b async for b in graph.edges("FOLLOWS")] == []


async def test_the_stamp_stays_until_the_graph_is_cleared(graph: GraphStore) -> None:
    # given a stamped graph with edges
    assert await graph.stamp() is None
    await load(graph)
    await graph.set_stamp("one")
    await graph.set_stamp("two")
    # then the stamp is the last one set, and it is no node of any relation
    assert await graph.stamp() == "two"
    assert sorted([e async for b in graph.edges("FOLLOWS") for e in b]) == sorted(EDGES)
    # when the graph is cleared (as a server that lost its data comes back), the stamp goes with it
    await graph.clear()
    assert await graph.stamp() is None


async def test_add_edges_in_bulk_is_idempotent_like_add_edge(graph: GraphStore) -> None:
    await graph.add_edges("FOLLOWS", EDGES)
    await graph.add_edges("FOLLOWS", EDGES[:4])
    assert sorted([e async for b in graph.edges("FOLLOWS") for e in b]) == sorted(EDGES)


async def test_bulk_edges_through_one_hub_make_one_vertex_per_id(graph: GraphStore) -> None:
    """Many edges sharing a node, written in bulk (concurrently where the backend does that), must all meet at the
    same node: two vertices for one id would split its edges."""
    spokes = [f"s{i:03d}" for i in range(300)]
    await graph.add_edges("FRIEND", [(s, "hub") for s in spokes] + [("hub", s) for s in spokes])
    found = await graph.two_hop("FRIEND", "s000", limit=1000)
    assert sorted(found) == [(s, 1) for s in spokes[1:]]
    assert len(await graph.neighbors("FRIEND", "hub", limit=1000)) == 300
    await graph.add_edges("BOUGHT", [(s, "p1") for s in spokes[:50]])
    assert len(await graph.neighbors("BOUGHT", "p1", direction="in", limit=1000)) == 50


async def test_neighbor_counts_from_many_starts_both_ways(graph: GraphStore) -> None:
    await graph.add_edges(
        "BOUGHT", [("u1", "p1"), ("u2", "p1"), ("u3", "p1"), ("u1", "p2"), ("u2", "p3"), ("u9", "p4")]
    )
    assert await graph.neighbor_counts("BOUGHT", ["u1", "u2", "u3", "nobody"]) == [("p1", 3), ("p2", 1), ("p3", 1)]
    assert await graph.neighbor_counts("BOUGHT", ["u1", "u2"], limit=2) == [("p1", 2), ("p2", 1)]
    assert await graph.neighbor_counts("BOUGHT", ["p1", "p2"], direction="in") == [("u1", 2), ("u2", 1), ("u3", 1)]
    assert await graph.neighbor_counts("BOUGHT", []) == []

"""Friend suggestions and influence on every graph backend: the same documents give the same answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backends import Backends
from graph.projector import Projector, rebuild
from graph.protocol import GraphStore
from jobs.influence import refresh_influence
from resolvers.services import Services
from resolvers.users import friend_suggestions, new_user
from settings import Settings
from store.sqlite import SqliteStore
from subscriptions.memory import MemoryBus

FRIENDS = [
    ("me", "a"),
    ("me", "b"),
    ("me", "c"),
    ("a", "x"),
    ("b", "x"),
    ("c", "x"),
    ("a", "y"),
    ("b", "y"),
    ("c", "z"),
    ("a", "w"),
    ("x", "q"),
]


@pytest.fixture
async def services(tmp_path: Path, graph: GraphStore) -> AsyncIterator[Services]:
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.open()
    backends = Backends(store, graph, MemoryBus())
    yield Services(Settings(DATA_DIR=tmp_path, DEV_LOGIN=True), backends, Projector(store, graph))
    await store.close()


async def world(services: Services, influence: dict[str, float] | None = None) -> None:
    names = {n for pair in FRIENDS for n in pair} | {"blocked", "followed"}
    for name in sorted(names):
        await services.store.insert(
            "users", {**new_user(name), "_id": name, "influence": (influence or {}).get(name, 0)}
        )
    for a, b in FRIENDS:
        for src, dst in ((a, b), (b, a)):
            await services.store.insert("follows", {"_id": f"{src}>{dst}", "src": src, "dst": dst, "at": 1})
    for a, b in [("x", "blocked"), ("blocked", "x"), ("a", "followed"), ("followed", "a"), ("me", "followed")]:
        await services.store.insert("follows", {"_id": f"{a}>{b}", "src": a, "dst": b, "at": 1})
    await services.store.insert("blocks", {"_id": "blocked>me", "src": "blocked", "dst": "me", "at": 1})
    await rebuild(services.store, services.backends.graph)


async def test_friend_suggestions_are_friends_of_friends_by_mutual_count(services: Services) -> None:
    await world(services, influence={"w": 10.0, "z": 90.0})
    found = [(s.user["_id"], s.mutual_friends) for s in await friend_suggestions(services, "me", 10)]
    # x: via a, b, c; y: via a, b; z and w one each, z first by influence; never me, a friend, a followee or a
    # user who blocked me
    assert found == [("x", 3), ("y", 2), ("z", 1), ("w", 1)]
    assert [(s.user["_id"]) for s in await friend_suggestions(services, "me", 2)] == ["x", "y"]


async def test_influence_ranks_the_most_followed_highest(services: Services) -> None:
    await world(services)
    for fan in ("a", "b", "c", "y", "z", "w", "q"):
        await services.store.insert("follows", {"_id": f"{fan}>celebrity", "src": fan, "dst": "celebrity", "at": 1})
    await services.store.insert("users", {**new_user("celebrity"), "_id": "celebrity"})
    await rebuild(services.store, services.backends.graph)
    run = await refresh_influence(services.store, services.backends.graph)
    users = await services.store.get_many("users", ["celebrity", "x", "q", "blocked"])
    assert users["celebrity"]["influence"] == 100.0
    assert 0 < users["q"]["influence"] < users["x"]["influence"] < 100
    assert run.written == run.users
    again = await refresh_influence(services.store, services.backends.graph)
    assert again.written == 0  # unchanged scores are not rewritten

"""Backend fixtures for the contract suites: each is parametrized over every implementation of its protocol."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from graph.protocol import GraphStore
from store.protocol import DocumentStore
from subscriptions.protocol import Bus


@pytest.fixture(params=["sqlite", "mongo"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DocumentStore]:
    impl: Any
    if request.param == "sqlite":
        from store.sqlite import SqliteStore

        impl = SqliteStore(tmp_path / "store.sqlite3")
    else:
        from store.mongo import MongoStore

        impl = MongoStore(request.getfixturevalue("mongo_url"), f"yxg_test_{uuid.uuid4().hex[:12]}")
    await impl.open()
    try:
        yield impl
    finally:
        await impl.drop_all()
        await impl.close()


async def is_ferretdb(store: DocumentStore) -> bool:
    """FerretDB answers buildInfo with a `ferretdbVersion`; real MongoDB does not."""
    if store.kind != "mongo":
        return False
    info = await store._db.command("buildInfo")  # type: ignore[attr-defined]
    return "ferretdbVersion" in info


@pytest.fixture(params=["memory", "neo4j", "gremlin"])
async def graph(request: pytest.FixtureRequest) -> AsyncIterator[GraphStore]:
    impl: Any
    if request.param == "memory":
        from graph.memory import MemoryGraph

        impl = MemoryGraph()
    elif request.param == "neo4j":
        from graph.neo4j import Neo4jGraph

        impl = Neo4jGraph(request.getfixturevalue("neo4j_url"))
    else:
        from graph.gremlin import GremlinGraph

        impl = GremlinGraph(request.getfixturevalue("gremlin_url"))
    await impl.open()
    await impl.clear()
    try:
        yield impl
    finally:
        await impl.clear()
        await impl.close()


@pytest.fixture(params=["memory", "redis"])
def bus_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_bus(bus_kind: str, request: pytest.FixtureRequest) -> AsyncIterator[Callable[..., Awaitable[Bus]]]:
    """A factory of buses. With Redis each call stands for another server process (its own connection);
    in memory there is one process, so every call returns the same bus."""
    url = request.getfixturevalue("redis_url") if bus_kind == "redis" else ""
    made: list[Bus] = []

    async def make(queue_size: int = 1000) -> Bus:
        impl: Bus
        if bus_kind == "memory":
            from subscriptions.memory import MemoryBus

            if made:
                return made[0]
            impl = MemoryBus(queue_size)
        else:
            from subscriptions.redis import RedisBus

            impl = RedisBus(url, queue_size)
        await impl.open()
        made.append(impl)
        return impl

    yield make
    for impl in made:
        await impl.close()

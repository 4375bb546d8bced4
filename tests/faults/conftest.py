"""Fault tests: the real services, each a private instance of this directory's own (never the session's shared ones,
which other tests use), killed with SIGKILL and restarted on the same port with their data in the middle of a
workload. `pytest tests/faults` runs them alone; with CI=true a service that cannot start fails them.

A test asks for `own_redis`, `own_mongo`, `own_neo4j` or `own_gremlin`: a `Faulty` service, up when the test starts
(a test that killed it and failed is given a restarted one), whose `kill()` and `restart()` are awaited in a
thread so the app under test keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from graph.memory import MemoryGraph
from graph.projector import rebuild
from graph.protocol import RELATIONS, GraphStore
from tests.api.conftest import Api, make_settings
from tests.conftest import CI
from tests.services import ServiceError, ServiceManager

NAMES = ("redis", "mongo", "neo4j", "gremlin")
HERE = Path(__file__).resolve().parent
_manager = ServiceManager(private=True)


def _wanted(item: pytest.Item) -> set[str]:
    names = set(item.fixturenames)
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        names |= {str(v) for v in callspec.params.values()}
    return {n for n in NAMES if f"own_{n}" in names or n in names}


def pytest_collection_finish(session: pytest.Session) -> None:
    # Launched once the selection is final (-k, -m applied), so they boot beside the shared services.
    mine = [item for item in session.items if HERE in Path(str(item.fspath)).parents]
    for name in sorted(set().union(*(_wanted(item) for item in mine)) if mine else set()):
        _manager.start(name)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = _manager.report()
    if lines:
        terminalreporter.section("fault-test services (private, killed and restarted)")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    _manager.stop_all()


@dataclass
class Faulty:
    """One private service the test may crash and bring back."""

    name: str
    url: str

    async def kill(self) -> None:
        """kill -9: no shutdown, no flush."""
        await asyncio.to_thread(_manager.kill, self.name)

    async def restart(self) -> float:
        """Start it again on the same port and data; the seconds until it answered."""
        started = time.monotonic()
        await asyncio.to_thread(_manager.restart, self.name)
        return time.monotonic() - started

    def up(self) -> bool:
        svc = _manager.services[self.name]
        return svc.proc is not None and svc.proc.poll() is None


def _faulty(name: str) -> Faulty:
    try:
        url = _manager.url(name)
    except ServiceError as exc:
        if CI:
            pytest.fail(f"fault-test service {exc}", pytrace=False)
        pytest.skip(f"fault-test service unavailable: {exc}")
    return Faulty(name, url)


def _up(name: str) -> Iterator[Faulty]:
    faulty = _faulty(name)
    if not faulty.up():  # an earlier test killed it and failed before restarting it
        _manager.restart(name)
    yield faulty


@pytest.fixture
def own_redis() -> Iterator[Faulty]:
    yield from _up("redis")


@pytest.fixture
def own_mongo() -> Iterator[Faulty]:
    yield from _up("mongo")


@pytest.fixture
def own_neo4j() -> Iterator[Faulty]:
    yield from _up("neo4j")


@pytest.fixture
def own_gremlin() -> Iterator[Faulty]:
    yield from _up("gremlin")


@pytest.fixture
async def app_on(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Api]]]:
    """Start the app with these settings (the embedded default for the rest); stopped after the test."""
    clients: list[TestClient] = []  # type: ignore[type-arg]

    async def start(**settings: Any) -> Api:
        client = TestClient(TestServer(create_app(make_settings(tmp_path, **settings))))
        await client.start_server()
        clients.append(client)
        return Api(client)

    yield start
    for client in clients:
        await client.close()


async def health(api: Api) -> tuple[int, dict[str, Any]]:
    resp = await api.client.get("/healthz")
    body: dict[str, Any] = await resp.json()
    return resp.status, body


async def eventually(predicate: Callable[[], Awaitable[bool]], seconds: float = 30.0) -> None:
    """Poll until `predicate` holds: what the server does by itself once a service is back."""
    async with asyncio.timeout(seconds):
        while not await predicate():  # noqa: ASYNC110 - the state is in the server, there is no event to wait on
            await asyncio.sleep(0.05)


async def edges(graph: GraphStore) -> dict[str, set[tuple[str, str]]]:
    return {rel: {e async for batch in graph.edges(rel) for e in batch} for rel in RELATIONS}


async def rebuilt_edges(api: Api) -> dict[str, set[tuple[str, str]]]:
    """The edges a fresh rebuild from the documents makes (in memory, beside the graph under test)."""
    fresh = MemoryGraph()
    await rebuild(api.services.store, fresh)
    return await edges(fresh)

"""Test-wide fixtures: the real services (started on demand, in parallel, stopped at the end)."""

from __future__ import annotations

import os

import pytest

from tests.services import ServiceError, ServiceManager

SERVICES = ("mongo", "redis", "neo4j", "gremlin")
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_manager = ServiceManager()


def _wanted(item: pytest.Item) -> set[str]:
    names = set(item.fixturenames)
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        names |= {str(v) for v in callspec.params.values()}
    return {s for s in SERVICES if s in names or f"{s}_url" in names}


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    # Launch every service some selected test needs now, so they boot side by side.
    wanted = set().union(*(_wanted(item) for item in items)) if items else set()
    for name in SERVICES:
        if name in wanted:
            _manager.start(name)


def service_url(name: str) -> str:
    """The URL of a running service; with CI=true a service that cannot start fails the test, else skips it."""
    try:
        return _manager.url(name)
    except ServiceError as exc:
        if CI:
            pytest.fail(f"test service {exc}", pytrace=False)
        pytest.skip(f"test service unavailable: {exc}")


@pytest.fixture(scope="session")
def mongo_url() -> str:
    return service_url("mongo")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return service_url("redis")


@pytest.fixture(scope="session")
def neo4j_url() -> str:
    return service_url("neo4j")


@pytest.fixture(scope="session")
def gremlin_url() -> str:
    return service_url("gremlin")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = _manager.report()
    if lines:
        terminalreporter.section("test services")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    # terminal summary runs after sessionfinish in pytest's order, so keep the report data; only stop processes.
    _manager.stop_all()

"""Prometheus metrics at /metrics (prometheus-client), one registry per app. The names, all prefixed `yxg_`:

http_requests_total{route,method,status}        requests answered, by route pattern (not by raw path)
http_request_duration_seconds{route}            their latency
graphql_operations_total{operation,type}        operations executed, by operation name (see `operation_label`)
graphql_operation_duration_seconds{operation}   their latency
graphql_errors_total{code}                      errors in responses, by `extensions.code`
websockets_open, subscriptions_active           sockets and subscriptions of this process now
live_rooms_watched, live_viewers                live rooms with viewers here, and their viewers here
projector_lag_events                            outbox events not yet in the graph (read when scraped)
job_runs_total{job,outcome}, job_duration_seconds{job}   the sweep, influence refresh, ...
store_call_duration_seconds{method}             document store calls (get, find, update_one, ...)
graph_call_duration_seconds{method}             graph store calls
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

PREFIX = "yxg_"
NAMED = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_NAMES = 500  # distinct operation names kept as labels; any more count as "other"
LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.http_requests = Counter(
            PREFIX + "http_requests", "HTTP requests answered", ["route", "method", "status"], registry=registry
        )
        self.http_seconds = Histogram(
            PREFIX + "http_request_duration_seconds", "HTTP latency", ["route"], buckets=LATENCY, registry=registry
        )
        self.operations = Counter(
            PREFIX + "graphql_operations", "GraphQL operations executed", ["operation", "type"], registry=registry
        )
        self.operation_seconds = Histogram(
            PREFIX + "graphql_operation_duration_seconds",
            "GraphQL operation latency",
            ["operation"],
            buckets=LATENCY,
            registry=registry,
        )
        self.errors = Counter(PREFIX + "graphql_errors", "GraphQL errors by code", ["code"], registry=registry)
        self.job_runs = Counter(PREFIX + "job_runs", "Job runs", ["job", "outcome"], registry=registry)
        self.job_seconds = Histogram(
            PREFIX + "job_duration_seconds", "Job run time", ["job"], buckets=LATENCY, registry=registry
        )
        self.store_seconds = Histogram(
            PREFIX + "store_call_duration_seconds",
            "Document store calls",
            ["method"],
            buckets=LATENCY,
            registry=registry,
        )
        self.graph_seconds = Histogram(
            PREFIX + "graph_call_duration_seconds", "Graph store calls", ["method"], buckets=LATENCY, registry=registry
        )
        self._names: set[str] = set()
        self._scraped: list[Callable[[], Awaitable[None]]] = []
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}

    def child(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, remembered: prometheus-client looks a child up under a lock at every call, and
        every request asks for four (the label values are bounded: routes, codes, MAX_OPERATION_NAMES)."""
        key = (id(metric), labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found

    def operation_label(self, name: str | None) -> str:
        """A client names its operations: a sane name is its label, up to MAX_OPERATION_NAMES of them (a client
        cannot grow the registry without bound); anonymous operations are "anonymous", the rest "other"."""
        if not name:
            return "anonymous"
        if name in self._names:
            return name
        if NAMED.fullmatch(name) and len(self._names) < MAX_OPERATION_NAMES:
            self._names.add(name)
            return name
        return "other"

    def gauge(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        """A gauge read when scraped."""
        Gauge(PREFIX + name, documentation, registry=self.registry).set_function(read)

    def on_scrape(self, refresh: Callable[[], Awaitable[None]]) -> None:
        """An async refresh run before each scrape (a figure that needs a read, like the projector's lag)."""
        self._scraped.append(refresh)

    async def exposition(self) -> bytes:
        for refresh in self._scraped:
            await refresh()
        return generate_latest(self.registry)


class Lag(Collector):
    """A gauge set by an async read at scrape time."""

    def __init__(self, name: str, documentation: str) -> None:
        self.name, self.documentation, self.value = PREFIX + name, documentation, 0.0

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(self.name, self.documentation, value=self.value)


def route_of(request: web.Request) -> str:
    """The route's pattern (`/media/{name}`), so ids in paths do not become labels; unmatched paths are one."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def middleware(metrics: Metrics) -> Any:
    """Requests and their latency by route (an aiohttp middleware)."""

    @web.middleware
    async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            route = route_of(request)
            metrics.child(metrics.http_requests, route, request.method, str(status)).inc()
            metrics.child(metrics.http_seconds, route).observe(time.perf_counter() - started)

    return measure


async def handler(request: web.Request, metrics: Metrics) -> web.Response:
    return web.Response(body=await metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})


class Timed:
    """A store or graph whose coroutine methods are timed into `histogram` by method name."""

    def __init__(self, inner: Any, histogram: Histogram) -> None:
        self._inner = inner
        self._histogram = histogram
        self._observers: dict[str, Callable[[float], None]] = {}  # per method: labels() takes a lock each call

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr) or name.startswith("_"):
            return attr
        observe = self._observers.get(name)
        if observe is None:
            observe = self._observers[name] = self._histogram.labels(name).observe

        def timed(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if not hasattr(result, "__await__"):
                return result if not hasattr(result, "__aiter__") else _timed_iter(result, observe)
            return _timed(result, observe)

        return timed


async def _timed(awaitable: Awaitable[Any], observe: Callable[[float], None]) -> Any:
    started = time.perf_counter()
    try:
        return await awaitable
    finally:
        observe(time.perf_counter() - started)


async def _timed_iter(iterator: Any, observe: Callable[[float], None]) -> AsyncIterator[Any]:
    started = time.perf_counter()
    try:
        async for item in iterator:
            yield item
    finally:
        observe(time.perf_counter() - started)


def unwrapped(backend: Any) -> Any:
    """The store or graph behind its proxies (Timed here, the response cache's Watched): for tests that look at the
    SQLite file itself."""
    while "_inner" in getattr(backend, "__dict__", {}):  # a proxy keeps what it wraps as `_inner`
        backend = backend._inner
    return backend

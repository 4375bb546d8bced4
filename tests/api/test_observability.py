"""Issue 20, metrics and request ids: /metrics in Prometheus's text format with the documented names, the
operation-name label bounded, and a request id in the response header, in `extensions.requestId` and in the log
lines written while the request is handled."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from app import METRICS, create_app
from observability.metrics import MAX_OPERATION_NAMES
from observability.request_ids import RequestIdFilter
from tests.api.conftest import Api, make_settings
from tests.api.test_live import connect


@pytest.fixture
async def observed(tmp_path: Path) -> AsyncIterator[Api]:
    async with TestClient(TestServer(create_app(make_settings(tmp_path, SWEEP_SECONDS=0.05)))) as client:
        yield Api(client)


async def scrape(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    resp = await api.client.get("/metrics")
    assert resp.status == 200 and resp.content_type == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(await resp.text())
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_requests_operations_errors_store_calls_and_jobs(observed: Api) -> None:
    await observed.login("指标用户")
    await observed.gql("query ShopList { products(first: 5) { edges { node { id } } } }")
    await observed.gql('query BadId { node(id: "garbage") { id } }', expect_errors=True)
    await asyncio.sleep(0.3)  # a few sweeps
    samples = await scrape(observed)
    assert value(samples, "yxg_http_requests_total", route="/graphql", method="POST", status="200") >= 3
    assert value(samples, "yxg_graphql_operations_total", operation="ShopList", type="query") == 1
    assert value(samples, "yxg_graphql_operations_total", operation="anonymous", type="mutation") == 1  # the login
    assert value(samples, "yxg_graphql_errors_total", code="INVALID_INPUT") == 1
    assert value(samples, "yxg_graphql_operation_duration_seconds_count", operation="ShopList") == 1
    assert value(samples, "yxg_store_call_duration_seconds_count", method="find") >= 1
    assert value(samples, "yxg_job_runs_total", job="sweep", outcome="ok") >= 1
    assert ("yxg_projector_lag_events", ()) in samples
    # an unknown path counts under its route's pattern (the web app's catch-all page route), never under the path
    await observed.client.get("/no/such/thing/123")
    samples = await scrape(observed)
    routes = {dict(labels).get("route") for name, labels in samples if name == "yxg_http_requests_total"}
    assert "/no/such/thing/123" not in routes
    assert value(samples, "yxg_http_requests_total", route="/{tail}", method="GET", status="404") == 1


async def test_sockets_and_subscriptions_are_gauged(observed: Api) -> None:
    token, _ = await observed.login("订阅用户")
    viewer = await connect(observed.client, token)
    await viewer.subscribe("1", "subscription { feedUpdates { __typename } }")
    await asyncio.sleep(0.2)
    samples = await scrape(observed)
    assert value(samples, "yxg_websockets_open") == 1
    assert value(samples, "yxg_subscriptions_active") == 1
    await viewer.ws.close()
    await asyncio.sleep(0.2)
    assert value(await scrape(observed), "yxg_websockets_open") == 0


async def test_operation_names_cannot_grow_the_registry_without_bound(observed: Api) -> None:
    metrics = observed.client.app[METRICS]  # type: ignore[index]
    labels = {metrics.operation_label(f"Op{i}") for i in range(MAX_OPERATION_NAMES + 100)}
    assert len(labels) == MAX_OPERATION_NAMES + 1 and "other" in labels
    assert metrics.operation_label("not a name!") == "other"
    assert metrics.operation_label(None) == "anonymous"


async def test_every_response_carries_a_request_id_and_so_do_its_log_lines(
    observed: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    # a sane id from a proxy is kept; it is in the header, in extensions and in what was logged meanwhile
    resp = await observed.client.post(
        "/graphql", json={"query": '{ node(id: "garbage") { id } }'}, headers={"X-Request-Id": "edge-42.a"}
    )
    body = await resp.json()
    assert resp.headers["X-Request-Id"] == "edge-42.a"
    assert body["extensions"]["requestId"] == "edge-42.a"
    logged = [r for r in caplog.records if "INVALID_INPUT" in r.getMessage()]
    assert logged and all(getattr(r, "request_id", None) == "edge-42.a" for r in logged)
    # an insane one is replaced; without one, one is made; errors answered by the middleware carry one too
    resp = await observed.client.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "x" * 65})
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-Id"])
    assert (await resp.json())["extensions"]["requestId"] == resp.headers["X-Request-Id"]
    resp = await observed.client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": "Bearer x"}
    )
    assert resp.status == 401 and re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-Id"])
    resp = await observed.client.get("/nowhere")
    assert resp.status == 404 and "X-Request-Id" in resp.headers

"""Issue 20, traces: with OTLP_ENDPOINT set, each request is a span (with its request id) and its GraphQL operation
spans under it, sent over OTLP/HTTP — here to a local collector that decodes the protobuf OTLP really sends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from app import SCHEMA, TRACER, create_app
from schema import schema
from tests.api.conftest import Api, make_settings


class Collector:
    """An OTLP/HTTP trace receiver: POST /v1/traces with an ExportTraceServiceRequest."""

    def __init__(self) -> None:
        self.spans: list[Any] = []

    async def traces(self, request: web.Request) -> web.Response:
        assert request.content_type == "application/x-protobuf"
        message = ExportTraceServiceRequest.FromString(await request.read())
        for resource in message.resource_spans:
            for scope in resource.scope_spans:
                self.spans.extend(scope.spans)
        return web.Response(body=b"", content_type="application/x-protobuf")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/traces", self.traces)
        return app


@pytest.fixture
async def traced(tmp_path: Path) -> AsyncIterator[tuple[Api, Collector]]:
    collector = Collector()
    async with TestServer(collector.app()) as receiver:
        settings = make_settings(tmp_path, OTLP_ENDPOINT=str(receiver.make_url("")))
        async with TestClient(TestServer(create_app(settings))) as client:
            yield Api(client), collector


def attributes(span: Any) -> dict[str, Any]:
    return {a.key: a.value.string_value or a.value.int_value for a in span.attributes}


async def test_a_request_and_its_operation_are_traced_with_the_request_id(traced: tuple[Api, Collector]) -> None:
    api, collector = traced
    resp = await api.client.post(
        "/graphql",
        json={"query": "query Front { products(first: 2) { edges { node { id } } } }"},
        headers={"X-Request-Id": "trace-me-1"},
    )
    assert resp.status == 200
    await asyncio.to_thread(api.client.app[TRACER].force_flush)  # type: ignore[index]  # the exporter's thread posts
    names = [s.name for s in collector.spans]
    http = [s for s in collector.spans if attributes(s).get("yxg.request_id") == "trace-me-1"]
    assert len(http) == 1, names
    operation = [s for s in collector.spans if s.name.startswith("GraphQL Query")]
    assert operation and operation[0].trace_id == http[0].trace_id, names  # one trace: the request's
    assert any(s.name == "GraphQL Parsing" for s in collector.spans), names


async def test_without_an_endpoint_nothing_is_traced(api: Api) -> None:
    app = api.client.app
    assert TRACER not in app  # type: ignore[operator]
    assert app[SCHEMA] is schema  # type: ignore[index]  # the schema without the tracing extension

"""OpenTelemetry traces, when an OTLP endpoint is configured (`OTLP_ENDPOINT`, e.g. http://collector:4318): a span
per HTTP request (its route, method and status; a W3C `traceparent` from a proxy continues its trace) with the
request id as `yxg.request_id`, and under it strawberry's spans of the GraphQL operation (parse, validate, each
resolver). Sent in batches over OTLP/HTTP. (opentelemetry-instrumentation-aiohttp-server's middleware works only
once its instrumentor has patched aiohttp for the whole process; this one is the app's own, with the app's
provider, so two apps in one process — the tests — do not share one.)
Without the setting nothing is traced and nothing costs: the schema runs without the tracing extension."""

from __future__ import annotations

from functools import partial
from typing import Any

from aiohttp import web
from opentelemetry import propagate
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from strawberry.extensions.tracing import OpenTelemetryExtension

from observability.metrics import Handler, route_of
from settings import Settings


def provider(settings: Settings) -> TracerProvider | None:
    if not settings.OTLP_ENDPOINT:
        return None
    made = TracerProvider(resource=Resource.create({"service.name": settings.OTEL_SERVICE_NAME}))
    endpoint = settings.OTLP_ENDPOINT.rstrip("/") + "/v1/traces"
    made.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint, timeout=5)))
    return made


def middleware(tracer_provider: TracerProvider) -> Any:
    tracer = tracer_provider.get_tracer("youxianggou.http")

    @web.middleware
    async def trace_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = route_of(request)
        with tracer.start_as_current_span(
            f"{request.method} {route}",
            context=propagate.extract(request.headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method, "http.route": route, "url.path": request.path},
        ) as span:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                span.set_attribute("http.response.status_code", exc.status)
                raise
            span.set_attribute("http.response.status_code", response.status)
            if response.status >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response

    return trace_request


def schema_extension(tracer_provider: TracerProvider) -> Any:
    return partial(OpenTelemetryExtension, tracer_provider=tracer_provider)

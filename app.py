"""The aiohttp application: the one place where everything is wired together (backends, projector, GraphQL)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

import http_errors
import response_cache
import web_client
from backends import UNAVAILABLE as BACKEND_DOWN
from backends import open_backends
from domain import events as event_names
from domain.tokens import AccessClaims, InvalidToken
from graph.projector import Projector
from graph.projector_lease import RedisLease
from graphql_http import GRAPHQL_RESPONSE, GraphQLOverHTTP
from integrations.media import MEDIA_PREFIX, MediaStore, media_handler
from integrations.uploads import SPOOL, UploadRefused, UploadSpool, read_multipart, remove_stale
from integrations.wechat_codes import WechatCodes
from integrations.wechat_login import WechatLogin
from integrations.wechat_pay import TransferScene, WechatPayClient
from integrations.wechat_shipping import WechatShipping
from integrations.wechat_token import AccessToken
from jobs.creators import refresh_creators
from jobs.influence import refresh_influence
from jobs.runner import Job, JobRunner
from jobs.sweep import sweep
from observability import metrics as metrics_http
from observability import tracing
from observability.metrics import PREFIX, Lag, Metrics, Timed
from observability.request_ids import request_ids
from resolvers import aggregates as aggregates_uc
from resolvers import auth as auth_uc
from resolvers import dashboards as dashboards_uc
from resolvers import data_export as data_export_uc
from resolvers import events as events_uc
from resolvers import live as live_uc
from resolvers import order_export
from resolvers import social as social_uc
from resolvers.payments import WebhookRefused, handle_wechat_notification
from resolvers.ratelimit import MemoryLimiter, RedisLimiter
from resolvers.segments import refresh_due as refresh_segments
from resolvers.services import Services
from resolvers.users import claim_legacy_nicknames
from response_cache import ResponseCache
from schema import SHORTCUTS as SHORTCUT_LIST
from schema import build, schema
from schema.context import Context
from schema.engine import ApiSchema
from schema.public_fields import PUBLIC
from schema.shortcuts import Shortcuts
from settings import Settings
from store.collections import ensure_indexes
from store.ids import new_id
from subscriptions.live import LiveHub, RedisViewerCounts, ViewerCounts
from subscriptions.sessions import (
    TOO_MANY_SOCKETS_CODE,
    RedisSocketCounts,
    Sessions,
    SocketCounts,
    address_client,
    user_client,
)
from subscriptions.transport import TransportWSHandler
from trusted_documents import TrustedDocuments, manifest_paths

log = logging.getLogger("youxianggou")
SERVICES = web.AppKey("services", Services)
SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
SCHEMA = web.AppKey("schema", ApiSchema)  # the app's: with tracing when OTLP_ENDPOINT is set
TRACER = web.AppKey("tracer", TracerProvider)
SHORTCUTS = web.AppKey("shortcuts", Shortcuts)  # mutations answered before the engine (schema/shortcuts.py)
RESPONSE_CACHE = web.AppKey("response_cache", ResponseCache)  # public queries' answers (response_cache.py)
TRY_AGAIN_LATER_CODE = 1013  # RFC 6455's "Try Again Later": a WebSocket refused while a backend is down
CONTEXT = web.RequestKey("context", Context)  # the request's GraphQL context, released when the request is done


_error_body = http_errors.error_body
_json_error = http_errors.json_error


async def viewer_from_header(context: Context, header: str | None, *, prime: bool = True) -> AccessClaims | None:
    """The claims of a `Bearer <jwt>` header; None without one; InvalidToken for a bad, expired or revoked token
    or one whose user does not exist. `prime`: look the user up through the request's loader (which keeps it)."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("expected 'Bearer <token>'")
    return await auth_uc.authenticate(context.services, token.strip(), context.loaders if prime else None)


def client_address(request: web.Request, trust_forwarded_for: bool) -> str:
    """Who an anonymous socket counts against: the TCP peer, or behind a trusted proxy the address it appended."""
    if trust_forwarded_for:
        last = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.remote or "unknown"


class View(GraphQLOverHTTP, GraphQLView[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        return web_client.graphiql_page(request.app[SETTINGS])

    async def create_websocket_response(self, request: web.Request, subprotocol: str | None) -> web.WebSocketResponse:
        # No permessage-deflate: a live room's frames are encoded once and written as they are to every viewer.
        ws = web.WebSocketResponse(protocols=[subprotocol] if subprotocol else [], compress=False)
        await ws.prepare(request)
        return ws

    def encode_json(self, data: object) -> str:
        return orjson.dumps(data).decode()  # text: WebSocket frames of graphql-transport-ws are text

    def create_response(self, response_data: Any, sub_response: web.Response) -> web.Response:
        if http_errors.nothing_answered(response_data):  # a backend is down: 503, try again later
            sub_response.set_status(503)
            sub_response.headers["Retry-After"] = str(http_errors.RETRY_AFTER_SECONDS)
        response = super().create_response(response_data, sub_response)
        response[response_cache.HAD_ERRORS] = not isinstance(response_data, dict) or bool(response_data.get("errors"))
        return response

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> Any:
        """Uploads stream to disk (integrations/uploads.py) instead of strawberry's whole-body read."""
        raw: web.Request = request.request  # type: ignore[attr-defined]  # the aiohttp adapter's request
        return await read_multipart(raw, raw[SPOOL])

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> Any:
        # strawberry reads fields of whatever JSON the body is: a body that is not an object (or a list, a batch,
        # which strawberry refuses) is the client's mistake. The first character of a JSON text says which it is.
        if request.method == "POST" and "application/json" in (request.content_type or ""):
            if (await request.get_body()).lstrip()[:1] not in (b"{", b"["):
                raise HTTPException(400, 'The body must be a JSON object: {"query": ..., "variables": {...}}')
        return await super().parse_http_body(request)  # multipart shapes are checked by read_multipart

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        shortcuts = request.app.get(SHORTCUTS)
        if shortcuts is not None:
            answered = await shortcuts.answer(request, lambda: self.http_context(request, None))
            if answered is not None:
                return answered
        cache = request.app.get(RESPONSE_CACHE)
        key = response_cache.public_key(cache, request, self.trusted) if cache is not None else None
        if cache is not None and key is not None:
            return await response_cache.answer(cache, request, key, lambda: self._answer(request))
        return await self._answer(request)

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        try:
            response = await super().__call__(request)
            context = request.get(CONTEXT)
            if context is not None and context.etag is not None and response.status == 200:
                return conditional(request, response, context.etag)
            return response
        finally:
            # graphql-core's executor is a reference cycle that only the cyclic GC frees; let go of what the
            # context holds (the request, the response, the loaders' documents) so refcounting frees those now.
            context = request.get(CONTEXT)
            if context is not None:
                context.release()

    async def get_context(self, request: web.Request, response: Any) -> Context:
        if self.is_websocket_request(request):  # its viewer comes with connection_init (on_ws_connect)
            context = request[CONTEXT] = Context(request.app[SERVICES], request=request, response=response)
            return context
        return await self.http_context(request, response)

    async def http_context(self, request: web.Request, response: Any) -> Context:
        """The context of an HTTP request, its viewer read from the Authorization header (401 for a bad token)."""
        context = request[CONTEXT] = Context(request.app[SERVICES], request=request, response=response)
        try:
            claims = await viewer_from_header(context, request.headers.get("Authorization"))
        except InvalidToken:
            raise web.HTTPUnauthorized(
                text=_error_body("Invalid or expired access token", "UNAUTHENTICATED").decode(),
                content_type="application/json",
            ) from None
        context.viewer_id = claims.user_id if claims is not None else None
        return context

    async def on_ws_connect(self, context: Context) -> Any:
        """Subscriptions carry the token in the connection_init payload: {"authorization": "Bearer ..."}.
        A bad token closes the socket with 4403; a client over its socket cap, with 4429."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        services, ws = context.services, context.response

        async def close(code: int, reason: str) -> None:
            await ws.close(code=code, message=reason.encode())

        try:
            claims = await viewer_from_header(context, header if isinstance(header, str) else None, prime=False)
        except InvalidToken:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"}) from None
        except BACKEND_DOWN:  # the store cannot say who this is: 1013 Try Again Later (clients reconnect)
            await close(TRY_AGAIN_LATER_CODE, "A backend is unavailable; reconnect shortly")
            raise ConnectionRejectionError({"code": "UNAVAILABLE"}) from None

        if claims is None:
            client = address_client(client_address(context.request, services.settings.TRUST_FORWARDED_FOR))
            session = await services.sessions.open(client, None, None, close)
        else:
            context.viewer_id = claims.user_id
            session = await services.sessions.open(user_client(claims.user_id), claims.family, claims.expires_at, close)
        if session is None:
            await close(TOO_MANY_SOCKETS_CODE, "Too many connections for this client")
            raise ConnectionRejectionError({"code": "TOO_MANY_CONNECTIONS"})
        context.session = session
        return await super().on_ws_connect(context)


# A response with an ETag is the viewer's (coupons claimed, recommendations): kept by their client only, and checked
# again before each use; a GET that names the ETag again in If-None-Match gets 304 and no body.
CONDITIONAL_HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Authorization"}


def conditional(request: web.Request, response: web.StreamResponse, etag: str) -> web.StreamResponse:
    """ETag from the one field that answers the whole response (schema/conditional.py); 304 for a GET that has it."""
    if request.method == "GET" and any(t.value in (etag, "*") for t in request.if_none_match or ()):
        response = web.Response(status=304)
    response.etag = etag
    response.headers.update(CONDITIONAL_HEADERS)
    return response


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JSON_TYPES = ("application/json", GRAPHQL_RESPONSE)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown routes, malformed requests and anything unexpected answer JSON with a code, never a trace."""
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        return _json_error(404, f"No route {request.path}; the API is at /graphql", "NOT_FOUND")
    except web.HTTPMethodNotAllowed as exc:
        return _json_error(
            405, f"{request.method} is not allowed here ({', '.join(exc.allowed_methods)})", "METHOD_NOT_ALLOWED"
        )
    except RequestPayloadError:
        return _json_error(400, "The request body could not be read (its encoding or chunks are broken)", "BAD_REQUEST")
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type in JSON_TYPES:
            raise
        return http_errors.as_json(exc)  # e.g. 413 for a body over the limit
    except BACKEND_DOWN as exc:  # e.g. the store, asked who a token's user is, before any GraphQL ran
        log.warning("%s %s: %s is unavailable: %s", request.method, request.path, exc.backend, exc)
        return http_errors.unavailable()
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _json_error(500, "Internal server error", "INTERNAL_SERVER_ERROR")
    if response.status >= 400 and isinstance(response, web.Response) and response.content_type not in JSON_TYPES:
        return http_errors.as_json(response)  # strawberry's text answers (400, 404 without GraphiQL)
    return response


@web.middleware
async def upload_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """GraphQL multipart requests (uploads) get their own budget, UPLOAD_MAX_BYTES of files streamed to disk;
    every other body stays within the app's client_max_size (REQUEST_MAX_BYTES)."""
    if request.path != "/graphql" or request.method != "POST" or request.content_type != "multipart/form-data":
        return await handler(request)
    settings = request.app[SETTINGS]
    limit = settings.UPLOAD_MAX_BYTES + settings.REQUEST_MAX_BYTES
    if request.content_length is not None and request.content_length > limit:
        mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        return _json_error(413, f"An upload is at most {mb} MB", "PAYLOAD_TOO_LARGE")
    signed_in = bool(request.headers.get("Authorization"))  # a bad token is refused before the body is read
    spool = request[SPOOL] = UploadSpool(
        settings.DATA_DIR / "uploads", settings.UPLOAD_MAX_BYTES, settings.REQUEST_MAX_BYTES, signed_in
    )
    try:
        return await handler(request)
    except UploadRefused as exc:
        return _json_error(exc.status, exc.message, exc.code)
    finally:
        await spool.close()


async def metrics_endpoint(request: web.Request) -> web.Response:
    return await metrics_http.handler(request, request.app[METRICS])


async def healthz(request: web.Request) -> web.Response:
    report = await request.app[SERVICES].backends.health()
    ok = all(b["status"] == "ok" for b in report.values())
    return web.Response(
        status=200 if ok else 503,
        content_type="application/json",
        body=orjson.dumps({"status": "ok" if ok else "degraded", **report}),
    )


def observe(metrics: Metrics, backends: Any) -> None:
    """Time every store and graph call (observability/metrics.py's Timed proxies)."""
    backends.store = Timed(backends.store, metrics.store_seconds)
    backends.graph = Timed(backends.graph, metrics.graph_seconds)


def gauges(metrics: Metrics, services: Services) -> None:
    sessions, live = services.sessions, services.live
    metrics.gauge("websockets_open", "WebSockets open in this process", lambda: sessions.open_count())
    metrics.gauge("subscriptions_active", "Subscriptions running in this process", TransportWSHandler.running)
    metrics.gauge("live_rooms_watched", "Live rooms with viewers in this process", lambda: len(live.rooms))
    metrics.gauge(
        "live_viewers", "Live viewers in this process", lambda: sum(len(r.viewers) for r in live.rooms.values())
    )
    metrics.registry.register(EventCounts(services))
    lag = Lag("projector_lag_events", "Outbox events not yet projected into the graph")
    metrics.registry.register(lag)

    async def read_lag() -> None:
        lag.value = await services.store.count("outbox", {"done": False})

    metrics.on_scrape(read_lag)


class EventCounts(Collector):
    """The event writer's counters: written, and dropped because its buffer was full."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[CounterMetricFamily]:
        writer = self.services.events
        for name, value, doc in (
            ("events_written", writer.written if writer else 0, "Events written to the event stream"),
            ("events_dropped", writer.dropped if writer else 0, "Events dropped because the buffer was full"),
        ):
            yield CounterMetricFamily(PREFIX + name, doc, value=value)


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    backends = await open_backends(settings)
    cache = app.get(RESPONSE_CACHE)
    if cache is not None:
        backends.store = cache.watch(backends.store)  # every write invalidates what read its collection
    observe(app[METRICS], backends)
    per_process_graph = backends.graph.kind == "memory" and settings.WORKERS > 1
    shared_graph = backends.graph.kind != "memory" and backends.bus.kind == "redis"  # other processes may write it
    projector = Projector(
        backends.store,
        backends.graph,
        settings.PROJECTOR_POLL_SECONDS,
        follow_all=per_process_graph,
        lease=RedisLease(backends.bus.redis) if shared_graph else None,  # type: ignore[attr-defined]
    )
    http = aiohttp.ClientSession()
    wechat = shipping = codes = None
    if settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET:
        wechat = WechatLogin(http, settings.WECHAT_API_BASE, settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET)
        tokens = AccessToken(http, settings.WECHAT_API_BASE, settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET)
        shipping = WechatShipping(http, settings.WECHAT_API_BASE, tokens)
        codes = WechatCodes(http, settings.WECHAT_API_BASE, tokens, settings.WECHAT_CODE_ENV_VERSION)
    media = MediaStore(settings.DATA_DIR / "media")
    services = Services(settings, backends, projector, wechat, wechat_pay(settings), media=media, metrics=app[METRICS])
    services.wechat_shipping = shipping
    services.wechat_codes, services.http = codes, http
    services.events = events_uc.EventWriter(
        backends.store,
        batch=settings.EVENTS_BATCH,
        limit=settings.EVENTS_BUFFER_MAX,
        tick_seconds=settings.EVENTS_FLUSH_SECONDS,
        enabled=settings.EVENTS_ENABLED,
        on_flush=lambda docs: aggregates_uc.mark(backends.store, docs),
    )
    services.limiter, services.live = live_services(services, app[SCHEMA])
    services.sessions = Sessions(
        backends.bus,
        per_user=settings.WS_MAX_SOCKETS_PER_USER,
        per_address=settings.WS_MAX_SOCKETS_PER_ADDRESS,
        token_seconds=settings.ACCESS_TOKEN_MINUTES * 60,
        counts=RedisSocketCounts(services.redis) if services.redis is not None else SocketCounts(),
        process_id=new_id(),
    )

    gauges(app[METRICS], services)
    jobs = JobRunner(
        backends.store,
        [
            Job(
                "influence",
                settings.INFLUENCE_REFRESH_SECONDS,
                lambda: refresh_influence(backends.store, backends.graph),
            ),
            Job("sweep", settings.SWEEP_SECONDS, lambda: sweep(services)),
            Job("creators", settings.CREATOR_REFRESH_SECONDS, lambda: refresh_creators(backends.store)),
            Job("aggregates", settings.AGGREGATE_SECONDS, lambda: aggregates_uc.aggregate(services)),
            Job("segments", settings.SEGMENTS_SECONDS, lambda: refresh_segments(services)),
        ],
        metrics=app[METRICS],
    )
    try:
        await ensure_indexes(backends.store)
        claimed = await claim_legacy_nicknames(services)
        if claimed:
            log.info("nicknames of earlier users claimed", extra={"users": claimed})
        # the memory graph always; another one when it has no stamp (by the lease's holder when processes share it)
        edges = await projector.ensure_projected() if await projector.leads() else None
        if edges is not None:
            log.info("graph rebuilt from documents", extra={"edges": edges, "graph": backends.graph.kind})
        if app.get(SEED_DEMO):
            from resolvers.demo import seed_demo

            if await seed_demo(services):
                log.info("demo data loaded")
        await services.sessions.start(
            lambda: auth_uc.recent_revocations(services), settings.REVOKED_LOGINS_RELOAD_SECONDS
        )
        services.seckill.start(backends.bus)
        projector.start()
        services.events.start()
        jobs.start()
        services.live.start()
        if cache is not None:
            cache.start(backends.bus, services.redis, response_cache.TICK_SECONDS)
        app[SERVICES] = services
        log.info("backends open", extra={k: v.kind for k, v in backends.named().items()})
        yield
    finally:
        steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("the response cache", cache.stop if cache is not None else _nothing),
            ("background work", services.stop_background),
            ("the live hub", services.live.stop),
            ("the sessions", services.sessions.stop),
            ("the seckill flags", services.seckill.stop),
            ("the jobs", jobs.stop),
            ("the event writer", services.events.stop),
            ("the projector", projector.stop),
            ("the HTTP client", http.close),
            ("the backends", backends.close),
        ]
        for name, step in steps:
            await _bounded_stop(name, step)
        log.info("backends closed")


SHUTDOWN_STEP_SECONDS = 30.0


async def _bounded_stop(name: str, step: Callable[[], Awaitable[Any]]) -> None:
    """One step of the app's shutdown, given SHUTDOWN_STEP_SECONDS: a step that hangs (a task whose cancellation
    was lost, a backend that never answers) is logged by name, and the ones after it still run, so the process
    stops. It hung a test's teardown once in CI, in a step that could not be told from the log."""
    try:
        async with asyncio.timeout(SHUTDOWN_STEP_SECONDS):
            await step()
    except TimeoutError:
        log.error("shutdown: %s did not stop within %.0f s; going on without it", name, SHUTDOWN_STEP_SECONDS)


async def _nothing() -> None:
    return None


def live_services(services: Services, app_schema: ApiSchema) -> tuple[MemoryLimiter | RedisLimiter, LiveHub]:
    """Rate limits and live viewer counts in Redis when the bus is Redis (shared by every process), else here."""
    settings, bus, redis = services.settings, services.backends.bus, services.redis
    limiter = RedisLimiter(redis) if redis is not None else MemoryLimiter()
    counts = RedisViewerCounts(redis, new_id(), ttl_ms=30_000) if redis is not None else ViewerCounts()
    hub = LiveHub(
        app_schema,
        bus,
        context_factory=lambda plan, group: Context(services, viewer_id=plan.viewer, live_group=group),
        load_blocks=lambda user: social_uc.blocked_either_way(services, user),
        counts=counts,
        flush_likes=lambda room, count: live_uc.flush_likes(services, room, count),
        record_viewers=lambda room, viewers: live_uc.record_viewers(services, room, viewers),
        clock=services.now,
        buffer_limit=settings.LIVE_VIEWER_BUFFER_BYTES,
        tick_seconds=settings.LIVE_TICK_SECONDS,
        anonymous_per_address=settings.LIVE_ANONYMOUS_VIEWERS_PER_ADDRESS,
        frames_per_second=settings.LIVE_FRAMES_PER_SECOND,
        batch_min_viewers=settings.LIVE_BATCH_MIN_VIEWERS,
        on_viewer=lambda room_id, user_id, joined: events_uc.record(
            services, event_names.LIVE_JOINED if joined else event_names.LIVE_LEFT, user_id=user_id, roomId=room_id
        ),
    )
    return limiter, hub


def wechat_pay(settings: Settings) -> WechatPayClient | None:
    if not settings.WECHAT_PAY_MCH_ID:
        return None
    return WechatPayClient(
        app_id=settings.WECHAT_APP_ID,
        mch_id=settings.WECHAT_PAY_MCH_ID,
        private_key=settings.WECHAT_PAY_PRIVATE_KEY,
        cert_serial_no=settings.WECHAT_PAY_CERT_SERIAL_NO,
        apiv3_key=settings.WECHAT_PAY_APIV3_KEY,
        public_key=settings.WECHAT_PAY_PUBLIC_KEY,
        public_key_id=settings.WECHAT_PAY_PUBLIC_KEY_ID,
        notify_url=settings.WECHAT_PAY_NOTIFY_URL,
        api_base=settings.WECHAT_PAY_API_BASE,
        transfer_scene=TransferScene(
            settings.WECHAT_PAY_TRANSFER_SCENE_ID,
            settings.WECHAT_PAY_TRANSFER_PERCEPTION,
            tuple((i["info_type"], i["info_content"]) for i in settings.WECHAT_PAY_TRANSFER_REPORT_INFOS),
        ),
    )


async def wechatpay_webhook(request: web.Request) -> web.Response:
    """WeChat Pay's payment, refund and transfer notifications: 200 {"code": "SUCCESS"} once applied, 4xx when
    refused."""
    body = await request.text()
    try:
        await handle_wechat_notification(request.app[SERVICES], dict(request.headers), body)
    except WebhookRefused as exc:
        log.warning("wechat pay notification refused: %s", exc)
        return web.json_response({"code": "FAIL", "message": str(exc)}, status=exc.status)
    return web.json_response({"code": "SUCCESS", "message": ""})


async def shop_orders_csv(request: web.Request) -> web.StreamResponse:
    """GET on an exportShopOrders URL: the CSV streamed page by page; 410 once expired, 403 when forged."""
    services = request.app[SERVICES]
    try:
        claims = await order_export.open_grant(services, request.query.get("token", ""))
    except order_export.ExportRefused as exc:
        return _json_error(exc.status, str(exc), exc.code)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{order_export.filename(claims)}"',
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",  # the URL is the permission: never pass it on
            "X-Content-Type-Options": "nosniff",
        }
    )
    await response.prepare(request)
    chunks = order_export.csv_chunks(services, claims)
    try:
        async for chunk in chunks:
            await response.write(chunk)
    except ConnectionResetError:  # the download was stopped: nothing more to send, nothing went wrong here
        log.info("an order export was stopped by the client after %d bytes", response.body_length)
        return response
    finally:
        await chunks.aclose()
    await response.write_eof()
    return response


async def dashboard_csv(request: web.Request) -> web.Response:
    """GET on an exportDashboardSeries URL: the CSV; 410 once expired, 403 when forged."""
    try:
        name, body = await dashboards_uc.export_csv(request.app[SERVICES], request.query.get("token", ""))
    except dashboards_uc.ExportRefused as exc:
        return _json_error(exc.status, str(exc), exc.code)
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return web.Response(body=body, content_type="text/csv", charset="utf-8", headers=headers)


async def data_export_download(request: web.Request) -> web.StreamResponse:
    """GET /exports/<signed token>: a data export's archive, streamed from disk; 403 or 410 in JSON otherwise."""
    try:
        found = await data_export_uc.download(request.app[SERVICES], request.match_info["token"])
    except data_export_uc.DownloadRefused as exc:
        return _json_error(exc.status, exc.message, exc.code)
    headers = {
        "Content-Type": "application/json",
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return web.FileResponse(found.path, headers=headers)


SEED_DEMO = web.AppKey("seed_demo", bool)


def create_app(settings: Settings, *, seed_demo: bool = False) -> web.Application:
    metrics = Metrics()
    traces = tracing.provider(settings)
    outer = [tracing.middleware(traces)] if traces is not None else []
    app = web.Application(
        middlewares=[*outer, request_ids, metrics_http.middleware(metrics), json_errors, upload_limit],
        client_max_size=settings.REQUEST_MAX_BYTES,
    )
    app[SETTINGS] = settings
    app[METRICS] = metrics
    app[SCHEMA] = schema if traces is None else build([tracing.schema_extension(traces)])
    if traces is not None:
        app[TRACER] = traces
        app.on_cleanup.append(lambda _: asyncio.to_thread(traces.shutdown))
    app[SEED_DEMO] = seed_demo
    if settings.RESPONSE_CACHE_MAX_BYTES > 0:
        publicity = response_cache.Publicity(app[SCHEMA]._schema, PUBLIC)
        app[RESPONSE_CACHE] = ResponseCache(
            settings.RESPONSE_CACHE_MAX_BYTES, settings.RESPONSE_CACHE_MAX_AGE, publicity
        )
    app.cleanup_ctx.append(_lifecycle)
    http_errors.install(app)
    view = View(
        schema=app[SCHEMA],
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        multipart_uploads_enabled=True,
        graphql_ide="graphiql" if settings.graphiql else None,
    )
    view.trusted = TrustedDocuments.load(
        manifest_paths(settings.TRUSTED_DOCUMENTS), only=settings.TRUSTED_DOCUMENTS_ONLY
    )
    if traces is None:  # with tracing, every operation goes through the engine and its spans
        app[SHORTCUTS] = Shortcuts(app[SCHEMA]._schema, SHORTCUT_LIST, view.trusted)
    app.router.add_route("*", "/graphql", view)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_endpoint)
    app.router.add_post("/webhooks/wechatpay", wechatpay_webhook)
    app.router.add_get(order_export.EXPORT_PATH, shop_orders_csv)
    app.router.add_get(dashboards_uc.EXPORT_PATH, dashboard_csv)
    app.router.add_get(data_export_uc.DOWNLOAD_PREFIX + "{token}", data_export_download)
    media_root = settings.DATA_DIR / "media"
    media_root.mkdir(parents=True, exist_ok=True)
    app.router.add_get(MEDIA_PREFIX + "{name:.+}", media_handler(media_root))
    remove_stale(settings.DATA_DIR / "uploads")
    web_client.install(app, settings)  # the H5 shop and console at / when clients/web has been built
    return app

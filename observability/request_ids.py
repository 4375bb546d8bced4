"""A request id for every HTTP request and WebSocket: taken from a sane `X-Request-Id` header (a proxy's) or made
here, put in every log line written while the request is handled (`request_id`), in the response's
`X-Request-Id` header and in every GraphQL response's `extensions.requestId`."""

from __future__ import annotations

import contextvars
import itertools
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from opentelemetry import trace
from strawberry.extensions import SchemaExtension

HEADER = "X-Request-Id"
SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


_counter = itertools.count()
_prefix = (0, "")  # (process id, 16 random hex digits): a forked worker draws its own


def new_request_id() -> str:
    """Unique without a system call per request (uuid4 reads the kernel's random source each time): a random
    prefix per process, then a counter."""
    global _prefix
    pid = os.getpid()
    if _prefix[0] != pid:
        _prefix = (pid, secrets.token_hex(8))
    return f"{_prefix[1]}{next(_counter):016x}"  # 32 hex digits, as uuid4().hex


def from_header(value: str | None) -> str:
    return value if value is not None and SANE.fullmatch(value) else new_request_id()


@web.middleware
async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = from_header(request.headers.get(HEADER))
    trace.get_current_span().set_attribute("yxg.request_id", request_id)  # a no-op without tracing
    token = current.set(request_id)
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # answers raised as exceptions (401 for a bad token) carry it too
        exc.headers[HEADER] = request_id
        raise
    finally:
        current.reset(token)
    if not response.prepared:  # a WebSocket or a stream has sent its headers already
        response.headers[HEADER] = request_id
    return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to each record written while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class RequestIdInResponse(SchemaExtension):
    """`extensions.requestId` in every GraphQL response over HTTP (what a client quotes in a bug report). Not in
    the messages of a WebSocket: its id is the socket's, logged with everything it does, and a live frame is
    encoded once for all its viewers."""

    def get_results(self) -> dict[str, str]:
        request_id = current.get()
        over_socket = getattr(self.execution_context.context, "session", None) is not None
        return {"requestId": request_id} if request_id is not None and not over_socket else {}

"""Error answers of the HTTP layer as JSON with a code: for what the routes answer (json_errors in app.py uses
`json_error`), and for what aiohttp refuses before any route or middleware runs (a header over its 8190-byte
limit, a malformed request line), which it would answer as text and log at ERROR with a traceback."""

from __future__ import annotations

import logging
from functools import partial
from http import HTTPStatus
from typing import Any

import orjson
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

log = logging.getLogger("youxianggou")

CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    431: "HEADERS_TOO_LARGE",
}
MESSAGE_CHARS = 200
UNAVAILABLE = "UNAVAILABLE"
RETRY_AFTER_SECONDS = 5  # what a 503 asks the client to wait before trying again


def error_body(message: str, code: str) -> bytes:
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


def json_error(status: int, message: str, code: str | None = None) -> web.Response:
    return web.Response(
        status=status, body=error_body(message, code or code_for(status)), content_type="application/json"
    )


def unavailable(message: str = "A backend is unavailable; try again shortly") -> web.Response:
    """503 with Retry-After: a backend the request needs (the store, to know who is asking) is down."""
    response = json_error(503, message, UNAVAILABLE)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def nothing_answered(result: Any) -> bool:
    """A GraphQL answer that holds nothing because a backend is down: an UNAVAILABLE error, and no data (or every
    root field null). Such an answer is a 503 (GraphQL over HTTP lets a response without data be a 5xx); an answer
    with some data stays 200, its missing parts carrying UNAVAILABLE."""
    if not isinstance(result, dict):
        return False
    codes = {(e.get("extensions") or {}).get("code") for e in result.get("errors") or ()}
    data = result.get("data")
    return UNAVAILABLE in codes and (data is None or all(v is None for v in data.values()))


def as_json(response: web.Response) -> web.Response:
    """A text error answer (aiohttp's, strawberry's) as the same status in JSON with a code."""
    return json_error(response.status, *_message_and_code(response))


def _message_and_code(response: web.Response) -> tuple[str, str]:
    text = (response.text or "").strip() or HTTPStatus(response.status).phrase
    return text.splitlines()[0][:MESSAGE_CHARS], code_for(response.status)


def code_for(status: int) -> str:
    return CODES.get(status) or ("BAD_REQUEST" if status < 500 else "INTERNAL_SERVER_ERROR")


class ApiRequest(web.Request):
    """aiohttp answers a request it could not parse from its protocol handler, past the app's middlewares; the
    request object it builds for that answer is still made by the app, so the answer is rewritten here."""

    async def _prepare_hook(self, response: web.StreamResponse) -> None:
        if (
            self._match_info is None  # never routed: aiohttp's own error answer
            and isinstance(response, web.Response)
            and response.status >= 400
            and response.content_type != "application/json"
        ):
            body = error_body(*_message_and_code(response))
            response.body = body
            response.content_type = "application/json"
            response.headers["Content-Length"] = str(len(body))  # aiohttp counted the text before this hook
        await super()._prepare_hook(response)


class ClientErrorsAtInfo(logging.Filter):
    """aiohttp logs a request it cannot parse (or a body it cannot decode) at ERROR with a traceback; that is the
    client's mistake: INFO, without the trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, RequestPayloadError):  # a body aiohttp could not decode, read after the answer
            exc = exc.__cause__
        if isinstance(exc, HttpProcessingError) and 400 <= (exc.code or 0) < 500:
            log.info("refused a malformed request: %s", str(exc.message)[:MESSAGE_CHARS])
            return False
        return True


def install(app: web.Application) -> None:
    """JSON answers for requests aiohttp refuses itself, and their logging at INFO."""
    app._make_request = partial(app._make_request, _cls=ApiRequest)  # type: ignore[method-assign]
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ClientErrorsAtInfo) for f in server_log.filters):
        server_log.addFilter(ClientErrorsAtInfo())

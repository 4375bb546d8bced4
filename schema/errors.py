"""GraphQL errors with a stable `extensions.code`, the extension that masks everything unexpected, and how errors
are logged: expected ones (the client's mistakes and refusals) at INFO without a trace, unexpected ones once at
ERROR with their trace; the query text is cut to QUERY_LOG_CHARS either way."""

from __future__ import annotations

import logging
from typing import Any

from graphql.error import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from backends import UNAVAILABLE as BACKEND_DOWN
from resolvers.errors import ApiError
from store.cursor import BadCursor

log = logging.getLogger("youxianggou.errors")

INTERNAL = "INTERNAL_SERVER_ERROR"
UNAVAILABLE = "UNAVAILABLE"  # a backend the answer needs is down: try again later (HTTP 503 when nothing answered)
INVALID_QUERY = "GRAPHQL_VALIDATION_FAILED"
INVALID_INPUT = "INVALID_INPUT"
BAD_REQUEST = "BAD_REQUEST"
QUERY_LOG_CHARS = 500
MASKED = "Internal server error"
DOWN_MESSAGE = "A backend is unavailable; try again shortly"


def expected(error: GraphQLError) -> tuple[str, dict[str, Any]] | None:
    """(code, extensions) of an error the client caused or the API meant; None for an unexpected one."""
    original = error.original_error
    if isinstance(original, ApiError):
        extensions: dict[str, Any] = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        return original.code, extensions
    if isinstance(original, BACKEND_DOWN):
        return UNAVAILABLE, {"code": UNAVAILABLE}
    if isinstance(original, BadCursor):
        return INVALID_INPUT, {"code": INVALID_INPUT, "field": ["after"]}
    if isinstance(original, CannotGetOperationTypeError | InvalidOperationTypeError | MissingQueryError):
        return BAD_REQUEST, {"code": BAD_REQUEST}  # no such operation, or one this transport cannot serve
    if original is None:
        code = (error.extensions or {}).get("code", INVALID_QUERY)
        return code, {**(error.extensions or {}), "code": code}
    if isinstance(original, GraphQLError) and error.path is None:
        # graphql-core refusing a value the client sent (a variable of the wrong type, a Long past 64 bits), before
        # execution (no path); a code it carries wins. A field's value that does not serialize has a path: internal.
        code = (original.extensions or {}).get("code", INVALID_INPUT)
        return code, {**(original.extensions or {}), "code": code}
    return None


class ErrorCodes(MaskErrors):
    """Every error leaves with `extensions.code`; an unexpected one is masked for the client (logged by the schema)."""

    def __init__(self) -> None:
        super().__init__(error_message=MASKED)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [with_code(e) for e in errors]


def with_code(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: with its code, or masked (applying it twice changes nothing)."""
    known = expected(error)
    if known is not None:
        # an outage's details (hosts, ports, driver messages) are the operators' business: they are in the logs
        return _copy(error, DOWN_MESSAGE if known[0] == UNAVAILABLE else error.message, known[1])
    return _copy(error, MASKED, {"code": INTERNAL})


def log_errors(errors: list[GraphQLError], query: str | None) -> None:
    """Called once per error by the schema, before ErrorCodes rewrites them."""
    text = (query or "")[:QUERY_LOG_CHARS]
    for error in errors:
        known = expected(error)
        if known is None:
            log.error("unexpected error at %s in %r", error.path, text, exc_info=error.original_error)
        else:
            log.info("%s at %s: %s in %r", known[0], error.path, error.message[:QUERY_LOG_CHARS], text)


def _copy(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )

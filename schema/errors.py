"""GraphQL errors with a stable `extensions.code`, and the extension that masks everything unexpected."""

from __future__ import annotations

import logging
from typing import Any

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from resolvers.errors import ApiError

log = logging.getLogger("youxianggou.errors")

INTERNAL = "INTERNAL_SERVER_ERROR"
INVALID_QUERY = "GRAPHQL_VALIDATION_FAILED"


class ErrorCodes(MaskErrors):
    """Every error leaves with `extensions.code`; an unexpected one is logged here and masked for the client."""

    def __init__(self) -> None:
        super().__init__(error_message="Internal server error")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._with_code(e) for e in errors]

    def _with_code(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, ApiError):
            extensions: dict[str, Any] = {"code": original.code}
            if original.field:
                extensions["field"] = original.field
            return _copy(error, error.message, extensions)
        if isinstance(original, GraphQLError) and original.original_error is None and error.path is None:
            # graphql-core wraps the error of a bad variable (a Long past 64 bits), before execution (no path): the
            # client's, with its code. A field's value that does not serialize (it has a path) stays internal.
            code = (original.extensions or {}).get("code", INVALID_QUERY)
            return _copy(error, error.message, {**(error.extensions or {}), "code": code})
        if original is None:
            code = (error.extensions or {}).get("code", INVALID_QUERY)
            return _copy(error, error.message, {**(error.extensions or {}), "code": code})
        log.error("unexpected error at %s", error.path, exc_info=original)
        return _copy(self.anonymise_error(error), self.error_message, {"code": INTERNAL})


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

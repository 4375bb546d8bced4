"""Failures the use cases report. `Refused` becomes a UserError in a mutation's payload; `ApiError` a GraphQL
error with `extensions.code` (for queries and arguments that cannot be answered at all)."""

from __future__ import annotations

from collections.abc import Iterable


class ApiError(Exception):
    def __init__(self, code: str, message: str, field: Iterable[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = list(field) if field is not None else None


class Refused(ApiError):
    """An expected refusal of a mutation (team full, blocked, out of stock): reported in its `errors`."""


def bad_input(message: str, *field: str) -> ApiError:
    return ApiError("INVALID_INPUT", message, field or None)

"""The strawberry Schema the API runs on: its errors are logged by `schema.errors.log_errors` (strawberry's own
logging puts every expected error at ERROR with a traceback and the whole query), and `execute`, which answers
once, refuses subscriptions (they are served over the WebSocket by `subscribe`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from schema.errors import log_errors, with_code

ONE_RESULT = {OperationType.QUERY, OperationType.MUTATION}


class ApiSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_errors(errors, execution_context.query if execution_context is not None else None)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        # strawberry allows subscriptions over HTTP for its streaming transports; without one, `execute` would run a
        # subscription as a query and fail inside. Refused here, the view answers 400.
        allowed = ONE_RESULT if allowed_operation_types is None else ONE_RESULT & set(allowed_operation_types)
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed,
            operation_extensions,
        )
        if result.errors:
            # An exception raised by an extension leaves strawberry after ErrorCodes had its turn: coded here too.
            result.errors = [with_code(e) for e in result.errors]
        return result

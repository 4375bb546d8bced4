"""The executor the schema runs with: graphql-core's (through strawberry's subclass), with one fast path.

A field that only reads an attribute (a "basic" strawberry field: no resolver, no field extensions, no
permission classes, no arguments) costs graphql-core a resolve-info object, strawberry's resolver wrapper, awaitable
checks and the value-completion chain on every object; a page of 100 products has hundreds of them. Here such a
field is completed directly: a scalar or enum by `getattr` and the type's own output coercion, an object (or a list
of objects) by executing its sub-selection on the attribute's value, as graphql-core would end up doing. Its
errors are handled by graphql-core's `handle_field_error` at the same paths. Anything else goes the ordinary way:
a null or a missing attribute (a non-null field turns it into an error), a coercion that fails, an abstract type,
a value of the wrong type, a field with directives (`@defer`, `@stream`, `@include`...), and every field while
field middleware runs (tracing). So results and errors stay exactly graphql-core's; tests/unit/test_execution.py
compares both executors on the same documents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    get_nullable_type,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.executor import Path
from graphql.pyutils import AwaitableOrValue, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

LEAF, OBJECT, LIST = 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


def context_only(resolver: F) -> F:
    """Declares a sync resolver without arguments that reads nothing of its info but `info.context` (it may return
    an awaitable): the fast path then calls it with that alone, and completes what it returns like a plain read."""
    resolver._context_only = True  # type: ignore[attr-defined]
    return resolver


@dataclass(frozen=True, slots=True)
class ContextOnlyInfo:
    context: Any


# what kind of field, the attribute (or a context-only resolver), the leaf or object type (of the list's items),
# and a list's item type as declared
Plan = tuple[int, Any, Any, Any]
# Per field definition (by identity, kept alive beside it): its plan, or None when it is not a plain read.
_plans: dict[int, tuple[GraphQLField, Plan | None]] = {}
_SLOW = object()  # this field goes graphql-core's ordinary way


def _plan(field_def: GraphQLField) -> Plan | None:
    cached = _plans.get(id(field_def))
    if cached is not None and cached[0] is field_def:
        return cached[1]
    plan: Plan | None = None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    read: str | Callable[..., Any] | None = None
    if definition is not None and not field_def.args and not definition.extensions:
        resolver = definition.base_resolver
        if resolver is None and getattr(field_def.resolve, "_is_default", False):
            read = definition.python_name
        elif resolver is not None and getattr(resolver.wrapped_func, "_context_only", False):
            read = resolver.wrapped_func
    if read is not None:
        kind = get_nullable_type(field_def.type)
        if is_leaf_type(kind) and isinstance(read, str):
            plan = (LEAF, read, kind, None)
        elif is_object_type(kind):
            plan = (OBJECT, read, kind, None)
        elif isinstance(kind, GraphQLList) and is_object_type(get_nullable_type(kind.of_type)):
            plan = (LIST, read, get_nullable_type(kind.of_type), kind.of_type)
    _plans[id(field_def)] = (field_def, plan)
    return plan


class ApiExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self._fast = middleware is None or not middleware.middlewares  # else every field must pass through it
        # per grouped field set (by identity; graphql-core memoizes them per selection, so every item of a list
        # shares one): each field's response name, details, definition and plan (None: the ordinary way)
        self._compiled: dict[int, tuple[Any, list[tuple[str, Any, Any, Plan | None]]]] = {}

    def _fields_of(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> list[tuple[str, Any, Any, Plan | None]]:
        cached = self._compiled.get(id(grouped_field_set))
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        compiled = []
        for response_name, field_details_list in grouped_field_set.items():
            field_def = parent_type.fields.get(field_details_list[0].node.name.value)
            plan = _plan(field_def) if field_def is not None and self._fast else None
            if plan is not None and any(
                d.node.arguments or d.node.directives or d.defer_usage is not None for d in field_details_list
            ):
                plan = None  # `@include`, `@defer`, `@stream`...: graphql-core's to handle
            compiled.append((response_name, field_details_list, field_def, plan))
        self._compiled[id(grouped_field_set)] = (grouped_field_set, compiled)
        return compiled

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's `execute_fields`, with the fast path tried first for each field (not within a deferred
        part: `position_context` is set there)."""
        if position_context is not None:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, field_def, plan in self._fields_of(parent_type, grouped_field_set):
                result: Any = _SLOW
                if plan is not None:
                    if plan[0] == LEAF:  # inline: the most common case
                        value = getattr(source_value, plan[1], None)
                        if value is not None and not isinstance(value, Exception):
                            try:
                                result = plan[2].coerce_output_value(value)
                            except Exception:  # the ordinary path raises it again, as a located error
                                result = _SLOW
                            if result is None or result is Undefined:
                                result = _SLOW
                    else:
                        result = self._fast_field(
                            plan, field_def, parent_type, source_value, path, response_name, field_details_list
                        )
                if result is _SLOW:
                    field_path = Path(path, response_name, parent_type.name)
                    result = self.execute_field(parent_type, source_value, field_details_list, field_path, None)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _fast_field(
        self,
        plan: Plan,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        response_name: str,
        field_details_list: Any,
    ) -> Any:
        """An OBJECT or LIST plan's field, or _SLOW."""
        kind, read, of_type, item_type = plan
        if not isinstance(read, str):  # a context-only resolver: graphql-core completes what is not plain
            value = read(source, ContextOnlyInfo(self.context_value))
            if value is None or self.is_awaitable(value):
                return self._complete_ordinarily(field_def, parent_type, path, response_name, field_details_list, value)
        else:
            value = getattr(source, read, None)
        if value is None or isinstance(value, Exception):
            return _SLOW
        object_type: GraphQLObjectType = of_type
        is_type_of = object_type.is_type_of
        unseen: Any = None  # no resolve info: strawberry's is_type_of checks the value's class only
        if kind == OBJECT:
            if is_type_of is not None and not is_type_of(value, unseen):
                return _SLOW
        elif not isinstance(value, list | tuple) or any(
            item is None or (is_type_of is not None and not is_type_of(item, unseen)) for item in value
        ):
            return _SLOW
        collected = self.collect_subfields(object_type, field_details_list)
        if collected.new_defer_usages:
            return _SLOW
        field_path = Path(path, response_name, parent_type.name)
        subfields = collected.grouped_field_set
        result: Any
        try:  # as _guarded, inline for the plain result
            if kind == OBJECT:
                result = self.execute_fields(object_type, value, field_path, subfields, None)
            else:
                result = self._complete_items(object_type, item_type, value, field_details_list, field_path, subfields)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_def.type, field_details_list, field_path)
            return None
        if self.is_awaitable(result):
            return self._awaited(result, field_def.type, field_details_list, field_path)
        return result

    def _complete_ordinarily(
        self,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        path: Path | None,
        response_name: str,
        field_details_list: Any,
        value: Any,
    ) -> Any:
        """A resolver's result completed as graphql-core's `execute_field` completes it."""
        field_path = Path(path, response_name, parent_type.name)
        info = self.build_resolve_info(field_def, [d.node for d in field_details_list], parent_type, field_path)
        if self.is_awaitable(value):
            return self.complete_awaitable_value(field_def.type, field_details_list, info, field_path, value, None)
        return self._guarded(
            field_def.type,
            field_details_list,
            field_path,
            lambda: self.complete_value(field_def.type, field_details_list, info, field_path, value, None),
        )

    def _complete_items(
        self,
        object_type: GraphQLObjectType,
        item_type: GraphQLOutputType,
        items: list[Any] | tuple[Any, ...],
        field_details_list: Any,
        path: Path,
        subfields: Any,
    ) -> AwaitableOrValue[list[Any]]:
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        is_awaitable, execute_fields = self.is_awaitable, self.execute_fields
        for index, item in enumerate(items):
            item_path = path.add_key(index, None)
            try:  # as _guarded, inline: this runs once per item of every list
                result = execute_fields(object_type, item, item_path, subfields, None)
            except Exception as raw_error:
                self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                result = None
            if is_awaitable(result):
                result = self._awaited(result, item_type, field_details_list, item_path)
                awaitable_indices.append(index)
            completed.append(result)
        if not awaitable_indices:
            return completed

        async def get_completed() -> list[Any]:
            awaited = await gather_with_cancel(*(completed[i] for i in awaitable_indices))
            for index, value in zip(awaitable_indices, awaited, strict=True):
                completed[index] = value
            return completed

        return get_completed()

    def _guarded(
        self, return_type: GraphQLOutputType, field_details_list: Any, path: Path, complete: Callable[[], Any]
    ) -> Any:
        """`complete()`, its errors handled as graphql-core's `execute_field` handles a field's (a nullable position
        becomes null with the error recorded; a non-null one raises to its parent)."""
        try:
            result = complete()
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        if not self.is_awaitable(result):
            return result
        return self._awaited(result, return_type, field_details_list, path)

    async def _awaited(
        self, awaitable: Awaitable[Any], return_type: GraphQLOutputType, field_details_list: Any, path: Path
    ) -> Any:
        """An awaitable completion, its errors handled as `_guarded` handles them."""
        try:
            return await awaitable
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

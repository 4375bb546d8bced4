"""What a document may ask for, checked before any resolver runs: one operation unless it names one, a query cost
budget, at most QUERY_MAX_SELECTIONS selections, and validation that cannot hold up the event loop.

Cost: every field counts 1, times the size of each list above it. A field's size is its `first` or `last` (from a
literal, a variable or the variable's default; the default page when absent), or the length of its `ids`; other
fields (objects, short lists such as `skus`) size 1. So `products(first: 10) { edges { node { title } } }` costs
1 + 10 * 3 = 31, and each nested connection multiplies what it selects by its page size."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
)
from graphql.validation import ASTValidationRule, KnownFragmentNamesRule, NoSchemaIntrospectionCustomRule, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.common import DEFAULT_PAGE, MAX_PAGE

SIZE_ARGUMENTS = ("first", "last")  # how many items a list field returns (each is 1..MAX_PAGE: page_size checks)
LIST_ARGUMENTS = ("ids",)  # one item per id
COST_DEPTH = 64  # nesting counted (the depth limit refuses far less)
VALIDATED_DOCUMENTS = 1000  # validation results kept, by query text, rules and selection cap
# Validation of new documents runs here, so a slow one holds up neither the event loop nor the store's threads; a
# request still waiting when its time is up gives up its place (a queued validation that has not started is dropped).
_validators = ThreadPoolExecutor(max_workers=2, thread_name_prefix="validate")
_validated: OrderedDict[tuple[str, tuple[type[ASTValidationRule], ...], int], list[GraphQLError]] = OrderedDict()


def refusal(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def written_selections(document: DocumentNode) -> Iterator[SelectionNode]:
    """Every field, fragment spread and inline fragment written in the document, once each, as parsed."""
    stack: list[SelectionSetNode] = [
        d.selection_set for d in document.definitions if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for selection in stack.pop().selections:
            yield selection
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
                stack.append(selection.selection_set)


def count_selections(document: DocumentNode) -> int:
    return sum(1 for _ in written_selections(document))


def operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def query_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> int:
    """The cost of the named (or only) operation; see the module's docstring. The document need not be validated:
    unknown fields and fragments count what they select, fragment cycles count once, and nesting deeper than
    COST_DEPTH (which the depth limit refuses) stops counting."""
    operation = next(
        (o for o in operations(document) if operation_name is None or (o.name and o.name.value == operation_name)),
        None,
    )
    if operation is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if values.get(name) is None and definition.default_value is not None:
            values[name] = _literal(definition.default_value, {})
    fragment_costs: dict[str, int] = {}  # cost is linear in the multiplier, so each fragment is counted once

    def selections(selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None, depth: int) -> int:
        if selection_set is None or depth > COST_DEPTH:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field = getattr(parent, "fields", {}).get(selection.name.value)
                child = get_named_type(field.type) if field is not None else None
                paged = field is not None and any(a in field.args for a in SIZE_ARGUMENTS)
                size = _size(selection, values, paged=paged)
                total += 1 + size * selections(selection.selection_set, child, depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = schema.get_type(condition.name.value) if condition else parent
                total += selections(selection.selection_set, on, depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in fragment_costs and name in fragments:
                    fragment_costs[name] = 0  # while counting it: a cycle counts nothing more
                    fragment = fragments[name]
                    on = schema.get_type(fragment.type_condition.name.value)
                    fragment_costs[name] = selections(fragment.selection_set, on, depth + 1)
                total += fragment_costs.get(name, 0)
        return total

    return selections(operation.selection_set, schema.get_root_type(operation.operation), 0)


def _size(field: FieldNode, variables: dict[str, Any], *, paged: bool) -> int:
    for argument in field.arguments or ():
        name = argument.name.value
        value = _literal(argument.value, variables)
        if name in SIZE_ARGUMENTS:
            size = value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_PAGE
            return min(max(size, 1), MAX_PAGE)
        if name in LIST_ARGUMENTS:
            return min(max(len(value) if isinstance(value, list) else 1, 1), MAX_PAGE)
    return DEFAULT_PAGE if paged else 1


def _literal(node: ValueNode, variables: dict[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ListValueNode):
        return list(node.values)
    return None


def _validate_now(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...], max_selections: int
) -> list[GraphQLError]:
    selections = count_selections(document)
    if selections > max_selections:
        return [
            refusal(
                "QUERY_TOO_LARGE", f"The document has {selections} selections; at most {max_selections} are allowed"
            )
        ]
    if _undefined_fragments(document):  # strawberry's depth limiter fails on them: graphql-core's rule says it
        return validate(schema, document, [KnownFragmentNamesRule])
    return validate_document(schema, document, rules)


def _undefined_fragments(document: DocumentNode) -> bool:
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return any(isinstance(s, FragmentSpreadNode) and s.name.value not in defined for s in written_selections(document))


class RequestLimits(SchemaExtension):
    """Replaces strawberry's ValidationCache. Refuses several operations without an operationName and a query over
    the caller's cost budget, then validates (cached; a new document is counted, then validated in a thread)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # Before parsing, `operation_name` is the one the request gave (after it, strawberry falls back to the first).
        self.requested_operation = context.operation_name
        if not context.context.services.settings.introspection:
            context.validation_rules = (*context.validation_rules, NoSchemaIntrospectionCustomRule)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        # The cost first: it is linear in the document and refuses the multiplying ones however they are written.
        errors = self._operation_and_cost(context.graphql_document)
        if not errors:
            errors = await self._validate(context.query or "", context.graphql_document)
        context.pre_execution_errors = errors
        yield

    async def _validate(self, query: str, document: DocumentNode) -> list[GraphQLError]:
        context = self.execution_context
        settings = context.context.services.settings
        key = (query, context.validation_rules, settings.QUERY_MAX_SELECTIONS)
        if (errors := _validated.get(key)) is not None:
            _validated.move_to_end(key)
            return errors
        job = asyncio.get_running_loop().run_in_executor(
            _validators, _validate_now, context.schema._schema, document, key[1], key[2]
        )
        try:
            errors = await asyncio.wait_for(job, settings.QUERY_VALIDATION_SECONDS)
        except TimeoutError:
            return [refusal("QUERY_TOO_COMPLEX", "The document took too long to validate; send a simpler one")]
        _validated[key] = errors
        if len(_validated) > VALIDATED_DOCUMENTS:
            _validated.popitem(last=False)
        return errors

    def _operation_and_cost(self, document: DocumentNode) -> list[GraphQLError]:
        context = self.execution_context
        if self.requested_operation is None and len(operations(document)) > 1:
            return [
                refusal("OPERATION_NAME_REQUIRED", "The document has several operations: say which in operationName")
            ]
        settings = context.context.services.settings
        signed_in = context.context.viewer_id is not None
        budget = settings.QUERY_COST_SIGNED_IN if signed_in else settings.QUERY_COST_ANONYMOUS
        cost = query_cost(context.schema._schema, document, self.requested_operation, context.variables)
        if cost > budget:
            who = "a signed-in" if signed_in else "an anonymous"
            return [
                refusal(
                    "QUERY_TOO_COSTLY",
                    f"The query costs {cost}; the budget of {who} request is {budget}"
                    " (each field 1, times the `first` of every list above it): ask for smaller pages",
                )
            ]
        return []

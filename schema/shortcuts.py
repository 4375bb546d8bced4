"""Mutations answered before the GraphQL engine runs, when the answer is known in memory: a seckill's sold-out
refusal comes thousands of times a second in a rush, and the engine's parsing, extensions, execution and
completion around it cost ten times the answer.

- **Which requests.** A POST of JSON whose document (its `query`, or its trusted `documentId`) is one mutation
  selecting one field that has a shortcut, without fragments or directives, selecting only payload fields the
  shortcut answers, valid against the schema and at most DOCUMENT_MAX characters (so within every limit the
  engine applies). Decided once per document text and remembered.
- **How.** The variables and the field's `input` coerce by graphql-core's own functions (anything that does
  not coerce goes to the engine, for its errors); the token is read as the engine's context reads it; then the
  shortcut runs with the context and the field's `input`. It returns the payload (GraphQL field names,
  serialized values) or None to leave the request to the engine, having done nothing; `user_errors` gives a
  refusal's `errors` as payload_mutation makes them.
- **Anything else** (another document, variables that do not coerce, a bad token, a store that fails before the
  shortcut ran, tracing on) goes the engine's way, which answers as it always did, errors included.
- The answer is the engine's, up to `extensions.requestId` (this request's): tests run the same documents both
  ways and compare. Operation metrics count it as the engine's extension does.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    ValueNode,
    coerce_input_value,
    get_named_type,
    is_input_type,
    is_non_null_type,
    parse,
    type_from_ast,
    validate,
    value_from_ast,
)

from graphql_http import accepted
from observability import request_ids
from resolvers.errors import ApiError
from schema.common import UserError
from schema.context import Context
from schema.operation_metrics import count_operation
from trusted_documents import DocumentRefused, TrustedDocuments

LEAF = "leaf"  # a payload field the shortcut's answer gives
NULL = "null"  # a payload field that is always null in the shortcut's answers (any sub-selection)
DOCUMENT_MAX = 2000
PLANS_REMEMBERED = 1000
USER_ERROR = {"code": LEAF, "field": LEAF, "message": LEAF}

Answer = Callable[[Context, dict[str, Any]], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Shortcut:
    field: str  # the Mutation field it answers
    shape: Mapping[str, Any]  # payload field -> LEAF, NULL or the shape of the object it holds
    answer: Answer


@dataclass(frozen=True)
class Selection:
    key: str  # the response key (alias or name)
    name: str
    kind: str  # LEAF, NULL, "__typename" or "object"
    type_name: str = ""  # the object's type, for "object" and "__typename"
    children: tuple[Selection, ...] = ()


@dataclass(frozen=True)
class Plan:
    shortcut: Shortcut
    operation_name: str | None  # the document's, for the metrics
    variables: tuple[tuple[str, GraphQLInputType], ...]  # the operation's, none with a default
    input: tuple[ValueNode, GraphQLInputType]  # the field's `input` argument as written, and its type
    key: str
    payload: tuple[Selection, ...]

    def arguments(self, sent: dict[str, Any]) -> dict[str, Any] | None:
        """The field's arguments, coerced as the engine coerces valid ones; None for anything the engine must
        answer (a missing non-null variable, a value that does not coerce: its errors are the engine's)."""
        values: dict[str, Any] = {}
        for name, of in self.variables:
            if name not in sent:
                if is_non_null_type(of):
                    return None
                continue
            value = coerce_input_value(sent[name], of)
            if value is Undefined:
                return None
            values[name] = value
        node, of = self.input
        value = value_from_ast(node, of, values)
        return None if value is Undefined else {"input": value}


def project(selections: tuple[Selection, ...], value: Any) -> Any:
    """The response of `value` (a payload as GraphQL names) for a selection: what completion would give."""
    if value is None:
        return None
    if isinstance(value, list):
        return [project(selections, v) for v in value]
    out: dict[str, Any] = {}
    for s in selections:
        if s.kind == "__typename":
            out[s.key] = s.type_name
        elif s.kind == NULL:
            out[s.key] = None
        elif s.kind == LEAF:
            out[s.key] = value[s.name]
        else:
            out[s.key] = project(s.children, value[s.name])
    return out


class Shortcuts:
    def __init__(self, schema: GraphQLSchema, shortcuts: list[Shortcut], trusted: TrustedDocuments) -> None:
        self.schema = schema
        self.by_field = {s.field: s for s in shortcuts}
        self._names = [s.field.encode() for s in shortcuts]
        self.trusted = trusted
        self._plans: dict[tuple[str, str | None], Plan | None] = {}

    def plan(self, text: str, operation_name: str | None) -> Plan | None:
        key = (text, operation_name)
        if key not in self._plans:
            if len(self._plans) >= PLANS_REMEMBERED:
                self._plans.clear()
            self._plans[key] = self._make_plan(text, operation_name)
        return self._plans[key]

    def _make_plan(self, text: str, operation_name: str | None) -> Plan | None:
        if len(text) > DOCUMENT_MAX:
            return None
        try:
            document = parse(text)
        except GraphQLError:
            return None
        if len(document.definitions) != 1:
            return None
        operation = document.definitions[0]
        if not isinstance(operation, OperationDefinitionNode) or operation.operation != OperationType.MUTATION:
            return None
        if operation.directives or any(v.directives for v in operation.variable_definitions or ()):
            return None
        if operation_name is not None and (operation.name is None or operation.name.value != operation_name):
            return None
        nodes = operation.selection_set.selections
        if len(nodes) != 1 or not isinstance(nodes[0], FieldNode) or nodes[0].directives:
            return None
        node = nodes[0]
        shortcut = self.by_field.get(node.name.value)
        mutation = self.schema.mutation_type
        if shortcut is None or mutation is None or validate(self.schema, document):
            return None
        field = mutation.fields[node.name.value]
        payload_type = get_named_type(field.type)
        if node.selection_set is None or not isinstance(payload_type, GraphQLObjectType):
            return None
        payload = _selections(node, payload_type, shortcut.shape)
        arguments = {a.name.value: a.value for a in node.arguments or ()}
        if payload is None or set(arguments) != {"input"} or set(field.args) != {"input"}:
            return None
        variables = []
        for definition in operation.variable_definitions or ():
            of = type_from_ast(self.schema, definition.type)
            if definition.default_value is not None or not is_input_type(of):
                return None  # defaults are left to the engine
            variables.append((definition.variable.name.value, of))
        key = node.alias.value if node.alias else node.name.value
        name = operation.name.value if operation.name else None
        return Plan(shortcut, name, tuple(variables), (arguments["input"], field.args["input"].type), key, payload)

    async def answer(self, request: web.Request, context_of: Callable[[], Awaitable[Context]]) -> web.Response | None:
        """The response when a shortcut answers this request; None when the engine must (nothing was done)."""
        if request.method != "POST" or "application/json" not in (request.content_type or ""):
            return None
        started = time.perf_counter()
        body = await request.read()
        if b'"documentId"' not in body and not any(name in body for name in self._names):
            return None  # most requests name none of the fields: not even parsed here
        try:
            sent = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(sent, dict):
            return None
        try:
            text = self.trusted.resolve(sent.get("query"), sent.get("documentId"))
        except DocumentRefused:
            return None
        name, variables = sent.get("operationName"), sent.get("variables")
        if not isinstance(text, str) or not isinstance(name, str | None) or not isinstance(variables, dict | None):
            return None
        plan = self.plan(text, name)
        if plan is None:
            return None
        arguments = plan.arguments(variables or {})
        if arguments is None:
            return None
        try:
            context = await context_of()
        except Exception:  # a bad token (401) or a store that cannot say who this is: the engine's answer
            return None
        try:
            payload = await plan.shortcut.answer(context, arguments["input"])
        finally:
            context.release()
        if payload is None:
            return None
        result: dict[str, Any] = {"data": {plan.key: project(plan.payload, payload)}}
        request_id = request_ids.current.get()
        if request_id is not None:
            result["extensions"] = {"requestId": request_id}
        metrics = context.services.metrics
        if metrics is not None:
            count_operation(metrics, plan.operation_name, "mutation", time.perf_counter() - started, ())
        media_type = accepted(request.headers.get("Accept", ""))
        return web.Response(text=orjson.dumps(result).decode(), content_type=media_type)


def user_errors(refused: ApiError) -> list[dict[str, Any]]:
    """A refusal as a payload's `errors`, made by UserError.of as payload_mutation makes them, serialized."""
    made = [UserError.of(e) for e in refused.each()]
    return [{"code": u.code.name, "field": u.field, "message": u.message} for u in made]


def _selections(node: FieldNode, of: GraphQLObjectType, shape: Mapping[str, Any]) -> tuple[Selection, ...] | None:
    """The plan of a payload's selection; None when it asks for what the shortcut does not answer."""
    assert node.selection_set is not None
    out: list[Selection] = []
    keys: set[str] = set()
    for child in node.selection_set.selections:
        if not isinstance(child, FieldNode) or child.directives or child.arguments:
            return None
        key, name = child.alias.value if child.alias else child.name.value, child.name.value
        if key in keys:  # one response key selected twice would be merged by the engine: left to it
            return None
        keys.add(key)
        spec = shape.get(name) if name != "__typename" else "__typename"
        if spec is None:
            return None
        if spec in (LEAF, NULL, "__typename"):
            out.append(Selection(key, name, spec, of.name))
            continue
        inner = get_named_type(of.fields[name].type)
        if not isinstance(inner, GraphQLObjectType) or child.selection_set is None:
            return None
        children = _selections(child, inner, spec) if isinstance(spec, Mapping) else None
        if children is None:
            return None
        out.append(Selection(key, name, "object", inner.name, children))
    return tuple(out)

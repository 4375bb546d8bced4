"""Descriptions the schema's common shapes share, written once: connections and their edges, mutation payloads and
their `errors`, mutation inputs, and the `input`/`first`/`after` arguments. `fill` gives them to every type, field and
argument that has no description of its own (one written next to the code always wins)."""

from __future__ import annotations

import json
from pathlib import Path

from graphql import (
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    get_named_type,
    is_object_type,
)

from schema.common import MAX_PAGE

ERRORS = (
    "Why the mutation was refused: one error per problem, each with its code and the path of the input field at"
    " fault. Empty when it succeeded; a refused mutation writes nothing."
)
SHOP_ID = "The shop's global id."
CLIENT_MUTATION_ID = "The `clientMutationId` the input carried, echoed back unchanged."
ARGUMENTS = {
    "input": "What to do; each field of the input type says its limits.",
    "first": f"How many items to return, 1 to {MAX_PAGE}; outside that range the query fails with INVALID_INPUT.",
    "after": "The `endCursor` of the previous page (or an edge's `cursor`); omit it for the first page.",
    "status": "Only those in this status; all when not given.",
    "filter": "Which ones; all when not given.",
    "sort": "Their order; the field says which when not given.",
}
ROOTS = {
    "Query": "What a client reads; each field says who may see what.",
    "Mutation": "What a client changes: each takes one `input` and answers a payload with `errors`.",
    "Subscription": "Live updates over the graphql-transport-ws WebSocket protocol.",
}


# mutation -> the codes its payload's `errors` may carry, read from the code by tools/mutation_refusals.py
REFUSALS_FILE = Path(__file__).with_name("mutation_refusals.json")


def _refusals() -> dict[str, list[str]]:
    if not REFUSALS_FILE.is_file():
        return {}
    found: dict[str, list[str]] = json.loads(REFUSALS_FILE.read_text())
    return found


def _named(type_: GraphQLType) -> GraphQLNamedType:
    named = get_named_type(type_)
    assert named is not None
    return named


def _mutations_by_type(schema: GraphQLSchema) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Which mutations answer each payload type, and which take each input type as their `input`."""
    payloads: dict[str, list[str]] = {}
    inputs: dict[str, list[str]] = {}
    for name, field in (schema.mutation_type.fields if schema.mutation_type else {}).items():
        payloads.setdefault(_named(field.type).name, []).append(name)
        if "input" in field.args:
            inputs.setdefault(_named(field.args["input"].type).name, []).append(name)
    return payloads, inputs


def _names(mutations: list[str]) -> str:
    return ", ".join(f"`{m}`" for m in sorted(mutations))


def fill(schema: GraphQLSchema) -> None:
    payloads, inputs = _mutations_by_type(schema)
    refusals = _refusals()
    for name, field in (schema.mutation_type.fields if schema.mutation_type else {}).items():
        codes = refusals.get(name)
        if codes:
            listed = ", ".join(codes)
            field.description = (field.description or "").rstrip() + (
                f" May refuse with (`errors[].code`, see `ErrorCode`): {listed}."
            )
    for name, type_ in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(type_, GraphQLObjectType):
            type_.description = type_.description or ROOTS.get(name)
            fields = type_.fields
            if name.endswith("Connection") and "edges" in fields and "pageInfo" in fields:
                item = _named(fields["edges"].type).fields["node"].type  # type: ignore[attr-defined]
                item_name = _named(item).name
                type_.description = type_.description or (
                    f"A page of `{item_name}` items. To read on, pass `pageInfo.endCursor` as `after`."
                )
                fields["edges"].description = fields["edges"].description or (
                    f"The `{item_name}` items of this page, in order, each with its cursor."
                )
                fields["pageInfo"].description = fields["pageInfo"].description or (
                    "Whether more items follow, and the cursors to ask for them."
                )
            elif name.endswith("Edge") and "node" in fields and "cursor" in fields:
                item_name = _named(fields["node"].type).name
                type_.description = type_.description or f"One `{item_name}` of a page, with its cursor."
                fields["node"].description = fields["node"].description or f"The `{item_name}`."
                fields["cursor"].description = fields["cursor"].description or (
                    "Opaque; pass it as `after` to get the items that follow this one."
                )
            if name in payloads and "errors" in fields:
                type_.description = type_.description or (
                    f"What {_names(payloads[name])} {'answers' if len(payloads[name]) == 1 else 'answer'}: what"
                    " changed when it succeeded, or `errors`."
                )
                fields["errors"].description = fields["errors"].description or ERRORS
                for field in fields.values():
                    if not field.description and is_object_type(field.type):
                        field.description = f"The `{_named(field.type).name}` as the mutation left it; null if refused."
            if "id" in fields and any(i.name == "Node" for i in type_.interfaces):
                fields["id"].description = fields["id"].description or "Global id; `node(id:)` fetches it back."
            if "clientMutationId" in fields:
                fields["clientMutationId"].description = fields["clientMutationId"].description or CLIENT_MUTATION_ID
            for field in fields.values():
                for arg_name, arg in field.args.items():
                    if arg.description:
                        continue
                    if arg_name in ARGUMENTS:
                        arg.description = ARGUMENTS[arg_name]
                    elif arg_name == "id" and _named(arg.type).name == "ID":
                        arg.description = f"The `{_named(field.type).name}`'s global id."
                    elif arg_name == "shopId" and _named(arg.type).name == "ID":
                        arg.description = SHOP_ID
        elif isinstance(type_, GraphQLInputObjectType):
            if name in inputs:
                type_.description = type_.description or f"The input of {_names(inputs[name])}."
            shop_id = type_.fields.get("shopId")
            if shop_id is not None and _named(shop_id.type).name == "ID":
                shop_id.description = shop_id.description or SHOP_ID
            if "clientMutationId" in type_.fields:
                field = type_.fields["clientMutationId"]
                field.description = field.description or (
                    "Any string of the client's own, echoed back in the payload to match answers to calls."
                )

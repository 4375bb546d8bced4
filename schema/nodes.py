"""Global ids in the schema: decoding arguments, and resolving any Node by its id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from domain.ids import BadGlobalId, from_global_id
from resolvers.errors import bad_input
from resolvers.intact import one
from schema.context import Info

# type name -> (loader attribute on Loaders, constructor from a document); filled by each area's module.
NODE_TYPES: dict[str, tuple[str, Callable[[Any], Any]]] = {}
# type name -> who may see a document of it (types without an entry are public)
VISIBLE_TO: dict[str, Callable[[Info, Any], Awaitable[bool]]] = {}


def register_node(
    type_name: str,
    loader: str,
    build: Callable[[Any], Any],
    visible: Callable[[Info, Any], Awaitable[bool]] | None = None,
) -> None:
    NODE_TYPES[type_name] = (loader, build)
    if visible is not None:
        VISIBLE_TO[type_name] = visible


async def _shown(info: Info, type_name: str, doc: Any) -> Any | None:
    """The node if the viewer may see it and it is intact (a dangling reference makes it null, not an error)."""
    if await one(info.context.loaders, NODE_TYPES[type_name][0], doc) is None:
        return None
    visible = VISIBLE_TO.get(type_name)
    if visible is not None and not await visible(info, doc):
        return None
    return NODE_TYPES[type_name][1](doc)


def raw_id(global_id: str, expected: str, *field: str) -> str:
    """The document id inside a global id of the expected type; INVALID_INPUT otherwise."""
    try:
        type_name, raw = from_global_id(global_id)
    except BadGlobalId:
        raise bad_input("Not a valid id", *field) from None
    if type_name != expected:
        raise bad_input(f"Expected a {expected} id, got a {type_name} id", *field)
    return raw


async def load_node(info: Info, global_id: str) -> Any | None:
    """Any Node by global id; None for an id of ours that names nothing, INVALID_INPUT for garbage."""
    try:
        type_name, raw = from_global_id(global_id)
    except BadGlobalId:
        raise bad_input("Not a valid id", "id") from None
    if type_name not in NODE_TYPES:
        return None
    loader_name, _ = NODE_TYPES[type_name]
    return await _shown(info, type_name, await getattr(info.context.loaders, loader_name).load(raw))


async def load_typed(info: Info, global_id: str, type_name: str, *field: str) -> Any | None:
    raw = raw_id(global_id, type_name, *field)
    loader_name, _ = NODE_TYPES[type_name]
    return await _shown(info, type_name, await getattr(info.context.loaders, loader_name).load(raw))

"""Relay's `node` and `nodes`: any entity by its global id."""

from __future__ import annotations

import asyncio

import strawberry

from resolvers.errors import bad_input
from schema.common import Node
from schema.context import Info
from schema.nodes import load_node

MAX_NODES = 100


@strawberry.type
class NodeQueries:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await load_node(info, id)

    @strawberry.field
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise bad_input(f"at most {MAX_NODES} ids", "ids")
        # at once, so that each type's loader (and each visibility fact) is read in one batch for all the ids
        return list(await asyncio.gather(*(load_node(info, i) for i in ids)))

"""Relay's `node` and `nodes`: any entity by its global id."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from resolvers.errors import bad_input
from schema.common import Node
from schema.context import Info
from schema.nodes import load_node

MAX_NODES = 100


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Anything by its global id; null when there is none or the viewer may not see it.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await load_node(info, id)

    @strawberry.field(
        description=("Several by their global ids, in the same order; null for each one `node` would answer null.")
    )
    async def nodes(
        self, info: Info, ids: Annotated[list[strawberry.ID], strawberry.argument(description="Up to 100 global ids.")]
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise bad_input(f"at most {MAX_NODES} ids", "ids")
        # at once, so that each type's loader (and each visibility fact) is read in one batch for all the ids
        return list(await asyncio.gather(*(load_node(info, i) for i in ids)))

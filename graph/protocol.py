"""The GraphStore protocol: the social graph as a projection of the documents.

Nodes are identified by the string id of their document; each relation type names the labels at its two ends,
so implementations can keep one label (and one index) per kind of node.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from typing import Literal, Protocol

# relation -> (label of the source node, label of the target node)
RELATIONS: dict[str, tuple[str, str]] = {
    "FOLLOWS": ("User", "User"),
    # Mutual follows, kept in both directions by the projector, so "friends of friends" is two hops.
    "FRIEND": ("User", "User"),
    "BLOCKS": ("User", "User"),
    # A paid order's buyer to each product in it (recommendations, co-purchase).
    "BOUGHT": ("User", "Product"),
    # A user liked a post tagging the product, or posted about it (interest, for recommendations).
    "ENGAGED": ("User", "Product"),
}

Direction = Literal["out", "in"]


class GraphUnavailable(Exception):
    """The graph server cannot be reached. Writes wait in the outbox (the projector applies them once it is back);
    traversals answer UNAVAILABLE."""

    backend = "graph"


def endpoints(rel: str) -> tuple[str, str]:
    try:
        return RELATIONS[rel]
    except KeyError:
        raise ValueError(f"unknown relation {rel!r}") from None


class GraphStore(Protocol):
    kind: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> None:
        """Raise when the backend cannot answer."""

    async def add_edge(self, rel: str, src: str, dst: str) -> None:
        """Create the edge (and its end nodes) unless it exists: idempotent."""

    async def add_edges(self, rel: str, pairs: Sequence[tuple[str, str]]) -> None:
        """add_edge for many pairs in as few round trips as the backend allows (rebuilds, bulk loads)."""

    async def remove_edge(self, rel: str, src: str, dst: str) -> None:
        """Remove the edge if it exists: idempotent."""

    async def neighbors(self, rel: str, node: str, direction: Direction = "out", limit: int = 1000) -> list[str]:
        """Ids at the other end of `rel` edges, sorted by id."""

    async def two_hop(
        self, rel: str, start: str, *, limit: int = 20, exclude: Collection[str] = ()
    ) -> list[tuple[str, int]]:
        """Nodes two `rel` hops out from `start` that are neither `start`, its direct neighbours nor in `exclude`,
        with the number of distinct intermediates; most first, ties by id."""

    async def neighbor_counts(
        self, rel: str, starts: Collection[str], direction: Direction = "out", limit: int = 100
    ) -> list[tuple[str, int]]:
        """Nodes one `rel` hop from any of `starts`, with how many of the starts reach each; most first, ties by id
        (what a viewer's friends bought, who bought these products)."""

    def edges(self, rel: str, batch: int = 10_000) -> AsyncIterator[list[tuple[str, str]]]:
        """Every `rel` edge as (src, dst), streamed in batches (for jobs such as influence)."""

    async def clear(self) -> None:
        """Remove every node and edge, and the stamp (rebuild-graph and tests)."""

    async def stamp(self) -> str | None:
        """The value `set_stamp` left, kept until the graph is cleared or loses its data (a server that came back
        empty): None tells the projector the graph must be rebuilt from the documents."""

    async def set_stamp(self, value: str) -> None: ...

"""The DocumentStore protocol: the small set of operations every repository is written against.

Documents are JSON-like dicts keyed by a string `_id`. Filters are equality maps, optionally with the
comparison operators `$ne $gt $gte $lt $lte $in` on a field; updates use `$set`, `$unset`, `$inc`, `$push`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Doc = dict[str, Any]
Filter = Mapping[str, Any]
Update = Mapping[str, Mapping[str, Any]]

COMPARISONS = ("$ne", "$gt", "$gte", "$lt", "$lte", "$in")
UPDATE_OPS = ("$set", "$unset", "$inc", "$push")


class StoreUnavailable(Exception):
    """The store cannot be reached (a server down, a network cut): nothing can be read or written now. The API
    answers UNAVAILABLE (HTTP 503) and the client may try again later."""

    backend = "store"


class DuplicateKey(Exception):
    """An insert or update would break a unique index."""

    def __init__(self, collection: str, detail: str = "") -> None:
        super().__init__(f"duplicate key in {collection}: {detail}")
        self.collection = collection


@dataclass(frozen=True)
class Index:
    """An index over one or more fields, ascending; unique when asked."""

    collection: str
    fields: tuple[str, ...]
    unique: bool = False


@dataclass
class Page:
    """One page of a keyset-paginated find: each document's cursor, and `next_cursor` (None on the last page)."""

    docs: list[Doc] = field(default_factory=list)
    next_cursor: str | None = None
    cursors: list[str] = field(default_factory=list)


class DocumentStore(Protocol):
    kind: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> None:
        """Raise when the backend cannot answer."""

    async def ensure_index(self, index: Index) -> None: ...

    async def insert(self, collection: str, doc: Doc) -> None:
        """Insert one document; raise DuplicateKey on `_id` or a unique index conflict."""

    async def insert_many(self, collection: str, docs: Sequence[Doc]) -> None:
        """Insert documents in bulk (seeds, benchmarks); DuplicateKey if any conflicts (the others may stay)."""

    async def get(self, collection: str, doc_id: str) -> Doc | None: ...

    async def get_many(self, collection: str, ids: Sequence[str]) -> dict[str, Doc]:
        """Documents by id, in one round trip; missing ids are absent from the result."""

    async def find(
        self,
        collection: str,
        where: Filter | None = None,
        *,
        sort: str = "_id",
        direction: Literal[1, -1] = 1,
        limit: int = 100,
        after: str | None = None,
        fields: Sequence[str] | None = None,
    ) -> Page:
        """Keyset pagination on (sort, _id): stable under inserts, cursors are opaque strings. With `fields` (top-level
        names) each document holds only `_id` and those of them it has: jobs that read many documents for a few
        fields leave the rest in the store."""

    async def count(self, collection: str, where: Filter | None = None) -> int: ...

    async def update_one(self, collection: str, where: Filter, update: Update) -> Doc | None:
        """Atomically apply `update` to one document matching `where` (the guard); return it as it is after,
        or None when nothing matched. Two concurrent calls never both pass a guard the first one breaks."""

    async def set_many(self, collection: str, changes: Mapping[str, Mapping[str, Any]]) -> int:
        """Bulk `$set` by id ({id: {field: value}}), for jobs. Documents that already hold those values are left
        alone (not rewritten); the number actually changed."""

    async def delete(self, collection: str, doc_id: str) -> bool: ...

    async def drop_all(self) -> None:
        """Remove every collection (tests and demo resets only)."""

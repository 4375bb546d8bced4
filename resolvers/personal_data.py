"""A user's documents of one collection, page by page, where domain/personal_data.py says they are: what the data
export writes and the account erasure walks. Keyset pages on an index, so neither holds more than one page."""

from __future__ import annotations

from collections.abc import AsyncIterator

from domain.personal_data import Found
from store.protocol import Doc, DocumentStore

PAGE = 500


async def pages(
    store: DocumentStore, collection: str, found: Found, user_id: str, size: int = PAGE
) -> AsyncIterator[list[Doc]]:
    """Every document of `collection` whose `found.field` is the user's id, in `found.sort` order. Documents
    deleted or changed behind the cursor do not move it (the cursor is a sort value and an id, not a position)."""
    if found.field == "_id":
        doc = await store.get(collection, user_id)
        if doc is not None:
            yield [doc]
        return
    after = None
    while True:
        page = await store.find(collection, {found.field: user_id}, sort=found.sort, limit=size, after=after)
        if page.docs:
            yield page.docs
        if page.next_cursor is None:
            return
        after = page.next_cursor


async def each(store: DocumentStore, collection: str, found: Found, user_id: str) -> AsyncIterator[Doc]:
    async for page in pages(store, collection, found, user_id):
        for doc in page:
            yield doc

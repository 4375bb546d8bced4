"""Counters on top of the DocumentStore: `$inc` on a document that may not exist yet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from store.protocol import Doc, DocumentStore, DuplicateKey


async def increment(
    store: DocumentStore, collection: str, doc_id: str, inc: Mapping[str, int | float], fields: Mapping[str, Any]
) -> Doc:
    """Add `inc` to the document, creating it from `fields` (the increments as starting values) when it is missing.
    Two callers creating it at once both count: the one whose insert loses adds its increment to the winner's."""
    found = await store.update_one(collection, {"_id": doc_id}, {"$inc": dict(inc)})
    if found is not None:
        return found
    doc = {"_id": doc_id, **fields, **inc}
    try:
        await store.insert(collection, doc)
        return doc
    except DuplicateKey:
        found = await store.update_one(collection, {"_id": doc_id}, {"$inc": dict(inc)})
        if found is None:
            raise
        return found

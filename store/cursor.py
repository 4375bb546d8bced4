"""Opaque keyset cursors: the sort value and the `_id` of the last document of a page."""

from __future__ import annotations

import base64
from typing import Any

import orjson

from store.protocol import Doc, Page


class BadCursor(ValueError):
    """A cursor that this store did not hand out (the API answers INVALID_INPUT on `after`)."""


def encode_cursor(value: Any, doc_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([value, doc_id])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, doc_id = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise BadCursor(cursor) from exc
    # A sort value is a scalar: anything else was not handed out here (and a document would be an operator to Mongo).
    if not isinstance(doc_id, str) or not (value is None or isinstance(value, str | float) or _int64(value)):
        raise BadCursor(cursor)
    return value, doc_id


def _int64(value: Any) -> bool:
    return isinstance(value, int) and -(2**63) <= value < 2**63


def page_of(docs: list[Doc], sort: str, limit: int) -> Page:
    """A Page from up to limit + 1 documents fetched in order: the extra one only says there is more."""
    shown = docs[:limit]
    cursors = [encode_cursor(None if sort == "_id" else d.get(sort), d["_id"]) for d in shown]
    more = len(docs) > limit and bool(shown)
    return Page(shown, cursors[-1] if more else None, cursors)

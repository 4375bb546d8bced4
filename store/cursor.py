"""Opaque keyset cursors: the sort value and the `_id` of the last document of a page."""

from __future__ import annotations

import base64
from typing import Any

import orjson


class BadCursor(ValueError):
    """A cursor that this store did not hand out."""


def encode_cursor(value: Any, doc_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([value, doc_id])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, doc_id = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(doc_id, str):
        raise BadCursor(cursor)
    return value, doc_id

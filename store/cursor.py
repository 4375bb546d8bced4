"""Opaque keyset cursors: the sort value and the `_id` of the last document of a page."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
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


_TOP_LEVEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def fetched(fields: Sequence[str], sort: str) -> list[str]:
    """The fields a projected find reads: those asked (top-level names, checked), and the sort key that the cursors
    are made of; `_id` comes anyway."""
    if isinstance(fields, str):  # a str is a Sequence[str] too: "buyerId" would read b, u, y, ...
        raise TypeError("fields is a list of names, not one name")
    names = list(dict.fromkeys(f for f in fields if f != "_id"))
    for name in names:
        if not _TOP_LEVEL.match(name):
            raise ValueError(f"a projection names top-level fields only, not {name!r}")
    return names if sort == "_id" or sort in names else [*names, sort]


def page_of(docs: list[Doc], sort: str, limit: int, fields: Sequence[str] | None = None) -> Page:
    """A Page from up to limit + 1 documents fetched in order: the extra one only says there is more. With `fields`,
    the sort key, read for the cursors only, leaves the documents when it was not asked for."""
    shown = docs[:limit]
    cursors = [encode_cursor(None if sort == "_id" else d.get(sort), d["_id"]) for d in shown]
    more = len(docs) > limit and bool(shown)
    if fields is not None and sort != "_id" and sort not in fields:
        for d in shown:
            d.pop(sort, None)
    return Page(shown, cursors[-1] if more else None, cursors)

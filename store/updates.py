"""Applying an update document in Python, for stores that cannot do it server-side (SQLite)."""

from __future__ import annotations

import copy
from typing import Any

from store.protocol import UPDATE_OPS, Doc, Update


def apply_update(doc: Doc, update: Update) -> Doc:
    """Return a new document with `$set`, `$unset`, `$inc` and `$push` applied (top-level fields)."""
    unknown = set(update) - set(UPDATE_OPS)
    if unknown:
        raise ValueError(f"unsupported update operators: {sorted(unknown)}")
    out = copy.deepcopy(doc)
    for name, value in update.get("$set", {}).items():
        out[name] = value
    for name in update.get("$unset", {}):
        out.pop(name, None)
    for name, amount in update.get("$inc", {}).items():
        out[name] = out.get(name, 0) + amount
    for name, value in update.get("$push", {}).items():
        out[name] = [*out.get(name, []), *_pushed(value)]
    return out


def _pushed(value: Any) -> list[Any]:
    if isinstance(value, dict) and "$each" in value:
        return list(value["$each"])
    return [value]

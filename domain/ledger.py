"""The commission ledger's tamper evidence: each entry's hash is sha256(previous hash + canonical JSON of the
entry without its hash). Changing, removing or reordering any entry breaks every hash after it. No I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64
HASHED_OUT = ("hash", "_id")


def canonical(entry: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text: one byte string per entry whatever the store returned."""
    body = {k: v for k, v in entry.items() if k not in HASHED_OUT}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256((previous + canonical(entry)).encode()).hexdigest()


def first_bad(entries: Iterable[Mapping[str, Any]]) -> tuple[int, Mapping[str, Any] | None, str]:
    """(entries checked, the first entry whose `prev` or `hash` does not match, head hash) in sequence order."""
    previous, count = GENESIS, 0
    for entry in entries:
        count += 1
        if entry.get("prev") != previous or entry.get("hash") != chain_hash(previous, entry):
            return count, entry, previous
        previous = entry["hash"]
    return count, None, previous

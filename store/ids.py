"""Document ids: time-ordered (so `_id` order is creation order) and unguessable."""

from __future__ import annotations

import secrets
import time


def new_id() -> str:
    """12 hex digits of milliseconds since the epoch, then 10 random hex digits."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(5)}"

"""Data exports (PIPL art. 45): an export's states and its download link's life. No I/O here.

    PREPARING -> READY   (the archive is written; its signed link works until expiresAt)
    PREPARING -> FAILED  (MAX_ATTEMPTS preparers died or failed)
    READY     -> EXPIRED (past expiresAt the sweep deletes the file)

While one is PREPARING it holds the user's OPEN_SLOT (a unique index on (userId, slot)), so asking again, or
twice at once, returns that one export; once it is READY or FAILED its slot is its own id and the next ask makes
a new archive.
"""

from __future__ import annotations

PREPARING = "PREPARING"
READY = "READY"
FAILED = "FAILED"
EXPIRED = "EXPIRED"
STATUSES = (PREPARING, READY, FAILED, EXPIRED)

OPEN_SLOT = "open"
FORMAT = "youxianggou-data-export/1"
LEASE_MS = 300_000  # a preparer holds the export this long, renewed as it writes; the sweep takes over past it
MAX_ATTEMPTS = 3
HOUR_MS = 3_600_000


def expires_at(ready_at: int, hours: float) -> int:
    return ready_at + int(hours * HOUR_MS)


def file_name(export_id: str, attempt: str) -> str:
    """Where an attempt writes (each its own file, so two preparers never write into one)."""
    return f"{export_id}-{attempt}.json"

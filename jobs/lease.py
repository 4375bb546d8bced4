"""One leader per job across server processes: a lease document taken and renewed by compare-and-set."""

from __future__ import annotations

from resolvers.services import now_ms
from store.protocol import DocumentStore, DuplicateKey


async def acquire(store: DocumentStore, name: str, owner: str, ttl_ms: int) -> bool:
    """True when `owner` holds the lease `name` for the next ttl_ms (taken fresh, renewed, or taken over)."""
    now = now_ms()
    until = {"$set": {"owner": owner, "until": now + ttl_ms}}
    if await store.update_one("leases", {"_id": name, "owner": owner}, until):
        return True
    if await store.update_one("leases", {"_id": name, "until": {"$lt": now}}, until):
        return True
    try:
        await store.insert("leases", {"_id": name, "owner": owner, "until": now + ttl_ms})
        return True
    except DuplicateKey:
        return False

"""The points ledger: the one way a user's points move. `earn`, `spend`, `reverse` and the expiry sweep each append
an entry to `points_ledger`, idempotent by its key (the entry's `_id`), and move `users.points` by exactly its
amount, so the balance is always the ledger's sum.

No transaction spans the two documents. Each user's entries carry a sequence number (`seq`, unique per user): an
entry is written first, with the number after the user's `pointsVersion`, then applied by a compare-and-set of the
user document on that version. Whatever reads the user at that version and finds the next number taken applies
that entry first (a crash between the two writes is finished by the next change or by the sweep), so two entries
never apply on the same balance and a spend never takes the balance below zero."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from domain import points as rules
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey, Page

ATTEMPTS = 50  # lost races on a user's next sequence number before giving up (each loss is another entry applied)
PENDING_GRACE_MS = 60_000  # entries not applied after this long are applied by the sweep

Make = Callable[[Doc], Awaitable[dict[str, Any] | None]]


async def earn(
    services: Services,
    user_id: str,
    amount: int,
    *,
    key: str,
    reason: str,
    ref: str | None = None,
    growth: int | None = None,
) -> Doc | None:
    """Add `amount` points to this year's lot (expiring at the end of next year), with `growth` for the member level
    (the amount itself unless given: activity points). The entry (a replay: the first one); None when the user is
    gone."""
    refuse_problems(rules.amount_problems(amount))
    lot = rules.lot_of(services.now())

    async def make(user: Doc) -> dict[str, Any]:
        return {
            "kind": rules.EARNED,
            "amount": amount,
            "lots": {lot: amount},
            "consumed": 0,
            "growth": amount if growth is None else growth,
            "expiryDue": rules.expires_at(lot),
        }

    return await _append(services, user_id, key, reason, ref, make)


async def spend(services: Services, user_id: str, amount: int, *, key: str, reason: str, ref: str | None = None) -> Doc:
    """Take `amount` points, oldest lots first; refused (INSUFFICIENT_POINTS) past what the user can spend now."""
    refuse_problems(rules.amount_problems(amount))

    async def make(user: Doc) -> dict[str, Any]:
        have = rules.spendable(user.get("points", 0), _lots(user), user.get("pointsConsumed", 0), services.now())
        if have < amount:
            raise Refused("INSUFFICIENT_POINTS", f"{amount} points are needed; you have {have}")
        return {"kind": rules.SPENT, "amount": -amount, "lots": {}, "consumed": amount, "growth": 0}

    entry = await _append(services, user_id, key, reason, ref, make)
    if entry is None:
        raise Refused("NOT_FOUND", "No such user", ["input", "userId"])
    return entry


async def reverse(
    services: Services,
    key: str,
    *,
    amount: int | None = None,
    growth: int | None = None,
    by: str | None = None,
    reason: str | None = None,
) -> Doc | None:
    """Undo the entry `key`: all of what is left of it, or `amount` points of it (`growth` with them when given,
    in proportion otherwise), as a REVERSED entry keyed `by` (`reverse:<key>` by default). Never more than the
    entry moved, whatever the reversals; None when there is no such entry or nothing is left of it."""
    store = services.store
    original = await store.get("points_ledger", key)
    if original is None or original["kind"] not in (rules.EARNED, rules.SPENT):
        return None
    by = by or f"reverse:{key}"

    async def make(user: Doc) -> dict[str, Any] | None:
        done = await store.find("points_ledger", {"reverses": key}, limit=1000)
        left = abs(original["amount"]) - sum(abs(e["amount"]) for e in done.docs)
        take = left if amount is None else min(amount, left)
        if take <= 0:
            return None
        growth_left = original.get("growth", 0) - sum(-e.get("growth", 0) for e in done.docs)
        if growth is not None:
            g = min(growth, growth_left)
        elif take == left:
            g = growth_left
        else:
            g = original.get("growth", 0) * take // abs(original["amount"])
        if original["kind"] == rules.EARNED:
            (lot,) = original["lots"]
            return {
                "kind": rules.REVERSED,
                "amount": -take,
                "lots": {lot: -take},
                "consumed": 0,
                "growth": -g,
                "reverses": key,
            }
        return {"kind": rules.REVERSED, "amount": take, "lots": {}, "consumed": -take, "growth": 0, "reverses": key}

    return await _append(
        services, original["userId"], by, reason or f"reversal of {original['reason']}", original.get("ref"), make
    )


async def forfeit(services: Services, user_id: str) -> Doc | None:
    """An account's deletion: the balance, whatever it is, goes to zero by one entry (once)."""

    async def make(user: Doc) -> dict[str, Any] | None:
        balance = int(user.get("points", 0))
        if balance == 0:
            return None
        return {"kind": rules.SPENT, "amount": -balance, "lots": {}, "consumed": balance, "growth": 0}

    return await _append(services, user_id, f"forfeit:{user_id}", "ACCOUNT_DELETED", None, make)


async def expire(services: Services, user_id: str, lot: str) -> Doc | None:
    """The points of the user's lots up to `lot` that were never consumed are gone (once per user and lot)."""

    async def make(user: Doc) -> dict[str, Any] | None:
        gone = rules.expiring(_lots(user), user.get("pointsConsumed", 0), lot)
        if gone <= 0:
            return None
        return {"kind": rules.EXPIRED, "amount": -gone, "lots": {}, "consumed": gone, "growth": 0}

    return await _append(services, user_id, f"expire:{user_id}:{lot}", "EXPIRED", None, make)


async def expire_due(services: Services, limit: int = 500) -> int:
    """The sweep: lots past their expiry, by user; the entries whose lot was looked at are marked (expiryDue None)."""
    store = services.store
    due = await store.find("points_ledger", {"expiryDue": {"$lte": services.now()}}, sort="expiryDue", limit=limit)
    lots: dict[str, str] = {}
    for entry in due.docs:
        (lot,) = entry["lots"]
        lots[entry["userId"]] = max(lots.get(entry["userId"], lot), lot, key=int)
    expired = 0
    for user_id, lot in lots.items():
        expired += await expire(services, user_id, lot) is not None
    await store.set_many("points_ledger", {e["_id"]: {"expiryDue": None} for e in due.docs})
    return expired


async def apply_pending(services: Services, limit: int = 500) -> int:
    """The sweep: entries a crash left written but not applied (older than a minute)."""
    page = await services.store.find(
        "points_ledger", {"pending": True, "at": {"$lte": services.now() - PENDING_GRACE_MS}}, sort="at", limit=limit
    )
    for entry in page.docs:
        await _apply(services, entry)
    return len(page.docs)


async def ledger_page(services: Services, user_id: str, first: int, after: str | None) -> Page:
    """A user's entries, newest first."""
    return await services.store.find(
        "points_ledger", {"userId": user_id}, sort="seq", direction=-1, limit=first, after=after
    )


def _lots(user: Doc) -> dict[str, int]:
    return dict(user.get("pointsLots") or {})


async def _append(services: Services, user_id: str, key: str, reason: str, ref: str | None, make: Make) -> Doc | None:
    """Write the entry `make` computes from the user as they are, as their next one, and apply it; a replay of
    `key` returns the entry first written (applied). None when the user is gone or `make` has nothing to move."""
    if not 0 < len(key) <= rules.KEY_MAX:
        raise ValueError(f"a points key is 1 to {rules.KEY_MAX} characters")
    store = services.store
    for _ in range(ATTEMPTS):
        existing = await store.get("points_ledger", key)
        if existing is not None:
            if existing["userId"] != user_id:  # keys are global: a caller's key must name what it is for
                raise ValueError(f"points key {key!r} is another user's")
            await _apply(services, existing)
            return existing
        user = await store.get("users", user_id)
        if user is None:
            return None
        version = user.get("pointsVersion") or 0
        try:
            fields = await make(user)
        except Refused:
            if await _apply_next(services, user_id, version):
                continue  # refused on a balance a crash left behind: again on the true one
            raise
        if fields is None:
            return None
        entry = {
            "_id": key,
            "userId": user_id,
            "seq": version + 1,
            "reason": reason,
            "ref": ref,
            "at": services.now(),
            "pending": True,
            **fields,
        }
        try:
            await store.insert("points_ledger", entry)
        except DuplicateKey:
            # the key (a replay: read again above) or the number (another entry, perhaps not applied: apply it)
            await _apply_next(services, user_id, version)
            continue
        await _apply(services, entry)
        return entry
    raise LookupError(f"user {user_id}: {ATTEMPTS} points entries raced; this one could not be written")


async def _apply_next(services: Services, user_id: str, version: int) -> bool:
    """Apply the user's entry after `version` if one is written (a racer's, or one a crash left); whether one was."""
    taken = await services.store.find("points_ledger", {"userId": user_id, "seq": version + 1}, limit=1)
    for other in taken.docs:
        await _apply(services, other)
    return bool(taken.docs)


async def _apply(services: Services, entry: Doc) -> None:
    """Move the user's balance, lots, consumption and growth by the entry, once: on the version just before it."""
    if not entry.get("pending"):
        return
    store = services.store
    user = await store.get("users", entry["userId"])
    if user is None:
        return
    version = user.get("pointsVersion") or 0
    if version == entry["seq"] - 1:
        lots = _lots(user)
        for lot, amount in entry["lots"].items():
            lots[lot] = lots.get(lot, 0) + amount
        changes = {
            "points": user.get("points", 0) + entry["amount"],
            "pointsVersion": entry["seq"],
            "pointsLots": {lot: amount for lot, amount in lots.items() if amount},
            "pointsConsumed": user.get("pointsConsumed", 0) + entry["consumed"],
            "growth": user.get("growth", 0) + entry["growth"],
        }
        guard = {"_id": user["_id"], "pointsVersion": version or None}
        if await store.update_one("users", guard, {"$set": changes}) is None:
            user = await store.get("users", entry["userId"]) or user  # applied meanwhile, by whoever read it too
            version = user.get("pointsVersion") or 0
        else:
            version = entry["seq"]
    if version >= entry["seq"]:
        await store.update_one("points_ledger", {"_id": entry["_id"]}, {"$unset": {"pending": ""}})

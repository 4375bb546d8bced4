"""deleteMyAccount and cancelAccountDeletion, and the sweep that carries a deletion out once its cooling-off
period is over (domain/account_deletion.py has the states; resolvers/account_erasure.py the steps).

One document per user in `account_deletions`, its id the user's: asking twice, or twice at once, is one deletion
(a unique insert, or a compare-and-set from CANCELLED). Carrying it out: nothing may block it (checked again),
PENDING -> ERASING by compare-and-set (so a cancel and the sweep never both win), then the erasure steps in order,
each marked done as it ends: a sweep that dies resumes at the first unmarked step once its lease is over (every
step is idempotent). The first step revokes every login, so the user can no longer act; what slipped in before it
(an order paid a moment earlier) is looked for once more then, and sends the deletion back to PENDING, blocked.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from domain import account_deletion as rules
from domain.text import clean
from resolvers import account_erasure as erasure
from resolvers.errors import Refusals, Refused, refuse_problems
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
COLLECTION = "account_deletions"
SWEEP_BATCH = 20


async def blockers(services: Services, user_id: str) -> list[str]:
    """What stops the user's account from being deleted now (domain/account_deletion.py BLOCKERS), in order."""
    store = services.store

    async def any_of(collection: str, where: dict[str, object]) -> bool:
        return bool((await store.find(collection, where, limit=1)).docs)

    found = []
    if rules.balance_blocks(await store.get("balances", user_id)):
        found.append(rules.BALANCE_NOT_EMPTY)
    if (
        await any_of("orders", {"buyerId": user_id, "status": {"$in": list(rules.ORDER_OPEN)}})
        or await any_of("orders", {"buyerId": user_id, "refundDue": {"$ne": None}})  # money on its way back
        or await any_of("orders", {"buyerId": user_id, "priceRefundDue": {"$ne": None}})
        or await any_of("orders", {"buyerId": user_id, "wechatReportDue": {"$ne": None}})  # needs their openid
    ):
        found.append(rules.OPEN_ORDERS)
    if await any_of("after_sales", {"buyerId": user_id, "status": {"$in": list(rules.AFTER_SALE_OPEN)}}):
        found.append(rules.OPEN_AFTER_SALES)
    if await any_of("withdrawals", {"userId": user_id, "status": {"$in": list(rules.WITHDRAWAL_OPEN)}}):
        found.append(rules.OPEN_WITHDRAWALS)
    if await any_of("shops", {"ownerId": user_id}):
        found.append(rules.OWNS_SHOP)
    return found


def _refusals(found: list[str]) -> Refusals:
    return Refusals([Refused(code, rules.BLOCKERS[code]) for code in found])


async def request_deletion(services: Services, user_id: str, reason: str | None) -> Doc:
    """The user's one pending deletion: a new one (due after the cooling-off period), or the one asked already
    (asking again changes nothing, not even its date). Refused, one error per blocker, while anything blocks it."""
    refuse_problems(rules.reason_problems(reason))
    found = await blockers(services, user_id)
    if found:
        raise _refusals(found)
    store = services.store
    for _ in range(5):
        now = services.now()
        due = rules.due_at(now, services.settings.ACCOUNT_DELETION_COOLING_DAYS)
        fresh = {
            "status": rules.PENDING,
            "requestedAt": now,
            "dueAt": due,
            "checkAt": due,
            "reason": clean(reason, multiline=True) if reason else None,
            "blockedBy": [],
        }
        current = await store.get(COLLECTION, user_id)
        if current is None:
            try:
                doc = {"_id": user_id, "userId": user_id, **fresh}
                await store.insert(COLLECTION, doc)
                return doc
            except DuplicateKey:
                continue  # a concurrent ask made it: read it
        if current["status"] != rules.CANCELLED:
            return current  # PENDING (the same single deletion), or under way
        asked = await store.update_one(
            COLLECTION,
            {"_id": user_id, "status": rules.CANCELLED, "cancelledAt": current["cancelledAt"]},
            {"$set": fresh, "$unset": {"cancelledAt": ""}},
        )
        if asked is not None:
            return asked
    raise Refused("CONFLICT", "Your deletion changed meanwhile; try again")


async def cancel_deletion(services: Services, user_id: str) -> Doc:
    """Undo a pending deletion (idempotent: a cancelled one is returned as it is). INVALID_STATE once it is
    being carried out; NOT_FOUND when none was asked."""
    store = services.store
    cancelled = await store.update_one(
        COLLECTION,
        {"_id": user_id, "status": rules.PENDING},
        {"$set": {"status": rules.CANCELLED, "cancelledAt": services.now(), "blockedBy": []}},
    )
    if cancelled is not None:
        return cancelled
    current = await store.get(COLLECTION, user_id)
    if current is None:
        raise Refused("NOT_FOUND", "You have not asked to delete your account")
    if current["status"] == rules.CANCELLED:
        return current
    raise Refused("INVALID_STATE", "Your account is being deleted; it is too late to cancel")


async def deletion_of(services: Services, user_id: str) -> Doc | None:
    return await services.store.get(COLLECTION, user_id)


# -- carrying it out -------------------------------------------------------------------------------------------
async def erase_due(services: Services) -> int:
    """Start the deletions whose cooling-off period is over, and resume those a dead sweep left ERASING. The
    number of accounts whose erasure finished."""
    store, now = services.store, services.now()
    deadline = time.monotonic() + services.settings.ACCOUNT_ERASURE_SECONDS
    token = erasure.DEADLINE.set(deadline)
    finished, started = 0, False
    try:
        for status in (rules.ERASING, rules.PENDING):
            due = await store.find(
                COLLECTION, {"status": status, "checkAt": {"$lte": now}}, sort="checkAt", limit=SWEEP_BATCH
            )
            for doc in due.docs:
                if started and time.monotonic() > deadline:
                    return finished  # the rest in the next run (which gets on with at least one)
                started = True
                taken = await _resume(services, doc) if status == rules.ERASING else await _start(services, doc)
                if taken is not None and await _erase(services, taken):
                    finished += 1
    finally:
        erasure.DEADLINE.reset(token)
    return finished


async def _start(services: Services, doc: Doc) -> Doc | None:
    """PENDING -> ERASING once nothing blocks it; a blocked one waits, naming its blockers, and is looked at again
    RETRY_BLOCKED_MS later. The compare-and-set decides against a cancel arriving at the same time."""
    found = await blockers(services, doc["_id"])
    guard = {"_id": doc["_id"], "status": rules.PENDING, "checkAt": doc["checkAt"]}
    if found:
        await _postpone(services, guard, found)
        return None
    now = services.now()
    return await services.store.update_one(
        COLLECTION,
        guard,
        {
            "$set": {
                "status": rules.ERASING,
                "step": 0,
                "erasingAt": now,
                "blockedBy": [],
                "checkAt": now + rules.LEASE_MS,
            }
        },
    )


async def _postpone(services: Services, guard: dict[str, Any], found: list[str]) -> None:
    log.info("account deletion postponed", extra={"user": guard["_id"], "blockedBy": found})
    changes = {"status": rules.PENDING, "blockedBy": found, "checkAt": services.now() + rules.RETRY_BLOCKED_MS}
    await services.store.update_one(COLLECTION, guard, {"$set": changes, "$unset": {"step": ""}})


async def _resume(services: Services, doc: Doc) -> Doc | None:
    """Take over an erasure whose sweep's lease ran out (it died), at the step it marked."""
    return await services.store.update_one(
        COLLECTION,
        {"_id": doc["_id"], "status": rules.ERASING, "step": doc["step"], "checkAt": doc["checkAt"]},
        {"$set": {"checkAt": services.now() + rules.LEASE_MS}},
    )


async def _erase(services: Services, doc: Doc) -> bool:
    """Run the steps from the first not marked done; True when this call finished the erasure."""
    store, user_id = services.store, doc["_id"]
    steps = list(erasure.ERASERS.items())
    for index in range(doc["step"], len(steps)):
        name, step = steps[index]
        try:
            await step(services, user_id)
        except erasure.Paused:  # this run's time is over: the next run resumes this step
            await store.update_one(
                COLLECTION,
                {"_id": user_id, "status": rules.ERASING, "step": index},
                {"$set": {"checkAt": services.now()}},
            )
            return False
        if index == 0:  # every login revoked, the user can no longer act: what slipped in before still blocks it
            found = await blockers(services, user_id)
            if found:
                await _postpone(services, {"_id": user_id, "status": rules.ERASING, "step": 0}, found)
                return False
        marked = await store.update_one(
            COLLECTION,
            {"_id": user_id, "status": rules.ERASING, "step": index},
            {"$set": {"step": index + 1, "checkAt": services.now() + rules.LEASE_MS}},
        )
        if marked is None:
            log.warning("account erasure of %s taken over at step %s", user_id, name)
            return False
    done = await store.update_one(
        COLLECTION,
        {"_id": user_id, "status": rules.ERASING, "step": len(steps)},
        {"$set": {"status": rules.DONE, "doneAt": services.now(), "reason": None}, "$unset": {"checkAt": ""}},
    )
    if done is not None:
        log.info("account erased", extra={"user": user_id})
    return done is not None

"""Running the steps an order owes after a move (domain/recovery.py): at once by the request that moved it, later
by the sweep when that request died. Each step is claimed by compare-and-set on its field, so two runners never run
one step together; a counter a step moves is moved with a mark, so a runner that died half-way is never repeated.

The steps themselves are the use cases' own (orders.release's, payments' follow-ups, the refund's): they register a
handler here (`handles`), which does the step's work; one that moves a counter returns it (`Counter`) for the runner
to apply with its mark.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from domain import recovery as rules
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
COLLECTION = "orders"


@dataclass(frozen=True)
class Counter:
    """An `$inc` on one document, made once per step (with its mark); `created` is the document to insert when it
    does not exist yet (with the increment already in it); `then` runs after it was made."""

    collection: str
    doc_id: str
    inc: dict[str, int]
    created: Doc | None = None
    also: dict[str, Any] = field(default_factory=dict)  # fields $set with the increment
    then: Callable[[Doc], Awaitable[None]] | None = field(default=None, compare=False)


Handler = Callable[[Services, Doc, str], Awaitable[Counter | None]]
Target = Callable[[Doc, str], tuple[str, str] | None]
_HANDLERS: dict[str, tuple[Handler, Target | None]] = {}


def handles(kind: str, target: Target | None = None) -> Callable[[Handler], Handler]:
    """Register the handler of a step kind; `target` names (collection, id) of the document its Counter changes,
    for the runner to clear the mark of a step found "done" (None: the step leaves no mark)."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = (handler, target)
        return handler

    return register


async def apply_once(services: Services, counter: Counter, mark: str) -> bool:
    """Make the counter's change unless its mark shows it was made; True when this call made it."""
    store = services.store
    changed = await store.update_one(
        counter.collection,
        {"_id": counter.doc_id, mark: None},
        {"$inc": counter.inc, "$set": {**counter.also, mark: 1}},
    )
    if changed is None and counter.created is not None and await store.get(counter.collection, counter.doc_id) is None:
        try:
            changed = {**counter.created, mark: 1}
            await store.insert(counter.collection, changed)
        except DuplicateKey:  # made meanwhile by another order: increment it
            return await apply_once(services, Counter(counter.collection, counter.doc_id, counter.inc), mark)
    if changed is not None and counter.then is not None:
        await counter.then(changed)
    return changed is not None


async def settle(services: Services, order: Doc) -> Doc:
    """Run every step the order owes that nobody else runs now; the order as it is after. A step that fails is left
    to the sweep (logged), so the request that made the move still answers."""
    try:
        return await _settle(services, order)
    except Exception:
        log.exception("order %s: a follow-up step failed; the sweep finishes it", order["_id"])
        return await services.store.get(COLLECTION, order["_id"]) or order


async def _settle(services: Services, order: Doc) -> Doc:
    store = services.store
    steps = rules.owed(order)
    if not steps and rules.REPAIR_AT not in order:
        return order
    done = [name for name, state in steps.items() if await _run(services, order, name, state)]
    if steps and len(done) == len(steps):  # the usual case: every step done here, the record goes in one update
        where = {
            "_id": order["_id"],
            rules.REPAIR_AT: order.get(rules.REPAIR_AT),
            **{rules.field(s): rules.DONE for s in done},
        }
        unset = {rules.field(s): "" for s in done}
        finished = await store.update_one(COLLECTION, where, {"$unset": {**unset, rules.REPAIR_AT: ""}})
        if finished is not None:
            return finished
    for name in done:
        await store.update_one(
            COLLECTION, {"_id": order["_id"], rules.field(name): rules.DONE}, {"$unset": {rules.field(name): ""}}
        )
    current = await store.get(COLLECTION, order["_id"])
    if current is None:
        return order
    left = rules.owed(current)
    if not left and rules.REPAIR_AT in current:
        cleared = await store.update_one(
            COLLECTION,
            {"_id": current["_id"], rules.REPAIR_AT: current[rules.REPAIR_AT], **{rules.field(s): None for s in steps}},
            {"$unset": {rules.REPAIR_AT: ""}},
        )
        return cleared or current
    return current


async def _run(services: Services, order: Doc, name: str, state: object) -> bool:
    """Run one step unless another runner holds it; True once it is done and its mark removed (its field may go)."""
    store = services.store
    kind, arg = rules.split(name)
    handler, target = _HANDLERS[kind]
    key = rules.field(name)
    mark = rules.mark(order["_id"], name)
    if state != rules.DONE:
        now = services.now()
        if not rules.claimable(state, now):
            return False  # another runner holds it
        claimed = await store.update_one(COLLECTION, {"_id": order["_id"], key: state}, {"$set": {key: now}})
        if claimed is None:
            return False  # another runner took it first
        counter = await handler(services, claimed, arg)
        if counter is not None:
            await apply_once(services, counter, mark)
        if await store.update_one(COLLECTION, {"_id": order["_id"], key: now}, {"$set": {key: rules.DONE}}) is None:
            return False  # our lease ran out and another runner took over: it finishes
    where = target(order, arg) if target is not None else None
    if where is not None:
        await store.update_one(where[0], {"_id": where[1]}, {"$unset": {mark: ""}})
    return True


async def repair_due(services: Services, limit: int = 200) -> int:
    """The sweep's part: orders whose steps were not finished by the request that moved them (it died, or a step
    failed); how many had steps left."""
    due = await services.store.find(
        COLLECTION, {rules.REPAIR_AT: {"$lt": services.now()}}, sort=rules.REPAIR_AT, limit=limit
    )
    for order in due.docs:
        log.warning("order %s: finishing the steps it owes %s", order["_id"], sorted(rules.owed(order)))
        await settle(services, order)
    return len(due.docs)

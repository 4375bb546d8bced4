"""Unpaid holds per buyer (domain/holds.py): checked before an order is written, taken by compare-and-set on the
buyer's one `unpaid_holds` document (so two racing orders never both pass a limit), released when the order is
paid, cancelled or forgotten."""

from __future__ import annotations

from collections.abc import Sequence

from domain import holds as rules
from resolvers.errors import Refused
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey

COLLECTION = "unpaid_holds"
CAS_ATTEMPTS = 50
HELD = "unpaidHold"  # an order field: the order has a hold to release


def limits(services: Services) -> rules.Limits:
    return rules.Limits.of(services.settings)


def pay_by(services: Services, now: int, lines: Sequence[tuple[str, int]]) -> int:
    """When an order of these lines must be paid by (sooner for a large one)."""
    return now + int(rules.pay_minutes(lines, limits(services)) * 60_000)


def _refused(refusal: rules.Refusal, seat: bool) -> Refused:
    if refusal.kind == rules.ORDERS:
        field = None
    elif seat:
        field = ["input", "skuId"]
    else:
        field = ["input", "lines", str(refusal.line), "quantity"]
    return Refused("TOO_MANY_UNPAID", refusal.message, field)


async def ledger(services: Services, buyer_id: str) -> Doc:
    """The buyer's holds document (made empty the first time)."""
    doc = await services.store.get(COLLECTION, buyer_id)
    if doc is not None:
        return doc
    first = {"_id": buyer_id, "version": 0, "holds": []}
    try:
        await services.store.insert(COLLECTION, dict(first))
    except DuplicateKey:  # a concurrent first order made it
        return await services.store.get(COLLECTION, buyer_id) or first
    return first


async def check(
    services: Services, buyer_id: str, key: str, lines: Sequence[tuple[str, int]], seat: bool
) -> Doc | None:
    """Refuse, before anything is written, an order the buyer's unpaid holds leave no room for (read only: `take`
    decides under contention). Returns the holds it read, for `take` to start from."""
    doc = await services.store.get(COLLECTION, buyer_id)
    now = services.now()
    hold = rules.new_hold("", key, lines, seat, pay_by(services, now, lines))
    refusal = rules.refusal(doc["holds"] if doc else [], hold, limits(services), now)
    if refusal is not None:
        raise _refused(refusal, seat)
    return doc


class HoldRefused(Refused):
    """TOO_MANY_UNPAID for the hold at `index` of those taken together."""

    def __init__(self, refused: Refused, index: int) -> None:
        super().__init__(refused.code, str(refused), refused.field)
        self.index = index


async def take(services: Services, order: Doc, seat: bool, read: Doc | None = None) -> None:
    """Add the order's hold to its buyer's, or refuse it (TOO_MANY_UNPAID), by compare-and-set; from the holds
    `check` read when given (a stale copy only costs one more read: its version no longer matches)."""
    lines = [(line["skuId"], int(line["quantity"])) for line in order["lines"]]
    hold = rules.new_hold(order["_id"], order["idempotencyKey"], lines, seat, order["payBy"])
    try:
        await take_all(services, order["buyerId"], [hold], seat, read)
    except HoldRefused as exc:
        raise Refused(exc.code, str(exc), exc.field) from None


async def take_all(
    services: Services, buyer_id: str, new: Sequence[rules.Hold], seat: bool, read: Doc | None = None
) -> None:
    """Add several orders' holds at once (a checkout's, one per shop), each admitted after those before it, in
    one compare-and-set; HoldRefused names the first that finds no room, and then none is added."""
    store = services.store
    doc = read if read is not None else await ledger(services, buyer_id)
    for _ in range(CAS_ATTEMPTS):
        now = services.now()
        kept = doc["holds"]
        for index, hold in enumerate(new):
            refusal = rules.refusal(kept, hold, limits(services), now)
            if refusal is not None:
                raise HoldRefused(_refused(refusal, seat), index)
            kept = rules.admitted(kept, hold, now)
        changed = await store.update_one(
            COLLECTION,
            {"_id": doc["_id"], "version": doc["version"]},
            {"$set": {"holds": kept, "version": doc["version"] + 1}},
        )
        if changed is not None:
            return
        doc = await ledger(services, buyer_id)  # another order of this buyer moved first: read again
    raise Refused("CONFLICT", "Too many orders at once; try again", None)


async def release(services: Services, order: Doc) -> None:
    """The order no longer holds anything unpaid (paid, cancelled or forgotten): its hold goes."""
    if not order.get(HELD):
        return  # placed before holds were kept
    await release_all(services, order["buyerId"], [order["_id"]])


async def release_all(services: Services, buyer_id: str, order_ids: Sequence[str]) -> None:
    """The holds of these orders of the buyer go (those it has)."""
    store = services.store
    for _ in range(CAS_ATTEMPTS):
        doc = await store.get(COLLECTION, buyer_id)
        if doc is None or not any(h["orderId"] in order_ids for h in doc["holds"]):
            return
        kept = doc["holds"]
        for order_id in order_ids:
            kept = rules.released(kept, order_id, services.now())
        if await store.update_one(
            COLLECTION,
            {"_id": doc["_id"], "version": doc["version"]},
            {"$set": {"holds": kept, "version": doc["version"] + 1}},
        ):
            return
    # Left behind, the hold stops counting shortly after the order's payBy (domain/holds.py GRACE_MS).

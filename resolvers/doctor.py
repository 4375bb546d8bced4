"""`server.py doctor`: read everything the invariants of domain/invariants.py join, report what does not hold, and
with `fix` repair it.

Reads are whole-collection scans (an operator's tool, not a request). A violation is repaired only when it is seen
twice, `settle_seconds` apart, with the same observed values (a live request between its two writes is over by
then), and each repair is a compare-and-set on what was observed, so a write that lands meanwhile makes it a no-op
(seen again at the next run). Repairs are idempotent: once one is made the invariant holds and the next run finds
nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from domain import invariants as rules
from domain import recovery as recovery_rules
from domain.invariants import Violation
from resolvers import distribution, order_desk, orders
from resolvers.services import Services
from store.protocol import Doc

log = logging.getLogger(__name__)
PAGE = 1000
SETTLE_SECONDS = 1.0
MARKED = ("skus", "products", "users", "purchases")  # where order steps leave marks


@dataclass
class Report:
    found: list[Violation] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)  # what --fix changed, one line each
    skipped: list[str] = field(default_factory=list)  # violations it did not repair (changed meanwhile)
    left: list[Violation] = field(default_factory=list)  # what a check after the repairs still finds

    @property
    def ok(self) -> bool:
        return not self.left

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "violations": [v.as_json() for v in self.found],
            "fixed": self.fixed,
            "skipped": self.skipped,
            "left": [v.as_json() for v in self.left],
        }


async def scan(services: Services, collection: str) -> AsyncIterator[Doc]:
    after = None
    while True:
        page = await services.store.find(collection, limit=PAGE, after=after)
        for doc in page.docs:
            yield doc
        if page.next_cursor is None:
            return
        after = page.next_cursor


async def every(services: Services, collection: str) -> list[Doc]:
    return [doc async for doc in scan(services, collection)]


REPORTED_ONLY = frozenset({"points"})  # checks whose repair is a person's decision, not doctor's


async def check(services: Services) -> list[Violation]:
    """Every invariant, once."""
    skus = await every(services, "skus")  # read before the orders: a unit taken meanwhile moves the stock (the CAS)
    all_orders = await every(services, "orders")
    by_id = {s["_id"]: s for s in skus}
    returned = rules.received(await every(services, "after_sales"))
    out: dict[str, int] = {}
    for order in all_orders:
        for sku_id, units in rules.units_out(order, by_id, returned.get(order["_id"], [])).items():
            out[sku_id] = out.get(sku_id, 0) + units
    found = rules.stock_violations(skus, out)
    by_mark = {recovery_rules.mark_id(o["_id"]): o for o in all_orders}
    for collection in MARKED:
        docs = skus if collection == "skus" else await every(services, collection)
        for doc in docs:
            found += rules.mark_violations(collection, doc, by_mark)
    found += rules.balance_violations(
        await every(services, "balances"), rules.ledger_sums(await every(services, "ledger"))
    )
    users = await every(services, "users")
    found += rules.points_violations(users, await every(services, "points_ledger"))
    found += rules.team_violations(await every(services, "teams"), await every(services, "team_members"))
    found += rules.follow_violations(users, await every(services, "follows"))
    found += rules.desk_violations(await every(services, order_desk.COUNTS), all_orders)
    return found


async def run(services: Services, fix: bool = False, settle_seconds: float = SETTLE_SECONDS) -> Report:
    """Check; with `fix`, check again after `settle_seconds` and repair what was seen both times, then check once
    more (the report's violations are those left)."""
    found = await check(services)
    if not fix or not found:
        return Report(found, left=found)
    await asyncio.sleep(settle_seconds)
    again = {_key(v): v for v in await check(services)}
    report = Report(found)
    for violation in found:
        if violation.check in REPORTED_ONLY:
            report.skipped.append(f"{violation.subject}: reported only, not repaired (an operator decides)")
            continue
        if again.get(_key(violation)) != violation:
            report.skipped.append(f"{violation.subject}: changed meanwhile, not repaired (run doctor again)")
            continue
        done = await repair(services, violation)
        (report.fixed if done else report.skipped).append(
            f"{violation.subject}: {done}" if done else f"{violation.subject}: changed meanwhile, not repaired"
        )
    report.left = await check(services)
    return report


def _key(v: Violation) -> tuple[str, str, str]:
    return v.check, v.subject, repr(sorted(v.observed.items()))


async def repair(services: Services, v: Violation) -> str | None:
    """Make one violation's repair by compare-and-set on what it observed; what changed, or None if nothing did."""
    store = services.store
    collection, doc_id = v.subject.split(":", 1)
    if v.check == "stock":
        have, want = v.observed["stock"], v.wanted["stock"]
        done = await store.update_one(collection, {"_id": doc_id, "stock": have}, {"$inc": {"stock": want - have}})
        return f"stock {have} -> {want}" if done else None
    if v.check == "supply":
        where = {"_id": doc_id, "stock": v.observed["stock"], "supply": None}
        done = await store.update_one(collection, where, {"$set": {"supply": v.wanted["supply"]}})
        return f"supply recorded: {v.wanted['supply']}" if done else None
    if v.check == "mark":
        ((key, value),) = v.observed.items()
        if "untake" in v.wanted:
            order = await store.get("orders", v.wanted["order"])
            if order is None or not await orders.untake(services, order, int(v.wanted["untake"])):
                return None
            return f"{value} units of cancelled order {order['_id']} back in stock ({key} removed)"
        done = await store.update_one(collection, {"_id": doc_id, key: value}, {"$unset": {key: ""}})
        return f"{key} removed" if done else None
    if v.check == "balance":
        return await _correct_balance(services, doc_id, v)
    if v.check in ("team", "follows"):
        where = {"_id": doc_id, **v.observed}
        if v.check == "team":
            where["status"] = "OPEN"
        done = await store.update_one(collection, where, {"$set": dict(v.wanted)})
        return f"{dict(v.observed)} -> {dict(v.wanted)}" if done else None
    if v.check == "desk":
        counts = await order_desk.recount(services, doc_id)
        return f"recounted: {counts}"
    raise ValueError(f"no repair for {v.check}")


async def _correct_balance(services: Services, user_id: str, v: Violation) -> str | None:
    """The ledger is the record: a balance moved without its entry (a crash between the two) gets a CORRECTION
    entry of the difference. Claimed first by a compare-and-set on the balances observed (`correctedAt`), so two
    doctors never both append it."""
    store = services.store
    where: dict[str, Any] = {"_id": user_id, **v.observed}
    if await store.get("balances", user_id) is None:
        return None  # a ledger without balances: nothing to claim on; an operator looks at it
    claimed = await store.update_one("balances", where, {"$set": {"correctedAt": services.now()}})
    if claimed is None:
        return None
    deltas = {f: int(d) for f, d in v.wanted.items() if d}
    await distribution.append_ledger(
        services, {"kind": "CORRECTION", "userId": user_id, "ref": f"doctor:{user_id}", "deltas": deltas}
    )
    return f"ledger CORRECTION {deltas}"


def lines(report: Report) -> list[str]:
    """The report for people: a line per violation found, then what was repaired, then what is left."""
    out = [v.line() for v in report.found]
    out += [f"fixed    {line}" for line in report.fixed]
    out += [f"skipped  {line}" for line in report.skipped]
    if report.fixed or report.skipped:
        out += [f"left     {v.subject}  {v.message}" for v in report.left]
    out.append("ok: every invariant holds" if report.ok else f"{len(report.left)} violations")
    return out

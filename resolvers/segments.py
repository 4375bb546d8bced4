"""RFM segments of a shop's buyers (domain/rfm.py has the rules): the run that scores them, the merchant's own cut
points, a segment's members, and grants of a coupon to every member of a segment.

A run (`rfm_runs`, WRITING -> DONE) reads the shop's paid orders of the window once, scores every buyer and writes
the members of each segment in chunks (`rfm_members`, `{runId}:{segment}:{chunk}`, CHUNK members each, most paid
first), then marks itself DONE with its counts and cut points. Queries read the latest DONE run; a run is never
changed after, so a grant reads a fixed list. Runs but the last two (and those a running grant reads) lose their
chunks. One run per shop at a time (a lease `rfm:{shop}`); the segments job runs each shop whose last run is older
than RFM_REFRESH_HOURS, `refreshSegments` one shop now.

A grant (`coupon_grants`, RUNNING -> DONE) walks its run's members from `position`: each member gets the coupon
through the claim code (resolvers/coupons.take_copy, one claim per user and coupon, so nobody gets it twice), then
the position moves by compare-and-set. A crash between the two leaves claims marked with the grant's id, which the
resumed grant counts as its own; the segments job resumes grants whose lease ran out.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from domain import rfm as rules
from domain.orders import REFUNDED, REFUNDING
from jobs.lease import acquire
from resolvers import coupons
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
CHUNK = 1000  # members per rfm_members document
COLUMNS = ("r", "f", "m", "days", "orders", "amount")  # of a chunk, beside "users"
READ_PAGE = 5000  # orders per read
SCORED = ("buyerId", "status", "paidAt", "total", "refunded")  # the fields of an order that a run reads
WRITE_BATCH = 200  # chunks per insert_many
GRANT_BATCH = 200  # members claimed between two moves of a grant's position
GRANT_LEASE_MS = 60_000
RUN_LEASE_MS = 15 * 60_000
RUNS_KEPT = 2
WRITING, DONE = "WRITING", "DONE"
RUNNING = "RUNNING"
NOT_PAID = frozenset({REFUNDING, REFUNDED})  # fully refunded orders are not purchases


# -- the run -------------------------------------------------------------------------------------------------
@dataclass
class RfmRun:
    shop_id: str
    run_id: str
    buyers: int
    seconds: float


async def paid_orders(services: Services, shop_id: str, since_ms: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(buyer id, paidAt, amount) of each paid order of the shop since since_ms, as a list and two arrays."""
    buyers: list[str] = []
    paid_at: list[int] = []
    amounts: list[int] = []
    after = None
    where = {"shopId": shop_id, "paidAt": {"$gte": since_ms}}
    while True:
        # in _id order, which is the order orders were written in: the store reads its rows front to back; only
        # the fields scored (an order is ~700 bytes of JSON, these ~100: parsing whole orders was most of a run)
        page = await services.store.find("orders", where, limit=READ_PAGE, after=after, fields=SCORED)
        for order in page.docs:
            if order["status"] not in NOT_PAID:
                buyers.append(order["buyerId"])
                paid_at.append(order["paidAt"])
                amounts.append(order["total"] - (order.get("refunded") or 0))
        if page.next_cursor is None:
            return buyers, np.asarray(paid_at, dtype=np.int64), np.asarray(amounts, dtype=np.int64)
        after = page.next_cursor


def per_buyer(
    buyers: list[str], paid_at: np.ndarray, amounts: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Orders grouped by buyer: (ids, last paidAt, orders, amount)."""
    number: dict[str, int] = {}
    index = np.fromiter((number.setdefault(b, len(number)) for b in buyers), dtype=np.int64, count=len(buyers))
    n = len(number)
    last = np.zeros(n, dtype=np.int64)
    np.maximum.at(last, index, paid_at)
    orders = np.bincount(index, minlength=n).astype(np.int64)
    # float64 sums are exact below 2^53 fen; a shop's buyer never pays that much in a window
    amount = np.bincount(index, weights=amounts, minlength=n).astype(np.int64)
    return list(number), last, orders, amount


async def run_shop(services: Services, shop_id: str) -> RfmRun | None:
    """Score the shop's buyers now, under the shop's lease; None when another run of the shop holds it."""
    owner = new_id()
    if not await acquire(services.store, f"rfm:{shop_id}", owner, RUN_LEASE_MS):
        return None
    try:
        return await _run(services, shop_id)
    finally:
        await services.store.update_one("leases", {"_id": f"rfm:{shop_id}", "owner": owner}, {"$set": {"until": 0}})


async def _run(services: Services, shop_id: str) -> RfmRun:
    started, store, now = time.monotonic(), services.store, services.now()
    window = services.settings.RFM_WINDOW_DAYS
    custom = await store.get("rfm_settings", shop_id) or {}
    previous = await latest_run(services, shop_id)
    run_id = new_id()
    await store.insert("rfm_runs", {"_id": run_id, "shopId": shop_id, "status": WRITING, "at": now})
    ids, last, orders, amount = per_buyer(*await paid_orders(services, shop_id, now - window * rules.DAY_MS))
    days = rules.days_since(now, last)
    own = {k: custom.get(k) for k in CUT_FIELDS}
    scored = rules.score(days, orders, amount, **own)
    counts = await _write_members(services, shop_id, run_id, ids, scored, days, orders, amount)
    await store.update_one(
        "rfm_runs",
        {"_id": run_id, "status": WRITING},
        {"$set": {
            "status": DONE, "buyers": len(ids), "windowDays": window, "cutPoints": scored.cuts.as_doc(),
            "custom": {k: k in custom and custom[k] is not None for k in ("recency", "frequency", "monetary")},
            "counts": counts, "previousCounts": previous["counts"] if previous else None,
            "previousAt": previous["at"] if previous else None, "finishedAt": services.now(),
        }},
    )  # fmt: skip
    await forget_old_runs(services, shop_id)
    run = RfmRun(shop_id, run_id, len(ids), time.monotonic() - started)
    log.info("rfm run", extra=vars(run))
    return run


async def _write_members(
    services: Services,
    shop_id: str,
    run_id: str,
    ids: list[str],
    scored: rules.Scored,
    days: np.ndarray,
    orders: np.ndarray,
    amount: np.ndarray,
) -> dict[str, int]:
    """Each segment's members, who paid most first (then by id), in chunks of CHUNK (a list per column: some
    stores take no nested arrays); the count of each segment."""
    names = np.asarray(ids, dtype=object)
    values = dict(zip(COLUMNS, (scored.r, scored.f, scored.m, days, orders, amount), strict=True))
    counts: dict[str, int] = {}
    chunks: list[Doc] = []
    for bits, segment in enumerate(rules.SEGMENT_OF_BITS):
        members = np.flatnonzero(scored.segment == bits)
        members = members[np.lexsort((names[members], -amount[members]))]
        counts[segment] = len(members)
        for c in range(0, len(members), CHUNK):
            part = members[c : c + CHUNK]
            doc: Doc = {"_id": chunk_id(run_id, segment, c // CHUNK), "runId": run_id, "shopId": shop_id}
            doc["users"] = names[part].tolist()
            doc.update((name, column[part].tolist()) for name, column in values.items())
            chunks.append(doc)
            if len(chunks) >= WRITE_BATCH:
                await services.store.insert_many("rfm_members", chunks)
                chunks = []
    await services.store.insert_many("rfm_members", chunks)
    return counts


def chunk_id(run_id: str, segment: str, index: int) -> str:
    return f"{run_id}:{segment}:{index:06d}"


async def latest_run(services: Services, shop_id: str) -> Doc | None:
    page = await services.store.find("rfm_runs", {"shopId": shop_id, "status": DONE}, sort="at", direction=-1, limit=1)
    return page.docs[0] if page.docs else None


async def forget_old_runs(services: Services, shop_id: str) -> int:
    """Delete the chunks of runs but the last RUNS_KEPT finished ones and those a running grant reads (and of runs
    a crash left WRITING); the run documents stay, with their counts."""
    store = services.store
    reading = await store.find("coupon_grants", {"shopId": shop_id, "status": RUNNING}, limit=100)
    keep = {g["runId"] for g in reading.docs}
    done = await store.find("rfm_runs", {"shopId": shop_id, "status": DONE}, sort="at", direction=-1, limit=RUNS_KEPT)
    keep |= {r["_id"] for r in done.docs}
    oldest_kept = done.docs[-1]["at"] if done.docs else services.now()
    deleted = 0
    for status in (DONE, WRITING):
        where = {"shopId": shop_id, "status": status, "at": {"$lt": oldest_kept}}
        for run in (await store.find("rfm_runs", where, sort="at", limit=100)).docs:
            if run["_id"] in keep or run.get("forgotten"):
                continue
            while chunks := (await store.find("rfm_members", {"runId": run["_id"]}, limit=500)).docs:
                for chunk in chunks:
                    deleted += await store.delete("rfm_members", chunk["_id"])
            await store.update_one("rfm_runs", {"_id": run["_id"]}, {"$set": {"forgotten": True}})
    return deleted


async def refresh_due(services: Services) -> int:
    """The segments job: resume grants a crash left, then run every shop with paid orders whose last run is older
    than RFM_REFRESH_HOURS. The number of shops run."""
    await resume_grants(services)
    due_before = services.now() - int(services.settings.RFM_REFRESH_HOURS * 3_600_000)
    ran, after = 0, None
    while True:
        page = await services.store.find("shops", None, limit=200, after=after)
        for shop in page.docs:
            last = await latest_run(services, shop["_id"])
            if last is not None and last["at"] > due_before:
                continue
            if (
                last is None
                and not (
                    await services.store.find("orders", {"shopId": shop["_id"], "paidAt": {"$gte": 0}}, limit=1)
                ).docs
            ):
                continue  # no buyer ever: nothing to score
            ran += await run_shop(services, shop["_id"]) is not None
        if page.next_cursor is None:
            return ran
        after = page.next_cursor


def start_refresh(services: Services, shop_id: str) -> None:
    """refreshSegments: run the shop now, after the request (a run that holds the lease already makes this a no-op)."""
    services.spawn(run_shop(services, shop_id), name=f"rfm-{shop_id}")


async def refreshing(services: Services, shop_id: str) -> bool:
    lease = await services.store.get("leases", f"rfm:{shop_id}")
    return lease is not None and lease["until"] > services.now()


# -- the merchant's cut points ------------------------------------------------------------------------------
CUT_FIELDS = ("recency", "frequency", "monetary")


async def set_cut_points(services: Services, staff_id: str, shop_id: str, cuts: dict[str, list[int] | None]) -> Doc:
    """The shop's own cut points (None: the default, quintiles or F's fixed ones); used from the next run."""
    refuse_problems([p for k in CUT_FIELDS for p in rules.cut_problems(k, cuts.get(k))])
    doc = {"_id": shop_id, **{k: cuts.get(k) for k in CUT_FIELDS}, "updatedAt": services.now(), "updatedBy": staff_id}
    if await services.store.update_one("rfm_settings", {"_id": shop_id}, {"$set": doc}) is None:
        try:
            await services.store.insert("rfm_settings", doc)
        except DuplicateKey:  # set at the same moment by another call: the later write wins, as for a $set
            await services.store.update_one("rfm_settings", {"_id": shop_id}, {"$set": doc})
    return doc


async def cut_points_of(services: Services, shop_id: str) -> Doc:
    return await services.store.get("rfm_settings", shop_id) or {"_id": shop_id, **dict.fromkeys(CUT_FIELDS)}


# -- a segment's members ------------------------------------------------------------------------------------
@dataclass
class Member:
    user_id: str
    r: int
    f: int
    m: int
    days: int
    orders: int
    amount: int
    position: int


def member_cursor(run_id: str, position: int) -> str:
    return f"{run_id}.{position}"


def _position(run: Doc, after: str | None) -> int:
    if after is None:
        return 0
    run_id, _, position = after.partition(".")
    if not position.isdigit():
        raise Refused("INVALID_INPUT", "Not a cursor of this list", ["after"])
    if run_id != run["_id"]:
        raise Refused("INVALID_INPUT", "The segments were computed again since this cursor; start again", ["after"])
    return int(position) + 1


async def members_from(services: Services, run: Doc, segment: str, position: int, limit: int) -> list[Member]:
    """Up to `limit` members of the run's segment from `position` (0-based), most paid first."""
    first, last = position // CHUNK, (position + limit - 1) // CHUNK
    found = await services.store.get_many(
        "rfm_members", [chunk_id(run["_id"], segment, i) for i in range(first, last + 1)]
    )
    out: list[Member] = []
    for i in range(first, last + 1):
        chunk = found.get(chunk_id(run["_id"], segment, i))
        if chunk is None:
            break
        for j, user_id in enumerate(chunk["users"]):
            at = i * CHUNK + j
            if position <= at < position + limit:
                r, f, m, days, orders, amount = (chunk[name][j] for name in COLUMNS)
                out.append(Member(user_id, r, f, m, days, orders, amount, at))
    return out


async def segment_members(
    services: Services, shop_id: str, segment: str, first: int, after: str | None
) -> tuple[Doc | None, list[Member], bool]:
    """(the run, a page of the segment's members, whether more follow)."""
    run = await latest_run(services, shop_id)
    if run is None:
        return None, [], False
    position = _position(run, after)
    found = await members_from(services, run, segment, position, first + 1)
    return run, found[:first], len(found) > first


# -- grants of a coupon to a segment ------------------------------------------------------------------------
KEY_MAX = 64
GRANTED, HELD, MISSED = "granted", "alreadyHeld", "missed"


async def grant_coupon(services: Services, staff_id: str, coupon_id: str, segment: str, key: str) -> Doc:
    """Start (or, for a key used before, return) the grant of the coupon to every member of the segment in the
    shop's latest run. Refused: no run yet, the coupon expired or with fewer copies than members, a key used for
    another coupon or segment."""
    store = services.store
    key = key.strip()
    if not 0 < len(key) <= KEY_MAX:
        raise Refused("INVALID_INPUT", f"An idempotency key is 1 to {KEY_MAX} characters", ["input", "idempotencyKey"])
    coupon = await store.get("coupons", coupon_id)
    if coupon is None or coupon.get("shopId") is None:
        raise Refused("NOT_FOUND", "No such coupon", ["input", "couponId"])
    shop_id = coupon["shopId"]
    earlier = await _by_key(services, shop_id, key)
    if earlier is not None:
        return _same(earlier, coupon_id, segment)
    run = await latest_run(services, shop_id)
    if run is None:
        raise Refused(
            "INVALID_STATE", "This shop's segments are not computed yet; refresh them first", ["input", "segment"]
        )
    members = run["counts"][segment]
    if coupon["validUntil"] <= services.now():
        raise Refused("COUPON_UNAVAILABLE", "This coupon has expired", ["input", "couponId"])
    if coupon["remaining"] < members:
        raise Refused(
            "COUPON_UNAVAILABLE",
            f"The segment has {members} members and the coupon {coupon['remaining']} copies left",
            ["input", "couponId"],
        )
    grant = {
        "_id": new_id(), "shopId": shop_id, "couponId": coupon_id, "segment": segment, "runId": run["_id"],
        "idempotencyKey": key, "status": RUNNING, "total": members, "position": 0, GRANTED: 0, HELD: 0, MISSED: 0,
        "createdBy": staff_id, "createdAt": services.now(), "owner": None, "leaseUntil": 0,
    }  # fmt: skip
    try:
        await store.insert("coupon_grants", grant)
    except DuplicateKey:  # the same key at the same moment: that one is the grant
        earlier = await _by_key(services, shop_id, key)
        if earlier is None:
            raise
        return _same(earlier, coupon_id, segment)
    services.spawn(run_grant(services, grant["_id"]), name=f"grant-{grant['_id']}")
    return grant


async def _by_key(services: Services, shop_id: str, key: str) -> Doc | None:
    page = await services.store.find("coupon_grants", {"shopId": shop_id, "idempotencyKey": key}, limit=1)
    return page.docs[0] if page.docs else None


def _same(earlier: Doc, coupon_id: str, segment: str) -> Doc:
    if earlier["couponId"] != coupon_id or earlier["segment"] != segment:
        raise Refused(
            "CONFLICT", "This idempotency key was used for another coupon or segment", ["input", "idempotencyKey"]
        )
    return earlier


async def _lease(services: Services, grant_id: str, owner: str) -> Doc | None:
    now = services.now()
    take = {"$set": {"owner": owner, "leaseUntil": now + GRANT_LEASE_MS}}
    mine = await services.store.update_one("coupon_grants", {"_id": grant_id, "status": RUNNING, "owner": owner}, take)
    if mine is not None:
        return mine
    free = {"_id": grant_id, "status": RUNNING, "leaseUntil": {"$lt": now}}
    return await services.store.update_one("coupon_grants", free, take)


async def _give(services: Services, grant: Doc, coupon: Doc | None, user_id: str) -> str:
    """One member: the coupon through the claim code, once per user (missed once the coupon is gone or expired)."""
    if coupon is None or coupon["validUntil"] <= services.now():
        return MISSED
    try:
        taken = await coupons.take_copy(services, grant["couponId"], user_id, grantId=grant["_id"])
    except DuplicateKey:
        claim = await services.store.get("coupon_claims", coupons.claim_id(grant["couponId"], user_id))
        # ours: claimed by this grant before a crash (or by a racing worker), not counted yet
        return GRANTED if claim is not None and claim.get("grantId") == grant["_id"] else HELD
    return GRANTED if taken is not None else MISSED


async def run_grant(services: Services, grant_id: str) -> Doc | None:
    """Carry the grant on from its position, batch by batch, while this worker holds its lease; the grant as it
    is after (None when another worker holds it)."""
    owner = new_id()
    while (grant := await _lease(services, grant_id, owner)) is not None:
        run = {"_id": grant["runId"]}
        batch = await members_from(services, run, grant["segment"], grant["position"], GRANT_BATCH)
        if not batch:
            done = {"$set": {"status": DONE, "finishedAt": services.now(), "owner": None}}
            return await services.store.update_one("coupon_grants", {"_id": grant_id, "owner": owner}, done)
        counts = {GRANTED: 0, HELD: 0, MISSED: 0}
        coupon = await services.store.get("coupons", grant["couponId"])
        for member in batch:
            counts[await _give(services, grant, coupon, member.user_id)] += 1
        moved = await services.store.update_one(
            "coupon_grants",
            {"_id": grant_id, "owner": owner, "position": grant["position"]},
            {"$set": {"position": grant["position"] + len(batch)}, "$inc": counts},
        )
        if moved is None:
            return None  # another worker took over (this one was too slow): it counts these members itself
    return None


async def resume_grants(services: Services) -> int:
    """Grants whose worker died (lease over): carried on here. How many were resumed."""
    where = {"status": RUNNING, "leaseUntil": {"$lt": services.now()}}
    stale = await services.store.find("coupon_grants", where, sort="leaseUntil", limit=100)
    for grant in stale.docs:
        await run_grant(services, grant["_id"])
    return len(stale.docs)


async def grant_of(services: Services, grant_id: str) -> Doc | None:
    return await services.store.get("coupon_grants", grant_id)

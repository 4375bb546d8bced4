"""Distribution (分销): share links, referral binding, shop policies and distributorships, commission rows that
freeze on payment, settle after the freeze and reverse on refund, balances, and the hash-chained ledger every
money movement is appended to (withdrawals are in resolvers/payouts.py). Every move is a unique insert or a
compare-and-set, so replays and races change nothing twice."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from domain import distribution as rules
from domain import events as ev
from domain import refunds as refund_rules
from domain.ids import to_global_id
from domain.ledger import GENESIS, chain_hash, first_bad
from domain.profile import Problem
from domain.text import clean, text_problems
from resolvers import events as facts
from resolvers.errors import Refused, refuse_problems
from resolvers.recommend import SHARE_HEAT, product_heat
from resolvers.services import Services
from store.counters import increment
from store.protocol import Doc, DuplicateKey, Page

LEDGER_ATTEMPTS = 100
UPLINE_SEARCH = 50  # how far up a chain the cycle check looks (chains are short; this bounds a corrupt one)


# -- share links and binding -----------------------------------------------------------------------------
async def create_share_link(
    services: Services, user_id: str, product_id: str | None, channel: str | None = None
) -> Doc:
    if product_id is not None and await services.store.get("products", product_id) is None:
        raise Refused("NOT_FOUND", "No such product", ["input", "productId"])
    if channel is not None and channel not in ev.SHARE_CHANNELS:
        raise Refused(
            "INVALID_INPUT", f"A link is shared to one of {', '.join(ev.SHARE_CHANNELS)}", ["input", "channel"]
        )
    link = {
        "_id": secrets.token_urlsafe(12),
        "userId": user_id,
        "kind": "share",
        "productId": product_id,
        "createdAt": services.now(),
        **({"channel": channel} if channel else {}),
    }
    await services.store.insert("share_links", link)
    product = await services.store.get("products", product_id) if product_id else None
    facts.record(
        services,
        ev.SHARE_CREATED,
        user_id=user_id,
        shop_id=(product or {}).get("shopId"),
        key=str(link["_id"]),
        token=link["_id"],
        productId=product_id,
    )
    if product_id is not None:
        await product_heat(services, product_id, SHARE_HEAT, actor=user_id)
    return link


def link_path(link: Doc) -> str:
    if link.get("productId"):
        return f"pages/product/index?id={to_global_id('Product', link['productId'])}&s={link['_id']}"
    return f"pages/index/index?s={link['_id']}"


async def upline(services: Services, user_id: str, levels: int = rules.MAX_LEVELS) -> list[str]:
    """Who referred the user, nearest first, up to `levels` (stopping at a loop should one ever exist)."""
    chain: list[str] = []
    current = await services.store.get("users", user_id)
    while current is not None and current.get("invitedBy") and len(chain) < levels:
        nxt = current["invitedBy"]
        if nxt == user_id or nxt in chain:
            break
        chain.append(nxt)
        current = await services.store.get("users", nxt)
    return chain


async def bind_referrer(services: Services, user_id: str, code: str | None) -> bool:
    """Set the user's referrer from a share token or invite code, once: never themselves, never a cycle, never
    over an earlier one. Unknown codes are ignored. True when this call bound them."""
    if not code:
        return False
    store = services.store
    link = await store.get("share_links", code) or await store.get("invites", code)
    if link is None or link["userId"] == user_id:
        return False
    facts.record(services, ev.SHARE_OPENED, user_id=user_id, token=code, sharerId=link["userId"])
    referrer = link["userId"]
    if rules.would_cycle(user_id, [referrer, *await upline(services, referrer, UPLINE_SEARCH)]):
        return False
    bound = await store.update_one(
        "users", {"_id": user_id, "invitedBy": None}, {"$set": {"invitedBy": referrer, "invitedVia": code}}
    )
    if bound is not None and link.get("kind") != "share":
        facts.record(services, ev.INVITE_SIGNED_UP, user_id=user_id, key=user_id, inviterId=referrer, code=code)
    return bound is not None


# -- policies and distributorships -----------------------------------------------------------------------
async def set_policy(
    services: Services,
    staff_id: str,
    shop_id: str,
    rates_bp: list[int],
    freeze_days: int,
    requires_approval: bool,
    region_locked: bool,
) -> Doc:
    """Who may is the mutation's `staff=` declaration; `staff_id` is recorded with the policy."""
    refuse_problems(rules.policy_problems(rates_bp, freeze_days))
    policy = {
        "ratesBp": rates_bp,
        "freezeDays": freeze_days,
        "requiresApproval": requires_approval,
        "regionLocked": region_locked,
        "setBy": staff_id,
    }
    shop = await services.store.update_one("shops", {"_id": shop_id}, {"$set": {"commissionPolicy": policy}})
    if shop is None:
        raise LookupError(f"shop {shop_id} vanished")
    return shop


async def apply(services: Services, user_id: str, shop_id: str, region: str | None) -> Doc:
    """Become a distributor of the shop: ACTIVE at once on an open policy, PENDING when it needs approval.
    Applying again returns the distributorship as it is."""
    store = services.store
    shop = await store.get("shops", shop_id)
    if shop is None:
        raise Refused("NOT_FOUND", "No such shop", ["input", "shopId"])
    policy = shop.get("commissionPolicy")
    if not policy:
        raise Refused("INVALID_STATE", "This shop has no distribution program", ["input", "shopId"])
    problems = text_problems("region", region, "A region", rules.REGION_MAX) if region is not None else []
    region = clean(region) if region else None
    if region is None and policy["regionLocked"]:
        problems.append(Problem("region", "This shop's distribution is region-locked: name your region"))
    refuse_problems(problems)
    status = rules.PENDING if policy["requiresApproval"] else rules.ACTIVE
    doc_id = f"{shop_id}:{user_id}"
    doc = {
        "_id": doc_id,
        "shopId": shop_id,
        "userId": user_id,
        "status": status,
        "region": region,
        "appliedAt": services.now(),
    }
    try:
        await store.insert("distributors", doc)
    except DuplicateKey:
        existing = await store.get("distributors", doc_id)
        if existing is None:
            raise
        return existing
    return doc


async def review(services: Services, staff_id: str, shop_id: str, user_id: str, approve: bool) -> Doc:
    """Who may is the mutation's `staff=` declaration; `staff_id` is recorded with the review."""
    store = services.store
    target = rules.ACTIVE if approve else rules.REJECTED
    reviewed = await store.update_one(
        "distributors",
        {"_id": f"{shop_id}:{user_id}", "status": rules.PENDING},
        {"$set": {"status": target, "reviewedAt": services.now(), "reviewedBy": staff_id}},
    )
    if reviewed is not None:
        return reviewed
    current = await store.get("distributors", f"{shop_id}:{user_id}")
    if current is None:
        raise Refused("NOT_FOUND", "This user has not applied to your shop", ["input", "userId"])
    if current["status"] == target:
        return current  # the same review again
    raise Refused("INVALID_STATE", f"This application is {current['status']} already", ["input", "userId"])


async def memberships(services: Services, user_id: str) -> list[Doc]:
    page = await services.store.find("distributors", {"userId": user_id}, sort="appliedAt", limit=200)
    return page.docs


# -- the ledger ------------------------------------------------------------------------------------------
async def append_ledger(services: Services, entry: dict[str, Any]) -> Doc:
    """Append one entry at the head of the chain. The head is a compare-and-set pointer; an entry's sequence
    number is its unique id, so two appenders never both take one; a head left behind by a crash is moved on."""
    store = services.store
    for _ in range(LEDGER_ATTEMPTS):
        head = await store.get("ledger_head", "head") or {"_id": "head", "seq": 0, "hash": GENESIS}
        seq = head["seq"] + 1
        record = {**entry, "seq": seq, "prev": head["hash"], "at": services.now()}
        record["hash"] = chain_hash(head["hash"], record)
        try:
            await store.insert("ledger", {"_id": f"{seq:012d}", **record})
        except DuplicateKey:
            await _catch_up(services, head)
            continue
        await _advance(services, head, seq, record["hash"])
        return record
    raise Refused("CONFLICT", "The ledger is busy; try again")


async def _advance(services: Services, head: Doc, seq: int, hash_: str) -> None:
    store = services.store
    if head["seq"] == 0 and await store.get("ledger_head", "head") is None:
        try:
            await store.insert("ledger_head", {"_id": "head", "seq": seq, "hash": hash_})
            return
        except DuplicateKey:
            pass
    await store.update_one("ledger_head", {"_id": "head", "seq": seq - 1}, {"$set": {"seq": seq, "hash": hash_}})


async def _catch_up(services: Services, head: Doc) -> None:
    """Entry head+1 exists: move the head to it if nobody has (its appender may have died before doing so)."""
    entry = await services.store.get("ledger", f"{head['seq'] + 1:012d}")
    if entry is not None:
        await _advance(services, head, entry["seq"], entry["hash"])


async def _move_balance(services: Services, user_id: str, deltas: dict[str, int], ref: str, kind: str) -> None:
    await increment(services.store, "balances", user_id, deltas, {"frozen": 0, "available": 0, "withdrawn": 0})
    await append_ledger(services, {"kind": kind, "userId": user_id, "ref": ref, "deltas": deltas})


async def entry_hash(services: Services, ref: str) -> str:
    """The hash of the newest ledger entry about `ref` (a commission's latest movement)."""
    page = await services.store.find("ledger", {"ref": ref}, sort="seq", direction=-1, limit=1)
    return str(page.docs[0]["hash"]) if page.docs else ""


async def verify_ledger(services: Services) -> tuple[int, Doc | None, str]:
    """Recompute the chain from the first entry: (entries, the first bad one, head hash)."""
    store = services.store

    async def entries() -> Any:
        after = None
        while True:
            page = await store.find("ledger", limit=1000, after=after)
            for doc in page.docs:
                yield doc
            if page.next_cursor is None:
                return
            after = page.next_cursor

    collected = [e async for e in entries()]
    count, bad, head = first_bad(collected)
    return count, dict(bad) if bad is not None else None, head


# -- commission ------------------------------------------------------------------------------------------
async def snapshot(services: Services, buyer_id: str) -> dict[str, Any]:
    """What an order keeps for its commission: the buyer's upline and region at order time."""
    buyer = await services.store.get("users", buyer_id) or {}
    return {"upline": await upline(services, buyer_id), "buyerRegion": buyer.get("region")}


async def on_order_paid(services: Services, order: Doc) -> None:
    """One FROZEN commission per level of the buyer's upline at order time that is an ACTIVE distributor of the
    shop (and of the buyer's region when the policy is region-locked); created once per order and level."""
    store = services.store
    shop = await store.get("shops", order["shopId"])
    policy = (shop or {}).get("commissionPolicy")
    chain = order.get("upline") or []
    if not policy or not chain:
        return
    for level, (user_id, rate) in enumerate(zip(chain, policy["ratesBp"], strict=False), start=1):
        membership = await store.get("distributors", f"{order['shopId']}:{user_id}")
        if membership is None or membership["status"] != rules.ACTIVE:
            continue
        if not rules.region_ok(policy["regionLocked"], membership.get("region"), order.get("buyerRegion")):
            continue
        amount = rules.commission(order["total"], rate)
        if amount <= 0:
            continue
        row = {
            "_id": f"{order['_id']}:{level}",
            "orderId": order["_id"],
            "orderNumber": order["number"],
            "orderTotal": order["total"],
            "shopId": order["shopId"],
            "userId": user_id,
            "level": level,
            "rateBp": rate,
            "amount": amount,
            "status": rules.FROZEN,
            "freezeDays": policy["freezeDays"],
            "unfreezeAt": None,
            "createdAt": services.now(),
        }
        try:
            await store.insert("commissions", row)
        except DuplicateKey:
            continue  # this order's payment was processed already
        await _move_balance(services, user_id, {"frozen": amount}, row["_id"], "COMMISSION_FROZEN")


async def on_order_completed(services: Services, order: Doc) -> None:
    """The freeze starts when the order completes: unfreezeAt = completion + freezeDays."""
    page = await services.store.find("commissions", {"orderId": order["_id"]}, limit=rules.MAX_LEVELS + 1)
    completed = order.get("completedAt") or services.now()
    for row in page.docs:
        await services.store.update_one(
            "commissions",
            {"_id": row["_id"], "status": rules.FROZEN, "unfreezeAt": None},
            {"$set": {"unfreezeAt": completed + row["freezeDays"] * rules.DAY_MS}},
        )


async def on_order_refunded(services: Services, order: Doc, kept: int = 0) -> None:
    """Money came back: each commission of the order keeps only what it earns on the `kept` fen, from frozen or
    from available. All of it is REVERSED when nothing is kept; a part is when some is (a compare-and-set on the
    amount, so each part is taken once; read again when another refund or the settling moved it meanwhile, so
    that refunds finishing together leave it at what the least kept earns). Commission already withdrawn leaves
    the available balance below zero: the distributor's next commissions earn it back (a withdrawal never takes
    more than is available, so this reversal is the only way below zero)."""
    page = await services.store.find("commissions", {"orderId": order["_id"]}, limit=rules.MAX_LEVELS + 1)
    for row in page.docs:
        await _reverse(services, row, kept)


async def _reverse(services: Services, row: Doc | None, kept: int) -> None:
    for _ in range(LEDGER_ATTEMPTS):
        if row is None or row["status"] not in (rules.FROZEN, rules.SETTLED):
            return
        back = refund_rules.commission_back(row["amount"], row["rateBp"], kept)
        if back == 0:
            return
        source, balance = (rules.FROZEN, "frozen") if row["status"] == rules.FROZEN else (rules.SETTLED, "available")
        guard = {"_id": row["_id"], "status": source, "amount": row["amount"]}
        if back == row["amount"]:
            change: dict[str, Any] = {
                "$set": {"status": rules.REVERSED, "reversedAt": services.now(), "reversedFrom": source}
            }
        else:
            change = {"$set": {"amount": row["amount"] - back, "orderKept": kept}, "$inc": {"reversedAmount": back}}
        if await services.store.update_one("commissions", guard, change) is not None:
            await _move_balance(services, row["userId"], {balance: -back}, row["_id"], "COMMISSION_REVERSED")
            return
        row = await services.store.get("commissions", row["_id"])


async def settle_due(services: Services, limit: int = 500) -> int:
    """FROZEN commissions whose unfreezeAt has passed become SETTLED: frozen -> available."""
    store = services.store
    due = await store.find(
        "commissions",
        {"status": rules.FROZEN, "unfreezeAt": {"$lte": services.now()}},
        sort="unfreezeAt",
        limit=limit,
    )
    settled = 0
    for row in due.docs:
        moved = await store.update_one(
            "commissions",
            {"_id": row["_id"], "status": rules.FROZEN, "amount": row["amount"]},  # not reduced meanwhile
            {"$set": {"status": rules.SETTLED, "settledAt": services.now()}},
        )
        if moved is not None:
            deltas = {"frozen": -row["amount"], "available": row["amount"]}
            await _move_balance(services, row["userId"], deltas, row["_id"], "COMMISSION_SETTLED")
            settled += 1
    return settled


async def commissions(services: Services, user_id: str, first: int, after: str | None, status: str | None) -> Page:
    where: dict[str, Any] = {"userId": user_id}
    if status is not None:
        where["status"] = status
    return await services.store.find("commissions", where, sort="createdAt", direction=-1, limit=first, after=after)


# -- stats -----------------------------------------------------------------------------------------------
@dataclass
class Stats:
    direct_referrals: int
    team_size: int
    attributed_orders: int
    attributed_sales: int
    frozen: int
    available: int
    withdrawn: int


async def stats(services: Services, user_id: str) -> Stats:
    """Referrals from the users, sales from the commission rows, balances summed from the ledger."""
    store = services.store
    level: list[str] = [user_id]
    direct = team = 0
    for depth in range(rules.MAX_LEVELS):
        found = await store.find("users", {"invitedBy": {"$in": level}}, limit=10_000)
        level = [u["_id"] for u in found.docs]
        team += len(level)
        if depth == 0:
            direct = len(level)
        if not level:
            break
    rows = await store.find("commissions", {"userId": user_id}, limit=100_000)
    live = [r for r in rows.docs if r["status"] != rules.REVERSED]
    orders = {r["orderId"]: r["orderKept"] if "orderKept" in r else r["orderTotal"] for r in live}  # kept of paid
    entries = await store.find("ledger", {"userId": user_id}, limit=1_000_000)
    sums = {"frozen": 0, "available": 0, "withdrawn": 0}
    for entry in entries.docs:
        for k, v in entry["deltas"].items():
            sums[k] += v
    return Stats(direct, team, len(orders), sum(orders.values()), sums["frozen"], sums["available"], sums["withdrawn"])

"""Shop aggregates per hour and per day in the shop's time zone (`shop_stats`), kept by recomputing the days that
changed.

Each flush of the event writer marks the shop-hours its events touched (`aggregate_marks`), and for an order's
fact also the hours of the order's own placing and paying: a late refund marks the day it happened and the day the
order was paid ("by order date"), a payment marks the day the order was placed (the funnel counts by the visit's
day). The `aggregate` job recomputes each marked day whole, from the events of that day and the shop's orders and
commissions, and writes its day and hour buckets: a day is always what its facts add up to, however often the job
runs and however late an event came (an event is one document by `_id`, so it counts once). `rebuild` recomputes
any range the same way (the same code), so both give the same numbers. A mark is cleared by a compare-and-set on
its version, so a mark made while its day was being recomputed is not lost."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from domain import distribution as dist_rules
from domain import events as ev
from domain import metrics as rules
from resolvers import refunds
from resolvers.services import Services
from store.protocol import Doc, DocumentStore, DuplicateKey

log = logging.getLogger(__name__)
PAGE = 1000  # documents per read: requests get the store between two pages of a day being recomputed
MARKS_PER_RUN = 500


def tz_of(services: Services, shop: Mapping[str, Any] | None) -> str:
    return str((shop or {}).get("timeZone") or services.settings.SHOP_TIME_ZONE)


# -- marks -----------------------------------------------------------------------------------------------------
def touched(docs: Iterable[Mapping[str, Any]]) -> set[tuple[str, int]]:
    """The (shop, UTC hour) pairs whose buckets these events change."""
    out: set[tuple[str, int]] = set()
    for d in docs:
        shop = d.get("shopId")
        if not shop:
            continue
        for ms in (d["at"], (d.get("props") or {}).get("orderPlacedAt"), (d.get("props") or {}).get("orderPaidAt")):
            if isinstance(ms, int):
                out.add((shop, ms - ms % rules.HOUR_MS))
    return out


async def mark(store: DocumentStore, docs: Sequence[Mapping[str, Any]]) -> None:
    for shop, hour in touched(docs):
        mark_id = f"{shop}:{hour}"
        for _ in range(3):
            if await store.update_one(
                "aggregate_marks", {"_id": mark_id}, {"$set": {"pending": True}, "$inc": {"v": 1}}
            ):
                break
            try:
                await store.insert(
                    "aggregate_marks", {"_id": mark_id, "shopId": shop, "hour": hour, "pending": True, "v": 1}
                )
                break
            except DuplicateKey:
                continue


async def aggregate(services: Services) -> int:
    """Recompute the days of pending marks; the number of days recomputed."""
    store = services.store
    page = await store.find("aggregate_marks", {"pending": True}, sort="hour", limit=MARKS_PER_RUN)
    if not page.docs:
        return 0
    shops = await store.get_many("shops", list({m["shopId"] for m in page.docs}))
    days: set[tuple[str, date]] = set()
    for m in page.docs:
        tz = tz_of(services, shops.get(m["shopId"]))
        days.update((m["shopId"], d) for d in rules.days_between(m["hour"], m["hour"] + rules.HOUR_MS, tz))
    for shop_id, day in sorted(days):
        await recompute_day(services, shop_id, day, tz_of(services, shops.get(shop_id)))
    for m in page.docs:  # cleared only if nothing marked it again meanwhile
        await store.update_one("aggregate_marks", {"_id": m["_id"], "v": m["v"]}, {"$set": {"pending": False}})
    return len(days)


async def rebuild(services: Services, shop_id: str, start_ms: int, end_ms: int) -> int:
    """Recompute every day of [start, end) from events and orders; the number of days."""
    shop = await services.store.get("shops", shop_id)
    tz = tz_of(services, shop)
    days = rules.days_between(start_ms, end_ms, tz)
    for day in days:
        await recompute_day(services, shop_id, day, tz)
    return len(days)


# -- one day ---------------------------------------------------------------------------------------------------
async def _all(store: DocumentStore, collection: str, where: Mapping[str, Any], sort: str) -> list[Doc]:
    out: list[Doc] = []
    after = None
    while True:
        page = await store.find(collection, where, sort=sort, limit=PAGE, after=after)
        out += page.docs
        if page.next_cursor is None:
            return out
        after = page.next_cursor


async def recompute_day(services: Services, shop_id: str, day: date, tz: str) -> None:
    store = services.store
    start, end = rules.day_start(day, tz), rules.day_start(day + timedelta(days=1), tz)
    span = {"$gte": start, "$lt": end}
    events = await _all(store, "events", {"shopId": shop_id, "at": span}, "at")
    paid = await _all(store, "orders", {"shopId": shop_id, "paidAt": span}, "paidAt")
    placed = await _all(store, "orders", {"shopId": shop_id, "createdAt": span}, "createdAt")
    commissions = await _all(store, "commissions", {"shopId": shop_id, "createdAt": span}, "createdAt")
    channel_of = await channels_of(services, shop_id, paid)
    hour = lambda ms: ms - (ms - start) % rules.HOUR_MS  # noqa: E731  # hours of the local day
    hours = rules.tally(events, paid, placed, commissions, bucket=hour, channel_of=channel_of, kept=refunds.kept)
    whole = rules.tally(
        events,
        paid,
        placed,
        commissions,
        bucket=lambda _: day,
        channel_of=channel_of,
        kept=refunds.kept,
        funnel_bucket=day,
    )
    base = {"shopId": shop_id, "computedAt": services.now()}
    day_doc = rules.as_doc(whole.get(day) or rules.Bucket.empty(), True)
    await put(
        store,
        f"{shop_id}:D:{day.isoformat()}",
        {**base, "grain": "D", "start": start, "day": day.isoformat(), **day_doc},
    )
    for h in range(start, end, rules.HOUR_MS):
        doc = rules.as_doc(hours.get(h) or rules.Bucket.empty(), False)
        await put(store, f"{shop_id}:H:{h}", {**base, "grain": "H", "start": h, **doc})
    await bump_version(store, shop_id)


async def bump_version(store: DocumentStore, shop_id: str) -> None:
    """The shop's buckets changed: dashboards read before are stale (resolvers/dashboards.py caches by this)."""
    if await store.update_one("shop_stats", {"_id": f"{shop_id}:V"}, {"$inc": {"v": 1}}) is None:
        try:
            await store.insert("shop_stats", {"_id": f"{shop_id}:V", "shopId": shop_id, "grain": "V", "v": 1})
        except DuplicateKey:
            await store.update_one("shop_stats", {"_id": f"{shop_id}:V"}, {"$inc": {"v": 1}})


async def version(store: DocumentStore, shop_id: str) -> int:
    doc = await store.get("shop_stats", f"{shop_id}:V")
    return int(doc["v"]) if doc else 0


async def put(store: DocumentStore, doc_id: str, fields: dict[str, Any], collection: str = "shop_stats") -> None:
    """Write a document's fields as they are now (a bucket recomputed, a layout saved), creating it if need be."""
    for _ in range(3):
        if await store.update_one(collection, {"_id": doc_id}, {"$set": fields}) is not None:
            return
        try:
            await store.insert(collection, {"_id": doc_id, **fields})
            return
        except DuplicateKey:
            continue


async def channels_of(services: Services, shop_id: str, orders: Sequence[Doc]) -> Any:
    """An order's channel, from what it records: a team's order is GROUP; one placed through a share link is the
    link's channel when it names one, DISTRIBUTOR when its sharer is an active distributor of the shop, FRIEND
    otherwise; any other is DIRECT."""
    store = services.store
    tokens = list({o["shareToken"] for o in orders if o.get("shareToken")})
    links = await store.get_many("share_links", tokens) if tokens else {}
    sharers = list({f"{shop_id}:{link['userId']}" for link in links.values()})
    members = await store.get_many("distributors", sharers) if sharers else {}

    def channel_of(order: Mapping[str, Any]) -> str:
        if order.get("teamId"):
            return "GROUP"
        link = links.get(order.get("shareToken") or "")
        if link is None:
            return rules.DIRECT
        if link.get("channel") in ev.CHANNELS:
            return str(link["channel"])
        member = members.get(f"{shop_id}:{link['userId']}")
        if member is not None and member.get("status") == dist_rules.ACTIVE:
            return "DISTRIBUTOR"
        return "FRIEND"

    return channel_of


# -- reading ---------------------------------------------------------------------------------------------------
async def buckets(services: Services, shop_id: str | None, grain: str, start: int, end: int) -> list[Doc]:
    """Stored buckets of a shop (all shops with None) starting in [start, end), oldest first."""
    where: dict[str, Any] = {"grain": grain, "start": {"$gte": start, "$lt": end}}
    if shop_id is not None:
        where["shopId"] = shop_id
    return await _all(services.store, "shop_stats", where, "start")


async def paid_times(services: Services, shop_id: str, start: int, end: int) -> list[tuple[str, int]]:
    """(buyer, paidAt) of the shop's orders paid in [start, end) (for the repurchase rate)."""
    docs = await _all(services.store, "orders", {"shopId": shop_id, "paidAt": {"$gte": start, "$lt": end}}, "paidAt")
    return [(o["buyerId"], o["paidAt"]) for o in docs]

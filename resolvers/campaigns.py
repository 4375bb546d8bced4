"""Shop campaigns: full-reduction (满减), full-discount (满折) and time-limited discounts (限时折扣), created, changed
and cancelled by the shop's staff (the mutations' `staff=` declarations), read by the price pipeline
(domain/pricing.py) while they run, shown on the calendar, and announced on `campaigns:{shopId}` when one starts
or ends (the sweep, by compare-and-set on `nextEventAt`; a cancel at once).

Seckill campaigns (resolvers/seckill.py) keep a `nextEventAt` too, so this sweep step announces theirs as well.
A campaign's `nextEventAt` is its start while UPCOMING, its end while RUNNING, and gone once ENDED and announced.
Upcoming campaigns may change everything; running ones only their name and end; ended or cancelled ones nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain import pricing as rules
from domain.text import clean
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc

COLLECTION = "campaigns"
KINDS = rules.CAMPAIGN_KINDS  # this module's; SECKILL campaigns are resolvers/seckill's
FIELD = ["input", "campaignId"]
MAX_LISTED = 200
STARTED = "STARTED"
ENDED = "ENDED"


@dataclass(frozen=True)
class Declared:
    """A campaign as a merchant declares it (create, or the whole of an update)."""

    kind: str
    name: str
    starts_at: int
    ends_at: int
    scope_kind: str
    scope_ids: tuple[str, ...]
    stackable_with: tuple[str, ...] | None  # None: the safe default
    tiers: tuple[rules.Tier, ...]
    percent_off: int | None

    def problems(self, now: int) -> list[Any]:
        return rules.campaign_problems(
            self.kind,
            self.name,
            self.starts_at,
            self.ends_at,
            self.scope_kind,
            self.scope_ids,
            self.stackable_with or (),
            self.tiers,
            self.percent_off,
            now,
        )

    def fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": clean(self.name),
            "startsAt": self.starts_at,
            "endsAt": self.ends_at,
            "scope": {"kind": self.scope_kind, "ids": list(self.scope_ids)},
            "stackableWith": list(rules.DEFAULT_STACKABLE if self.stackable_with is None else self.stackable_with),
            "tiers": [{"threshold": t.threshold, "value": t.value} for t in self.tiers],
            "percentOff": self.percent_off,
            "nextEventAt": self.starts_at,
        }


async def create(services: Services, staff_id: str, shop_id: str, declared: Declared) -> Doc:
    now = services.now()
    if declared.kind not in KINDS:
        raise Refused("INVALID_INPUT", f"A campaign here is one of {', '.join(KINDS)}", ["input", "kind"])
    refuse_problems(declared.problems(now))
    await _check_products(services, shop_id, declared)
    doc = {"_id": new_id(), "shopId": shop_id, **declared.fields(), "createdAt": now, "createdBy": staff_id}
    doc["cancelledAt"] = None
    await services.store.insert(COLLECTION, doc)
    return doc


async def _check_products(services: Services, shop_id: str, declared: Declared) -> None:
    if declared.scope_kind != "PRODUCTS":
        return
    found = await services.store.get_many("products", list(declared.scope_ids))
    for i, product_id in enumerate(declared.scope_ids):
        if found.get(product_id, {}).get("shopId") != shop_id:
            raise Refused("NOT_FOUND", "No such product of this shop", ["input", "scope", "ids", str(i)])


async def shops_campaign(services: Services, campaign_id: str) -> Doc:
    doc = await services.store.get(COLLECTION, campaign_id)
    if doc is None or doc["kind"] not in KINDS:
        raise Refused("NOT_FOUND", "No such campaign", FIELD)
    return doc


async def update(services: Services, campaign_id: str, declared: Declared) -> Doc:
    """The whole declaration again. UPCOMING: anything but its kind; RUNNING: only its name and end (what buyers
    priced at must not change under them); ENDED or cancelled: nothing. Compare-and-set on what was read."""
    doc = await shops_campaign(services, campaign_id)
    now = services.now()
    state = rules.status(doc["startsAt"], doc["endsAt"], doc.get("cancelledAt"), now)
    if declared.kind != doc["kind"]:
        raise Refused("INVALID_INPUT", "A campaign keeps its kind", ["input", "kind"])
    if state == "ENDED":
        raise Refused("INVALID_STATE", "This campaign has ended", FIELD)
    refuse_problems(declared.problems(now))
    fields = declared.fields()
    if state == "RUNNING":
        kept = {k: doc.get(k) for k in ("startsAt", "scope", "stackableWith", "tiers", "percentOff")}
        changed = [k for k, v in kept.items() if fields[k] != v]
        if changed:
            raise Refused("INVALID_STATE", "A running campaign changes only its name and end", ["input", changed[0]])
        fields["nextEventAt"] = declared.ends_at
    await _check_products(services, doc["shopId"], declared)
    updated = await services.store.update_one(
        COLLECTION,
        {"_id": campaign_id, "startsAt": doc["startsAt"], "endsAt": doc["endsAt"], "cancelledAt": None},
        {"$set": {**fields, "updatedAt": now}},
    )
    if updated is None:
        raise Refused("CONFLICT", "This campaign changed meanwhile; read it again", FIELD)
    return updated


async def cancel(services: Services, campaign_id: str) -> Doc:
    """Ends it now (one caller wins); announced as ENDED when it was running."""
    doc = await shops_campaign(services, campaign_id)
    now = services.now()
    if rules.status(doc["startsAt"], doc["endsAt"], doc.get("cancelledAt"), now) == "ENDED":
        raise Refused("INVALID_STATE", "This campaign has ended", FIELD)
    cancelled = await services.store.update_one(
        COLLECTION,
        {"_id": campaign_id, "cancelledAt": None},
        {"$set": {"cancelledAt": now, "nextEventAt": None}},
    )
    if cancelled is None:
        raise Refused("INVALID_STATE", "This campaign has ended", FIELD)
    if doc["startsAt"] <= now:
        await announce(services, cancelled, ENDED)
    return cancelled


def status_of(doc: Doc, now: int) -> str:
    return rules.status(doc["startsAt"], doc["endsAt"], doc.get("cancelledAt"), now)


async def of_shop(services: Services, shop_id: str, status: str | None) -> list[Doc]:
    """The shop's campaigns (every kind, seckill's too), soonest end first; those of `status` only when given."""
    page = await services.store.find(COLLECTION, {"shopId": shop_id}, sort="endsAt", limit=MAX_LISTED)
    now = services.now()
    return [d for d in page.docs if status is None or status_of(d, now) == status]


async def running(services: Services, shop_ids: Sequence[str]) -> dict[str, list[Doc]]:
    """The campaigns running now in each shop (one read for them all)."""
    now = services.now()
    found: dict[str, list[Doc]] = {s: [] for s in shop_ids}
    if not shop_ids:
        return found
    page = await services.store.find(
        COLLECTION, {"shopId": {"$in": list(shop_ids)}, "endsAt": {"$gt": now}}, sort="endsAt", limit=MAX_LISTED
    )
    for doc in page.docs:
        if status_of(doc, now) == "RUNNING":
            found[doc["shopId"]].append(doc)
    return found


def active_for_product(open_docs: Sequence[Doc], product: Doc, now: int) -> list[Doc]:
    """Of the shop's open campaigns (resolvers/loaders.py open_campaigns), those running now whose scope holds the
    product (badges, countdowns), soonest end first."""
    line = rules.LineIn("", product["_id"], 1, 0, product.get("category"))
    found = [d for d in open_docs if status_of(d, now) == "RUNNING" and scope_of(d).holds(line)]
    return sorted(found, key=lambda d: (d["endsAt"], d["_id"]))


def scope_of(doc: Doc) -> rules.Scope:
    scope = doc.get("scope") or {}
    return rules.Scope(scope.get("kind", "ALL"), frozenset(scope.get("ids") or ()))


def for_pricing(doc: Doc) -> rules.Campaign:
    return rules.Campaign(
        id=doc["_id"],
        kind=doc["kind"],
        name=doc["name"],
        scope=scope_of(doc),
        stackable_with=frozenset(doc.get("stackableWith") or ()),
        tiers=tuple(rules.Tier(int(t["threshold"]), int(t["value"])) for t in doc.get("tiers") or ()),
        percent_off=int(doc.get("percentOff") or 0),
    )


def channel(shop_id: str) -> str:
    return f"campaigns:{shop_id}"


async def announce(services: Services, doc: Doc, event: str) -> None:
    await services.backends.bus.publish(channel(doc["shopId"]), {"campaignId": doc["_id"], "event": event})


async def announce_due(services: Services, limit: int = 200) -> int:
    """The sweep's step: each campaign whose start or end has come is announced once (compare-and-set on its
    nextEventAt: one process wins each)."""
    now = services.now()
    due = await services.store.find(COLLECTION, {"nextEventAt": {"$lte": now}}, sort="nextEventAt", limit=limit)
    done = 0
    for doc in due.docs:
        at = doc["nextEventAt"]
        started = at == doc["startsAt"] and doc["endsAt"] > now
        following = doc["endsAt"] if started else None
        moved = await services.store.update_one(
            COLLECTION, {"_id": doc["_id"], "nextEventAt": at}, {"$set": {"nextEventAt": following}}
        )
        if moved is None:
            continue
        if at == doc["startsAt"]:
            await announce(services, moved, STARTED)
        if not started:
            await announce(services, moved, ENDED)
        done += 1
    return done

"""Shop campaigns and the campaign calendar: `createDiscountCampaign`, `updateDiscountCampaign`,
`cancelDiscountCampaign` (full-reduction 满减, full-discount 满折, time-limited discount 限时折扣), the `Campaign`
interface, `Shop.campaigns`, `Product.activeCampaigns` and the `campaignEvents(shopId)` subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from enum import Enum

import strawberry

from domain import pricing as rules
from domain.ids import to_global_id
from domain.staff import ADMIN
from resolvers import campaigns as campaigns_uc
from resolvers.errors import ApiError, Refused
from resolvers.services import Services
from schema.common import Long, Money, UserError, described_value
from schema.context import Info
from schema.coupons import epoch_ms
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.pages.rendering import CampaignKind  # one enum: pages show campaigns of these kinds too
from schema.staff import SHOP, ShopOf, Staff
from store.protocol import Doc


@strawberry.enum(description="UPCOMING before startsAt; RUNNING until endsAt (or until cancelled); ENDED after.")
class CampaignStatus(Enum):
    UPCOMING = described_value("UPCOMING", "Not started yet.")
    RUNNING = described_value("RUNNING", "Prices apply now.")
    ENDED = described_value("ENDED", "Over (or cancelled).")


@strawberry.enum(description="What a campaign's scope names.")
class CampaignScopeKind(Enum):
    ALL = described_value("ALL", "Every product of the shop.")
    CATEGORIES = described_value("CATEGORIES", "The shop's products in these categories.")
    PRODUCTS = described_value("PRODUCTS", "These products.")


@strawberry.type(description="Which products a campaign covers: all of the shop's, some categories or some products.")
class CampaignScope:
    kind: CampaignScopeKind = strawberry.field(description="What it names.")
    categories: list[str] = strawberry.field(description="CATEGORIES: the categories; empty otherwise.")
    product_ids: list[strawberry.ID] = strawberry.field(
        description=("PRODUCTS: the products' global ids; empty otherwise.")
    )


@strawberry.type(description="Spend `threshold` (of the lines in scope) and get amountOff (满减) or percentOff (满折).")
class CampaignTier:
    threshold: Money = strawberry.field(description="What the lines in scope must cost together.")
    amount_off: Money | None = strawberry.field(description="FULL_REDUCTION: taken off; null otherwise.")
    percent_off: int | None = strawberry.field(description="FULL_DISCOUNT: percent off, 1 to 99; null otherwise.")


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


@strawberry.interface(description="A campaign of a shop, whatever its kind, as the calendar shows it.")
class Campaign:
    id: strawberry.ID = strawberry.field(description="The campaign's global id.")
    kind: CampaignKind = strawberry.field(description="Which kind of campaign.")
    name: str = strawberry.field(description="Its name for buyers.")
    starts_at: datetime = strawberry.field(description="When it starts.")
    ends_at: datetime = strawberry.field(description="When it ends (at most 90 days after it starts).")
    doc: strawberry.Private[Doc]
    stackable_with: list[str] = strawberry.field(
        description="The kinds it combines with (SECKILL, GROUP_BUY, BARGAIN, TIME_DISCOUNT, FULL_REDUCTION,"
        " FULL_DISCOUNT, SHOP_COUPON, PLATFORM_COUPON): two steps of a price combine when either declares the other."
    )

    @strawberry.field(description="Where it is now.")
    def status(self, info: Info) -> CampaignStatus:
        return CampaignStatus(campaigns_uc.status_of(self.doc, info.context.services.now()))


@strawberry.type(description="A full-reduction, full-discount or time-limited discount campaign.")
class DiscountCampaign(Campaign):
    scope: CampaignScope = strawberry.field(description="Which products it covers.")
    tiers: list[CampaignTier] = strawberry.field(description="FULL_REDUCTION and FULL_DISCOUNT: increasing.")
    percent_off: int | None = strawberry.field(description="TIME_DISCOUNT: off each unit's price.")
    cancelled_at: datetime | None = strawberry.field(description="When the shop cancelled it; null otherwise.")
    server_time: datetime = strawberry.field(description="Now, for countdowns.")

    @classmethod
    def from_doc(cls, doc: Doc, now: int) -> DiscountCampaign:
        scope = doc.get("scope") or {}
        ids = list(scope.get("ids") or [])
        kind = doc["kind"]
        return cls(
            id=strawberry.ID(to_global_id("Campaign", doc["_id"])),
            kind=CampaignKind(kind),
            name=doc["name"],
            starts_at=_when(doc["startsAt"]),
            ends_at=_when(doc["endsAt"]),
            stackable_with=list(doc.get("stackableWith") or []),
            scope=CampaignScope(
                kind=CampaignScopeKind(scope.get("kind", "ALL")),
                categories=ids if scope.get("kind") == "CATEGORIES" else [],
                product_ids=[strawberry.ID(to_global_id("Product", i)) for i in ids]
                if scope.get("kind") == "PRODUCTS"
                else [],
            ),
            tiers=[
                CampaignTier(
                    threshold=Money.fen(t["threshold"]),
                    amount_off=Money.fen(t["value"]) if kind == rules.FULL_REDUCTION else None,
                    percent_off=t["value"] if kind == rules.FULL_DISCOUNT else None,
                )
                for t in doc.get("tiers") or []
            ],
            percent_off=doc.get("percentOff"),
            cancelled_at=_when(doc["cancelledAt"]) if doc.get("cancelledAt") else None,
            server_time=_when(now),
            doc=doc,
        )


def campaign_of(doc: Doc, now: int) -> Campaign | None:
    """The calendar's view of a campaign doc: a discount campaign, or a seckill (schema/seckill.py)."""
    if doc["kind"] in campaigns_uc.KINDS:
        return DiscountCampaign.from_doc(doc, now)
    if doc["kind"] == "SECKILL":
        from schema.seckill import SeckillCampaign  # seckill builds on the calendar; imported here, one direction

        return SeckillCampaign.from_doc(doc)
    return None


async def shop_campaigns(info: Info, shop_id: str, status: CampaignStatus | None) -> list[Campaign]:
    services = info.context.services
    docs = await campaigns_uc.of_shop(services, shop_id, status.value if status else None)
    now = services.now()
    return [c for c in (campaign_of(d, now) for d in docs) if c is not None]


async def product_campaigns(info: Info, product: Doc) -> list[Campaign]:
    services = info.context.services
    now = services.now()
    docs = campaigns_uc.active_for_product(
        await info.context.loaders.open_campaigns.load(product["shopId"]), product, now
    )
    return [c for c in (campaign_of(d, now) for d in docs) if c is not None]


@strawberry.input(description="Which products a campaign covers.")
class CampaignScopeInput:
    kind: CampaignScopeKind = strawberry.field(
        default=CampaignScopeKind.ALL, description="ALL (no ids), or 1 to 200 categories or products."
    )
    categories: list[str] = strawberry.field(default_factory=list, description="For CATEGORIES.")
    product_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="For PRODUCTS.")


@strawberry.input(description="amountOff for FULL_REDUCTION, percentOff for FULL_DISCOUNT.")
class CampaignTierInput:
    threshold: Long = strawberry.field(description="Fen the lines in scope must cost together.")
    amount_off: Long | None = strawberry.field(default=None, description="FULL_REDUCTION: fen off.")
    percent_off: int | None = strawberry.field(default=None, description="FULL_DISCOUNT: percent off, 1 to 99.")


@strawberry.input
class DiscountCampaignFields:
    kind: CampaignKind = strawberry.field(description="FULL_REDUCTION, FULL_DISCOUNT or TIME_DISCOUNT.")
    name: str = strawberry.field(description="1 to 40 characters.")
    starts_at: datetime = strawberry.field(description="When it starts.")
    ends_at: datetime = strawberry.field(description="After startsAt, in the future, at most 90 days on.")
    scope: CampaignScopeInput = strawberry.field(default_factory=CampaignScopeInput, description="ALL when not given.")
    stackable_with: list[str] | None = strawberry.field(
        default=None,
        description="The kinds it combines with; by default SHOP_COUPON and PLATFORM_COUPON only (an activity price"
        " then leaves its line out of a full reduction).",
    )
    tiers: list[CampaignTierInput] = strawberry.field(default_factory=list, description="Increasing.")
    percent_off: int | None = strawberry.field(default=None, description="TIME_DISCOUNT: 1 to 99.")


@strawberry.input
class CreateDiscountCampaignInput(DiscountCampaignFields):
    shop_id: strawberry.ID


@strawberry.input(description="The whole declaration again (a running campaign may change only its name and end).")
class UpdateDiscountCampaignInput(DiscountCampaignFields):
    campaign_id: strawberry.ID = strawberry.field(description="The campaign to change.")


@strawberry.input
class CancelDiscountCampaignInput:
    campaign_id: strawberry.ID = strawberry.field(description="The campaign to end.")


@strawberry.type
class DiscountCampaignPayload:
    campaign: DiscountCampaign | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _declared(input: DiscountCampaignFields) -> campaigns_uc.Declared:
    if input.kind.value not in campaigns_uc.KINDS:
        raise Refused(
            "INVALID_INPUT", f"A discount campaign is one of {', '.join(campaigns_uc.KINDS)}", ["input", "kind"]
        )
    scope = input.scope
    if scope.kind == CampaignScopeKind.PRODUCTS:
        ids = tuple(
            raw_id(p, "Product", "input", "scope", "productIds", str(i)) for i, p in enumerate(scope.product_ids)
        )
    else:
        ids = tuple(scope.categories)
    tiers = []
    for i, t in enumerate(input.tiers):
        value = t.amount_off if input.kind == CampaignKind.FULL_REDUCTION else t.percent_off
        other = t.percent_off if input.kind == CampaignKind.FULL_REDUCTION else t.amount_off
        if value is None or other is not None:
            wanted = "amountOff" if input.kind == CampaignKind.FULL_REDUCTION else "percentOff"
            raise Refused("INVALID_INPUT", f"A {input.kind.value} tier has {wanted} only", ["input", "tiers", str(i)])
        tiers.append(rules.Tier(int(t.threshold), int(value)))
    return campaigns_uc.Declared(
        kind=input.kind.value,
        name=input.name,
        starts_at=epoch_ms(input.starts_at),
        ends_at=epoch_ms(input.ends_at),
        scope_kind=scope.kind.value,
        scope_ids=ids,
        stackable_with=tuple(input.stackable_with) if input.stackable_with is not None else None,
        tiers=tuple(tiers),
        percent_off=input.percent_off,
    )


async def _input_campaign(services: Services, input: object) -> str | None:
    campaign_id = getattr(input, "campaign_id")  # noqa: B009 (inputs of two types)
    doc = await services.store.get("campaigns", raw_id(campaign_id, "Campaign", "input", "campaignId"))
    return doc["shopId"] if doc is not None and doc["kind"] in campaigns_uc.KINDS else None


CAMPAIGN = ShopOf(_input_campaign, ("input", "campaignId"), "No such campaign")


@strawberry.type
class CampaignMutations:
    @payload_mutation(
        DiscountCampaignPayload,
        staff=Staff(SHOP, ADMIN),
        description="The shop's owner or ADMIN staff: a full-reduction (满减), full-discount (满折) or time-limited"
        " discount (限时折扣) campaign.",
    )
    async def create_discount_campaign(self, info: Info, input: CreateDiscountCampaignInput) -> DiscountCampaignPayload:
        services = info.context.services
        doc = await campaigns_uc.create(
            services,
            info.context.require_viewer(),
            raw_id(input.shop_id, "Shop", "input", "shopId"),
            _declared(input),
        )
        return DiscountCampaignPayload(campaign=DiscountCampaign.from_doc(doc, services.now()))

    @payload_mutation(DiscountCampaignPayload, staff=Staff(CAMPAIGN, ADMIN), description="Owner or ADMIN staff.")
    async def update_discount_campaign(self, info: Info, input: UpdateDiscountCampaignInput) -> DiscountCampaignPayload:
        services = info.context.services
        raw = raw_id(input.campaign_id, "Campaign", "input", "campaignId")
        doc = await campaigns_uc.update(services, raw, _declared(input))
        return DiscountCampaignPayload(campaign=DiscountCampaign.from_doc(doc, services.now()))

    @payload_mutation(
        DiscountCampaignPayload, staff=Staff(CAMPAIGN, ADMIN), description="Owner or ADMIN staff: ends it now."
    )
    async def cancel_discount_campaign(self, info: Info, input: CancelDiscountCampaignInput) -> DiscountCampaignPayload:
        services = info.context.services
        raw = raw_id(input.campaign_id, "Campaign", "input", "campaignId")
        doc = await campaigns_uc.cancel(services, raw)
        return DiscountCampaignPayload(campaign=DiscountCampaign.from_doc(doc, services.now()))


@strawberry.enum(description="What happened to a campaign.")
class CampaignEventKind(Enum):
    STARTED = described_value(campaigns_uc.STARTED, "It started running.")
    ENDED = described_value(campaigns_uc.ENDED, "It ended (or was cancelled).")


@strawberry.type(description="A campaign of the shop started or ended.")
class CampaignEvent:
    event: CampaignEventKind = strawberry.field(description="What happened.")
    campaign: Campaign = strawberry.field(description="The campaign, as it is now.")


@strawberry.type
class CampaignSubscriptions:
    @strawberry.subscription(description="Each campaign of the shop as it starts or ends (or is cancelled).")
    async def campaign_events(self, info: Info, shop_id: strawberry.ID) -> AsyncGenerator[CampaignEvent, None]:
        raw = raw_id(shop_id, "Shop", "shopId")
        services = info.context.services
        if await services.store.get("shops", raw) is None:
            raise ApiError("NOT_FOUND", "No such shop")
        async with services.backends.bus.subscribe(campaigns_uc.channel(raw)) as events:
            async for envelope in events:
                data = None if envelope.resync else envelope.data
                if not isinstance(data, dict) or "campaignId" not in data:
                    continue  # a resync: the calendar query tells what runs now
                doc = await services.store.get("campaigns", data["campaignId"])
                campaign = campaign_of(doc, services.now()) if doc else None
                if campaign is not None:
                    yield CampaignEvent(event=CampaignEventKind(data["event"]), campaign=campaign)

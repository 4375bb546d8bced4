"""Seckill (秒杀) campaigns: the merchant's create and cancel, the countdown (`currentSlot`, `serverTime`), the slot's
path token, the rush (`seckillOrder`) and the `seckillStock` subscription."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from domain import seckill as rules
from domain.ids import to_global_id
from resolvers import seckill as seckill_uc
from resolvers.errors import ApiError
from schema.campaigns import Campaign, CampaignStatus
from schema.catalog import Shop, Sku
from schema.common import Long, Money, Node, UserError, must, page_size
from schema.context import Context, Info
from schema.coupons import epoch_ms
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from schema.orders import Order, when
from schema.pages.rendering import CampaignKind
from schema.shortcuts import LEAF, NULL, USER_ERROR, Shortcut, user_errors
from schema.staff import SHOP, ShopOf, Staff
from store.protocol import Doc


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


@strawberry.type(description="A daily slot in the campaign's time zone; `end` at or before `start` crosses midnight.")
class SeckillSlot:
    start: str = strawberry.field(description="HH:MM, when it opens each day.")
    end: str = strawberry.field(description="HH:MM, when it closes.")
    crosses_midnight: bool = strawberry.field(description="Whether it closes the next day.")


@strawberry.type(description="A slot's window on one day: the countdown counts to `startsAt`, then to `endsAt`.")
class SeckillSlotWindow:
    starts_at: datetime = strawberry.field(description="When it opens.")
    ends_at: datetime = strawberry.field(description="When it closes.")
    running: bool = strawberry.field(description="Whether it is open now.")


@strawberry.type(description="A SKU a seckill sells, its price and stock.")
class SeckillItem:
    price: Money = strawberry.field(description="The seckill price of one unit.")
    stock: int = strawberry.field(description="The seckill units the campaign takes from the SKU when it starts.")
    doc: strawberry.Private[Doc]
    left: strawberry.Private[int]

    @strawberry.field(
        description="Units not sold yet (the units of unpaid orders come back after SECKILL_PAY_MINUTES)."
    )
    def remaining(self) -> int:
        return self.left

    @strawberry.field(description="The SKU.")
    async def sku(self, info: Info) -> Sku:
        return Sku.from_doc(must(await info.context.loaders.sku.load(self.doc["skuId"]), "SKU"))


@strawberry.type(description="A seckill (秒杀): SKUs at a low price in limited stock, sold in daily slots.")
class SeckillCampaign(Campaign, Node):
    id: strawberry.ID
    kind: CampaignKind = strawberry.field(description="SECKILL.")
    name: str = strawberry.field(description="Up to 60 characters.")
    starts_at: datetime = strawberry.field(description="The first day it may run.")
    ends_at: datetime = strawberry.field(description="When it ends (at most 90 days after it starts).")
    stackable_with: list[str] = strawberry.field(
        description="The kinds it combines with, as on every Campaign (an activity price: by default only coupons)."
    )
    time_zone: str = strawberry.field(description="The IANA zone its slots are in.")
    limit_per_user: int = strawberry.field(description="Units one user may buy over the campaign, 1 to 99.")
    limit_per_order: int = strawberry.field(description="Units one order may hold, 1 to 99.")
    cancelled_at: datetime | None = strawberry.field(description="When the shop cancelled it; null otherwise.")

    @classmethod
    def from_doc(cls, doc: Doc) -> SeckillCampaign:
        return cls(
            id=strawberry.ID(to_global_id("SeckillCampaign", doc["_id"])),
            kind=CampaignKind.SECKILL,
            name=doc["name"],
            starts_at=_utc(doc["startsAt"]),
            ends_at=_utc(doc["endsAt"]),
            stackable_with=list(doc["stackableWith"]),
            time_zone=doc["timeZone"],
            limit_per_user=doc["limitPerUser"],
            limit_per_order=doc["limitPerOrder"],
            cancelled_at=when(doc.get("cancelledAt")),
            doc=doc,
        )

    @strawberry.field(description="Its daily slots (1 to 12), in order.")
    def slots(self) -> list[SeckillSlot]:
        return [
            SeckillSlot(start=rules.hhmm(s.start), end=rules.hhmm(s.end), crosses_midnight=s.crosses_midnight)
            for s in rules.slots_of(self.doc)
        ]

    @strawberry.field(description="The slot running now, else the next one to open; null once none opens any more.")
    def current_slot(self, info: Info) -> SeckillSlotWindow | None:
        now = info.context.services.now()
        window = rules.current_or_next(self.doc, now)
        if window is None:
            return None
        return SeckillSlotWindow(
            starts_at=_utc(window.starts_at), ends_at=_utc(window.ends_at), running=window.holds(now)
        )

    @strawberry.field(description="The server's clock when it answered, for the countdown.")
    def server_time(self, info: Info) -> datetime:
        return _utc(info.context.services.now())

    @strawberry.field(description="The SKUs it sells (1 to 50).")
    async def items(self, info: Info) -> list[SeckillItem]:
        left = await seckill_uc.stock_left(info.context.services, self.doc)
        return [
            SeckillItem(price=Money.fen(it["price"]), stock=it["stock"], doc=it, left=left[it["skuId"]])
            for it in self.doc["items"]
        ]

    @strawberry.field(description="The shop that runs it.")
    async def shop(self, info: Info) -> Shop:
        return Shop.from_doc(must(await info.context.loaders.shop.load(self.doc["shopId"]), "shop"))


async def _is_seckill(info: Info, doc: Doc) -> bool:
    return bool(doc.get("kind") == rules.KIND)


register_node("SeckillCampaign", "campaign", SeckillCampaign.from_doc, _is_seckill)


@strawberry.type(description="The signed token of the slot running now, for seckillOrder's `pathToken`.")
class SeckillPath:
    token: str = strawberry.field(description="Pass it as seckillOrder's `pathToken`.")
    slot_starts_at: datetime = strawberry.field(description="When the slot opened.")
    slot_ends_at: datetime = strawberry.field(description="When it closes (and the token with it).")


@strawberry.type(description="Units left of one SKU of a seckill.")
class SeckillItemStock:
    sku_id: strawberry.ID = strawberry.field(description="The SKU's global id.")
    remaining: int = strawberry.field(description="Units not sold yet.")


@strawberry.type(description="A seckill's stock now.")
class SeckillStock:
    campaign_id: strawberry.ID = strawberry.field(description="The campaign's global id.")
    items: list[SeckillItemStock] = strawberry.field(description="Per SKU.")
    server_time: datetime = strawberry.field(description="The server's clock, for the countdown.")


@strawberry.input(description="A daily slot.")
class SeckillSlotInput:
    start: str = strawberry.field(description="HH:MM in the campaign's time zone.")
    end: str = strawberry.field(description="HH:MM; at or before `start`, the slot ends the next day.")


@strawberry.input(description="A SKU to sell in the seckill.")
class SeckillItemInput:
    sku_id: strawberry.ID = strawberry.field(description="A SKU of the shop, once per campaign.")
    price: Long = strawberry.field(description="Fen, at least 1 and below the SKU's price.")
    stock: int = strawberry.field(description="Units, 1 to 1,000,000, taken from the SKU when the campaign starts.")


@strawberry.input
class CreateSeckillCampaignInput:
    shop_id: strawberry.ID
    name: str = strawberry.field(description="1 to 60 characters.")
    starts_at: datetime = strawberry.field(description="When it may first run.")
    ends_at: datetime = strawberry.field(description="After startsAt, in the future, at most 90 days on.")
    slots: list[SeckillSlotInput] = strawberry.field(description="1 to 12 daily slots that do not overlap.")
    items: list[SeckillItemInput] = strawberry.field(description="1 to 50 SKUs of the shop.")
    limit_per_user: int = strawberry.field(default=1, description="1 to 99 units per user over the campaign.")
    limit_per_order: int = strawberry.field(default=1, description="1 to 99 units per order, at most limitPerUser.")
    time_zone: str | None = strawberry.field(default=None, description="IANA zone; the shop's, else Asia/Shanghai.")
    stackable_with: list[str] = strawberry.field(
        default_factory=list, description="Campaign kinds it combines with (by default only coupons)."
    )


@strawberry.input
class SeckillCampaignIdInput:
    campaign_id: strawberry.ID = strawberry.field(description="The seckill campaign.")


@strawberry.input
class SeckillOrderInput:
    campaign_id: strawberry.ID = strawberry.field(description="A running seckill.")
    sku_id: strawberry.ID = strawberry.field(description="One of its SKUs.")
    quantity: int = strawberry.field(description="Units, at most limitPerOrder (and what limitPerUser leaves).")
    path_token: str = strawberry.field(description="From seckillPathToken, for the slot running now.")
    idempotency_key: str = strawberry.field(
        description=("1 to 64 characters: a retry with the same key returns the first order.")
    )
    address_id: strawberry.ID | None = strawberry.field(
        default=None, description=("One of the viewer's addresses to ship to.")
    )


@strawberry.type
class SeckillCampaignPayload:
    campaign: SeckillCampaign | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SeckillOrderPayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @strawberry.field(description="The server's clock when it answered (a refused early attempt resets its countdown).")
    def server_time(self, info: Info) -> datetime:
        return _utc(info.context.services.now())


def _campaign_id(input: Any) -> str:
    return raw_id(input.campaign_id, "SeckillCampaign", "input", "campaignId")


async def _input_campaign(services: Any, input: Any) -> str | None:
    doc = await seckill_uc.get_campaign(services, _campaign_id(input))
    return doc["shopId"] if doc is not None else None


CAMPAIGN = ShopOf(_input_campaign, ("input", "campaignId"), "No such seckill campaign")


@strawberry.type
class SeckillQueries:
    @strawberry.field(description="A seckill by id; null when there is none.")
    async def seckill_campaign(self, info: Info, id: strawberry.ID) -> SeckillCampaign | None:
        found: SeckillCampaign | None = await load_typed(info, id, "SeckillCampaign", "id")
        return found

    @strawberry.field(description="The shop's seckill campaigns, the latest ending first (at most 100).")
    async def seckill_campaigns(
        self,
        info: Info,
        shop_id: strawberry.ID,
        status: Annotated[CampaignStatus | None, strawberry.argument(description="Only those in this status.")] = None,
        first: int | None = None,
    ) -> list[SeckillCampaign]:
        shop = raw_id(shop_id, "Shop", "shopId")
        docs = await seckill_uc.shop_campaigns(
            info.context.services, shop, status.value if status else None, page_size(first)
        )
        return [SeckillCampaign.from_doc(d) for d in docs]

    @strawberry.field(description="Call it when the countdown ends: null until the slot opens, then its token.")
    async def seckill_path_token(
        self, info: Info, campaign_id: Annotated[strawberry.ID, strawberry.argument(description="The seckill.")]
    ) -> SeckillPath | None:
        user = info.context.require_viewer()
        raw = raw_id(campaign_id, "SeckillCampaign", "campaignId")
        issued = await seckill_uc.path_token(info.context.services, user, raw)
        if issued is None:
            return None
        token, window = issued
        return SeckillPath(token=token, slot_starts_at=_utc(window.starts_at), slot_ends_at=_utc(window.ends_at))


def _slots(input: CreateSeckillCampaignInput) -> list[tuple[str, str]]:
    return [(s.start, s.end) for s in input.slots]


def _items(input: CreateSeckillCampaignInput) -> list[tuple[str, int, int]]:
    return [
        (raw_id(it.sku_id, "Sku", "input", "items", str(i), "skuId"), int(it.price), it.stock)
        for i, it in enumerate(input.items)
    ]


@strawberry.type
class SeckillMutations:
    @payload_mutation(SeckillCampaignPayload, staff=Staff(SHOP), description="The shop's owner and ADMIN staff.")
    async def create_seckill_campaign(self, info: Info, input: CreateSeckillCampaignInput) -> SeckillCampaignPayload:
        doc = await seckill_uc.create_campaign(
            info.context.services,
            raw_id(input.shop_id, "Shop", "input", "shopId"),
            name=input.name,
            starts_at=epoch_ms(input.starts_at),
            ends_at=epoch_ms(input.ends_at),
            time_zone=input.time_zone,
            slots=_slots(input),
            items=_items(input),
            limit_per_user=input.limit_per_user,
            limit_per_order=input.limit_per_order,
            stackable_with=list(input.stackable_with),
        )
        return SeckillCampaignPayload(campaign=SeckillCampaign.from_doc(doc))

    @payload_mutation(
        SeckillCampaignPayload,
        staff=Staff(CAMPAIGN),
        description="Ends it now: what is left goes back to the SKUs; placed orders stay.",
    )
    async def cancel_seckill_campaign(self, info: Info, input: SeckillCampaignIdInput) -> SeckillCampaignPayload:
        doc = await seckill_uc.cancel_campaign(info.context.services, _campaign_id(input))
        return SeckillCampaignPayload(campaign=SeckillCampaign.from_doc(doc))

    @payload_mutation(
        SeckillOrderPayload,
        description=(
            "One seckill attempt: OUT_OF_STOCK, PURCHASE_LIMIT, SECKILL_CLOSED (outside a slot), PATH_TOKEN_INVALID,"
            " RATE_LIMITED. The order is PENDING_PAYMENT; unpaid after SECKILL_PAY_MINUTES its units go back."
        ),
    )
    async def seckill_order(self, info: Info, input: SeckillOrderInput) -> SeckillOrderPayload:
        address = raw_id(input.address_id, "Address", "input", "addressId") if input.address_id else None
        order = await seckill_uc.seckill_order(
            info.context.services,
            info.context.require_viewer(),
            _campaign_id(input),
            raw_id(input.sku_id, "Sku", "input", "skuId"),
            input.quantity,
            input.path_token,
            input.idempotency_key,
            address,
        )
        return SeckillOrderPayload(order=Order.from_doc(order))


async def _sold_out_answer(context: Context, input: dict[str, Any]) -> dict[str, Any] | None:
    """seckillOrder before the engine (schema/shortcuts.py): an attempt at an SKU this process has flagged sold out
    gets the refusal seckill_order would give (the same checks, in the same order as the resolver above); any other
    attempt is the engine's, untouched."""
    try:
        campaign_id = raw_id(input["campaignId"], "SeckillCampaign", "input", "campaignId")
        sku_id = raw_id(input["skuId"], "Sku", "input", "skuId")
    except ApiError:
        return None
    services = context.services
    if not services.seckill.is_sold_out(campaign_id, sku_id):
        return None
    refused: ApiError
    try:
        viewer = context.require_viewer()
        if input["addressId"]:
            raw_id(input["addressId"], "Address", "input", "addressId")
        refused = await seckill_uc.refuse_sold_out(
            services, viewer, campaign_id, sku_id, input["quantity"], input["pathToken"], input["idempotencyKey"]
        )
    except ApiError as exc:
        refused = exc
    return {"order": None, "errors": user_errors(refused), "serverTime": _utc(services.now()).isoformat()}


SOLD_OUT_SHORTCUT = Shortcut(
    "seckillOrder", {"order": NULL, "errors": USER_ERROR, "serverTime": LEAF}, _sold_out_answer
)


@strawberry.type
class SeckillSubscriptions:
    @strawberry.subscription(description="Units left per SKU now, then at most once a tick while they change.")
    async def seckill_stock(
        self, info: Info, campaign_id: Annotated[strawberry.ID, strawberry.argument(description="The seckill.")]
    ) -> AsyncGenerator[SeckillStock, None]:
        raw = raw_id(campaign_id, "SeckillCampaign", "campaignId")
        services = info.context.services
        campaign = await seckill_uc.get_campaign(services, raw)
        if campaign is None:
            raise ApiError("NOT_FOUND", "No such seckill campaign")
        tick = services.settings.SECKILL_TICK_SECONDS
        async with services.backends.bus.subscribe(seckill_uc.topic(raw)) as events:
            left = await seckill_uc.stock_left(services, campaign)
            shown: dict[str, int] = {}
            iterator = aiter(events)
            while True:
                if left != shown:
                    shown = dict(left)
                    yield SeckillStock(
                        campaign_id=strawberry.ID(to_global_id("SeckillCampaign", raw)),
                        items=[
                            SeckillItemStock(sku_id=strawberry.ID(to_global_id("Sku", s)), remaining=n)
                            for s, n in shown.items()
                        ],
                        server_time=_utc(services.now()),
                    )
                    await asyncio.sleep(tick)  # at most once a tick: what changed meanwhile is in the next one
                pending = [await anext(iterator)]
                while events.queue.qsize():  # the events that queued during the tick, at once
                    pending.append(await anext(iterator))
                for envelope in pending:
                    if envelope.resync:
                        left = await seckill_uc.stock_left(services, campaign)
                    else:
                        _apply(left, envelope.data)


def _apply(left: dict[str, int], event: Any) -> None:
    if isinstance(event, dict) and event.get("skuId") in left and isinstance(event.get("left"), int):
        left[event["skuId"]] = event["left"]

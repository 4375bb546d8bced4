"""`shopPage`: a published page (or a previewed draft) with the data of each section, resolved in the same request
through DataLoaders, and its revision as the response's ETag (a GET with If-None-Match gets 304)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON

from domain.ids import to_global_id
from domain.pages import components as c
from domain.pages import kinds
from domain.pages.preview import read_preview_token
from domain.pages.revisions import revision_key
from domain.pages.themes import merged
from domain.tokens import InvalidToken
from resolvers.errors import bad_input
from resolvers.pages import render
from schema.catalog import Product, Shop
from schema.common import Money, described_value
from schema.conditional import not_modified
from schema.content import Post
from schema.context import Info
from schema.coupons import Coupon
from schema.live import LiveRoom
from schema.nodes import raw_id
from schema.pages import section_data as cards
from schema.pages.pages import PageKind
from schema.pages.themes import ShopTheme
from store.protocol import Doc

T = TypeVar("T")


@strawberry.enum(description="Why something a page shows is unavailable; the page keeps it, the client greys it out.")
class UnavailableReason(Enum):
    NOT_FOUND = described_value(render.NOT_FOUND, "It is gone (deleted, or not the shop's).")
    OFFER_ENDED = described_value(
        render.OFFER_ENDED, "The product no longer has the group-buy or bargain offer the block shows."
    )
    EXPIRED = described_value(render.EXPIRED, "The coupon is past its validity.")
    SOLD_OUT = described_value(render.SOLD_OUT, "No coupons are left to claim.")
    ENDED = described_value(render.ENDED, "The live room has ended.")
    NOTHING_TO_SHOW = described_value(
        render.NOTHING_TO_SHOW, "The block picks by itself and found nothing (no live or scheduled room, no product)."
    )


def _reason(item: render.Item) -> UnavailableReason | None:
    return UnavailableReason(item.reason) if item.reason else None


@strawberry.enum(
    description="What a page's campaign block shows (COUPON, GROUP_BUY, BARGAIN, LIVE), and a shop campaign's kind"
    " (FULL_REDUCTION, FULL_DISCOUNT, TIME_DISCOUNT: DiscountCampaign; SECKILL: SeckillCampaign)."
)
class CampaignKind(Enum):
    COUPON = described_value("COUPON", "A coupon to claim.")
    GROUP_BUY = described_value("GROUP_BUY", "A group-buy offer.")
    BARGAIN = described_value("BARGAIN", "A bargain offer.")
    LIVE = described_value("LIVE", "A live room.")
    FULL_REDUCTION = described_value("FULL_REDUCTION", "满减: tiers of threshold to fen off.")
    FULL_DISCOUNT = described_value("FULL_DISCOUNT", "满折: a threshold to a percentage off.")
    TIME_DISCOUNT = described_value("TIME_DISCOUNT", "限时折扣: a lower price for a time.")
    SECKILL = described_value("SECKILL", "秒杀: a flash sale of limited stock.")


@strawberry.type(description="A campaign the product is in: its best price there.")
class CampaignBadge:
    kind: CampaignKind = strawberry.field(description="Which campaign.")
    price: Money = strawberry.field(description="The largest team's price (GROUP_BUY) or the floor (BARGAIN).")
    team_size: int | None = strawberry.field(
        default=None, description=("GROUP_BUY: the largest team's size; null otherwise.")
    )
    helpers_needed: int | None = strawberry.field(
        default=None, description=("BARGAIN: helpers to reach the floor; null otherwise.")
    )


def badges(product: Doc) -> list[CampaignBadge]:
    return [
        CampaignBadge(
            kind=CampaignKind(b["kind"]),
            price=Money.fen(b["price"]),
            team_size=b.get("teamSize"),
            helpers_needed=b.get("helpersNeeded"),
        )
        for b in cards.badges(product)
    ]


@strawberry.type(description="A product a page section shows, or why it cannot.")
class PageProduct:
    """Built whole by its section (stock read for all its products at once): a page shows hundreds of these, and
    plain fields cost GraphQL a fraction of resolvers."""

    ref: strawberry.ID | None = strawberry.field(description="The id the page names; null for a product it picked.")
    available: bool = strawberry.field(description="Whether it can be shown as live content.")
    reason: UnavailableReason | None = strawberry.field(
        description=("Why not, when `available` is false; null otherwise.")
    )
    product: Product | None = strawberry.field(description="The product; null when it is gone.")
    price: Money | None = strawberry.field(description="The lowest SKU price.")
    stock: int | None = strawberry.field(description="Units left over all SKUs.")
    badges: list[CampaignBadge] = strawberry.field(
        description=("Its group-buy and bargain offers, with their best prices.")
    )

    @classmethod
    def of(cls, item: render.Item, stock: int | None = None) -> PageProduct:
        doc = item.doc
        return cls(
            ref=strawberry.ID(item.ref) if item.ref else None,
            available=item.available,
            reason=_reason(item),
            product=Product.from_doc(doc) if doc else None,
            price=Money.fen(doc["price"]) if doc else None,
            stock=stock,
            badges=badges(doc) if doc and item.available else [],
        )


async def page_products(info: Info, items: list[render.Item]) -> list[PageProduct]:
    stocks = await render.stocks(info.context.loaders, [i.doc["_id"] for i in items if i.doc])
    return [PageProduct.of(i, stocks.get(i.doc["_id"]) if i.doc else None) for i in items]


@strawberry.type(description="A coupon a page section shows, or why it cannot.")
class PageCoupon:
    ref: strawberry.ID | None = strawberry.field(description="The id the page names; null for one it picked itself.")
    available: bool = strawberry.field(description="Whether it can be shown as live content.")
    reason: UnavailableReason | None = strawberry.field(
        description=("Why not, when `available` is false; null otherwise.")
    )
    claimed: bool = strawberry.field(description="The viewer holds it already.")
    claimable: bool = strawberry.field(description="The viewer may still claim it.")
    item: strawberry.Private[render.CouponItem]

    @classmethod
    def of(cls, item: render.CouponItem) -> PageCoupon:
        return cls(
            ref=strawberry.ID(item.ref) if item.ref else None,
            available=item.available,
            reason=_reason(item),
            claimed=item.claimed,
            claimable=item.available and not item.claimed,
            item=item,
        )

    @strawberry.field(description="The coupon; null when it is gone.")
    def coupon(self) -> Coupon | None:
        return Coupon.from_doc(self.item.doc) if self.item.doc else None


@strawberry.type(description="A live room a page section shows, or why it cannot.")
class PageLiveRoom:
    ref: strawberry.ID | None = strawberry.field(description="The id the page names; null for one it picked itself.")
    available: bool = strawberry.field(description="Whether it can be shown as live content.")
    reason: UnavailableReason | None = strawberry.field(
        description=("Why not, when `available` is false; null otherwise.")
    )
    item: strawberry.Private[render.Item]

    @classmethod
    def of(cls, item: render.Item) -> PageLiveRoom:
        return cls(
            ref=strawberry.ID(item.ref) if item.ref else None, available=item.available, reason=_reason(item), item=item
        )

    @strawberry.field(description="With its status and viewer count.")
    def room(self) -> LiveRoom | None:
        return LiveRoom.from_doc(self.item.doc) if self.item.doc else None


@strawberry.type(description="What a floating promotion window links to.")
class PageCampaign:
    kind: CampaignKind = strawberry.field(description="COUPON, GROUP_BUY, BARGAIN or LIVE.")
    available: bool = strawberry.field(description="Whether it can be shown as live content.")
    reason: UnavailableReason | None = strawberry.field(
        description=("Why not, when `available` is false; null otherwise.")
    )
    coupon: PageCoupon | None = strawberry.field(default=None, description="COUPON: the coupon; null otherwise.")
    product: PageProduct | None = strawberry.field(
        default=None, description=("GROUP_BUY and BARGAIN: the product; null otherwise.")
    )
    live_room: PageLiveRoom | None = strawberry.field(default=None, description="LIVE: the room; null otherwise.")


PRODUCT_SECTIONS = ("product_grid", "smart_product_list", "group_buy_zone", "bargain_zone")
SHOP_SECTIONS = ("shop_info", "follow_shop")


@strawberry.type(description="One section of a page, with the data it shows resolved for the viewer.")
class PageSection:
    id: str = strawberry.field(description="The section's id in the document.")
    type: str = strawberry.field(description="Its component type (see pageComponents).")
    settings: JSON = strawberry.field(description="Its settings, as the document has them.")
    blocks: JSON = strawberry.field(description="Its blocks, as the document has them.")
    section: strawberry.Private[dict[str, Any]]
    page: strawberry.Private[ShopPage]

    @property
    def settings_dict(self) -> dict[str, Any]:
        return self.section.get("settings") or {}

    def _once(self, what: str, make: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """One resolution per section and kind of data, whichever fields ask for it."""
        key = (self.id, what)
        memo = self.page.memo
        if key not in memo:
            memo[key] = asyncio.ensure_future(make())
        return memo[key]

    @strawberry.field(
        description="What the section shows, resolved, as one JSON value (the renderer's fast path; shapes in the"
        " README): {products: [...]}, {coupons: [...]}, {liveRoom}, {notes: [...]}, {shop} or {campaign}."
    )
    async def data(self, info: Info) -> JSON:
        loaders = info.context.loaders
        if self.type in PRODUCT_SECTIONS:
            items = await self._product_items(info)
            stocks = await render.stocks(loaders, [i.doc["_id"] for i in items if i.doc])
            return JSON(
                {"products": [cards.product_card(i, stocks.get(i.doc["_id"]) if i.doc else None) for i in items]}
            )
        if self.type == "coupon_strip":
            return JSON({"coupons": [cards.coupon_card(i) for i in await self._coupon_items(info)]})
        if self.type == "live_room_card":
            return JSON({"liveRoom": await self._room_card(info, await self._room_item(info))})
        if self.type == "notes_waterfall":
            notes = await self._notes(info)
            authors = await loaders.user.load_many([n["authorId"] for n in notes])
            return JSON({"notes": [cards.note_card(n, a) for n, a in zip(notes, authors, strict=True)]})
        if self.type in SHOP_SECTIONS:
            shop = self.page.shop_doc
            owner = await loaders.user.load(shop["ownerId"])
            follows = (await info.context.seer.relation(shop["ownerId"])).follows
            return JSON({"shop": cards.shop_card(shop, owner, follows)})
        if self.type == "floating_promotion":
            kind, item = await self._campaign_item(info)
            campaign: dict[str, Any] = {"kind": kind.value, "available": item.available, "reason": item.reason}
            if isinstance(item, render.CouponItem):
                campaign["coupon"] = cards.coupon_card(item)
            elif kind is CampaignKind.LIVE:
                campaign["liveRoom"] = await self._room_card(info, item)
            else:
                stocks = await render.stocks(loaders, [item.doc["_id"]] if item.doc else [])
                campaign["product"] = cards.product_card(item, stocks.get(item.doc["_id"]) if item.doc else None)
            return JSON({"campaign": campaign})
        return JSON({})

    async def _room_card(self, info: Info, item: render.Item) -> dict[str, Any]:
        viewers = await info.context.services.live.viewer_count(item.doc["_id"]) if item.doc else 0
        return cards.room_card(item, viewers)

    @strawberry.field(description="False when what the section is about (its live room, its campaign) is gone.")
    async def available(self, info: Info) -> bool:
        return await self._main(info) is None

    @strawberry.field(description="Why not, when `available` is false; null otherwise.")
    async def reason(self, info: Info) -> UnavailableReason | None:
        return await self._main(info)

    async def _main(self, info: Info) -> UnavailableReason | None:
        if self.type == "live_room_card":
            return _reason(await self._room_item(info))
        if self.type == "floating_promotion":
            return _reason((await self._campaign_item(info))[1])
        return None

    # -- the typed fields: the same items as GraphQL objects ------------------------------------------------------
    @strawberry.field(description="Products of product grids, smart lists, group-buy and bargain zones, in order.")
    async def products(self, info: Info) -> list[PageProduct]:
        return await page_products(info, await self._product_items(info))

    @strawberry.field(description="Coupons of a coupon strip: claimed or not by the viewer.")
    async def coupons(self, info: Info) -> list[PageCoupon]:
        return [PageCoupon.of(i) for i in await self._coupon_items(info)]

    @strawberry.field(description="The live room of a live room card.")
    async def live_room(self, info: Info) -> PageLiveRoom | None:
        return PageLiveRoom.of(await self._room_item(info)) if self.type == "live_room_card" else None

    @strawberry.field(description="Notes of a notes waterfall, as the viewer may see them.")
    async def notes(self, info: Info) -> list[Post]:
        return [Post.from_doc(d) for d in await self._notes(info)]

    @strawberry.field(description="The shop, for shop info and follow-the-shop cards (follow its owner).")
    def shop(self) -> Shop | None:
        return Shop.from_doc(self.page.shop_doc) if self.type in SHOP_SECTIONS else None

    @strawberry.field(description="The campaign of a floating promotion window.")
    async def campaign(self, info: Info) -> PageCampaign | None:
        if self.type != "floating_promotion":
            return None
        kind, item = await self._campaign_item(info)
        found = PageCampaign(kind=kind, available=item.available, reason=_reason(item))
        if isinstance(item, render.CouponItem):
            found.coupon = PageCoupon.of(item)
        elif kind is CampaignKind.LIVE:
            found.live_room = PageLiveRoom.of(item)
        else:
            found.product = (await page_products(info, [item]))[0]
        return found

    # -- the items, resolved once per section ---------------------------------------------------------------------
    def _product_items(self, info: Info) -> Awaitable[list[render.Item]]:
        return self._once("products", lambda: self._products(info))

    async def _products(self, info: Info) -> list[render.Item]:
        services, loaders, settings = info.context.services, info.context.loaders, self.settings_dict
        shop_id = self.page.shop_doc["_id"]
        if self.type == "product_grid":
            if settings["source"] == "MANUAL":
                return await render.named_products(loaders, shop_id, settings["productIds"])
            sort, limit = settings.get("sort", "BEST_SELLING"), settings.get("limit", 6)
            return await render.ruled_products(services, loaders, shop_id, settings.get("category"), sort, limit)
        if self.type == "smart_product_list":
            viewer, limit = info.context.viewer_id, settings.get("limit", 10)
            return await render.smart_products(services, loaders, self._sellers(info), shop_id, viewer, limit)
        if self.type in ("group_buy_zone", "bargain_zone"):
            kind = c.GROUP_BUY if self.type == "group_buy_zone" else c.BARGAIN
            if settings.get("productIds"):
                return await render.named_products(loaders, shop_id, settings["productIds"], kind)
            return await render.offer_products(loaders, self._sellers(info), kind, settings.get("limit", 4))
        return []

    def _sellers(self, info: Info) -> render.BestSellers:
        """The shop's best sellers, read once for every section of the page that picks from them."""
        memo, key = self.page.memo, "best sellers"

        def read() -> Awaitable[list[Doc]]:
            if key not in memo:
                memo[key] = asyncio.ensure_future(render.best_sellers(info.context.services, self.page.shop_doc["_id"]))
            return memo[key]

        return read

    def _coupon_items(self, info: Info) -> Awaitable[list[render.CouponItem]]:
        return self._once("coupons", lambda: self._coupons(info))

    async def _coupons(self, info: Info) -> list[render.CouponItem]:
        if self.type != "coupon_strip":
            return []
        services, loaders, viewer = info.context.services, info.context.loaders, info.context.viewer_id
        settings, shop_id = self.settings_dict, self.page.shop_doc["_id"]
        if settings.get("couponIds"):
            return await render.named_coupons(loaders, shop_id, settings["couponIds"], viewer, services.now())
        return await render.running_coupons(services, loaders, shop_id, viewer, settings.get("limit", 3))

    def _room_item(self, info: Info, ref: str | None = None) -> Awaitable[render.Item]:
        ref = ref if ref is not None else self.settings_dict.get("liveRoomId")
        return self._once(f"room:{ref}", lambda: self._room(info, ref))

    async def _room(self, info: Info, ref: str | None) -> render.Item:
        shop = self.page.shop_doc
        if ref:
            return await render.named_room(info.context.loaders, shop, ref)
        return await render.current_room(info.context.services, info.context.loaders, shop)

    def _notes(self, info: Info) -> Awaitable[list[Doc]]:
        return self._once("notes", lambda: self._notes_now(info))

    async def _notes_now(self, info: Info) -> list[Doc]:
        if self.type != "notes_waterfall":
            return []
        s = self.settings_dict
        return await render.notes(
            info.context.services,
            info.context.seer,
            self.page.shop_doc,
            s["source"],
            s.get("topic"),
            s.get("limit", 10),
        )

    def _campaign_item(self, info: Info) -> Awaitable[tuple[CampaignKind, render.Item]]:
        return self._once("campaign", lambda: self._campaign_now(info))

    async def _campaign_now(self, info: Info) -> tuple[CampaignKind, render.Item]:
        services, loaders, viewer = info.context.services, info.context.loaders, info.context.viewer_id
        shop = self.page.shop_doc
        wanted = self.settings_dict["campaign"]
        kind, ref = CampaignKind(wanted["kind"]), wanted.get("id")
        if kind is CampaignKind.COUPON:
            coupons = (
                await render.named_coupons(loaders, shop["_id"], [ref], viewer, services.now())
                if ref
                else await render.running_coupons(services, loaders, shop["_id"], viewer, 1)
            )
            return kind, coupons[0] if coupons else render.CouponItem(None, None, render.NOTHING_TO_SHOW)
        if kind is CampaignKind.LIVE:
            return kind, await self._room(info, ref)
        offer = c.CAMPAIGNS[kind.value]
        products = (
            await render.named_products(loaders, shop["_id"], [ref], offer)
            if ref
            else await render.offer_products(loaders, self._sellers(info), offer, 1)
        )
        return kind, products[0] if products else render.Item(None, None, render.NOTHING_TO_SHOW)


@strawberry.type(description="A page as shoppers see it: its document and each section's data.")
class ShopPage:
    id: strawberry.ID = strawberry.field(description="The page's id.")
    kind: PageKind = strawberry.field(description="Which page.")
    slug: str | None = strawberry.field(description="A LANDING page's slug; null for the others.")
    revision_id: str = strawberry.field(description="Also the response's ETag (GET with If-None-Match: 304).")
    preview: bool = strawberry.field(description="A draft shown through a preview link.")
    shop_doc: strawberry.Private[Doc]
    doc: strawberry.Private[dict[str, Any]]
    memo: strawberry.Private[dict[Any, Any]]

    @strawberry.field(description="The document's title (empty when it has none).")
    def title(self) -> str:
        return str(self.doc.get("title", ""))

    @strawberry.field(description="The page document as published (rich text sanitised).")
    def document(self) -> JSON:
        return JSON(self.doc)

    @strawberry.field(description="The shop's theme with the page's own tokens over it.")
    def theme(self) -> ShopTheme:
        return ShopTheme.of(merged(self.shop_doc.get("theme"), self.doc.get("theme")))

    @strawberry.field(description="Its sections, in order.")
    def sections(self) -> list[PageSection]:
        return [
            PageSection(
                id=s["id"],
                type=s["type"],
                settings=JSON(s.get("settings") or {}),
                blocks=JSON(s.get("blocks") or []),
                section=s,
                page=self,
            )
            for s in self.doc.get("sections", [])
        ]

    @strawberry.field(description="The shop it belongs to.")
    def shop(self) -> Shop:
        return Shop.from_doc(self.shop_doc)


@strawberry.type
class RenderQueries:
    @strawberry.field(
        description="The published page (null when there is none), or with previewToken the draft it was made for."
        " Each section's data is resolved in this request. The response's ETag is the revision: a GET with"
        " If-None-Match answers 304 when this field is the operation's only root field."
    )
    async def shop_page(
        self,
        info: Info,
        shop_id: strawberry.ID,
        kind: Annotated[PageKind, strawberry.argument(description="Which page.")],
        slug: Annotated[str | None, strawberry.argument(description="Only for LANDING pages: its slug.")] = None,
        preview_token: Annotated[
            str | None,
            strawberry.argument(
                description=("From createPagePreview: show that revision instead of the published one.")
            ),
        ] = None,
    ) -> ShopPage | None:
        loaders = info.context.loaders
        raw_shop = raw_id(shop_id, "Shop", "shopId")
        if kinds.slug_problems(kind.value, slug):
            raise bad_input("A LANDING page has a slug of lowercase letters, digits and hyphens; others none", "slug")
        pid = kinds.page_id(raw_shop, kind.value, slug)
        page = await loaders.page.load(pid)  # a page exists once its shop saved a draft: no shop read for a 304
        revision = _previewed(info, pid, preview_token) if preview_token is not None else None
        revision = revision or (page["published"] if page else None)
        if page is None or revision is None:
            return None
        found = ShopPage(
            id=strawberry.ID(to_global_id("Page", pid)),
            kind=kind,
            slug=slug,
            revision_id=revision,
            preview=preview_token is not None,
            shop_doc={},
            doc={},
            memo={},
        )
        if not_modified(info, revision):
            return found  # the client has it: no document read, no section resolved (the view answers 304)
        shop, stored = await asyncio.gather(
            loaders.shop.load(raw_shop), loaders.page_document.load(revision_key(pid, revision))
        )
        if shop is None:
            return None
        if stored is None:
            raise bad_input("This preview link names a revision that does not exist", "previewToken")
        found.shop_doc, found.doc = shop, stored["document"]
        return found


def _previewed(info: Info, pid: str, token: str) -> str:
    services = info.context.services
    now = datetime.fromtimestamp(services.now() / 1000, UTC)
    try:
        preview = read_preview_token(services.settings.secret_key(), token, now)
    except InvalidToken as exc:
        raise bad_input(f"Not a valid preview link: {exc}", "previewToken") from None
    if preview.page_id != pid:
        raise bad_input("This preview link is for another page", "previewToken")
    return preview.revision_id

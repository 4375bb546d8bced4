"""`shopPage`: a published page (or a previewed draft) with the data of each section, resolved in the same request
through DataLoaders, and its revision as the response's ETag (a GET with If-None-Match gets 304)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

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
from schema.common import Money
from schema.conditional import not_modified
from schema.content import Post
from schema.context import Info
from schema.coupons import Coupon
from schema.live import LiveRoom
from schema.nodes import raw_id
from schema.pages.pages import PageKind
from schema.pages.themes import ShopTheme
from store.protocol import Doc

T = TypeVar("T")


@strawberry.enum(description="Why something a page shows is unavailable; the page keeps it, the client greys it out.")
class UnavailableReason(Enum):
    NOT_FOUND = render.NOT_FOUND
    OFFER_ENDED = render.OFFER_ENDED
    EXPIRED = render.EXPIRED
    SOLD_OUT = render.SOLD_OUT
    ENDED = render.ENDED
    NOTHING_TO_SHOW = render.NOTHING_TO_SHOW


def _reason(item: render.Item) -> UnavailableReason | None:
    return UnavailableReason(item.reason) if item.reason else None


@strawberry.enum
class CampaignKind(Enum):
    COUPON = "COUPON"
    GROUP_BUY = "GROUP_BUY"
    BARGAIN = "BARGAIN"
    LIVE = "LIVE"


@strawberry.type(description="A campaign the product is in: its best price there.")
class CampaignBadge:
    kind: CampaignKind
    price: Money = strawberry.field(description="The largest team's price (GROUP_BUY) or the floor (BARGAIN).")
    team_size: int | None = None
    helpers_needed: int | None = None


def badges(product: Doc) -> list[CampaignBadge]:
    found = []
    if offer := product.get("groupBuy"):
        tier = min(offer["tiers"], key=lambda t: t["price"])
        found.append(CampaignBadge(kind=CampaignKind.GROUP_BUY, price=Money.fen(tier["price"]), team_size=tier["size"]))
    if offer := product.get("bargain"):
        found.append(
            CampaignBadge(
                kind=CampaignKind.BARGAIN, price=Money.fen(offer["floorPrice"]), helpers_needed=offer["helpersNeeded"]
            )
        )
    return found


@strawberry.type
class PageProduct:
    ref: strawberry.ID | None = strawberry.field(description="The id the page names; null for a product it picked.")
    available: bool
    reason: UnavailableReason | None
    item: strawberry.Private[render.Item]

    @classmethod
    def of(cls, item: render.Item) -> PageProduct:
        return cls(
            ref=strawberry.ID(item.ref) if item.ref else None, available=item.available, reason=_reason(item), item=item
        )

    @strawberry.field
    def product(self) -> Product | None:
        return Product.from_doc(self.item.doc) if self.item.doc else None

    @strawberry.field(description="The lowest SKU price.")
    def price(self) -> Money | None:
        return Money.fen(self.item.doc["price"]) if self.item.doc else None

    @strawberry.field(description="Units left over all SKUs.")
    async def stock(self, info: Info) -> int | None:
        return await render.stock(info.context.loaders, self.item.doc["_id"]) if self.item.doc else None

    @strawberry.field
    def badges(self) -> list[CampaignBadge]:
        return badges(self.item.doc) if self.item.available and self.item.doc else []


@strawberry.type
class PageCoupon:
    ref: strawberry.ID | None
    available: bool
    reason: UnavailableReason | None
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

    @strawberry.field
    def coupon(self) -> Coupon | None:
        return Coupon.from_doc(self.item.doc) if self.item.doc else None


@strawberry.type
class PageLiveRoom:
    ref: strawberry.ID | None
    available: bool
    reason: UnavailableReason | None
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
    kind: CampaignKind
    available: bool
    reason: UnavailableReason | None
    coupon: PageCoupon | None = None
    product: PageProduct | None = None
    live_room: PageLiveRoom | None = None


@strawberry.type
class PageSection:
    id: str
    type: str
    settings: JSON
    blocks: JSON
    section: strawberry.Private[dict[str, Any]]
    page: strawberry.Private[ShopPage]

    def _once(self, what: str, make: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """One resolution per section and kind of data, whichever fields ask for it."""
        key = (self.id, what)
        memo = self.page.memo
        if key not in memo:
            memo[key] = asyncio.ensure_future(make())
        return memo[key]

    @strawberry.field(description="False when what the section is about (its live room, its campaign) is gone.")
    async def available(self, info: Info) -> bool:
        return await self._main(info) is None

    @strawberry.field
    async def reason(self, info: Info) -> UnavailableReason | None:
        return await self._main(info)

    async def _main(self, info: Info) -> UnavailableReason | None:
        if self.type == "live_room_card":
            room = await self.live_room(info)
            return room.reason if room else None
        if self.type == "floating_promotion":
            campaign = await self.campaign(info)
            return campaign.reason if campaign else None
        return None

    @strawberry.field(description="Products of product grids, smart lists, group-buy and bargain zones, in order.")
    async def products(self, info: Info) -> list[PageProduct]:
        return [PageProduct.of(i) for i in await self._once("products", lambda: self._products(info))]

    async def _products(self, info: Info) -> list[render.Item]:
        services, loaders, settings = info.context.services, info.context.loaders, self.settings_dict
        shop_id = self.page.shop_doc["_id"]
        if self.type == "product_grid":
            if settings["source"] == "MANUAL":
                return await render.named_products(loaders, shop_id, settings["productIds"])
            sort, limit = settings.get("sort", "BEST_SELLING"), settings.get("limit", 6)
            return await render.ruled_products(services, loaders, shop_id, settings.get("category"), sort, limit)
        if self.type == "smart_product_list":
            limit = settings.get("limit", 10)
            return await render.smart_products(services, loaders, shop_id, info.context.viewer_id, limit)
        if self.type in ("group_buy_zone", "bargain_zone"):
            kind = c.GROUP_BUY if self.type == "group_buy_zone" else c.BARGAIN
            if settings.get("productIds"):
                return await render.named_products(loaders, shop_id, settings["productIds"], kind)
            return await render.offer_products(services, loaders, shop_id, kind, settings.get("limit", 4))
        return []

    @strawberry.field(description="Coupons of a coupon strip: claimed or not by the viewer.")
    async def coupons(self, info: Info) -> list[PageCoupon]:
        if self.type != "coupon_strip":
            return []
        return [PageCoupon.of(i) for i in await self._once("coupons", lambda: self._coupons(info, self.settings_dict))]

    async def _coupons(self, info: Info, settings: dict[str, Any]) -> list[render.CouponItem]:
        services, loaders, viewer = info.context.services, info.context.loaders, info.context.viewer_id
        shop_id = self.page.shop_doc["_id"]
        if settings.get("couponIds"):
            return await render.named_coupons(loaders, shop_id, settings["couponIds"], viewer, services.now())
        return await render.running_coupons(services, loaders, shop_id, viewer, settings.get("limit", 3))

    @strawberry.field(description="The live room of a live room card.")
    async def live_room(self, info: Info) -> PageLiveRoom | None:
        if self.type != "live_room_card":
            return None
        return PageLiveRoom.of(await self._once("room", lambda: self._room(info, self.settings_dict.get("liveRoomId"))))

    async def _room(self, info: Info, ref: str | None) -> render.Item:
        shop = self.page.shop_doc
        if ref:
            return await render.named_room(info.context.loaders, shop, ref)
        return await render.current_room(info.context.services, info.context.loaders, shop)

    @strawberry.field(description="Notes of a notes waterfall, as the viewer may see them.")
    async def notes(self, info: Info) -> list[Post]:
        if self.type != "notes_waterfall":
            return []
        s, shop = self.settings_dict, self.page.shop_doc
        found = await render.notes(
            info.context.services, info.context.seer, shop, s["source"], s.get("topic"), s.get("limit", 10)
        )
        return [Post.from_doc(d) for d in found]

    @strawberry.field(description="The shop, for shop info and follow-the-shop cards (follow its owner).")
    def shop(self) -> Shop | None:
        return Shop.from_doc(self.page.shop_doc) if self.type in ("shop_info", "follow_shop") else None

    @strawberry.field(description="The campaign of a floating promotion window.")
    async def campaign(self, info: Info) -> PageCampaign | None:
        if self.type != "floating_promotion":
            return None
        return await self._once("campaign", lambda: self._campaign(info))

    async def _campaign(self, info: Info) -> PageCampaign:
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
            coupon = coupons[0] if coupons else render.CouponItem(None, None, render.NOTHING_TO_SHOW)
            return PageCampaign(
                kind=kind, available=coupon.available, reason=_reason(coupon), coupon=PageCoupon.of(coupon)
            )
        if kind is CampaignKind.LIVE:
            room = await self._room(info, ref)
            return PageCampaign(
                kind=kind, available=room.available, reason=_reason(room), live_room=PageLiveRoom.of(room)
            )
        offer = c.CAMPAIGNS[kind.value]
        products = (
            await render.named_products(loaders, shop["_id"], [ref], offer)
            if ref
            else await render.offer_products(services, loaders, shop["_id"], offer, 1)
        )
        product = products[0] if products else render.Item(None, None, render.NOTHING_TO_SHOW)
        return PageCampaign(
            kind=kind, available=product.available, reason=_reason(product), product=PageProduct.of(product)
        )

    @property
    def settings_dict(self) -> dict[str, Any]:
        return self.section.get("settings") or {}


@strawberry.type(description="A page as shoppers see it: its document and each section's data.")
class ShopPage:
    id: strawberry.ID
    kind: PageKind
    slug: str | None
    revision_id: str = strawberry.field(description="Also the response's ETag (GET with If-None-Match: 304).")
    preview: bool = strawberry.field(description="A draft shown through a preview link.")
    shop_doc: strawberry.Private[Doc]
    doc: strawberry.Private[dict[str, Any]]
    memo: strawberry.Private[dict[Any, Any]]

    @strawberry.field
    def title(self) -> str:
        return str(self.doc.get("title", ""))

    @strawberry.field(description="The page document as published (rich text sanitised).")
    def document(self) -> JSON:
        return JSON(self.doc)

    @strawberry.field(description="The shop's theme with the page's own tokens over it.")
    def theme(self) -> ShopTheme:
        return ShopTheme.of(merged(self.shop_doc.get("theme"), self.doc.get("theme")))

    @strawberry.field
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

    @strawberry.field
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
        kind: PageKind,
        slug: str | None = None,
        preview_token: str | None = None,
    ) -> ShopPage | None:
        loaders = info.context.loaders
        shop = await loaders.shop.load(raw_id(shop_id, "Shop", "shopId"))
        if shop is None:
            return None
        if kinds.slug_problems(kind.value, slug):
            raise bad_input("A LANDING page has a slug of lowercase letters, digits and hyphens; others none", "slug")
        pid = kinds.page_id(shop["_id"], kind.value, slug)
        if preview_token is not None:
            revision: str | None = _previewed(info, pid, preview_token)
        else:
            page = await loaders.page.load(pid)
            revision = page["published"] if page else None
        if revision is None:
            return None
        found = ShopPage(
            id=strawberry.ID(to_global_id("Page", pid)),
            kind=kind,
            slug=slug,
            revision_id=revision,
            preview=preview_token is not None,
            shop_doc=shop,
            doc={},
            memo={},
        )
        if not_modified(info, revision):
            return found  # the client has it: no document read, no section resolved (the view answers 304)
        stored = await loaders.page_document.load(revision_key(pid, revision))
        if stored is None:
            raise bad_input("This preview link names a revision that does not exist", "previewToken")
        found.doc = stored["document"]
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

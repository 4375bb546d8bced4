"""Shops, products, SKUs and their offers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.ids import to_global_id
from domain.offers import FLOOR_FIELD, TIERS_FIELD, priced_tiers, sku_floor, sku_tier_prices
from domain.staff import ADMIN, WAREHOUSE
from resolvers import catalog as catalog_uc
from resolvers import shipping as shipping_uc
from resolvers import social as social_uc
from resolvers.intact import intact, intact_edges
from schema.common import Long, Money, Node, PageInfo, UserError, described_value, must, page_size, related
from schema.context import Info
from schema.execution import context_only
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from schema.staff import PRODUCT, SHOP, SKU, Staff
from schema.users import User
from store.protocol import Doc, Page

if TYPE_CHECKING:
    from schema.after_sales import AfterSaleConnection, AfterSaleStatus
    from schema.campaigns import Campaign, CampaignStatus
    from schema.distribution import CommissionPolicy
    from schema.order_desk import OrderCount, ShopStaffMember
    from schema.orders import OrderConnection, OrderStatus
    from schema.pages.themes import ShopTheme
    from schema.reviews import ProductRating, Review, ReviewConnection, ReviewFilter, ReviewSort
    from schema.shipping import ShippingTemplate
    from schema.teams import Team


@strawberry.enum(description="The order of a product search.")
class ProductSort(Enum):
    RELEVANCE = described_value("RELEVANCE", "With a query, best selling first; without one, newest first.")
    NEWEST = described_value("NEWEST", "Newest listed first.")
    PRICE_ASC = described_value("PRICE_ASC", "Lowest price first.")
    PRICE_DESC = described_value("PRICE_DESC", "Highest price first.")
    BEST_SELLING = described_value("BEST_SELLING", "Most sold first.")


@strawberry.type(description="One spec of a SKU, such as colour: red.")
class SpecValue:
    name: str = strawberry.field(description="The spec, such as colour or size.")
    value: str = strawberry.field(description="This SKU's value of it.")


@strawberry.type(description="A group-buy price for teams of at least `size` members.")
class GroupBuyTier:
    size: int = strawberry.field(description="Members needed for this price.")
    price: Money = strawberry.field(description="The price of one unit for each member.")


@strawberry.type(description="A product's group-buy offer: the cheaper the larger the team.")
class GroupBuyOffer:
    tiers: list[GroupBuyTier] = strawberry.field(
        description="Ascending by size; the first tier's size is the minimum to succeed."
    )
    duration_minutes: int = strawberry.field(description="How long a team stays open.")

    @classmethod
    def from_doc(cls, doc: Doc | None, prices: list[int] | None = None) -> GroupBuyOffer | None:
        """The product's offer; with `prices`, one SKU's (its price at each tier)."""
        if not doc:
            return None
        priced = doc["tiers"] if prices is None else priced_tiers(doc["tiers"], prices)
        tiers = [GroupBuyTier(size=t["size"], price=Money.fen(t["price"])) for t in priced]
        return cls(tiers=tiers, duration_minutes=doc["durationMinutes"])


@strawberry.type(description="A product's bargain offer: friends cut the price down to its floor.")
class BargainOffer:
    floor_price: Money = strawberry.field(description="The lowest price the helpers can bring it to.")
    helpers_needed: int = strawberry.field(description="How many helpers bring the price to its floor.")
    duration_minutes: int = strawberry.field(description="How long a bargain stays open once started.")

    @classmethod
    def from_doc(cls, doc: Doc | None, floor: int | None = None) -> BargainOffer | None:
        """The product's offer; with `floor`, one SKU's."""
        if not doc:
            return None
        return cls(
            floor_price=Money.fen(doc["floorPrice"] if floor is None else floor),
            helpers_needed=doc["helpersNeeded"],
            duration_minutes=doc["durationMinutes"],
        )


@strawberry.type(description="A shop: its products, and for its staff, its orders and after-sales.")
class Shop(Node):
    id: strawberry.ID
    name: str = strawberry.field(description="Up to 30 characters.")
    logo_url: str | None = strawberry.field(description="An http(s) URL; null when none was given.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Shop:
        return cls(
            id=strawberry.ID(to_global_id("Shop", doc["_id"])), name=doc["name"], logo_url=doc.get("logoUrl"), doc=doc
        )

    @strawberry.field(description="The user who opened the shop.")
    @context_only
    def owner(self, info: Info) -> User:
        return related(info, "user", self.doc["ownerId"], lambda doc: User.from_doc(must(doc, "shop owner")))

    @strawberry.field(description="The shop's products, newest first.")
    async def products(self, info: Info, first: int | None = None, after: str | None = None) -> ProductConnection:
        page = await catalog_uc.product_page(info.context.services, page_size(first), after, shop_id=self.doc["_id"])
        return await ProductConnection.of(info, page, after)

    @strawberry.field(description="How many users favorited the shop.")
    async def favorite_count(self, info: Info) -> int:
        from schema.favorites import favorite_count

        return await favorite_count(info, "SHOP", self.doc["_id"])

    @strawberry.field(description="Whether the viewer favorited the shop; false when signed out.")
    async def viewer_has_favorited(self, info: Info) -> bool:
        from schema.favorites import viewer_has_favorited

        return await viewer_has_favorited(info, "SHOP", self.doc["_id"])

    @strawberry.field(description="The shop's shipping templates, oldest first.")
    async def shipping_templates(
        self, info: Info
    ) -> list[Annotated[ShippingTemplate, strawberry.lazy("schema.shipping")]]:
        from schema.shipping import shop_templates

        return await shop_templates(info, self.doc["_id"])

    @strawberry.field(description="Its campaigns (the calendar), soonest end first; of one status when given.")
    async def campaigns(
        self,
        info: Info,
        status: Annotated[CampaignStatus, strawberry.lazy("schema.campaigns")] | None = None,
    ) -> list[Annotated[Campaign, strawberry.lazy("schema.campaigns")]]:
        from schema.campaigns import shop_campaigns

        return await shop_campaigns(info, self.doc["_id"], status)

    @strawberry.field(description="Its pages' colours, radius and font scale (setShopTheme); the default until set.")
    def theme(self) -> Annotated[ShopTheme, strawberry.lazy("schema.pages.themes")]:
        from schema.pages.themes import shop_theme

        return shop_theme(self.doc)

    @strawberry.field(description="What the shop pays its distributors; null when it has no distribution.")
    def commission_policy(self) -> Annotated[CommissionPolicy, strawberry.lazy("schema.distribution")] | None:
        from schema.distribution import CommissionPolicy

        return CommissionPolicy.from_doc(self.doc.get("commissionPolicy"))

    @strawberry.field(
        description="For the shop's staff (any role), newest first. `query` finds an order by its number (or the"
        " start of it), the buyer's exact nickname or the last 4 digits of the recipient's phone; with a query the"
        " matches come newest first by order number. Placed in [placedFrom, placedTo)."
    )
    async def orders(
        self,
        info: Info,
        status: Annotated[OrderStatus, strawberry.lazy("schema.orders")] | None = None,
        query: Annotated[
            str | None,
            strawberry.argument(
                description=("An order number (or its start), a buyer's exact nickname or a phone's last 4 digits.")
            ),
        ] = None,
        placed_from: Annotated[
            datetime | None, strawberry.argument(description=("Placed at or after this time."))
        ] = None,
        placed_to: Annotated[datetime | None, strawberry.argument(description="Placed before this time.")] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Annotated[OrderConnection, strawberry.lazy("schema.orders")] | None:
        from schema.order_desk import shop_orders

        return await shop_orders(info, self.doc, status, query, placed_from, placed_to, first, after)

    @strawberry.field(description="For the shop's staff (any role): its after-sale requests, newest first.")
    async def after_sales(
        self,
        info: Info,
        status: Annotated[AfterSaleStatus, strawberry.lazy("schema.after_sales")] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Annotated[AfterSaleConnection, strawberry.lazy("schema.after_sales")]:
        from schema.order_desk import shop_after_sales

        return await shop_after_sales(info, self.doc, status, first, after)

    @strawberry.field(description="For the shop's staff (any role): how many orders are in each status now.")
    async def order_counts(
        self, info: Info
    ) -> list[Annotated[OrderCount, strawberry.lazy("schema.order_desk")]] | None:
        from schema.order_desk import order_counts

        return await order_counts(info, self.doc)

    @strawberry.field(description="For the shop's owner and ADMIN staff: who works for the shop, with their roles.")
    async def staff(self, info: Info) -> list[Annotated[ShopStaffMember, strawberry.lazy("schema.order_desk")]] | None:
        from schema.order_desk import shop_staff

        return await shop_staff(info, self.doc)


@strawberry.type(description="One buyable variant of a product (a stock-keeping unit), with its own price and stock.")
class Sku(Node):
    id: strawberry.ID
    specs: list[SpecValue] = strawberry.field(description="What sets it apart from the product's other SKUs.")
    price: Money = strawberry.field(description="The list price of one unit.")
    stock: int = strawberry.field(description="Units left to sell.")
    weight_grams: int = strawberry.field(description="What a BY_WEIGHT shipping template charges by; 0 if not given.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Sku:
        return cls(
            id=strawberry.ID(to_global_id("Sku", doc["_id"])),
            specs=[SpecValue(name=s["name"], value=s["value"]) for s in doc["specs"]],
            price=Money.fen(doc["price"]),
            stock=doc["stock"],
            weight_grams=doc.get("weightGrams", 0),
            doc=doc,
        )

    @strawberry.field(description="The product it is a variant of.")
    async def product(self, info: Info) -> Product:
        return Product.from_doc(must(await info.context.loaders.product.load(self.doc["productId"]), "product"))

    @strawberry.field(description="The product's group-buy offer at this SKU's prices; null when it does not apply.")
    async def group_buy(self, info: Info) -> GroupBuyOffer | None:
        product = must(await info.context.loaders.product.load(self.doc["productId"]), "product")
        prices = sku_tier_prices(product, self.doc)
        return GroupBuyOffer.from_doc(product.get("groupBuy"), prices) if prices is not None else None

    @strawberry.field(description="The product's bargain offer with this SKU's floor; null when it does not apply.")
    async def bargain(self, info: Info) -> BargainOffer | None:
        product = must(await info.context.loaders.product.load(self.doc["productId"]), "product")
        floor = sku_floor(product, self.doc)
        return BargainOffer.from_doc(product.get("bargain"), floor) if floor is not None else None


@strawberry.type(description="A product a shop sells, in one or more SKUs.")
class Product(Node):
    id: strawberry.ID
    title: str = strawberry.field(description="Up to 60 characters.")
    description: str = strawberry.field(description="Plain text, up to 5000 characters; may hold line breaks.")
    images: list[str] = strawberry.field(description="Up to 9 http(s) URLs, the first is the cover.")
    category: str | None = strawberry.field(description="Free text, up to 20 characters; null when none.")
    price: Money = strawberry.field(description="Lowest SKU price.")
    sales_count: int = strawberry.field(description="Units sold.")
    group_buy: GroupBuyOffer | None = strawberry.field(
        description="Each tier's price is the lowest over the SKUs; each SKU's own is Sku.groupBuy."
    )
    bargain: BargainOffer | None = strawberry.field(
        description="The floor is the lowest over the SKUs; each SKU's own is Sku.bargain."
    )
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Product:
        return cls(
            id=strawberry.ID(to_global_id("Product", doc["_id"])),
            title=doc["title"],
            description=doc["description"],
            images=list(doc.get("images", [])),
            category=doc.get("category"),
            price=Money.fen(doc["price"]),
            sales_count=doc.get("salesCount", 0),
            group_buy=GroupBuyOffer.from_doc(doc.get("groupBuy")),
            bargain=BargainOffer.from_doc(doc.get("bargain")),
            doc=doc,
        )

    @strawberry.field(description="The shop that sells it.")
    @context_only
    def shop(self, info: Info) -> Shop:
        return related(info, "shop", self.doc["shopId"], lambda doc: Shop.from_doc(must(doc, "shop")))

    @strawberry.field(description="The template its shipping fee follows; null: it ships free.")
    async def shipping_template(
        self, info: Info
    ) -> Annotated[ShippingTemplate, strawberry.lazy("schema.shipping")] | None:
        from schema.shipping import ShippingTemplate

        template_id = self.doc.get("shippingTemplateId")
        found = await info.context.loaders.shipping_template.load(template_id) if template_id else None
        return ShippingTemplate.from_doc(found) if found else None

    @strawberry.field(description="Its SKUs (1 to 100).")
    async def skus(self, info: Info) -> list[Sku]:
        return [Sku.from_doc(d) for d in await info.context.loaders.skus_by_product.load(self.doc["_id"])]

    @strawberry.field(description="The campaigns running now that cover it: badges and countdowns.")
    async def active_campaigns(self, info: Info) -> list[Annotated[Campaign, strawberry.lazy("schema.campaigns")]]:
        from schema.campaigns import product_campaigns

        return await product_campaigns(info, self.doc)

    @strawberry.field(description="Teams of this product the viewer can join, friends' teams first.")
    async def open_teams(
        self, info: Info, first: int | None = None
    ) -> list[Annotated[Team, strawberry.lazy("schema.teams")]]:
        from resolvers.teams import open_teams
        from schema.teams import Team

        size = page_size(first, default=10)
        found = await open_teams(info.context.services, self.doc["_id"], info.context.viewer_id, size)
        return [Team.from_doc(t) for t in found]  # their product is this one: nothing of theirs to dangle

    @strawberry.field(description="Often bought together with it, then the same category's best sellers.")
    async def similar(self, info: Info, first: int | None = None) -> list[Product]:
        from resolvers.recommend import similar

        return await products_of(info, await similar(info.context.services, self.doc, page_size(first, default=10)))

    @strawberry.field(description="Its visible reviews; `sort` NEWEST when not given.")
    async def reviews(
        self,
        info: Info,
        filter: Annotated[ReviewFilter, strawberry.lazy("schema.reviews")] | None = None,
        sort: Annotated[ReviewSort, strawberry.lazy("schema.reviews")] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Annotated[ReviewConnection, strawberry.lazy("schema.reviews")]:
        from schema.reviews import product_reviews

        return await product_reviews(info, self.doc, filter, sort, first, after)

    @strawberry.field(description="Its average rating, review count and count per star (kept as reviews come).")
    async def rating(self, info: Info) -> Annotated[ProductRating, strawberry.lazy("schema.reviews")]:
        from schema.reviews import product_rating

        return await product_rating(info, self.doc)

    @strawberry.field(
        description="Its reviews by the viewer's friends and followees first (as each reviewer's privacy allows),"
        " then the newest of the others."
    )
    async def friend_reviews(
        self, info: Info, first: int | None = None
    ) -> list[Annotated[Review, strawberry.lazy("schema.reviews")]]:
        from schema.reviews import friend_reviews

        return await friend_reviews(info, self.doc, first)

    @strawberry.field(description="How many users favorited the product.")
    async def favorite_count(self, info: Info) -> int:
        from schema.favorites import favorite_count

        return await favorite_count(info, "PRODUCT", self.doc["_id"])

    @strawberry.field(description="Whether the viewer favorited the product; false when signed out.")
    async def viewer_has_favorited(self, info: Info) -> bool:
        from schema.favorites import viewer_has_favorited

        return await viewer_has_favorited(info, "PRODUCT", self.doc["_id"])

    @strawberry.field(description="Friends of the viewer who bought it and allow it to be shown (privacy).")
    async def friends_who_bought(self, info: Info, first: int | None = None) -> list[User]:
        size = page_size(first, default=5)
        viewer = info.context.viewer_id
        if viewer is None:
            return []
        found = await social_uc.friends_who_bought(info.context.services, viewer, self.doc["_id"], size)
        return [User.from_doc(u) for u in found]


@strawberry.type
class ProductEdge:
    node: Product
    cursor: str


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo

    @classmethod
    async def of(cls, info: Info, page: Page, after: str | None) -> ProductConnection:
        kept = await intact_edges(info.context.loaders, "product", page)
        edges = [ProductEdge(node=Product.from_doc(d), cursor=c) for d, c in kept]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


async def products_of(info: Info, docs: Sequence[Doc | None]) -> list[Product]:
    """The products among `docs` that exist and are intact (their shop and its owner too), in order."""
    found = await intact(info.context.loaders, "product", [d for d in docs if d is not None])
    return [Product.from_doc(d) for d in found]


register_node("Shop", "shop", Shop.from_doc)
register_node("Sku", "sku", Sku.from_doc)
register_node("Product", "product", Product.from_doc)


@strawberry.type
class CatalogQueries:
    @strawberry.field(description="A shop by its id; null when there is none.")
    async def shop(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The shop's global id.")]
    ) -> Shop | None:
        found: Shop | None = await load_typed(info, id, "Shop", "id")
        return found

    @strawberry.field(description="A product by its id; null when there is none or the viewer may not see it.")
    async def product(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The product's global id.")]
    ) -> Product | None:
        found: Product | None = await load_typed(info, id, "Product", "id")
        viewer = info.context.viewer_id
        if found is not None and viewer is not None:  # a signed-in user opened a product page: hotProducts heat
            from resolvers.recommend import VIEW_HEAT, product_heat

            await product_heat(info.context.services, found.doc["_id"], VIEW_HEAT, actor=viewer)
        return found

    @strawberry.field(description="Search the catalog: 20 products a page unless `first` says otherwise.")
    async def products(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        query: Annotated[
            str | None,
            strawberry.argument(description="Up to 40 characters: products whose title or category holds every word."),
        ] = None,
        category: Annotated[str | None, strawberry.argument(description="Only this category (exact).")] = None,
        shop_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this shop's products.")] = None,
        sort: Annotated[ProductSort | None, strawberry.argument(description="RELEVANCE when not given.")] = None,
    ) -> ProductConnection:
        size = page_size(first)
        shop = raw_id(shop_id, "Shop", "shopId") if shop_id is not None else None
        page = await catalog_uc.product_page(
            info.context.services,
            size,
            after,
            shop_id=shop,
            category=category,
            sort=(sort or ProductSort.RELEVANCE).value,
            query=query,
        )
        return await ProductConnection.of(info, page, after)


@strawberry.input(description="One spec of a SKU; name and value 1 to 20 characters each.")
class SpecValueInput:
    name: str = strawberry.field(description="The spec, such as colour; once per SKU.")
    value: str = strawberry.field(description="This SKU's value of it.")


@strawberry.input(description="One SKU of a new product.")
class SkuInput:
    specs: list[SpecValueInput] = strawberry.field(description="Up to 5; no two SKUs of a product have the same.")
    price: Long = strawberry.field(description="Fen, 1 to 10,000,000.")
    stock: int = strawberry.field(description="Units, 0 to 1,000,000.")
    group_buy_prices: list[Long] | None = strawberry.field(
        default=None,
        description="This SKU's price at each group-buy tier, in tier order, each below its price. Without it the"
        " SKU takes the tiers' prices, which only a SKU at the lowest price may.",
    )
    bargain_floor_price: Long | None = strawberry.field(
        default=None,
        description="This SKU's bargain floor, below its price. Without it the SKU takes the offer's floor, which"
        " only a SKU at the lowest price may.",
    )
    weight_grams: int | None = strawberry.field(
        default=None, description="Grams, 0 to 1,000,000, for BY_WEIGHT shipping templates; 0 when not given."
    )


@strawberry.input(description="A group-buy tier: teams of at least `size` members pay `price`.")
class GroupBuyTierInput:
    size: int = strawberry.field(description="Members, 2 to 100; tiers ascend by size.")
    price: Long = strawberry.field(description="Fen, below every SKU's price, lower for a larger team.")


@strawberry.input(description="A product's group-buy offer.")
class GroupBuyOfferInput:
    tiers: list[GroupBuyTierInput] = strawberry.field(description="1 to 5 tiers, ascending by size.")
    duration_minutes: int = strawberry.field(description="How long a team stays open: 5 to 10080 minutes.")


@strawberry.input(description="A product's bargain offer.")
class BargainOfferInput:
    floor_price: Long = strawberry.field(description="Fen, at least 1 and below every SKU's price.")
    helpers_needed: int = strawberry.field(description="1 to 100; each must be able to cut at least 1 fen.")
    duration_minutes: int = strawberry.field(description="How long a bargain stays open: 5 to 10080 minutes.")


@strawberry.input
class CreateShopInput:
    name: str = strawberry.field(description="1 to 30 characters.")
    logo_url: str | None = strawberry.field(default=None, description="An http(s) URL.")


@strawberry.input
class CreateProductInput:
    shop_id: strawberry.ID = strawberry.field(description="The shop that sells it.")
    title: str = strawberry.field(description="1 to 60 characters.")
    description: str = strawberry.field(description="Up to 5000 characters; line breaks allowed.")
    images: list[str] = strawberry.field(description="Up to 9 http(s) URLs; the first is the cover.")
    skus: list[SkuInput] = strawberry.field(description="1 to 100 SKUs.")
    category: str | None = strawberry.field(default=None, description="Up to 20 characters.")
    group_buy: GroupBuyOfferInput | None = strawberry.field(default=None, description="Sell it in group buys too.")
    bargain: BargainOfferInput | None = strawberry.field(default=None, description="Let buyers bargain it down too.")
    shipping_template_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the shop's shipping templates; without one the product ships free."
    )


@strawberry.input
class UpdateProductInput:
    product_id: strawberry.ID = strawberry.field(description="The product to change.")
    shipping_template_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="One of the shop's shipping templates; null: the product ships free."
    )


@strawberry.input
class AdjustStockInput:
    sku_id: strawberry.ID = strawberry.field(description="The SKU whose stock changes.")
    delta: int = strawberry.field(description="Units to add (positive) or remove (negative); stock never goes below 0.")
    idempotency_key: str = strawberry.field(
        description="1 to 64 characters, no spaces: a retry with the same key changes the stock once."
    )


@strawberry.type
class ShopPayload:
    shop: Shop | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductPayload:
    product: Product | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SkuPayload:
    sku: Sku | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CatalogMutations:
    @payload_mutation(ShopPayload, limit="SHOPS_PER_MINUTE", description="Any user may open a shop, and owns it.")
    async def create_shop(self, info: Info, input: CreateShopInput) -> ShopPayload:
        viewer = info.context.require_viewer()
        return ShopPayload(
            shop=Shop.from_doc(await catalog_uc.create_shop(info.context.services, viewer, input.name, input.logo_url))
        )

    @payload_mutation(
        ProductPayload,
        limit="PRODUCTS_PER_MINUTE",
        staff=Staff(SHOP, ADMIN),
        description="The shop's owner or ADMIN staff. Every broken rule is listed in errors.",
    )
    async def create_product(self, info: Info, input: CreateProductInput) -> ProductPayload:
        services = info.context.services
        shop_id = raw_id(input.shop_id, "Shop", "input", "shopId")
        skus = [
            {
                "specs": [{"name": s.name, "value": s.value} for s in sku.specs],
                "price": sku.price,
                "stock": sku.stock,
                **({"weightGrams": sku.weight_grams} if sku.weight_grams is not None else {}),
                **({TIERS_FIELD: sku.group_buy_prices} if sku.group_buy_prices is not None else {}),
                **({FLOOR_FIELD: sku.bargain_floor_price} if sku.bargain_floor_price is not None else {}),
            }
            for sku in input.skus
        ]
        group_buy = (
            {
                "tiers": [{"size": t.size, "price": t.price} for t in input.group_buy.tiers],
                "durationMinutes": input.group_buy.duration_minutes,
            }
            if input.group_buy
            else None
        )
        bargain = (
            {
                "floorPrice": input.bargain.floor_price,
                "helpersNeeded": input.bargain.helpers_needed,
                "durationMinutes": input.bargain.duration_minutes,
            }
            if input.bargain
            else None
        )
        template_id = (
            raw_id(input.shipping_template_id, "ShippingTemplate", "input", "shippingTemplateId")
            if input.shipping_template_id is not None
            else None
        )
        await shipping_uc.template_of_shop(services, template_id, shop_id, "input", "shippingTemplateId")
        product = await catalog_uc.create_product(
            services,
            shop_id,
            input.title,
            input.description,
            input.images,
            input.category,
            skus,
            group_buy,
            bargain,
            shipping_template_id=template_id,
        )
        return ProductPayload(product=Product.from_doc(product))

    @payload_mutation(
        ProductPayload,
        staff=Staff(PRODUCT, ADMIN),
        description="The shop's owner or ADMIN. Only the fields given change (for now: its shipping template).",
    )
    async def update_product(self, info: Info, input: UpdateProductInput) -> ProductPayload:
        services = info.context.services
        product_id = raw_id(input.product_id, "Product", "input", "productId")
        changes: dict[str, str | None] = {}
        if input.shipping_template_id is not strawberry.UNSET:
            changes["shippingTemplateId"] = (
                raw_id(input.shipping_template_id, "ShippingTemplate", "input", "shippingTemplateId")
                if input.shipping_template_id is not None
                else None
            )
        product = await catalog_uc.update_product(services, product_id, changes)
        return ProductPayload(product=Product.from_doc(product))

    @payload_mutation(
        SkuPayload,
        staff=Staff(SKU, ADMIN, WAREHOUSE),
        description="The shop's owner, ADMIN or WAREHOUSE staff; once per idempotency key; stock stays >= 0.",
    )
    async def adjust_stock(self, info: Info, input: AdjustStockInput) -> SkuPayload:
        sku_id = raw_id(input.sku_id, "Sku", "input", "skuId")
        sku = await catalog_uc.adjust_stock(
            info.context.services, info.context.require_viewer(), sku_id, input.delta, input.idempotency_key
        )
        return SkuPayload(sku=Sku.from_doc(sku))

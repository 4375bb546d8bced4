"""Shops, products, SKUs and their offers."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.ids import to_global_id
from resolvers import catalog as catalog_uc
from schema.common import Money, Node, PageInfo, must, page_size
from schema.context import Info
from schema.nodes import load_typed, raw_id, register_node
from schema.users import User
from store.protocol import Doc, Page


@strawberry.enum
class ProductSort(Enum):
    RELEVANCE = "RELEVANCE"
    NEWEST = "NEWEST"
    PRICE_ASC = "PRICE_ASC"
    PRICE_DESC = "PRICE_DESC"
    BEST_SELLING = "BEST_SELLING"


@strawberry.type
class SpecValue:
    name: str
    value: str


@strawberry.type
class GroupBuyTier:
    size: int = strawberry.field(description="Members needed for this price.")
    price: Money


@strawberry.type
class GroupBuyOffer:
    tiers: list[GroupBuyTier] = strawberry.field(
        description="Ascending by size; the first tier's size is the minimum to succeed."
    )
    duration_minutes: int = strawberry.field(description="How long a team stays open.")

    @classmethod
    def from_doc(cls, doc: Doc | None) -> GroupBuyOffer | None:
        if not doc:
            return None
        tiers = [GroupBuyTier(size=t["size"], price=Money.fen(t["price"])) for t in doc["tiers"]]
        return cls(tiers=tiers, duration_minutes=doc["durationMinutes"])


@strawberry.type
class BargainOffer:
    floor_price: Money
    helpers_needed: int
    duration_minutes: int

    @classmethod
    def from_doc(cls, doc: Doc | None) -> BargainOffer | None:
        if not doc:
            return None
        return cls(
            floor_price=Money.fen(doc["floorPrice"]),
            helpers_needed=doc["helpersNeeded"],
            duration_minutes=doc["durationMinutes"],
        )


@strawberry.type
class Shop(Node):
    id: strawberry.ID
    name: str
    logo_url: str | None
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Shop:
        return cls(
            id=strawberry.ID(to_global_id("Shop", doc["_id"])), name=doc["name"], logo_url=doc.get("logoUrl"), doc=doc
        )

    @strawberry.field
    async def owner(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["ownerId"]), "shop owner"))

    @strawberry.field
    async def products(self, info: Info, first: int | None = None, after: str | None = None) -> ProductConnection:
        page = await catalog_uc.product_page(info.context.services, page_size(first), after, shop_id=self.doc["_id"])
        return ProductConnection.of(page, after)


@strawberry.type
class Sku(Node):
    id: strawberry.ID
    specs: list[SpecValue]
    price: Money
    stock: int
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Sku:
        return cls(
            id=strawberry.ID(to_global_id("Sku", doc["_id"])),
            specs=[SpecValue(name=s["name"], value=s["value"]) for s in doc["specs"]],
            price=Money.fen(doc["price"]),
            stock=doc["stock"],
            doc=doc,
        )

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return Product.from_doc(must(await info.context.loaders.product.load(self.doc["productId"]), "product"))


@strawberry.type
class Product(Node):
    id: strawberry.ID
    title: str
    description: str
    images: list[str]
    category: str | None
    price: Money = strawberry.field(description="Lowest SKU price.")
    sales_count: int
    group_buy: GroupBuyOffer | None
    bargain: BargainOffer | None
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

    @strawberry.field
    async def shop(self, info: Info) -> Shop:
        return Shop.from_doc(must(await info.context.loaders.shop.load(self.doc["shopId"]), "shop"))

    @strawberry.field
    async def skus(self, info: Info) -> list[Sku]:
        return [Sku.from_doc(d) for d in await info.context.loaders.skus_by_product.load(self.doc["_id"])]


@strawberry.type
class ProductEdge:
    node: Product
    cursor: str


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page, after: str | None) -> ProductConnection:
        edges = [ProductEdge(node=Product.from_doc(d), cursor=c) for d, c in zip(page.docs, page.cursors, strict=True)]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


register_node("Shop", "shop", Shop.from_doc)
register_node("Sku", "sku", Sku.from_doc)
register_node("Product", "product", Product.from_doc)


@strawberry.type
class CatalogQueries:
    @strawberry.field
    async def shop(self, info: Info, id: strawberry.ID) -> Shop | None:
        found: Shop | None = await load_typed(info, id, "Shop", "id")
        return found

    @strawberry.field
    async def product(self, info: Info, id: strawberry.ID) -> Product | None:
        found: Product | None = await load_typed(info, id, "Product", "id")
        return found

    @strawberry.field
    async def products(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        category: str | None = None,
        shop_id: strawberry.ID | None = None,
        sort: ProductSort | None = None,
    ) -> ProductConnection:
        size = page_size(first)
        shop = raw_id(shop_id, "Shop", "shopId") if shop_id is not None else None
        order = sort.value if sort is not None and sort is not ProductSort.RELEVANCE else "NEWEST"
        page = await catalog_uc.product_page(
            info.context.services, size, after, shop_id=shop, category=category, sort=order
        )
        return ProductConnection.of(page, after)

"""The Query root."""

from __future__ import annotations

import strawberry

from resolvers import catalog as catalog_uc
from resolvers.errors import bad_input
from schema.catalog import Product, ProductConnection, ProductSort, Shop
from schema.common import Node, page_size
from schema.context import Info
from schema.nodes import load_node, load_typed, raw_id
from schema.users import User

MAX_NODES = 100


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await load_node(info, id)

    @strawberry.field
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise bad_input(f"at most {MAX_NODES} ids", "ids")
        return [await load_node(info, i) for i in ids]

    @strawberry.field
    async def me(self, info: Info) -> User | None:
        viewer = info.context.viewer_id
        doc = await info.context.loaders.user.load(viewer) if viewer else None
        return User.from_doc(doc) if doc else None

    @strawberry.field
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        found: User | None = await load_typed(info, id, "User", "id")
        return found

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

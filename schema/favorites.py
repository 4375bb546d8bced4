"""Favorites (收藏) of products, shops and posts: favorite / unfavorite, myFavorites, and the count and the
viewer's mark that Product, Shop and Post show (through DataLoaders: one read per page, not per item)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from domain import reviews as rules
from domain.ids import BadGlobalId, from_global_id
from resolvers import favorites as favorites_uc
from resolvers.errors import bad_input
from schema.catalog import Product, Shop, products_of
from schema.common import PageInfo, UserError, described_value, page_size
from schema.content import Post
from schema.context import Info
from schema.mutations import payload_mutation
from schema.orders import when
from store.protocol import Doc, Page

FavoriteTarget = Annotated[
    Product | Shop | Post, strawberry.union("FavoriteTarget", description="What can be favorited.")
]


@strawberry.enum(description="What was favorited.")
class FavoriteKind(Enum):
    PRODUCT = described_value(rules.PRODUCT, "A product.")
    SHOP = described_value(rules.SHOP, "A shop.")
    POST = described_value(rules.POST, "A post.")


# -- the fields of Product, Shop and Post ------------------------------------------------------------------
async def favorite_count(info: Info, kind: str, target_id: str) -> int:
    found = await info.context.loaders.favorite_count.load(favorites_uc.key(kind, target_id))
    return int(found["count"]) if found else 0


async def viewer_has_favorited(info: Info, kind: str, target_id: str) -> bool:
    viewer = info.context.viewer_id
    return viewer is not None and bool(
        await info.context.loaders.favorites.load((viewer, favorites_uc.key(kind, target_id)))
    )


async def _targets(info: Info, favorites: list[Doc]) -> dict[str, Product | Shop | Post]:
    """The targets of a page of favorites that the viewer may still see, batched per kind."""
    loaders = info.context.loaders
    shown: dict[str, Product | Shop | Post] = {}
    by_kind = {k: [f["targetId"] for f in favorites if f["kind"] == k] for k in rules.FAVORITE_COLLECTIONS}
    for product in await products_of(info, await loaders.product.load_many(by_kind[rules.PRODUCT])):
        shown[favorites_uc.key(rules.PRODUCT, product.doc["_id"])] = product
    for shop in await loaders.shop.load_many(by_kind[rules.SHOP]):
        if shop is not None:
            shown[favorites_uc.key(rules.SHOP, shop["_id"])] = Shop.from_doc(shop)
    posts = [p for p in await loaders.post.load_many(by_kind[rules.POST]) if p is not None]
    for post in await info.context.seer.posts(posts):
        shown[favorites_uc.key(rules.POST, post["_id"])] = Post.from_doc(post)
    return shown


@strawberry.type(description="Something the viewer favorited.")
class Favorite:
    kind: FavoriteKind = strawberry.field(description="What it is.")
    created_at: datetime = strawberry.field(description="When it was favorited.")
    target: FavoriteTarget = strawberry.field(description="The product, shop or post.")


@strawberry.type
class FavoriteEdge:
    node: Favorite
    cursor: str


@strawberry.type
class FavoriteConnection:
    edges: list[FavoriteEdge]
    page_info: PageInfo


@strawberry.input
class FavoriteInput:
    target_id: strawberry.ID = strawberry.field(description="A Product, Shop or Post id.")


@strawberry.type
class FavoritePayload:
    target: FavoriteTarget | None = strawberry.field(
        default=None, description=("The product, shop or post; null when refused.")
    )
    favorited: bool = strawberry.field(default=False, description="Whether the viewer favorites it now.")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _target_id(value: str) -> tuple[str, str]:
    try:
        type_name, raw = from_global_id(value)
    except BadGlobalId:
        raise bad_input("Not a valid id", "input", "targetId") from None
    kind = rules.FAVORITE_KINDS.get(type_name)
    if kind is None:
        raise bad_input("Only a product, a shop or a post can be favorited", "input", "targetId")
    return kind, raw


def _shown(kind: str, doc: Doc) -> Product | Shop | Post:
    if kind == rules.PRODUCT:
        return Product.from_doc(doc)
    return Shop.from_doc(doc) if kind == rules.SHOP else Post.from_doc(doc)


@strawberry.type
class FavoriteQueries:
    @strawberry.field(description="What the viewer favorited, newest first; targets gone or hidden since are left out.")
    async def my_favorites(
        self,
        info: Info,
        kind: Annotated[FavoriteKind | None, strawberry.argument(description="Only favorites of this kind.")] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> FavoriteConnection:
        viewer = info.context.viewer_id
        if viewer is None:
            return FavoriteConnection(edges=[], page_info=PageInfo.of(Page([], None, []), after))
        page = await favorites_uc.mine(
            info.context.services, viewer, kind.value if kind else None, page_size(first), after
        )
        targets = await _targets(info, page.docs)
        edges = [
            FavoriteEdge(
                node=Favorite(
                    kind=FavoriteKind(d["kind"]),
                    created_at=when(d["at"]) or datetime.now(),
                    target=targets[favorites_uc.key(d["kind"], d["targetId"])],
                ),
                cursor=c,
            )
            for d, c in zip(page.docs, page.cursors, strict=True)
            if favorites_uc.key(d["kind"], d["targetId"]) in targets
        ]
        return FavoriteConnection(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.type
class FavoriteMutations:
    @payload_mutation(FavoritePayload, limit="FAVORITES_PER_MINUTE", description="Idempotent.")
    async def favorite(self, info: Info, input: FavoriteInput) -> FavoritePayload:
        kind, raw = _target_id(input.target_id)
        target = await favorites_uc.favorite(info.context.services, info.context.require_viewer(), kind, raw)
        return FavoritePayload(target=_shown(kind, target), favorited=True)

    @payload_mutation(FavoritePayload, limit="FAVORITES_PER_MINUTE", description="Idempotent.")
    async def unfavorite(self, info: Info, input: FavoriteInput) -> FavoritePayload:
        kind, raw = _target_id(input.target_id)
        target = await favorites_uc.unfavorite(info.context.services, info.context.require_viewer(), kind, raw)
        return FavoritePayload(target=_shown(kind, target) if target else None, favorited=False)

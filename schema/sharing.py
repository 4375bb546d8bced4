"""Share cards: what the mini-program hands to onShareAppMessage / onShareTimeline, and posters."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.ids import BadGlobalId, from_global_id
from resolvers import sharing as sharing_uc
from resolvers.errors import Refused
from schema.common import UserError, described_value
from schema.context import Info
from schema.mutations import payload_mutation

if TYPE_CHECKING:
    from schema.catalog import Product
    from schema.content import Post


@strawberry.enum(description="Where a share card goes.")
class ShareChannel(Enum):
    FRIEND = described_value("FRIEND", "A chat with a friend.")
    GROUP = described_value("GROUP", "A group chat.")
    MOMENTS = described_value("MOMENTS", "WeChat Moments.")
    POSTER = described_value("POSTER", "A poster image to save and post.")


@strawberry.type(description="What a WeChat share of a product or post needs.")
class ShareCard:
    title: str = strawberry.field(description="The card's title (the target's).")
    image_url: str | None = strawberry.field(description="The picture of the card (the target's first image).")
    path: str = strawberry.field(
        description="The mini-program page with the target's id and the sharer's share token (attribution and "
        "commission when opened)."
    )
    token: str = strawberry.field(description="The sharer's share token for this target (reused across shares).")
    channel: ShareChannel = strawberry.field(description="The channel asked for.")
    poster_url: str | None = strawberry.field(
        description="POSTER: a PNG (product picture, price, sharer, mini-program code), cached by content."
    )
    card: strawberry.Private[sharing_uc.Card]

    @strawberry.field(description="The product shared; null for a post.")
    async def product(self, info: Info) -> Annotated[Product, strawberry.lazy("schema.catalog")] | None:
        from schema.catalog import Product

        return Product.from_doc(self.card.target) if self.card.target_kind == "Product" else None

    @strawberry.field(description="The post shared; null for a product.")
    async def post(self, info: Info) -> Annotated[Post, strawberry.lazy("schema.content")] | None:
        from schema.content import Post

        return Post.from_doc(self.card.target) if self.card.target_kind == "Post" else None


@strawberry.input
class ShareCardInput:
    target_id: strawberry.ID = strawberry.field(description="A Product or Post id.")
    channel: ShareChannel = strawberry.field(description="Where it goes.")


@strawberry.type
class ShareCardPayload:
    share_card: ShareCard | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SharingMutations:
    @payload_mutation(
        ShareCardPayload,
        limit="SHARE_CARDS_PER_MINUTE",
        description="A share card for a product or an approved post, through the viewer's share token; recorded.",
    )
    async def share_card(self, info: Info, input: ShareCardInput) -> ShareCardPayload:
        try:
            kind, raw = from_global_id(input.target_id)
        except BadGlobalId:
            raise Refused("INVALID_INPUT", "Not a valid id", ["input", "targetId"]) from None
        if kind not in sharing_uc.PAGES:
            raise Refused("INVALID_INPUT", "Only products and posts are shared", ["input", "targetId"])
        card = await sharing_uc.share_card(
            info.context.services, info.context.require_viewer(), kind, raw, input.channel.value
        )
        return ShareCardPayload(
            share_card=ShareCard(
                title=card.title,
                image_url=card.image_url,
                path=card.path,
                token=card.token,
                channel=ShareChannel(card.channel),
                poster_url=card.poster_url,
                card=card,
            )
        )

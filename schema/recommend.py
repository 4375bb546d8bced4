"""recommendedProducts and hotProducts."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from resolvers import recommend as recommend_uc
from resolvers.intact import intact
from schema.catalog import Product, products_of
from schema.common import described_value, page_size
from schema.context import Info


@strawberry.enum(description="How far back a ranking looks.")
class RankingWindow(Enum):
    HOUR = described_value("HOUR", "The last hour.")
    DAY = described_value("DAY", "The last 24 hours.")
    WEEK = described_value("WEEK", "The last 7 days.")


@strawberry.type(description="A product recommended to the viewer, and why.")
class ProductRecommendation:
    product: Product = strawberry.field(description="The product.")
    score: float = strawberry.field(description="How strongly; higher first.")
    reasons: list[str] = strawberry.field(description='Human-readable, e.g. "3 friends bought this".')


@strawberry.type
class RecommendQueries:
    @strawberry.field(description="From the social graph: friends' and followees' purchases, co-purchases, sales.")
    async def recommended_products(self, info: Info, first: int | None = None) -> list[ProductRecommendation]:
        found = await recommend_uc.recommended(
            info.context.services, info.context.viewer_id, page_size(first, default=20)
        )
        whole = {p["_id"] for p in await intact(info.context.loaders, "product", [r.product for r in found])}
        return [
            ProductRecommendation(product=Product.from_doc(r.product), score=r.score, reasons=r.reasons)
            for r in found
            if r.product["_id"] in whole
        ]

    @strawberry.field(description="Sales, shares and views over the window, recent hours weighing more.")
    async def hot_products(
        self,
        info: Info,
        window: Annotated[RankingWindow, strawberry.argument(description=("How far back."))],
        first: int | None = None,
    ) -> list[Product]:
        return await products_of(
            info, await recommend_uc.hot(info.context.services, window.value, page_size(first, default=20))
        )

"""Reviews (点评) of order lines: Review, a product's rating, the review mutations and myReviews."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain import reviews as rules
from domain.ids import to_global_id
from domain.staff import CUSTOMER_SERVICE
from domain.visibility import anonymous
from resolvers import reviews as reviews_uc
from schema.catalog import Product
from schema.common import Node, PageInfo, UserError, must, page_size
from schema.content import ModerationStatus, Video, authors_moderation
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id, register_node
from schema.orders import when
from schema.staff import REVIEW, Staff
from schema.users import User
from store.protocol import Doc, Page


@strawberry.enum(description="The order of a product's reviews.")
class ReviewSort(Enum):
    NEWEST = strawberry.enum_value(reviews_uc.NEWEST, description="Newest first.")
    HELPFUL = strawberry.enum_value(reviews_uc.HELPFUL, description="Most marked helpful first.")


@strawberry.input(description="Which of a product's reviews to show.")
class ReviewFilter:
    rating: int | None = strawberry.field(default=None, description="Only reviews of this many stars (1-5).")
    with_media: bool | None = strawberry.field(default=None, description="Only reviews with photos or a video.")


@strawberry.type(description="What the reviewer added later (one per review).")
class ReviewFollowUp:
    text: str = strawberry.field(description="Up to 500 characters.")
    images: list[str] = strawberry.field(description="Up to 9 photo URLs.")
    created_at: datetime = strawberry.field(description="When it was added.")


@strawberry.type(description="The shop's answer to a review (one per review).")
class ReviewReply:
    text: str = strawberry.field(description="Up to 500 characters.")
    created_at: datetime = strawberry.field(description="When the shop replied.")


@strawberry.type(description="How many reviews gave one rating.")
class StarCount:
    stars: int = strawberry.field(description="1 to 5.")
    count: int = strawberry.field(description="Reviews with that rating.")


@strawberry.type(description="A product's ratings at a glance.")
class ProductRating:
    average: float | None = strawberry.field(description="To one decimal; null without reviews.")
    count: int = strawberry.field(description="Visible reviews.")
    stars: list[StarCount] = strawberry.field(description="How many reviews gave each rating, 5 stars first.")

    @classmethod
    def from_doc(cls, doc: Doc | None) -> ProductRating:
        summary = doc or {}
        counts = rules.star_counts(summary)
        return cls(
            average=rules.average(summary),
            count=int(summary.get("count", 0)),
            stars=[StarCount(stars=s, count=counts[s]) for s in reversed(rules.STARS)],
        )


@strawberry.type(description="A buyer's review of a product line they bought; public once approved by moderation.")
class Review(Node):
    id: strawberry.ID
    rating: int = strawberry.field(description="1 to 5 stars.")
    text: str = strawberry.field(description="Up to 500 characters; may be empty.")
    images: list[str] = strawberry.field(description="Up to 9 photo URLs.")
    anonymous: bool = strawberry.field(description="Shown with a masked nickname to everyone but its author.")
    helpful_count: int = strawberry.field(description="How many users marked it helpful.")
    created_at: datetime = strawberry.field(description="When it was written.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Review:
        return cls(
            id=strawberry.ID(to_global_id("Review", doc["_id"])),
            rating=doc["rating"],
            text=doc["text"],
            images=list(doc["images"]),
            anonymous=doc["anonymous"],
            helpful_count=doc["helpfulCount"],
            created_at=when(doc["createdAt"]) or datetime.now(),
            doc=doc,
        )

    @strawberry.field(description="The reviewer; for an anonymous review, a masked stand-in (张***) to others.")
    async def author(self, info: Info) -> User:
        author = must(await info.context.loaders.user.load(self.doc["authorId"]), "author")
        if not self.doc["anonymous"]:
            return User.from_doc(author)
        viewer = await info.context.seer.viewer()  # read only for an anonymous review
        if viewer.id == author["_id"] or viewer.operator:
            return User.from_doc(author)
        return User.from_doc({**anonymous(), "nickname": rules.mask_nickname(author["nickname"])})

    @strawberry.field(description="The product reviewed.")
    async def product(self, info: Info) -> Product:
        return Product.from_doc(must(await info.context.loaders.product.load(self.doc["productId"]), "product"))

    @strawberry.field(description="The specs of the SKU bought (颜色: 红).")
    def specs(self) -> list[str]:
        return [f"{s['name']}: {s['value']}" for s in self.doc.get("specs", [])]

    @strawberry.field(description="Its video; null when none.")
    async def video(self, info: Info) -> Video | None:
        found = await info.context.loaders.video.load(self.doc["videoId"]) if self.doc.get("videoId") else None
        return Video.from_doc(found) if found else None

    @strawberry.field(description="The author's one follow-up (追评).")
    def follow_up(self) -> ReviewFollowUp | None:
        entry = self.doc.get("followUp")
        if not entry:
            return None
        return ReviewFollowUp(
            text=entry["text"], images=list(entry["images"]), created_at=when(entry["at"]) or datetime.now()
        )

    @strawberry.field(description="The shop's one reply.")
    def reply(self) -> ReviewReply | None:
        entry = self.doc.get("reply")
        return ReviewReply(text=entry["text"], created_at=when(entry["at"]) or datetime.now()) if entry else None

    @strawberry.field(description="Whether the viewer marked it helpful; false when signed out.")
    async def viewer_found_helpful(self, info: Info) -> bool:
        viewer = info.context.viewer_id
        return viewer is not None and bool(await info.context.loaders.review_helpful.load((self.doc["_id"], viewer)))

    @strawberry.field(description="Visible to the author and operators only; null for others.")
    async def moderation(self, info: Info) -> ModerationStatus | None:
        return await authors_moderation(info, self.doc)


async def review_visible(info: Info, doc: Doc) -> bool:
    return await info.context.seer.review(doc)


register_node("Review", "review", Review.from_doc, review_visible)


@strawberry.type
class ReviewEdge:
    node: Review
    cursor: str


@strawberry.type
class ReviewConnection:
    edges: list[ReviewEdge]
    page_info: PageInfo

    @classmethod
    async def of(cls, info: Info, page: Page, after: str | None) -> ReviewConnection:
        """The page's reviews the viewer may see (the cursors stay those of the store's page)."""
        shown = {r["_id"] for r in await info.context.seer.reviews(page.docs)}
        edges = [
            ReviewEdge(node=Review.from_doc(d), cursor=c)
            for d, c in zip(page.docs, page.cursors, strict=True)
            if d["_id"] in shown
        ]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


# -- what Product shows (schema/catalog.py's fields call these) --------------------------------------------
async def product_reviews(
    info: Info,
    product: Doc,
    filter: ReviewFilter | None,
    sort: ReviewSort | None,
    first: int | None,
    after: str | None,
) -> ReviewConnection:
    rating = filter.rating if filter else None
    if rating is not None and not rules.RATING_MIN <= rating <= rules.RATING_MAX:
        from resolvers.errors import bad_input

        raise bad_input(f"A rating is {rules.RATING_MIN} to {rules.RATING_MAX}", "filter", "rating")
    page = await reviews_uc.product_reviews(
        info.context.services,
        product["_id"],
        rating,
        bool(filter and filter.with_media),
        (sort or ReviewSort.NEWEST).name,
        page_size(first),
        after,
    )
    return await ReviewConnection.of(info, page, after)


async def product_rating(info: Info, product: Doc) -> ProductRating:
    return ProductRating.from_doc(await info.context.loaders.product_rating.load(product["_id"]))


async def friend_reviews(info: Info, product: Doc, first: int | None) -> list[Review]:
    found = await reviews_uc.friend_reviews(
        info.context.services, info.context.seer, product["_id"], page_size(first, default=10)
    )
    return [Review.from_doc(r) for r in found]


# -- inputs, payloads, roots -------------------------------------------------------------------------------
@strawberry.input
class CreateReviewInput:
    order_id: strawberry.ID = strawberry.field(description="The viewer's completed order.")
    line_index: int = strawberry.field(description="Which line of the order (0-based), as in requestAfterSale.")
    rating: int = strawberry.field(description="1 to 5 stars.")
    text: str = strawberry.field(default="", description="Up to 500 characters.")
    images: list[str] | None = strawberry.field(default=None, description="Up to 9 photo URLs.")
    video_id: strawberry.ID | None = strawberry.field(default=None, description="From uploadVideo.")
    anonymous: bool = strawberry.field(default=False, description="Show a masked nickname to everyone else.")


@strawberry.input
class AddReviewFollowUpInput:
    review_id: strawberry.ID = strawberry.field(description="The viewer's review.")
    text: str = strawberry.field(description="Up to 500 characters.")
    images: list[str] | None = strawberry.field(default=None, description="Up to 9 photo URLs.")


@strawberry.input
class ReplyToReviewInput:
    review_id: strawberry.ID = strawberry.field(description="A review of the shop's product.")
    text: str = strawberry.field(description="1 to 500 characters.")


@strawberry.input
class ReviewIdInput:
    review_id: strawberry.ID = strawberry.field(description="The review.")


@strawberry.type
class ReviewPayload:
    review: Review | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _review_id(value: str) -> str:
    return raw_id(value, "Review", "input", "reviewId")


@strawberry.type
class ReviewQueries:
    @strawberry.field(description="The viewer's reviews, newest first, held ones too.")
    async def my_reviews(self, info: Info, first: int | None = None, after: str | None = None) -> ReviewConnection:
        viewer = info.context.viewer_id
        if viewer is None:
            return ReviewConnection(edges=[], page_info=PageInfo.of(Page([], None, []), after))
        page = await info.context.services.store.find(
            "reviews", {"authorId": viewer}, sort="createdAt", direction=-1, limit=page_size(first), after=after
        )
        return await ReviewConnection.of(info, page, after)


@strawberry.type
class ReviewMutations:
    @payload_mutation(
        ReviewPayload,
        limit="REVIEWS_PER_MINUTE",
        description="Review one line of your completed order, once, within REVIEW_DAYS of completion; held PENDING"
        " when a moderation rule trips.",
    )
    async def create_review(self, info: Info, input: CreateReviewInput) -> ReviewPayload:
        order_id = raw_id(input.order_id, "Order", "input", "orderId")
        video = raw_id(input.video_id, "Video", "input", "videoId") if input.video_id else None
        review = await reviews_uc.create(
            info.context.services,
            info.context.require_viewer(),
            order_id,
            input.line_index,
            input.rating,
            input.text,
            input.images or [],
            video,
            input.anonymous,
        )
        return ReviewPayload(review=Review.from_doc(review))

    @payload_mutation(ReviewPayload, limit="REVIEWS_PER_MINUTE", description="The author's one follow-up (追评).")
    async def add_review_follow_up(self, info: Info, input: AddReviewFollowUpInput) -> ReviewPayload:
        review = await reviews_uc.follow_up(
            info.context.services,
            info.context.require_viewer(),
            _review_id(input.review_id),
            input.text,
            input.images or [],
        )
        return ReviewPayload(review=Review.from_doc(review))

    @payload_mutation(
        ReviewPayload,
        staff=Staff(REVIEW, CUSTOMER_SERVICE),
        limit="REVIEWS_PER_MINUTE",
        description="The shop's one reply to a review of its product.",
    )
    async def reply_to_review(self, info: Info, input: ReplyToReviewInput) -> ReviewPayload:
        review = await reviews_uc.reply(
            info.context.services, info.context.require_viewer(), _review_id(input.review_id), input.text
        )
        return ReviewPayload(review=Review.from_doc(review))

    @payload_mutation(ReviewPayload, limit="REVIEW_HELPFUL_PER_MINUTE", description="Once per user; idempotent.")
    async def mark_review_helpful(self, info: Info, input: ReviewIdInput) -> ReviewPayload:
        review = await reviews_uc.mark_helpful(
            info.context.services, info.context.require_viewer(), _review_id(input.review_id)
        )
        return ReviewPayload(review=Review.from_doc(review))

"""Posts (notes and short videos), topics, comments, reports and moderation; feeds and feedUpdates."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from domain import moderation
from domain.ids import to_global_id
from resolvers import content as content_uc
from resolvers import feeds as feeds_uc
from resolvers.errors import ApiError
from resolvers.visibility import Facts
from schema.catalog import Product, Shop, products_of
from schema.common import Node, PageInfo, UserError, described_value, must, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_node, raw_id, register_node
from schema.orders import when
from schema.users import User
from store.protocol import Doc, Page
from subscriptions.fanout import merged

if TYPE_CHECKING:
    from schema.live import LiveRoom
    from schema.reviews import Review
    from schema.teams import Team


@strawberry.enum(description="What a post is.")
class PostKind(Enum):
    NOTE = described_value("NOTE", "Text with up to 9 images.")
    VIDEO = described_value("VIDEO", "A short video (from uploadVideo) with text.")


@strawberry.enum(description="Where a post or review stands with moderation.")
class ModerationStatus(Enum):
    PENDING = described_value(moderation.PENDING, "Held for an operator: only its author (and operators) see it.")
    APPROVED = described_value(moderation.APPROVED, "Public (except across a block).")
    REJECTED = described_value(moderation.REJECTED, "An operator refused it: only its author (and operators) see it.")
    REMOVED = strawberry.enum_value(moderation.REMOVED, description="Its author deleted their account.")


async def authors_moderation(info: Info, doc: Doc) -> ModerationStatus | None:
    """A post's or review's moderation state, for its author and operators only."""
    viewer = await info.context.seer.viewer()
    if viewer.id is None or (viewer.id != doc["authorId"] and not viewer.operator):
        return None
    return ModerationStatus(doc["moderation"])


@strawberry.type(description="An uploaded short video.")
class Video:
    url: str = strawberry.field(description="Where to play it from.")
    cover_url: str | None = strawberry.field(description="Its cover image; null when none.")
    duration_seconds: float = strawberry.field(description="15 to 60 seconds.")

    @classmethod
    def from_doc(cls, doc: Doc) -> Video:
        return cls(url=doc["url"], cover_url=doc.get("coverUrl"), duration_seconds=float(doc["durationSeconds"]))


@strawberry.type(description="A #topic posts are tagged with.")
class Topic(Node):
    id: strawberry.ID
    name: str = strawberry.field(description="The topic, normalized (what `topic(name:)` looks up).")
    post_count: int = strawberry.field(description="Posts tagged with it.")

    @classmethod
    def from_doc(cls, doc: Doc) -> Topic:
        return cls(id=strawberry.ID(to_global_id("Topic", doc["_id"])), name=doc["_id"], post_count=doc["postCount"])

    @strawberry.field(description="Its posts the viewer may see, newest first.")
    async def posts(self, info: Info, first: int | None = None, after: str | None = None) -> PostConnection:
        items, cursors, more = await feeds_uc.topic_posts(
            info.context.services, self.name, page_size(first), after, info.context.seer
        )
        return PostConnection.of(items, cursors, more, after)


@strawberry.type(
    description="A note or short video by a user; public once approved, otherwise its author's (and operators') only."
)
class Post(Node):
    id: strawberry.ID
    kind: PostKind = strawberry.field(description="Note or video.")
    title: str = strawberry.field(description="Up to 40 characters.")
    body: str = strawberry.field(description="Up to 2000 characters; line breaks allowed.")
    images: list[str] = strawberry.field(description="Up to 9 http(s) URLs.")
    like_count: int = strawberry.field(description="How many users like it.")
    comment_count: int = strawberry.field(description="How many comments it has.")
    created_at: datetime = strawberry.field(description="When it was posted.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Post:
        return cls(
            id=strawberry.ID(to_global_id("Post", doc["_id"])),
            kind=PostKind(doc["kind"]),
            title=doc["title"],
            body=doc["body"],
            images=list(doc["images"]),
            like_count=doc["likeCount"],
            comment_count=doc["commentCount"],
            created_at=when(doc["createdAt"]) or datetime.now(),
            doc=doc,
        )

    @strawberry.field(description="Who posted it.")
    async def author(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["authorId"]), "author"))

    @strawberry.field(description="A VIDEO post's video; null for notes.")
    async def video(self, info: Info) -> Video | None:
        found = await info.context.loaders.video.load(self.doc["videoId"]) if self.doc.get("videoId") else None
        return Video.from_doc(found) if found else None

    @strawberry.field(description="The products it tags (up to 10), those still sold.")
    async def products(self, info: Info) -> list[Product]:
        return await products_of(info, await info.context.loaders.product.load_many(self.doc["productIds"]))

    @strawberry.field(description="Its topics (up to 5).")
    async def topics(self, info: Info) -> list[Topic]:
        docs = await info.context.loaders.topic.load_many(self.doc["topics"])
        return [Topic.from_doc(d) for d in docs if d]

    @strawberry.field(description="Whether the viewer likes it; false when signed out.")
    async def viewer_liked(self, info: Info) -> bool:
        viewer = info.context.viewer_id
        return viewer is not None and bool(await info.context.loaders.likes.load((self.doc["_id"], viewer)))

    @strawberry.field(description="Visible to the author and operators only; null for others.")
    async def moderation(self, info: Info) -> ModerationStatus | None:
        return await authors_moderation(info, self.doc)

    @strawberry.field(description="How many users favorited the post.")
    async def favorite_count(self, info: Info) -> int:
        from schema.favorites import favorite_count

        return await favorite_count(info, "POST", self.doc["_id"])

    @strawberry.field(description="Whether the viewer favorited it; false when signed out.")
    async def viewer_has_favorited(self, info: Info) -> bool:
        from schema.favorites import viewer_has_favorited

        return await viewer_has_favorited(info, "POST", self.doc["_id"])

    @strawberry.field(description="Its comments the viewer may see, oldest first.")
    async def comments(self, info: Info, first: int | None = None, after: str | None = None) -> CommentConnection:
        page = await content_uc.comments(info.context.services, self.doc["_id"], page_size(first), after)
        shown = {c["_id"] for c in await info.context.seer.comments(page.docs)}
        return CommentConnection.of(page, after, shown)


async def post_visible(info: Info, doc: Doc) -> bool:
    return await info.context.seer.post(doc)


register_node("Post", "post", Post.from_doc, post_visible)
register_node("Topic", "topic", Topic.from_doc)


@strawberry.type
class PostEdge:
    node: Post
    cursor: str


@strawberry.type
class PostConnection:
    edges: list[PostEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, docs: list[Doc], cursors: list[str], more: bool, after: str | None) -> PostConnection:
        edges = [PostEdge(node=Post.from_doc(d), cursor=c) for d, c in zip(docs, cursors, strict=True)]
        return cls(edges=edges, page_info=PageInfo.of(Page(docs, "more" if more else None, cursors), after))


@strawberry.type(description="A comment on a post.")
class Comment(Node):
    id: strawberry.ID
    body: str = strawberry.field(description="Up to 500 characters.")
    created_at: datetime = strawberry.field(description="When it was written.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Comment:
        return cls(
            id=strawberry.ID(to_global_id("Comment", doc["_id"])),
            body=doc["body"],
            created_at=when(doc["createdAt"]) or datetime.now(),
            doc=doc,
        )

    @strawberry.field(description="The post it comments on.")
    async def post(self, info: Info) -> Post:
        return Post.from_doc(must(await info.context.loaders.post.load(self.doc["postId"]), "post"))

    @strawberry.field(description="Who wrote it.")
    async def author(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["authorId"]), "author"))

    @strawberry.field(description="The comment it answers; null when none (or the viewer may not see it).")
    async def reply_to(self, info: Info) -> Comment | None:
        found = await info.context.loaders.comment.load(self.doc["replyToId"]) if self.doc.get("replyToId") else None
        return Comment.from_doc(found) if found and await comment_visible(info, found) else None


async def comment_visible(info: Info, doc: Doc) -> bool:
    return await info.context.seer.comment(doc)


register_node("Comment", "comment", Comment.from_doc, comment_visible)


@strawberry.type
class CommentEdge:
    node: Comment
    cursor: str


@strawberry.type
class CommentConnection:
    edges: list[CommentEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page, after: str | None, shown: set[str]) -> CommentConnection:
        """The page's comments the viewer may see (the cursors stay those of the store's page)."""
        edges = [
            CommentEdge(node=Comment.from_doc(d), cursor=c)
            for d, c in zip(page.docs, page.cursors, strict=True)
            if d["_id"] in shown
        ]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


# -- feeds -------------------------------------------------------------------------------------------------
@strawberry.enum(description="Which feed to read.")
class FeedKind(Enum):
    FOLLOWING = strawberry.enum_value("FOLLOWING", description="Posts of the people the viewer follows, newest first.")
    FRIENDS = strawberry.enum_value(
        "FRIENDS",
        description="What the viewer's friends bought, liked, reviewed, favorited and posted, as their privacy allows.",
    )
    DISCOVER = strawberry.enum_value(
        "DISCOVER", description="Ranked posts for discovery: quality, engagement, social proximity and freshness."
    )


@strawberry.enum(description="What the actor of an activity did.")
class ActivityVerb(Enum):
    POSTED = described_value("POSTED", "Posted `post`.")
    BOUGHT = described_value("BOUGHT", "Bought `product`.")
    LIKED = described_value("LIKED", "Liked `post`.")
    COMMENTED = described_value("COMMENTED", "Commented on `post`.")
    STARTED_TEAM = described_value("STARTED_TEAM", "Started the group-buy `team`.")
    JOINED_TEAM = described_value("JOINED_TEAM", "Joined the group-buy `team`.")
    WENT_LIVE = described_value("WENT_LIVE", "Started broadcasting `liveRoom`.")
    REVIEWED = described_value("REVIEWED", "Reviewed `product` (`review`).")
    FAVORITED = described_value("FAVORITED", "Favorited `product`, `shop` or `post`.")


@strawberry.type(description="One item of a feed: someone did something.")
class Activity(Node):
    id: strawberry.ID
    verb: ActivityVerb = strawberry.field(description="What they did; it says which field holds what.")
    at: datetime = strawberry.field(description="When.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Activity:
        return cls(
            id=strawberry.ID(to_global_id("Activity", doc["_id"])),
            verb=ActivityVerb(doc["verb"]),
            at=when(doc["at"]) or datetime.now(),
            doc=doc,
        )

    @classmethod
    def of_post(cls, post: Doc) -> Activity:
        """A FOLLOWING item: the author POSTED it."""
        doc = {
            "_id": f"post-{post['_id']}",
            "actorId": post["authorId"],
            "verb": "POSTED",
            "postId": post["_id"],
            "at": post["createdAt"],
        }
        return cls.from_doc(doc)

    @strawberry.field(description="Who did it.")
    async def actor(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["actorId"]), "actor"))

    @strawberry.field(description="The post it is about, if any (and the viewer may see it).")
    async def post(self, info: Info) -> Post | None:
        found = await info.context.loaders.post.load(self.doc["postId"]) if self.doc.get("postId") else None
        return Post.from_doc(found) if found and await post_visible(info, found) else None

    @strawberry.field(description="The product it is about, if any.")
    async def product(self, info: Info) -> Product | None:
        found = await info.context.loaders.product.load(self.doc["productId"]) if self.doc.get("productId") else None
        return Product.from_doc(found) if found else None

    @strawberry.field(description="A FAVORITED shop.")
    async def shop(self, info: Info) -> Shop | None:
        found = await info.context.loaders.shop.load(self.doc["shopId"]) if self.doc.get("shopId") else None
        return Shop.from_doc(found) if found else None

    @strawberry.field(description="A REVIEWED activity's review.")
    async def review(self, info: Info) -> Annotated[Review, strawberry.lazy("schema.reviews")] | None:
        from schema.reviews import Review

        found = await info.context.loaders.review.load(self.doc["reviewId"]) if self.doc.get("reviewId") else None
        return Review.from_doc(found) if found and await info.context.seer.review(found) else None

    @strawberry.field(description="The team it is about, if any.")
    async def team(self, info: Info) -> Annotated[Team, strawberry.lazy("schema.teams")] | None:
        from schema.teams import Team

        found = await info.context.loaders.team.load(self.doc["teamId"]) if self.doc.get("teamId") else None
        return Team.from_doc(found) if found else None

    @strawberry.field(description="The live room it is about, if any.")
    async def live_room(self, info: Info) -> Annotated[LiveRoom, strawberry.lazy("schema.live")] | None:
        from schema.live import LiveRoom

        room_id = self.doc.get("liveRoomId")
        found = await info.context.loaders.live_room.load(room_id) if room_id else None
        return LiveRoom.from_doc(found) if found else None


async def activity_visible(info: Info, doc: Doc) -> bool:
    return await info.context.seer.activity(doc)


register_node("Activity", "activity", Activity.from_doc, activity_visible)


@strawberry.type
class ActivityEdge:
    node: Activity
    cursor: str


@strawberry.type
class ActivityConnection:
    edges: list[ActivityEdge]
    page_info: PageInfo


# -- inputs, payloads, roots -------------------------------------------------------------------------------
@strawberry.input
class CreatePostInput:
    kind: PostKind = strawberry.field(description="Note or video.")
    title: str = strawberry.field(description="1 to 40 characters.")
    body: str = strawberry.field(description="1 to 2000 characters; line breaks allowed.")
    images: list[str] | None = strawberry.field(default=None, description="Up to 9 http(s) URLs.")
    video_id: strawberry.ID | None = strawberry.field(default=None, description="From uploadVideo; required for VIDEO.")
    product_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Up to 10 products to tag.")
    topics: list[str] | None = strawberry.field(default=None, description="Up to 5 topics, without the #.")


@strawberry.input
class PostIdInput:
    post_id: strawberry.ID = strawberry.field(description="The post.")


@strawberry.input
class CommentInput:
    post_id: strawberry.ID = strawberry.field(description="The post to comment on.")
    body: str = strawberry.field(description="1 to 500 characters.")
    reply_to_id: strawberry.ID | None = strawberry.field(
        default=None, description=("A comment of the same post to answer.")
    )


@strawberry.input
class ReportInput:
    target_id: strawberry.ID = strawberry.field(description="The post, comment or review to report.")
    reason: str = strawberry.field(description="1 to 200 characters, for the operators.")


@strawberry.input
class ModerateInput:
    target_id: strawberry.ID = strawberry.field(description="The post, comment or review to decide on.")
    approve: bool = strawberry.field(description="true: APPROVED; false: REJECTED.")
    note: str | None = strawberry.field(default=None, description="Why, for the record.")


@strawberry.type
class PostPayload:
    post: Post | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CommentPayload:
    comment: Comment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class VideoPayload:
    video_id: strawberry.ID | None = strawberry.field(default=None, description="Give it to createPost as videoId.")
    video: Video | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReportPayload:
    accepted: bool = strawberry.field(default=False, description="True once the report or decision is recorded.")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _post_id(value: str, *field: str) -> str:
    return raw_id(value, "Post", *field)


async def _target(info: Info, target_id: str) -> content_uc.Target:
    from domain.ids import BadGlobalId, from_global_id
    from resolvers.errors import bad_input

    try:
        kind, raw = from_global_id(target_id)
    except BadGlobalId:
        raise bad_input("Not a valid id", "input", "targetId") from None
    return await content_uc.target(info.context.services, kind, raw)


@strawberry.type
class ContentQueries:
    @strawberry.field(description="A post by id; null when there is none or the viewer may not see it.")
    async def post(self, info: Info, id: strawberry.ID) -> Post | None:
        found: Any = await load_node(info, id)
        if not isinstance(found, Post):
            return None
        await content_uc.viewed(info.context.services, found.doc, info.context.viewer_id)
        return found

    @strawberry.field(description="A topic by name; null when no post has it.")
    async def topic(
        self, info: Info, name: Annotated[str, strawberry.argument(description="With or without the #.")]
    ) -> Topic | None:
        found = await info.context.loaders.topic.load(content_uc.rules.topic_name(name))
        return Topic.from_doc(found) if found else None

    @strawberry.field(
        description=(
            "The hottest topics of the last 24 hours (a post counts 3, a comment 2, a like 1; halving every 6 hours);"
            " 10 unless `first`."
        )
    )
    async def trending_topics(self, info: Info, first: int | None = None) -> list[Topic]:
        return [Topic.from_doc(t) for t in await feeds_uc.trending(info.context.services, page_size(first, default=10))]

    @strawberry.field(description="A feed; FOLLOWING and FRIENDS are empty when signed out, DISCOVER is for everyone.")
    async def feed(
        self,
        info: Info,
        kind: Annotated[FeedKind, strawberry.argument(description="Which feed.")],
        first: int | None = None,
        after: str | None = None,
    ) -> ActivityConnection:
        size = page_size(first)
        viewer = info.context.viewer_id
        services = info.context.services
        seer = info.context.seer
        if kind is FeedKind.DISCOVER:
            page = await feeds_uc.discover(services, viewer, size, after, seer)
        elif viewer is None:
            page = feeds_uc.FeedPage([], [], False)
        elif kind is FeedKind.FOLLOWING:
            page = await feeds_uc.following(services, viewer, size, after, seer)
        else:
            page = await feeds_uc.friends(services, viewer, size, after, seer)
        nodes = [Activity.from_doc(d) if kind is FeedKind.FRIENDS else Activity.of_post(d) for d in page.items]
        edges = [ActivityEdge(node=n, cursor=c) for n, c in zip(nodes, page.cursors, strict=True)]
        info_ = PageInfo.of(Page(page.items, "more" if page.has_next else None, page.cursors), after)
        return ActivityConnection(edges=edges, page_info=info_)


@strawberry.type
class ContentMutations:
    @payload_mutation(
        VideoPayload,
        limit="VIDEO_UPLOADS_PER_MINUTE",
        description="A 15-60 s MP4 or MOV of up to 100 MB (GraphQL multipart request).",
    )
    async def upload_video(
        self,
        info: Info,
        file: Annotated[Upload, strawberry.argument(description=("The video file (a multipart request's file part)."))],
    ) -> VideoPayload:
        video = await content_uc.upload_video(info.context.services, info.context.require_viewer(), file)
        return VideoPayload(video_id=strawberry.ID(to_global_id("Video", video["_id"])), video=Video.from_doc(video))

    @payload_mutation(
        PostPayload,
        limit="POSTS_PER_MINUTE",
        description="A note or a video post; held PENDING when a moderation rule trips.",
    )
    async def create_post(self, info: Info, input: CreatePostInput) -> PostPayload:
        video = raw_id(input.video_id, "Video", "input", "videoId") if input.video_id else None
        products = [raw_id(p, "Product", "input", "productIds", str(i)) for i, p in enumerate(input.product_ids or [])]
        post = await content_uc.create_post(
            info.context.services,
            info.context.require_viewer(),
            input.kind.value,
            input.title,
            input.body,
            input.images or [],
            video,
            products,
            input.topics or [],
        )
        return PostPayload(post=Post.from_doc(post))

    @payload_mutation(PostPayload, limit="POST_LIKES_PER_MINUTE", description="Idempotent.")
    async def like_post(self, info: Info, input: PostIdInput) -> PostPayload:
        post = await content_uc.like(
            info.context.services, info.context.require_viewer(), _post_id(input.post_id, "input", "postId")
        )
        return PostPayload(post=Post.from_doc(post))

    @payload_mutation(PostPayload, limit="POST_LIKES_PER_MINUTE", description="Idempotent.")
    async def unlike_post(self, info: Info, input: PostIdInput) -> PostPayload:
        post = await content_uc.unlike(
            info.context.services, info.context.require_viewer(), _post_id(input.post_id, "input", "postId")
        )
        return PostPayload(post=Post.from_doc(post))

    @payload_mutation(
        CommentPayload, limit="COMMENTS_PER_MINUTE", description="1-500 characters; one level of replies."
    )
    async def comment_on_post(self, info: Info, input: CommentInput) -> CommentPayload:
        reply = raw_id(input.reply_to_id, "Comment", "input", "replyToId") if input.reply_to_id else None
        doc = await content_uc.comment(
            info.context.services,
            info.context.require_viewer(),
            _post_id(input.post_id, "input", "postId"),
            input.body,
            reply,
        )
        return CommentPayload(comment=Comment.from_doc(doc))

    @payload_mutation(
        ReportPayload,
        limit="REPORTS_PER_MINUTE",
        description="Queue a post, comment or review for the operators; once per user and target.",
    )
    async def report(self, info: Info, input: ReportInput) -> ReportPayload:
        found = await _target(info, input.target_id)
        await content_uc.report(info.context.services, info.context.require_viewer(), found, input.reason)
        return ReportPayload(accepted=True)

    @payload_mutation(
        ReportPayload, role="operator", description="Operators: approve or reject a post, comment or review."
    )
    async def moderate(self, info: Info, input: ModerateInput) -> ReportPayload:
        found = await _target(info, input.target_id)
        await content_uc.moderate(
            info.context.services, info.context.require_viewer(), found, input.approve, input.note
        )
        return ReportPayload(accepted=True)


@strawberry.type
class ContentSubscriptions:
    @strawberry.subscription(description="New activity for the viewer's FOLLOWING and FRIENDS feeds.")
    async def feed_updates(self, info: Info) -> AsyncGenerator[Activity, None]:
        viewer = info.context.viewer_id
        if viewer is None:
            raise ApiError("UNAUTHENTICATED", "Sign in to follow your feed")
        services = info.context.services
        celebrities = await feeds_uc.followed_celebrities(services, viewer)
        topics = [feeds_uc.feed_topic(viewer), *(f"author:{c}" for c in celebrities)]
        seen: deque[str] = deque(maxlen=100)  # a celebrity friend's post arrives on two topics: show it once
        async with merged(services.backends.bus, topics, services.settings.SUBSCRIBER_QUEUE_SIZE) as events:
            async for envelope in events:
                event = envelope.data  # decoded once per process, shared by every local subscriber
                # a follow or block of the viewer's, or a bus that reconnected (it may have missed one): read the
                # facts again
                if envelope.resync or event.get("relationsChanged"):
                    info.context.facts = None
                    continue
                if event["activity"]["_id"] in seen:
                    continue
                seen.append(event["activity"]["_id"])
                info.context.renew_loaders()
                loaders = info.context.loaders
                if event.get("actor"):
                    loaders.user.prime(event["actor"]["_id"], event["actor"])
                if event.get("post"):
                    loaders.post.prime(event["post"]["_id"], event["post"])
                if info.context.facts is None or info.context.facts.stale():  # blocks and follows, every few s
                    info.context.facts = Facts(services.store, viewer)
                activity = event["activity"]
                if await info.context.seer.feed_update(activity, activity["verb"] in feeds_uc.TO_FOLLOWERS):
                    yield Activity.from_doc(activity)


async def user_posts(info: Info, user_id: str, first: int | None, after: str | None) -> PostConnection:
    """A user's posts, newest first: all of them for the user, the approved ones for everybody else."""
    where: dict[str, Any] = {"authorId": user_id}
    if info.context.viewer_id != user_id:
        where["moderation"] = moderation.APPROVED
    page = await info.context.services.store.find(
        "posts", where, sort="createdAt", direction=-1, limit=page_size(first), after=after
    )
    shown = {p["_id"] for p in await info.context.seer.posts(page.docs)}
    kept = [(d, c) for d, c in zip(page.docs, page.cursors, strict=True) if d["_id"] in shown]
    return PostConnection.of([d for d, _ in kept], [c for _, c in kept], page.next_cursor is not None, after)

"""Live selling (直播带货): rooms, pinned products, likes, live comments and the room subscriptions.

Over WebSocket the two subscriptions are served by the LiveHub (subscriptions/live.py): one execution per event
for every viewer sharing a selection set. The resolvers below are that execution; outside the hub (a schema
executed directly) they read the room's bus topic themselves.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from domain import live as rules
from domain.ids import to_global_id
from resolvers import live as live_uc
from resolvers.errors import ApiError
from resolvers.visibility import present
from schema.catalog import Product, products_of
from schema.common import Node, PageInfo, UserError, described_value, must, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from schema.orders import when
from schema.users import User
from store.protocol import Doc, Page
from subscriptions.live import BATCHES, CLOSED, WANTS, topic


@strawberry.enum(description="Where a live room is.")
class LiveStatus(Enum):
    SCHEDULED = described_value(rules.SCHEDULED, "Created, not broadcasting yet.")
    LIVE = described_value(rules.LIVE, "Broadcasting now.")
    ENDED = described_value(rules.ENDED, "Over.")


@strawberry.type(description="A comment in a live room.")
class LiveComment(Node):
    id: strawberry.ID
    body: str = strawberry.field(description="Up to 200 characters.")
    at: datetime = strawberry.field(description="When it was sent.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> LiveComment:
        return cls(
            id=strawberry.ID(to_global_id("LiveComment", doc["_id"])),
            body=doc["body"],
            at=when(doc["at"]) or datetime.now(),
            doc=doc,
        )

    @strawberry.field(description="Who sent it.")
    async def author(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["authorId"]), "author"))


@strawberry.type(description="A live-selling broadcast of a user: products, comments and likes.")
class LiveRoom(Node):
    id: strawberry.ID
    title: str = strawberry.field(description="Up to 60 characters.")
    status: LiveStatus = strawberry.field(description="Scheduled, live or ended.")
    started_at: datetime | None = strawberry.field(description="When it went live; null before.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> LiveRoom:
        return cls(
            id=strawberry.ID(to_global_id("LiveRoom", doc["_id"])),
            title=doc["title"],
            status=LiveStatus(doc["status"]),
            started_at=when(doc.get("startedAt")),
            doc=doc,
        )

    @strawberry.field(description="Who broadcasts.")
    async def host(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["hostId"]), "host"))

    @strawberry.field(description="Current subscribers of the room, across all server processes.")
    async def viewer_count(self, info: Info) -> int:
        return await info.context.services.live.viewer_count(self.doc["_id"])

    @strawberry.field(description="Likes so far.")
    def like_count(self, info: Info) -> int:
        return live_uc.like_count(info.context.services, self.doc)

    @strawberry.field(description="The products it sells (up to 50).")
    async def products(self, info: Info) -> list[Product]:
        return await products_of(info, await info.context.loaders.product.load_many(self.doc["productIds"]))

    @strawberry.field(description="The product pinned now; null when none.")
    async def pinned_product(self, info: Info) -> Product | None:
        pinned = self.doc.get("pinnedProductId")
        found = await info.context.loaders.product.load(pinned) if pinned else None
        return Product.from_doc(found) if found else None

    @strawberry.field(description="The latest comments, oldest first, for a viewer who just joined.")
    async def recent_comments(
        self,
        info: Info,
        last: Annotated[
            int | None, strawberry.argument(description=("How many, 0 to 50 (more is capped); 20 when not given."))
        ] = None,
    ) -> list[LiveComment]:
        docs = await live_uc.recent_comments(info.context.services, self.doc["_id"], last)
        return [LiveComment.from_doc(d) for d in await info.context.seer.live_comments(docs)]


async def live_room_visible(info: Info, doc: Doc) -> bool:
    """Rooms are public; one whose host is missing is not shown (its host field could not answer)."""
    return bool(await present(info.context.loaders.user, [doc], "hostId", "live room", "host"))


register_node("LiveRoom", "live_room", LiveRoom.from_doc, live_room_visible)


async def live_comment_visible(info: Info, doc: Doc) -> bool:
    return bool(await info.context.seer.live_comments([doc]))


register_node("LiveComment", "live_comment", LiveComment.from_doc, live_comment_visible)


@strawberry.type
class LiveRoomEdge:
    node: LiveRoom
    cursor: str


@strawberry.type
class LiveRoomConnection:
    edges: list[LiveRoomEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page, after: str | None, shown: set[str]) -> LiveRoomConnection:
        edges = [
            LiveRoomEdge(node=LiveRoom.from_doc(d), cursor=c)
            for d, c in zip(page.docs, page.cursors, strict=True)
            if d["_id"] in shown
        ]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.input
class CreateLiveRoomInput:
    title: str = strawberry.field(description="1 to 60 characters.")
    product_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description=("Up to 50 of the viewer's products to sell.")
    )


@strawberry.input
class LiveRoomIdInput:
    room_id: strawberry.ID = strawberry.field(description="The live room.")


@strawberry.input
class PinProductInput:
    room_id: strawberry.ID = strawberry.field(description="The viewer's live room.")
    product_id: strawberry.ID = strawberry.field(description="One of its products.")


@strawberry.input
class LiveCommentInput:
    room_id: strawberry.ID = strawberry.field(description="A LIVE room.")
    body: str = strawberry.field(description="1 to 200 characters.")


@strawberry.input
class LikeLiveInput:
    room_id: strawberry.ID = strawberry.field(description="A LIVE room.")
    count: int = strawberry.field(description="Likes to add, 1 to 100 per call.")


@strawberry.type
class LiveRoomPayload:
    room: LiveRoom | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, doc: Doc) -> LiveRoomPayload:
        return cls(room=LiveRoom.from_doc(doc))


@strawberry.type
class LiveCommentPayload:
    comment: LiveComment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="How many watch now.")
class ViewerCountChanged:
    viewer_count: int = strawberry.field(description="Viewers connected now.")


@strawberry.type(description="The host pinned a product.")
class ProductPinned:
    doc: strawberry.Private[Doc]

    @strawberry.field(description="The product pinned.")
    def product(self) -> Product:
        return Product.from_doc(self.doc)


@strawberry.type(description="Likes came in.")
class LikesAdded:
    like_count: int = strawberry.field(description="Likes so far.")


@strawberry.type(description="The room ended; the subscription completes after it.")
class LiveEnded:
    ended_at: datetime = strawberry.field(description="When it ended.")


LiveRoomEvent = Annotated[
    ViewerCountChanged | ProductPinned | LikesAdded | LiveEnded,
    strawberry.union("LiveRoomEvent", description="Something that happened in a live room."),
]


@strawberry.type
class LiveQueries:
    @strawberry.field(description="A live room by id; null when there is none.")
    async def live_room(self, info: Info, id: strawberry.ID) -> LiveRoom | None:
        found: LiveRoom | None = await load_typed(info, id, "LiveRoom", "id")
        return found

    @strawberry.field(description="LIVE rooms first, most viewers first; then scheduled rooms, then ended ones.")
    async def live_rooms(self, info: Info, first: int | None = None, after: str | None = None) -> LiveRoomConnection:
        page = await live_uc.rooms(info.context.services, page_size(first), after)
        hosted = await present(info.context.loaders.user, page.docs, "hostId", "live room", "host")
        return LiveRoomConnection.of(page, after, {r["_id"] for r in hosted})


@strawberry.type
class LiveMutations:
    @payload_mutation(
        LiveRoomPayload, limit="LIVE_ROOMS_PER_MINUTE", description="A new SCHEDULED room hosted by the viewer."
    )
    async def create_live_room(self, info: Info, input: CreateLiveRoomInput) -> LiveRoomPayload:
        products = [raw_id(p, "Product", "input", "productIds", str(i)) for i, p in enumerate(input.product_ids or [])]
        services = info.context.services
        return LiveRoomPayload.of(
            await live_uc.create_room(services, info.context.require_viewer(), input.title, products)
        )

    @payload_mutation(LiveRoomPayload, description="SCHEDULED -> LIVE (host only); followers hear WENT_LIVE.")
    async def start_live(self, info: Info, input: LiveRoomIdInput) -> LiveRoomPayload:
        room = raw_id(input.room_id, "LiveRoom", "input", "roomId")
        return LiveRoomPayload.of(await live_uc.start(info.context.services, info.context.require_viewer(), room))

    @payload_mutation(LiveRoomPayload, description="-> ENDED (host only); the room's subscriptions complete.")
    async def end_live(self, info: Info, input: LiveRoomIdInput) -> LiveRoomPayload:
        room = raw_id(input.room_id, "LiveRoom", "input", "roomId")
        return LiveRoomPayload.of(await live_uc.end(info.context.services, info.context.require_viewer(), room))

    @payload_mutation(LiveRoomPayload, description="Show one of the room's products to every viewer (host only).")
    async def pin_product(self, info: Info, input: PinProductInput) -> LiveRoomPayload:
        room = raw_id(input.room_id, "LiveRoom", "input", "roomId")
        product = raw_id(input.product_id, "Product", "input", "productId")
        viewer = info.context.require_viewer()
        return LiveRoomPayload.of(await live_uc.pin(info.context.services, viewer, room, product))

    @payload_mutation(
        LiveCommentPayload,
        description="1-200 characters to a LIVE room: ROOM_NOT_LIVE, BLOCKED, RATE_LIMITED, CONTENT_REJECTED.",
    )
    async def send_live_comment(self, info: Info, input: LiveCommentInput) -> LiveCommentPayload:
        room = raw_id(input.room_id, "LiveRoom", "input", "roomId")
        doc = await live_uc.comment(info.context.services, info.context.require_viewer(), room, input.body)
        info.context.renew_loaders()
        return LiveCommentPayload(comment=LiveComment.from_doc(doc))

    @payload_mutation(LiveRoomPayload, description="1-100 likes at once, summed and written once a tick.")
    async def like_live(self, info: Info, input: LikeLiveInput) -> LiveRoomPayload:
        room = raw_id(input.room_id, "LiveRoom", "input", "roomId")
        viewer = info.context.require_viewer()
        return LiveRoomPayload.of(await live_uc.like(info.context.services, viewer, room, input.count))


async def _events(info: Info, global_id: str, field: str) -> AsyncIterator[dict[str, Any]]:
    """The room's events this subscription field wants, until the room ends."""
    room_id = raw_id(global_id, "LiveRoom", "roomId")
    services = info.context.services
    room = await services.store.get("live_rooms", room_id)
    if room is None:
        raise ApiError("NOT_FOUND", "No such live room", ["roomId"])
    if room["status"] == rules.ENDED:
        raise ApiError("ROOM_NOT_LIVE", "This live has ended", ["roomId"])
    group = getattr(info.context, "live_group", None)
    if group is not None:
        feed = await services.live.attach(group, room_id)
        if await _ended(info, room_id):  # it ended between the first read and the attach
            return
        while (event := await feed.get()) is not CLOSED:
            yield event
        return
    async with services.backends.bus.subscribe(topic(room_id)) as events:
        if await _ended(info, room_id):
            return
        async for envelope in events:
            if envelope.data.get("kind") in WANTS[field]:
                yield envelope.data


async def _ended(info: Info, room_id: str) -> bool:
    room = await info.context.services.store.get("live_rooms", room_id)
    return room is None or room["status"] == rules.ENDED


@strawberry.type(description="Comments of one room sent within one frame interval, in the order they were sent.")
class LiveCommentBatch:
    comments: list[LiveComment] = strawberry.field(
        description=("The comments of one tick, oldest first.")
    )  # its only list field: subscriptions/live.py filters blocked authors' comments by it


def _comment(info: Info, event: dict[str, Any]) -> LiveComment:
    info.context.loaders.user.prime(event["author"]["_id"], event["author"])
    return LiveComment.from_doc(event["comment"])


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription(description="Comments as they are sent; completes when the room ends.")
    async def live_comments(
        self, info: Info, room_id: Annotated[strawberry.ID, strawberry.argument(description=("The live room."))]
    ) -> AsyncGenerator[LiveComment, None]:
        async for event in _events(info, room_id, "liveComments"):
            if event["kind"] == "ended":
                return
            info.context.renew_loaders()
            yield _comment(info, event)

    @strawberry.subscription(
        description="The room's comments in batches, for big rooms: with LIVE_BATCH_MIN_VIEWERS viewers or more, "
        "at most LIVE_FRAMES_PER_SECOND batches a second whatever the comment rate; in smaller rooms each comment "
        "is a batch of one, sent at once. Completes when the room ends."
    )
    async def live_comment_batches(
        self, info: Info, room_id: Annotated[strawberry.ID, strawberry.argument(description=("The live room."))]
    ) -> AsyncGenerator[LiveCommentBatch, None]:
        async for event in _events(info, room_id, BATCHES):
            if event["kind"] == "ended":
                return
            info.context.renew_loaders()
            events = event["comments"] if event["kind"] == "comments" else [event]
            yield LiveCommentBatch(comments=[_comment(info, e) for e in events])

    @strawberry.subscription(
        description="Viewer counts, pinned products and likes (each at most once a tick); LiveEnded, then completes."
    )
    async def live_room_events(
        self, info: Info, room_id: Annotated[strawberry.ID, strawberry.argument(description=("The live room."))]
    ) -> AsyncGenerator[LiveRoomEvent, None]:
        async for event in _events(info, room_id, "liveRoomEvents"):
            kind = event["kind"]
            if kind == "viewers":
                yield ViewerCountChanged(viewer_count=event["viewerCount"])
            elif kind == "likes":
                yield LikesAdded(like_count=event["likeCount"])
            elif kind == "pinned":
                info.context.renew_loaders()
                yield ProductPinned(doc=event["product"])
            elif kind == "ended":
                yield LiveEnded(ended_at=when(event["endedAt"]) or datetime.now())
                return

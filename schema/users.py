"""User, privacy settings and user connections."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from domain.ids import to_global_id
from resolvers import users as users_uc
from schema.common import Node, PageInfo, page_size
from schema.context import Info
from schema.nodes import register_node
from store.protocol import Doc


@strawberry.enum
class Visibility(Enum):
    PUBLIC = "PUBLIC"
    FRIENDS = "FRIENDS"
    PRIVATE = "PRIVATE"


@strawberry.type
class PrivacySettings:
    activity_visibility: Visibility = strawberry.field(
        description="Who may see my purchases, likes and reviews in their friends' activity feed."
    )
    show_in_social_proof: bool = strawberry.field(
        description='Whether my purchases may appear as social proof ("3 friends bought this").'
    )
    connections_visibility: Visibility = strawberry.field(description="Who may see whom I follow and who follows me.")


async def _follows(info: Info, src: str | None, dst: str | None) -> bool:
    if src is None or dst is None or src == dst:
        return False
    return bool(await info.context.loaders.follows.load((src, dst)))


@strawberry.type
class User(Node):
    id: strawberry.ID
    nickname: str
    avatar_url: str | None
    bio: str | None
    influence: float = strawberry.field(
        description="Social influence, 0..100, from the follow and interaction graph; refreshed by a job."
    )
    follower_count: int
    following_count: int
    points: int
    level: int
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> User:
        return cls(
            id=strawberry.ID(to_global_id("User", doc["_id"])),
            nickname=doc["nickname"],
            avatar_url=doc.get("avatarUrl"),
            bio=doc.get("bio"),
            influence=float(doc.get("influence", 0.0)),
            follower_count=doc.get("followerCount", 0),
            following_count=doc.get("followingCount", 0),
            points=doc.get("points", 0),
            level=doc.get("level", 1),
            doc=doc,
        )

    @strawberry.field
    async def viewer_follows(self, info: Info) -> bool:
        return await _follows(info, info.context.viewer_id, self.doc["_id"])

    @strawberry.field
    async def follows_viewer(self, info: Info) -> bool:
        return await _follows(info, self.doc["_id"], info.context.viewer_id)

    @strawberry.field(description="Mutual follow.")
    async def is_friend(self, info: Info) -> bool:
        me, them = info.context.viewer_id, self.doc["_id"]
        return await _follows(info, me, them) and await _follows(info, them, me)

    @strawberry.field(description="Only for the viewer themself; null otherwise.")
    def privacy(self, info: Info) -> PrivacySettings | None:
        if info.context.viewer_id != self.doc["_id"]:
            return None
        p = {**users_uc.DEFAULT_PRIVACY, **self.doc.get("privacy", {})}
        return PrivacySettings(
            activity_visibility=Visibility(p["activityVisibility"]),
            show_in_social_proof=bool(p["showInSocialProof"]),
            connections_visibility=Visibility(p["connectionsVisibility"]),
        )

    async def _may_see_connections(self, info: Info) -> bool:
        viewer = info.context.viewer_id
        setting = self.doc.get("privacy", {}).get("connectionsVisibility", "PUBLIC")
        if viewer == self.doc["_id"] or setting == "PUBLIC":
            return True
        return (
            setting == "FRIENDS"
            and await _follows(info, viewer, self.doc["_id"])
            and await _follows(info, self.doc["_id"], viewer)
        )

    async def _connection(self, info: Info, direction: str, first: int | None, after: str | None) -> UserConnection:
        size = page_size(first)
        if not await self._may_see_connections(info):
            return UserConnection(
                edges=[],
                page_info=PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None),
            )
        page = await users_uc.follow_page(info.context.services, self.doc["_id"], direction, size, after)
        other = "src" if direction == "in" else "dst"
        docs = await info.context.loaders.user.load_many([edge[other] for edge in page.docs])
        edges = [UserEdge(node=User.from_doc(d), cursor=c) for d, c in zip(docs, page.cursors, strict=True) if d]
        return UserConnection(edges=edges, page_info=PageInfo.of(page, after))

    @strawberry.field
    async def followers(self, info: Info, first: int | None = None, after: str | None = None) -> UserConnection:
        return await self._connection(info, "in", first, after)

    @strawberry.field
    async def following(self, info: Info, first: int | None = None, after: str | None = None) -> UserConnection:
        return await self._connection(info, "out", first, after)


@strawberry.type
class UserEdge:
    node: User
    cursor: str


@strawberry.type
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo


def user_or_none(doc: Any) -> User | None:
    return User.from_doc(doc) if doc else None


register_node("User", "user", User.from_doc)

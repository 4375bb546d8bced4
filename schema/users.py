"""User, privacy settings and user connections."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain import visibility
from domain.ids import to_global_id
from resolvers import social as social_uc
from resolvers import users as users_uc
from schema.common import Node, PageInfo, UserError, described_value, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node

if TYPE_CHECKING:
    from schema.addresses import Address
    from schema.content import PostConnection
    from schema.data_rights import AccountDeletion, DataExport
    from schema.membership import Membership
    from schema.order_desk import ShopMembership
    from schema.points import PointsEntryConnection, PointsRedemptionConnection

from store.protocol import Doc


@strawberry.enum(description="Who may see something of a user's.")
class Visibility(Enum):
    PUBLIC = described_value("PUBLIC", "Everyone.")
    FRIENDS = described_value("FRIENDS", "Friends only (users who follow each other).")
    PRIVATE = described_value("PRIVATE", "The user alone.")


@strawberry.type(description="The viewer's own privacy settings.")
class PrivacySettings:
    activity_visibility: Visibility = strawberry.field(
        description="Who may see my purchases, likes and reviews in their friends' activity feed."
    )
    show_in_social_proof: bool = strawberry.field(
        description='Whether my purchases may appear as social proof ("3 friends bought this").'
    )
    connections_visibility: Visibility = strawberry.field(description="Who may see whom I follow and who follows me.")


@strawberry.type(description="A user: shopper, creator, distributor or shop staff; shown as their privacy allows.")
class User(Node):
    id: strawberry.ID
    nickname: str = strawberry.field(description="Unique (look-alikes too), up to 30 characters.")
    avatar_url: str | None = strawberry.field(description="An http(s) URL; null when none is set.")
    bio: str | None = strawberry.field(description="Up to 200 characters; null when none is set.")
    influence: float = strawberry.field(
        description="Social influence, 0..100, from the follow and interaction graph; refreshed by a job."
    )
    follower_count: int = strawberry.field(description="How many users follow them.")
    following_count: int = strawberry.field(description="How many users they follow.")
    points: int = strawberry.field(description="Their loyalty points balance.")
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
            doc=doc,
        )

    @strawberry.field(description="The member level of their growth (see Membership).")
    async def level(self, info: Info) -> int:
        from schema.membership import membership_of

        return (await membership_of(info, int(self.doc.get("growth", 0)))).level

    @strawberry.field(description="The viewer's own member level, growth and benefits; null for others.")
    async def membership(self, info: Info) -> Annotated[Membership, strawberry.lazy("schema.membership")] | None:
        from schema.membership import membership_of

        if info.context.viewer_id != self.doc["_id"]:
            return None
        return await membership_of(info, int(self.doc.get("growth", 0)))

    @strawberry.field(description="The viewer's own points entries, newest first; null for others.")
    async def points_ledger(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Annotated[PointsEntryConnection, strawberry.lazy("schema.points")] | None:
        from schema.points import ledger_of

        if info.context.viewer_id != self.doc["_id"]:
            return None
        return await ledger_of(info, self.doc["_id"], first, after)

    @strawberry.field(description="The viewer's own points redemptions, newest first; null for others.")
    async def points_redemptions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Annotated[PointsRedemptionConnection, strawberry.lazy("schema.points")] | None:
        from schema.points import redemptions_of

        if info.context.viewer_id != self.doc["_id"]:
            return None
        return await redemptions_of(info, self.doc["_id"], first, after)

    @strawberry.field(description="Creator credit, 0..100, from the quality of their posts; refreshed by a job.")
    def creator_score(self) -> float:
        return float(self.doc.get("creatorScore", 0.0))

    @strawberry.field(description="Creator level (达人等级) 0..5 from the credit score: 1 at 10, 2 at 30, ... 5 at 85.")
    def creator_level(self) -> int:
        return int(self.doc.get("creatorLevel", 0))

    @strawberry.field(description="An operator verified them as a creator (the badge).")
    def verified_creator(self) -> bool:
        return bool(self.doc.get("verifiedCreator"))

    @strawberry.field(description="Whether the viewer follows them; false when signed out.")
    async def viewer_follows(self, info: Info) -> bool:
        return (await info.context.seer.relation(self.doc["_id"])).follows

    @strawberry.field(description="Whether they follow the viewer; false when signed out.")
    async def follows_viewer(self, info: Info) -> bool:
        return (await info.context.seer.relation(self.doc["_id"])).followed_by

    @strawberry.field(description="Mutual follow.")
    async def is_friend(self, info: Info) -> bool:
        return (await info.context.seer.relation(self.doc["_id"])).friends

    @strawberry.field(
        description="The viewer's own invite code (brings new users in as their referrals); null for others."
    )
    def invite_code(self, info: Info) -> str | None:
        return self.doc.get("inviteCode") if info.context.viewer_id == self.doc["_id"] else None

    @strawberry.field(description="Their posts, newest first (their own pending ones too, for the author).")
    async def posts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Annotated[PostConnection, strawberry.lazy("schema.content")]:
        from schema.content import user_posts

        return await user_posts(info, self.doc["_id"], first, after)

    @strawberry.field(description="The viewer's own region (regional distribution); null for others.")
    def region(self, info: Info) -> str | None:
        return self.doc.get("region") if info.context.viewer_id == self.doc["_id"] else None

    @strawberry.field(description='The viewer\'s own birthday, "MM-DD"; null for others (and when not set).')
    def birthday(self, info: Info) -> str | None:
        return self.doc.get("birthday") if info.context.viewer_id == self.doc["_id"] else None

    @strawberry.field(description="The viewer's own address book, the default first; null for others.")
    async def addresses(self, info: Info) -> list[Annotated[Address, strawberry.lazy("schema.addresses")]] | None:
        from resolvers.addresses import book
        from schema.addresses import Address

        if info.context.viewer_id != self.doc["_id"]:
            return None
        return Address.list_of(await book(info.context.services, self.doc["_id"]))

    @strawberry.field(description="The viewer's default address (null without one, and for others).")
    async def default_address(self, info: Info) -> Annotated[Address, strawberry.lazy("schema.addresses")] | None:
        from resolvers.addresses import book
        from schema.addresses import Address

        if info.context.viewer_id != self.doc["_id"]:
            return None
        found = await book(info.context.services, self.doc["_id"])
        return Address.from_doc(found.addresses[0], found.default_id) if found.addresses else None

    @strawberry.field(
        description="The shops the viewer works for, with their roles (owned shops first, as OWNER);"
        " only for the viewer themself, null otherwise."
    )
    async def staff_of(
        self, info: Info
    ) -> list[Annotated[ShopMembership, strawberry.lazy("schema.order_desk")]] | None:
        if info.context.viewer_id != self.doc["_id"]:
            return None
        from schema.order_desk import memberships

        return await memberships(info, self.doc["_id"])

    @strawberry.field(description="Only for the viewer themself; null otherwise.")
    def privacy(self, info: Info) -> PrivacySettings | None:
        if info.context.viewer_id != self.doc["_id"]:
            return None
        p = visibility.privacy(self.doc)
        return PrivacySettings(
            activity_visibility=Visibility(p["activityVisibility"]),
            show_in_social_proof=bool(p["showInSocialProof"]),
            connections_visibility=Visibility(p["connectionsVisibility"]),
        )

    @strawberry.field(description="The viewer's latest data export (exportMyData); null for others and without one.")
    async def data_export(self, info: Info) -> Annotated[DataExport, strawberry.lazy("schema.data_rights")] | None:
        from resolvers.data_export import latest
        from schema.data_rights import DataExport

        if info.context.viewer_id != self.doc["_id"]:
            return None
        found = await latest(info.context.services, self.doc["_id"])
        return DataExport.from_doc(found) if found else None

    @strawberry.field(
        description="The viewer's account deletion (deleteMyAccount), PENDING during its cooling-off period; null "
        "for others and when none was asked."
    )
    async def account_deletion(
        self, info: Info
    ) -> Annotated[AccountDeletion, strawberry.lazy("schema.data_rights")] | None:
        from resolvers.account_deletion import deletion_of
        from schema.data_rights import AccountDeletion

        if info.context.viewer_id != self.doc["_id"]:
            return None
        found = await deletion_of(info.context.services, self.doc["_id"])
        return AccountDeletion.from_doc(found) if found else None

    async def _connection(self, info: Info, direction: str, first: int | None, after: str | None) -> UserConnection:
        size = page_size(first)
        if not await info.context.seer.connections(self.doc):
            return UserConnection(
                edges=[],
                page_info=PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None),
            )
        page = await users_uc.follow_page(info.context.services, self.doc["_id"], direction, size, after)
        other = "src" if direction == "in" else "dst"
        users = await info.context.seer.users(edge[other] for edge in page.docs)
        shown = {u["_id"]: u for u in await info.context.seer.edges(self.doc, list(users.values()))}
        edges = [
            UserEdge(node=User.from_doc(shown[edge[other]]), cursor=c)
            for edge, c in zip(page.docs, page.cursors, strict=True)
            if edge[other] in shown
        ]
        return UserConnection(edges=edges, page_info=PageInfo.of(page, after))

    @strawberry.field(
        description="Who follows them, newest first; empty unless their connectionsVisibility lets the viewer see."
    )
    async def followers(self, info: Info, first: int | None = None, after: str | None = None) -> UserConnection:
        return await self._connection(info, "in", first, after)

    @strawberry.field(
        description="Whom they follow, newest first; empty unless their connectionsVisibility lets the viewer see."
    )
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


@strawberry.type(description="A user the viewer might want to follow, and why.")
class FriendSuggestion:
    user: User = strawberry.field(description="The user suggested.")
    mutual_friends: int = strawberry.field(
        description="Friends (mutual follows) the viewer and this user have in common."
    )
    reason: str = strawberry.field(description='Why, for the viewer to read, e.g. "3 mutual friends".')


@strawberry.type
class UserPayload:
    user: User | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateProfileInput:
    nickname: str | None = strawberry.field(default=None, description="1 to 30 characters, unique (look-alikes too).")
    avatar_url: str | None = strawberry.field(default=None, description="An http(s) URL.")
    bio: str | None = strawberry.field(default=None, description="Up to 200 characters; line breaks allowed.")
    region: str | None = strawberry.field(default=None, description="Where the user buys (regional distribution).")
    birthday: str | None = strawberry.field(
        default=None, description='"MM-DD" (no year); "" clears it. The member level\'s birthday coupon comes then.'
    )


@strawberry.input
class UpdatePrivacyInput:
    activity_visibility: Visibility | None = strawberry.field(default=None, description="See PrivacySettings.")
    show_in_social_proof: bool | None = strawberry.field(default=None, description="See PrivacySettings.")
    connections_visibility: Visibility | None = strawberry.field(default=None, description="See PrivacySettings.")


@strawberry.input
class UserIdInput:
    user_id: strawberry.ID = strawberry.field(description="The other user.")


@strawberry.type
class UserQueries:
    @strawberry.field(description="The signed-in user; null when signed out.")
    async def me(self, info: Info) -> User | None:
        viewer = info.context.viewer_id
        return user_or_none(await info.context.loaders.user.load(viewer) if viewer else None)

    @strawberry.field(description="A user by id; null when there is none.")
    async def user(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The user's global id.")]
    ) -> User | None:
        found: User | None = await load_typed(info, id, "User", "id")
        return found

    @strawberry.field(
        description=(
            "Friends of friends the viewer neither follows nor blocks, most mutual friends first (10 unless `first`)."
        )
    )
    async def friend_suggestions(self, info: Info, first: int | None = None) -> list[FriendSuggestion]:
        size = page_size(first, default=10)
        viewer = info.context.viewer_id
        if viewer is None:
            return []
        found = await users_uc.friend_suggestions(info.context.services, viewer, size)
        return [
            FriendSuggestion(user=User.from_doc(s.user), mutual_friends=s.mutual_friends, reason=s.reason)
            for s in found
        ]


async def _target(info: Info, input: UserIdInput) -> str:
    return raw_id(input.user_id, "User", "input", "userId")


async def _user_payload(info: Info, user_id: str) -> UserPayload:
    return UserPayload(user=user_or_none(await info.context.services.store.get("users", user_id)))


@strawberry.type
class UserMutations:
    @payload_mutation(
        UserPayload,
        limit="PROFILE_UPDATES_PER_MINUTE",
        description=(
            "The viewer's profile; only the fields given change. ALREADY_EXISTS for a taken nickname; RATE_LIMITED."
        ),
    )
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UserPayload:
        viewer = info.context.require_viewer()
        doc = await users_uc.update_profile(
            info.context.services, viewer, input.nickname, input.avatar_url, input.bio, input.region, input.birthday
        )
        return UserPayload(user=User.from_doc(doc))

    @payload_mutation(UserPayload, description="The viewer's privacy settings; only the fields given change.")
    async def update_privacy(self, info: Info, input: UpdatePrivacyInput) -> UserPayload:
        viewer = info.context.require_viewer()
        changes = {
            "activityVisibility": input.activity_visibility.value if input.activity_visibility else None,
            "showInSocialProof": input.show_in_social_proof,
            "connectionsVisibility": input.connections_visibility.value if input.connections_visibility else None,
        }
        return UserPayload(user=User.from_doc(await users_uc.update_privacy(info.context.services, viewer, changes)))

    @payload_mutation(
        UserPayload,
        limit="FOLLOWS_PER_MINUTE",
        description="Idempotent. SELF_ACTION on oneself, BLOCKED when either blocked the other.",
    )
    async def follow(self, info: Info, input: UserIdInput) -> UserPayload:
        target = await _target(info, input)
        await social_uc.follow(info.context.services, info.context.require_viewer(), target)
        return await _user_payload(info, target)

    @payload_mutation(UserPayload, limit="FOLLOWS_PER_MINUTE", description="Idempotent.")
    async def unfollow(self, info: Info, input: UserIdInput) -> UserPayload:
        target = await _target(info, input)
        await social_uc.unfollow(info.context.services, info.context.require_viewer(), target)
        return await _user_payload(info, target)

    @payload_mutation(
        UserPayload,
        limit="FOLLOWS_PER_MINUTE",
        description="Ends follows both ways; the blocked user can no longer follow you.",
    )
    async def block(self, info: Info, input: UserIdInput) -> UserPayload:
        target = await _target(info, input)
        await social_uc.block(info.context.services, info.context.require_viewer(), target)
        return await _user_payload(info, target)

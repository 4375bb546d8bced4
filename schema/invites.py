"""Invite rewards: the viewer's invitees and their states, and taking an invite code after sign-up."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.ids import to_global_id
from resolvers import invites as invites_uc
from schema.common import PageInfo, UserError, described_value, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.users import User, user_or_none
from store.protocol import Doc, Page


@strawberry.enum(description="SIGNED_UP -> FIRST_ORDER_PAID -> REWARDED; REVERSED when the first order is refunded.")
class InvitationState(Enum):
    SIGNED_UP = described_value("SIGNED_UP", "Signed up; no paid order yet.")
    FIRST_ORDER_PAID = described_value(
        "FIRST_ORDER_PAID", "Paid a first order (no reward when the inviter's daily cap was used)."
    )
    REWARDED = described_value("REWARDED", "The inviter earned the reward.")
    REVERSED = described_value("REVERSED", "The first order was refunded: the reward was taken back.")


@strawberry.type(description="A new user the viewer's invite code or share link brought in.")
class Invitation:
    id: strawberry.ID = strawberry.field(description="The invitation's id.")
    state: InvitationState = strawberry.field(description="Where it is.")
    signed_up_at: float = strawberry.field(description="ms since the epoch")
    first_order_paid_at: float | None = strawberry.field(
        description=("When the first order was paid: ms since the epoch; null until then.")
    )
    rewarded_at: float | None = strawberry.field(
        description=("When the reward was earned: ms since the epoch; null until then.")
    )
    reversed_at: float | None = strawberry.field(
        description=("When it was reversed: ms since the epoch; null until then.")
    )
    points: int = strawberry.field(description="The points this invitation earned the inviter (0 until REWARDED).")
    capped: bool = strawberry.field(description="The first order came when the day's INVITE_DAILY_CAP was used.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Invitation:
        return cls(
            id=strawberry.ID(to_global_id("Invitation", doc["_id"])),
            state=InvitationState(doc["state"]),
            signed_up_at=doc["signedUpAt"],
            first_order_paid_at=doc.get("firstOrderPaidAt"),
            rewarded_at=doc.get("rewardedAt"),
            reversed_at=doc.get("reversedAt"),
            points=doc.get("points", 0) if doc["state"] == "REWARDED" else 0,
            capped=bool(doc.get("capped")),
            doc=doc,
        )

    @strawberry.field(description="The invitee (null once their account is deleted).")
    async def invitee(self, info: Info) -> User | None:
        return user_or_none(await info.context.loaders.user.load(self.doc["inviteeId"]))


@strawberry.type
class InvitationEdge:
    node: Invitation
    cursor: str


@strawberry.type
class InvitationConnection:
    edges: list[InvitationEdge]
    page_info: PageInfo


@strawberry.input
class AcceptInviteInput:
    code: str = strawberry.field(description="An invite code or a share token.")


@strawberry.type
class AcceptInvitePayload:
    invitation: Invitation | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class InviteQueries:
    @strawberry.field(description="The users the viewer invited, newest first (empty when signed out).")
    async def my_invites(self, info: Info, first: int | None = None, after: str | None = None) -> InvitationConnection:
        size = page_size(first)
        viewer = info.context.viewer_id
        if viewer is None:
            return InvitationConnection(edges=[], page_info=PageInfo.of(Page(), after))
        page = await invites_uc.my_invites(info.context.services, viewer, size, after)
        edges = [
            InvitationEdge(node=Invitation.from_doc(d), cursor=c) for d, c in zip(page.docs, page.cursors, strict=True)
        ]
        return InvitationConnection(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.type
class InviteMutations:
    @payload_mutation(
        AcceptInvitePayload,
        description="Take an invite code after signing up without one: for users new to the platform who have not "
        "bought anything, never one's own code, once.",
    )
    async def accept_invite(self, info: Info, input: AcceptInviteInput) -> AcceptInvitePayload:
        doc = await invites_uc.accept_invite(info.context.services, info.context.require_viewer(), input.code)
        return AcceptInvitePayload(invitation=Invitation.from_doc(doc))

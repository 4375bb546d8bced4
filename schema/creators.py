"""Creators (达人): suggestions to follow, and operators' verification badge."""

from __future__ import annotations

import strawberry

from resolvers import creators as creators_uc
from schema.common import UserError, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.users import User


@strawberry.type(description="A creator the viewer might follow, and why.")
class CreatorSuggestion:
    user: User = strawberry.field(description="The creator.")
    reason: str = strawberry.field(description="Why, for the viewer to read.")
    followed_by: int = strawberry.field(description="How many people the viewer follows follow this creator.")
    in_topics: int = strawberry.field(description="Their recent posts in the topics the viewer likes.")


@strawberry.input
class VerifyCreatorInput:
    user_id: strawberry.ID = strawberry.field(description="The creator.")
    verified: bool = strawberry.field(default=True, description="Verify (true) or unverify (false).")


@strawberry.type
class VerifyCreatorPayload:
    user: User | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreatorQueries:
    @strawberry.field(
        description="Creators to follow: from whom the viewer's followees follow and the viewer's interests, by "
        "credit score; the best creators for anonymous viewers."
    )
    async def recommended_creators(self, info: Info, first: int | None = None) -> list[CreatorSuggestion]:
        size = page_size(first, default=10)
        found = await creators_uc.recommended(info.context.services, info.context.viewer_id, size)
        return [
            CreatorSuggestion(
                user=User.from_doc(s.user), reason=s.reason, followed_by=s.followed_by, in_topics=s.in_topics
            )
            for s in found
        ]


@strawberry.type
class CreatorMutations:
    @payload_mutation(VerifyCreatorPayload, role="operator", description="Operators: give or take a creator badge.")
    async def verify_creator(self, info: Info, input: VerifyCreatorInput) -> VerifyCreatorPayload:
        user_id = raw_id(input.user_id, "User", "input", "userId")
        doc = await creators_uc.verify(info.context.services, info.context.require_viewer(), user_id, input.verified)
        return VerifyCreatorPayload(user=User.from_doc(doc))

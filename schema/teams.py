"""Group-buy teams (拼团) and the teamProgress subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from domain import teams as rules
from domain.ids import to_global_id
from resolvers import teams as teams_uc
from resolvers.errors import ApiError
from schema.catalog import GroupBuyTier, Product
from schema.common import Money, Node, UserError, described_value, must
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from schema.orders import Order, now_then, when
from schema.users import User
from store.protocol import Doc


@strawberry.enum(description="Where a group-buy team is.")
class TeamStatus(Enum):
    OPEN = described_value(rules.OPEN, "Taking members until `expiresAt` or every seat is taken.")
    SUCCEEDED = described_value(
        rules.SUCCEEDED, "Closed with at least the first tier's members: the orders ship, at the price reached."
    )
    FAILED = described_value(rules.FAILED, "Closed short of the first tier: every member's order is refunded.")


@strawberry.type(description="A seat in a team.")
class TeamMember:
    joined_at: datetime = strawberry.field(description="When they took the seat.")
    paid: bool = strawberry.field(description="Whether they paid their order (only paid members count).")
    doc: strawberry.Private[Doc]

    @strawberry.field(description="The member; anonymous when they opted out of social proof.")
    async def user(self, info: Info) -> User:
        return User.from_doc(await info.context.seer.buyer(self.doc["userId"], "team member", self.doc["_id"]))


@strawberry.type(
    description=("A group-buy team (拼团): members buy one product together; the more pay, the lower the price.")
)
class Team(Node):
    id: strawberry.ID
    size: int = strawberry.field(description="Paid members so far.")
    min_size: int = strawberry.field(description="Members needed for the first tier.")
    max_size: int = strawberry.field(description="Seats in the largest tier.")
    status: TeamStatus = strawberry.field(description="Where it is.")
    expires_at: datetime = strawberry.field(description="When it closes if not full before.")
    current_price: Money = strawberry.field(
        description=(
            "Price at the tier reached so far; members who paid more get the difference back when the team closes."
        )
    )
    next_tier: GroupBuyTier | None = strawberry.field(
        description=("The next cheaper tier to reach; null at the last one.")
    )
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Team:
        view = teams_uc.team_view(doc)
        nxt = view["next"]
        return cls(
            id=strawberry.ID(to_global_id("Team", doc["_id"])),
            size=doc["paidCount"],
            min_size=doc["minSize"],
            max_size=doc["maxSize"],
            status=TeamStatus(doc["status"]),
            expires_at=when(doc["expiresAt"]) or datetime.now(),
            current_price=Money.fen(view["price"]),
            next_tier=GroupBuyTier(size=nxt["size"], price=Money.fen(nxt["price"])) if nxt else None,
            doc=doc,
        )

    @strawberry.field(description="What the team buys.")
    async def product(self, info: Info) -> Product:
        return Product.from_doc(must(await info.context.loaders.product.load(self.doc["productId"]), "product"))

    @strawberry.field(description="Anonymous when the leader opted out of social proof.")
    async def leader(self, info: Info) -> User:
        return User.from_doc(await info.context.seer.buyer(self.doc["leaderId"], "team", self.doc["_id"]))

    @strawberry.field(description="Everyone who took a seat; who opted out of social proof shows as anonymous.")
    async def members(self, info: Info) -> list[TeamMember]:
        docs = await info.context.loaders.team_members.load(self.doc["_id"])
        return [TeamMember(joined_at=when(m["joinedAt"]) or datetime.now(), paid=m["paid"], doc=m) for m in docs]


register_node("Team", "team", Team.from_doc)


@strawberry.input
class StartTeamInput:
    sku_id: strawberry.ID = strawberry.field(description="A SKU of a product with a group-buy offer.")
    idempotency_key: str = strawberry.field(description="1 to 64 characters: a retry with the same key acts once.")


@strawberry.input
class JoinTeamInput:
    team_id: strawberry.ID = strawberry.field(description="An OPEN team.")
    sku_id: strawberry.ID = strawberry.field(description="A SKU of the team's product.")
    idempotency_key: str = strawberry.field(description="1 to 64 characters: a retry with the same key acts once.")


@strawberry.type
class TeamPayload:
    team: Team | None = None
    order: Order | None = strawberry.field(default=None, description="The viewer's order for the seat, to pay.")
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, team_and_order: tuple[Doc, Doc]) -> TeamPayload:
        team, order = team_and_order
        return cls(team=Team.from_doc(team), order=Order.from_doc(order))


@strawberry.type
class TeamQueries:
    @strawberry.field(description="A team by id; null when there is none.")
    async def team(self, info: Info, id: strawberry.ID) -> Team | None:
        found: Team | None = await load_typed(info, id, "Team", "id")
        return found


@strawberry.type
class TeamMutations:
    @payload_mutation(
        TeamPayload,
        limit="TEAM_STARTS_PER_MINUTE",
        description="Open a team for a product with a group-buy offer: the leader's order.",
    )
    async def start_team(self, info: Info, input: StartTeamInput) -> TeamPayload:
        sku = raw_id(input.sku_id, "Sku", "input", "skuId")
        viewer = info.context.require_viewer()
        return TeamPayload.of(await teams_uc.start_team(info.context.services, viewer, sku, input.idempotency_key))

    @payload_mutation(TeamPayload, description="Take a seat: TEAM_FULL, TEAM_CLOSED, ALREADY_JOINED.")
    async def join_team(self, info: Info, input: JoinTeamInput) -> TeamPayload:
        team = raw_id(input.team_id, "Team", "input", "teamId")
        sku = raw_id(input.sku_id, "Sku", "input", "skuId")
        viewer = info.context.require_viewer()
        found = await teams_uc.join_team(info.context.services, viewer, team, sku, input.idempotency_key)
        return TeamPayload.of(found)


@strawberry.type
class TeamSubscriptions:
    @strawberry.subscription(description="The team now, then at every join, payment and close; ends when it closes.")
    async def team_progress(
        self, info: Info, team_id: Annotated[strawberry.ID, strawberry.argument(description="The team to follow.")]
    ) -> AsyncGenerator[Team, None]:
        raw = raw_id(team_id, "Team", "teamId")
        services = info.context.services
        if await services.store.get("teams", raw) is None:
            raise ApiError("NOT_FOUND", "No such team")
        async with services.backends.bus.subscribe(f"team:{raw}") as events:
            async for _ in now_then(events):
                doc = await services.store.get("teams", raw)
                if doc is None:
                    return
                info.context.renew_loaders()  # members and buyers as they are now, not as first loaded
                yield Team.from_doc(doc)
                if doc["status"] != rules.OPEN:
                    return

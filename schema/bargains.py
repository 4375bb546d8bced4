"""Bargains (砍价)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from domain import bargains as rules
from domain.ids import to_global_id
from resolvers import bargains as bargains_uc
from resolvers.intact import intact
from schema.catalog import Product, Sku
from schema.common import Money, Node, UserError, described_value, must
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from schema.orders import OrderPayload, when
from schema.users import User
from store.protocol import Doc


@strawberry.enum(description="Where a bargain is.")
class BargainStatus(Enum):
    ACTIVE = described_value(rules.ACTIVE, "Helpers may cut its price until `expiresAt`.")
    REACHED_FLOOR = described_value(rules.REACHED_FLOOR, "Every needed helper cut: buy it at the floor price.")
    EXPIRED = described_value(rules.EXPIRED, "Time ran out before it was bought.")
    PURCHASED = described_value(rules.PURCHASED, "Bought at its current price.")


@strawberry.type(description="One helper's cut of a bargain's price.")
class BargainCut:
    amount: Money = strawberry.field(description="What the cut took off the price (at least 1 fen).")
    at: datetime = strawberry.field(description="When.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> BargainCut:
        return cls(amount=Money.fen(doc["amount"]), at=when(doc["at"]) or datetime.now(), doc=doc)

    @strawberry.field(description="Who cut.")
    async def helper(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["helperId"]), "helper"))


@strawberry.type(
    description="A bargain (砍价): friends cut a SKU's price, each a random part of what is left, down to its floor."
)
class Bargain(Node):
    id: strawberry.ID
    start_price: Money = strawberry.field(description="The SKU's price when it started.")
    current_price: Money = strawberry.field(description="What buying it costs now.")
    floor_price: Money = strawberry.field(description="The lowest it can go, reached at the last needed cut.")
    status: BargainStatus = strawberry.field(description="Where it is.")
    expires_at: datetime = strawberry.field(description="When helpers can no longer cut.")
    share_token: str = strawberry.field(description="Put it in the share link; helpers open the bargain with it.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Bargain:
        return cls(
            id=strawberry.ID(to_global_id("Bargain", doc["_id"])),
            start_price=Money.fen(doc["startPrice"]),
            current_price=Money.fen(doc["currentPrice"]),
            floor_price=Money.fen(doc["floorPrice"]),
            status=BargainStatus(doc["status"]),
            expires_at=when(doc["expiresAt"]) or datetime.now(),
            share_token=doc["shareToken"],
            doc=doc,
        )

    @strawberry.field(description="Its cuts, oldest first.")
    async def cuts(self, info: Info) -> list[BargainCut]:
        cuts = await intact(info.context.loaders, "bargain cut", self.doc["cuts"], f"bargain {self.doc['_id']}'s cut")
        return [BargainCut.from_doc(c) for c in cuts]

    @strawberry.field(description="Who started it (and may buy it).")
    async def owner(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["ownerId"]), "owner"))

    @strawberry.field(description="The SKU it buys.")
    async def sku(self, info: Info) -> Sku:
        return Sku.from_doc(must(await info.context.loaders.sku.load(self.doc["skuId"]), "SKU"))

    @strawberry.field(description="The SKU's product.")
    async def product(self, info: Info) -> Product:
        return Product.from_doc(must(await info.context.loaders.product.load(self.doc["productId"]), "product"))


register_node("Bargain", "bargain", Bargain.from_doc)


@strawberry.input
class StartBargainInput:
    sku_id: strawberry.ID = strawberry.field(description="A SKU of a product with a bargain offer.")


@strawberry.input
class BargainIdInput:
    bargain_id: strawberry.ID = strawberry.field(description="The bargain.")


@strawberry.input
class BuyBargainInput:
    bargain_id: strawberry.ID = strawberry.field(description="The viewer's bargain.")
    idempotency_key: str = strawberry.field(
        description=("1 to 64 characters: a retry with the same key returns the first order.")
    )


@strawberry.type
class BargainPayload:
    bargain: Bargain | None = None
    cut: BargainCut | None = strawberry.field(
        default=None, description=("helpBargain: the viewer's cut; null otherwise.")
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _bargain_id(input: BargainIdInput | BuyBargainInput) -> str:
    return raw_id(input.bargain_id, "Bargain", "input", "bargainId")


@strawberry.type
class BargainQueries:
    @strawberry.field(description="A bargain by id; null when there is none.")
    async def bargain(self, info: Info, id: strawberry.ID) -> Bargain | None:
        found: Bargain | None = await load_typed(info, id, "Bargain", "id")
        return found

    @strawberry.field(description="The bargain a share link opens; null when the token matches none.")
    async def bargain_by_share_token(
        self, info: Info, share_token: Annotated[str, strawberry.argument(description="From the share link.")]
    ) -> Bargain | None:
        found = await bargains_uc.by_share_token(info.context.services, share_token)
        return Bargain.from_doc(found) if found else None


@strawberry.type
class BargainMutations:
    @payload_mutation(
        BargainPayload,
        limit="BARGAIN_STARTS_PER_MINUTE",
        description="One open bargain per user per SKU: starting again returns it.",
    )
    async def start_bargain(self, info: Info, input: StartBargainInput) -> BargainPayload:
        sku = raw_id(input.sku_id, "Sku", "input", "skuId")
        doc = await bargains_uc.start_bargain(info.context.services, info.context.require_viewer(), sku)
        return BargainPayload(bargain=Bargain.from_doc(doc))

    @payload_mutation(
        BargainPayload,
        description="One cut per helper: SELF_ACTION, ALREADY_HELPED, DAILY_LIMIT, RATE_LIMITED, BARGAIN_CLOSED.",
    )
    async def help_bargain(self, info: Info, input: BargainIdInput) -> BargainPayload:
        doc, cut = await bargains_uc.help_bargain(
            info.context.services, info.context.require_viewer(), _bargain_id(input)
        )
        return BargainPayload(bargain=Bargain.from_doc(doc), cut=BargainCut.from_doc(cut))

    @payload_mutation(OrderPayload, description="The owner buys once at the price reached; idempotent per key.")
    async def buy_bargain(self, info: Info, input: BuyBargainInput) -> OrderPayload:
        order = await bargains_uc.buy_bargain(
            info.context.services, info.context.require_viewer(), _bargain_id(input), input.idempotency_key
        )
        return OrderPayload.of(order)

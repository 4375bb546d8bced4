"""Bargains (砍价)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain import bargains as rules
from domain.ids import to_global_id
from resolvers import bargains as bargains_uc
from resolvers.intact import intact
from schema.catalog import Product, Sku
from schema.common import Money, Node, UserError, must
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from schema.orders import OrderPayload, when
from schema.users import User
from store.protocol import Doc


@strawberry.enum
class BargainStatus(Enum):
    ACTIVE = rules.ACTIVE
    REACHED_FLOOR = rules.REACHED_FLOOR
    EXPIRED = rules.EXPIRED
    PURCHASED = rules.PURCHASED


@strawberry.type
class BargainCut:
    amount: Money
    at: datetime
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> BargainCut:
        return cls(amount=Money.fen(doc["amount"]), at=when(doc["at"]) or datetime.now(), doc=doc)

    @strawberry.field
    async def helper(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["helperId"]), "helper"))


@strawberry.type
class Bargain(Node):
    id: strawberry.ID
    start_price: Money
    current_price: Money
    floor_price: Money
    status: BargainStatus
    expires_at: datetime
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

    @strawberry.field
    async def cuts(self, info: Info) -> list[BargainCut]:
        cuts = await intact(info.context.loaders, "bargain cut", self.doc["cuts"], f"bargain {self.doc['_id']}'s cut")
        return [BargainCut.from_doc(c) for c in cuts]

    @strawberry.field
    async def owner(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["ownerId"]), "owner"))

    @strawberry.field
    async def sku(self, info: Info) -> Sku:
        return Sku.from_doc(must(await info.context.loaders.sku.load(self.doc["skuId"]), "SKU"))

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return Product.from_doc(must(await info.context.loaders.product.load(self.doc["productId"]), "product"))


register_node("Bargain", "bargain", Bargain.from_doc)


@strawberry.input
class StartBargainInput:
    sku_id: strawberry.ID


@strawberry.input
class BargainIdInput:
    bargain_id: strawberry.ID


@strawberry.input
class BuyBargainInput:
    bargain_id: strawberry.ID
    idempotency_key: str


@strawberry.type
class BargainPayload:
    bargain: Bargain | None = None
    cut: BargainCut | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _bargain_id(input: BargainIdInput | BuyBargainInput) -> str:
    return raw_id(input.bargain_id, "Bargain", "input", "bargainId")


@strawberry.type
class BargainQueries:
    @strawberry.field
    async def bargain(self, info: Info, id: strawberry.ID) -> Bargain | None:
        found: Bargain | None = await load_typed(info, id, "Bargain", "id")
        return found

    @strawberry.field
    async def bargain_by_share_token(self, info: Info, share_token: str) -> Bargain | None:
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

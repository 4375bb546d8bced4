"""After-sales (售后): requests for money back on some units of an order, the shop's answer, the goods sent back."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from domain import after_sales as rules
from domain.ids import to_global_id
from domain.staff import CUSTOMER_SERVICE, WAREHOUSE
from resolvers import after_sales as after_sales_uc
from resolvers.intact import intact_edges
from schema.common import Long, Money, Node, PageInfo, UserError, described_value, must, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from schema.orders import Order, OrderLine, when
from schema.staff import AFTER_SALE, Staff
from store.protocol import Doc, Page


@strawberry.enum(description="What the buyer asks for.")
class AfterSaleKind(Enum):
    REFUND_ONLY = described_value(rules.REFUND_ONLY, "Money back; the buyer keeps the goods.")
    RETURN_AND_REFUND = described_value(rules.RETURN_AND_REFUND, "The buyer sends the goods back, then gets the money.")


@strawberry.enum(description="Where an after-sale request is.")
class AfterSaleStatus(Enum):
    """The moves between them are domain/after_sales.py's (a unit test keeps the two equal)."""

    REQUESTED = described_value(
        rules.REQUESTED, "Waiting for the shop; approved by the platform at `respondBy` if it does not answer."
    )
    APPROVED = described_value(rules.APPROVED, "Approved; moves on at once (to REFUNDING or AWAITING_RETURN).")
    REJECTED = described_value(rules.REJECTED, "Final: the shop said no (`rejectReason`).")
    CANCELLED = described_value(rules.CANCELLED, "Final: the buyer withdrew it (or kept the goods).")
    AWAITING_RETURN = described_value(rules.AWAITING_RETURN, "Approved: the buyer sends the goods back (shipReturn).")
    RETURN_SHIPPED = described_value(rules.RETURN_SHIPPED, "The goods are on their way back to the shop.")
    RETURN_RECEIVED = described_value(rules.RETURN_RECEIVED, "The shop has the goods; the refund follows at once.")
    REFUNDING = described_value(rules.REFUNDING, "The money is on its way back.")
    REFUNDED = described_value(rules.REFUNDED, "Final: the money is back (`refundedAmount`).")


@strawberry.type(description="Units of one order line that an after-sale asks money back for.")
class AfterSaleLine:
    line_index: int = strawberry.field(description="The line's index in the order's `lines`, from 0.")
    quantity: int = strawberry.field(description="Units of that line.")
    amount: Money = strawberry.field(description="This line's part of the after-sale's amount.")
    doc: strawberry.Private[Doc]

    @strawberry.field(description="The order line it asks for.")
    async def order_line(self, info: Info) -> OrderLine:
        order = must(await info.context.loaders.order.load(self.doc["orderId"]), "order")
        line = order["lines"][self.line_index]
        return OrderLine(quantity=line["quantity"], unit_price=Money.fen(line["unitPrice"]), doc=line)


@strawberry.type(description="How the buyer sent the goods back.")
class ReturnShipment:
    carrier: str = strawberry.field(description="The carrier's name, up to 30 characters.")
    tracking_number: str = strawberry.field(description="4 to 40 letters, digits or dashes.")
    shipped_at: datetime = strawberry.field(description="When the buyer reported it sent.")


@strawberry.type(
    description=(
        "A buyer's request for money back on some units of an order (售后); its buyer and the shop's staff see it."
    )
)
class AfterSale(Node):
    id: strawberry.ID
    kind: AfterSaleKind = strawberry.field(description="Refund only, or return and refund.")
    status: AfterSaleStatus = strawberry.field(description="Where it is now.")
    reason: str = strawberry.field(description="The buyer's reason, up to 200 characters.")
    photos: list[str] = strawberry.field(description="Up to 9 image URLs the buyer gave.")
    amount: Money = strawberry.field(description="What the buyer asked for (the most those units could bring back).")
    refunded_amount: Money | None = strawberry.field(description="What the refund gave back, once it was made.")
    reject_reason: str | None = strawberry.field(description="Why the shop rejected it; null unless REJECTED.")
    return_shipment: ReturnShipment | None = strawberry.field(description="The goods sent back; null until shipReturn.")
    auto_approved: bool = strawberry.field(description="Approved by the platform: the shop did not answer in time.")
    created_at: datetime = strawberry.field(description="When it was requested.")
    approved_at: datetime | None = strawberry.field(description="When it was approved; null until then.")
    refunded_at: datetime | None = strawberry.field(description="When the money was back; null until then.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> AfterSale:
        shipment = doc.get("returnShipment")
        refunded = doc["status"] == rules.REFUNDED
        return cls(
            id=strawberry.ID(to_global_id("AfterSale", doc["_id"])),
            kind=AfterSaleKind(doc["kind"]),
            status=AfterSaleStatus(doc["status"]),
            reason=doc["reason"],
            photos=list(doc.get("photos") or []),
            amount=Money.fen(doc["amount"]),
            refunded_amount=Money.fen(doc.get("refundAmount") or 0) if refunded else None,
            reject_reason=doc.get("rejectReason"),
            return_shipment=ReturnShipment(
                carrier=shipment["carrier"],
                tracking_number=shipment["trackingNumber"],
                shipped_at=when(shipment["shippedAt"]) or datetime.min,
            )
            if shipment
            else None,
            auto_approved=bool(doc.get("autoApproved")),
            created_at=when(doc["createdAt"]) or datetime.min,
            approved_at=when(doc.get("approvedAt")),
            refunded_at=when(doc.get("refundedAt")),
            doc=doc,
        )

    @strawberry.field(description="The units it asks for, per order line.")
    def lines(self) -> list[AfterSaleLine]:
        return [
            AfterSaleLine(
                line_index=ln["lineIndex"], quantity=ln["quantity"], amount=Money.fen(ln["amount"]), doc=self.doc
            )
            for ln in self.doc["lines"]
        ]

    @strawberry.field(description="While REQUESTED: when the platform approves it if the shop has not answered.")
    def respond_by(self, info: Info) -> datetime | None:
        if self.doc["status"] != rules.REQUESTED:
            return None
        hours = info.context.services.settings.AFTER_SALE_AUTO_APPROVE_HOURS
        return when(self.doc["requestedAt"] + int(hours * rules.HOUR_MS))

    @strawberry.field(description="The order it is about.")
    async def order(self, info: Info) -> Order:
        return Order.from_doc(must(await info.context.loaders.order.load(self.doc["orderId"]), "order"))


async def after_sale_visible(info: Info, doc: Doc) -> bool:
    return await after_sales_uc.visible(info.context.services, doc, info.context.viewer_id)


register_node("AfterSale", "after_sale", AfterSale.from_doc, after_sale_visible)


@strawberry.type
class AfterSaleEdge:
    node: AfterSale
    cursor: str


@strawberry.type
class AfterSaleConnection:
    edges: list[AfterSaleEdge]
    page_info: PageInfo

    @classmethod
    async def of(cls, info: Info, page: Page, after: str | None) -> AfterSaleConnection:
        kept = await intact_edges(info.context.loaders, "after sale", page)
        edges = [AfterSaleEdge(node=AfterSale.from_doc(d), cursor=c) for d, c in kept]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.input(description="Units of one order line to ask money back for.")
class AfterSaleLineInput:
    line_index: int = strawberry.field(description="The line's index in the order's `lines`, from 0.")
    quantity: int = strawberry.field(description="Units of that line, at most what is left to ask for.")


@strawberry.input
class RequestAfterSaleInput:
    order_id: strawberry.ID = strawberry.field(description="The viewer's paid order.")
    kind: AfterSaleKind = strawberry.field(description="Refund only, or return and refund.")
    lines: list[AfterSaleLineInput] = strawberry.field(description="The units asked for, per order line.")
    reason: str = strawberry.field(description="1 to 200 characters, shown to the shop.")
    idempotency_key: str = strawberry.field(description="1 to 64 characters: a retry with the same key requests once.")
    photos: list[str] | None = strawberry.field(default=None, description="At most 9 image URLs (http or https).")
    amount: Long | None = strawberry.field(
        default=None, description="Fen; at most what those units were paid less what came back. Unset: all of that."
    )


@strawberry.input
class AfterSaleIdInput:
    after_sale_id: strawberry.ID = strawberry.field(description="The after-sale request.")


@strawberry.input
class RejectAfterSaleInput:
    after_sale_id: strawberry.ID = strawberry.field(description="A REQUESTED after-sale of the shop's.")
    reason: str = strawberry.field(description="1 to 200 characters, shown to the buyer.")


@strawberry.input
class ShipReturnInput:
    after_sale_id: strawberry.ID = strawberry.field(description="The viewer's AWAITING_RETURN after-sale.")
    carrier: str = strawberry.field(description="The carrier's name, 1 to 30 characters.")
    tracking_number: str = strawberry.field(description="4 to 40 letters, digits or dashes.")


@strawberry.type
class AfterSalePayload:
    after_sale: AfterSale | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, doc: Doc) -> AfterSalePayload:
        return cls(after_sale=AfterSale.from_doc(doc))


def _id(input: AfterSaleIdInput | RejectAfterSaleInput | ShipReturnInput) -> str:
    return raw_id(input.after_sale_id, "AfterSale", "input", "afterSaleId")


@strawberry.type
class AfterSaleQueries:
    @strawberry.field(description="An after-sale by id, for its buyer and the shop's staff; null for anyone else.")
    async def after_sale(self, info: Info, id: strawberry.ID) -> AfterSale | None:
        found: AfterSale | None = await load_typed(info, id, "AfterSale", "id")
        return found

    @strawberry.field(description="The viewer's after-sale requests, newest first.")
    async def my_after_sales(
        self,
        info: Info,
        status: Annotated[AfterSaleStatus | None, strawberry.argument(description="Only those in this status.")] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AfterSaleConnection:
        size = page_size(first)
        viewer = info.context.viewer_id
        if viewer is None:
            return AfterSaleConnection(edges=[], page_info=PageInfo.of(Page(), after))
        value = status.value if status else None
        page = await after_sales_uc.mine(info.context.services, viewer, value, size, after)
        return await AfterSaleConnection.of(info, page, after)


@strawberry.type
class AfterSaleMutations:
    @payload_mutation(
        AfterSalePayload,
        description=(
            "The buyer, from payment until AFTER_SALE_DAYS after completion, for units of lines not refunded yet;"
            " replaying an idempotencyKey returns the first request."
        ),
    )
    async def request_after_sale(self, info: Info, input: RequestAfterSaleInput) -> AfterSalePayload:
        doc = await after_sales_uc.request(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.order_id, "Order", "input", "orderId"),
            input.kind.value,
            [(line.line_index, line.quantity) for line in input.lines],
            input.reason,
            input.photos or [],
            input.amount,
            input.idempotency_key,
        )
        return AfterSalePayload.of(doc)

    @payload_mutation(AfterSalePayload, description="The buyer, before it is approved (or before sending a return).")
    async def cancel_after_sale(self, info: Info, input: AfterSaleIdInput) -> AfterSalePayload:
        services, viewer = info.context.services, info.context.require_viewer()
        return AfterSalePayload.of(await after_sales_uc.cancel(services, viewer, _id(input)))

    @payload_mutation(
        AfterSalePayload,
        staff=Staff(AFTER_SALE, CUSTOMER_SERVICE),
        description="A refund-only is refunded at once; a return waits for the goods (shipReturn).",
    )
    async def approve_after_sale(self, info: Info, input: AfterSaleIdInput) -> AfterSalePayload:
        services, viewer = info.context.services, info.context.require_viewer()
        return AfterSalePayload.of(await after_sales_uc.approve(services, viewer, _id(input)))

    @payload_mutation(
        AfterSalePayload,
        staff=Staff(AFTER_SALE, CUSTOMER_SERVICE),
        description=(
            "The shop's owner, ADMIN or CUSTOMER_SERVICE staff, while REQUESTED: REJECTED, its units free to ask again."
        ),
    )
    async def reject_after_sale(self, info: Info, input: RejectAfterSaleInput) -> AfterSalePayload:
        services, viewer = info.context.services, info.context.require_viewer()
        return AfterSalePayload.of(await after_sales_uc.reject(services, viewer, _id(input), input.reason))

    @payload_mutation(AfterSalePayload, description="The buyer, once a return is approved: how the goods come back.")
    async def ship_return(self, info: Info, input: ShipReturnInput) -> AfterSalePayload:
        services, viewer = info.context.services, info.context.require_viewer()
        doc = await after_sales_uc.ship_return(services, viewer, _id(input), input.carrier, input.tracking_number)
        return AfterSalePayload.of(doc)

    @payload_mutation(
        AfterSalePayload,
        staff=Staff(AFTER_SALE, WAREHOUSE),
        description="The goods came back: they return to stock, and the refund is made.",
    )
    async def confirm_return_received(self, info: Info, input: AfterSaleIdInput) -> AfterSalePayload:
        services, viewer = info.context.services, info.context.require_viewer()
        return AfterSalePayload.of(await after_sales_uc.confirm_return_received(services, viewer, _id(input)))

"""Orders, payment and refunds; the orderStatus subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import orders as rules
from domain.ids import to_global_id
from domain.staff import WAREHOUSE
from resolvers import orders as orders_uc
from resolvers import payments as payments_uc
from resolvers import shipments as shipments_uc
from resolvers.errors import ApiError, Refused
from resolvers.intact import intact, intact_edges, one, prime
from resolvers.services import Services
from schema.addresses import OrderAddress
from schema.catalog import Product, Shop, Sku
from schema.common import Money, Node, PageInfo, UserError, described_value, must, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from schema.pricing import PriceAdjustment, adjustments_of
from schema.shipments import PackageInput, Shipment, packages_of
from schema.staff import ORDER, Staff
from schema.users import User
from store.protocol import Doc, Page

if TYPE_CHECKING:
    from schema.after_sales import AfterSale
    from schema.bargains import Bargain
    from schema.teams import Team

# Where an order can move no further (COMPLETED can: after-sales may give all of its money back).
FINAL = frozenset(status for status, moves in rules.MOVES.items() if not moves)


def when(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, UTC) if ms is not None else None


@strawberry.enum(description="Where an order is; only the moves its mutations describe are possible.")
class OrderStatus(Enum):
    """The contract's statuses; their moves are domain/orders.py's (a unit test keeps the two equal)."""

    PENDING_PAYMENT = described_value(rules.PENDING_PAYMENT, "Placed, its stock held; cancelled if unpaid by `payBy`.")
    PAID = described_value(rules.PAID, "Paid; nothing shipped yet. The buyer may still refund it alone.")
    PARTLY_SHIPPED = described_value(rules.PARTLY_SHIPPED, "Some packages have left; units are still to ship.")
    SHIPPED = described_value(rules.SHIPPED, "Every unit has shipped; the buyer confirms receipt.")
    COMPLETED = described_value(rules.COMPLETED, "Received. Money comes back only through after-sales.")
    CANCELLED = described_value(rules.CANCELLED, "Final: unpaid and cancelled; its stock and coupon were returned.")
    REFUNDING = described_value(rules.REFUNDING, "Its money is on its way back to the buyer.")
    REFUNDED = described_value(rules.REFUNDED, "Final: its money is back with the buyer.")


@strawberry.enum(description="How to pay.")
class PaymentMethod(Enum):
    WECHAT_PAY = described_value(
        "WECHAT_PAY",
        "WeChat Pay (JSAPI): the payload carries the wx.requestPayment parameters.",
    )
    DEV_PAY = described_value("DEV_PAY", "Dev mode only: paid at once, no money moves.")


@strawberry.type(description="One SKU of an order, at the price it was bought at.")
class OrderLine:
    quantity: int = strawberry.field(description="Units, 1 to 999.")
    unit_price: Money = strawberry.field(
        description="What one unit cost after member and activity prices (before discounts)."
    )
    doc: strawberry.Private[Doc]

    @strawberry.field(description="The SKU as it is now (its price may have changed since).")
    async def sku(self, info: Info) -> Sku:
        return Sku.from_doc(must(await info.context.loaders.sku.load(self.doc["skuId"]), "SKU"))

    @strawberry.field(description="The product as it is now.")
    async def product(self, info: Info) -> Product:
        return Product.from_doc(must(await info.context.loaders.product.load(self.doc["productId"]), "product"))


@strawberry.type(description="One shop's order by one buyer; only they and the shop's staff may see it.")
class Order(Node):
    id: strawberry.ID
    number: str = strawberry.field(description="Human-readable, unique.")
    subtotal: Money = strawberry.field(description="The lines' unit prices times their quantities.")
    discount: Money = strawberry.field(
        description="Shop campaigns, coupons and points together, taken off the subtotal."
    )
    shipping_fee: Money = strawberry.field(description="Included in total (0 for orders from before shipping fees).")
    total: Money = strawberry.field(description="What the buyer pays: subtotal - discount + shippingFee.")
    status: OrderStatus = strawberry.field(description="Where the order is now.")
    created_at: datetime = strawberry.field(description="When it was placed.")
    paid_at: datetime | None = strawberry.field(description="When it was paid; null while unpaid.")
    pay_by: datetime | None = strawberry.field(
        description="Unpaid orders are cancelled and their stock returned after this time."
    )
    doc: strawberry.Private[Doc]
    listed: strawberry.Private[bool] = False  # one of a list's orders: the recipient's phone shows masked only

    @classmethod
    def from_doc(cls, doc: Doc, listed: bool = False) -> Order:
        return cls(
            id=strawberry.ID(to_global_id("Order", doc["_id"])),
            number=doc["number"],
            subtotal=Money.fen(doc["subtotal"]),
            discount=Money.fen(doc["discount"]),
            shipping_fee=Money.fen(doc.get("shippingFee", 0)),
            total=Money.fen(doc["total"]),
            status=OrderStatus(doc["status"]),
            created_at=when(doc["createdAt"]) or datetime.now(UTC),
            paid_at=when(doc.get("paidAt")),
            pay_by=when(doc["payBy"]) if doc["status"] == rules.PENDING_PAYMENT else None,
            doc=doc,
            listed=listed,
        )

    @strawberry.field(
        description="Where it ships, as at checkout: for its buyer and the shop's staff only (null for anyone else,"
        " and for orders without one)."
    )
    async def shipping_address(self, info: Info) -> OrderAddress | None:
        snapshot = self.doc.get("shippingAddress")
        if not snapshot or not await info.context.seer.order(self.doc):
            return None
        return OrderAddress.of(snapshot, self.listed)

    @strawberry.field(
        description="How its total was made, step by step (SKU prices plus these amounts); empty for orders from"
        " before the price pipeline."
    )
    def adjustments(self) -> list[PriceAdjustment]:
        return adjustments_of(self.doc.get("adjustments"))

    @strawberry.field(description="Points that paid part of it (0 when none).")
    def points_used(self) -> int:
        return int(self.doc.get("pointsUsed") or 0)

    @strawberry.field(description="What was bought, 1 to 50 lines.")
    async def lines(self, info: Info) -> list[OrderLine]:
        lines = await intact(info.context.loaders, "order line", self.doc["lines"], f"order {self.doc['_id']}'s line")
        return [OrderLine(quantity=ln["quantity"], unit_price=Money.fen(ln["unitPrice"]), doc=ln) for ln in lines]

    @strawberry.field(
        description="The packages shipped so far, oldest first; only the buyer and the shop's staff see them "
        "(empty for anybody else)."
    )
    async def shipments(self, info: Info) -> list[Shipment]:
        if not await info.context.seer.order(self.doc):
            return []
        return [Shipment.of(self.doc, i) for i in range(len(self.doc.get("shipments", [])))]

    @strawberry.field(description="Who placed it.")
    async def buyer(self, info: Info) -> User:
        return User.from_doc(must(await info.context.loaders.user.load(self.doc["buyerId"]), "buyer"))

    @strawberry.field(description="The shop that sells it.")
    async def shop(self, info: Info) -> Shop:
        return Shop.from_doc(must(await info.context.loaders.shop.load(self.doc["shopId"]), "shop"))

    @strawberry.field(description="The group-buy team it was placed in; null for other orders.")
    async def team(self, info: Info) -> Annotated[Team, strawberry.lazy("schema.teams")] | None:
        from schema.teams import Team

        team = await info.context.loaders.team.load(self.doc["teamId"]) if self.doc.get("teamId") else None
        team = await one(info.context.loaders, "team", team)
        return Team.from_doc(team) if team else None

    @strawberry.field(description="The bargain it buys; null for other orders.")
    async def bargain(self, info: Info) -> Annotated[Bargain, strawberry.lazy("schema.bargains")] | None:
        from schema.bargains import Bargain

        found = await info.context.loaders.bargain.load(self.doc["bargainId"]) if self.doc.get("bargainId") else None
        found = await one(info.context.loaders, "bargain", found)
        return Bargain.from_doc(found) if found else None

    @strawberry.field(description="Its after-sale requests, newest first.")
    async def after_sales(self, info: Info) -> list[Annotated[AfterSale, strawberry.lazy("schema.after_sales")]]:
        from domain.after_sales import VISIBLE
        from schema.after_sales import AfterSale

        docs = await info.context.loaders.after_sales_by_order.load(self.doc["_id"])
        return [AfterSale.from_doc(d) for d in docs if d["status"] in VISIBLE]


async def order_visible(info: Info, doc: Doc) -> bool:
    return await info.context.seer.order(doc)


register_node("Order", "order", Order.from_doc, order_visible)


@strawberry.type
class OrderEdge:
    node: Order
    cursor: str


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo

    @classmethod
    async def of(cls, info: Info, page: Page, after: str | None) -> OrderConnection:
        kept = await intact_edges(info.context.loaders, "order", page)
        await prime(info.context.loaders, "order line", [line for doc, _ in kept for line in doc["lines"]])
        edges = [OrderEdge(node=Order.from_doc(d, listed=True), cursor=c) for d, c in kept]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.type(description="What the client needs to take the payment.")
class PaymentRequest:
    method: PaymentMethod = strawberry.field(description="The method asked for.")
    client_params: str = strawberry.field(
        description="For WECHAT_PAY: the parameters wx.requestPayment() takes, as a JSON object string."
    )


@strawberry.input(description="One line of a new order.")
class OrderLineInput:
    sku_id: strawberry.ID = strawberry.field(description="The SKU to buy; once per order.")
    quantity: int = strawberry.field(description="Units, 1 to 999.")


@strawberry.input
class PlaceOrderInput:
    lines: list[OrderLineInput] = strawberry.field(description="1 to 50 lines, all of one shop.")
    idempotency_key: str = strawberry.field(
        description="1 to 64 characters: a retry with the same key returns the first order."
    )
    coupon_id: strawberry.ID | None = strawberry.field(default=None, description="A coupon of the viewer's to use.")
    share_token: str | None = strawberry.field(
        default=None, description="The share token of the link that led to this purchase (attribution, commission)."
    )


@strawberry.input
class PayOrderInput:
    order_id: strawberry.ID = strawberry.field(description="The viewer's unpaid order.")
    method: PaymentMethod = strawberry.field(description="How to pay.")
    idempotency_key: str = strawberry.field(description="1 to 64 characters: a retry with the same key pays once.")


@strawberry.input
class OrderIdInput:
    order_id: strawberry.ID = strawberry.field(description="The order to move.")
    packages: list[PackageInput] | None = strawberry.field(
        default=None,
        description="shipOrder only (other mutations refuse it): the packages leaving now, each with its carrier, "
        "tracking number and units of the order's lines; the order stays PARTLY_SHIPPED until every unit has "
        "shipped. Without it, shipOrder ships every unit left in one package without carrier or tracking number, "
        "which cannot be reported to WeChat's shipping information.",
    )


@strawberry.input
class RefundOrderInput:
    order_id: strawberry.ID = strawberry.field(description="The viewer's paid order.")
    reason: str = strawberry.field(description="1 to 200 characters, shown to the shop.")
    idempotency_key: str = strawberry.field(description="1 to 64 characters: a retry with the same key refunds once.")


@strawberry.type
class OrderPayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, doc: Doc) -> OrderPayload:
        return cls(order=Order.from_doc(doc))


@strawberry.type
class PayOrderPayload:
    order: Order | None = None
    payment: PaymentRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _order_id(input: OrderIdInput | PayOrderInput | RefundOrderInput) -> str:
    return raw_id(input.order_id, "Order", "input", "orderId")


async def _move(
    info: Info, input: OrderIdInput, use_case: Callable[[Services, str, str], Awaitable[Doc]]
) -> OrderPayload:
    """A status change by the viewer (buyer or shop owner, as the use case requires)."""
    if input.packages is not None:
        raise Refused("INVALID_INPUT", "Only shipOrder takes packages", ["input", "packages"])
    return OrderPayload.of(await use_case(info.context.services, info.context.require_viewer(), _order_id(input)))


@strawberry.type
class OrderQueries:
    @strawberry.field(description="An order by id, for its buyer and the shop's staff; null for anyone else.")
    async def order(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The order's global id.")]
    ) -> Order | None:
        found: Order | None = await load_typed(info, id, "Order", "id")
        return found

    @strawberry.field(description="The viewer's orders, newest first; empty when signed out.")
    async def my_orders(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: Annotated[OrderStatus | None, strawberry.argument(description="Only orders in this status.")] = None,
    ) -> OrderConnection:
        size = page_size(first)
        viewer = info.context.viewer_id
        if viewer is None:
            return OrderConnection(edges=[], page_info=PageInfo.of(Page(), after))
        page = await orders_uc.my_orders(info.context.services, viewer, size, after, status.value if status else None)
        return await OrderConnection.of(info, page, after)


@strawberry.type
class OrderMutations:
    @payload_mutation(
        OrderPayload,
        description="Reserves stock line by line, all or nothing; replaying an idempotencyKey returns the first order.",
    )
    async def place_order(self, info: Info, input: PlaceOrderInput) -> OrderPayload:
        lines = [
            (raw_id(line.sku_id, "Sku", "input", "lines", str(i), "skuId"), line.quantity)
            for i, line in enumerate(input.lines)
        ]
        coupon = raw_id(input.coupon_id, "Coupon", "input", "couponId") if input.coupon_id else None
        order = await orders_uc.place_order(
            info.context.services,
            info.context.require_viewer(),
            lines,
            input.idempotency_key,
            coupon,
            input.share_token,
        )
        return OrderPayload.of(order)

    @payload_mutation(PayOrderPayload, description="DEV_PAY (dev mode) pays at once; WECHAT_PAY returns clientParams.")
    async def pay_order(self, info: Info, input: PayOrderInput) -> PayOrderPayload:
        result = await payments_uc.pay_order(
            info.context.services,
            info.context.require_viewer(),
            _order_id(input),
            input.method.value,
            input.idempotency_key,
        )
        return PayOrderPayload(
            order=Order.from_doc(result.order),
            payment=PaymentRequest(method=PaymentMethod(result.method), client_params=result.client_params),
        )

    @payload_mutation(OrderPayload, description="The buyer, while unpaid: stock and coupon are returned.")
    async def cancel_order(self, info: Info, input: OrderIdInput) -> OrderPayload:
        return await _move(info, input, orders_uc.cancel_order)

    @payload_mutation(
        OrderPayload,
        staff=Staff(ORDER, WAREHOUSE),
        description="The shop's WAREHOUSE or ADMIN staff, once paid: one or more packages (see `packages`); each is "
        "reported to WeChat's shipping information for WeChat Pay orders (Shipment.wechatReport).",
    )
    async def ship_order(self, info: Info, input: OrderIdInput) -> OrderPayload:
        order = await shipments_uc.ship_order(
            info.context.services, info.context.require_viewer(), _order_id(input), packages_of(input.packages)
        )
        return OrderPayload.of(order)

    @payload_mutation(
        OrderPayload,
        description="The buyer, once every package has shipped: COMPLETED, and points are earned. Shipped orders "
        "complete by themselves AUTO_CONFIRM_DAYS after their last package.",
    )
    async def confirm_receipt(self, info: Info, input: OrderIdInput) -> OrderPayload:
        return await _move(info, input, orders_uc.confirm_receipt)

    @payload_mutation(OrderPayload, description="The buyer, before completion; stock returns when not shipped.")
    async def refund_order(self, info: Info, input: RefundOrderInput) -> OrderPayload:
        order = await payments_uc.refund_order(
            info.context.services, info.context.require_viewer(), _order_id(input), input.reason, input.idempotency_key
        )
        return OrderPayload.of(order)


@strawberry.type
class OrderSubscriptions:
    @strawberry.subscription(description="The order now, then each change of its status, until a final one.")
    async def order_status(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, strawberry.argument(description="An order the viewer may see.")],
    ) -> AsyncGenerator[Order, None]:
        raw = raw_id(order_id, "Order", "orderId")
        services = info.context.services
        if await orders_uc.visible_order(services, raw, info.context.viewer_id) is None:
            raise ApiError("NOT_FOUND", "No such order of yours")
        async with services.backends.bus.subscribe(f"order:{raw}") as events:
            last = None
            async for _ in now_then(events):
                doc = await services.store.get("orders", raw)
                if doc is None or doc["status"] == last:
                    continue
                last = doc["status"]
                info.context.renew_loaders()
                yield Order.from_doc(doc)
                if last in FINAL:
                    return


async def now_then(events: AsyncIterable[object]) -> AsyncGenerator[object, None]:
    """One tick at once (the current state, read after subscribing so no change falls between), then one per event."""
    yield None
    async for event in events:
        yield event

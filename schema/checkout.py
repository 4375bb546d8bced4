"""Checkout: `checkoutPreview`, `checkout` (one order per shop), `payCheckout` (all its orders at once)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain import checkout as rules
from domain.ids import to_global_id
from resolvers import checkout as checkout_uc
from resolvers import checkout_payments as pay_uc
from resolvers import checkout_quote as quote_uc
from resolvers.intact import intact, one
from schema.addresses import OrderAddress
from schema.cart import line_ids
from schema.catalog import Product, Shop, Sku
from schema.common import Money, Node, UserError, described_value, must
from schema.context import Info
from schema.coupons import Coupon
from schema.mutations import payload_mutation
from schema.nodes import raw_id, register_node
from schema.orders import Order, PaymentMethod, PaymentRequest, when
from schema.pricing import PriceAdjustment, adjustments_of
from store.protocol import Doc


@strawberry.enum(description="From its orders: PENDING_PAYMENT while one waits; PAID once one was; else CANCELLED.")
class CheckoutStatus(Enum):
    PENDING_PAYMENT = described_value(rules.PENDING_PAYMENT, "One of its orders waits for payment.")
    PAID = described_value(rules.PAID, "Its orders were paid (whatever happened to them since).")
    CANCELLED = described_value(rules.CANCELLED, "None is left to pay and none was paid.")


@strawberry.type(description="One cart line as checkout prices it.")
class CheckoutLine:
    cart_line_id: strawberry.ID = strawberry.field(description="The cart line it comes from.")
    quantity: int = strawberry.field(description="Units, 1 to 999.")
    unit_price: Money = strawberry.field(description="The price it is bought at.")
    price_when_added: Money = strawberry.field(description="The price when it was added to the cart.")
    doc: strawberry.Private[Doc]

    @strawberry.field(description="The SKU; null when it is gone.")
    async def sku(self, info: Info) -> Sku | None:
        sku = await info.context.loaders.sku.load(self.doc["skuId"])
        return Sku.from_doc(sku) if sku else None

    @strawberry.field(description="The SKU's product; null when it is gone.")
    async def product(self, info: Info) -> Product | None:
        product = await info.context.loaders.product.load(self.doc["productId"])
        return Product.from_doc(product) if product else None


@strawberry.type(description="One shipping template's part of a shop's shipping fee, and the lines it prices.")
class ShippingCharge:
    template_name: str | None = strawberry.field(description="Null: products without a template, which ship free.")
    fee: Money = strawberry.field(description="What these lines pay for shipping.")
    free_shipping: bool = strawberry.field(description="Its lines reached the template's free-shipping threshold.")
    cart_line_ids: list[strawberry.ID] = strawberry.field(description="The cart lines it prices.")


@strawberry.type(description="One shop's lines, priced: total = subtotal - discount + shippingFee.")
class CheckoutShop:
    lines: list[CheckoutLine] = strawberry.field(description="The lines of this shop.")
    subtotal: Money = strawberry.field(description="Each line's unit price times its quantity, added up.")
    discount: Money = strawberry.field(
        description="Full-reduction and full-discount campaigns, coupons and points (the order always costs at"
        " least 1 fen); each step is in `adjustments`."
    )
    shipping_fee: Money = strawberry.field(description="The shipping charges added up.")
    shipping: list[ShippingCharge] = strawberry.field(description="The shipping fee, per shipping template.")
    total: Money = strawberry.field(description="subtotal - discount + shippingFee.")
    adjustments: list[PriceAdjustment] = strawberry.field(description="This shop order's price, step by step.")
    points_used: int = strawberry.field(description="Points this shop order would use (a preview's `points`).")
    doc: strawberry.Private[Doc]
    order_id: strawberry.Private[str | None] = None

    @classmethod
    def of(cls, doc: Doc, order_id: str | None = None) -> CheckoutShop:
        lines = [
            CheckoutLine(
                cart_line_id=strawberry.ID(to_global_id("CartLine", x["lineId"])),
                quantity=x["quantity"],
                unit_price=Money.fen(x["unitPrice"]),
                price_when_added=Money.fen(x["priceAtAdd"]),
                doc=x,
            )
            for x in doc["lines"]
        ]
        charges = [
            ShippingCharge(
                template_name=c["templateName"],
                fee=Money.fen(c["fee"]),
                free_shipping=c["freeShipping"],
                cart_line_ids=[lines[i].cart_line_id for i in c["lineIndexes"]],
            )
            for c in doc["shipping"]
        ]
        return cls(
            lines=lines,
            subtotal=Money.fen(doc["subtotal"]),
            discount=Money.fen(doc["discount"]),
            shipping_fee=Money.fen(doc["shippingFee"]),
            shipping=charges,
            total=Money.fen(doc["total"]),
            adjustments=adjustments_of(doc.get("adjustments")),
            points_used=int(doc.get("pointsUsed") or 0),
            doc=doc,
            order_id=order_id,
        )

    @strawberry.field(description="The shop these lines are bought from.")
    async def shop(self, info: Info) -> Shop:
        return Shop.from_doc(must(await info.context.loaders.shop.load(self.doc["shopId"]), "shop"))

    @strawberry.field(description="The coupon that makes the discount, if any.")
    async def coupon(self, info: Info) -> Coupon | None:
        coupon = await info.context.loaders.coupon.load(self.doc["couponId"]) if self.doc.get("couponId") else None
        return Coupon.from_doc(coupon) if coupon else None

    @strawberry.field(description="The order made of these lines (null in a preview).")
    async def order(self, info: Info) -> Order | None:
        order = await info.context.loaders.order.load(self.order_id) if self.order_id else None
        order = await one(info.context.loaders, "order", order)
        return Order.from_doc(order) if order else None


@strawberry.type(description="One purchase of cart lines from one or more shops, paid together; the viewer's only.")
class Checkout(Node):
    id: strawberry.ID
    number: str = strawberry.field(description="Unique; the combined payment's number with WeChat Pay.")
    created_at: datetime = strawberry.field(description="When it was placed.")
    pay_by: datetime | None = strawberry.field(description="The earliest payBy of its orders.")
    subtotal: Money = strawberry.field(description="Its orders' subtotals added up.")
    discount: Money = strawberry.field(description="Its orders' discounts added up.")
    shipping_fee: Money = strawberry.field(description="Its orders' shipping fees added up.")
    total: Money = strawberry.field(description="What payCheckout charges while every order waits for payment.")
    shipping_address: OrderAddress = strawberry.field(description="Where every order of it ships.")
    doc: strawberry.Private[Doc]
    # the orders as the checkout just wrote them, with the shop and buyer it read: shown without reading them again
    written: strawberry.Private[list[Doc] | None] = None

    @classmethod
    def from_doc(cls, doc: Doc, written: list[Doc] | None = None) -> Checkout:
        return cls(
            id=strawberry.ID(to_global_id("Checkout", doc["_id"])),
            number=doc["number"],
            created_at=when(doc["createdAt"]) or datetime.min,
            pay_by=when(doc.get("payBy")),
            subtotal=Money.fen(doc["subtotal"]),
            discount=Money.fen(doc["discount"]),
            shipping_fee=Money.fen(doc["shippingFee"]),
            total=Money.fen(doc["total"]),
            shipping_address=OrderAddress.of(doc["shippingAddress"], False),
            doc=doc,
            written=written,
        )

    @strawberry.field(description="Each shop's lines and totals as they were priced, in the order of `orders`.")
    def shops(self) -> list[CheckoutShop]:
        return [CheckoutShop.of(s, o) for s, o in zip(self.doc["shops"], self.doc["orderIds"], strict=True)]

    async def _orders(self, info: Info) -> list[Doc]:
        if self.written is not None:
            return self.written
        found = [o for o in await info.context.loaders.order.load_many(self.doc["orderIds"]) if o is not None]
        return await intact(info.context.loaders, "order", found, f"checkout {self.doc['_id']}'s order")

    @strawberry.field(description="One order per shop.")
    async def orders(self, info: Info) -> list[Order]:
        return [Order.from_doc(o) for o in await self._orders(info)]

    @strawberry.field(description="Where it is, from its orders.")
    async def status(self, info: Info) -> CheckoutStatus:
        return CheckoutStatus(rules.status(await self._orders(info)))


async def checkout_visible(info: Info, doc: Doc) -> bool:
    return doc["buyerId"] == info.context.viewer_id and doc["status"] == rules.PLACED


register_node("Checkout", "checkout", Checkout.from_doc, checkout_visible)


@strawberry.type(description="What checkout would make of these lines now, reserving nothing.")
class CheckoutPreview:
    shops: list[CheckoutShop] = strawberry.field(description="One would-be order per shop.")
    subtotal: Money = strawberry.field(description="The shops' subtotals added up.")
    discount: Money = strawberry.field(description="The shops' discounts added up.")
    shipping_fee: Money = strawberry.field(description="The shops' shipping fees added up.")
    total: Money = strawberry.field(description="What checkout would charge: subtotal - discount + shippingFee.")
    shipping_address: OrderAddress = strawberry.field(description="The address given, as the orders would keep it.")
    adjustments: list[PriceAdjustment] = strawberry.field(
        description="Every shop order's steps, in the order of `shops`: SKU prices plus these amounts make `total`."
    )
    errors: list[UserError] = strawberry.field(
        description="What checkout would refuse, each on its input field; the totals leave those out (a coupon that"
        " does not apply, a line not delivered there or no longer sold) or count them at today's price."
    )

    @classmethod
    def of(cls, quote: quote_uc.Quote) -> CheckoutPreview:
        return cls(
            shops=[CheckoutShop.of(quote_uc.shop_doc(s)) for s in quote.shops],
            subtotal=Money.fen(quote.subtotal),
            discount=Money.fen(quote.discount),
            shipping_fee=Money.fen(quote.shipping_fee),
            total=Money.fen(quote.total),
            shipping_address=OrderAddress.of(quote.address, False),
            adjustments=adjustments_of(quote.adjustments),
            errors=[UserError.of(r) for r in quote.refusals],
        )


@strawberry.input(
    description=("What checkoutPreview prices: the lines, address, coupons and points checkout would take.")
)
class CheckoutPreviewInput:
    cart_line_ids: list[strawberry.ID] = strawberry.field(description="The viewer's cart lines to buy.")
    address_id: strawberry.ID = strawberry.field(description="One of the viewer's addresses to ship to.")
    coupon_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="At most one shop coupon per shop, and platform coupons (each goes to the first shop order it"
        " applies to that has none; the shop coupon applies first).",
    )
    accept_price_changes: bool = strawberry.field(
        default=False, description="Price lines whose price changed at today's price instead of reporting them."
    )
    points: int | None = strawberry.field(
        default=None,
        description="Points to pay with (priced here, spent by `checkout` with the same value): at most the viewer's"
        " balance and POINTS_MAX_SHARE of what the orders cost before points, POINTS_PER_YUAN points a yuan.",
    )


@strawberry.input
class CheckoutInput:
    cart_line_ids: list[strawberry.ID] = strawberry.field(description="The viewer's cart lines to buy.")
    address_id: strawberry.ID = strawberry.field(description="One of the viewer's addresses to ship to.")
    idempotency_key: str = strawberry.field(
        description="1 to 64 characters: a retry with the same key returns the first checkout."
    )
    coupon_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="At most one per shop.")
    share_token: str | None = strawberry.field(
        default=None, description="The share token of the link that led to this purchase (attribution, commission)."
    )
    accept_price_changes: bool = strawberry.field(
        default=False, description="Buy at today's prices lines whose price changed since they were added."
    )
    points: int | None = strawberry.field(
        default=None,
        description="Points to pay with (POINTS_PER_YUAN a yuan, at most POINTS_MAX_SHARE of each order), spread "
        "over the shop orders as checkoutPreview shows; INSUFFICIENT_POINTS past the balance.",
    )


@strawberry.input
class PayCheckoutInput:
    checkout_id: strawberry.ID = strawberry.field(
        description="The viewer's checkout, while every order waits for payment."
    )
    method: PaymentMethod = strawberry.field(description="How to pay.")
    idempotency_key: str = strawberry.field(description="1 to 64 characters: a retry with the same key pays once.")


@strawberry.type
class CheckoutPayload:
    checkout: Checkout | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PayCheckoutPayload:
    checkout: Checkout | None = None
    payment: PaymentRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _coupon_ids(ids: list[strawberry.ID]) -> list[str]:
    return [raw_id(c, "Coupon", "input", "couponIds", str(i)) for i, c in enumerate(ids)]


@strawberry.type
class CheckoutQueries:
    @strawberry.field(description="The totals checkout would charge for these cart lines, reserving nothing.")
    async def checkout_preview(self, info: Info, input: CheckoutPreviewInput) -> CheckoutPreview:
        quote = await quote_uc.quote(
            info.context.services,
            info.context.require_viewer(),
            line_ids(input.cart_line_ids, "input", "cartLineIds"),
            raw_id(input.address_id, "Address", "input", "addressId"),
            _coupon_ids(input.coupon_ids),
            input.accept_price_changes,
            input.points,
        )
        return CheckoutPreview.of(quote)


@strawberry.type
class CheckoutMutations:
    @payload_mutation(
        CheckoutPayload,
        description="One order per shop of the cart lines, all or nothing; a replayed idempotencyKey returns the first"
        " checkout. Lines whose price changed since they were added are refused (PRICE_CHANGED) unless"
        " acceptPriceChanges; lines short of stock always are (OUT_OF_STOCK).",
    )
    async def checkout(self, info: Info, input: CheckoutInput) -> CheckoutPayload:
        placed = await checkout_uc.checkout(
            info.context.services,
            info.context.require_viewer(),
            line_ids(input.cart_line_ids, "input", "cartLineIds"),
            raw_id(input.address_id, "Address", "input", "addressId"),
            _coupon_ids(input.coupon_ids),
            input.share_token,
            input.idempotency_key,
            input.accept_price_changes,
            input.points,
        )
        return CheckoutPayload(checkout=Checkout.from_doc(placed.checkout, placed.orders))

    @payload_mutation(
        PayCheckoutPayload,
        description="Pays every order of the checkout still waiting: DEV_PAY (dev mode) at once; WECHAT_PAY as one"
        " combined payment (合单支付), whose wx.requestPayment() parameters are in payment.clientParams.",
    )
    async def pay_checkout(self, info: Info, input: PayCheckoutInput) -> PayCheckoutPayload:
        result = await pay_uc.pay_checkout(
            info.context.services,
            info.context.require_viewer(),
            raw_id(input.checkout_id, "Checkout", "input", "checkoutId"),
            input.method.value,
            input.idempotency_key,
        )
        return PayCheckoutPayload(
            checkout=Checkout.from_doc(result.checkout),
            payment=PaymentRequest(method=PaymentMethod(result.method), client_params=result.client_params),
        )

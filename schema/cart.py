"""The cart: `cart`, `addToCart`, `updateCartLine`, `removeCartLines`, `selectCartLines`."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import strawberry

from domain import cart as rules
from domain.ids import to_global_id
from resolvers import cart as cart_uc
from resolvers.services import Services
from schema.catalog import Product, Shop, Sku
from schema.common import Money, UserError, described_value, must
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.pricing import PriceAdjustment, adjustments_of
from store.protocol import Doc


@strawberry.enum(description="How a cart line stands now; the first that holds, in this order of the values below.")
class CartLineAvailability(Enum):
    OFF_SHELF = described_value(rules.OFF_SHELF, "The SKU or its product is gone.")
    OUT_OF_STOCK = described_value(rules.OUT_OF_STOCK, "Fewer units in stock than the line's quantity.")
    PRICE_CHANGED = described_value(rules.PRICE_CHANGED, "The price moved (up or down) since the line was added.")
    LOW_STOCK = described_value(rules.LOW_STOCK, f"Enough, but fewer than {rules.LOW_STOCK_UNITS} units left.")
    OK = described_value(rules.OK, "Buyable as it is.")


@strawberry.type(description="One SKU in the viewer's cart.")
class CartLine:
    id: strawberry.ID = strawberry.field(
        description="The line's id, for updateCartLine, removeCartLines, selectCartLines and checkout."
    )
    quantity: int = strawberry.field(description="Units, 1 to 999.")
    selected: bool = strawberry.field(description="Whether checkout and the selected totals count it.")
    added_at: datetime = strawberry.field(description="When it was first added.")
    price_when_added: Money = strawberry.field(description="The SKU's price when this line was added.")
    unit_price: Money | None = strawberry.field(description="The SKU's price now; null when it is gone.")
    stock: int = strawberry.field(description="Units of the SKU in stock now (0 when it is gone).")
    availability: CartLineAvailability = strawberry.field(
        description=(
            f"OFF_SHELF: the SKU or its product is gone. OUT_OF_STOCK: fewer units in stock than the quantity. "
            f"PRICE_CHANGED: the price is not the price when added. LOW_STOCK: enough, but fewer than "
            f"{rules.LOW_STOCK_UNITS} units left. OK otherwise."
        )
    )
    doc: strawberry.Private[Doc]
    sku_doc: strawberry.Private[Doc | None]
    product_doc: strawberry.Private[Doc | None]

    @strawberry.field(description="The SKU; null when it is gone.")
    def sku(self) -> Sku | None:
        return Sku.from_doc(self.sku_doc) if self.sku_doc else None

    @strawberry.field(description="The SKU's product; null when it is gone.")
    def product(self) -> Product | None:
        return Product.from_doc(self.product_doc) if self.product_doc else None


@strawberry.type(description="The cart lines of one shop.")
class CartShop:
    lines: list[CartLine] = strawberry.field(description="Most recently added first.")
    selected_total: Money = strawberry.field(
        description="Its selected lines that can be bought as they are, after the shop's campaigns running now"
        " (time-limited discounts, full reductions and discounts); coupons, points and shipping come at checkout."
    )
    adjustments: list[PriceAdjustment] = strawberry.field(description="How selectedTotal was made, step by step.")
    shop_id: strawberry.Private[str]

    @strawberry.field(description="The shop that sells these lines.")
    async def shop(self, info: Info) -> Shop:
        return Shop.from_doc(must(await info.context.loaders.shop.load(self.shop_id), "shop"))


@strawberry.type(description="The viewer's cart: up to 100 lines from any shops.")
class Cart:
    shops: list[CartShop] = strawberry.field(description="Lines grouped by shop, the most recently added first.")
    line_count: int = strawberry.field(description="How many lines, selected or not.")
    selected_subtotal: Money = strawberry.field(
        description="Today's price of the selected lines that can be bought as they are (OK, LOW_STOCK, PRICE_CHANGED)."
    )
    selected_total: Money = strawberry.field(description="The shops' selectedTotal added up.")

    @classmethod
    def of(cls, view: cart_uc.CartView) -> Cart:
        groups: dict[str, list[CartLine]] = {}
        subtotal = 0
        for doc in reversed(view.lines):
            sku = view.skus.get(doc["skuId"])
            product = view.products.get(doc["productId"]) if sku else None
            availability = view.availability(doc)
            groups.setdefault(doc["shopId"], []).append(
                CartLine(
                    id=strawberry.ID(to_global_id("CartLine", doc["id"])),
                    quantity=doc["quantity"],
                    selected=doc["selected"],
                    added_at=datetime.fromtimestamp(doc["addedAt"] / 1000, UTC),
                    price_when_added=Money.fen(doc["priceAtAdd"]),
                    unit_price=Money.fen(sku["price"]) if sku else None,
                    stock=sku["stock"] if sku else 0,
                    availability=CartLineAvailability(availability),
                    doc=doc,
                    sku_doc=sku,
                    product_doc=product,
                )
            )
        shops = []
        total = 0
        for shop_id, lines in groups.items():
            priced = view.priced(shop_id, [x.doc for x in lines])
            subtotal += priced.list_subtotal
            total += priced.total
            shops.append(
                CartShop(
                    lines=lines,
                    selected_total=Money.fen(priced.total),
                    adjustments=adjustments_of(priced.adjustment_docs()),
                    shop_id=shop_id,
                )
            )
        return cls(
            shops=shops,
            line_count=len(view.lines),
            selected_subtotal=Money.fen(subtotal),
            selected_total=Money.fen(total),
        )


async def cart_of(services: Services, lines: list[Doc]) -> Cart:
    return Cart.of(await cart_uc.view(services, lines))


@strawberry.input
class AddToCartInput:
    sku_id: strawberry.ID = strawberry.field(description="The SKU to add.")
    quantity: int = strawberry.field(description=f"Added to the SKU's line if there is one; 1 to {rules.MAX_QUANTITY}.")


@strawberry.input
class UpdateCartLineInput:
    line_id: strawberry.ID = strawberry.field(description="One of the viewer's cart lines.")
    quantity: int = strawberry.field(description=f"The new quantity, 1 to {rules.MAX_QUANTITY}.")


@strawberry.input
class RemoveCartLinesInput:
    line_ids: list[strawberry.ID] = strawberry.field(description="The viewer's cart lines to remove.")


@strawberry.input
class SelectCartLinesInput:
    line_ids: list[strawberry.ID] = strawberry.field(description="The viewer's cart lines.")
    selected: bool = strawberry.field(default=True, description="Select them (true) or unselect them (false).")


@strawberry.type
class CartPayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def line_ids(ids: list[strawberry.ID], *field: str) -> list[str]:
    return [raw_id(line_id, "CartLine", *field, str(i)) for i, line_id in enumerate(ids)]


@strawberry.type
class CartQueries:
    @strawberry.field(description="The viewer's cart; null when signed out.")
    async def cart(self, info: Info) -> Cart | None:
        viewer = info.context.viewer_id
        if viewer is None:
            return None
        services = info.context.services
        return await cart_of(services, await cart_uc.lines_of(services, viewer))


@strawberry.type
class CartMutations:
    @payload_mutation(
        CartPayload,
        description=f"Adds to the SKU's line, or a new line; at most {rules.MAX_LINES} lines of {rules.MAX_QUANTITY}.",
    )
    async def add_to_cart(self, info: Info, input: AddToCartInput) -> CartPayload:
        services = info.context.services
        sku_id = raw_id(input.sku_id, "Sku", "input", "skuId")
        lines = await cart_uc.add(services, info.context.require_viewer(), sku_id, input.quantity)
        return CartPayload(cart=await cart_of(services, lines))

    @payload_mutation(CartPayload, description="Sets a line's quantity.")
    async def update_cart_line(self, info: Info, input: UpdateCartLineInput) -> CartPayload:
        services = info.context.services
        line_id = raw_id(input.line_id, "CartLine", "input", "lineId")
        lines = await cart_uc.update(services, info.context.require_viewer(), line_id, input.quantity)
        return CartPayload(cart=await cart_of(services, lines))

    @payload_mutation(CartPayload, description="All the lines named, or none (NOT_FOUND names the one not there).")
    async def remove_cart_lines(self, info: Info, input: RemoveCartLinesInput) -> CartPayload:
        services = info.context.services
        ids = line_ids(input.line_ids, "input", "lineIds")
        lines = await cart_uc.remove(services, info.context.require_viewer(), ids)
        return CartPayload(cart=await cart_of(services, lines))

    @payload_mutation(CartPayload, description="Marks lines selected (or not) for checkout.")
    async def select_cart_lines(self, info: Info, input: SelectCartLinesInput) -> CartPayload:
        services = info.context.services
        ids = line_ids(input.line_ids, "input", "lineIds")
        lines = await cart_uc.select(services, info.context.require_viewer(), ids, input.selected)
        return CartPayload(cart=await cart_of(services, lines))

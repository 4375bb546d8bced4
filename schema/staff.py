"""Merchant mutations declare who may call them: `@payload_mutation(P, staff=Staff(ORDER, WAREHOUSE))` lets the
shop's owner, its ADMIN staff and WAREHOUSE staff of the shop that the input's order belongs to. The check runs in
schema/mutations.py before the resolver, the same way for every mutation (resolvers/staff.require)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from domain.after_sales import OPENING
from domain.orders import RESERVING
from resolvers.errors import Refused
from resolvers.services import Services
from schema.nodes import raw_id


@dataclass(frozen=True)
class ShopOf:
    """How to find, from a mutation's input, the shop it acts on (None: the thing named does not exist)."""

    find: Callable[[Services, Any], Awaitable[str | None]]
    field: tuple[str, ...]
    missing: str


@dataclass(frozen=True, init=False)
class Staff:
    of: ShopOf
    roles: tuple[str, ...]

    def __init__(self, of: ShopOf, *roles: str) -> None:
        object.__setattr__(self, "of", of)
        object.__setattr__(self, "roles", roles)

    async def shop_id(self, services: Services, input: Any) -> str:
        shop_id = await self.of.find(services, input)
        if shop_id is None:
            raise Refused("NOT_FOUND", self.of.missing, list(self.of.field))
        return shop_id


async def _input_shop(services: Services, input: Any) -> str | None:
    return raw_id(input.shop_id, "Shop", "input", "shopId")


async def _input_order(services: Services, input: Any) -> str | None:
    order = await services.store.get("orders", raw_id(input.order_id, "Order", "input", "orderId"))
    return order["shopId"] if order is not None and order["status"] != RESERVING else None


async def _input_sku(services: Services, input: Any) -> str | None:
    sku = await services.store.get("skus", raw_id(input.sku_id, "Sku", "input", "skuId"))
    return sku["shopId"] if sku is not None else None


SHOP = ShopOf(_input_shop, ("input", "shopId"), "No such shop")
ORDER = ShopOf(_input_order, ("input", "orderId"), "No such order")


async def _input_template(services: Services, input: Any) -> str | None:
    found = await services.store.get(
        "shipping_templates", raw_id(input.template_id, "ShippingTemplate", "input", "templateId")
    )
    return found["shopId"] if found is not None else None


async def _input_product(services: Services, input: Any) -> str | None:
    found = await services.store.get("products", raw_id(input.product_id, "Product", "input", "productId"))
    return found["shopId"] if found is not None else None


SHIPPING_TEMPLATE = ShopOf(_input_template, ("input", "templateId"), "No such shipping template")
PRODUCT = ShopOf(_input_product, ("input", "productId"), "No such product")


async def _input_after_sale(services: Services, input: Any) -> str | None:
    doc = await services.store.get("after_sales", raw_id(input.after_sale_id, "AfterSale", "input", "afterSaleId"))
    return doc["shopId"] if doc is not None and doc["status"] != OPENING else None


AFTER_SALE = ShopOf(_input_after_sale, ("input", "afterSaleId"), "No such after-sale")


SKU = ShopOf(_input_sku, ("input", "skuId"), "No such SKU")


async def _input_review(services: Services, input: Any) -> str | None:
    found = await services.store.get("reviews", raw_id(input.review_id, "Review", "input", "reviewId"))
    return found["shopId"] if found is not None else None


REVIEW = ShopOf(_input_review, ("input", "reviewId"), "No such review")


async def _input_coupon(services: Services, input: Any) -> str | None:
    found = await services.store.get("coupons", raw_id(input.coupon_id, "Coupon", "input", "couponId"))
    return found.get("shopId") if found is not None else None


COUPON = ShopOf(_input_coupon, ("input", "couponId"), "No such coupon")

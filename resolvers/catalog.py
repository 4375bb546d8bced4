"""Shops and products: creating them and listing products."""

from __future__ import annotations

from typing import Any, Literal

from resolvers.services import Services, now_ms
from store.ids import new_id
from store.protocol import Doc, Page

SORTS: dict[str, tuple[str, Literal[1, -1]]] = {
    "NEWEST": ("createdAt", -1),
    "PRICE_ASC": ("price", 1),
    "PRICE_DESC": ("price", -1),
    "BEST_SELLING": ("salesCount", -1),
}


async def create_shop(services: Services, owner_id: str, name: str, logo_url: str | None = None) -> Doc:
    shop = {"_id": new_id(), "name": name, "logoUrl": logo_url, "ownerId": owner_id, "createdAt": now_ms()}
    await services.store.insert("shops", shop)
    return shop


async def create_product(
    services: Services,
    shop_id: str,
    title: str,
    description: str,
    images: list[str],
    category: str | None,
    skus: list[dict[str, Any]],
    group_buy: dict[str, Any] | None = None,
    bargain: dict[str, Any] | None = None,
) -> Doc:
    product_id = new_id()
    sku_docs = [
        {"_id": new_id(), "productId": product_id, "specs": s["specs"], "price": s["price"], "stock": s["stock"]}
        for s in skus
    ]
    product = {
        "_id": product_id,
        "shopId": shop_id,
        "title": title,
        "description": description,
        "images": images,
        "category": category,
        "price": min(s["price"] for s in skus),
        "salesCount": 0,
        "createdAt": now_ms(),
        "groupBuy": group_buy,
        "bargain": bargain,
    }
    for sku in sku_docs:
        await services.store.insert("skus", sku)
    await services.store.insert("products", product)  # last: a product is never visible without its SKUs
    return product


async def product_page(
    services: Services,
    first: int,
    after: str | None,
    *,
    shop_id: str | None = None,
    category: str | None = None,
    sort: str = "NEWEST",
) -> Page:
    where: dict[str, Any] = {}
    if shop_id is not None:
        where["shopId"] = shop_id
    if category is not None:
        where["category"] = category
    field, direction = SORTS[sort]
    return await services.store.find("products", where, sort=field, direction=direction, limit=first, after=after)

"""Shops, products and SKUs: creating them, stock changes, listing and searching products."""

from __future__ import annotations

from typing import Any, Literal

from domain import catalog as rules
from domain import offers
from domain.search import MAX_QUERY, matches, query_terms, searchable_text, terms
from domain.text import clean
from resolvers import shipping
from resolvers.errors import Refused, bad_input, refuse_problems
from resolvers.services import Services, now_ms
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

SORTS: dict[str, tuple[str, Literal[1, -1]]] = {
    "NEWEST": ("createdAt", -1),
    "PRICE_ASC": ("price", 1),
    "PRICE_DESC": ("price", -1),
    "BEST_SELLING": ("salesCount", -1),
}
# With a query, RELEVANCE ranks matches by sales; without one it is NEWEST.
RELEVANCE_WITH_QUERY = "BEST_SELLING"
# A search page stops after this many postings even when it has found fewer than `first` matches.
SCAN_LIMIT = 2_000


async def create_shop(services: Services, owner_id: str, name: str, logo_url: str | None = None) -> Doc:
    refuse_problems(rules.shop_problems(name, logo_url))
    shop = {"_id": new_id(), "name": clean(name), "logoUrl": logo_url, "ownerId": owner_id, "createdAt": now_ms()}
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
    shipping_template_id: str | None = None,
) -> Doc:
    """`shipping_template_id` was checked to be the shop's (resolvers/shipping.py template_of_shop)."""
    refuse_problems(rules.product_problems(title, description, images, category, skus, group_buy, bargain))
    skus, group_buy, bargain = offers.with_sku_prices(skus, group_buy, bargain)
    product_id = new_id()
    sku_docs = [
        {
            "_id": f"{product_id}{i:03d}",  # the product's SKUs list in the order they were given
            "productId": product_id,
            "shopId": shop_id,
            "title": clean(title),  # the product's, kept here so an order line needs no product read
            "specs": [{"name": clean(s["name"]), "value": clean(s["value"])} for s in sku["specs"]],
            "price": sku["price"],
            "stock": sku["stock"],
            "supply": sku["stock"],  # what the merchant put in: stock + units out (server.py doctor checks it)
            "weightGrams": sku.get("weightGrams", 0),
            **{k: sku[k] for k in (offers.TIERS_FIELD, offers.FLOOR_FIELD) if k in sku},  # its own offer prices
        }
        for i, sku in enumerate(skus)
    ]
    product = {
        "_id": product_id,
        "shopId": shop_id,
        "title": clean(title),
        "description": clean(description, multiline=True),
        "images": images,
        "category": clean(category) if category else None,
        "price": min(s["price"] for s in skus),
        "salesCount": 0,
        "createdAt": now_ms(),
        "groupBuy": group_buy,
        "bargain": bargain,
        "shippingTemplateId": shipping_template_id,  # None: ships free
    }
    await services.store.insert_many("skus", sku_docs)
    await services.store.insert_many("product_terms", postings(product))
    await services.store.insert("products", product)  # last: a product is never visible without its SKUs
    return product


async def update_product(services: Services, product_id: str, changes: dict[str, Any]) -> Doc:
    """The fields given change (for now `shippingTemplateId`: one of the product's shop's templates, or None)."""
    product = await services.store.get("products", product_id)
    if product is None:
        raise Refused("NOT_FOUND", "No such product", ["input", "productId"])
    if "shippingTemplateId" in changes:
        await shipping.template_of_shop(
            services, changes["shippingTemplateId"], product["shopId"], "input", "shippingTemplateId"
        )
    if not changes:
        return product
    updated = await services.store.update_one("products", {"_id": product_id}, {"$set": changes})
    if updated is None:
        raise Refused("NOT_FOUND", "No such product", ["input", "productId"])
    return updated


def postings(product: Doc) -> list[Doc]:
    """The search index entries of a product: one per term, carrying what filters and sorts need."""
    keep = {k: product[k] for k in ("shopId", "category", "createdAt", "price", "salesCount")}
    return [
        {"_id": f"{term}|{product['_id']}", "term": term, "productId": product["_id"], **keep}
        for term in sorted(terms(searchable_text(product["title"], product["category"])))
    ]


async def sync_sales(services: Services, product: Doc) -> None:
    """Copy a product's salesCount to its postings (they sort search results by it)."""
    ids = [p["_id"] for p in postings(product)]
    await services.store.set_many("product_terms", {i: {"salesCount": product["salesCount"]} for i in ids})


async def adjust_stock(services: Services, user_id: str, sku_id: str, delta: int, key: str) -> Doc:
    """Add `delta` to a SKU's stock, once per idempotency key; stock never leaves 0..1,000,000. Who may is the
    mutation's `staff=` declaration; `user_id` is recorded with the change."""
    refuse_problems(rules.idempotency_key_problems(key))
    store = services.store
    sku = await store.get("skus", sku_id)
    if sku is None:
        raise Refused("NOT_FOUND", "No such SKU", ["input", "skuId"])
    refuse_problems(rules.delta_problems(delta))
    change_id = f"{sku_id}:{key}"
    change = {"_id": change_id, "skuId": sku_id, "delta": delta, "by": user_id, "at": now_ms()}
    try:
        await store.insert("stock_changes", change)
    except DuplicateKey:
        return await _sku(services, sku_id)  # a replay: the first call did the change
    guard = {"$gte": -delta} if delta < 0 else {"$lte": rules.STOCK_MAX - delta}
    # the supply moves with the stock; a SKU made before supplies has none until `server.py doctor --fix` records it
    kept = "supply" in sku
    where = {"_id": sku_id, "stock": guard, "supply": {"$ne": None} if kept else None}
    adjusted = {"$inc": {"stock": delta, "supply": delta} if kept else {"stock": delta}}
    updated = await store.update_one("skus", where, adjusted)
    if updated is None:
        await store.delete("stock_changes", change_id)
        current = await _sku(services, sku_id)
        refuse_problems(rules.stock_change_problems(current["stock"], delta))
        raise Refused("CONFLICT", "The stock changed meanwhile; try again", ["input", "delta"])
    return updated


async def _sku(services: Services, sku_id: str) -> Doc:
    sku = await services.store.get("skus", sku_id)
    if sku is None:
        raise LookupError(f"SKU {sku_id} vanished")
    return sku


async def product_page(
    services: Services,
    first: int,
    after: str | None,
    *,
    shop_id: str | None = None,
    category: str | None = None,
    sort: str = "NEWEST",
    query: str | None = None,
) -> Page:
    where: dict[str, Any] = {}
    if shop_id is not None:
        where["shopId"] = shop_id
    if category is not None:
        where["category"] = category
    if query is not None and query.strip():
        return await search_page(
            services, query, where, first, after, RELEVANCE_WITH_QUERY if sort == "RELEVANCE" else sort
        )
    field, direction = SORTS["NEWEST" if sort == "RELEVANCE" else sort]
    return await services.store.find("products", where, sort=field, direction=direction, limit=first, after=after)


async def search_page(
    services: Services, query: str, where: dict[str, Any], first: int, after: str | None, sort: str
) -> Page:
    """Products whose title or category contains every word of `query`, from the postings of its rarest term."""
    if len(query) > MAX_QUERY:
        raise bad_input(f"A search query has at most {MAX_QUERY} characters", "query")
    store = services.store
    wanted = query_terms(query)
    if not wanted:
        return Page()
    counts = [await store.count("product_terms", {"term": t, **where}) for t in wanted[:8]]
    rarest = wanted[counts.index(min(counts))]
    needs_check = len(wanted) > 1 or len(query.split()) > 1
    field, direction = SORTS[sort]
    found = Page()
    scanned = 0
    cursor = after
    while len(found.docs) < first and scanned < SCAN_LIMIT:
        batch = await store.find(
            "product_terms",
            {"term": rarest, **where},
            sort=field,
            direction=direction,
            limit=max(first * 2, 50),
            after=cursor,
        )
        products = await store.get_many("products", [p["productId"] for p in batch.docs])
        for posting, posting_cursor in zip(batch.docs, batch.cursors, strict=True):
            scanned += 1
            cursor = posting_cursor
            product = products.get(posting["productId"])
            if product is None or (
                needs_check and not matches(searchable_text(product["title"], product["category"]), query)
            ):
                continue
            found.docs.append(product)
            found.cursors.append(posting_cursor)
            if len(found.docs) == first:
                break
        exhausted = batch.next_cursor is None and cursor == (batch.cursors[-1] if batch.cursors else cursor)
        if exhausted:
            return found
    found.next_cursor = cursor
    return found

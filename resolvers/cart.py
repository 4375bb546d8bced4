"""The buyer's cart (domain/cart.py): one document per buyer in `carts`, changed by compare-and-set on its version
(like unpaid holds), read with its SKUs and products in one batch each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain import cart as rules
from domain import pricing
from resolvers import pricing as pricing_uc
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

COLLECTION = "carts"
CAS_ATTEMPTS = 50

Change = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@dataclass
class CartView:
    """The cart as shown: its lines, each with its SKU and product as they are now (None when gone), and the
    campaigns running now in their shops."""

    lines: list[Doc]
    skus: dict[str, Doc]
    products: dict[str, Doc]
    campaigns: dict[str, tuple[pricing.Campaign, ...]] = field(default_factory=dict)

    def availability(self, line: Doc) -> str:
        sku = self.skus.get(line["skuId"])
        return rules.availability(line, sku, self.products.get(line["productId"]) if sku else None)

    def buyable(self, line: Doc) -> bool:
        """Selected and buyable as it is (OK, LOW_STOCK, PRICE_CHANGED): what the cart's totals count."""
        return line["selected"] and self.availability(line) not in (rules.OFF_SHELF, rules.OUT_OF_STOCK)

    def priced(self, shop_id: str, lines: Sequence[Doc]) -> pricing.Priced:
        """A shop's selected buyable lines at today's prices through the price pipeline, with the shop's running
        campaigns (coupons, points and shipping come at checkout)."""
        chosen = [x for x in lines if self.buyable(x)]
        return pricing.price(
            pricing.PricingInput(
                tuple(
                    pricing_uc.line_in(self.skus[x["skuId"]], self.products.get(x["productId"]), x["quantity"])
                    for x in chosen
                ),
                campaigns=self.campaigns.get(shop_id, ()),
            )
        )


async def _doc(services: Services, user_id: str) -> Doc:
    doc = await services.store.get(COLLECTION, user_id)
    if doc is not None:
        return doc
    first = {"_id": user_id, "version": 0, "lines": []}
    try:
        await services.store.insert(COLLECTION, dict(first))
    except DuplicateKey:  # a concurrent first add made it
        return await services.store.get(COLLECTION, user_id) or first
    return first


async def lines_of(services: Services, user_id: str) -> list[Doc]:
    doc = await services.store.get(COLLECTION, user_id)
    return list(doc["lines"]) if doc else []


async def change(services: Services, user_id: str, fn: Change) -> list[Doc]:
    """Apply `fn` (the lines -> the new lines, or Refused) by compare-and-set, again from a fresh read when another
    change of this cart came first; the lines after."""
    doc = await _doc(services, user_id)
    for _ in range(CAS_ATTEMPTS):
        lines = fn([dict(x) for x in doc["lines"]])
        changed = await services.store.update_one(
            COLLECTION,
            {"_id": user_id, "version": doc["version"]},
            {"$set": {"lines": lines, "version": doc["version"] + 1, "updatedAt": services.now()}},
        )
        if changed is not None:
            return list(changed["lines"])
        doc = await _doc(services, user_id)
    raise Refused("CONFLICT", "Your cart changed too often at once; try again", None)


async def view(services: Services, lines: Sequence[Doc]) -> CartView:
    skus = await services.store.get_many("skus", list({x["skuId"] for x in lines}))
    products = await services.store.get_many("products", list({s["productId"] for s in skus.values()}))
    campaigns = await pricing_uc.running_campaigns(services, list({x["shopId"] for x in lines}))
    return CartView(list(lines), skus, products, campaigns)


async def add(services: Services, user_id: str, sku_id: str, quantity: int) -> list[Doc]:
    refuse_problems(rules.quantity_problems(quantity))
    sku = await services.store.get("skus", sku_id)
    if sku is None or await services.store.get("products", sku["productId"]) is None:
        raise Refused("NOT_FOUND", "No such SKU", ["input", "skuId"])
    line = rules.new_line(new_id(), sku, quantity, services.now())

    def added(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        merged, problem = rules.with_added(lines, line)
        refuse_problems([problem] if problem else [])
        wanted = next(x["quantity"] for x in merged if x["skuId"] == sku_id)
        if wanted > sku["stock"]:
            raise Refused("OUT_OF_STOCK", f"Only {sku['stock']} left", ["input", "quantity"])
        return merged

    return await change(services, user_id, added)


async def update(services: Services, user_id: str, line_id: str, quantity: int) -> list[Doc]:
    refuse_problems(rules.quantity_problems(quantity))
    line = rules.find(await lines_of(services, user_id), line_id)
    if line is None:
        raise Refused("NOT_FOUND", "No such line in your cart", ["input", "lineId"])
    sku = await services.store.get("skus", line["skuId"])
    if quantity > line["quantity"] and quantity > (sku["stock"] if sku else 0):  # lowering is always allowed
        raise Refused("OUT_OF_STOCK", f"Only {sku['stock'] if sku else 0} left", ["input", "quantity"])

    def updated(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if rules.find(lines, line_id) is None:  # removed meanwhile
            raise Refused("NOT_FOUND", "No such line in your cart", ["input", "lineId"])
        return [{**x, "quantity": quantity} if x["id"] == line_id else x for x in lines]

    return await change(services, user_id, updated)


def _require(lines: Sequence[Doc], line_ids: Sequence[str], field: str) -> None:
    for i, line_id in enumerate(line_ids):
        if rules.find(lines, line_id) is None:
            raise Refused("NOT_FOUND", "No such line in your cart", ["input", field, str(i)])


async def remove(services: Services, user_id: str, line_ids: Sequence[str]) -> list[Doc]:
    refuse_problems(rules.id_list_problems(line_ids, "lineIds"))

    def removed(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _require(lines, line_ids, "lineIds")
        return [x for x in lines if x["id"] not in set(line_ids)]

    return await change(services, user_id, removed)


async def select(services: Services, user_id: str, line_ids: Sequence[str], selected: bool) -> list[Doc]:
    refuse_problems(rules.id_list_problems(line_ids, "lineIds"))

    def chosen(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _require(lines, line_ids, "lineIds")
        return [{**x, "selected": selected} if x["id"] in set(line_ids) else x for x in lines]

    return await change(services, user_id, chosen)


async def on_paid(services: Services, order: Doc) -> None:
    """A paid order that a checkout made: the cart lines it came from lose what was bought (and go when empty)."""
    bought = {x["lineId"]: int(x["quantity"]) for x in order.get("cartLines") or []}
    if not bought:
        return
    doc = await services.store.get(COLLECTION, order["buyerId"])
    if doc is None or not any(x["id"] in bought for x in doc["lines"]):
        return
    await change(services, order["buyerId"], lambda lines: rules.after_purchase(lines, bought))

"""Shipping templates of a shop (the merchant's), and the fee of an order's lines to a district (checkout's).

The fee rule itself is domain/shipping.py. `fees` is what checkout calls: see its docstring for the contract.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain import shipping as rules
from domain.text import clean
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc

log = logging.getLogger(__name__)
TEMPLATES_PER_SHOP = 100
TEMPLATE_FIELD = ["input", "templateId"]


@dataclass(frozen=True)
class ShippingPart:
    """One template's share of the fee: the lines it prices and what they cost to ship (0 when free)."""

    template_id: str | None  # None: the lines of products without a template (always free)
    template_name: str | None
    line_indexes: tuple[int, ...]
    fee: int
    free_shipping: bool  # the lines reached the template's free-shipping threshold (or have no template)


@dataclass
class ShippingQuote:
    fee: int = 0
    parts: list[ShippingPart] = field(default_factory=list)
    undeliverable: list[int] = field(default_factory=list)  # indexes into `lines` of lines not shipped there

    @property
    def deliverable(self) -> bool:
        return not self.undeliverable


async def fees(
    services: Services,
    shop_id: str,
    lines: Sequence[tuple[str, int]],
    district_code: str,
    *,
    skus: Mapping[str, Doc] | None = None,
    products: Mapping[str, Doc] | None = None,
) -> ShippingQuote:
    """The shipping fee of one shop's order to `district_code` (an address snapshot's districtCode).

    `lines` are `(sku_id, quantity)` (SKU ids, not product ids: a BY_WEIGHT template needs each SKU's weight, and
    the free-shipping amount its price); `skus` and `products` may hand over documents the caller already read. Each
    template prices its own lines and the fees add up; lines of products without a template ship free. A line
    whose template does not deliver to that district is named in `undeliverable` (by its index; the fee then
    leaves it out); the caller refuses it (NOT_DELIVERABLE on that line). A SKU missing or of another shop is a
    programming error (ValueError): the caller checked its lines first."""
    store = services.store
    wanted = [s for s, _ in lines if skus is None or s not in skus]
    found = {**(skus or {}), **(await store.get_many("skus", wanted) if wanted else {})}
    for sku_id, _ in lines:
        if sku_id not in found or found[sku_id]["shopId"] != shop_id:
            raise ValueError(f"SKU {sku_id} is not one of shop {shop_id}'s")
    product_ids = list({found[s]["productId"] for s, _ in lines})
    unread = [p for p in product_ids if products is None or p not in products]
    products = {**(products or {}), **(await store.get_many("products", unread) if unread else {})}
    template_ids = list({p["shippingTemplateId"] for p in products.values() if p.get("shippingTemplateId")})
    templates = await store.get_many("shipping_templates", template_ids) if template_ids else {}
    priced = []
    for sku_id, quantity in lines:
        sku = found[sku_id]
        template_id = products[sku["productId"]].get("shippingTemplateId") if sku["productId"] in products else None
        if template_id is not None and template_id not in templates:
            log.warning("product %s names a missing shipping template %s: ships free", sku["productId"], template_id)
            template_id = None
        priced.append(rules.Line(template_id, quantity, sku.get("weightGrams", 0), sku["price"]))
    quote = ShippingQuote()
    for parcel in rules.parcels(priced):
        if parcel.template_id is None:
            quote.parts.append(ShippingPart(None, None, parcel.line_indexes, 0, True))
            continue
        doc = templates[parcel.template_id]
        template = rules.template_of(doc)
        fee = template.fee(district_code, parcel.pieces, parcel.grams, parcel.amount)
        if fee is None:
            quote.undeliverable += parcel.line_indexes
            continue
        free = template.is_free(parcel.pieces, parcel.amount)
        quote.parts.append(ShippingPart(doc["_id"], doc["name"], parcel.line_indexes, fee, free))
        quote.fee += fee
    quote.undeliverable.sort()
    return quote


# -- the merchant's templates ------------------------------------------------------------------------------------
def _stored(fields: Mapping[str, Any]) -> dict[str, Any]:
    free = fields.get("freeShipping")
    return {
        "name": clean(fields["name"]),
        "chargeBy": fields["chargeBy"],
        "defaultRate": dict(fields["defaultRate"]),
        "zones": [{"regionCodes": list(z["regionCodes"]), "rate": dict(z["rate"])} for z in fields["zones"]],
        "freeShipping": (
            {"minAmount": free.get("minAmount"), "minQuantity": free.get("minQuantity")}
            if free and (free.get("minAmount") is not None or free.get("minQuantity") is not None)
            else None
        ),
        "undeliverableRegionCodes": list(fields["undeliverableRegionCodes"]),
    }


async def create_template(services: Services, shop_id: str, fields: Mapping[str, Any]) -> Doc:
    """A new template of the shop (the caller's staff role was checked by the mutation's declaration)."""
    refuse_problems(rules.template_problems(fields))
    if await services.store.count("shipping_templates", {"shopId": shop_id}) >= TEMPLATES_PER_SHOP:
        raise Refused("INVALID_INPUT", f"A shop has at most {TEMPLATES_PER_SHOP} shipping templates", ["input"])
    now = services.now()
    doc = {"_id": new_id(), "shopId": shop_id, **_stored(fields), "createdAt": now, "updatedAt": now}
    await services.store.insert("shipping_templates", doc)
    return doc


async def template(services: Services, template_id: str) -> Doc:
    found = await services.store.get("shipping_templates", template_id)
    if found is None:
        raise Refused("NOT_FOUND", "No such shipping template", TEMPLATE_FIELD)
    return found


async def update_template(services: Services, template_id: str, changes: Mapping[str, Any]) -> Doc:
    """`changes` holds the fields given; the whole template is checked again as it would be after."""
    current = await template(services, template_id)
    merged = {**current, **changes}
    refuse_problems(rules.template_problems(merged))
    updated = await services.store.update_one(
        "shipping_templates",
        {"_id": template_id},
        {"$set": {**_stored(merged), "updatedAt": services.now()}},
    )
    if updated is None:
        raise Refused("NOT_FOUND", "No such shipping template", TEMPLATE_FIELD)
    return updated


async def delete_template(services: Services, template_id: str) -> None:
    """Refused while a product ships on it (its products would silently ship free otherwise)."""
    await template(services, template_id)
    if await services.store.count("products", {"shippingTemplateId": template_id}):
        raise Refused("CONFLICT", "Products ship on this template: point them at another first", TEMPLATE_FIELD)
    await services.store.delete("shipping_templates", template_id)


async def shop_templates(services: Services, shop_id: str) -> list[Doc]:
    page = await services.store.find(
        "shipping_templates", {"shopId": shop_id}, sort="createdAt", limit=TEMPLATES_PER_SHOP
    )
    return page.docs


async def template_of_shop(services: Services, template_id: str | None, shop_id: str, *field: str) -> str | None:
    """A template id a product may point at: one of its own shop's (NOT_FOUND otherwise); None clears it."""
    if template_id is None:
        return None
    found = await services.store.get("shipping_templates", template_id)
    if found is None or found["shopId"] != shop_id:
        raise Refused("NOT_FOUND", "No such shipping template in this shop", list(field))
    return template_id

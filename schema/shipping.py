"""Shipping templates (运费模板) of a shop: the fee rule a product points at (domain/shipping.py)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from domain import regions
from domain import shipping as rules
from domain.ids import to_global_id
from domain.staff import ADMIN
from resolvers import shipping as shipping_uc
from schema.common import Long, Money, Node, UserError, described_value
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id, register_node
from schema.orders import when
from schema.staff import SHIPPING_TEMPLATE, SHOP, Staff
from store.protocol import Doc


@strawberry.enum(description="What a shipping template charges by.")
class ShippingChargeBy(Enum):
    BY_PIECE = described_value(rules.BY_PIECE, "Units bought.")
    BY_WEIGHT = described_value(rules.BY_WEIGHT, "Grams (the SKUs' weightGrams times their quantities).")


@strawberry.type(description="A province or city (GB/T 2260 code and name).")
class Region:
    code: str = strawberry.field(description="GB/T 2260 code.")
    name: str = strawberry.field(description="Its name.")

    @classmethod
    def of(cls, code: str) -> Region:
        region = regions.REGIONS.get(code)
        if region is None:  # a code the table no longer has (a region merged away since the template was saved)
            return cls(code=code, name=code)
        return cls(code=code, name=regions.city_label(region) if regions.level(region) == 2 else region.name)


@strawberry.type(description="The first units cost firstFee, then each further additionalUnits started, additionalFee.")
class ShippingRate:
    first_units: int = strawberry.field(description="Pieces (BY_PIECE) or grams (BY_WEIGHT).")
    first_fee: Money = strawberry.field(description="The fee for the first units.")
    additional_units: int = strawberry.field(description="Each further step of this many units (pieces or grams).")
    additional_fee: Money = strawberry.field(description="The fee of each further step started.")

    @classmethod
    def of(cls, doc: Doc) -> ShippingRate:
        return cls(
            first_units=doc["firstUnits"],
            first_fee=Money.fen(doc["firstFee"]),
            additional_units=doc["additionalUnits"],
            additional_fee=Money.fen(doc["additionalFee"]),
        )


@strawberry.type(description="Provinces and cities with their own rate (a city's zone beats its province's).")
class ShippingZone:
    regions: list[Region] = strawberry.field(description="Its provinces and cities.")
    rate: ShippingRate = strawberry.field(description="Their rate.")


@strawberry.type(description="The lines on a template ship free from this amount or this many pieces, whichever first.")
class FreeShippingThreshold:
    min_amount: Money | None = strawberry.field(description="Their subtotal, before discounts.")
    min_quantity: int | None = strawberry.field(description="Their pieces; null when only the amount counts.")


@strawberry.type(description="How a shop charges shipping for the products on it (public: buyers see the fees).")
class ShippingTemplate(Node):
    id: strawberry.ID
    name: str = strawberry.field(description="Up to 30 characters.")
    charge_by: ShippingChargeBy = strawberry.field(description="Pieces or weight.")
    default_rate: ShippingRate = strawberry.field(description="Everywhere no zone names (and that is delivered to).")
    zones: list[ShippingZone] = strawberry.field(description="Up to 50 zones with their own rate.")
    free_shipping: FreeShippingThreshold | None = strawberry.field(description="When it ships free; null: never.")
    undeliverable_regions: list[Region] = strawberry.field(description="Not delivered to: checkout refuses the line.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> ShippingTemplate:
        free = doc.get("freeShipping")
        return cls(
            id=strawberry.ID(to_global_id("ShippingTemplate", doc["_id"])),
            name=doc["name"],
            charge_by=ShippingChargeBy(doc["chargeBy"]),
            default_rate=ShippingRate.of(doc["defaultRate"]),
            zones=[
                ShippingZone(regions=[Region.of(c) for c in z["regionCodes"]], rate=ShippingRate.of(z["rate"]))
                for z in doc["zones"]
            ],
            free_shipping=(
                FreeShippingThreshold(
                    min_amount=Money.fen(free["minAmount"]) if free.get("minAmount") is not None else None,
                    min_quantity=free.get("minQuantity"),
                )
                if free
                else None
            ),
            undeliverable_regions=[Region.of(c) for c in doc["undeliverableRegionCodes"]],
            updated_at=when(doc["updatedAt"]) or datetime.min,
            doc=doc,
        )


register_node("ShippingTemplate", "shipping_template", ShippingTemplate.from_doc)  # a shop's fees are public


@strawberry.input(description="A rate: firstFee for the first units, then additionalFee per additionalUnits started.")
class ShippingRateInput:
    first_units: int = strawberry.field(
        description=("Pieces (BY_PIECE) or grams (BY_WEIGHT), 1 to 999 pieces or 1,000,000 grams.")
    )
    first_fee: Long = strawberry.field(description="Fen, 0 to 100,000.")
    additional_units: int = strawberry.field(
        description=("Pieces (BY_PIECE) or grams (BY_WEIGHT), 1 to 999 pieces or 1,000,000 grams.")
    )
    additional_fee: Long = strawberry.field(description="Fen, 0 to 100,000.")


@strawberry.input(description="Regions with their own rate.")
class ShippingZoneInput:
    region_codes: list[str] = strawberry.field(description="GB/T 2260 codes of provinces or cities.")
    rate: ShippingRateInput = strawberry.field(description="Their rate.")


@strawberry.input(
    description=("Free shipping from an amount or a number of pieces, whichever comes first (give one or both).")
)
class FreeShippingInput:
    min_amount: Long | None = strawberry.field(
        default=None, description=("Fen of the lines' subtotal, up to 100,000,000.")
    )
    min_quantity: int | None = strawberry.field(default=None, description="Pieces, up to 9,999.")


@strawberry.input
class CreateShippingTemplateInput:
    shop_id: strawberry.ID
    name: str = strawberry.field(description="1 to 30 characters.")
    charge_by: ShippingChargeBy = strawberry.field(description="Pieces or weight.")
    default_rate: ShippingRateInput = strawberry.field(description="Everywhere no zone names.")
    zones: list[ShippingZoneInput] = strawberry.field(
        default_factory=list, description=("Up to 50; a region in one zone only.")
    )
    free_shipping: FreeShippingInput | None = strawberry.field(
        default=None, description=("When it ships free; never when not given.")
    )
    undeliverable_region_codes: list[str] = strawberry.field(
        default_factory=list, description="GB/T 2260 codes of provinces or cities not delivered to."
    )


@strawberry.input(description="The fields given replace the template's; null freeShipping removes the threshold.")
class UpdateShippingTemplateInput:
    template_id: strawberry.ID = strawberry.field(description="The template to change.")
    name: str | None = strawberry.field(default=None, description="1 to 30 characters.")
    charge_by: ShippingChargeBy | None = strawberry.field(default=None, description="Pieces or weight.")
    default_rate: ShippingRateInput | None = strawberry.field(default=None, description="Everywhere no zone names.")
    zones: list[ShippingZoneInput] | None = strawberry.field(default=None, description="Up to 50; replaces them all.")
    free_shipping: FreeShippingInput | None = strawberry.field(
        default=strawberry.UNSET, description=("The threshold; null removes it.")
    )
    undeliverable_region_codes: list[str] | None = strawberry.field(default=None, description="Replaces them all.")


@strawberry.input
class ShippingTemplateIdInput:
    template_id: strawberry.ID = strawberry.field(description="The template.")


@strawberry.type
class ShippingTemplatePayload:
    shipping_template: ShippingTemplate | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteShippingTemplatePayload:
    deleted_template_id: strawberry.ID | None = strawberry.field(
        default=None, description=("The template deleted; null when refused.")
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _rate(rate: ShippingRateInput) -> dict[str, int]:
    return {
        "firstUnits": rate.first_units,
        "firstFee": rate.first_fee,
        "additionalUnits": rate.additional_units,
        "additionalFee": rate.additional_fee,
    }


def _zones(zones: list[ShippingZoneInput]) -> list[dict[str, Any]]:
    return [{"regionCodes": list(z.region_codes), "rate": _rate(z.rate)} for z in zones]


def _free(free: FreeShippingInput | None) -> dict[str, Any] | None:
    return {"minAmount": free.min_amount, "minQuantity": free.min_quantity} if free else None


def template_id(input: Any) -> str:
    return raw_id(input.template_id, "ShippingTemplate", "input", "templateId")


@strawberry.type
class ShippingMutations:
    @payload_mutation(ShippingTemplatePayload, staff=Staff(SHOP, ADMIN), description="The shop's owner or ADMIN.")
    async def create_shipping_template(self, info: Info, input: CreateShippingTemplateInput) -> ShippingTemplatePayload:
        fields = {
            "name": input.name,
            "chargeBy": input.charge_by.value,
            "defaultRate": _rate(input.default_rate),
            "zones": _zones(input.zones),
            "freeShipping": _free(input.free_shipping),
            "undeliverableRegionCodes": list(input.undeliverable_region_codes),
        }
        shop_id = raw_id(input.shop_id, "Shop", "input", "shopId")
        doc = await shipping_uc.create_template(info.context.services, shop_id, fields)
        return ShippingTemplatePayload(shipping_template=ShippingTemplate.from_doc(doc))

    @payload_mutation(
        ShippingTemplatePayload,
        staff=Staff(SHIPPING_TEMPLATE, ADMIN),
        description="The shop's owner or ADMIN; orders already placed keep their fee.",
    )
    async def update_shipping_template(self, info: Info, input: UpdateShippingTemplateInput) -> ShippingTemplatePayload:
        given = {
            "name": input.name,
            "chargeBy": input.charge_by.value if input.charge_by else None,
            "defaultRate": _rate(input.default_rate) if input.default_rate else None,
            "zones": _zones(input.zones) if input.zones is not None else None,
            "undeliverableRegionCodes": input.undeliverable_region_codes,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if input.free_shipping is not strawberry.UNSET:
            changes["freeShipping"] = _free(input.free_shipping)
        doc = await shipping_uc.update_template(info.context.services, template_id(input), changes)
        return ShippingTemplatePayload(shipping_template=ShippingTemplate.from_doc(doc))

    @payload_mutation(
        DeleteShippingTemplatePayload,
        staff=Staff(SHIPPING_TEMPLATE, ADMIN),
        description="The shop's owner or ADMIN; CONFLICT while a product ships on it.",
    )
    async def delete_shipping_template(
        self, info: Info, input: ShippingTemplateIdInput
    ) -> DeleteShippingTemplatePayload:
        await shipping_uc.delete_template(info.context.services, template_id(input))
        return DeleteShippingTemplatePayload(deleted_template_id=input.template_id)


async def shop_templates(info: Info, shop_id: str) -> list[ShippingTemplate]:
    return [ShippingTemplate.from_doc(d) for d in await shipping_uc.shop_templates(info.context.services, shop_id)]

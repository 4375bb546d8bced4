"""`PriceAdjustment`: one line of the explanation of a price (domain/pricing.py), as orders and checkout previews
show it."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.ids import to_global_id
from schema.common import Long


@strawberry.type(
    description="One step of the price: its kind (MEMBER_PRICE, SECKILL, GROUP_BUY, BARGAIN, TIME_DISCOUNT,"
    " FULL_REDUCTION, FULL_DISCOUNT, SHOP_COUPON, PLATFORM_COUPON, POINTS, SHIPPING), what it says, and the signed"
    " change it makes to the total in fen (discounts negative, shipping positive). The SKU prices plus every amount"
    " make the total."
)
class PriceAdjustment:
    kind: str = strawberry.field(
        description=(
            "MEMBER_PRICE, SECKILL, GROUP_BUY, BARGAIN, TIME_DISCOUNT, FULL_REDUCTION, FULL_DISCOUNT, SHOP_COUPON, "
            "PLATFORM_COUPON, POINTS or SHIPPING."
        )
    )
    label: str = strawberry.field(description="What it says to the buyer, e.g. the campaign's name.")
    amount: Long = strawberry.field(
        description=("Fen it changes the total by: negative for discounts, positive for shipping.")
    )
    campaign_id: strawberry.ID | None = strawberry.field(
        description="The campaign (or the coupon, for coupon kinds) that makes it."
    )

    @classmethod
    def of(cls, doc: dict[str, Any]) -> PriceAdjustment:
        ref = doc.get("campaignId")
        kind = str(doc["kind"])
        type_name = "Coupon" if kind.endswith("_COUPON") else "Campaign"
        return cls(
            kind=kind,
            label=str(doc["label"]),
            amount=Long(int(doc["amount"])),
            campaign_id=strawberry.ID(to_global_id(type_name, ref)) if ref else None,
        )


def adjustments_of(docs: list[dict[str, Any]] | None) -> list[PriceAdjustment]:
    return [PriceAdjustment.of(d) for d in docs or []]

"""Group-buy tier prices and bargain floors per SKU: which apply to a SKU (domain/catalog.py checks them). No I/O.

An offer's product-wide prices are checked against the product's lowest SKU price, so they apply only to the SKUs
at that price. A SKU that costs more carries its own: one group-buy price per tier (`groupBuyPrices`) and a bargain
floor (`bargainFloorPrice`), each below that SKU's price, as CRMEB and yudao-mall keep them per SKU. A merchant who
sets a 90.00 tier on a product whose SKUs cost 100.00 and 500.00 means 90.00 for the 100.00 one; selling the 500.00
one at 90.00 is never what they meant, and scaling it by a guess is no better, so its price must be given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TIERS_FIELD = "groupBuyPrices"
FLOOR_FIELD = "bargainFloorPrice"


def sku_tier_prices(product: Mapping[str, Any], sku: Mapping[str, Any]) -> list[int] | None:
    """The SKU's price at each tier of its product's group-buy offer; None when the offer does not apply to it: no
    offer, a SKU stored before per-SKU prices that costs more than the price the tiers were checked for, or a SKU
    whose price is no longer above its tier prices (checked here, on every path, whatever changed the price)."""
    offer = product.get("groupBuy")
    if not offer:
        return None
    own = sku.get(TIERS_FIELD)
    if own is not None:
        prices = [int(p) for p in own]
    elif sku["price"] == product["price"]:
        prices = [int(t["price"]) for t in offer["tiers"]]
    else:
        return None
    return prices if len(prices) == len(offer["tiers"]) and max(prices) < sku["price"] else None


def sku_floor(product: Mapping[str, Any], sku: Mapping[str, Any]) -> int | None:
    """The SKU's bargain floor; None when its product's bargain does not apply to it (as for sku_tier_prices; also
    when its price is too close to the floor for every helper to cut 1 fen)."""
    offer = product.get("bargain")
    if not offer:
        return None
    own = sku.get(FLOOR_FIELD)
    if own is not None:
        floor = int(own)
    elif sku["price"] == product["price"]:
        floor = int(offer["floorPrice"])
    else:
        return None
    return floor if sku["price"] - floor >= offer["helpersNeeded"] else None


def priced_tiers(tiers: Sequence[Mapping[str, Any]], prices: Sequence[int]) -> list[dict[str, int]]:
    """The team's tiers (sizes) with one SKU's prices."""
    return [{"size": int(t["size"]), "price": int(p)} for t, p in zip(tiers, prices, strict=True)]


def with_sku_prices(
    skus: Sequence[Mapping[str, Any]], group_buy: Mapping[str, Any] | None, bargain: Mapping[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, dict[str, Any] | None]:
    """For a valid product: every SKU with its own prices filled in (the product's where it took them), and the
    offers as the product shows them, each price the lowest over its SKUs (a "from" price)."""
    lowest = min(s["price"] for s in skus)
    product = {"price": lowest, "groupBuy": group_buy, "bargain": bargain}
    filled = []
    for sku in skus:
        doc = dict(sku)
        prices, floor = sku_tier_prices(product, sku), sku_floor(product, sku)
        doc.pop(TIERS_FIELD, None)
        doc.pop(FLOOR_FIELD, None)
        if prices is not None:
            doc[TIERS_FIELD] = prices
        if floor is not None:
            doc[FLOOR_FIELD] = floor
        filled.append(doc)
    if group_buy is not None:
        tiers = [{**t, "price": min(s[TIERS_FIELD][j] for s in filled)} for j, t in enumerate(group_buy["tiers"])]
        group_buy = {**group_buy, "tiers": tiers}
    if bargain is not None:
        bargain = {**bargain, "floorPrice": min(s[FLOOR_FIELD] for s in filled)}
    return filled, group_buy, bargain

"""Catalog rules: what a shop, a product with its SKUs and offers, a stock change and a coupon may be.

Each `*_problems` function returns every rule its input breaks, as `Problem(field, message)` with a dotted path
inside the mutation's input ("skus.2.price"), so a client can mark each wrong field at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.offers import FLOOR_FIELD, TIERS_FIELD
from domain.profile import Problem, is_http_url
from domain.text import clean, text_problems

SHOP_NAME_MAX = 30
TITLE_MAX = 60
DESCRIPTION_MAX = 5_000
IMAGES_MAX = 9
SKUS_MAX = 100
SPECS_MAX = 5
SPEC_TEXT_MAX = 20
CATEGORY_MAX = 20
PRICE_MIN, PRICE_MAX = 1, 10_000_000
STOCK_MAX = 1_000_000
WEIGHT_MAX = 1_000_000  # grams (a tonne): what a BY_WEIGHT shipping template charges by
TEAM_SIZE_MIN, TEAM_SIZE_MAX = 2, 100
TIERS_MAX = 5
DURATION_MIN, DURATION_MAX = 5, 7 * 24 * 60
HELPERS_MIN, HELPERS_MAX = 1, 100
KEY_MAX = 64
COUPON_TITLE_MAX = 40
COUPON_QUANTITY_MAX = 1_000_000


def shop_problems(name: str, logo_url: str | None) -> list[Problem]:
    problems = text_problems("name", name, "A shop name", SHOP_NAME_MAX)
    if logo_url is not None and not is_http_url(logo_url):
        problems.append(Problem("logoUrl", "The logo must be an http(s) URL"))
    return problems


def _sku_problems(i: int, sku: Mapping[str, Any]) -> list[Problem]:
    problems = []
    specs = sku["specs"]
    if len(specs) > SPECS_MAX:
        problems.append(Problem(f"skus.{i}.specs", f"A SKU has at most {SPECS_MAX} specs"))
    names = [clean(s["name"]) for s in specs]
    if len(set(names)) != len(names):
        problems.append(Problem(f"skus.{i}.specs", "Each spec name appears once per SKU"))
    for j, spec in enumerate(specs):
        for part in ("name", "value"):
            problems += text_problems(f"skus.{i}.specs.{j}.{part}", spec[part], f"A spec {part}", SPEC_TEXT_MAX)
    if not PRICE_MIN <= sku["price"] <= PRICE_MAX:
        problems.append(Problem(f"skus.{i}.price", f"A price is {PRICE_MIN} to {PRICE_MAX} fen"))
    if not 0 <= sku["stock"] <= STOCK_MAX:
        problems.append(Problem(f"skus.{i}.stock", f"Stock is 0 to {STOCK_MAX}"))
    if not 0 <= sku.get("weightGrams", 0) <= WEIGHT_MAX:
        problems.append(Problem(f"skus.{i}.weightGrams", f"A SKU weighs 0 to {WEIGHT_MAX} grams"))
    return problems


def group_buy_problems(offer: Mapping[str, Any], lowest_price: int) -> list[Problem]:
    problems = []
    tiers = offer["tiers"]
    if not 1 <= len(tiers) <= TIERS_MAX:
        problems.append(Problem("groupBuy.tiers", f"A group-buy offer has 1 to {TIERS_MAX} tiers"))
    for i, tier in enumerate(tiers):
        if not TEAM_SIZE_MIN <= tier["size"] <= TEAM_SIZE_MAX:
            problems.append(
                Problem(f"groupBuy.tiers.{i}.size", f"A team has {TEAM_SIZE_MIN} to {TEAM_SIZE_MAX} members")
            )
        if i and tier["size"] <= tiers[i - 1]["size"]:
            problems.append(Problem(f"groupBuy.tiers.{i}.size", "Tiers are in ascending order of size"))
        if not PRICE_MIN <= tier["price"] < lowest_price:
            problems.append(Problem(f"groupBuy.tiers.{i}.price", "A tier price is below every SKU's price"))
        if i and tier["price"] >= tiers[i - 1]["price"]:
            problems.append(Problem(f"groupBuy.tiers.{i}.price", "A larger team gets a lower price"))
    if not DURATION_MIN <= offer["durationMinutes"] <= DURATION_MAX:
        problems.append(
            Problem("groupBuy.durationMinutes", f"A team stays open {DURATION_MIN} to {DURATION_MAX} minutes")
        )
    return problems


def bargain_problems(offer: Mapping[str, Any], lowest_price: int) -> list[Problem]:
    problems = []
    helpers = offer["helpersNeeded"]
    if not HELPERS_MIN <= helpers <= HELPERS_MAX:
        problems.append(Problem("bargain.helpersNeeded", f"A bargain needs {HELPERS_MIN} to {HELPERS_MAX} helpers"))
    floor = offer["floorPrice"]
    if not PRICE_MIN <= floor < lowest_price:
        problems.append(Problem("bargain.floorPrice", "The floor price is at least 1 fen and below every SKU's price"))
    elif HELPERS_MIN <= helpers and lowest_price - floor < helpers:
        problems.append(Problem("bargain.floorPrice", "Each helper must be able to cut at least 1 fen"))
    if not DURATION_MIN <= offer["durationMinutes"] <= DURATION_MAX:
        problems.append(
            Problem("bargain.durationMinutes", f"A bargain stays open {DURATION_MIN} to {DURATION_MAX} minutes")
        )
    return problems


def tier_price_problems(
    i: int, sku: Mapping[str, Any], group_buy: Mapping[str, Any] | None, lowest_price: int
) -> list[Problem]:
    """What is wrong with SKU `i`'s group-buy prices (its own, or the product's it would take)."""
    field = f"skus.{i}.{TIERS_FIELD}"
    own = sku.get(TIERS_FIELD)
    if group_buy is None:
        return [Problem(field, "Group-buy prices need a group-buy offer")] if own is not None else []
    if own is None:
        if sku["price"] != lowest_price:
            return [Problem(field, "This SKU costs more than the lowest SKU: give its own price for each tier")]
        return []  # the product's tiers, already checked against this very price
    tiers = group_buy["tiers"]
    if len(own) != len(tiers):
        return [Problem(field, f"Give one price per tier ({len(tiers)})")]
    problems = []
    for j, price in enumerate(own):
        if not PRICE_MIN <= price < sku["price"]:
            problems.append(Problem(f"{field}.{j}", "A tier price is at least 1 fen and below this SKU's price"))
        elif j and price >= own[j - 1]:
            problems.append(Problem(f"{field}.{j}", "A larger team gets a lower price"))
    return problems


def floor_problems(
    i: int, sku: Mapping[str, Any], bargain: Mapping[str, Any] | None, lowest_price: int
) -> list[Problem]:
    """What is wrong with SKU `i`'s bargain floor (its own, or the product's it would take)."""
    field = f"skus.{i}.{FLOOR_FIELD}"
    own = sku.get(FLOOR_FIELD)
    if bargain is None:
        return [Problem(field, "A bargain floor needs a bargain offer")] if own is not None else []
    if own is None:
        if sku["price"] != lowest_price:
            return [Problem(field, "This SKU costs more than the lowest SKU: give its own bargain floor")]
        return []
    if not PRICE_MIN <= own < sku["price"]:
        return [Problem(field, "The floor price is at least 1 fen and below this SKU's price")]
    if bargain["helpersNeeded"] >= HELPERS_MIN and sku["price"] - own < bargain["helpersNeeded"]:
        return [Problem(field, "Each helper must be able to cut at least 1 fen")]
    return []


def product_problems(
    title: str,
    description: str,
    images: Sequence[str],
    category: str | None,
    skus: Sequence[Mapping[str, Any]],
    group_buy: Mapping[str, Any] | None,
    bargain: Mapping[str, Any] | None,
) -> list[Problem]:
    problems = []
    problems += text_problems("title", title, "A title", TITLE_MAX)
    problems += text_problems("description", description, "A description", DESCRIPTION_MAX, min_len=0, multiline=True)
    if len(images) > IMAGES_MAX:
        problems.append(Problem("images", f"A product has at most {IMAGES_MAX} images"))
    problems += [
        Problem(f"images.{i}", "An image must be an http(s) URL") for i, u in enumerate(images) if not is_http_url(u)
    ]
    if category is not None:
        problems += text_problems("category", category, "A category", CATEGORY_MAX)
    if not 1 <= len(skus) <= SKUS_MAX:
        problems.append(Problem("skus", f"A product has 1 to {SKUS_MAX} SKUs"))
    for i, sku in enumerate(skus):
        problems += _sku_problems(i, sku)
    spec_sets = [tuple(sorted((clean(s["name"]), clean(s["value"])) for s in sku["specs"])) for sku in skus]
    if len(set(spec_sets)) != len(spec_sets):
        problems.append(Problem("skus", "Two SKUs have the same specs"))
    prices = [s["price"] for s in skus if PRICE_MIN <= s["price"] <= PRICE_MAX]
    if prices and len(prices) == len(skus):
        if group_buy is not None:
            problems += group_buy_problems(group_buy, min(prices))
        if bargain is not None:
            problems += bargain_problems(bargain, min(prices))
        for i, sku in enumerate(skus):  # each SKU's own prices, or the product's where it may take them
            problems += tier_price_problems(i, sku, group_buy, min(prices))
            problems += floor_problems(i, sku, bargain, min(prices))
    return problems


def idempotency_key_problems(key: str, field: str = "idempotencyKey") -> list[Problem]:
    if not 1 <= len(key) <= KEY_MAX or any(c.isspace() for c in key):
        return [Problem(field, f"An idempotency key has 1 to {KEY_MAX} characters and no spaces")]
    return []


def delta_problems(delta: int) -> list[Problem]:
    if delta == 0 or abs(delta) > STOCK_MAX:
        return [Problem("delta", f"A stock change is a non-zero number within ±{STOCK_MAX}")]
    return []


def stock_change_problems(current: int, delta: int) -> list[Problem]:
    if not 0 <= current + delta <= STOCK_MAX:
        return [Problem("delta", f"Stock would be {current + delta}; it stays within 0 to {STOCK_MAX}")]
    return []


def coupon_problems(
    title: str, discount: int, min_spend: int, valid_until_ms: int, quantity: int, now_ms: int
) -> list[Problem]:
    problems = []
    problems += text_problems("title", title, "A coupon title", COUPON_TITLE_MAX)
    if not PRICE_MIN <= discount <= PRICE_MAX:
        problems.append(Problem("discount", f"A discount is {PRICE_MIN} to {PRICE_MAX} fen"))
    if not 0 <= min_spend <= PRICE_MAX * 10 or min_spend <= discount:
        problems.append(Problem("minSpend", "The minimum spend is more than the discount (an order never costs 0)"))
    if valid_until_ms <= now_ms:
        problems.append(Problem("validUntil", "A coupon is valid until a time in the future"))
    if not 1 <= quantity <= COUPON_QUANTITY_MAX:
        problems.append(Problem("quantity", f"A coupon has 1 to {COUPON_QUANTITY_MAX} copies"))
    return problems


def coupon_refusal(coupon: Mapping[str, Any], shop_id: str, now_ms: int) -> str | None:
    """Why this coupon cannot pay for an order at `shop_id` now (a platform coupon, shopId None, pays at any shop);
    None when it can. Its minimum spend is the price pipeline's (domain/pricing.py): what counts toward it depends
    on the steps before."""
    if coupon.get("shopId") is not None and coupon.get("shopId") != shop_id:
        return "This coupon belongs to another shop"
    if coupon["validUntil"] <= now_ms:
        return "This coupon has expired"
    return None

"""Per-SKU group-buy prices and bargain floors (domain/offers.py): which apply to a SKU, and the product's view."""

from __future__ import annotations

from domain.offers import priced_tiers, sku_floor, sku_tier_prices, with_sku_prices

TIERS = {"tiers": [{"size": 2, "price": 90}, {"size": 3, "price": 80}], "durationMinutes": 60}
FLOOR = {"floorPrice": 50, "helpersNeeded": 3, "durationMinutes": 60}


def test_a_sku_stored_without_its_own_prices_takes_the_products_only_at_the_lowest_price() -> None:
    product = {"price": 100, "groupBuy": TIERS, "bargain": FLOOR}
    assert sku_tier_prices(product, {"price": 100}) == [90, 80]
    assert sku_floor(product, {"price": 100}) == 50
    assert sku_tier_prices(product, {"price": 500}) is None
    assert sku_floor(product, {"price": 500}) is None


def test_a_skus_own_prices_win_and_no_offer_means_none() -> None:
    product = {"price": 100, "groupBuy": TIERS, "bargain": FLOOR}
    assert sku_tier_prices(product, {"price": 500, "groupBuyPrices": [450, 400]}) == [450, 400]
    assert sku_floor(product, {"price": 500, "bargainFloorPrice": 300}) == 300
    assert sku_tier_prices({"price": 100, "groupBuy": None}, {"price": 100, "groupBuyPrices": [90]}) is None


def test_every_sku_gets_its_prices_and_the_product_shows_the_lowest() -> None:
    skus = [{"price": 100, "groupBuyPrices": [95, 85]}, {"price": 500, "groupBuyPrices": [450, 400]}, {"price": 100}]
    filled, group_buy, bargain = with_sku_prices(skus, TIERS, None)
    assert [s["groupBuyPrices"] for s in filled] == [[95, 85], [450, 400], [90, 80]]
    assert group_buy is not None and [t["price"] for t in group_buy["tiers"]] == [90, 80]
    assert bargain is None and all("bargainFloorPrice" not in s for s in filled)


def test_priced_tiers_keep_the_sizes() -> None:
    assert priced_tiers(TIERS["tiers"], [450, 400]) == [{"size": 2, "price": 450}, {"size": 3, "price": 400}]


def test_a_sku_priced_at_or_below_its_own_tier_or_floor_is_out_of_the_offer() -> None:
    product = {"price": 100, "groupBuy": TIERS, "bargain": FLOOR}
    assert sku_tier_prices(product, {"price": 450, "groupBuyPrices": [450, 400]}) is None
    assert sku_floor(product, {"price": 300, "bargainFloorPrice": 300}) is None
    assert sku_floor(product, {"price": 302, "bargainFloorPrice": 300}) is None  # 3 helpers cannot each cut 1 fen
    assert sku_floor(product, {"price": 303, "bargainFloorPrice": 300}) == 300

"""The fields whose answer is the same for every viewer and depends only on the store (and time, bounded by
RESPONSE_CACHE_MAX_AGE): a query selecting only these is public, served over GET with `Cache-Control: public` and
kept in the response cache (response_cache.py). A field that is not listed is private, so a new field is private
until someone decides otherwise here.

Per type: a set of its public fields, or None when all of its fields are (value types with no viewer in them).
Left out on purpose: `Query.product` (a signed-in viewer's opening of a product page counts towards hotProducts,
which a cached answer would skip), `Shop.owner` (a user, shown as their privacy allows), `Product.openTeams`,
`friendsWhoBought` and `similar` (the viewer's friends, the graph), and every field of a signed-in viewer's own."""

from __future__ import annotations

from collections.abc import Mapping

PUBLIC: Mapping[str, frozenset[str] | None] = {
    "Query": frozenset(
        {"products", "shop", "carriers", "pageComponents", "pageLimits", "pageTemplates", "themePresets"}
    ),
    "Product": frozenset(
        {
            "id",
            "title",
            "description",
            "images",
            "category",
            "price",
            "salesCount",
            "groupBuy",
            "bargain",
            "shop",
            "skus",
        }
    ),
    "Shop": frozenset({"id", "name", "logoUrl", "products", "theme"}),
    "Sku": frozenset({"id", "specs", "price", "stock", "weightGrams", "product", "groupBuy", "bargain"}),
    "ProductConnection": None,
    "ProductEdge": None,
    "PageInfo": None,
    "Money": None,
    "SpecValue": None,
    "GroupBuyOffer": None,
    "GroupBuyTier": None,
    "BargainOffer": None,
    "ShopTheme": None,
    "Carrier": None,
    "ThemePreset": None,
    "PageComponent": None,
    "PageLimits": None,
    "PageTemplate": None,
}

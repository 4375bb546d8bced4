"""applyTemplate: a vertical's pages saved as drafts of the shop, filled with the shop's own products."""

from __future__ import annotations

from domain.ids import to_global_id
from domain.pages import themes
from domain.pages.templates import TEMPLATES, fill
from resolvers.errors import Refused
from resolvers.pages import revisions
from resolvers.pages.render import best_sellers
from resolvers.services import Services
from store.protocol import Doc

POOL = 100  # the shop's best sellers the placeholders are filled from


async def apply_template(
    services: Services, shop: Doc, key: str, author_id: str, *, with_theme: bool
) -> tuple[list[Doc], list[str], Doc]:
    """(the pages, notes on what fell back, the shop): each of the template's pages becomes a new draft (the earlier
    draft stays in its revisions; nothing is published). With `with_theme` the vertical's preset becomes the
    shop's theme."""
    template = TEMPLATES.get(key)
    if template is None:
        raise Refused("INVALID_INPUT", f"No template {key!r}; see pageTemplates", ["input", "template"])
    products = await best_sellers(services, shop["_id"], POOL)
    pools = {
        "products": [to_global_id("Product", p["_id"]) for p in products],
        "groupBuyProducts": [to_global_id("Product", p["_id"]) for p in products if p.get("groupBuy")],
        "bargainProducts": [to_global_id("Product", p["_id"]) for p in products if p.get("bargain")],
    }
    pages, notes = [], []
    for kind, document in template.pages.items():
        filled, fell_back = fill(document, pools)
        page, _ = await revisions.save_draft(services, shop, kind, None, filled, author_id)
        pages.append(page)
        notes += [f"{kind} {note}" for note in fell_back]
    if with_theme:  # last: a template whose pages could not be saved changes nothing
        theme = themes.PRESETS[template.theme]
        shop = await services.store.update_one("shops", {"_id": shop["_id"]}, {"$set": {"theme": theme}}) or shop
    return pages, notes, shop

"""A shop's theme: checked (colours, WCAG AA text contrast) and stored on the shop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.pages import themes as rules
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services


async def set_theme(services: Services, shop_id: str, tokens: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(the theme as stored, its warnings); INVALID_INPUT on ["input", "theme", <token>] for a token that is not
    what it should be or text that would not read."""
    theme = dict(tokens)
    refuse_problems(rules.theme_problems(theme, "theme"))
    updated = await services.store.update_one("shops", {"_id": shop_id}, {"$set": {"theme": theme}})
    if updated is None:
        raise Refused("NOT_FOUND", "No such shop", ["input", "shopId"])
    return theme, rules.theme_warnings(theme)

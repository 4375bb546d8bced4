"""Themes: a shop's tokens (`Shop.theme`), the presets of the verticals, and `setShopTheme`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry

from domain.pages import themes as rules
from domain.staff import ADMIN
from resolvers.errors import Refused
from resolvers.pages import themes as themes_uc
from schema.common import UserError
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.staff import SHOP, Staff


@strawberry.type(description="Colour roles, corner radius and font scale. Text reads on its background (WCAG AA).")
class ShopTheme:
    background: str = strawberry.field(description="A colour, #RRGGBB or #RGB: the pages' background.")
    text: str = strawberry.field(description="A colour, #RRGGBB or #RGB: body text, at least 4.5:1 on the background.")
    accent: str = strawberry.field(
        description="A colour, #RRGGBB or #RGB: prices and highlights (below 3:1 on the background: a warning)."
    )
    button: str = strawberry.field(description="A colour, #RRGGBB or #RGB: buttons.")
    button_text: str = strawberry.field(
        description="A colour, #RRGGBB or #RGB: a button's label, at least 4.5:1 on the button."
    )
    radius: int = strawberry.field(description="Corner radius in px, 0 to 32.")
    font_scale: float = strawberry.field(description="Text size factor, 0.8 to 1.5.")

    @classmethod
    def of(cls, theme: Mapping[str, Any]) -> ShopTheme:
        return cls(
            background=theme["background"],
            text=theme["text"],
            accent=theme["accent"],
            button=theme["button"],
            button_text=theme["buttonText"],
            radius=theme["radius"],
            font_scale=float(theme["fontScale"]),
        )


@strawberry.type(description="A vertical's ready-made theme.")
class ThemePreset:
    key: str = strawberry.field(description="Its name, for setShopTheme's `preset`.")
    theme: ShopTheme = strawberry.field(description="Its tokens.")


@strawberry.input(description="A shop's theme tokens; the contrast rules are setShopTheme's.")
class ThemeInput:
    background: str = strawberry.field(description="A colour, #RRGGBB or #RGB.")
    text: str = strawberry.field(description="A colour, #RRGGBB or #RGB, at least 4.5:1 on the background.")
    accent: str = strawberry.field(description="A colour, #RRGGBB or #RGB.")
    button: str = strawberry.field(description="A colour, #RRGGBB or #RGB.")
    button_text: str = strawberry.field(description="A colour, #RRGGBB or #RGB, at least 4.5:1 on the button.")
    radius: int = strawberry.field(default=rules.DEFAULT_THEME["radius"], description="Corner radius in px, 0 to 32.")
    font_scale: float = strawberry.field(default=1.0, description="Text size factor, 0.8 to 1.5.")


@strawberry.input
class SetShopThemeInput:
    shop_id: strawberry.ID
    theme: ThemeInput | None = strawberry.field(default=None, description="The tokens; give this or `preset`.")
    preset: str | None = strawberry.field(default=None, description="A vertical's preset (themePresets) instead.")


@strawberry.type
class ShopThemePayload:
    theme: ShopTheme | None = None
    warnings: list[str] = strawberry.field(
        default_factory=list, description="What passes but may not read well (an accent below 3:1)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def shop_theme(shop: Mapping[str, Any]) -> ShopTheme:
    """What the shop's pages look like: its own tokens over the default."""
    return ShopTheme.of(rules.merged(shop.get("theme"), None))


@strawberry.type
class ThemeQueries:
    @strawberry.field(description="One preset per vertical; each passes the WCAG AA contrast check.")
    def theme_presets(self) -> list[ThemePreset]:
        return [ThemePreset(key=k, theme=ShopTheme.of(t)) for k, t in rules.PRESETS.items()]


@strawberry.type
class ThemeMutations:
    @payload_mutation(
        ShopThemePayload,
        staff=Staff(SHOP, ADMIN),
        description="Text on its background and a button's label need 4.5:1 (refused below); an accent below 3:1"
        " on the background is saved with a warning.",
    )
    async def set_shop_theme(self, info: Info, input: SetShopThemeInput) -> ShopThemePayload:
        if (input.theme is None) == (input.preset is None):
            raise Refused("INVALID_INPUT", "Give either a theme or a preset", ["input", "theme"])
        if input.theme is not None:
            t = input.theme
            tokens = {
                "background": t.background,
                "text": t.text,
                "accent": t.accent,
                "button": t.button,
                "buttonText": t.button_text,
                "radius": t.radius,
                "fontScale": t.font_scale,
            }
        else:
            tokens = rules.PRESETS.get(input.preset or "") or {}
            if not tokens:
                raise Refused("INVALID_INPUT", f"No preset {input.preset!r}; see themePresets", ["input", "preset"])
        shop_id = raw_id(input.shop_id, "Shop", "input", "shopId")
        theme, warnings = await themes_uc.set_theme(info.context.services, shop_id, tokens)
        return ShopThemePayload(theme=ShopTheme.of(theme), warnings=warnings)

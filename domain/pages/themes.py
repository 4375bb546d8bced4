"""Theme tokens (colour roles background, text, accent, button and buttonText; corner radius; font scale), the
presets of the 12 verticals, and the WCAG 2.2 AA contrast check.

Text must read on its background: text on background and a button's label on the button need 4.5:1 (WCAG 1.4.3),
and a theme below that is refused. The accent (prices, badges, links) against the background needs 3:1 for
graphical objects (WCAG 1.4.11); below that the theme is saved with a warning, since an accent is often a brand
colour the merchant will not change and large text passes at 3:1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from domain.pages import fields as f
from domain.problem import Problem

COLOUR_ROLES = ("background", "text", "accent", "button", "buttonText")
RADIUS_MAX = 32
FONT_SCALE_MIN, FONT_SCALE_MAX = 0.8, 1.5
TEXT_CONTRAST = 4.5
ACCENT_CONTRAST = 3.0
_COLOUR = re.compile(f.COLOUR_PATTERN)

THEME_SCHEMA: f.Schema = f.obj(
    {
        **{role: f.colour(role) for role in COLOUR_ROLES},
        "radius": f.integer(0, RADIUS_MAX, title="圆角(px)"),
        "fontScale": {"type": "number", "minimum": FONT_SCALE_MIN, "maximum": FONT_SCALE_MAX, "title": "字号缩放"},
    }
)


def _preset(background: str, text: str, accent: str, button: str, button_text: str, radius: int) -> dict[str, Any]:
    return {
        "background": background,
        "text": text,
        "accent": accent,
        "button": button,
        "buttonText": button_text,
        "radius": radius,
        "fontScale": 1.0,
    }


# vertical (the template's key) -> its preset; every one passes the AA check (tests/unit/test_page_themes.py)
PRESETS: dict[str, dict[str, Any]] = {
    "beauty": _preset("#FFF7F9", "#3A1F2B", "#C2185B", "#C2185B", "#FFFFFF", 16),
    "digital": _preset("#F5F7FA", "#1A2233", "#1565C0", "#1565C0", "#FFFFFF", 8),
    "fresh": _preset("#F6FBF4", "#1F3320", "#2E7D32", "#2E7D32", "#FFFFFF", 12),
    "fashion": _preset("#FFFFFF", "#111111", "#B71C1C", "#111111", "#FFFFFF", 0),
    "food": _preset("#FFF9F0", "#3E2A14", "#C43E00", "#C43E00", "#FFFFFF", 12),
    "baby": _preset("#FFFBF5", "#3D3027", "#D84315", "#00796B", "#FFFFFF", 20),
    "home": _preset("#F7F4EF", "#2F2A24", "#8D6E63", "#5D4037", "#FFFFFF", 6),
    "tea": _preset("#F4F6EE", "#243020", "#558B2F", "#33691E", "#FFFFFF", 10),
    "pet": _preset("#FFFDF7", "#33291A", "#E65100", "#6A1B9A", "#FFFFFF", 18),
    "outdoor": _preset("#F2F5F3", "#14261C", "#00695C", "#E65100", "#1A1A1A", 4),
    "stationery": _preset("#FBFAF6", "#222222", "#3949AB", "#3949AB", "#FFFFFF", 6),
    "jewelry": _preset("#14110F", "#F3EDE4", "#D4AF37", "#D4AF37", "#14110F", 2),
}
DEFAULT_THEME = _preset("#FFFFFF", "#222222", "#D32F2F", "#D32F2F", "#FFFFFF", 8)


def is_colour(value: object) -> bool:
    return isinstance(value, str) and _COLOUR.match(value) is not None


def _rgb(colour: str) -> tuple[float, float, float]:
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def luminance(colour: str) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def theme_problems(theme: Mapping[str, Any], prefix: str = "theme") -> list[Problem]:
    """Every token that is not what it should be, then text that would not read (both need a whole theme)."""
    problems = [
        Problem(f"{prefix}.{role}", f"{theme[role]!r} is not a colour: write #RRGGBB or #RGB")
        for role in COLOUR_ROLES
        if role in theme and not is_colour(theme[role])
    ]
    radius = theme.get("radius")
    if radius is not None and (
        isinstance(radius, bool) or not isinstance(radius, int) or not 0 <= radius <= RADIUS_MAX
    ):
        problems.append(Problem(f"{prefix}.radius", f"The radius is 0 to {RADIUS_MAX} px"))
    scale = theme.get("fontScale")
    if scale is not None and (
        isinstance(scale, bool) or not isinstance(scale, int | float) or not FONT_SCALE_MIN <= scale <= FONT_SCALE_MAX
    ):
        problems.append(Problem(f"{prefix}.fontScale", f"The font scale is {FONT_SCALE_MIN} to {FONT_SCALE_MAX}"))
    if problems:
        return problems
    for fg, bg in (("text", "background"), ("buttonText", "button")):
        if fg in theme and bg in theme and (ratio := contrast(theme[fg], theme[bg])) < TEXT_CONTRAST:
            problems.append(
                Problem(
                    f"{prefix}.{fg}",
                    f"{fg} {theme[fg]} on {bg} {theme[bg]} has a contrast of {ratio:.2f}:1; WCAG AA needs"
                    f" {TEXT_CONTRAST}:1 for text",
                )
            )
    return problems


def theme_warnings(theme: Mapping[str, Any]) -> list[str]:
    """What passes but may not read well: an accent below 3:1 on the background."""
    ratio = contrast(theme["accent"], theme["background"])
    if ratio < ACCENT_CONTRAST:
        return [
            f"The accent {theme['accent']} on the background {theme['background']} has a contrast of {ratio:.2f}:1;"
            f" WCAG AA asks {ACCENT_CONTRAST}:1 for badges and icons"
        ]
    return []


def merged(base: Mapping[str, Any] | None, override: Mapping[str, Any] | None) -> dict[str, Any]:
    """A whole theme: the default, then the shop's, then a page's own tokens."""
    return {**DEFAULT_THEME, **(base or {}), **(override or {})}

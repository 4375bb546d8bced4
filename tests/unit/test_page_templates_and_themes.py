"""The 12 vertical templates (each validated, filled with a shop's products or falling back when it has none) and
the theme rules: WCAG contrast, the presets, colours that are not colours."""

from __future__ import annotations

import pytest

from domain.ids import to_global_id
from domain.pages.document import references, validate
from domain.pages.templates import TEMPLATES, fill
from domain.pages.themes import DEFAULT_THEME, PRESETS, contrast, theme_problems, theme_warnings

VERTICALS = "美妆 3C数码 生鲜 服饰 食品 母婴 家居 茶饮 宠物 运动户外 图书文具 珠宝配饰".split()
PRODUCTS = [to_global_id("Product", f"p{i}") for i in range(12)]


def test_there_is_one_template_per_vertical() -> None:
    assert sorted(t.name for t in TEMPLATES.values()) == sorted(VERTICALS)
    assert all(t.theme in PRESETS and "HOME" in t.pages for t in TEMPLATES.values())


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_each_template_is_a_valid_page_filled_or_not(key: str) -> None:
    for kind, document in TEMPLATES[key].pages.items():
        pools = {"products": PRODUCTS, "groupBuyProducts": PRODUCTS[:2], "bargainProducts": PRODUCTS[2:3]}
        filled, notes = fill(document, pools)
        assert validate(filled)[0] == [], (key, kind)
        assert notes == []
        assert {r.global_id for r in references(filled)} <= set(PRODUCTS)
        empty, fell_back = fill(document, {})
        assert validate(empty)[0] == [], (key, kind)
        assert references(empty) == []  # nothing to check: grids show the best sellers by rule, zones the offers
        placeholders = [s for s in document["sections"] if str(s["settings"].get("productIds", "")).startswith("$")]
        assert len(fell_back) == len(placeholders) and (placeholders or kind != "HOME")


def test_placeholders_are_dealt_in_order_so_sections_show_different_products() -> None:
    document = {
        "schemaVersion": 1,
        "title": "t",
        "sections": [
            {"id": "a", "type": "product_grid", "settings": {"source": "MANUAL", "productIds": "$products:2"}},
            {"id": "b", "type": "product_grid", "settings": {"source": "MANUAL", "productIds": "$products:2"}},
        ],
    }
    filled, _ = fill(document, {"products": PRODUCTS[:3]})
    assert [s["settings"]["productIds"] for s in filled["sections"]] == [PRODUCTS[:2], [PRODUCTS[2], PRODUCTS[0]]]
    assert document["sections"][0]["settings"]["productIds"] == "$products:2"  # the template itself is untouched


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#FFF", "#ffffff") == pytest.approx(1.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # just below AA


def test_every_preset_and_the_default_pass_aa() -> None:
    for name, theme in [*PRESETS.items(), ("default", DEFAULT_THEME)]:
        assert theme_problems(theme) == [], name
        assert contrast(theme["text"], theme["background"]) >= 4.5
        assert contrast(theme["buttonText"], theme["button"]) >= 4.5


def test_unreadable_text_is_refused_and_a_faint_accent_warned() -> None:
    grey = {**DEFAULT_THEME, "text": "#777777"}
    assert [p.field for p in theme_problems(grey)] == ["theme.text"]
    button = {**DEFAULT_THEME, "button": "#FFEB3B"}
    assert [p.field for p in theme_problems(button)] == ["theme.buttonText"]
    faint = {**DEFAULT_THEME, "accent": "#FFCDD2"}
    assert theme_problems(faint) == [] and len(theme_warnings(faint)) == 1
    assert theme_warnings(DEFAULT_THEME) == []


@pytest.mark.parametrize("value", ["red", "#12345", "#GGGGGG", "rgb(0,0,0)", "", "#1234567"])
def test_a_colour_that_is_not_a_colour_is_refused_on_its_field(value: str) -> None:
    assert [p.field for p in theme_problems({**DEFAULT_THEME, "accent": value})] == ["theme.accent"]


def test_radius_and_font_scale_are_bounded() -> None:
    fields = [p.field for p in theme_problems({**DEFAULT_THEME, "radius": 99, "fontScale": 3})]
    assert fields == ["theme.radius", "theme.fontScale"]

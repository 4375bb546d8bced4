"""Pure rules of the shop builder: the component registry, page validation with JSON paths, rich text, limits,
references and the revision id (a property: stable under key order)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from domain.ids import to_global_id
from domain.pages.components import COMPONENTS, MAX_BLOCKS, REGISTRY, Ref
from domain.pages.document import MAX_BYTES, MAX_SECTIONS, canonical, references, revision_id, validate

LISTED = {
    "search_bar", "notice_bar", "banner_carousel", "image_hotspot", "nav_grid", "rich_text", "video", "spacer",
    "product_grid", "smart_product_list", "coupon_strip", "group_buy_zone", "bargain_zone", "seckill_countdown",
    "live_room_card", "notes_waterfall", "shop_info", "follow_shop", "floating_promotion", "tab_bar",
}  # fmt: skip


def page(*sections: dict[str, Any], **over: Any) -> dict[str, Any]:
    numbered = [{"id": f"s{i}", **s} for i, s in enumerate(sections)]
    return {"schemaVersion": 1, "title": "首页", "sections": numbered, **over}


def section(kind: str, **settings: Any) -> dict[str, Any]:
    default = REGISTRY[kind].default
    return {**default, "settings": {**default["settings"], **settings}}


def fields(document: Any) -> list[str]:
    return [p.field for p in validate(document)[0]]


def test_the_registry_has_the_twenty_components_each_with_a_valid_schema_and_a_default_that_fits_it() -> None:
    assert {c.type for c in COMPONENTS} >= LISTED
    for component in COMPONENTS:
        Draft202012Validator.check_schema(component.schema)  # a valid Draft 2020-12 schema
        assert component.max_blocks <= MAX_BLOCKS and component.max_per_page >= 1
        errors = list(Draft202012Validator(component.schema).iter_errors({"id": "s1", **component.default}))
        assert errors == [], (component.type, errors)


def test_every_available_default_saves_and_seckill_is_refused_until_it_exists() -> None:
    for component in COMPONENTS:
        problems = fields(page(component.default))
        assert problems == ([] if component.available else ["sections.0.type"]), component.type
    assert not REGISTRY["seckill_countdown"].available and REGISTRY["seckill_countdown"].unavailable_reason


def test_schema_errors_name_the_json_path_of_the_wrong_field() -> None:
    # given a page whose fourth section asks for too many products, with an unknown setting and a bad link
    document = page(
        section("search_bar"),
        section("spacer"),
        section("notice_bar"),
        section("product_grid", limit=500, colour="red"),
        {
            "type": "banner_carousel",
            "settings": {},
            "blocks": [{"id": "b1", "type": "slide", "settings": {"image": "javascript:alert(1)"}}],
        },
    )
    # then each problem is at its place
    assert fields(document) == [
        "sections.3.settings.colour",
        "sections.3.settings.limit",
        "sections.4.blocks.0.settings.image",
    ]


def test_a_manual_product_grid_needs_products_and_a_missing_property_is_named() -> None:
    assert fields(page({"type": "product_grid", "settings": {"source": "MANUAL"}})) == [
        "sections.0.settings.productIds"
    ]
    assert fields(page({"type": "rich_text", "settings": {}})) == ["sections.0.settings.html"]
    assert fields({"schemaVersion": 1, "sections": []}) == ["title"]


def test_unknown_components_and_properties_are_refused_never_pruned() -> None:
    assert fields(page({"type": "marquee", "settings": {}})) == ["sections.0.type"]
    assert fields(page(section("spacer"), footer=True)) == ["footer"]
    assert fields(page({**section("spacer"), "style": {}})) == ["sections.0.style"]


def test_limits_of_sections_blocks_per_page_and_size() -> None:
    assert fields(page(*[section("spacer")] * (MAX_SECTIONS + 1))) == ["sections"]
    assert fields(page(*[section("search_bar")] * 2)) == ["sections.1.type"]  # at most one search bar
    too_many_tabs = {**section("tab_bar"), "blocks": [
        {"id": f"t{i}", "type": "tab", "settings": {"label": "页", "link": "/p"}} for i in range(6)
    ]}  # fmt: skip
    assert fields(page(too_many_tabs)) == ["sections.0.blocks"]
    huge = page(*[section("rich_text", html="<p>" + "好" * 19_000 + "</p>")] * 5)
    assert len(canonical(huge)) > MAX_BYTES
    assert fields(huge) == [""]  # the document itself: nothing else is read


def test_ids_are_unique_in_a_page_and_in_a_section() -> None:
    document = page(section("spacer"), section("spacer"))
    document["sections"][1]["id"] = "s0"
    tabs = section("tab_bar")
    tabs["blocks"][1]["id"] = tabs["blocks"][0]["id"]
    assert fields(document) == ["sections.1.id"]
    assert fields(page(tabs)) == ["sections.0.blocks.1.id"]


@pytest.mark.parametrize(
    "html",
    [
        "<p>hi</p><script>alert(1)</script>",
        '<img src="https://a.cn/x.png" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        "<svg onload=alert(1)></svg>",
        '<iframe src="https://evil.example"></iframe>',
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    ],
)
def test_rich_text_with_scripts_handlers_or_script_urls_is_refused(html: str) -> None:
    problems, _ = validate(page(section("rich_text", html=html)))
    assert [p.field for p in problems] == ["sections.0.settings.html"]


def test_harmless_rich_text_is_sanitised_with_the_allowlist() -> None:
    html = '<p style="color:red">满<font>100</font>减<b>20</b></p><a href="https://shop.example/a">看看</a>'
    problems, stored = validate(page(section("rich_text", html=html)))
    assert problems == []
    assert stored["sections"][0]["settings"]["html"] == (
        '<p>满100减<b>20</b></p><a href="https://shop.example/a" rel="noopener noreferrer">看看</a>'
    )


def test_a_page_theme_with_a_colour_that_is_not_one_or_unreadable_text_is_refused() -> None:
    assert fields(page(theme={"accent": "red"})) == ["theme.accent"]
    assert fields(page(theme={"text": "#777777", "background": "#888888"})) == ["theme.text"]
    assert fields(page(theme={"accent": "#C2185B"})) == []


def test_references_are_found_with_their_paths() -> None:
    product, coupon, room = to_global_id("Product", "p1"), to_global_id("Coupon", "c1"), to_global_id("LiveRoom", "r")
    document = page(
        section("product_grid", source="MANUAL", productIds=[product]),
        section("coupon_strip", couponIds=[coupon]),
        section("live_room_card", liveRoomId=room),
        section("group_buy_zone", productIds=[product]),
        section("floating_promotion", campaign={"kind": "BARGAIN", "id": product}),
    )
    assert validate(document)[0] == []
    assert references(document) == [
        Ref("PRODUCT", product, ("sections", "0", "settings", "productIds", "0")),
        Ref("COUPON", coupon, ("sections", "1", "settings", "couponIds", "0")),
        Ref("LIVE_ROOM", room, ("sections", "2", "settings", "liveRoomId")),
        Ref("GROUP_BUY", product, ("sections", "3", "settings", "productIds", "0")),
        Ref("BARGAIN", product, ("sections", "4", "settings", "campaign", "id")),
    ]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=5),
    max_leaves=30,
)


def reordered(value: Any, rng: random.Random) -> Any:
    """The same JSON value with every object's keys in another order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: reordered(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [reordered(v, rng) for v in value]
    return value


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=6), JSON, max_size=6), st.randoms(use_true_random=False))
def test_a_revision_id_is_stable_under_key_order(document: dict[str, Any], rng: random.Random) -> None:
    shuffled = reordered(document, rng)
    assert canonical(shuffled) == canonical(document)
    assert revision_id(shuffled) == revision_id(document)
    assert b" " not in canonical({"a": [1, 2], "b": {"c": None}})


def test_a_revision_id_changes_with_the_content() -> None:
    assert revision_id(page(section("spacer"))) != revision_id(page(section("spacer", height=17)))
    assert len(revision_id({})) == 64

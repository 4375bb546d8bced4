"""Templates, themes and component metadata through the API: applyTemplate makes drafts filled with the shop's own
products (and its vertical's theme), setShopTheme checks colours and WCAG AA contrast, pageComponents answers each
component's JSON Schema, limits and default."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from tests.api.conftest import Api, make_product
from tests.api.test_pages import SAVE, new_shop

APPLY = """mutation($in: ApplyTemplateInput!) { applyTemplate(input: $in) {
  pages { kind draftRevisionId publishedRevisionId draft { document } } notes theme { accent }
  errors { code field } } }"""
THEME = """mutation($in: SetShopThemeInput!) { setShopTheme(input: $in) {
  theme { background text accent button buttonText radius fontScale } warnings errors { code field message } } }"""
SHOP_THEME = "query($id: ID!) { shop(id: $id) { theme { accent button radius } } }"
COMPONENTS = """{ pageComponents { type name available unavailableReason maxBlocks minBlocks maxPerPage blockTypes
  schema default } pageLimits { maxSections maxBytes schema } pageTemplates { key name theme { accent } pageKinds }
  themePresets { key } }"""


async def apply(api: Api, token: str, shop_id: str, template: str, **over: Any) -> dict[str, Any]:
    body = await api.gql(APPLY, {"in": {"shopId": shop_id, "template": template, **over}}, token=token)
    return body["data"]["applyTemplate"]  # type: ignore[no-any-return]


async def test_a_template_makes_drafts_filled_with_the_shops_own_products_and_its_theme(api: Api) -> None:
    owner, _ = await api.login("模板店主")
    shop_id, first, _ = await make_product(api, owner, title="一号茶")
    second = (await make_product(api, owner, title="二号茶", shop_id=shop_id))[1]
    payload = await apply(api, owner, shop_id, "tea")
    assert payload["errors"] == [] and payload["theme"]["accent"] == "#558B2F"
    pages = {p["kind"]: p for p in payload["pages"]}
    assert set(pages) == {"HOME", "USER_CENTER"}
    assert all(p["publishedRevisionId"] is None and p["draftRevisionId"] for p in pages.values())  # drafts only
    home = pages["HOME"]["draft"]["document"]
    featured = next(s for s in home["sections"] if s["id"] == "featured")
    assert sorted(featured["settings"]["productIds"]) == sorted([first, second])
    # the shop has no group-buy or bargain products yet: those zones pick the shop's offers by themselves
    assert any("groupbuy" in n for n in payload["notes"])
    assert (await api.gql(SHOP_THEME, {"id": shop_id}))["data"]["shop"]["theme"]["accent"] == "#558B2F"


async def test_a_template_applies_to_a_shop_without_products_and_unknown_ones_are_refused(api: Api) -> None:
    owner, _ = await api.login("空店主")
    shop_id = await new_shop(api, owner, "空店")
    payload = await apply(api, owner, shop_id, "beauty", withTheme=False)
    assert payload["errors"] == [] and len(payload["pages"]) == 2
    featured = next(s for s in payload["pages"][0]["draft"]["document"]["sections"] if s["id"] == "featured")
    assert featured["settings"] == {
        "title": "店长推荐", "source": "RULE", "sort": "BEST_SELLING", "limit": 4, "columns": 2, "showPrice": True
    }  # fmt: skip
    assert (await api.gql(SHOP_THEME, {"id": shop_id}))["data"]["shop"]["theme"]["accent"] == "#D32F2F"  # default
    unknown = await apply(api, owner, shop_id, "spaceships")
    assert unknown["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "template"]}]
    stranger, _ = await api.login("模板路人")
    assert [e["code"] for e in (await apply(api, stranger, shop_id, "tea"))["errors"]] == ["FORBIDDEN"]


async def set_theme(api: Api, token: str, shop_id: str, **given: Any) -> dict[str, Any]:
    return (await api.gql(THEME, {"in": {"shopId": shop_id, **given}}, token=token))["data"]["setShopTheme"]  # type: ignore[no-any-return]


THEME_INPUT = {
    "background": "#FFFFFF",
    "text": "#222222",
    "accent": "#00695C",
    "button": "#00695C",
    "buttonText": "#FFFFFF",
}


async def test_set_shop_theme_checks_colours_and_contrast(api: Api) -> None:
    owner, _ = await api.login("主题店主")
    shop_id = await new_shop(api, owner, "主题店")
    ok = await set_theme(api, owner, shop_id, theme={**THEME_INPUT, "radius": 4})
    assert ok["errors"] == [] and ok["warnings"] == [] and ok["theme"]["radius"] == 4
    assert (await api.gql(SHOP_THEME, {"id": shop_id}))["data"]["shop"]["theme"] == {
        "accent": "#00695C", "button": "#00695C", "radius": 4
    }  # fmt: skip
    not_colour = await set_theme(api, owner, shop_id, theme={**THEME_INPUT, "background": "white"})
    assert [(e["code"], e["field"]) for e in not_colour["errors"]] == [
        ("INVALID_INPUT", ["input", "theme", "background"])
    ]
    unreadable = await set_theme(api, owner, shop_id, theme={**THEME_INPUT, "text": "#AAAAAA"})
    assert [e["field"] for e in unreadable["errors"]] == [["input", "theme", "text"]]
    assert "4.5:1" in unreadable["errors"][0]["message"]
    faint = await set_theme(api, owner, shop_id, theme={**THEME_INPUT, "accent": "#B2DFDB"})
    assert faint["errors"] == [] and "3.0:1" in faint["warnings"][0]
    preset = await set_theme(api, owner, shop_id, preset="jewelry")
    assert preset["theme"]["background"] == "#14110F"
    assert [e["field"] for e in (await set_theme(api, owner, shop_id, preset="nope"))["errors"]] == [
        ["input", "preset"]
    ]
    both = await set_theme(api, owner, shop_id, preset="tea", theme=THEME_INPUT)
    assert [e["code"] for e in both["errors"]] == ["INVALID_INPUT"]
    # the refused ones changed nothing
    assert (await api.gql(SHOP_THEME, {"id": shop_id}))["data"]["shop"]["theme"]["accent"] == "#D4AF37"


async def test_a_page_theme_that_does_not_read_is_refused_on_its_field(api: Api) -> None:
    owner, _ = await api.login("页面主题店主")
    shop_id = await new_shop(api, owner, "页面主题店")
    document = {"schemaVersion": 1, "title": "t", "sections": [], "theme": {"background": "#333333"}}
    body = await api.gql(SAVE, {"in": {"shopId": shop_id, "kind": "HOME", "document": document}}, token=owner)
    errors = body["data"]["savePageDraft"]["errors"]
    assert [e["field"] for e in errors] == [["input", "document", "theme", "text"]]  # default text on it


async def test_page_components_answer_schemas_limits_and_defaults(api: Api) -> None:
    body = (await api.gql(COMPONENTS))["data"]
    components = {c["type"]: c for c in body["pageComponents"]}
    assert len(components) == 20
    for component in components.values():
        Draft202012Validator.check_schema(component["schema"])
        assert list(Draft202012Validator(component["schema"]).iter_errors({"id": "x", **component["default"]})) == []
    assert components["tab_bar"]["maxBlocks"] == 5 and components["tab_bar"]["maxPerPage"] == 1
    assert components["banner_carousel"]["blockTypes"] == ["slide"]
    assert (
        components["seckill_countdown"]["available"] is False and components["seckill_countdown"]["unavailableReason"]
    )
    assert body["pageLimits"]["maxSections"] == 50 and body["pageLimits"]["maxBytes"] == 256 * 1024
    assert len(body["pageTemplates"]) == 12 and len(body["themePresets"]) == 12

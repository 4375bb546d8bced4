"""The shop builder's drafts: a page document validated on save (component schemas with JSON paths, limits, rich
text, references of the shop), saved as an immutable revision addressed by its sha256; nothing saved when wrong."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from domain.ids import to_global_id
from domain.staff import staff_id
from tests.api.conftest import SHOP, Api, make_product, offer_product

SAVE = """mutation($in: SavePageDraftInput!) { savePageDraft(input: $in) {
  page { id kind slug draftRevisionId publishedRevisionId }
  revision { id parentId bytes author { nickname } document }
  errors { code field message } } }"""
REVISIONS = """query($shop: ID!, $kind: PageKind!, $slug: String, $first: Int, $after: String) {
  pageRevisions(shopId: $shop, kind: $kind, slug: $slug, first: $first, after: $after) {
    edges { node { id parentId } cursor } pageInfo { hasNextPage endCursor } } }"""


def doc(*sections: dict[str, Any], **over: Any) -> dict[str, Any]:
    numbered = [{"id": f"s{i}", "blocks": [], **s} for i, s in enumerate(sections)]
    return {"schemaVersion": 1, "title": "首页", "sections": numbered, **over}


def grid(*product_ids: str) -> dict[str, Any]:
    return {"type": "product_grid", "settings": {"source": "MANUAL", "productIds": list(product_ids)}}


def spacer(height: int = 16) -> dict[str, Any]:
    return {"type": "spacer", "settings": {"height": height}}


def sha(document: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def new_shop(api: Api, token: str, name: str = "装修店") -> str:
    body = await api.gql(SHOP, {"n": name}, token=token)
    return str(body["data"]["createShop"]["shop"]["id"])


async def save(api: Api, token: str, shop_id: str, document: Any, kind: str = "HOME", **over: Any) -> dict[str, Any]:
    variables = {"in": {"shopId": shop_id, "kind": kind, "document": document, **over}}
    return (await api.gql(SAVE, variables, token=token))["data"]["savePageDraft"]  # type: ignore[no-any-return]


async def saved(api: Api, token: str, shop_id: str, document: Any, **over: Any) -> dict[str, Any]:
    payload = await save(api, token, shop_id, document, **over)
    assert payload["errors"] == [], payload
    return payload


async def stored_counts(api: Api) -> tuple[int, int, int]:
    store = api.services.store
    return (await store.count("pages"), await store.count("page_revisions"), await store.count("page_documents"))


async def test_a_draft_is_a_revision_addressed_by_the_sha256_of_its_canonical_json(api: Api) -> None:
    owner, _ = await api.login("装修店主")
    shop_id = await new_shop(api, owner)
    document = doc(spacer(), {"type": "rich_text", "settings": {"html": "<p>欢迎</p>"}})
    # when the owner saves it
    payload = await saved(api, owner, shop_id, document)
    # then it is the draft, unpublished, with its author; its id is the sha256 of its canonical JSON
    revision = payload["revision"]
    assert revision["id"] == sha(document) == payload["page"]["draftRevisionId"]
    assert payload["page"]["publishedRevisionId"] is None and payload["page"]["kind"] == "HOME"
    assert revision["parentId"] is None and revision["author"] == {"nickname": "装修店主"}
    assert revision["document"] == document and revision["bytes"] == len(orjson.dumps(document))
    # the same content with its keys in another order is the same revision, saved once
    reordered = {k: document[k] for k in reversed(list(document))}
    again = await saved(api, owner, shop_id, reordered)
    assert again["revision"]["id"] == revision["id"]
    assert await stored_counts(api) == (1, 1, 1)
    # a change is a new revision whose parent is the draft it was saved over
    changed = await saved(api, owner, shop_id, doc(spacer(20)))
    assert changed["revision"]["parentId"] == revision["id"]


async def test_schema_errors_come_back_with_the_json_path_under_the_input_and_nothing_is_saved(api: Api) -> None:
    owner, _ = await api.login("路径店主")
    shop_id = await new_shop(api, owner)
    bad = doc(
        spacer(),
        spacer(),
        {"type": "search_bar", "settings": {}},
        {"type": "product_grid", "settings": {"source": "RULE", "limit": 500}},
        {"type": "banner_carousel", "settings": {"speed": 3}, "blocks": []},
    )
    payload = await save(api, owner, shop_id, bad)
    assert payload["page"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID_INPUT", ["input", "document", "sections", "3", "settings", "limit"]),
        ("INVALID_INPUT", ["input", "document", "sections", "4", "blocks"]),
        ("INVALID_INPUT", ["input", "document", "sections", "4", "settings", "speed"]),
    ]
    assert payload["errors"][0]["message"] == "At most 50"
    assert await stored_counts(api) == (0, 0, 0)


async def test_unknown_components_and_unavailable_ones_are_refused_at_save(api: Api) -> None:
    owner, _ = await api.login("未知组件店主")
    shop_id = await new_shop(api, owner)
    for section in ({"type": "marquee", "settings": {}}, {"type": "seckill_countdown", "settings": {}}):
        payload = await save(api, owner, shop_id, doc(spacer(), section))
        assert [e["field"] for e in payload["errors"]] == [["input", "document", "sections", "1", "type"]]
    not_a_page = await save(api, owner, shop_id, [1, 2])
    assert [e["field"] for e in not_a_page["errors"]] == [["input", "document"]]
    assert await stored_counts(api) == (0, 0, 0)


async def test_references_must_be_of_the_shop_and_usable(api: Api) -> None:
    owner, _ = await api.login("引用店主")
    other, _ = await api.login("别家店主")
    shop_id, own, _ = await make_product(api, owner, title="自家商品")
    _, foreign, _ = await make_product(api, other, title="别家商品")
    missing = to_global_id("Product", "nope")
    wrong_type = to_global_id("User", "someone")
    payload = await save(
        api,
        owner,
        shop_id,
        doc(
            grid(own, foreign, missing, wrong_type),
            {"type": "group_buy_zone", "settings": {"productIds": [own]}},
            {"type": "live_room_card", "settings": {"liveRoomId": to_global_id("LiveRoom", "none")}},
            {"type": "floating_promotion", "settings": {"campaign": {"kind": "COUPON", "id": missing}}},
        ),
    )
    assert [(e["field"][3:], e["message"]) for e in payload["errors"]] == [
        (["0", "settings", "productIds", "1"], "No such product in this shop"),
        (["0", "settings", "productIds", "2"], "No such product in this shop"),
        (["0", "settings", "productIds", "3"], "Expected a Product id"),
        (["1", "settings", "productIds", "0"], "This product has no group-buy offer"),
        (["2", "settings", "liveRoomId"], "No such live room of this shop (its host is the owner or staff)"),
        (["3", "settings", "campaign", "id"], "Expected a Coupon id"),
    ]
    assert await stored_counts(api) == (0, 0, 0)
    # the shop's own product is fine
    assert (await save(api, owner, shop_id, doc(grid(own))))["errors"] == []


async def test_references_are_read_in_one_batch_per_collection(api: Api) -> None:
    from tests.api.conftest import count_get_many

    owner, _ = await api.login("批量店主")
    shop_id, first, _ = await make_product(api, owner, title="一号")
    products = [first] + [(await make_product(api, owner, title=f"{i}号", shop_id=shop_id))[1] for i in range(5)]
    calls = count_get_many(api.services.store)
    await saved(api, owner, shop_id, doc(*(grid(p) for p in products), grid(*products)))
    assert calls.count("products") == 1


async def test_pages_over_the_limits_are_refused(api: Api) -> None:
    owner, _ = await api.login("超限店主")
    shop_id = await new_shop(api, owner)
    many = await save(api, owner, shop_id, doc(*[spacer()] * 51))
    assert [e["field"] for e in many["errors"]] == [["input", "document", "sections"]]
    tabs = [{"id": f"t{i}", "type": "tab", "settings": {"label": "页", "link": "/p"}} for i in range(6)]
    blocks = await save(api, owner, shop_id, doc({"type": "tab_bar", "settings": {}, "blocks": tabs}))
    assert [e["field"] for e in blocks["errors"]] == [["input", "document", "sections", "0", "blocks"]]
    text = {"type": "rich_text", "settings": {"html": "<p>" + "长" * 19_000 + "</p>"}}
    huge = await save(api, owner, shop_id, doc(*[text] * 5))
    assert [e["field"] for e in huge["errors"]] == [["input", "document"]]
    assert "256 KB" in huge["errors"][0]["message"]
    assert await stored_counts(api) == (0, 0, 0)


async def test_rich_text_is_sanitised_and_scripts_are_refused(api: Api) -> None:
    owner, _ = await api.login("富文本店主")
    shop_id = await new_shop(api, owner)
    script = {"type": "rich_text", "settings": {"html": '<p onclick="steal()">嗨</p><script>steal()</script>'}}
    refused = await save(api, owner, shop_id, doc(script))
    assert [e["field"] for e in refused["errors"]] == [["input", "document", "sections", "0", "settings", "html"]]
    assert await stored_counts(api) == (0, 0, 0)
    harmless = {"type": "rich_text", "settings": {"html": '<p style="x">满<font>99</font>减<b>10</b></p>'}}
    payload = await saved(api, owner, shop_id, doc(harmless))
    assert payload["revision"]["document"]["sections"][0]["settings"]["html"] == "<p>满99减<b>10</b></p>"


async def test_only_the_owner_and_admin_staff_edit_pages(api: Api) -> None:
    owner, _ = await api.login("权限店主")
    admin, admin_user = await api.login("装修管理员")
    service, service_user = await api.login("客服小王")
    stranger, _ = await api.login("路过的人")
    shop_id = await new_shop(api, owner)
    store = api.services.store
    shop = (await store.find("shops", {"name": "装修店"}, limit=1)).docs[0]
    for user, role in ((admin_user, "ADMIN"), (service_user, "CUSTOMER_SERVICE")):
        raw = (await store.find("users", {"nickname": user["nickname"]}, limit=1)).docs[0]["_id"]
        await store.insert(
            "shop_staff",
            {"_id": staff_id(shop["_id"], raw), "shopId": shop["_id"], "userId": raw, "roles": [role]},
        )
    assert (await save(api, admin, shop_id, doc(spacer())))["errors"] == []
    for token in (service, stranger):
        errors = (await save(api, token, shop_id, doc(spacer(3))))["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("FORBIDDEN", ["input", "shopId"])]
    body = await api.gql(REVISIONS, {"shop": shop_id, "kind": "HOME"}, token=stranger, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_landing_pages_have_a_slug_and_the_others_none(api: Api) -> None:
    owner, _ = await api.login("落地页店主")
    shop_id = await new_shop(api, owner)
    landing = await saved(api, owner, shop_id, doc(spacer()), kind="LANDING", slug="double-11")
    assert landing["page"]["slug"] == "double-11"
    for kind, slug in (("LANDING", None), ("LANDING", "Double 11"), ("HOME", "home")):
        errors = (await save(api, owner, shop_id, doc(spacer()), kind=kind, slug=slug))["errors"]
        assert [e["field"] for e in errors] == [["input", "slug"]], (kind, slug)


async def test_a_stale_draft_save_gets_conflict_with_the_current_draft(api: Api) -> None:
    owner, _ = await api.login("草稿冲突店主")
    shop_id = await new_shop(api, owner)
    first = (await saved(api, owner, shop_id, doc(spacer(1))))["revision"]["id"]
    second = (await saved(api, owner, shop_id, doc(spacer(2)), expectedDraftRevisionId=first))["revision"]["id"]
    stale = await save(api, owner, shop_id, doc(spacer(3)), expectedDraftRevisionId=first)
    assert [(e["code"], e["field"]) for e in stale["errors"]] == [("CONFLICT", ["input", "expectedDraftRevisionId"])]
    assert stale["page"]["draftRevisionId"] == second and second in stale["errors"][0]["message"]
    malformed = await save(api, owner, shop_id, doc(spacer(3)), expectedDraftRevisionId="abc")
    assert malformed["errors"][0]["code"] == "INVALID_INPUT"


async def test_page_revisions_are_listed_newest_first_in_pages(api: Api) -> None:
    owner, _ = await api.login("历史店主")
    shop_id = await new_shop(api, owner)
    ids = [(await saved(api, owner, shop_id, doc(spacer(h))))["revision"]["id"] for h in range(5)]
    seen: list[str] = []
    after = None
    while True:
        body = await api.gql(REVISIONS, {"shop": shop_id, "kind": "HOME", "first": 2, "after": after}, token=owner)
        connection = body["data"]["pageRevisions"]
        seen += [e["node"]["id"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == list(reversed(ids))


async def test_group_buy_zones_take_products_with_an_offer(api: Api) -> None:
    owner, _ = await api.login("拼团装修店主")
    product, _ = await offer_product(
        api, owner, group_buy={"tiers": [{"size": 2, "price": 800}], "durationMinutes": 60}
    )
    shop_id = (await api.gql("query($id: ID!) { product(id: $id) { shop { id } } }", {"id": product}))["data"][
        "product"
    ]["shop"]["id"]
    zone = {"type": "group_buy_zone", "settings": {"productIds": [product]}}
    assert (await save(api, owner, shop_id, doc(zone)))["errors"] == []
    bargain = {"type": "bargain_zone", "settings": {"productIds": [product]}}
    errors = (await save(api, owner, shop_id, doc(bargain)))["errors"]
    assert [e["message"] for e in errors] == ["This product has no bargain offer"]

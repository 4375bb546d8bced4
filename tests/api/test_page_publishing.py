"""Publishing pages: compare-and-set of the published pointer (a stale publish gets CONFLICT with the current
revision; of racing editors exactly one wins), rollback to a revision that was live, and signed, expiring preview
links that render a draft for whoever holds them."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt

from tests.api.conftest import Api, use_clock
from tests.api.test_pages import doc, new_shop, saved, spacer

PUBLISH = """mutation($in: PublishPageInput!) { publishPage(input: $in) {
  page { publishedRevisionId draftRevisionId } errors { code field message } } }"""
ROLLBACK = PUBLISH.replace("publishPage", "rollbackPage")
PREVIEW = """mutation($in: CreatePagePreviewInput!) { createPagePreview(input: $in) {
  token revisionId expiresAt errors { code field } } }"""
RENDER = """query($shop: ID!, $kind: PageKind!, $slug: String, $token: String) {
  shopPage(shopId: $shop, kind: $kind, slug: $slug, previewToken: $token) {
    revisionId preview title sections { id type } } }"""


async def publish(
    api: Api, token: str, shop_id: str, revision: str, expected: str | None, query: str = PUBLISH, **over: Any
) -> dict[str, Any]:
    variables = {"in": {"shopId": shop_id, "kind": "HOME", "revisionId": revision, "expectedRevisionId": expected}}
    variables["in"].update(over)
    body = await api.gql(query, variables, token=token)
    return body["data"]["rollbackPage" if query is ROLLBACK else "publishPage"]  # type: ignore[no-any-return]


async def render(api: Api, shop_id: str, **over: Any) -> dict[str, Any]:
    return await api.gql(RENDER, {"shop": shop_id, "kind": "HOME", **over}, expect_errors=True)


async def test_publishing_is_a_compare_and_set_and_a_stale_publish_gets_conflict(api: Api) -> None:
    owner, _ = await api.login("发布店主")
    shop_id = await new_shop(api, owner)
    first = (await saved(api, owner, shop_id, doc(spacer(1))))["revision"]["id"]
    assert (await render(api, shop_id))["data"]["shopPage"] is None  # a draft is not shown
    # when the owner publishes it, expecting nothing published yet
    published = await publish(api, owner, shop_id, first, None)
    assert published == {"page": {"publishedRevisionId": first, "draftRevisionId": first}, "errors": []}
    assert (await render(api, shop_id))["data"]["shopPage"]["revisionId"] == first
    second = (await saved(api, owner, shop_id, doc(spacer(2))))["revision"]["id"]
    assert (await publish(api, owner, shop_id, second, first))["errors"] == []
    # then an editor who still thinks the first is live gets CONFLICT with the revision that is
    stale = await publish(api, owner, shop_id, first, first)
    assert [(e["code"], e["field"]) for e in stale["errors"]] == [("CONFLICT", ["input", "expectedRevisionId"])]
    assert stale["page"]["publishedRevisionId"] == second and second in stale["errors"][0]["message"]
    assert (await render(api, shop_id))["data"]["shopPage"]["revisionId"] == second


async def test_of_editors_publishing_at_once_exactly_one_wins(api: Api) -> None:
    owner, _ = await api.login("抢发布店主")
    shop_id = await new_shop(api, owner)
    live = (await saved(api, owner, shop_id, doc(spacer(0))))["revision"]["id"]
    await publish(api, owner, shop_id, live, None)
    candidates = [(await saved(api, owner, shop_id, doc(spacer(h))))["revision"]["id"] for h in range(1, 9)]
    # when eight editors publish their revision at once, each expecting the live one
    results = await asyncio.gather(*(publish(api, owner, shop_id, r, live) for r in candidates))
    # then one wins and the seven others are told which revision is live
    winners = [r for r, result in zip(candidates, results, strict=True) if result["errors"] == []]
    assert len(winners) == 1
    losers = [result for result in results if result["errors"]]
    assert {e["code"] for result in losers for e in result["errors"]} == {"CONFLICT"}
    assert {result["page"]["publishedRevisionId"] for result in losers} == set(winners)
    assert (await render(api, shop_id))["data"]["shopPage"]["revisionId"] == winners[0]
    assert await api.services.store.count("page_publications") == 2


async def test_a_revision_of_another_page_or_no_revision_cannot_be_published(api: Api) -> None:
    owner, _ = await api.login("跨页店主")
    shop_id = await new_shop(api, owner)
    landing = await saved(api, owner, shop_id, doc(spacer(7)), kind="LANDING", slug="sale")
    await saved(api, owner, shop_id, doc(spacer(1)))
    other_page = await publish(api, owner, shop_id, landing["revision"]["id"], None)
    assert [(e["code"], e["field"]) for e in other_page["errors"]] == [("NOT_FOUND", ["input", "revisionId"])]
    malformed = await publish(api, owner, shop_id, "not-a-hash", None)
    assert [(e["code"], e["field"]) for e in malformed["errors"]] == [("INVALID_INPUT", ["input", "revisionId"])]
    unsaved = await publish(api, owner, shop_id, "0" * 64, None, kind="USER_CENTER")
    assert [e["code"] for e in unsaved["errors"]] == ["NOT_FOUND"]
    stranger, _ = await api.login("跨页路人")
    forbidden = await publish(api, stranger, shop_id, landing["revision"]["id"], None, slug="sale", kind="LANDING")
    assert [e["code"] for e in forbidden["errors"]] == ["FORBIDDEN"]
    assert await api.services.store.count("page_publications") == 0


async def test_rollback_goes_back_to_a_revision_that_was_live(api: Api) -> None:
    owner, _ = await api.login("回滚店主")
    shop_id = await new_shop(api, owner)
    first = (await saved(api, owner, shop_id, doc(spacer(1))))["revision"]["id"]
    await publish(api, owner, shop_id, first, None)
    second = (await saved(api, owner, shop_id, doc(spacer(2))))["revision"]["id"]
    await publish(api, owner, shop_id, second, first)
    never = (await saved(api, owner, shop_id, doc(spacer(3))))["revision"]["id"]
    refused = await publish(api, owner, shop_id, never, second, query=ROLLBACK)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_INPUT", ["input", "revisionId"])]
    # when the owner rolls back to the first
    rolled = await publish(api, owner, shop_id, first, second, query=ROLLBACK)
    # then it is live and the draft again (the unpublished draft stays in the revisions)
    assert rolled == {"page": {"publishedRevisionId": first, "draftRevisionId": first}, "errors": []}
    stale = await publish(api, owner, shop_id, second, second, query=ROLLBACK)
    assert [e["code"] for e in stale["errors"]] == ["CONFLICT"]
    assert (await render(api, shop_id))["data"]["shopPage"]["revisionId"] == first


async def preview_token(api: Api, token: str, shop_id: str, **over: Any) -> dict[str, Any]:
    body = await api.gql(PREVIEW, {"in": {"shopId": shop_id, "kind": "HOME", **over}}, token=token)
    return body["data"]["createPagePreview"]  # type: ignore[no-any-return]


async def test_a_preview_link_renders_the_draft_for_whoever_holds_it_until_it_expires(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("预览店主")
    shop_id = await new_shop(api, owner)
    live = (await saved(api, owner, shop_id, doc(spacer(1))))["revision"]["id"]
    await publish(api, owner, shop_id, live, None)
    draft = (await saved(api, owner, shop_id, doc(spacer(2), title="双十一")))["revision"]["id"]
    link = await preview_token(api, owner, shop_id)
    assert link["errors"] == [] and link["revisionId"] == draft
    # anyone with the link sees the draft; without it, the live page
    seen = (await render(api, shop_id, token=link["token"]))["data"]["shopPage"]
    assert seen["revisionId"] == draft and seen["preview"] is True and seen["title"] == "双十一"
    assert (await render(api, shop_id))["data"]["shopPage"]["revisionId"] == live
    # a link for another page, a forged one and an expired one are refused on previewToken
    forged = jwt.encode(jwt.decode(link["token"], options={"verify_signature": False}), "x" * 40, algorithm="HS256")
    landing_page = await render(api, shop_id, kind="LANDING", slug="other", token=link["token"])
    for body in (landing_page, await render(api, shop_id, token=forged), await render(api, shop_id, token="nonsense")):
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
            ("INVALID_INPUT", ["previewToken"])
        ]
    clock.advance(days=3, minutes=1)
    expired = await render(api, shop_id, token=link["token"])
    assert expired["errors"][0]["extensions"]["field"] == ["previewToken"]
    assert "expired" in expired["errors"][0]["message"]
    # only the shop's editors make links
    stranger, _ = await api.login("预览路人")
    assert [e["code"] for e in (await preview_token(api, stranger, shop_id))["errors"]] == ["FORBIDDEN"]

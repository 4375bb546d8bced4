"""GraphQL over HTTP's media type: application/graphql-response+json with 4xx for request errors (the behaviours
graphql-http's server audit checks; clients/sdk runs the audit itself against a real server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphql_http import GRAPHQL_RESPONSE, accepted
from tests.api.conftest import Api

WANTS = {"Accept": GRAPHQL_RESPONSE, "Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=0, application/json", "application/json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("", "application/json"),
    ],
)
def test_the_answer_takes_the_media_type_the_client_prefers(accept: str, media_type: str) -> None:
    assert accepted(accept) == media_type


async def test_a_client_accepting_graphql_response_json_gets_it(api: Api) -> None:
    resp = await api.client.post("/graphql", json={"query": "{ __typename }"}, headers=WANTS)
    assert resp.status == 200
    assert resp.content_type == GRAPHQL_RESPONSE
    assert (await resp.json(content_type=None))["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"query": "{"}, "parse"),
        ({"query": "{ notAField }"}, "validation"),
        ({"query": "query($id: ID!) { product(id: $id) { id } }", "variables": {"id": {"no": 1}}}, "coercion"),
    ],
)
async def test_a_request_error_is_400_without_data(api: Api, body: dict[str, object], why: str) -> None:
    resp = await api.client.post("/graphql", json=body, headers=WANTS)
    assert resp.status == 400, why
    assert resp.content_type == GRAPHQL_RESPONSE
    answer = await resp.json(content_type=None)
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"]


async def test_a_legacy_json_client_keeps_200_for_a_request_error(api: Api) -> None:
    resp = await api.client.post("/graphql", json={"query": "{ notAField }"})
    assert resp.status == 200
    assert resp.content_type == "application/json"
    assert (await resp.json())["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_field_error_keeps_200_and_its_data(api: Api) -> None:
    # verifyCommissionLedger is for operators: a field error during execution, beside data
    query = "{ __typename verifyCommissionLedger { ok } }"
    resp = await api.client.post("/graphql", json={"query": query}, headers=WANTS)
    assert resp.status == 200
    answer = await resp.json(content_type=None)
    assert "data" in answer and answer["errors"][0]["path"] == ["verifyCommissionLedger"]


async def test_the_graphiql_page_says_how_to_build_it_when_it_is_not_built(api: Api, tmp_path: Path) -> None:
    api.services.settings.WEB_DIST = tmp_path / "not-built"
    resp = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert resp.status == 200
    text = await resp.text()
    assert "make web" in text and "npm run build" in text


async def test_the_shop_page_says_how_to_build_it_when_it_is_not_built(api: Api, tmp_path: Path) -> None:
    api.services.settings.WEB_DIST = tmp_path / "not-built"
    resp = await api.client.get("/product/abc", headers={"Accept": "text/html"})
    assert resp.status == 200
    assert "make web" in await resp.text()


async def test_an_api_client_still_gets_a_json_404_for_an_unknown_path(api: Api) -> None:
    resp = await api.client.get("/nope/none.js")
    assert resp.status == 404
    assert (await resp.json())["errors"][0]["extensions"]["code"] == "NOT_FOUND"

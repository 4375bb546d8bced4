"""Trusted documents: a request names its document by {"documentId": "sha256:..."} (POST, GET, WebSocket); with
TRUSTED_DOCUMENTS_ONLY nothing else runs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from graphql import parse, validate

from app import create_app
from schema import schema
from tests.api.conftest import Api, make_settings
from trusted_documents import SDK_MANIFEST, BadManifest, TrustedDocuments, document_id

ME = "query Me { me { id nickname } }"
LOGIN = 'mutation { devLogin(input: {nickname: "清单用户"}) { accessToken errors { code } } }'
SUBSCRIBE = "subscription S($orderId: ID!) { orderStatus(orderId: $orderId) { id status } }"


def manifest(tmp_path: Path, *documents: str) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({document_id(d): d for d in documents}))
    return path


async def serve(tmp_path: Path, **overrides: object) -> AsyncIterator[Api]:
    app = create_app(make_settings(tmp_path, **overrides))
    async with TestClient(TestServer(app)) as client:
        yield Api(client)


@pytest.fixture
async def api_trusting(tmp_path: Path) -> AsyncIterator[Api]:
    async for api in serve(tmp_path, TRUSTED_DOCUMENTS=str(manifest(tmp_path, ME, LOGIN, SUBSCRIBE))):
        yield api


@pytest.fixture
async def api_strict(tmp_path: Path) -> AsyncIterator[Api]:
    path = manifest(tmp_path, ME, LOGIN, SUBSCRIBE)
    async for api in serve(tmp_path, TRUSTED_DOCUMENTS=str(path), TRUSTED_DOCUMENTS_ONLY=True):
        yield api


async def test_a_document_id_runs_its_document_over_post(api_trusting: Api) -> None:
    # given
    token, user = await api_trusting.login("小清")
    # when
    resp = await api_trusting.client.post(
        "/graphql", json={"documentId": document_id(ME)}, headers={"Authorization": f"Bearer {token}"}
    )
    # then
    assert resp.status == 200
    assert (await resp.json())["data"]["me"] == user


async def test_a_document_id_runs_over_get_and_is_not_the_graphiql_page(api_trusting: Api) -> None:
    token, user = await api_trusting.login("小单")
    resp = await api_trusting.client.get(
        "/graphql",
        params={"documentId": document_id(ME)},
        headers={"Authorization": f"Bearer {token}", "Accept": "text/html,application/json"},
    )
    assert resp.status == 200
    assert (await resp.json())["data"]["me"] == user


async def test_an_unknown_document_id_is_persisted_document_not_found(api_trusting: Api) -> None:
    resp = await api_trusting.client.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
    assert resp.status == 404
    body = await resp.json()
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert "data" not in body


async def test_an_unknown_document_id_over_get_is_not_found_too(api_trusting: Api) -> None:
    resp = await api_trusting.client.get("/graphql", params={"documentId": "sha256:" + "1" * 64})
    assert resp.status == 404
    assert (await resp.json())["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"


@pytest.mark.parametrize(
    "body",
    [{"documentId": 7}, {"documentId": document_id(ME), "query": ME}],
    ids=["not a string", "both a query and an id"],
)
async def test_a_malformed_document_id_is_a_bad_request(api_trusting: Api, body: dict[str, object]) -> None:
    resp = await api_trusting.client.post("/graphql", json=body)
    assert resp.status == 400
    assert (await resp.json())["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_dev_mode_keeps_free_queries(api_trusting: Api) -> None:
    body = await api_trusting.gql("{ products(first: 1) { edges { cursor } } }")
    assert body["data"]["products"]["edges"] == []


async def test_trusted_only_refuses_a_free_query_before_it_runs(api_strict: Api) -> None:
    resp = await api_strict.client.post("/graphql", json={"query": "{ products(first: 1) { edges { cursor } } }"})
    assert resp.status == 400
    body = await resp.json()
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
    assert "TRUSTED_DOCUMENTS_ONLY" in body["errors"][0]["message"]


async def test_trusted_only_refuses_a_free_query_over_get(api_strict: Api) -> None:
    resp = await api_strict.client.get("/graphql", params={"query": "{ __typename }"})
    assert resp.status == 400
    assert (await resp.json())["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"


async def test_trusted_only_runs_trusted_documents_by_id_and_by_their_exact_text(api_strict: Api) -> None:
    by_id = await (await api_strict.client.post("/graphql", json={"documentId": document_id(LOGIN)})).json()
    assert by_id["data"]["devLogin"]["errors"] == []
    by_text = await (await api_strict.client.post("/graphql", json={"query": LOGIN})).json()
    assert by_text["data"]["devLogin"]["errors"] == []


async def test_trusted_only_refuses_a_free_subscription_and_runs_a_trusted_one(api_strict: Api) -> None:
    async with api_strict.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json())["type"] == "connection_ack"
        # when: a free subscription
        free = {"query": 'subscription { orderStatus(orderId: "x") { id } }'}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": free})
        # then
        refused = await ws.receive_json(timeout=5)
        assert refused["type"] == "error" and refused["id"] == "1"
        assert refused["payload"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
        # when: the trusted one by id (graphql-ws clients send an empty query beside it)
        payload = {"documentId": document_id(SUBSCRIBE), "query": "", "variables": {"orderId": "T3JkZXI6bm9uZQ=="}}
        await ws.send_json({"id": "2", "type": "subscribe", "payload": payload})
        answer = await ws.receive_json(timeout=5)
        # then: it ran (an unknown order ends the subscription with the API's own error, not a refusal)
        assert answer["id"] == "2"
        assert answer["type"] in ("error", "next", "complete")
        errors = answer.get("payload") or [] if answer["type"] == "error" else []
        codes = [e.get("extensions", {}).get("code") for e in errors]
        assert "PERSISTED_DOCUMENT_REQUIRED" not in codes


async def test_an_unknown_document_id_over_the_socket_is_an_error(api_trusting: Api) -> None:
    async with api_trusting.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init"})
        await ws.receive_json()
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"documentId": "sha256:" + "2" * 64}})
        answer = await ws.receive_json(timeout=5)
        assert answer["type"] == "error"
        assert answer["payload"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"


def test_a_manifest_whose_id_is_not_its_documents_hash_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({document_id(ME): LOGIN}))
    with pytest.raises(BadManifest):
        TrustedDocuments.load([path])


def test_a_manifest_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("not json")
    with pytest.raises(BadManifest):
        TrustedDocuments.load([path])


@pytest.mark.skipif(not SDK_MANIFEST.is_file(), reason="the SDK's manifest is generated by clients/sdk's codegen")
def test_every_document_of_the_sdk_validates_against_the_schema() -> None:
    documents = orjson.loads(SDK_MANIFEST.read_bytes())
    assert documents, "the SDK's manifest is empty"
    for key, text in documents.items():
        assert key == document_id(text)
        assert validate(schema._schema, parse(text)) == [], text


@pytest.mark.skipif(not SDK_MANIFEST.is_file(), reason="the SDK's manifest is generated by clients/sdk's codegen")
async def test_the_sdk_manifest_is_trusted_by_default(api: Api) -> None:
    documents = orjson.loads(SDK_MANIFEST.read_bytes())
    login_id = next(k for k, v in documents.items() if v.startswith("mutation DevLogin"))
    resp = await api.client.post("/graphql", json={"documentId": login_id, "variables": {"nickname": "默认清单"}})
    assert (await resp.json())["data"]["devLogin"]["user"]["nickname"] == "默认清单"

"""Malformed requests are client errors with a code, never INTERNAL_SERVER_ERROR: cursors, variables, bodies,
operations over the wrong transport, sizes; GraphiQL and introspection follow the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from settings import Settings
from store.cursor import encode_cursor
from tests.api.conftest import Api, make_settings

POST = """mutation($in: CreatePostInput!) { createPost(input: $in) { post { id } errors { code } } }"""
COMMENT = (
    """mutation($p: ID!) { commentOnPost(input: {postId: $p, body: "好茶"}) { comment { id } errors { code } } }"""
)


async def post_json(api: Api, body: bytes, **headers: str) -> tuple[int, str, dict[str, Any]]:
    resp = await api.client.post("/graphql", data=body, headers={"Content-Type": "application/json", **headers})
    return resp.status, resp.content_type, orjson.loads(await resp.read())


def code_of(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


# -- cursors


async def connections(api: Api) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """(a signed-in token, every store-backed connection as (query with $a for `after`, its other variables))."""
    token, user = await api.login("游标测试")
    shop = (await api.gql("{ products(first: 1) { edges { node { shop { id } } } } }"))["data"]["products"]
    shop_id = shop["edges"][0]["node"]["shop"]["id"]
    post = await api.gql(POST, {"in": {"kind": "NOTE", "title": "茶", "body": "好茶", "topics": ["绿茶"]}}, token=token)
    post_id = post["data"]["createPost"]["post"]["id"]
    await api.gql(COMMENT, {"p": post_id}, token=token)
    me = {"u": user["id"]}
    return token, [
        ("query($a: String) { products(first: 1, after: $a) { edges { cursor } } }", {}),
        ('query($a: String) { products(first: 1, query: "茶", after: $a) { edges { cursor } } }', {}),
        ("query($a: String, $s: ID!) { shop(id: $s) { products(after: $a) { edges { cursor } } } }", {"s": shop_id}),
        ("query($a: String, $u: ID!) { user(id: $u) { followers(after: $a) { edges { cursor } } } }", me),
        ("query($a: String, $u: ID!) { user(id: $u) { following(after: $a) { edges { cursor } } } }", me),
        ("query($a: String, $u: ID!) { user(id: $u) { posts(after: $a) { edges { cursor } } } }", me),
        ('query($a: String) { topic(name: "绿茶") { posts(after: $a) { edges { cursor } } } }', {}),
        ("query($a: String, $p: ID!) { post(id: $p) { comments(after: $a) { edges { cursor } } } }", {"p": post_id}),
        ("query($a: String) { myOrders(after: $a) { edges { cursor } } }", {}),
        ("query($a: String) { liveRooms(after: $a) { edges { cursor } } }", {}),
        ("query($a: String) { feed(kind: FOLLOWING, after: $a) { edges { cursor } } }", {}),
        ("query($a: String) { feed(kind: FRIENDS, after: $a) { edges { cursor } } }", {}),
        ("query($a: String) { feed(kind: DISCOVER, after: $a) { edges { cursor } } }", {}),
    ]


GARBAGE = [
    "zzzz",  # not base64 of JSON
    "bm90IGpzb24",  # base64 of "not json"
    encode_cursor({"$gt": ""}, "x"),  # a document where a sort value goes (an operator for MongoDB)
    encode_cursor(1, 2),  # an id that is not a string
    "²",  # a digit to str.isdigit, not to int()
    "9" * 5000,  # more digits than int() takes
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
async def test_a_garbage_after_cursor_is_invalid_input_on_every_connection(api: Api, garbage: str) -> None:
    # given every connection that pages through the store
    token, queries = await connections(api)
    for query, variables in queries:
        # when a client sends a cursor the server never handed out
        body = await api.gql(query, {**variables, "a": garbage}, token=token, expect_errors=True)
        # then it is a client error on `after`, not an internal one
        assert code_of(body) == "INVALID_INPUT", (query, body)
        assert body["errors"][0]["extensions"].get("field") == ["after"], (query, body)


# -- variables


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("query($f: Int) { products(first: $f) { edges { cursor } } }", "ten"),
        ("query($f: Int) { products(first: $f) { edges { cursor } } }", 2**31),
        ("query($f: Int) { products(first: $f) { edges { cursor } } }", 1.5),
        ("query($f: ID!) { node(id: $f) { id } }", {"an": "object"}),
        ("query($f: ID!) { node(id: $f) { id } }", [1, 2]),
        ("query($f: FeedKind!) { feed(kind: $f) { edges { cursor } } }", "NOT_A_KIND"),
    ],
)
async def test_a_variable_of_the_wrong_type_is_invalid_input(api: Api, query: str, value: Any) -> None:
    # when a variable's value does not fit its type
    body = await api.gql(query, {"f": value}, expect_errors=True)
    # then the request is refused as the client's mistake, naming the variable
    assert code_of(body) == "INVALID_INPUT", body
    assert "$f" in body["errors"][0]["message"]
    assert body.get("data") is None


# -- bodies


@pytest.mark.parametrize("body", [b"null", b"3", b'"a string"', b"true", b"", b"   "])
async def test_a_json_body_that_is_not_an_object_is_a_bad_request(api: Api, body: bytes) -> None:
    # when the body is JSON (or nothing) but not a request object
    status, content_type, answer = await post_json(api, body)
    # then it is a JSON 400 with a code
    assert (status, content_type, code_of(answer)) == (400, "application/json", "BAD_REQUEST")


async def test_a_batch_is_refused_as_a_bad_request(api: Api) -> None:
    status, _, answer = await post_json(api, b'[{"query": "{ __typename }"}]')
    assert (status, code_of(answer)) == (400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "request_body",
    [
        {"query": "{ __typename }", "variables": "not an object"},
        {"query": "{ __typename }", "variables": [1]},
        {"query": "{ __typename }", "extensions": "not an object"},
        {"query": 5},
        {"query": "{ __typename }", "operationName": 5},
        {"query": "{ __typename }", "operationName": "Missing"},
        {"variables": {}},
    ],
)
async def test_request_fields_of_the_wrong_shape_are_bad_requests(api: Api, request_body: dict[str, Any]) -> None:
    status, _, answer = await post_json(api, orjson.dumps(request_body))
    assert (status, code_of(answer)) == (400, "BAD_REQUEST"), answer


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ __typename }", "variables": "{not json"},
        {"query": "{ __typename }", "variables": "3"},
        {"query": "{ __typename }", "extensions": "[1]"},
        {"query": 'mutation { logout(input: {refreshToken: "x"}) { errors { code } } }'},
    ],
)
async def test_get_requests_with_bad_parameters_are_bad_requests(api: Api, params: dict[str, str]) -> None:
    resp = await api.client.get("/graphql", params=params)
    assert resp.status == 400
    assert code_of(await resp.json()) == "BAD_REQUEST"


async def test_an_unknown_content_type_is_a_bad_request(api: Api) -> None:
    resp = await api.client.post("/graphql", data=b"query={}", headers={"Content-Type": "text/xml"})
    assert resp.status == 400
    assert code_of(await resp.json()) == "BAD_REQUEST"


@pytest.mark.parametrize(
    ("operations", "files_map"),
    [
        ("3", "{}"),
        ("null", "{}"),
        ('"x"', "{}"),
        ('{"query": "{ __typename }"}', "3"),
        ('{"query": "{ __typename }"}', '{"0": 5}'),
    ],
)
async def test_a_multipart_request_of_the_wrong_shape_is_a_bad_request(
    api: Api, operations: str, files_map: str
) -> None:
    # given a signed-in user's multipart request whose `operations` or `map` is JSON of the wrong shape
    token, _ = await api.login("uploader")
    form = aiohttp.FormData()
    form.add_field("operations", operations)
    form.add_field("map", files_map)
    form.add_field("0", b"data", filename="a.bin")
    # when it is posted
    resp = await api.client.post("/graphql", data=form, headers={"Authorization": f"Bearer {token}"})
    # then it is a JSON 400 with a code
    assert resp.status == 400
    assert code_of(await resp.json()) == "BAD_REQUEST"


async def test_a_body_that_cannot_be_decoded_is_a_bad_request(api: Api) -> None:
    # when a body claims an encoding it does not have
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    resp = await api.client.post("/graphql", data=b'{"query": "{ __typename }"}', headers=headers)
    # then it is a JSON 400 with a code
    assert resp.status == 400
    assert code_of(await resp.json()) == "BAD_REQUEST"


# -- operations


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_is_a_bad_request(api: Api, method: str) -> None:
    # given a subscription, which needs the WebSocket
    query = "subscription { feedUpdates { id } }"
    # when it is sent over plain HTTP
    if method == "GET":
        resp = await api.client.get("/graphql", params={"query": query})
    else:
        resp = await api.client.post("/graphql", json={"query": query})
    # then it is refused as the client's mistake
    assert resp.status == 400
    body = await resp.json()
    assert code_of(body) == "BAD_REQUEST"
    assert "subscription" in body["errors"][0]["message"].lower()


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_several_operations_without_an_operation_name_are_refused(api: Api, method: str) -> None:
    # given a document with two operations and no operationName
    query = "query A { __typename } query B { me { id } }"
    # when it is sent
    if method == "GET":
        resp = await api.client.get("/graphql", params={"query": query})
    else:
        resp = await api.client.post("/graphql", json={"query": query})
    # then nothing runs: the spec requires the name
    body = await resp.json()
    assert code_of(body) == "OPERATION_NAME_REQUIRED"
    assert body.get("data") is None


async def test_several_operations_with_an_operation_name_run_that_one(api: Api) -> None:
    resp = await api.client.post(
        "/graphql", json={"query": "query A { __typename } query B { me { id } }", "operationName": "B"}
    )
    assert (await resp.json())["data"] == {"me": None}


async def test_a_spread_of_an_undefined_fragment_is_a_validation_error(api: Api) -> None:
    body = await api.gql("{ me { ...Nope } }", expect_errors=True)
    assert code_of(body) == "GRAPHQL_VALIDATION_FAILED"
    assert "Nope" in body["errors"][0]["message"]


# -- sizes


async def test_a_body_over_the_limit_is_a_json_413_with_a_code(api: Api) -> None:
    # given a body over the 1 MiB request limit, sent without announcing its length
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    # when it is posted to /graphql
    resp = await api.client.post("/graphql", data=chunks(), headers={"Content-Type": "application/json"})
    # then the answer is JSON with a code
    assert resp.status == 413
    assert resp.content_type == "application/json"
    assert code_of(await resp.json()) == "PAYLOAD_TOO_LARGE"


async def test_a_header_over_aiohttps_limit_is_a_json_error_with_a_code(api: Api) -> None:
    # when one header is bigger than the HTTP parser takes (8190 bytes)
    resp = await api.client.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Big": "a" * 20_000})
    # then the answer is still JSON with a code, not aiohttp's text
    assert resp.status in (400, 431)
    assert resp.content_type == "application/json"
    assert code_of(await resp.json()) in ("BAD_REQUEST", "HEADERS_TOO_LARGE")


# -- GraphiQL and introspection


@pytest.fixture
async def api_production(tmp_path: Path) -> AsyncIterator[Api]:
    settings = Settings(DATA_DIR=tmp_path / "data", SECRET_KEY="a-production-secret-key-of-enough-length")
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Api(client)


INTROSPECT = "{ __schema { queryType { name } } }"


async def test_graphiql_and_introspection_are_off_by_default_in_production(api_production: Api) -> None:
    # when a browser asks for /graphql outside dev mode
    resp = await api_production.client.get("/graphql", headers={"Accept": "text/html"})
    # then there is no GraphiQL
    assert "graphiql" not in (await resp.text()).lower()
    assert resp.content_type == "application/json"
    # and introspection is refused (while __typename still works)
    body = await api_production.gql(INTROSPECT, expect_errors=True)
    assert body["errors"] and body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()
    assert (await api_production.gql("{ __typename }"))["data"] == {"__typename": "Query"}


async def test_graphiql_and_introspection_are_on_in_dev_mode(api: Api) -> None:
    resp = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" in (await resp.text()).lower()
    body = await api.gql(INTROSPECT)
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_graphiql_and_introspection_can_be_turned_on_in_production(tmp_path: Path) -> None:
    settings = Settings(
        DATA_DIR=tmp_path / "data",
        SECRET_KEY="a-production-secret-key-of-enough-length",
        GRAPHIQL=True,
        INTROSPECTION=True,
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        resp = await client.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" in (await resp.text()).lower()
        body = await Api(client).gql(INTROSPECT)
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_can_be_turned_off_in_dev_mode(tmp_path: Path) -> None:
    async with TestClient(TestServer(create_app(make_settings(tmp_path, INTROSPECTION=False)))) as client:
        body = await Api(client).gql(INTROSPECT, expect_errors=True)
        assert body.get("data") is None

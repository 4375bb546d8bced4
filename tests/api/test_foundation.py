"""The served app: GraphQL over HTTP and WebSocket, GraphiQL, /healthz, errors with codes, demo data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jwt
from aiohttp import WSMsgType

from tests.api.conftest import Api

ROOT = Path(__file__).resolve().parents[2]


async def test_graphiql_is_served_to_browsers(api: Api) -> None:
    resp = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert resp.status == 200
    assert "graphiql" in (await resp.text()).lower()


async def test_queries_over_get_and_post(api: Api) -> None:
    resp = await api.client.get("/graphql", params={"query": "{ __typename }"})
    assert (await resp.json())["data"] == {"__typename": "Query"}
    assert (await api.gql("{ __typename }"))["data"] == {"__typename": "Query"}


async def test_healthz_names_each_backend_with_kind_and_status(api: Api) -> None:
    resp = await api.client.get("/healthz")
    assert resp.status == 200
    body = await resp.json()
    assert body["store"] == {"kind": "sqlite", "status": "ok"}
    assert body["graph"] == {"kind": "memory", "status": "ok"}
    assert body["bus"] == {"kind": "memory", "status": "ok"}


async def test_healthz_is_503_when_a_backend_is_down(api: Api) -> None:
    store = api.services.store
    await store.close()  # the store stops answering
    resp = await api.client.get("/healthz")
    assert resp.status == 503
    body = await resp.json()
    assert body["store"]["status"].startswith("down")
    assert body["graph"]["status"] == "ok"


async def test_unknown_route_is_a_json_404_with_a_code(api: Api) -> None:
    resp = await api.client.get("/nope")
    assert resp.status == 404
    assert (await resp.json())["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_malformed_body_is_a_json_400_with_a_code(api: Api) -> None:
    resp = await api.client.post("/graphql", data=b"{not json", headers={"Content-Type": "application/json"})
    assert resp.status == 400
    body = await resp.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_invalid_query_has_a_code(api: Api) -> None:
    body = await api.gql("{ noSuchField }", expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_unexpected_errors_are_masked_with_a_stable_code(api: Api) -> None:
    async def explode(ids: object) -> object:
        raise RuntimeError("secret connection string mongodb://admin:pw@db")

    api.services.store.get_many = explode  # type: ignore[method-assign,assignment]
    resp = await api.client.post(
        "/graphql", json={"query": "{ products(first: 1) { edges { node { shop { name } } } } }"}
    )
    text = await resp.text()
    assert "secret" not in text and "Traceback" not in text
    body = await resp.json()
    assert body["errors"][0]["message"] == "Internal server error"
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


async def test_first_outside_1_to_100_is_invalid_input(api: Api) -> None:
    for first in (0, 101, -5):
        body = await api.gql(
            "query($f: Int) { products(first: $f) { edges { cursor } } }", {"f": first}, expect_errors=True
        )
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
        assert body["data"] is None


async def test_deep_queries_are_refused(api: Api) -> None:
    nested = "followers(first: 1) { edges { node { " * 8 + "nickname" + " } } }" * 8
    body = await api.gql("{ me { " + nested + " } }", expect_errors=True)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_many_aliases_are_refused(api: Api) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"
    body = await api.gql(query, expect_errors=True)
    assert body["errors"] and body.get("data") is None


async def test_demo_data_is_loaded_and_browsable(api: Api) -> None:
    body = await api.gql("""{ products(first: 10, sort: PRICE_ASC) { edges { node {
        title price { amount currency } skus { stock } shop { name owner { nickname followerCount } } } } } }""")
    edges = body["data"]["products"]["edges"]
    assert [e["node"]["title"] for e in edges] == ["明前绿茶礼盒", "手工陶瓷茶具套装", "云南普洱茶饼"]
    assert edges[0]["node"]["price"] == {"amount": 19900, "currency": "CNY"}
    assert edges[0]["node"]["shop"]["owner"] == {"nickname": "小红", "followerCount": 3}


async def test_demo_follows_reach_the_graph_through_the_outbox(api: Api) -> None:
    services = api.services
    await services.projector.drain()
    users = {d["nickname"]: d["_id"] for d in (await services.store.find("users", limit=10)).docs}
    friends = await services.backends.graph.neighbors("FRIEND", users["小明"])
    assert sorted(friends) == sorted([users["小红"], users["小刚"]])


async def test_pagination_walks_every_product_once(api: Api) -> None:
    seen, after = [], None
    while True:
        body = await api.gql(
            "query($a: String) { products(first: 2, after: $a) { edges { node { title } }"
            " pageInfo { hasNextPage endCursor } } }",
            {"a": after},
        )
        conn = body["data"]["products"]
        seen += [e["node"]["title"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(["明前绿茶礼盒", "云南普洱茶饼", "手工陶瓷茶具套装"])


async def test_node_resolves_any_global_id_and_rejects_garbage(api: Api) -> None:
    products = await api.gql("{ products(first: 1) { edges { node { id title } } } }")
    node = products["data"]["products"]["edges"][0]["node"]
    body = await api.gql("query($id: ID!) { node(id: $id) { id ... on Product { title } } }", {"id": node["id"]})
    assert body["data"]["node"] == node
    body = await api.gql('{ node(id: "garbage!") { id } }', expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    body = await api.gql("query($id: ID!) { user(id: $id) { id } }", {"id": node["id"]}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_valid_access_token_identifies_the_viewer(api: Api) -> None:
    user = (await api.services.store.find("users", {"nickname": "小明"}, limit=1)).docs[0]
    body = await api.gql("{ me { nickname privacy { activityVisibility } } }", token=api.token_for(user["_id"]))
    assert body["data"]["me"] == {"nickname": "小明", "privacy": {"activityVisibility": "FRIENDS"}}
    assert (await api.gql("{ me { nickname } }"))["data"]["me"] is None


async def test_forged_and_unsigned_tokens_are_unauthenticated(api: Api) -> None:
    forged = jwt.encode(
        {"sub": "x", "iat": 1, "exp": 4102444800, "typ": "access"},
        "a-wrong-key-that-is-long-enough-for-hs256",
        algorithm="HS256",
    )
    unsigned = jwt.encode({"sub": "x", "iat": 1, "exp": 4102444800, "typ": "access"}, None, algorithm="none")
    for token in (forged, unsigned, "not.a.jwt"):
        resp = await api.client.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert resp.status == 401
        assert (await resp.json())["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_websocket_takes_the_token_from_connection_init(api: Api) -> None:
    user = (await api.services.store.find("users", {"nickname": "小红"}, limit=1)).docs[0]
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {api.token_for(user['_id'])}"}}
        )
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "{ me { nickname } }"}})
        msg = await ws.receive_json(timeout=5)
        assert msg["type"] == "next" and msg["payload"]["data"]["me"] == {"nickname": "小红"}
        assert (await ws.receive_json(timeout=5))["type"] == "complete"


async def test_websocket_with_a_bad_token_is_closed_as_forbidden(api: Api) -> None:
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"authorization": "Bearer forged"}})
        msg = await ws.receive(timeout=5)
        assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
        assert ws.close_code == 4403


def test_export_schema_prints_exactly_the_committed_schema() -> None:
    out = subprocess.run(
        [sys.executable, "server.py", "export-schema"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out == (ROOT / "schema.graphql").read_text(), "schema.graphql is stale: run `make schema`"


def test_the_mutations_error_codes_in_the_schema_are_read_from_the_current_code() -> None:
    out = subprocess.run(
        [sys.executable, "tools/mutation_refusals.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    committed = (ROOT / "schema" / "mutation_refusals.json").read_text()
    assert out == committed, "schema/mutation_refusals.json is stale: run `make schema`"
    # and they are what the code raises: placeOrder's include its stock and key refusals, follow's a self-follow
    refusals = json.loads(committed)
    assert {"OUT_OF_STOCK", "UNAUTHENTICATED", "INVALID_INPUT"} <= set(refusals["placeOrder"])
    assert "SELF_ACTION" in refusals["follow"] and "OUT_OF_STOCK" not in refusals["follow"]


def test_an_unreachable_backend_at_start_is_a_clear_message_and_non_zero_exit(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DEV_LOGIN": "1", "REDIS_URL": "redis://127.0.0.1:1/0"}
    proc = subprocess.run(
        [sys.executable, "server.py", "seed", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "bus (redis) is unreachable" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_secret_key_is_required_outside_dev_mode(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "server.py", "seed"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0 and "SECRET_KEY is required" in proc.stderr

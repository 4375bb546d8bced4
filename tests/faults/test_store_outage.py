"""The document store (FerretDB, MongoDB's wire protocol) killed with SIGKILL and restarted: requests that need it
answer UNAVAILABLE with HTTP 503 (never INTERNAL_SERVER_ERROR), /healthz names it, and an order that had taken
stock when the store went away gets it back once the store is back: no half-written order."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from domain.ids import from_global_id
from observability.metrics import unwrapped
from tests.api.conftest import Api, make_product
from tests.api.test_trust_websocket import closed_with
from tests.faults.conftest import Faulty, eventually, health

PLACE = """mutation($lines: [OrderLineInput!]!, $k: String!) {
  placeOrder(input: {lines: $lines, idempotencyKey: $k}) { order { id status } errors { code field } } }"""
ME = "{ me { id nickname } }"
STOCK = "query($id: ID!) { node(id: $id) { ... on Sku { stock } } }"
StartApp = Callable[..., Awaitable[Api]]


async def on_store(app_on: StartApp, mongo: Faulty) -> Api:
    """The app on the private FerretDB, waiting 1 s (not PyMongo's 5) for a server before UNAVAILABLE; no sweep,
    so only the placement's own repair gives stock back."""
    url = mongo.url + "?serverSelectionTimeoutMS=1000"
    return await app_on(MONGO_URL=url, MONGO_DB=f"faults_{uuid.uuid4().hex[:10]}", SWEEP_SECONDS=0)


async def post(api: Api, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = await api.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    return resp.status, resp.headers, await resp.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_requests_that_need_the_store_answer_503_unavailable_while_it_is_down(
    app_on: StartApp, own_mongo: Faulty
) -> None:
    # given a signed-in user with a product
    api = await on_store(app_on, own_mongo)
    token, _ = await api.login("断库买家")
    _, _, (sku,) = await make_product(api, token, stock=5)
    stranger = api.token_for("nobody-cached")  # a token whose user this process has not looked up yet
    # when the store is killed
    await own_mongo.kill()
    try:
        # then a query, a mutation and a request whose token must be checked in the store are all 503 UNAVAILABLE
        status, headers, body = await post(api, ME, token=token)
        assert (status, codes(body), body["data"]) == (503, ["UNAVAILABLE"], {"me": None})
        assert headers["Retry-After"] == "5"
        assert body["errors"][0]["message"] == "A backend is unavailable; try again shortly"  # no host, no driver
        status, _, body = await post(api, PLACE, {"lines": [{"skuId": sku, "quantity": 1}], "k": "down"}, token)
        assert (status, codes(body)) == (503, ["UNAVAILABLE"])
        status, headers, body = await post(api, ME, token=stranger)
        assert (status, codes(body), headers["Retry-After"]) == (503, ["UNAVAILABLE"], "5")
        # and /healthz names the store
        status, report = await health(api)
        assert status == 503 and report["status"] == "degraded"
        assert report["store"]["status"].startswith("down") and report["graph"]["status"] == "ok"
        # and a WebSocket that must be told who it is is closed with 1013 (Try Again Later): clients reconnect
        async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {stranger}"}})
            assert await closed_with(ws) == 1013
    finally:
        # when it is back
        await own_mongo.restart()
    # then the same requests are answered, and the order placed while it was down was never written
    await eventually(lambda: _healthy(api))
    status, _, body = await post(api, ME, token=token)
    assert status == 200 and body["data"]["me"]["nickname"] == "断库买家"
    assert (await api.gql(STOCK, {"id": sku}))["data"]["node"]["stock"] == 5
    placed = await post(api, PLACE, {"lines": [{"skuId": sku, "quantity": 1}], "k": "up"}, token)
    assert placed[0] == 200 and placed[2]["data"]["placeOrder"]["errors"] == []


async def _healthy(api: Api) -> bool:
    return (await health(api))[0] == 200


async def test_an_order_that_took_stock_when_the_store_died_gives_it_back_once_it_is_back(
    app_on: StartApp, own_mongo: Faulty
) -> None:
    # given a product of two SKUs, and a store that is killed just after the first SKU's stock was taken
    api = await on_store(app_on, own_mongo)
    token, _ = await api.login("半单买家")
    _, _, (first, second) = await make_product(api, token, prices=(1000, 2000), stock=5)
    store = unwrapped(api.services.store)
    update_one = store.update_one
    taken: list[str] = []

    async def dies_after_one_line(collection: str, where: Any, update: Any) -> Any:
        if collection == "skus" and "stock" in where:  # a decrement (returns are unguarded)
            if taken:
                await own_mongo.kill()  # the second line's decrement meets a dead store
            taken.append(where["_id"])
        return await update_one(collection, where, update)

    store.update_one = dies_after_one_line
    try:
        lines = [{"skuId": first, "quantity": 2}, {"skuId": second, "quantity": 1}]
        # when the order is placed
        status, _, body = await post(api, PLACE, {"lines": lines, "k": "half"}, token)
        # then the buyer is told to try again (not an internal error), and no order was made
        assert (status, codes(body)) == (503, ["UNAVAILABLE"])
        assert taken == [from_global_id(first)[1], from_global_id(second)[1]]  # the first line's stock was taken
        assert api.services.background  # its return waits for the store
    finally:
        store.update_one = update_one
        await own_mongo.restart()
    # when the store is back, the placement's undo finishes by itself: the stock is back and the order is gone
    await eventually(lambda: _repaired(api))
    assert [(await api.gql(STOCK, {"id": s}))["data"]["node"]["stock"] for s in (first, second)] == [5, 5]
    assert await api.services.store.count("orders", {}) == 0
    # and the same key places the order afresh
    again = await post(api, PLACE, {"lines": lines, "k": "half"}, token)
    assert again[0] == 200 and again[2]["data"]["placeOrder"]["order"]["status"] == "PENDING_PAYMENT"


async def _repaired(api: Api) -> bool:
    return not api.services.background

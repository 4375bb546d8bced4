"""Public queries over GET are cached (response_cache.py): the same answer for everyone, invalidated by the writes
that change it, here and in other processes; anything viewer-dependent is never cached or served to another."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import RESPONSE_CACHE, create_app
from response_cache import ResponseCache
from tests.api.conftest import Api, make_product, make_settings

LIST = "query($n: Int) { products(first: $n) { edges { node { id title salesCount skus { stock } shop { name } } } } }"
ADJUST = """mutation($in: AdjustStockInput!) { adjustStock(input: $in) { sku { stock } errors { code } } }"""


async def get(api: Api, query: str, variables: dict[str, Any] | None = None, **headers: str) -> Any:
    params = {"query": query}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return await api.client.get("/graphql", params=params, headers=headers)


def cache_of(api: Api) -> ResponseCache:
    return api.client.app[RESPONSE_CACHE]


def stocks(body: dict[str, Any]) -> list[int]:
    return [e["node"]["skus"][0]["stock"] for e in body["data"]["products"]["edges"]]


async def answered(response: Any) -> Any:
    """The answer's data, checking that its requestId is this response's own (a cached body is not another's)."""
    body = await response.json()
    assert body["extensions"]["requestId"] == response.headers["X-Request-Id"]
    return body["data"]


async def test_a_public_query_is_answered_from_the_cache_with_an_etag_and_304(api: Api) -> None:
    owner, _ = await api.login("公开店主")
    await make_product(api, owner, title="缓存商品")
    cache = cache_of(api)
    first = await get(api, LIST, {"n": 5})
    assert first.status == 200 and first.headers["Cache-Control"] == "public, max-age=10"
    etag, data = first.headers["ETag"], await answered(first)
    hits = cache.hits
    again = await get(api, LIST, {"n": 5})
    assert await answered(again) == data and again.headers["ETag"] == etag
    assert cache.hits == hits + 1
    # the same variables written in another order or spacing are the same entry
    spaced = await api.client.get("/graphql", params={"query": LIST, "variables": '{ "n" : 5 }'})
    assert await answered(spaced) == data and cache.hits == hits + 2
    # a client that has it gets 304 and no body
    unchanged = await get(api, LIST, {"n": 5}, **{"If-None-Match": etag})
    assert unchanged.status == 304 and await unchanged.read() == b"" and unchanged.headers["ETag"] == etag
    # whoever asks gets the same answer: a signed-in viewer too
    signed = await get(api, LIST, {"n": 5}, Authorization=f"Bearer {owner}")
    assert await answered(signed) == data and cache.hits == hits + 4


async def test_a_write_to_what_an_answer_read_is_visible_at_once(api: Api) -> None:
    owner, _ = await api.login("库存店主")
    shop_id, _, skus = await make_product(api, owner, title="会变的商品", stock=10)
    before = await (await get(api, LIST, {"n": 50})).json()
    assert 10 in stocks(before)
    adjusted = await api.gql(ADJUST, {"in": {"skuId": skus[0], "delta": -3, "idempotencyKey": "k1"}}, token=owner)
    assert adjusted["data"]["adjustStock"]["errors"] == []
    after = await (await get(api, LIST, {"n": 50})).json()
    assert 7 in stocks(after) and 10 not in stocks(after)
    # a new product appears in the list without waiting for the entry to expire
    await make_product(api, owner, title="新上架", shop_id=shop_id)
    titles = [e["node"]["title"] for e in (await (await get(api, LIST, {"n": 50})).json())["data"]["products"]["edges"]]
    assert "新上架" in titles


async def test_an_old_etag_gets_the_new_answer_after_a_change(api: Api) -> None:
    owner, _ = await api.login("标签店主")
    _, _, skus = await make_product(api, owner, title="标签商品", stock=5)
    etag = (await get(api, LIST, {"n": 50})).headers["ETag"]
    await api.gql(ADJUST, {"in": {"skuId": skus[0], "delta": 1, "idempotencyKey": "k2"}}, token=owner)
    fresh = await get(api, LIST, {"n": 50}, **{"If-None-Match": etag})
    assert fresh.status == 200 and fresh.headers["ETag"] != etag and 6 in stocks(await fresh.json())


PRIVATE = [
    "{ me { id nickname } }",
    "query($n: Int) { products(first: $n) { edges { node { id friendsWhoBought { id } } } } }",
    "query($n: Int) { products(first: $n) { edges { node { id shop { owner { nickname } } } } } }",
    "query($id: ID!) { product(id: $id) { id title } }",  # opening a product page counts towards hotProducts
    "{ products(first: 1) { edges { node { id } } } myCoupons { id } }",
]


@pytest.mark.parametrize("query", PRIVATE)
async def test_a_document_with_anything_viewer_dependent_is_never_cached(api: Api, query: str) -> None:
    owner, _ = await api.login("私有店主")
    _, product_id, _ = await make_product(api, owner, title="私有商品")
    cache = cache_of(api)
    variables = {"n": 5} if "$n" in query else {"id": product_id} if "$id" in query else None
    for _ in range(2):
        response = await get(api, query, variables, Authorization=f"Bearer {owner}")
        assert response.status == 200 and "public" not in response.headers.get("Cache-Control", "")
    assert cache.hits == 0 and len(cache._entries) == 0


async def test_two_viewers_each_get_their_own_answer_to_a_private_document(api: Api) -> None:
    alice, alice_user = await api.login("甲")
    bob, bob_user = await api.login("乙")
    query = "{ me { id } products(first: 1) { edges { node { id } } } }"
    a = await (await get(api, query, Authorization=f"Bearer {alice}")).json()
    b = await (await get(api, query, Authorization=f"Bearer {bob}")).json()
    assert a["data"]["me"]["id"] == alice_user["id"] and b["data"]["me"]["id"] == bob_user["id"]


async def test_answers_with_errors_and_post_requests_are_not_cached(api: Api) -> None:
    cache = cache_of(api)
    # a field error (a page size out of range) is answered, not kept
    bad = await get(api, "query($n: Int) { products(first: $n) { edges { cursor } } }", {"n": -1})
    assert (await bad.json())["errors"] and len(cache._entries) == 0
    posted = await api.client.post("/graphql", json={"query": LIST, "variables": {"n": 3}})
    assert posted.status == 200 and "Cache-Control" not in posted.headers and len(cache._entries) == 0
    # a document that does not parse is answered by the executor, as before
    broken = await get(api, "{ products(first: ")
    assert (await broken.json())["errors"] and len(cache._entries) == 0


async def test_a_write_during_an_execution_keeps_its_answer_out_of_the_cache(api: Api) -> None:
    owner, _ = await api.login("并发店主")
    _, _, skus = await make_product(api, owner, title="并发商品", stock=10)
    cache = cache_of(api)
    store = api.services.store
    original = store.find
    gate = asyncio.Event()

    def slow_find(collection: str, *args: Any, **kwargs: Any) -> Any:
        result = original(collection, *args, **kwargs)
        if collection != "products":
            return result

        async def later() -> Any:
            await gate.wait()  # the write lands after this read began, before the answer is kept
            return await result

        return later()

    store.find = slow_find  # type: ignore[method-assign]
    reading = asyncio.create_task(get(api, LIST, {"n": 50}))
    await asyncio.sleep(0.05)
    await api.gql(ADJUST, {"in": {"skuId": skus[0], "delta": -1, "idempotencyKey": "k3"}}, token=owner)
    gate.set()
    await (await reading).read()
    del store.find
    assert len(cache._entries) == 0
    assert 9 in stocks(await (await get(api, LIST, {"n": 50})).json())


@pytest.fixture
async def two_processes(tmp_path: Path, redis_url: str) -> AsyncIterator[tuple[Api, Api]]:
    """Two apps on one SQLite file and one Redis: what two worker processes share."""
    settings = make_settings(tmp_path, REDIS_URL=redis_url)
    async with TestClient(TestServer(create_app(settings))) as one:
        async with TestClient(TestServer(create_app(settings))) as two:
            yield Api(one), Api(two)


async def test_another_process_drops_its_entry_within_a_tick_and_shares_entries_through_redis(
    two_processes: tuple[Api, Api],
) -> None:
    one, two = two_processes
    owner, _ = await one.login("两进程店主")
    _, _, skus = await make_product(one, owner, title="两进程商品", stock=10)
    await asyncio.sleep(0.3)  # both are listening for invalidations
    data = await answered(await get(two, LIST, {"n": 50}))
    hits = cache_of(one).hits
    assert await answered(await get(one, LIST, {"n": 50})) == data  # kept by two, answered by one through Redis
    assert cache_of(one).hits == hits + 1
    await one.gql(ADJUST, {"in": {"skuId": skus[0], "delta": -4, "idempotencyKey": "k4"}}, token=owner)
    for _ in range(50):  # the invalidation reaches the other process within a tick or two
        if 6 in stocks(await (await get(two, LIST, {"n": 50})).json()):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the other process kept answering the old stock")

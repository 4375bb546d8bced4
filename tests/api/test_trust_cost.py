"""Query cost and document size are bounded before anything runs: nested connections multiply by their `first`,
the budget is smaller for anonymous callers, big documents are refused before validation, and validating a new
document never holds up the event loop."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from schema import limits
from tests.api.conftest import Api, make_settings


def code_of(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


def nested_shops(shop_id: str, first: int, levels: int) -> str:
    inner = "title"
    for _ in range(levels):
        inner = f"products(first: {first}) {{ edges {{ node {{ shop {{ {inner} }} }} }} }}"
    return f'shop(id: "{shop_id}") {{ {inner} }}'.replace("shop { title }", "title")


async def a_shop(api: Api) -> str:
    body = await api.gql("{ products(first: 1) { edges { node { shop { id } } } } }")
    return str(body["data"]["products"]["edges"][0]["node"]["shop"]["id"])


async def test_the_nested_connection_attack_is_refused_before_any_resolver_runs(api: Api) -> None:
    # given the query: shop -> products(first: 100) -> shop -> ... at depth 12, under 30 aliases
    shop_id = await a_shop(api)
    query = "{ " + " ".join(f"a{i}: {nested_shops(shop_id, 100, 3)}" for i in range(30)) + " }"
    reads: list[str] = []  # of shops and products (the background jobs read other collections)
    store = api.services.store
    get_many, find = store.get_many, store.find

    async def counting_get_many(collection: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(collection)
        return await get_many(collection, *args, **kwargs)

    async def counting_find(collection: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(collection)
        return await find(collection, *args, **kwargs)

    store.get_many, store.find = counting_get_many, counting_find  # type: ignore[method-assign]
    # when an anonymous client sends it
    body = await api.gql(query, expect_errors=True)
    # then it is refused with the cost and the budget, and nothing was read
    assert code_of(body) == "QUERY_TOO_COSTLY"
    assert body.get("data") is None
    message = body["errors"][0]["message"]
    cost, budget = (int(n) for n in re.findall(r"\d+", message)[:2])
    assert cost > 1_000_000 and budget == 5000
    assert not {"shops", "products"} & set(reads)


README = """{ products(first: 10, sort: PRICE_ASC) { edges { node {
    title price { amount currency } skus { specs { name value } stock }
    shop { name owner { nickname followerCount followers(first: 5) { edges { node { nickname } } } } } } } } }"""


async def test_the_readme_example_passes_for_an_anonymous_client(api: Api) -> None:
    body = await api.gql(README)
    assert len(body["data"]["products"]["edges"]) == 3


async def test_a_full_page_of_each_feed_passes(api: Api) -> None:
    token, _ = await api.login("看动态的人")
    for kind in ("FOLLOWING", "FRIENDS", "DISCOVER"):
        await api.gql(
            f"""{{ feed(kind: {kind}, first: 50) {{ edges {{ cursor node {{ id verb at
                actor {{ id nickname avatarUrl }}
                post {{ id title body images likeCount commentCount viewerLiked author {{ id nickname }}
                        products {{ id title price {{ amount currency }} }} topics {{ name }} }}
                product {{ id title price {{ amount }} }} }} }}
                pageInfo {{ hasNextPage endCursor }} }} }}""",
            token=token,
        )


# products 1 + 100 x (edges 1 + node 1 + similar 1 + 50 x (title, id)) = 10,301: over 5,000, under 20,000
BETWEEN = "{ products(first: 100) { edges { node { similar(first: 50) { title id } } } } }"


async def test_anonymous_callers_have_a_smaller_budget_than_signed_in_ones(api: Api) -> None:
    # given a query that costs 10,301
    token, _ = await api.login("登录的人")
    # when an anonymous client sends it, it is refused
    body = await api.gql(BETWEEN, expect_errors=True)
    assert code_of(body) == "QUERY_TOO_COSTLY"
    assert "10301" in body["errors"][0]["message"]
    # and when a signed-in one does, it runs
    assert "products" in (await api.gql(BETWEEN, token=token))["data"]


async def test_page_sizes_given_as_variables_are_counted(api: Api) -> None:
    query = "query($n: Int) { products(first: $n) { edges { node { similar(first: $n) { title id } } } } }"
    # 1 + 100 x (3 + 100 x 2) = 20,301 with $n = 100; 1 + 5 x (3 + 5 x 2) = 66 with $n = 5
    assert code_of(await api.gql(query, {"n": 100}, expect_errors=True)) == "QUERY_TOO_COSTLY"
    assert "products" in (await api.gql(query, {"n": 5}))["data"]


async def test_a_variables_default_is_counted_when_it_is_not_given(api: Api) -> None:
    query = "query($n: Int = 100) { products(first: $n) { edges { node { similar(first: $n) { title id } } } } }"
    assert code_of(await api.gql(query, expect_errors=True)) == "QUERY_TOO_COSTLY"


async def test_a_missing_first_counts_as_the_default_page(api: Api) -> None:
    # 30 x (products 1 + 20 x (edges 1 + node 1 + similar 1 + 20 x 1)) = 13,830 for an anonymous caller
    query = "{ " + " ".join(f"a{i}: products {{ edges {{ node {{ similar {{ id }} }} }} }}" for i in range(30)) + " }"
    assert code_of(await api.gql(query, expect_errors=True)) == "QUERY_TOO_COSTLY"


async def test_fragments_are_counted_where_they_are_spread(api: Api) -> None:
    query = """{ products(first: 100) { edges { node { ...P } } } }
      fragment P on Product { similar(first: 50) { ...Q } }
      fragment Q on Product { title id }"""
    assert code_of(await api.gql(query, expect_errors=True)) == "QUERY_TOO_COSTLY"


async def test_nodes_count_one_item_per_id(api: Api) -> None:
    shop_id = await a_shop(api)
    inner = "... on Shop { products(first: 100) { edges { node { similar(first: 10) { id } } } } }"
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { " + inner + " } }"
    # 1 + 5 x (1 + 100 x (3 + 10)) = 6,506 with five ids
    body = await api.gql(query, {"ids": [shop_id] * 5}, expect_errors=True)
    assert code_of(body) == "QUERY_TOO_COSTLY"


@pytest.fixture
async def api_small_budget(tmp_path: Path) -> AsyncIterator[Api]:
    settings = make_settings(tmp_path, QUERY_COST_ANONYMOUS=50, QUERY_COST_SIGNED_IN=500)
    async with TestClient(TestServer(create_app(settings, seed_demo=True))) as client:
        yield Api(client)


async def test_the_budgets_are_settings(api_small_budget: Api) -> None:
    api = api_small_budget
    body = await api.gql(README, expect_errors=True)
    assert code_of(body) == "QUERY_TOO_COSTLY"
    assert "budget of an anonymous request is 50" in body["errors"][0]["message"]
    token, _ = await api.login("小预算")
    assert "products" in (await api.gql(README, token=token))["data"]


# -- document size and validation time


async def test_hundreds_of_copies_of_a_field_are_refused_before_validation(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the document: 320 copies of one field, whitespace varied so no cache has seen it
    copies = " ".join("followers(first: 1) {" + " " * (i % 7) + "edges { cursor } }" for i in range(320))
    validated: list[Any] = []
    real = limits.validate_document
    monkeypatch.setattr(limits, "validate_document", lambda *args: validated.append(args) or real(*args))
    # when it is sent
    body = await api.gql("{ me { " + copies + " } }", expect_errors=True)
    # then it is refused by counting, before graphql-core's validation (which takes seconds) ever runs
    assert code_of(body) == "QUERY_TOO_LARGE"
    assert "961 selections" in body["errors"][0]["message"]
    assert validated == []


@pytest.fixture
async def api_slow_validation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Api]:
    """Validation that takes seconds, whatever the machine's speed: graphql-core's own run is held back in its thread
    until the test lets it go (a real overlapping-fields document is 0.6 s on one machine and 3 s on another)."""
    release = threading.Event()
    real = limits._validate_now

    def slow(*args: Any) -> Any:
        release.wait(30)
        return real(*args)

    monkeypatch.setattr(limits, "_validate_now", slow)
    settings = make_settings(tmp_path, QUERY_VALIDATION_SECONDS=2.0)
    async with TestClient(TestServer(create_app(settings))) as client:
        try:
            yield Api(client)
        finally:
            release.set()


async def test_validation_does_not_hold_up_the_event_loop_and_is_time_boxed(api_slow_validation: Api) -> None:
    api = api_slow_validation
    # given a document that takes long to validate, never seen before
    slow = asyncio.create_task(api.gql("{ me { followers(first: 1) { edges { cursor } } } }", expect_errors=True))
    await asyncio.sleep(0.1)
    # when /healthz is asked while it validates
    resp = await api.client.get("/healthz")
    # then it answers, while the slow request is still waiting
    assert resp.status == 200
    assert not slow.done()
    # and the slow request is refused when its time is up
    body = await asyncio.wait_for(slow, 10)
    assert code_of(body) == "QUERY_TOO_COMPLEX"

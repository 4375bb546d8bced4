"""schema/execution.py's fast path answers exactly what graphql-core's ordinary executor answers: the same data and
the same errors at the same paths, for documents that take it (plain reads, lists, aliases, fragments, a
context-only resolver) and documents that leave it (directives, arguments, errors in lists, non-null violations)."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app import SCHEMA
from domain.ids import from_global_id
from schema.execution import ApiExecutionContext
from tests.api.conftest import Api, make_product

DOCUMENTS = [
    "{ products(first: 50) { edges { cursor node { id title price { amount currency } salesCount shop { name } } } } }",
    """{ products(first: 5) { edges { node { ...P again: title shop { __typename id name } } }
       pageInfo { hasNextPage } } }
       fragment P on Product { id t: title price { ... on Money { amount } currency } skus { id price { amount } } }""",
    """query($no: Boolean!) { products(first: 5) { edges { node { id title @include(if: $no)
       price @skip(if: $no) { amount } shop { name @include(if: true) } } } } }""",
    """{ products(first: 3) { edges { node { id groupBuy { tiers { size price { amount } } }
       bargain { floorPrice { amount } helpersNeeded } } } } }""",
    "{ products(first: 3) { edges { node { title similar(first: 2) { title shop { name } } } } } }",
    # viewer-only fields refused inside a list: errors at each item's path
    "{ products(first: 3) { edges { node { id viewerHasFavorited shop { viewerHasFavorited } } } } }",
    "{ feed(kind: DISCOVER, first: 5) { edges { node { __typename id } } } }",
    "{ me { id } }",
]


async def run_both(api: Api, query: str, variables: dict[str, Any], token: str | None) -> list[dict[str, Any]]:
    schema = api.client.app[SCHEMA]  # type: ignore[index]
    bodies = []
    for executor in (ApiExecutionContext, StrawberryGraphQLCoreExecutionContext):
        schema.execution_context_class = executor
        try:
            body = await api.gql(query, variables, token=token, expect_errors=True)
        finally:
            schema.execution_context_class = ApiExecutionContext
        body.pop("extensions", None)  # the request id
        bodies.append(body)
    return bodies


@pytest.mark.parametrize("query", DOCUMENTS)
async def test_the_fast_path_answers_what_graphql_core_answers(api: Api, query: str) -> None:
    token, _ = await api.login("执行者")
    for i in range(3):
        await make_product(api, token, title=f"快路径{i}", prices=(100 + i, 200))
    for viewer in (None, token):
        fast, ordinary = await run_both(api, query, {"no": False}, viewer)
        assert fast == ordinary
        assert fast.get("data") is not None


async def test_a_non_null_violation_in_a_plain_read_nulls_the_nearest_nullable_parent_as_before(api: Api) -> None:
    # given a product whose title the page's document lost (a broken document: a plain read of a non-null field
    # finds None)
    token, _ = await api.login("坏文档")
    _, product_id, _ = await make_product(api, token, title="坏标题")
    store = api.services.store
    raw = from_global_id(product_id)[1]
    await store.update_one("products", {"_id": raw}, {"$set": {"title": None}})
    query = "{ products(first: 10) { edges { node { id title price { amount } } } } }"
    fast, ordinary = await run_both(api, query, {}, None)
    assert fast == ordinary
    assert fast["errors"] and fast["errors"][0]["path"][:2] == ["products", "edges"]

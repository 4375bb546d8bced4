"""A property-based GraphQL fuzzer (hypothesis-graphql) against the app on the embedded default, with the demo
world seeded: for every query and mutation field of the committed schema, a bounded number of generated requests,
anonymous and signed in, whose ids are mostly real ones of every type (so the requests reach the use cases, not
only the id decoding). Nothing a client sends may answer INTERNAL_SERVER_ERROR or a 5xx status.

    FUZZ_EXAMPLES=20 .venv/bin/pytest tests/fuzz    # requests per field; CI runs the default
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from app import create_app
from domain.ids import from_global_id
from settings import Settings
from tests.api.conftest import Api, make_settings

SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
PER_TYPE = 3  # real ids of each type the fuzzer picks from
# Rate limits would refuse most generated mutations after the first few: lifted, so the use cases run.
NO_LIMITS = {name: 1_000_000 for name in Settings.model_fields if name.endswith("_PER_MINUTE")}
WORLD = """{ products(first: 20) { edges { node { id skus { id } shop { id owner { id } } } } }
  feed(kind: DISCOVER, first: 20) { edges { node { id post { id } actor { id } } } } }"""


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = self.loop.run_until_complete(self._start(tmp_path))
        self.api = Api(self.client)
        self.tokens: list[str | None] = [None]
        self.ids: list[str] = []
        self.by_type: dict[str, list[str]] = {}
        self.loop.run_until_complete(self._gather())

    @staticmethod
    async def _start(tmp_path: Path) -> TestClient:  # type: ignore[type-arg]
        client = TestClient(TestServer(create_app(make_settings(tmp_path, **NO_LIMITS), seed_demo=True)))
        await client.start_server()
        return client

    async def _gather(self) -> None:
        for nickname in ("模糊测试买家", "模糊测试卖家"):
            token, user = await self.api.login(nickname)
            self.tokens.append(token)
            self.ids.append(user["id"])
        data = (await self.api.gql(WORLD, token=self.tokens[1]))["data"]
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    if key == "id" and isinstance(inner, str):
                        found.add(inner)
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        walk(data)
        for global_id in sorted(found | set(self.ids)):
            self.by_type.setdefault(from_global_id(global_id)[0], []).append(global_id)
        self.ids = [i for ids in self.by_type.values() for i in ids[:PER_TYPE]]

    def real_ids(self, document: graphql.DocumentNode) -> str:
        """The generated document with most values of `...Id` / `...Ids` fields and arguments replaced by real ids of
        the type the name says (`userId` a User's, `skuIds` Skus'), so a request reaches its use case; one in four
        keeps what the fuzzer generated. Chosen from the generated value, so a run is reproducible."""
        world = self

        def swap(name: str, value: graphql.ValueNode) -> graphql.ValueNode | None:
            type_name = name[:-3] if name.endswith("Ids") else name[:-2] if name.endswith("Id") else None
            candidates = world.by_type.get(type_name[:1].upper() + type_name[1:]) if type_name else None
            if not candidates:
                return None
            if isinstance(value, graphql.StringValueNode):
                digest = sum(map(ord, value.value))
                return None if digest % 4 == 0 else string_node(candidates[digest % len(candidates)])
            if isinstance(value, graphql.ListValueNode):
                return graphql.ListValueNode(values=tuple(swap(name[:-1], v) or v for v in value.values))
            return None

        class Swap(graphql.Visitor):
            def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
                new = swap(node.name.value, node.value)
                return graphql.ArgumentNode(name=node.name, value=new) if new is not None else None

            def enter_object_field(self, node: graphql.ObjectFieldNode, *_: Any) -> Any:
                new = swap(node.name.value, node.value)
                return graphql.ObjectFieldNode(name=node.name, value=new) if new is not None else None

        return graphql.print_ast(graphql.visit(document, Swap()))

    def post(self, query: str, token: str | None) -> tuple[int, Any]:
        async def send() -> tuple[int, Any]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            resp = await self.client.post("/graphql", json={"query": query}, headers=headers)
            return resp.status, await resp.json(content_type=None)

        return self.loop.run_until_complete(send())

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())
        self.loop.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path)
    yield made
    made.close()


def string_node(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


def json_node(value: Any) -> graphql.ValueNode:
    """A JSON value as a GraphQL literal (the JSON scalar: page documents)."""
    if isinstance(value, dict):
        fields = [graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=json_node(v)) for k, v in value.items()]
        return graphql.ObjectValueNode(fields=tuple(fields))
    if isinstance(value, list):
        return graphql.ListValueNode(values=tuple(json_node(v) for v in value))
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if value is None:
        return graphql.NullValueNode()
    return string_node(str(value))


JSON_KEYS = st.sampled_from(["schemaVersion", "title", "sections", "id", "type", "settings", "blocks", "theme"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(JSON_KEYS | st.from_regex(r"\A[a-z]{1,8}\Z"), inner, max_size=5)
    ),
    max_leaves=20,
)


def internal_errors(body: Any) -> list[Any]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors or [] if (e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"]


def root_fields() -> list[str]:
    schema = graphql.build_schema(SCHEMA)
    return sorted({*schema.query_type.fields, *(schema.mutation_type.fields if schema.mutation_type else {})})


def test_generated_requests_never_answer_internal_server_error(world: World) -> None:
    ids = st.sampled_from(world.ids) | st.text(max_size=30)
    scalars = {
        "ID": ids.map(string_node),
        "Long": st.integers(min_value=-(2**63), max_value=2**63 - 1).map(lambda n: graphql.IntValueNode(value=str(n))),
        "DateTime": st.datetimes().map(lambda d: string_node(d.isoformat() + "Z"))
        | st.text(max_size=30).map(string_node),
        "Upload": st.just(graphql.NullValueNode()),
        "JSON": JSON_VALUES.map(json_node),
    }
    seen = {"requests": 0}

    for name in root_fields():

        @seed(20261202)  # the same requests in every run, so a red CI is reproducible; FUZZ_EXAMPLES widens it
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            query=from_schema(SCHEMA, fields=[name], custom_scalars=scalars, print_ast=world.real_ids),
            who=st.sampled_from(world.tokens),
        )
        def check(query: str, who: str | None) -> None:
            status, body = world.post(query, who)
            seen["requests"] += 1
            if os.environ.get("FUZZ_SHOW"):
                codes = [(e.get("extensions") or {}).get("code") for e in (body or {}).get("errors") or []]
                print(status, " ".join(query.split())[:60], codes[:3], str(body)[:200].replace("\n", " "))
            assert status < 500, (status, query, body)
            assert not internal_errors(body), (query, body)

        check()
    assert seen["requests"] >= len(root_fields())  # every field was asked at least once

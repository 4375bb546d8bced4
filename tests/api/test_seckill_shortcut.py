"""seckillOrder's sold-out answer before the engine (schema/shortcuts.py): once this process has flagged an SKU sold
out, its attempts are refused without GraphQL execution, with the answer the engine gives (the same refusals in the
same order: signed in, address, key, campaign, slot, path token, then OUT_OF_STOCK); whatever the shortcut does not
answer goes to the engine as before."""

from __future__ import annotations

from typing import Any

import pytest

from app import SHORTCUTS
from tests.api.conftest import Api
from tests.api.test_seckill import DAY0, HOUR, MIN, attempt, campaign_input, create, path_token, world

RUSH = """mutation Rush($c: ID!, $s: ID!, $q: Int!, $t: String!, $k: String!, $a: ID) {
  seckillOrder(input: {campaignId: $c, skuId: $s, quantity: $q, pathToken: $t, idempotencyKey: $k, addressId: $a}) {
    __typename order { id status } serverTime errors { code field message } } }"""
ALIASED = """mutation($c: ID!, $s: ID!, $t: String!, $k: String!) {
  rush: seckillOrder(input: {campaignId: $c, skuId: $s, quantity: 1, pathToken: $t, idempotencyKey: $k}) {
    why: errors { what: code __typename } when: serverTime } }"""
LITERALS = """mutation($t: String!) {
  seckillOrder(input: {campaignId: "$C", skuId: "$S", quantity: 1, pathToken: $t, idempotencyKey: "lit"}) {
    errors { code field message } } }"""
WITH_DEFAULT = """mutation($c: ID!, $s: ID!, $t: String!, $k: String! = "dflt") {
  seckillOrder(input: {campaignId: $c, skuId: $s, quantity: 1, pathToken: $t, idempotencyKey: $k}) {
    errors { code } } }"""
WITH_FRAGMENT = """mutation($c: ID!, $s: ID!, $t: String!, $k: String!) {
  seckillOrder(input: {campaignId: $c, skuId: $s, quantity: 1, pathToken: $t, idempotencyKey: $k}) {
    ...F } }
fragment F on SeckillOrderPayload { errors { code } }"""
WITH_DIRECTIVE = """mutation($c: ID!, $s: ID!, $t: String!, $k: String!, $yes: Boolean!) {
  seckillOrder(input: {campaignId: $c, skuId: $s, quantity: 1, pathToken: $t, idempotencyKey: $k}) {
    errors @include(if: $yes) { code } } }"""


async def sold_out(api: Api) -> tuple[str, str, str]:
    """A running slot of one unit, bought, then refused once by the store's gate (which flags it): (campaign, SKU,
    a path token's buyer's access token)."""
    merchant, shop, sku, clock = await world(api)
    made = await create(api, merchant, campaign_input(shop, sku, items=[{"skuId": sku, "price": 100, "stock": 1}]))
    campaign = made["campaign"]["id"]
    clock.ms = DAY0 + 10 * HOUR + MIN
    first, _ = await api.login("first")
    path = await path_token(api, first, campaign)
    assert path is not None
    assert (await attempt(api, first, campaign, sku, path, "k1"))["errors"] == []
    late, _ = await api.login("late")
    late_path = await path_token(api, late, campaign)
    assert late_path is not None
    refused = await attempt(api, late, campaign, sku, late_path, "k1")
    assert [e["code"] for e in refused["errors"]] == ["OUT_OF_STOCK"]
    return campaign, sku, late


class Spy:
    """Counts what the shortcut answered; `off` sends everything to the engine."""

    def __init__(self, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shortcuts = api.client.app[SHORTCUTS]
        self.answered = 0
        self.off = False
        real = self.shortcuts.answer

        async def answer(*args: Any) -> Any:
            if self.off:
                return None
            response = await real(*args)
            self.answered += response is not None
            return response

        monkeypatch.setattr(self.shortcuts, "answer", answer)


async def both_ways(
    api: Api, spy: Spy, body: dict[str, Any], token: str | None, accept: str | None = None
) -> tuple[Any, Any, int]:
    """The response with shortcuts on and then with the engine alone (status, content type, JSON with the request
    id's value left out), and how many the shortcut answered."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if accept is not None:
        headers["Accept"] = accept
    seen = []
    before = spy.answered
    for off in (False, True):
        spy.off = off
        resp = await api.client.post("/graphql", json=body, headers=headers)
        payload = await resp.json(content_type=None)
        if isinstance(payload, dict) and "extensions" in payload:
            payload["extensions"] = sorted(payload["extensions"])  # each request has its own id
        seen.append((resp.status, resp.headers["Content-Type"], payload))
    spy.off = False
    return seen[0], seen[1], spy.answered - before


async def answered_alike(api: Api, spy: Spy, cases: list[tuple[str, dict[str, Any], str | None]]) -> Any:
    """Each case, in both media types, answered by the shortcut exactly as by the engine (the request id there
    both ways); the engine's last JSON."""
    engine: Any = None
    for name, body, token in cases:
        for accept in (None, "application/graphql-response+json"):
            api.services.limiter.__init__()  # type: ignore[misc]  # each way starts with a full bucket
            shortcut, engine, answered = await both_ways(api, spy, body, token, accept)
            assert answered == 1, name
            assert shortcut == engine, name
            assert engine[2]["extensions"] == ["requestId"], name
    return engine[2]


async def test_sold_out_attempts_get_the_engines_answer_without_the_engine(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an SKU this process flagged sold out
    campaign, sku, buyer = await sold_out(api)
    path = await path_token(api, buyer, campaign)
    spy = Spy(api, monkeypatch)
    variables = {"c": campaign, "s": sku, "q": 1, "t": path, "k": "again", "a": None}
    cases: list[tuple[str, dict[str, Any], str | None]] = [
        ("sold out", {"query": RUSH, "variables": variables, "operationName": "Rush"}, buyer),
        ("aliases and __typename", {"query": ALIASED, "variables": variables}, buyer),
        (
            "a nullable variable left out",
            {"query": RUSH, "variables": {k: v for k, v in variables.items() if k != "a"}},
            buyer,
        ),
        (
            "literals in the document",
            {"query": LITERALS.replace("$C", campaign).replace("$S", sku), "variables": {"t": path}},
            buyer,
        ),
        ("another slot's token", {"query": RUSH, "variables": {**variables, "t": "forged"}}, buyer),
        ("anonymous", {"query": RUSH, "variables": variables}, None),
        ("a bad address id", {"query": RUSH, "variables": {**variables, "a": "nope"}}, buyer),
        ("an empty idempotency key", {"query": RUSH, "variables": {**variables, "k": ""}}, buyer),
        ("a quantity above the order limit", {"query": RUSH, "variables": {**variables, "q": 3}}, buyer),
    ]
    # when each request is answered by the shortcut and by the engine, then the shortcut answered it as the engine
    engine = await answered_alike(api, spy, cases)
    codes = [e["code"] for e in engine["data"]["seckillOrder"]["errors"]]
    assert codes == ["OUT_OF_STOCK"]  # the quantity comes after the flag, as in the engine


async def test_what_the_shortcut_does_not_answer_goes_to_the_engine(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    campaign, sku, buyer = await sold_out(api)
    path = await path_token(api, buyer, campaign)
    spy = Spy(api, monkeypatch)
    variables = {"c": campaign, "s": sku, "q": 1, "t": path, "k": "again"}
    cases: list[tuple[str, dict[str, Any], str | None]] = [
        ("a fragment", {"query": WITH_FRAGMENT, "variables": variables}, buyer),
        ("a variable with a default", {"query": WITH_DEFAULT, "variables": variables}, buyer),
        ("an unknown field", {"query": RUSH.replace("serverTime", "nope"), "variables": variables}, buyer),
        ("two operations", {"query": RUSH + " query Other { me { id } }", "variables": variables}, buyer),
        ("a directive", {"query": WITH_DIRECTIVE, "variables": {**variables, "yes": True}}, buyer),
        ("a variable that does not coerce", {"query": RUSH, "variables": {**variables, "q": "one"}}, buyer),
        ("a missing variable", {"query": RUSH, "variables": {"c": campaign}}, buyer),
        ("a bad token", {"query": RUSH, "variables": variables}, "not-a-token"),
        ("a campaign id of another type", {"query": RUSH, "variables": {**variables, "c": sku}}, buyer),
        ("an SKU not flagged", {"query": RUSH, "variables": {**variables, "s": campaign}}, buyer),
    ]
    for name, body, token in cases:
        api.services.limiter.__init__()  # type: ignore[misc]
        shortcut, engine, answered = await both_ways(api, spy, body, token)
        assert answered == 0, name
        assert shortcut == engine, name


async def test_sold_out_attempts_spend_no_rate_limit(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a flagged SKU and a buyer tapping past SECKILL_ATTEMPTS_PER_SECOND (5) within the same second
    campaign, sku, buyer = await sold_out(api)
    path = await path_token(api, buyer, campaign)
    spy = Spy(api, monkeypatch)
    api.services.limiter.__init__()  # type: ignore[misc]
    codes = []
    for i in range(7):
        answer = await attempt(api, buyer, campaign, sku, path or "", f"k{i}")
        codes += [e["code"] for e in answer["errors"]]
    # then each hears "sold out" (the bot guard counts attempts that could take a unit), answered by the shortcut
    assert spy.answered == 7
    assert codes == ["OUT_OF_STOCK"] * 7
    assert api.services.limiter._buckets == {}  # type: ignore[attr-defined]


async def test_a_unit_coming_back_clears_the_flag_and_the_engine_sells_it(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign, sku, buyer = await sold_out(api)
    spy = Spy(api, monkeypatch)
    # when the flag is cleared (a unit came back: the bus event every process reads)
    api.services.seckill.changed(from_global(campaign), from_global(sku))
    path = await path_token(api, buyer, campaign)
    refused = await attempt(api, buyer, campaign, sku, path or "", "k2")
    # then the attempt went to the engine (which asked the gate: still none left)
    assert spy.answered == 0
    assert [e["code"] for e in refused["errors"]] == ["OUT_OF_STOCK"]


async def test_an_answered_operation_is_counted_in_the_metrics(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    campaign, sku, buyer = await sold_out(api)
    path = await path_token(api, buyer, campaign)
    spy = Spy(api, monkeypatch)
    variables = {"c": campaign, "s": sku, "q": 1, "t": path, "k": "again", "a": None}
    headers = {"Authorization": f"Bearer {buyer}"}
    await api.client.post("/graphql", json={"query": RUSH, "variables": variables}, headers=headers)
    assert spy.answered == 1
    text = await (await api.client.get("/metrics")).text()
    assert 'graphql_operations_total{operation="Rush",type="mutation"} 1.0' in text.replace("yxg_", "")


def from_global(global_id: str) -> str:
    from domain.ids import from_global_id

    return from_global_id(global_id)[1]

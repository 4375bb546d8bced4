"""trackEvents before the engine (schema/shortcuts.py): the whole mutation is in memory, so every call whose
variables coerce is answered without GraphQL execution, with the engine's answer: accepted batches, each refusal
(a bad event, 101 events, an anonymous caller without a client id, the rate limit) and what the events become."""

from __future__ import annotations

from typing import Any

import pytest

from domain.ids import to_global_id
from tests.api.conftest import Api
from tests.api.test_seckill_shortcut import Spy, answered_alike

TRACK = """mutation Track($in: TrackEventsInput!) {
  trackEvents(input: $in) { __typename accepted errors { code field message } } }"""
ALIASED = """mutation($e: [JSON!]!, $c: String) { t: trackEvents(input: {events: $e, clientId: $c}) { n: accepted } }"""


def view(shop: str, i: int) -> dict[str, Any]:
    return {"name": "PRODUCT_VIEW", "shopId": shop, "id": f"v{i}", "properties": {"productId": "p1"}}


async def test_track_events_answers_as_the_engine_does(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    token, _ = await api.login("看客")
    shop = to_global_id("Shop", "s1")
    spy = Spy(api, monkeypatch)
    batch = [view(shop, i) for i in range(3)]
    cases: list[tuple[str, dict[str, Any], str | None]] = [
        ("a batch", {"query": TRACK, "variables": {"in": {"events": batch}}}, token),
        ("aliases, literal input", {"query": ALIASED, "variables": {"e": batch, "c": None}}, token),
        (
            "anonymous with a client id",
            {"query": TRACK, "variables": {"in": {"events": batch, "clientId": "c" * 12}}},
            None,
        ),
        ("anonymous without one", {"query": TRACK, "variables": {"in": {"events": batch}}}, None),
        ("bad events", {"query": TRACK, "variables": {"in": {"events": [{"name": "NOPE"}, 5, view("x", 1)]}}}, token),
        ("101 events", {"query": TRACK, "variables": {"in": {"events": [view(shop, i) for i in range(101)]}}}, token),
        ("an event a day ahead", {"query": TRACK, "variables": {"in": {"events": [{**batch[0], "at": 2**45}]}}}, token),
    ]
    engine = await answered_alike(api, spy, cases)
    assert engine["data"]["trackEvents"]["errors"][0]["field"] == ["input", "events", "0", "at"]


async def test_tracked_events_are_written_like_the_engines(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    token, _ = await api.login("写入")
    shop = to_global_id("Shop", "s1")
    spy = Spy(api, monkeypatch)
    for off, tag in ((False, "short"), (True, "engine")):
        spy.off = off
        events = [{**view(shop, 0), "id": tag, "at": 1_700_000_000_000}]
        await api.gql(TRACK, {"in": {"events": events}}, token=token)
    await api.services.events.flush()
    found = await api.services.store.find("events", {"name": "PRODUCT_VIEW"}, limit=10)
    docs = {d["_id"].rsplit(":", 1)[1]: d for d in found.docs}
    assert spy.answered == 1
    for doc in docs.values():
        doc.pop("_id")
    assert docs["short"] == docs["engine"] and docs["short"]["shopId"] == "s1"


async def test_over_the_rate_the_shortcut_refuses_like_the_engine(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    token, _ = await api.login("刷子")
    spy = Spy(api, monkeypatch)
    events = [{"name": "SEARCH", "properties": {"query": "苹果"}}] * 100
    answers = [
        (await api.gql(TRACK, {"in": {"events": events}}, token=token))["data"]["trackEvents"] for _ in range(61)
    ]
    assert spy.answered == 61
    assert {a["accepted"] for a in answers[:60]} == {100}
    assert answers[60]["accepted"] == 0 and answers[60]["errors"][0]["code"] == "RATE_LIMITED"

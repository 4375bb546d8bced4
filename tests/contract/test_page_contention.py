"""The shop builder's pointers raced on every store with atomic single-document updates: of editors publishing
(or saving drafts) over the same revision at once, exactly one wins. Winners are counted, not assumed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from resolvers import catalog
from resolvers.errors import Refused
from resolvers.pages import revisions
from resolvers.services import Services
from store.protocol import Doc
from tests.contract.test_commerce_contention import any_services, services

__all__ = ["any_services", "services"]


def page(height: int) -> dict[str, Any]:
    return {
        "schemaVersion": 1,
        "title": "首页",
        "sections": [{"id": "s", "type": "spacer", "settings": {"height": height}}],
    }


def interleaved(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every racer yields after each read, as over a network, so that all of them read the same pointer."""
    store = services.store
    get = store.get

    async def get_then_yield(collection: str, doc_id: str) -> Doc | None:
        found = await get(collection, doc_id)
        await asyncio.sleep(0)
        return found

    monkeypatch.setattr(store, "get", get_then_yield)


async def outcome(coro: Any) -> str:
    try:
        await coro
    except Refused as exc:
        return exc.code
    return "ok"


async def test_pages_save_and_publish_on_every_store(any_services: Services) -> None:
    services = any_services
    shop = await catalog.create_shop(services, "owner", "店")
    saved, revision = await revisions.save_draft(services, shop, "HOME", None, page(1), "owner")
    assert saved["draft"] == revision["hash"]
    live = await revisions.publish(services, saved["_id"], revision["hash"], None, "owner")
    assert live["published"] == revision["hash"]
    assert (await revisions.revisions(services, saved["_id"], 10, None)).docs[0]["hash"] == revision["hash"]


async def test_racing_publishes_have_exactly_one_winner(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = await catalog.create_shop(services, "owner", "店")
    saved, live = await revisions.save_draft(services, shop, "HOME", None, page(0), "owner")
    await revisions.publish(services, saved["_id"], live["hash"], None, "owner")
    candidates = [(await revisions.save_draft(services, shop, "HOME", None, page(h), "owner"))[1] for h in range(1, 11)]
    interleaved(services, monkeypatch)
    results = await asyncio.gather(
        *(outcome(revisions.publish(services, saved["_id"], c["hash"], live["hash"], "owner")) for c in candidates)
    )
    assert results.count("ok") == 1 and results.count("CONFLICT") == 9
    winner = candidates[results.index("ok")]["hash"]
    assert (await services.store.get("pages", saved["_id"]) or {})["published"] == winner


async def test_racing_draft_saves_over_the_same_draft_have_exactly_one_winner(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await catalog.create_shop(services, "owner", "店")
    saved, base = await revisions.save_draft(services, shop, "HOME", None, page(0), "owner")
    interleaved(services, monkeypatch)
    results = await asyncio.gather(
        *(
            outcome(revisions.save_draft(services, shop, "HOME", None, page(h), "owner", base["hash"]))
            for h in range(1, 11)
        )
    )
    assert results.count("ok") == 1 and results.count("CONFLICT") == 9
    # the losers' work is kept as revisions (never a pointer), so nobody's edit is lost
    assert len((await revisions.revisions(services, saved["_id"], 50, None)).docs) == 11

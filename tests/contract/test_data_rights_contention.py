"""Data rights on every store: the export and the erasure run on each (FerretDB included, nothing races there),
and their guarded writes race on every store with atomic single-document updates: racing export requests make one
export, racing deletion requests one deletion, a cancel racing the sweep's start and two sweeps racing each other
have exactly one winner. Winners are counted, not assumed."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from domain import account_deletion as rules
from resolvers import account_deletion, content, data_export, personal_data, social
from resolvers.errors import Refused
from resolvers.services import Services
from resolvers.users import new_user
from tests.contract.test_commerce_contention import any_services, services

__all__ = ["any_services", "services"]
DAY = rules.DAY_MS


async def people(services: Services, *names: str) -> None:
    await services.store.insert_many("users", [{**new_user(n), "_id": n} for n in names])


async def settled(services: Services) -> None:
    while services.background:
        await asyncio.gather(*services.background, return_exceptions=True)


def at(services: Services, ms: int) -> None:
    services.clock = lambda: ms


async def test_export_and_erasure_run_on_every_store(any_services: Services) -> None:
    s = any_services
    at(s, 1_000_000)
    await people(s, "me", "you")
    await social.follow(s, "me", "you")
    await social.follow(s, "you", "me")
    post = await content.create_post(s, "you", "NOTE", "茶", "好茶", [], None, [], ["绿茶"])
    await content.like(s, "me", post["_id"])
    await content.comment(s, "me", post["_id"], "同感", None)
    await s.store.insert("bargain_daily", {"_id": "me:2024-01-01", "count": 1})
    await s.store.insert("bargain_daily", {"_id": "mex:2024-01-01", "count": 1})  # another user's, a longer id
    # the export
    made = await data_export.request_export(s, "me")
    await settled(s)
    ready = await s.store.get("data_exports", made["_id"])
    assert ready is not None and ready["status"] == "READY"
    archive = orjson.loads((data_export.exports_dir(s) / ready["file"]).read_bytes())
    assert [f["dst"] for f in archive["sections"]["following"]] == ["you"]
    assert [c["body"] for c in archive["sections"]["comments"]] == ["同感"]
    # the deletion
    await account_deletion.request_deletion(s, "me", None)
    at(s, 1_000_000 + 16 * DAY)
    assert await account_deletion.erase_due(s) == 1
    assert await s.store.count("follows", {}) == 0 and await s.store.count("likes", {}) == 0
    you = await s.store.get("users", "you")
    assert you is not None and (you["followerCount"], you["followingCount"]) == (0, 0)
    liked = await s.store.get("posts", post["_id"])
    assert liked is not None and (liked["likeCount"], liked["commentCount"]) == (0, 0)
    assert [d["_id"] for d in (await s.store.find("bargain_daily", {})).docs] == ["mex:2024-01-01"]
    assert await s.store.count("data_exports", {"userId": "me"}) == 0
    assert (await s.store.get("users", "me") or {})["nickname"] == "已注销用户"


async def test_racing_export_requests_make_one_export(any_services: Services) -> None:
    """On FerretDB too: this rests on the unique (userId, slot) index, not on findAndModify."""
    services = any_services
    await people(services, "me")
    made = await asyncio.gather(*(data_export.request_export(services, "me") for _ in range(10)))
    assert len({m["_id"] for m in made}) == 1
    await settled(services)
    assert await services.store.count("data_exports", {"userId": "me"}) == 1
    assert (await services.store.get("data_exports", made[0]["_id"]) or {})["status"] == "READY"


async def test_racing_deletion_requests_make_one_deletion(services: Services) -> None:
    await people(services, "me")
    asked = await asyncio.gather(*(account_deletion.request_deletion(services, "me", None) for _ in range(10)))
    assert len({(a["_id"], a["requestedAt"], a["dueAt"]) for a in asked}) == 1
    assert await services.store.count("account_deletions", {}) == 1
    # and after a cancel, racing asks again renew it once
    await account_deletion.cancel_deletion(services, "me")
    again = await asyncio.gather(*(account_deletion.request_deletion(services, "me", None) for _ in range(10)))
    assert {a["status"] for a in again} == {"PENDING"} and len({a["requestedAt"] for a in again}) == 1


async def outcome(coro: object) -> str:
    try:
        await coro  # type: ignore[misc]
    except Refused as exc:
        return exc.code
    return "ok"


async def test_a_cancel_racing_the_sweep_has_one_winner(services: Services) -> None:
    wins = {"cancelled": 0, "erased": 0}
    for i in range(10):
        user = f"u{i}"
        at(services, 1_000_000)
        await people(services, user)
        await account_deletion.request_deletion(services, user, None)
        at(services, 1_000_000 + 16 * DAY)
        cancelled, erased = await asyncio.gather(
            outcome(account_deletion.cancel_deletion(services, user)), account_deletion.erase_due(services)
        )
        doc = await services.store.get("account_deletions", user)
        assert doc is not None
        if cancelled == "ok":
            assert (doc["status"], erased) == ("CANCELLED", 0)
            wins["cancelled"] += 1
        else:
            assert (cancelled, doc["status"], erased) == ("INVALID_STATE", "DONE", 1)
            wins["erased"] += 1
    assert sum(wins.values()) == 10


async def test_two_sweeps_racing_erase_once(services: Services) -> None:
    at(services, 1_000_000)
    await people(services, "me", *(f"fan{i}" for i in range(20)))
    for i in range(20):
        await social.follow(services, f"fan{i}", "me")
    await account_deletion.request_deletion(services, "me", None)
    at(services, 1_000_000 + 16 * DAY)
    finished = await asyncio.gather(account_deletion.erase_due(services), account_deletion.erase_due(services))
    assert sorted(finished) == [0, 1]
    fans = await services.store.get_many("users", [f"fan{i}" for i in range(20)])
    assert {f["followingCount"] for f in fans.values()} == {0}  # each follow counted off once
    assert (await services.store.get("account_deletions", "me") or {})["status"] == "DONE"


async def test_an_erasure_spread_over_many_short_sweep_runs_ends_exact(
    any_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = any_services
    at(s, 1_000_000)
    await people(s, "me", *(f"u{i}" for i in range(12)))
    for i in range(12):
        await social.follow(s, "me", f"u{i}")
        post = await content.create_post(s, f"u{i}", "NOTE", f"茶{i}", "好茶", [], None, [], [])
        await content.like(s, "me", post["_id"])
    await account_deletion.request_deletion(s, "me", None)
    at(s, 1_000_000 + 16 * DAY)
    # given sweep runs with almost no time for erasures, and pages of 5 documents
    s.settings.ACCOUNT_ERASURE_SECONDS = 1e-9
    monkeypatch.setattr(personal_data.pages, "__defaults__", (5,))
    runs = 0
    while (await s.store.get("account_deletions", "me") or {})["status"] != "DONE":
        runs += 1
        assert runs < 100
        await account_deletion.erase_due(s)
    # then it took many runs (each gets on by at least a page) and every count is exact
    assert runs > 6
    users = await s.store.get_many("users", [f"u{i}" for i in range(12)])
    assert {u["followerCount"] for u in users.values()} == {0}
    liked = await s.store.find("posts", {}, limit=50)
    assert {p["likeCount"] for p in liked.docs} == {0}
    assert await s.store.count("likes", {}) == await s.store.count("follows", {}) == 0

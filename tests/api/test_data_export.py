"""exportMyData through the API: the archive lists data of every kind the viewer has (and nothing of others, no
secret), asking twice (at once, or while one is prepared) is one export, the link is signed and expires, another
user's link never opens, a dead preparer's export is taken over, and a big archive is written page by page."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import jwt
import orjson
import pytest

from domain import data_export as rules
from domain.ids import from_global_id
from domain.personal_data import sections
from domain.tokens import issue_download_token
from jobs.sweep import sweep
from resolvers import data_export, personal_data
from store.ids import new_id
from tests.api.conftest import Api, use_clock
from tests.api.personal_world import World, ask, build

EXPORT = """mutation { exportMyData(input: {clientMutationId: "c1"}) {
  dataExport { id status url requestedAt readyAt expiresAt sizeBytes sections { name count } }
  clientMutationId errors { code field } } }"""
LATEST = "{ me { dataExport { id status url expiresAt sections { name count } } } }"


async def prepared(api: Api) -> None:
    """Let every export being written in the background finish."""
    while api.services.background:
        await asyncio.gather(*api.services.background, return_exceptions=True)


async def export_now(api: Api, token: str) -> dict[str, Any]:
    """Ask for an export, wait for it, and return it as `me.dataExport` shows it (READY, with its url)."""
    asked = await ask(api, EXPORT, token)
    assert asked["errors"] == [] and asked["clientMutationId"] == "c1", asked
    await prepared(api)
    shown: dict[str, Any] = (await ask(api, LATEST, token))["dataExport"]
    assert shown["id"] == asked["dataExport"]["id"] and shown["status"] == "READY", shown
    return shown


async def fetch(api: Api, url: str) -> tuple[int, Any]:
    resp = await api.client.get(url)
    assert resp.content_type == "application/json"
    return resp.status, await resp.json()


@pytest.fixture
async def world(api: Api, tmp_path: Path) -> World:
    return await build(api, tmp_path, owns_shop=True)


async def test_the_archive_lists_data_of_every_kind_and_nothing_secret(api: Api, world: World) -> None:
    # given 甲 with data of every kind, and a deletion asked and cancelled (its record is theirs too)
    assert (await ask(api, "mutation { deleteMyAccount(input: {}) { errors { code } } }", world.me))["errors"] == [
        {"code": "OWNS_SHOP"}
    ]
    await api.services.store.insert(
        "account_deletions",
        {"_id": world.me_id, "userId": world.me_id, "status": "CANCELLED", "requestedAt": 1, "dueAt": 2},
    )
    # when they export their data and download it
    shown = await export_now(api, world.me)
    status, archive = await fetch(api, shown["url"])
    # then every section of the table is there, none empty, and the counts agree
    assert status == 200 and archive["format"] == rules.FORMAT and archive["userId"] == world.me_id
    names = [found.section for _, found in sections()]
    assert list(archive["sections"]) == names
    empty = [name for name in names if not archive["sections"][name]]
    assert empty == [], f"the world has no data of these kinds: {empty}"
    assert archive["counts"] == {n: len(archive["sections"][n]) for n in names}
    assert {s["name"]: s["count"] for s in shown["sections"]} == archive["counts"]
    got = archive["sections"]
    # and what is in them is 甲's
    profile = got["profile"][0]
    assert (profile["_id"], profile["bio"], profile["region"]) == (world.me_id, "爱喝茶", "杭州")
    assert profile["privacy"]["activityVisibility"] == "PUBLIC"
    assert [f["dst"] for f in got["following"]] == [world.friend_id]
    assert sorted(f["src"] for f in got["followers"]) == sorted([world.friend_id, world.fan_id])
    assert [b["dst"] for b in got["blocks"]] == [world.blocked_id]
    order = next(o for o in got["orders"] if o["_id"] == world.ids["order"])
    assert order["shippingAddress"]["recipient"] == "甲本人" and len(order["shipments"]) == 1
    assert order["lines"][0]["quantity"] == 2 and order["paidAt"] and order["refunded"] == 2000
    assert got["afterSales"][0]["orderId"] == world.ids["order"] and got["afterSales"][0]["status"] == "REFUNDED"
    assert {p["_id"] for p in got["posts"]} >= {world.ids["post"]}
    assert [c["_id"] for c in got["comments"]] == [world.ids["comment"]]
    assert [like["postId"] for like in got["likes"]] == [world.ids["friendsPost"]]
    assert [v["_id"] for v in got["videos"]] == [world.ids["video"]]
    assert [a["_id"] for a in got["addresses"]] == [world.ids["address"]]
    assert [b["_id"] for b in got["bargains"]] == [world.ids["bargain"]]
    assert [h["bargainId"] for h in got["bargainHelps"]] == [world.ids["friendsBargain"]]
    assert [t["_id"] for t in got["teamsLed"]] == [world.ids["team"]]
    assert {e["kind"] for e in got["ledger"]} == {"COMMISSION_FROZEN", "COMMISSION_SETTLED", "WITHDRAWN"}
    assert got["balance"][0]["available"] == 0 and got["withdrawals"][0]["status"] == "PAID"
    assert got["accountDeletion"][0]["status"] == "CANCELLED"
    # never a secret or a hash: refresh tokens are stored by their hash, the ledger chains hashes
    assert all("_id" not in t for t in got["refreshTokens"]) and got["refreshTokens"][0]["userId"] == world.me_id
    assert all("hash" not in e and "prev" not in e for e in got["ledger"])
    stored = await api.services.store.find("refresh_tokens", {"userId": world.me_id}, limit=10)
    raw_archive = orjson.dumps(archive).decode()
    assert all(doc["_id"] not in raw_archive for doc in stored.docs)
    # nothing of another user's own: the friend's bargain is theirs, not in 甲's bargains
    assert world.ids["friendsBargain"] not in {b["_id"] for b in got["bargains"]}
    assert all(c["authorId"] == world.me_id for c in got["comments"] + got["liveComments"])


async def test_asking_twice_at_once_is_one_export_and_asking_again_while_preparing_too(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = use_clock(api)
    token, _ = await api.login("导出者")
    user_id = (await api.services.store.find("users", {"nickname": "导出者"}, limit=1)).docs[0]["_id"]
    gate = asyncio.Event()
    write = data_export.write_archive

    async def slow(*args: Any) -> dict[str, int]:  # the archive takes a while to write
        await gate.wait()
        return await write(*args)

    monkeypatch.setattr(data_export, "write_archive", slow)
    # when four ask at the same time
    results = await asyncio.gather(*(ask(api, EXPORT, token) for _ in range(4)))
    # then all four answer the same export, and only one was made
    first = results[0]["dataExport"]["id"]
    assert all(r["errors"] == [] for r in results) and {r["dataExport"]["id"] for r in results} == {first}
    assert await api.services.store.count("data_exports", {"userId": user_id}) == 1
    # and asking again while it is being prepared returns it too
    assert (await ask(api, EXPORT, token))["dataExport"] == {**results[0]["dataExport"], "status": "PREPARING"}
    gate.set()
    await prepared(api)
    # past DATA_EXPORTS_PER_MINUTE asks a minute, the next waits; once READY, a new ask makes a new archive
    assert (await ask(api, EXPORT, token))["errors"] == [{"code": "RATE_LIMITED", "field": None}]
    clock.advance(minutes=1)
    again = await export_now(api, token)
    assert again["id"] != first
    assert await api.services.store.count("data_exports", {"userId": user_id}) == 2


async def test_a_forged_or_tampered_link_answers_403_in_json(api: Api) -> None:
    token, _ = await api.login("链接")
    shown = await export_now(api, token)
    signed = shown["url"].removeprefix(data_export.DOWNLOAD_PREFIX)
    head, body, sig = signed.split(".")
    for url in (
        f"/exports/{head}.{body}.{sig[:-3]}abc",  # tampered signature
        "/exports/" + jwt.encode({"sub": "x", "eid": "y", "exp": 2**40, "typ": "download"}, "k" * 40),  # forged
        "/exports/not-a-token",
    ):
        status, answer = await fetch(api, url)
        assert status == 403 and answer["errors"][0]["extensions"]["code"] == "FORBIDDEN", (url, answer)


async def test_an_expired_link_answers_410_and_the_sweep_deletes_the_file(api: Api) -> None:
    clock = use_clock(api)
    token, _ = await api.login("过期")
    shown = await export_now(api, token)
    doc = (await api.services.store.find("data_exports", {"status": "READY"}, limit=10)).docs[-1]
    path = data_export.exports_dir(api.services) / doc["file"]
    assert path.is_file() and (await fetch(api, shown["url"]))[0] == 200
    # when DATA_EXPORT_HOURS (24) have passed
    clock.advance(minutes=24 * 60 + 1)
    status, answer = await fetch(api, shown["url"])
    assert status == 410 and answer["errors"][0]["extensions"]["code"] == "GONE"
    assert (await ask(api, LATEST, token))["dataExport"]["url"] is None
    # then the sweep deletes its file
    await sweep(api.services)
    assert not path.exists()
    assert (await ask(api, LATEST, token))["dataExport"]["status"] == "EXPIRED"


async def test_another_users_export_never_opens(api: Api) -> None:
    a, _ = await api.login("甲导出")
    b, _ = await api.login("乙导出")
    a_export, b_export = await export_now(api, a), await export_now(api, b)
    # b's own link opens b's archive only
    status, archive = await fetch(api, b_export["url"])
    b_id = archive["userId"]
    assert status == 200 and b_id != (await fetch(api, a_export["url"]))[1]["userId"]
    # b cannot point their link at a's export: the export id is inside the signature
    a_raw = (await api.services.store.find("data_exports", {"userId": {"$ne": b_id}}, limit=5)).docs
    a_doc = next(d for d in a_raw if d["status"] == "READY")
    claims = jwt.decode(b_export["url"].removeprefix("/exports/"), options={"verify_signature": False})
    swapped = jwt.encode({**claims, "eid": a_doc["_id"]}, "not-our-secret" * 4)
    assert (await fetch(api, "/exports/" + swapped))[0] == 403
    # and a link signed for b naming a's export (what a leaked key would allow) is still refused
    secret = api.services.settings.secret_key()
    crossed = issue_download_token(secret, b_id, a_doc["_id"], a_doc["expiresAt"])
    assert (await fetch(api, "/exports/" + crossed))[0] == 403
    # there is no argument naming a user at all
    refused = await api.gql(
        'mutation { exportMyData(input: {userId: "x"}) { errors { code } } }', token=b, expect_errors=True
    )
    assert "errors" in refused and (await ask(api, LATEST, a))["dataExport"]["id"] == a_export["id"]


async def test_anonymous_callers_cannot_export(api: Api) -> None:
    assert (await ask(api, EXPORT))["errors"] == [{"code": "UNAUTHENTICATED", "field": None}]


async def test_an_export_whose_preparer_died_is_taken_over_by_the_sweep(api: Api) -> None:
    clock = use_clock(api)
    token, _ = await api.login("接手")
    user_id = (await api.services.store.find("users", {"nickname": "接手"}, limit=1)).docs[0]["_id"]
    # given an export left PREPARING by a process that died (nothing writes it)
    now = clock.ms
    doc = {
        "_id": new_id(),
        "userId": user_id,
        "slot": rules.OPEN_SLOT,
        "status": rules.PREPARING,
        "requestedAt": now,
        "attempt": "dead",
        "attempts": 1,
        "leaseUntil": now + rules.LEASE_MS,
    }
    await api.services.store.insert("data_exports", doc)
    asked = (await ask(api, EXPORT, token))["dataExport"]["id"]
    assert from_global_id(asked) == ("DataExport", doc["_id"])  # still the one being prepared
    await sweep(api.services)
    assert (await ask(api, LATEST, token))["dataExport"]["status"] == "PREPARING"  # its lease holds
    # when its lease is over
    clock.advance(minutes=rules.LEASE_MS / 60_000 + 1)
    await sweep(api.services)
    await prepared(api)
    # then a new attempt made it READY, and the dead attempt could no longer claim it
    shown = (await ask(api, LATEST, token))["dataExport"]
    assert shown["status"] == "READY" and (await fetch(api, shown["url"]))[0] == 200
    assert not await data_export.prepare(api.services, doc)  # the dead attempt, woken up: superseded
    stored = await api.services.store.get("data_exports", doc["_id"])
    assert stored is not None and stored["attempts"] == 2 and stored["status"] == "READY"
    assert sorted(p.name for p in data_export.exports_dir(api.services).iterdir()) == [stored["file"]]


async def test_a_big_archive_is_written_page_by_page(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    token, _ = await api.login("大户")
    user_id = (await api.services.store.find("users", {"nickname": "大户"}, limit=1)).docs[0]["_id"]
    # given 2,000 follows and 2,000 likes, written in pages of 100
    await api.services.store.insert_many(
        "follows", [{"_id": f"{user_id}>f{i:05d}", "src": user_id, "dst": f"f{i:05d}", "at": i} for i in range(2000)]
    )
    await api.services.store.insert_many(
        "likes",
        [{"_id": f"p{i:05d}>{user_id}", "postId": f"p{i:05d}", "userId": user_id, "at": i} for i in range(2000)],
    )
    monkeypatch.setattr(personal_data.pages, "__defaults__", (100,))
    writes: list[int] = []
    write = data_export._write

    async def counted(out: Any, data: bytes) -> None:
        writes.append(len(data))
        await write(out, data)

    monkeypatch.setattr(data_export, "_write", counted)
    # when they export
    shown = await export_now(api, token)
    status, archive = await fetch(api, shown["url"])
    # then everything is there, in order, and no write held more than a page of documents
    assert status == 200 and archive["counts"]["following"] == 2000 and archive["counts"]["likes"] == 2000
    assert [f["dst"] for f in archive["sections"]["following"]] == [f"f{i:05d}" for i in range(2000)]
    biggest_page = max(writes)
    assert biggest_page < 100 * 200 and len(writes) > 40  # ~100 documents of < 200 bytes at a time

"""The guarded updates of invite rewards and share posters, raced on every store that guarantees single-document
atomicity: one binding per invitee, one reward per first order under the daily cap, one reversal, one poster
record per content key. Winners are counted, not assumed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backends import Backends
from graph.memory import MemoryGraph
from graph.projector import Projector
from resolvers import invites
from resolvers.services import Services
from resolvers.users import new_user
from settings import Settings
from store.collections import ensure_indexes
from store.protocol import DocumentStore, DuplicateKey
from subscriptions.memory import MemoryBus
from tests.contract.conftest import is_ferretdb
from tests.contract.test_document_store import FERRETDB_NOT_ATOMIC


@pytest.fixture
async def services(store: DocumentStore, tmp_path: Path) -> Services:
    await ensure_indexes(store)
    if await is_ferretdb(store):
        pytest.skip(FERRETDB_NOT_ATOMIC)
    graph = MemoryGraph()
    settings = Settings(DATA_DIR=tmp_path, DEV_LOGIN=True, INVITE_DAILY_CAP=3, INVITE_POINTS=10)
    return Services(settings, Backends(store, graph, MemoryBus()), Projector(store, graph))


async def user(services: Services, name: str) -> str:
    doc = new_user(name, newToPlatform=True, invitedBy=None)
    await services.store.insert("users", doc)
    return str(doc["_id"])


async def test_one_binding_one_reward_under_the_cap_and_one_reversal(services: Services) -> None:
    store = services.store
    inviter = await user(services, "邀请人")
    invitees = [await user(services, f"新人{i}") for i in range(6)]
    # ten concurrent sign-up bindings of one invitee to different codes: one invitation
    first = invitees[0]
    await asyncio.gather(*(invites.signed_up(services, {"_id": first}, inviter, f"code{i}", True) for i in range(10)))
    assert len((await store.find("invitations", {"inviteeId": first})).docs) == 1
    for invitee in invitees[1:]:
        await invites.signed_up(services, {"_id": invitee}, inviter, "code", True)
    orders = [{"_id": f"order-{i}", "buyerId": invitee} for i, invitee in enumerate(invitees)]
    # every invitee's first order paid, each hook ten times at once: three rewards (the cap), once each
    await asyncio.gather(*(invites.on_order_paid(services, o) for o in orders for _ in range(10)))
    states = [d["state"] for d in (await store.find("invitations", {"inviterId": inviter})).docs]
    assert sorted(states) == ["FIRST_ORDER_PAID"] * 3 + ["REWARDED"] * 3
    assert (await store.get("users", inviter) or {})["points"] == 30
    rewarded = [d for d in (await store.find("invitations", {"inviterId": inviter})).docs if d["state"] == "REWARDED"]
    order = next(o for o in orders if o["buyerId"] == rewarded[0]["_id"])
    await asyncio.gather(*(invites.on_order_refunded(services, order) for _ in range(10)))
    assert (await store.get("users", inviter) or {})["points"] == 20
    assert (await store.get("invitations", order["buyerId"]) or {})["state"] == "REVERSED"


async def test_one_poster_record_per_key(services: Services) -> None:
    async def insert() -> bool:
        try:
            await services.store.insert("share_posters", {"_id": "k" * 64, "url": "/media/posters/x.png"})
            return True
        except DuplicateKey:
            return False

    assert sum(await asyncio.gather(*(insert() for _ in range(10)))) == 1

"""An account's erasure on every graph backend: its follows, friendships, blocks, purchases and engagements leave
the graph through the outbox, and the graph the projector leaves equals a rebuild from the documents."""

from __future__ import annotations

from pathlib import Path

from backends import Backends
from graph.projector import Projector, rebuild
from graph.protocol import RELATIONS, GraphStore
from resolvers import account_deletion, catalog, content, orders, payments, social
from resolvers.services import Services
from resolvers.users import new_user
from settings import Settings
from store.collections import ensure_indexes
from store.sqlite import SqliteStore
from subscriptions.memory import MemoryBus

DAY = 86_400_000


async def snapshot(graph: GraphStore) -> dict[str, set[tuple[str, str]]]:
    return {rel: {e async for batch in graph.edges(rel) for e in batch} for rel in RELATIONS}


async def test_the_erased_users_edges_go_and_the_graph_equals_a_rebuild(tmp_path: Path, graph: GraphStore) -> None:
    # given a user with edges of every kind, projected
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.open()
    try:
        await ensure_indexes(store)
        now = [1_000_000]
        services = Services(
            Settings(DATA_DIR=tmp_path, DEV_LOGIN=True), Backends(store, graph, MemoryBus()), Projector(store, graph)
        )
        services.clock = lambda: now[0]
        await store.insert_many("users", [{**new_user(n), "_id": n} for n in ("me", "a", "b", "c", "seller")])
        for src, dst in (("me", "a"), ("a", "me"), ("b", "me"), ("a", "b"), ("b", "a")):
            await social.follow(services, src, dst)
        await social.block(services, "me", "c")
        shop = await catalog.create_shop(services, "seller", "店")
        product = await catalog.create_product(
            services, shop["_id"], "茶", "", [], "茶叶", [{"specs": [], "price": 100, "stock": 9}]
        )
        for buyer in ("me", "a"):
            order = await orders.place_order(services, buyer, [(f"{product['_id']}000", 1)], f"k-{buyer}")
            await payments.pay_order(services, buyer, order["_id"], "DEV_PAY", f"p-{buyer}")
            await store.update_one("orders", {"_id": order["_id"]}, {"$set": {"status": "COMPLETED"}})  # delivered
        post = await content.create_post(services, "a", "NOTE", "好茶", "推荐", [], None, [product["_id"]], [])
        await content.like(services, "me", post["_id"])
        await services.projector.drain()
        before = await snapshot(graph)
        assert {rel for rel, pairs in before.items() if any("me" in pair for pair in pairs)} == set(RELATIONS)
        # when their account is deleted and the projector has caught up
        await account_deletion.request_deletion(services, "me", None)
        now[0] += 16 * DAY
        assert await account_deletion.erase_due(services) == 1
        await services.projector.drain()
        # then nothing of them is left in the graph, the others' edges are, and a rebuild gives the same graph
        after = await snapshot(graph)
        assert all("me" not in pair for pairs in after.values() for pair in pairs)
        assert after["FRIEND"] == {("a", "b"), ("b", "a")} and ("a", product["_id"]) in after["BOUGHT"]
        assert ("a", product["_id"]) in after["ENGAGED"]  # the author's post
        await rebuild(store, graph)
        assert await snapshot(graph) == after
    finally:
        await store.close()

"""`server.py doctor` on the embedded default: a shop used through the API holds every invariant; each invariant broken
on purpose (a bad document written directly) is found, `fix` repairs it, once (twice at once changes it once), and
a repair racing live orders never makes stock up."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import orjson
import pytest

import server
from domain import recovery as steps
from domain.ids import from_global_id
from resolvers import distribution, doctor, order_desk
from resolvers.errors import Refused
from resolvers.orders import place_order
from resolvers.services import Services
from tests.api.conftest import Api, make_product
from tests.api.test_orders import CANCEL, REFUND, SHIP, act, line, pay, place
from tests.api.test_social import FOLLOW


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def checks(services: Services) -> list[tuple[str, str]]:
    return [(v.check, v.subject) for v in await doctor.check(services)]


async def fix(services: Services) -> doctor.Report:
    return await doctor.run(services, fix=True, settle_seconds=0)


async def shop_with_orders(api: Api) -> tuple[str, str, list[str]]:
    """A shop whose orders went every way: paid, cancelled, refunded, shipped and received. (seller, shop, SKUs)"""
    seller, _ = await api.login("体检卖家")
    buyer, _ = await api.login("体检买家")
    shop_id, _, skus = await make_product(api, seller, prices=(1000, 2500), stock=20)
    a, b = skus
    kept = (await place(api, buyer, [line(a, 2), line(b, 1)], "d1"))["order"]["id"]
    await pay(api, buyer, kept)
    await act(api, SHIP, seller, kept)
    cancelled = (await place(api, buyer, [line(a, 3)], "d2"))["order"]["id"]
    await act(api, CANCEL, buyer, cancelled)
    refunded = (await place(api, buyer, [line(b, 4)], "d3"))["order"]["id"]
    await pay(api, buyer, refunded)
    await act(api, REFUND, buyer, refunded, k="rk", r="不要了")
    await place(api, buyer, [line(a, 1)], "d4")  # unpaid
    return seller, raw(shop_id), [raw(s) for s in skus]


async def test_a_shop_used_through_the_api_holds_every_invariant(api: Api) -> None:
    _, shop_id, _ = await shop_with_orders(api)
    services = api.services
    await order_desk.order_counts(services, shop_id)  # kept exact from now on
    assert await checks(services) == []
    report = await doctor.run(services)
    assert report.ok and doctor.lines(report) == ["ok: every invariant holds"]


async def test_stock_that_leaked_is_found_and_given_back_once(api: Api) -> None:
    _, _, (a, _) = await shop_with_orders(api)
    services = api.services
    before = (await services.store.get("skus", a) or {})["stock"]
    await services.store.update_one("skus", {"_id": a}, {"$inc": {"stock": -3}})  # a crash of old, say
    (found,) = await doctor.check(services)
    assert found.check == "stock" and found.subject == f"skus:{a}" and "3 units missing" in found.message
    reports = await asyncio.gather(fix(services), fix(services))  # two doctors at once
    assert sorted(len(r.fixed) for r in reports) == [0, 1]
    assert (await services.store.get("skus", a) or {})["stock"] == before
    assert await checks(services) == []
    again = await fix(services)
    assert again.ok and again.fixed == [] and (await services.store.get("skus", a) or {})["stock"] == before


async def test_too_much_stock_is_found_too(api: Api) -> None:
    _, _, (a, _) = await shop_with_orders(api)
    await api.services.store.update_one("skus", {"_id": a}, {"$inc": {"stock": 2}})
    (found,) = await doctor.check(api.services)
    assert "2 units too many" in found.message
    assert (await fix(api.services)).ok


async def test_a_sku_without_a_supply_gets_one_recorded(api: Api) -> None:
    _, _, (a, _) = await shop_with_orders(api)
    services = api.services
    sku = await services.store.update_one("skus", {"_id": a}, {"$unset": {"supply": ""}}) or {}
    assert await checks(services) == [("supply", f"skus:{a}")]
    report = await fix(services)
    assert report.ok and report.fixed == [f"skus:{a}: supply recorded: 20"]
    assert (await services.store.get("skus", a) or {})["supply"] == 20 and sku["stock"] < 20


async def test_units_a_cancelled_order_never_gave_back_are_given_back(api: Api) -> None:
    """A take mark left on a SKU by an order cancelled without returning it (a crash before these records)."""
    seller, _ = await api.login("标记体检卖家")
    buyer, _ = await api.login("标记体检买家")
    _, _, (sku,) = await make_product(api, seller, stock=10)
    order_id = raw((await place(api, buyer, [line(sku, 4)], "t1"))["order"]["id"])
    services = api.services
    await services.store.update_one("orders", {"_id": order_id}, {"$set": {"status": "CANCELLED"}})
    await services.store.update_one("skus", {"_id": raw(sku)}, {"$set": {steps.take_mark(order_id, 0): 4}})
    assert await checks(services) == [("mark", f"skus:{raw(sku)}")]
    report = await fix(services)
    assert report.ok and "4 units of cancelled order" in report.fixed[0]
    assert (await services.store.get("skus", raw(sku)) or {})["stock"] == 10


async def test_balances_without_their_ledger_entry_get_a_correction(api: Api) -> None:
    services = api.services
    await distribution._move_balance(services, "u1", {"frozen": 300}, "c1", "COMMISSION_FROZEN")
    assert await checks(services) == []
    await services.store.update_one("balances", {"_id": "u1"}, {"$inc": {"frozen": 200, "available": -50}})
    (found,) = await doctor.check(services)
    assert found.check == "balance" and found.wanted == {"frozen": 200, "available": -50}
    reports = await asyncio.gather(fix(services), fix(services))
    assert sorted(len(r.fixed) for r in reports) == [0, 1]
    assert await checks(services) == []
    entries = (await services.store.find("ledger", {"kind": "CORRECTION"})).docs
    assert [e["deltas"] for e in entries] == [{"frozen": 200, "available": -50}]
    count, bad, _ = await distribution.verify_ledger(services)
    assert count == 2 and bad is None  # the chain holds


async def test_team_seats_that_disagree_with_members_are_set(api: Api) -> None:
    services = api.services
    store = services.store
    await store.insert("teams", {"_id": "t1", "status": "OPEN", "seats": 3, "paidCount": 2, "maxSize": 5})
    await store.insert("teams", {"_id": "t2", "status": "SUCCEEDED", "seats": 3, "paidCount": 3, "maxSize": 3})
    for user, paid in (("u1", True), ("u2", False)):
        member = {"_id": f"t1:{user}", "teamId": "t1", "userId": user, "paid": paid, "refunded": False}
        await store.insert("team_members", member)
    assert await checks(services) == [("team", "teams:t1")]  # a closed team keeps its counts
    assert (await fix(services)).ok
    team = await store.get("teams", "t1") or {}
    assert (team["seats"], team["paidCount"]) == (2, 1)


async def test_follow_counts_that_disagree_with_the_edges_are_set(api: Api) -> None:
    alice, me = await api.login("爱丽丝")
    _, bob = await api.login("鲍勃")
    await api.gql(FOLLOW, {"id": bob["id"]}, token=alice)
    services = api.services
    assert await checks(services) == []
    await services.store.update_one("users", {"_id": raw(bob["id"])}, {"$inc": {"followerCount": 5}})
    await services.store.update_one("users", {"_id": raw(me["id"])}, {"$unset": {"followingCount": ""}})
    assert sorted(await checks(services)) == sorted(
        [("follows", f"users:{raw(bob['id'])}"), ("follows", f"users:{raw(me['id'])}")]
    )
    assert (await fix(services)).ok
    assert (await services.store.get("users", raw(bob["id"])) or {})["followerCount"] == 1
    assert (await services.store.get("users", raw(me["id"])) or {})["followingCount"] == 1


async def test_desk_counts_that_disagree_with_the_orders_are_recounted(api: Api) -> None:
    _, shop_id, _ = await shop_with_orders(api)
    services = api.services
    exact = await order_desk.order_counts(services, shop_id)
    await services.store.update_one(order_desk.COUNTS, {"_id": shop_id}, {"$inc": {"PAID": 2, "CANCELLED": -1}})
    (found,) = await doctor.check(services)
    assert found.check == "desk" and found.message.startswith("PAID 2 (is 0), CANCELLED 0 (is 1)")
    assert (await fix(services)).ok
    assert await order_desk.order_counts(services, shop_id) == exact


async def test_the_stock_repair_racing_live_orders_never_makes_stock_up(api: Api) -> None:
    """Buyers take units while doctors repair a leak: the repair is a compare-and-set on the stock it saw, so a
    unit taken meanwhile makes it wait for the next run; in the end stock + out == supply exactly."""
    seller, _ = await api.login("竞速体检卖家")
    _, _, (sku,) = await make_product(api, seller, stock=40)
    services = api.services
    sku_id = raw(sku)
    await services.store.update_one("skus", {"_id": sku_id}, {"$inc": {"stock": -5}})  # 5 units leaked

    async def buy(i: int) -> bool:
        try:
            await place_order(services, f"racer{i}", [(sku_id, 1)], f"k{i}")
            return True
        except Refused:
            return False

    results = await asyncio.gather(*(buy(i) for i in range(30)), fix(services), fix(services), fix(services))
    placed = sum(1 for r in results[:30] if r is True)
    for _ in range(5):
        if (await fix(services)).ok:
            break
    assert await checks(services) == []
    assert (await services.store.get("skus", sku_id) or {})["stock"] == 40 - placed


def test_the_command_prints_each_violation_exits_1_and_fixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEV_LOGIN", "1")
    data = str(tmp_path / "data")

    async def bad(services: Any) -> None:
        await services.store.insert("skus", {"_id": "s1", "productId": "p1", "stock": 5, "supply": 7})
        await services.store.insert("users", {"_id": "u1", "followerCount": 2})

    server._with_services(argparse.Namespace(data_dir=data), bad)
    with pytest.raises(SystemExit) as exit_:
        server.main(["doctor", "--data-dir", data])
    assert exit_.value.code == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("stock    skus:s1  stock 5 + 0 out != supply 7 (2 units missing)")
    assert out[1].startswith("follows  users:u1  counts")
    assert out[-1] == "2 violations"
    with pytest.raises(SystemExit) as exit_:
        server.main(["doctor", "--data-dir", data, "--json"])
    report = orjson.loads(capsys.readouterr().out)
    assert (
        exit_.value.code == 1
        and not report["ok"]
        and [v["check"] for v in report["violations"]] == ["stock", "follows"]
    )
    server.main(["doctor", "--data-dir", data, "--fix"])  # exits 0: all repaired
    out = capsys.readouterr().out.splitlines()
    assert "fixed    skus:s1: stock 5 -> 7" in out and out[-1] == "ok: every invariant holds"
    server.main(["doctor", "--data-dir", data, "--json"])
    assert orjson.loads(capsys.readouterr().out)["ok"] is True


async def test_points_that_disagree_with_the_ledger_are_reported_and_left_to_an_operator(api: Api) -> None:
    from resolvers import points as points_uc

    _, user = await api.login("积分体检")
    services = api.services
    user_id = raw(user["id"])
    await points_uc.earn(services, user_id, 500, key="doctor-gift", reason="TEST")
    await points_uc.spend(services, user_id, 200, key="doctor-spend", reason="TEST")
    assert [c for c in await checks(services) if c[0] == "points"] == []
    await services.store.update_one("users", {"_id": user_id}, {"$inc": {"points": 50}})  # moved without an entry
    assert ("points", f"users:{user_id}") in await checks(services)
    report = await fix(services)
    assert any(line.startswith(f"users:{user_id}: reported only") for line in report.skipped)
    assert (await services.store.get("users", user_id) or {})["points"] == 350  # left as it was

"""Unpaid holds are limited per buyer (issue 14, finding 5): unpaid orders at once, units of one SKU across them,
group-buy seats; a large order must be paid sooner, and the sweep cancels it at that deadline. Each refusal is
TOO_MANY_UNPAID before anything is written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from domain.ids import from_global_id
from resolvers.orders import expire_unpaid
from tests.api.conftest import Api, make_product, make_settings, offer_product, use_clock
from tests.api.test_bargains import BUY
from tests.api.test_bargains import start as start_bargain
from tests.api.test_orders import CANCEL, act, line, pay, place, stock
from tests.api.test_teams import join, start

TIERS = {"tiers": [{"size": 2, "price": 900}, {"size": 3, "price": 800}], "durationMinutes": 60}


@asynccontextmanager
async def app_with(tmp_path: Path, **settings: Any) -> AsyncIterator[Api]:
    """The embedded default with these hold settings."""
    async with TestClient(TestServer(create_app(make_settings(tmp_path, **settings)))) as client:
        yield Api(client)


async def orders_of(api: Api, token: str) -> int:
    body = await api.gql("{ myOrders(first: 50) { edges { node { id } } } }", token=token)
    return len(body["data"]["myOrders"]["edges"])


async def test_a_buyer_cannot_keep_more_unpaid_orders_than_the_limit(tmp_path: Path) -> None:
    async with app_with(tmp_path, UNPAID_ORDERS_MAX=2) as api:
        # given a buyer with two unpaid orders
        seller, _ = await api.login("限单卖家")
        buyer, _ = await api.login("限单买家")
        _, _, (sku,) = await make_product(api, seller, stock=100)
        for key in ("a", "b"):
            assert (await place(api, buyer, [line(sku)], key))["errors"] == []
        # when they place a third with a new key
        refused = await place(api, buyer, [line(sku, 3)], "c")
        # then it is refused, and neither an order nor stock is taken
        assert refused["order"] is None
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("TOO_MANY_UNPAID", None)]
        assert await orders_of(api, buyer) == 2 and (await stock(api, sku))[0] == 98
        # and another buyer is not affected
        other, _ = await api.login("别的买家")
        assert (await place(api, other, [line(sku)], "c"))["errors"] == []


async def test_a_replay_at_the_limit_returns_the_first_order(tmp_path: Path) -> None:
    async with app_with(tmp_path, UNPAID_ORDERS_MAX=1) as api:
        seller, _ = await api.login("重放限单卖家")
        buyer, _ = await api.login("重放限单买家")
        _, _, (sku,) = await make_product(api, seller)
        first = await place(api, buyer, [line(sku)], "same")
        again = await place(api, buyer, [line(sku)], "same")
        assert again["errors"] == [] and again["order"]["id"] == first["order"]["id"]


async def test_paying_or_cancelling_an_order_frees_its_hold(tmp_path: Path) -> None:
    async with app_with(tmp_path, UNPAID_ORDERS_MAX=1) as api:
        # given a buyer at the limit
        seller, _ = await api.login("释放卖家")
        buyer, _ = await api.login("释放买家")
        _, _, (sku,) = await make_product(api, seller, stock=100)
        first = (await place(api, buyer, [line(sku)], "a"))["order"]
        assert (await place(api, buyer, [line(sku)], "b"))["errors"][0]["code"] == "TOO_MANY_UNPAID"
        # when they pay it, then they may place another
        assert (await pay(api, buyer, first["id"]))["errors"] == []
        second = await place(api, buyer, [line(sku)], "b")
        assert second["errors"] == []
        # and when they cancel that one, again
        assert (await act(api, CANCEL, buyer, second["order"]["id"]))["errors"] == []
        assert (await place(api, buyer, [line(sku)], "c"))["errors"] == []


async def test_the_units_of_one_sku_are_capped_over_all_unpaid_orders(tmp_path: Path) -> None:
    async with app_with(tmp_path, UNPAID_SKU_UNITS_MAX=10) as api:
        # given a buyer holding 6 unpaid units of a SKU
        seller, _ = await api.login("限量卖家")
        buyer, _ = await api.login("限量买家")
        _, _, (sku, other_sku) = await make_product(api, seller, prices=(100, 200), stock=100)
        assert (await place(api, buyer, [line(sku, 6)], "a"))["errors"] == []
        # when they order 5 more of it (beside another SKU), then the line that goes over is refused
        refused = await place(api, buyer, [line(other_sku, 1), line(sku, 5)], "b")
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("TOO_MANY_UNPAID", ["input", "lines", "1", "quantity"])
        ]
        assert await stock(api, sku) == (94, 0) and await stock(api, other_sku) == (100, 0)
        # and 4 more still fit
        assert (await place(api, buyer, [line(other_sku, 10), line(sku, 4)], "c"))["errors"] == []


async def test_a_large_order_must_be_paid_sooner(tmp_path: Path) -> None:
    async with app_with(tmp_path, LARGE_ORDER_UNITS=5, LARGE_ORDER_PAY_MINUTES=3) as api:
        seller, _ = await api.login("大单卖家")
        buyer, _ = await api.login("大单买家")
        _, _, (a, b) = await make_product(api, seller, prices=(100, 200), stock=100)
        # when one order has 6 units over two lines and another has 5
        large = (await place(api, buyer, [line(a, 3), line(b, 3)], "large"))["order"]
        small = (await place(api, buyer, [line(a, 5)], "small"))["order"]
        # then the large one must be paid within 3 minutes, the other within the usual 15
        now = datetime.now(UTC)
        assert 2 * 60 < (datetime.fromisoformat(large["payBy"]) - now).total_seconds() <= 3 * 60
        assert 14 * 60 < (datetime.fromisoformat(small["payBy"]) - now).total_seconds() <= 15 * 60


async def test_the_sweep_cancels_a_large_order_at_its_own_deadline(tmp_path: Path) -> None:
    async with app_with(tmp_path, LARGE_ORDER_UNITS=5, LARGE_ORDER_PAY_MINUTES=3) as api:
        # given a large and a small unpaid order
        clock = use_clock(api)
        seller, _ = await api.login("到期大单卖家")
        buyer, _ = await api.login("到期大单买家")
        _, _, (sku,) = await make_product(api, seller, stock=100)
        large = (await place(api, buyer, [line(sku, 20)], "large"))["order"]
        small = (await place(api, buyer, [line(sku, 1)], "small"))["order"]
        # when 4 minutes pass and the sweep runs
        clock.advance(minutes=4)
        assert await expire_unpaid(api.services) == 1
        # then the large order is cancelled with its stock back, and can no longer be paid; the small one waits
        docs = [await api.services.store.get("orders", from_global_id(o["id"])[1]) or {} for o in (large, small)]
        assert [(d["status"], d.get("cancelReason")) for d in docs] == [
            ("CANCELLED", "unpaid"),
            ("PENDING_PAYMENT", None),
        ]
        assert (await stock(api, sku))[0] == 99  # the small order still holds its unit
        assert (await pay(api, buyer, large["id"]))["errors"][0]["code"] == "INVALID_STATE"


async def test_a_large_order_cannot_be_paid_after_its_shorter_deadline(tmp_path: Path) -> None:
    async with app_with(tmp_path, LARGE_ORDER_UNITS=5, LARGE_ORDER_PAY_MINUTES=3) as api:
        clock = use_clock(api)
        seller, _ = await api.login("晚付卖家")
        buyer, _ = await api.login("晚付买家")
        _, _, (sku,) = await make_product(api, seller, stock=100)
        large = (await place(api, buyer, [line(sku, 20)], "large"))["order"]
        clock.advance(minutes=3.5)  # before any sweep
        assert (await pay(api, buyer, large["id"]))["errors"] == [
            {"code": "INVALID_STATE", "field": ["input", "orderId"]}
        ]


async def test_unpaid_team_seats_are_capped(tmp_path: Path) -> None:
    async with app_with(tmp_path, UNPAID_TEAM_SEATS_MAX=1) as api:
        # given a buyer holding one unpaid seat
        seller, _ = await api.login("限座卖家")
        leaders = [(await api.login(f"限座团长{i}"))[0] for i in range(2)]
        member, _ = await api.login("限座团员")
        _, (sku,) = await offer_product(api, seller, group_buy=TIERS)
        teams = [(await start(api, t, sku, f"t{i}"))["team"]["id"] for i, t in enumerate(leaders)]
        assert (await join(api, member, teams[0], sku, "j0"))["errors"] == []
        # when they join a second team, then the seat is refused and the team keeps it
        refused = await join(api, member, teams[1], sku, "j1")
        assert refused["errors"] == [{"code": "TOO_MANY_UNPAID", "field": ["input", "skuId"]}]
        team = await api.services.store.get("teams", from_global_id(teams[1])[1])
        assert team is not None and team["seats"] == 1
        assert await api.services.store.count("team_members", {"teamId": team["_id"]}) == 1
        # and they cannot start a team of their own either
        assert (await start(api, member, sku, "own"))["errors"] == [
            {"code": "TOO_MANY_UNPAID", "field": ["input", "skuId"]}
        ]
        # but an ordinary order still may be placed
        assert (await place(api, member, [line(sku)], "plain"))["errors"] == []


async def test_team_and_bargain_orders_count_as_unpaid_orders(tmp_path: Path) -> None:
    async with app_with(tmp_path, UNPAID_ORDERS_MAX=1) as api:
        # given a buyer with one unpaid order
        seller, _ = await api.login("计数卖家")
        buyer, _ = await api.login("计数买家")
        _, (team_sku,) = await offer_product(api, seller, group_buy=TIERS)
        _, (bargain_sku,) = await offer_product(
            api, seller, bargain={"floorPrice": 500, "helpersNeeded": 2, "durationMinutes": 60}, title="砍价"
        )
        bargain = (await start_bargain(api, buyer, bargain_sku))["bargain"]
        assert (await place(api, buyer, [line(team_sku)], "a"))["errors"] == []
        # when they start a team or buy their bargain, then both are refused, and nothing is written
        assert (await start(api, buyer, team_sku, "t"))["errors"][0]["code"] == "TOO_MANY_UNPAID"
        assert await api.services.store.count("teams") == 0
        bought = (await api.gql(BUY, {"b": bargain["id"], "k": "buy"}, token=buyer))["data"]["buyBargain"]
        assert bought["errors"] == [{"code": "TOO_MANY_UNPAID", "field": None}]
        doc = await api.services.store.get("bargains", from_global_id(bargain["id"])[1])
        assert doc is not None and doc["status"] == "ACTIVE"
        assert await orders_of(api, buyer) == 1

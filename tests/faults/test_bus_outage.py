"""Redis (the bus, rate limits, rankings, live counts) killed with SIGKILL and restarted empty: writes keep landing
and never fail for it, /healthz names it, rate limits hold per process meanwhile, and subscribers from before the
outage are subscribed again by themselves: they first catch up (a `resync` makes them read the state again, so
what changed during the outage is not lost) and then hear what is published after. A new subscription while Redis
is down is refused with UNAVAILABLE."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from domain.ids import from_global_id
from tests.api.conftest import Api, make_product
from tests.api.test_content import LIKE as LIKE_POST
from tests.api.test_content import create as create_post
from tests.api.test_live import BLOCK, COMMENT, COMMENTS_SUB, EVENTS_SUB, FOLLOW, Viewer, connect, live_room, mutate
from tests.api.test_orders import PAY, PLACE, SHIP, act, line
from tests.api.test_trust_websocket import closed_with
from tests.faults.conftest import Faulty, eventually, health

StartApp = Callable[..., Awaitable[Api]]
ORDER_SUB = "subscription($id: ID!) { orderStatus(orderId: $id) { status } }"
SALES = "query($id: ID!) { node(id: $id) { ... on Product { salesCount } } }"
FOLLOWERS = "query($id: ID!) { node(id: $id) { ... on User { followerCount } } }"


async def on_redis(app_on: StartApp, redis: Faulty, **settings: Any) -> Api:
    return await app_on(REDIS_URL=redis.url, LIVE_TICK_SECONDS=0.05, **settings)


async def order_statuses(viewer: Viewer, op_id: str = "o") -> str:
    message = await viewer.message()
    assert message["type"] == "next" and message["id"] == op_id, message
    status: str = message["payload"]["data"]["orderStatus"]["status"]
    return status


async def test_purchases_posts_and_follows_land_while_redis_is_down(app_on: StartApp, own_redis: Faulty) -> None:
    # given a shop's product, a buyer and a friend of hers
    api = await on_redis(app_on, own_redis)
    seller, _ = await api.login("停总线卖家")
    buyer, me = await api.login("停总线买家")
    friend, friend_user = await api.login("停总线好友")
    _, product, (sku,) = await make_product(api, seller, stock=5)
    assert (await mutate(api, FOLLOW, friend, u=me["id"]))["errors"] == []
    # when Redis is killed
    await own_redis.kill()
    try:
        # then she still orders, pays (DEV_PAY), follows, posts and likes: every write lands
        placed = (await api.gql(PLACE, {"lines": [line(sku, 2)], "k": "down", "c": None}, token=buyer))["data"]
        assert placed["placeOrder"]["errors"] == []
        order = placed["placeOrder"]["order"]["id"]
        paid = (await api.gql(PAY, {"id": order, "k": "p", "m": "DEV_PAY"}, token=buyer))["data"]["payOrder"]
        assert (paid["errors"], paid["order"]["status"]) == ([], "PAID")
        assert (await mutate(api, FOLLOW, buyer, u=friend_user["id"]))["errors"] == []
        post = await create_post(api, buyer, topics=["断网"])
        assert post["errors"] == []
        liked = (await api.gql(LIKE_POST, {"p": post["post"]["id"]}, token=friend))["data"]["likePost"]
        assert liked["errors"] == [] and liked["post"]["likeCount"] == 1
        # and what follows a payment happened too: the sale is counted, the purchase projected into the graph
        assert (await api.gql(SALES, {"id": product}))["data"]["node"]["salesCount"] == 2
        assert (await api.gql(FOLLOWERS, {"id": friend_user["id"]}))["data"]["node"]["followerCount"] == 1
        raw_buyer, raw_product = from_global_id(me["id"])[1], from_global_id(product)[1]
        await eventually(lambda: _bought(api, raw_buyer, raw_product))
        # and /healthz names the bus
        status, report = await health(api)
        assert (status, report["bus"]["kind"], report["store"]["status"]) == (503, "redis", "ok")
        assert report["bus"]["status"].startswith("down")
    finally:
        await own_redis.restart()
    # when Redis is back, so is the health
    await eventually(lambda: _healthy(api))


async def test_a_shopping_workload_runs_through_a_redis_crash_without_an_error(
    app_on: StartApp, own_redis: Faulty
) -> None:
    # given four buyers ordering and paying one unit after another, six times each
    api = await on_redis(app_on, own_redis)
    seller, _ = await api.login("压测卖家")
    _, product, (sku,) = await make_product(api, seller, stock=100)
    buyers = [(await api.login(f"压测买家{i}"))[0] for i in range(4)]
    done = 0
    crashed, back = asyncio.Event(), asyncio.Event()
    errors: list[Any] = []

    async def shop(token: str, who: int) -> None:
        nonlocal done
        for n in range(6):
            placed = await api.gql(PLACE, {"lines": [line(sku)], "k": f"{who}-{n}", "c": None}, token, True)
            order = (placed.get("data") or {}).get("placeOrder") or {}
            errors.extend(placed.get("errors", []) + order.get("errors", []))
            if order.get("order"):
                paid = await api.gql(PAY, {"id": order["order"]["id"], "k": "p", "m": "DEV_PAY"}, token, True)
                errors.extend(paid.get("errors", []) + ((paid.get("data") or {}).get("payOrder") or {})["errors"])
            done += 1
            if done == 6 or done == 14:
                (back if crashed.is_set() else crashed).set()

    async def crash() -> None:
        await crashed.wait()
        await own_redis.kill()  # a quarter of the way through
        await back.wait()
        await own_redis.restart()  # after more than half

    # when Redis is killed and restarted in the middle of it
    await asyncio.gather(crash(), *(shop(token, i) for i, token in enumerate(buyers)))
    # then no request failed (the outage was met: events were dropped), and every unit is accounted for
    assert errors == []
    assert api.services.backends.bus.dropped > 0  # type: ignore[attr-defined]
    assert (await api.gql(SALES, {"id": product}))["data"]["node"]["salesCount"] == 24
    stock = await api.gql("query($id: ID!) { node(id: $id) { ... on Sku { stock } } }", {"id": sku})
    assert stock["data"]["node"]["stock"] == 100 - 24


async def _bought(api: Api, buyer: str, product: str) -> bool:
    return product in await api.services.backends.graph.neighbors("BOUGHT", buyer)


async def _healthy(api: Api) -> bool:
    return (await health(api))[0] == 200


async def test_a_subscriber_from_before_the_outage_catches_up_then_hears_what_follows(
    app_on: StartApp, own_redis: Faulty
) -> None:
    # given a buyer watching her order's status
    api = await on_redis(app_on, own_redis)
    seller, _ = await api.login("推送卖家")
    buyer, _ = await api.login("推送买家")
    _, _, (sku,) = await make_product(api, seller, stock=5)
    order = (await api.gql(PLACE, {"lines": [line(sku)], "k": "sub", "c": None}, token=buyer))["data"]
    order_id = order["placeOrder"]["order"]["id"]
    viewer = await connect(api.client, buyer)
    await viewer.subscribe("o", ORDER_SUB, id=order_id)
    assert await order_statuses(viewer) == "PENDING_PAYMENT"
    # when Redis dies, the order is paid meanwhile (its event is lost with Redis), and Redis comes back
    await own_redis.kill()
    try:
        paid = (await api.gql(PAY, {"id": order_id, "k": "p", "m": "DEV_PAY"}, token=buyer))["data"]["payOrder"]
        assert paid["errors"] == []
        await asyncio.sleep(0.3)
    finally:
        await own_redis.restart()
    # then the same subscription, never closed, catches up by itself: the order is PAID
    assert await order_statuses(viewer) == "PAID"
    # and hears the changes published after the outage
    assert (await act(api, SHIP, seller, order_id))["errors"] == []
    assert await order_statuses(viewer) == "SHIPPED"


async def test_a_live_room_viewer_from_before_the_outage_gets_the_comments_sent_after_it(
    app_on: StartApp, own_redis: Faulty
) -> None:
    # given a viewer of a live room (the LiveHub's one subscription of the room)
    api = await on_redis(app_on, own_redis)
    host, _ = await api.login("断线主播")
    room = await live_room(api, host)
    viewer = await watching(api, room)
    assert (await mutate(api, COMMENT, host, r=room, b="开播了"))["errors"] == []
    assert (await viewer.data("liveComments"))["body"] == "开播了"
    # when Redis dies and comes back (a comment sent meanwhile is lost with it, but is not refused)
    await own_redis.kill()
    try:
        assert (await mutate(api, COMMENT, host, r=room, b="没人听见"))["errors"] == []
    finally:
        await own_redis.restart()
    # then the viewer gets the comments sent after it, on the same socket and subscription
    await eventually(lambda: _resubscribed(api))
    assert (await mutate(api, COMMENT, host, r=room, b="回来了"))["errors"] == []
    assert (await viewer.data("liveComments"))["body"] == "回来了"


async def watching(api: Api, room: str, token: str | None = None) -> Viewer:
    """A viewer of the room's comments, once the room's bus subscription listens (its first viewer count, sent
    through the room's topic, has arrived)."""
    viewer = await connect(api.client, token)
    await viewer.subscribe("e", EVENTS_SUB, r=room)
    await viewer.subscribe("c", COMMENTS_SUB, r=room)
    assert (await viewer.data("liveRoomEvents"))["__typename"] == "ViewerCountChanged"
    return viewer


async def _resubscribed(api: Api) -> bool:
    """Redis confirmed each of this process's subscriptions again (the bus's reader is past the outage)."""
    bus: Any = api.services.backends.bus
    return bool(bus.resubscribed >= len(bus.fanout.topics()))


async def test_a_new_subscription_while_redis_is_down_is_refused_with_unavailable(
    app_on: StartApp, own_redis: Faulty
) -> None:
    # given an order, and Redis down
    api = await on_redis(app_on, own_redis)
    buyer, _ = await api.login("新订阅买家")
    _, _, (sku,) = await make_product(api, buyer, stock=5)
    order = await api.gql(PLACE, {"lines": [line(sku)], "k": "new", "c": None}, token=buyer)
    await own_redis.kill()
    try:
        # when its buyer subscribes to its status (the socket itself opens: its cap is counted here meanwhile)
        viewer = await connect(api.client, buyer)
        await viewer.subscribe("o", ORDER_SUB, id=order["data"]["placeOrder"]["order"]["id"])
        # then the subscription gets a result without data whose error's code is UNAVAILABLE (no internal error,
        # no host or port in the message), and completes: the client subscribes again later
        message = await viewer.message()
        assert (message["type"], message["payload"]["data"]) == ("next", None), message
        assert message["payload"]["errors"] == [
            {"message": "A backend is unavailable; try again shortly", "extensions": {"code": "UNAVAILABLE"}}
        ]
        assert await viewer.message() == {"id": "o", "type": "complete"}
    finally:
        await own_redis.restart()


async def test_rate_limits_hold_in_each_process_while_redis_is_down(app_on: StartApp, own_redis: Faulty) -> None:
    # given follows limited to 3 a minute, and Redis down
    api = await on_redis(app_on, own_redis, FOLLOWS_PER_MINUTE=3)
    fan, _ = await api.login("限流粉丝")
    stars = [(await api.login(f"明星{i}"))[1]["id"] for i in range(5)]
    await own_redis.kill()
    try:
        # when the fan follows 4 people
        results = [(await mutate(api, FOLLOW, fan, u=star))["errors"] for star in stars[:4]]
        # then the limit still holds, counted in this process: 3 follows, then RATE_LIMITED (not an internal error)
        assert results[:3] == [[], [], []]
        assert [e["code"] for e in results[3]] == ["RATE_LIMITED"]
    finally:
        await own_redis.restart()
    # when Redis is back (empty: it kept nothing), the limit is counted in Redis again
    assert (await mutate(api, FOLLOW, fan, u=stars[4]))["errors"] == []
    assert api.services.limiter.degraded is False  # type: ignore[attr-defined]


async def test_a_login_revoked_while_redis_was_down_closes_its_sockets_elsewhere_once_it_is_back(
    app_on: StartApp, own_redis: Faulty
) -> None:
    # given two processes on one store and one Redis, each reading revocations from the store only every hour,
    # and a user's socket on the first
    first = await on_redis(app_on, own_redis, REVOKED_LOGINS_RELOAD_SECONDS=3600)
    second = await on_redis(app_on, own_redis, REVOKED_LOGINS_RELOAD_SECONDS=3600)
    body = await first.gql(
        'mutation { devLogin(input: {nickname: "被登出的人"}) { accessToken refreshToken errors { code } } }'
    )
    login = body["data"]["devLogin"]
    socket = await connect(first.client, login["accessToken"])
    # when the login is revoked through the second process while Redis is down (its announcement is lost)
    await own_redis.kill()
    try:
        out = await second.gql(
            "mutation($t: String!) { logout(input: {refreshToken: $t}) { ok errors { code } } }",
            {"t": login["refreshToken"]},
        )
        assert out["data"]["logout"] == {"ok": True, "errors": []}
    finally:
        await own_redis.restart()
    # then, once Redis is back, the first process reads the revocations again (its bus subscription resynced)
    # and closes the socket with 4403
    assert await closed_with(socket) == 4403


async def test_a_block_made_while_redis_was_down_holds_in_live_rooms_elsewhere_once_it_is_back(
    app_on: StartApp, own_redis: Faulty
) -> None:
    # given a live room watched on the first process by a viewer, and a commenter
    first = await on_redis(app_on, own_redis)
    second = await on_redis(app_on, own_redis)
    host, _ = await first.login("拉黑主播")
    watcher, me = await first.login("会拉黑的观众")
    rude, rude_user = await first.login("被拉黑的评论者")
    room = await live_room(first, host)
    viewer = await watching(first, room, watcher)
    assert (await mutate(first, COMMENT, host, r=room, b="欢迎"))["errors"] == []
    assert (await viewer.data("liveComments"))["body"] == "欢迎"
    # when the viewer blocks the commenter through the second process while Redis is down (its event is lost)
    await own_redis.kill()
    try:
        assert (await mutate(second, BLOCK, watcher, u=rude_user["id"]))["errors"] == []
    finally:
        await own_redis.restart()
    # then, once Redis is back, the first process's LiveHub reads the blocks again: the blocked commenter's words
    # do not reach the viewer, the host's do
    watcher_id, blocked = from_global_id(me["id"])[1], from_global_id(rude_user["id"])[1]
    await eventually(lambda: _resubscribed(first))
    await eventually(lambda: _holds_block(first, watcher_id, blocked))
    assert (await mutate(first, COMMENT, rude, r=room, b="看不见我"))["errors"] == []
    assert (await mutate(first, COMMENT, host, r=room, b="主播在"))["errors"] == []
    assert (await viewer.data("liveComments"))["body"] == "主播在"


async def _holds_block(api: Api, user: str, other: str) -> bool:
    """The LiveHub's set of who is across a block from `user` (read again from the store after the resync)."""
    entry = api.services.live._blocks.get(user)
    return entry is not None and other in entry.ids


async def test_a_bus_subscription_lives_through_a_restart_and_resyncs_first(own_redis: Faulty) -> None:
    # given a subscriber on one process and a publisher on another
    from subscriptions.redis import RedisBus

    here, there = RedisBus(own_redis.url), RedisBus(own_redis.url)
    await here.open()
    await there.open()
    try:
        async with here.subscribe("t") as sub:
            await there.publish("t", {"n": 1})
            assert (await asyncio.wait_for(anext(sub), 5)).data == {"n": 1}
            # when Redis dies: publishing drops the event instead of raising
            await own_redis.kill()
            await there.publish("t", {"n": 2})
            assert there.dropped == 1
            # when it is back
            await own_redis.restart()
            # then the subscription, never ended, first gets a resync, then what is published after
            first = await asyncio.wait_for(anext(sub), 10)
            assert (first.resync, first.data) == (True, {})
            await there.publish("t", {"n": 3})
            assert (await asyncio.wait_for(anext(sub), 5)).data == {"n": 3}
    finally:
        await here.close()
        await there.close()

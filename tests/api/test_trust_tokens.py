"""Long-lived authority (issue 14, findings 9 and 17): a WebSocket's token is held to its expiry and to its login's
revocation in every process; tokens of revoked logins or of users that do not exist are refused."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from domain.ids import from_global_id
from domain.tokens import AccessClaims, issue_access_token, read_access_token
from tests.api.conftest import Api
from tests.api.test_live import COMMENTS_SUB, connect, live_room, live_settings, viewers_are
from tests.api.test_trust_websocket import closed_with

LOGIN = """mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken refreshToken user { id } } }"""
REFRESH = "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken errors { code } } }"
LOGOUT = "mutation($t: String!) { logout(input: {refreshToken: $t}) { errors { code } } }"
ME = "{ me { id } }"
FOLLOW = "mutation($u: ID!) { follow(input: {userId: $u}) { errors { code } } }"


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Api]:
    async with TestClient(TestServer(create_app(live_settings(tmp_path)))) as client:
        yield Api(client)


async def session(api: Api, nickname: str) -> dict[str, Any]:
    """devLogin: {accessToken, refreshToken, user: {id}}."""
    payload: dict[str, Any] = (await api.gql(LOGIN, {"n": nickname}))["data"]["devLogin"]
    return payload


async def status_of(api: Api, token: str, query: str = ME, **variables: Any) -> tuple[int, Any]:
    body = {"query": query, "variables": variables}
    resp = await api.client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
    return resp.status, await resp.json()


def short_token(api: Api, user_id: str, seconds: int, family: str | None = None) -> str:
    secret = api.services.settings.secret_key()
    return issue_access_token(secret, user_id, datetime.now(UTC), timedelta(seconds=seconds), family=family)


# -- finding 9: a socket's token ------------------------------------------------------------------------


async def test_an_access_token_carries_its_login(live: Api) -> None:
    # when a user signs in
    signed_in = await session(live, "带登录号")
    # then the access token names the login (refresh-token family) it belongs to
    claims = read_access_token(live.services.settings.secret_key(), signed_in["accessToken"])
    family = await live.services.store.get("token_families", claims.family or "")
    assert family is not None and family["userId"] == from_global_id(signed_in["user"]["id"])[1]


async def test_a_socket_is_closed_with_4403_when_its_token_expires(live: Api) -> None:
    # given a socket signed in with a token that expires in two seconds, watching a room
    host, _ = await live.login("过期主播")
    room = await live_room(live, host)
    signed_in = await session(live, "快过期")
    user_id = from_global_id(signed_in["user"]["id"])[1]
    viewer = await connect(live.client, short_token(live, user_id, 2))
    await viewer.subscribe("c", COMMENTS_SUB, r=room)
    await viewers_are(live, room, 1)
    # when the token expires, then the socket is closed with 4403 and stops counting as a viewer
    assert await closed_with(viewer) == 4403
    await viewers_are(live, room, 0)


async def test_mutations_over_a_socket_stop_with_the_token(live: Api) -> None:
    # given a socket whose token expires in two seconds, and which could follow a user while it was valid
    signed_in = await session(live, "套接字变更")
    _, star = await live.login("被关注的人")
    viewer = await connect(live.client, short_token(live, from_global_id(signed_in["user"]["id"])[1], 2))
    follow = {"query": FOLLOW, "variables": {"u": star["id"]}}
    await viewer.ws.send_json({"id": "m", "type": "subscribe", "payload": follow})
    assert (await viewer.message())["payload"]["data"]["follow"]["errors"] == []
    # when the token has expired, then the socket is closed with 4403 before any further mutation runs
    assert await closed_with(viewer) == 4403


async def test_logout_closes_the_sockets_of_that_login_only(live: Api) -> None:
    # given one user signed in twice (two logins), a socket for each
    first, second = await session(live, "两处登录"), await session(live, "两处登录")
    one, two = await connect(live.client, first["accessToken"]), await connect(live.client, second["accessToken"])
    # when the first login logs out
    assert (await live.gql(LOGOUT, {"t": first["refreshToken"]}))["data"]["logout"]["errors"] == []
    # then its socket is closed with 4403, and the other login's socket stays open
    assert await closed_with(one) == 4403
    await two.ws.send_json({"type": "ping"})
    assert await two.message() == {"type": "pong"}


async def test_an_access_token_of_a_logged_out_login_is_refused_over_http(live: Api) -> None:
    # given a login whose access token works
    signed_in = await session(live, "登出后")
    assert (await status_of(live, signed_in["accessToken"]))[0] == 200
    # when it logs out
    await live.gql(LOGOUT, {"t": signed_in["refreshToken"]})
    # then its (unexpired) access token is UNAUTHENTICATED
    status, body = await status_of(live, signed_in["accessToken"])
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_reused_refresh_token_revokes_the_access_token_and_the_socket(live: Api) -> None:
    # given a login with an open socket, whose refresh token was rotated once
    signed_in = await session(live, "被盗")
    viewer = await connect(live.client, signed_in["accessToken"])
    rotated = (await live.gql(REFRESH, {"t": signed_in["refreshToken"]}))["data"]["refreshToken"]
    assert rotated["errors"] == []
    # when the old refresh token is used again (theft)
    reused = (await live.gql(REFRESH, {"t": signed_in["refreshToken"]}))["data"]["refreshToken"]
    assert reused["errors"] == [{"code": "UNAUTHENTICATED"}]
    # then the socket is closed, and both access tokens of that login are refused
    assert await closed_with(viewer) == 4403
    for token in (signed_in["accessToken"], rotated["accessToken"]):
        assert (await status_of(live, token))[0] == 401


async def test_a_process_started_after_a_logout_refuses_its_access_token(tmp_path: Path) -> None:
    # given a login that logged out while one process ran
    settings = live_settings(tmp_path)
    async with TestClient(TestServer(create_app(settings))) as client:
        api = Api(client)
        signed_in = await session(api, "重启前登出")
        await api.gql(LOGOUT, {"t": signed_in["refreshToken"]})
    # when another process starts on the same store
    async with TestClient(TestServer(create_app(live_settings(tmp_path)))) as client:
        # then it refuses the login's access token too
        assert (await status_of(Api(client), signed_in["accessToken"]))[0] == 401


@pytest.fixture
async def two_processes(tmp_path: Path, redis_url: str) -> AsyncIterator[tuple[Api, Api]]:
    one = live_settings(tmp_path / "a", REDIS_URL=redis_url)
    two = live_settings(tmp_path / "a", REDIS_URL=redis_url)
    async with TestClient(TestServer(create_app(one))) as a, TestClient(TestServer(create_app(two))) as b:
        yield Api(a), Api(b)


async def test_logout_in_one_process_closes_the_sockets_of_that_login_in_every_process(
    two_processes: tuple[Api, Api],
) -> None:
    # given a login with a socket on each process
    a, b = two_processes
    signed_in = await session(a, "跨进程登出")
    on_a, on_b = await connect(a.client, signed_in["accessToken"]), await connect(b.client, signed_in["accessToken"])
    # when it logs out through process A
    await a.gql(LOGOUT, {"t": signed_in["refreshToken"]})
    # then both sockets are closed with 4403, and process B refuses its access token over HTTP too
    assert await closed_with(on_a) == 4403
    assert await closed_with(on_b) == 4403
    assert (await status_of(b, signed_in["accessToken"]))[0] == 401


# -- finding 17: tokens of users that do not exist -------------------------------------------------------


async def test_a_token_for_a_user_that_does_not_exist_is_unauthenticated(live: Api) -> None:
    # given a validly signed token whose user does not exist
    token = live.token_for("no-such-user")
    # when it is used for a mutation that would write
    _, star = await live.login("孤儿的目标")
    status, body = await status_of(live, token, FOLLOW, u=star["id"])
    # then it is refused as UNAUTHENTICATED, and nothing was written
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await live.services.store.count("follows") == 0


async def test_a_socket_for_a_user_that_does_not_exist_is_closed_with_4403(live: Api) -> None:
    # given a validly signed token whose user does not exist
    token = live.token_for("no-such-user")
    # when it opens a socket
    ws = await live.client.ws_connect("/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    # then the socket is closed with 4403
    assert await closed_with(ws) == 4403


async def test_a_known_users_token_still_works_over_both(live: Api) -> None:
    # given a signed-in user
    token, user = await live.login("正常用户")
    # then HTTP and WebSocket accept the token
    assert (await status_of(live, token))[1]["data"]["me"]["id"] == user["id"]
    viewer = await connect(live.client, token)
    await viewer.ws.send_json({"id": "q", "type": "subscribe", "payload": {"query": ME}})
    assert (await viewer.message())["payload"]["data"]["me"]["id"] == user["id"]


async def test_a_socket_reads_what_changed_since_its_last_operation(live: Api) -> None:
    # given a socket that has read its user once
    token, _ = await live.login("旧昵称")
    viewer = await connect(live.client, token)
    who = {"query": "{ me { nickname } }"}
    await viewer.ws.send_json({"id": "1", "type": "subscribe", "payload": who})
    assert (await viewer.message())["payload"]["data"]["me"]["nickname"] == "旧昵称"
    assert (await viewer.message())["type"] == "complete"
    # when the user changes over HTTP
    rename = 'mutation { updateProfile(input: {nickname: "新昵称"}) { errors { code } } }'
    assert (await live.gql(rename, token=token))["data"]["updateProfile"]["errors"] == []
    # then the socket's next operation sees the change (its documents are not cached for the socket's life)
    await viewer.ws.send_json({"id": "2", "type": "subscribe", "payload": who})
    assert (await viewer.message())["payload"]["data"]["me"]["nickname"] == "新昵称"


async def test_an_operation_of_a_socket_whose_login_is_known_revoked_closes_it(live: Api) -> None:
    # given an open socket whose login this process learns is revoked without the bus (as from the store at start)
    signed_in = await session(live, "错过通知")
    viewer = await connect(live.client, signed_in["accessToken"])
    family = read_access_token(live.services.settings.secret_key(), signed_in["accessToken"]).family
    live.services.sessions.remember([(family, time.time())])
    # when the socket sends an operation, then it is closed with 4403 instead of running it
    await viewer.ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": ME}})
    assert await closed_with(viewer) == 4403


async def test_a_revocation_missed_on_the_bus_is_caught_up_from_the_store(tmp_path: Path) -> None:
    # given a process that reloads revoked logins every 0.2 s, and a socket of a login
    settings = live_settings(tmp_path, REVOKED_LOGINS_RELOAD_SECONDS=0.2)
    async with TestClient(TestServer(create_app(settings))) as client:
        api = Api(client)
        signed_in = await session(api, "漏掉的消息")
        viewer = await connect(api.client, signed_in["accessToken"])
        family = read_access_token(api.services.settings.secret_key(), signed_in["accessToken"]).family
        # when the login is revoked in the store by another process whose bus message never arrived
        stamp = {"revoked": True, "revokedAt": int(time.time() * 1000)}
        await api.services.store.update_one("token_families", {"_id": family}, {"$set": stamp})
        # then the socket is closed with 4403 and the access token refused, within a reload
        assert await closed_with(viewer) == 4403
        assert (await status_of(api, signed_in["accessToken"]))[0] == 401


async def test_a_checked_token_is_still_refused_once_it_expires(api: Api) -> None:
    # given a token whose signature this process checked while it was valid (its claims are remembered)
    _, user = await api.login("短命")
    raw = from_global_id(user["id"])[1]
    secret = api.services.settings.secret_key()
    issued = datetime.now(UTC) - timedelta(minutes=10)
    token = issue_access_token(secret, raw, issued, timedelta(minutes=5))  # expired 5 minutes ago
    api.services.verified_tokens[token] = AccessClaims(raw, int(issued.timestamp()) + 300, None)
    # when it is used after its expiry
    resp = await api.client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})
    # then it is refused like any expired token, and forgotten
    assert resp.status == 401
    assert token not in api.services.verified_tokens


async def test_a_valid_token_is_checked_once_and_a_forged_one_never_remembered(api: Api) -> None:
    access, _ = await api.login("记得")
    for _ in range(3):
        assert (await api.gql(ME, token=access))["data"]["me"] is not None
    assert access in api.services.verified_tokens
    forged = access[:-4] + ("AAAA" if not access.endswith("AAAA") else "BBBB")
    resp = await api.client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {forged}"})
    assert resp.status == 401
    assert forged not in api.services.verified_tokens

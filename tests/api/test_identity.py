"""Identity: dev and WeChat login, access and refresh tokens, invite codes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.tokens import issue_access_token
from tests.api.conftest import Api
from tests.fakes.wechat import FakeWechat

WECHAT = """mutation($c: String!, $i: String) { loginWithWechat(input: {code: $c, inviteCode: $i}) {
  accessToken refreshToken user { id nickname } errors { code field message } } }"""
REFRESH = """mutation($t: String!) { refreshToken(input: {refreshToken: $t}) {
  accessToken refreshToken user { nickname } errors { code field } } }"""
DEV = """mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken user { id } errors { code field } } }"""


async def test_dev_login_names_one_user_per_nickname(api: Api) -> None:
    token_a, user_a = await api.login("测试用户")
    _, again = await api.login("测试用户")
    _, other = await api.login("另一个")
    assert user_a == again and other["id"] != user_a["id"]
    me = await api.gql("{ me { id nickname } }", token=token_a)
    assert me["data"]["me"] == user_a


async def test_concurrent_first_dev_logins_create_one_user(api: Api) -> None:
    results = await asyncio.gather(*(api.login("同时登录") for _ in range(10)))
    assert len({user["id"] for _, user in results}) == 1
    assert await api.services.store.count("users", {"nickname": "同时登录"}) == 1


async def test_dev_login_is_forbidden_outside_dev_mode(api_prod: Api) -> None:
    body = await api_prod.gql(DEV, {"n": "x"})
    assert body["data"]["devLogin"]["errors"] == [{"code": "FORBIDDEN", "field": None}]
    assert body["data"]["devLogin"]["accessToken"] is None


async def test_dev_login_rejects_empty_and_overlong_nicknames(api: Api) -> None:
    for bad in ("", "   ", "长" * 31):
        body = await api.gql(DEV, {"n": bad})
        assert body["data"]["devLogin"]["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "nickname"]}]
    assert await api.services.store.count("users", {"nickname": ""}) == 0


async def test_wechat_login_creates_the_user_once_and_finds_them_after(
    api_with_wechat: Api, wechat: tuple[FakeWechat, str]
) -> None:
    fake, _ = wechat
    fake.issue("code-1", "openid-abc", "union-1")
    fake.issue("code-2", "openid-abc")
    first = (await api_with_wechat.gql(WECHAT, {"c": "code-1"}))["data"]["loginWithWechat"]
    second = (await api_with_wechat.gql(WECHAT, {"c": "code-2"}))["data"]["loginWithWechat"]
    assert first["errors"] == [] and second["errors"] == []
    assert first["user"]["id"] == second["user"]["id"]
    me = await api_with_wechat.gql("{ me { id } }", token=second["accessToken"])
    assert me["data"]["me"]["id"] == first["user"]["id"]


async def test_wechat_unionid_links_another_app_openid_to_the_same_user(
    api_with_wechat: Api, wechat: tuple[FakeWechat, str]
) -> None:
    fake, _ = wechat
    fake.issue("app1", "openid-app1", "union-shared")
    fake.issue("app2", "openid-app2", "union-shared")
    a = (await api_with_wechat.gql(WECHAT, {"c": "app1"}))["data"]["loginWithWechat"]["user"]
    b = (await api_with_wechat.gql(WECHAT, {"c": "app2"}))["data"]["loginWithWechat"]["user"]
    assert a["id"] == b["id"]


async def test_wechat_bad_used_and_rate_limited_codes_are_user_errors(
    api_with_wechat: Api, wechat: tuple[FakeWechat, str]
) -> None:
    fake, _ = wechat
    fake.issue("once", "openid-once")
    assert (await api_with_wechat.gql(WECHAT, {"c": "once"}))["data"]["loginWithWechat"]["errors"] == []
    for code in ("once", "never-issued", ""):
        errors = (await api_with_wechat.gql(WECHAT, {"c": code}))["data"]["loginWithWechat"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", "code"])]
    fake.rate_limited = True
    fake.issue("later", "openid-later")
    errors = (await api_with_wechat.gql(WECHAT, {"c": "later"}))["data"]["loginWithWechat"]["errors"]
    assert errors[0]["code"] == "RATE_LIMITED"


async def test_wechat_login_without_configuration_is_forbidden(api: Api) -> None:
    errors = (await api.gql(WECHAT, {"c": "x"}))["data"]["loginWithWechat"]["errors"]
    assert errors[0]["code"] == "FORBIDDEN"


async def test_an_invite_code_records_who_brought_the_new_user(api: Api) -> None:
    token, inviter = await api.login("邀请人")
    code = (await api.gql("{ me { inviteCode } }", token=token))["data"]["me"]["inviteCode"]
    assert code
    _, invited = await api.login("新朋友", invite_code=code)
    _, stranger = await api.login("陌生人", invite_code="no-such-code")
    docs = await api.services.store.get_many("users", [api_raw(invited["id"]), api_raw(stranger["id"])])
    assert docs[api_raw(invited["id"])]["invitedBy"] == api_raw(inviter["id"])
    assert docs[api_raw(stranger["id"])]["invitedBy"] is None
    other = await api.gql("query($id: ID!) { user(id: $id) { inviteCode } }", {"id": inviter["id"]})
    assert other["data"]["user"]["inviteCode"] is None  # visible to its owner only


def api_raw(global_id: str) -> str:
    from domain.ids import from_global_id

    return from_global_id(global_id)[1]


async def dev_refresh_token(api: Api, nickname: str) -> str:
    body = await api.gql("mutation($n: String!) { devLogin(input: {nickname: $n}) { refreshToken } }", {"n": nickname})
    token: str = body["data"]["devLogin"]["refreshToken"]
    return token


async def test_refresh_rotates_the_token(api: Api) -> None:
    first = await dev_refresh_token(api, "刷新")
    rotated = (await api.gql(REFRESH, {"t": first}))["data"]["refreshToken"]
    assert rotated["errors"] == [] and rotated["refreshToken"] != first
    assert rotated["user"]["nickname"] == "刷新"
    me = await api.gql("{ me { nickname } }", token=rotated["accessToken"])
    assert me["data"]["me"]["nickname"] == "刷新"


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_login(api: Api) -> None:
    first = await dev_refresh_token(api, "被盗")
    second = (await api.gql(REFRESH, {"t": first}))["data"]["refreshToken"]["refreshToken"]
    reuse = (await api.gql(REFRESH, {"t": first}))["data"]["refreshToken"]
    assert reuse["errors"] == [{"code": "UNAUTHENTICATED", "field": ["input", "refreshToken"]}]
    after = (await api.gql(REFRESH, {"t": second}))["data"]["refreshToken"]
    assert after["errors"][0]["code"] == "UNAUTHENTICATED" and after["accessToken"] is None


async def test_concurrent_uses_of_one_refresh_token_have_one_winner_at_most(api: Api) -> None:
    token = await dev_refresh_token(api, "并发刷新")
    results = await asyncio.gather(*(api.gql(REFRESH, {"t": token}) for _ in range(8)))
    winners = [r for r in results if not r["data"]["refreshToken"]["errors"]]
    assert len(winners) <= 1


async def test_logout_revokes_the_refresh_token(api: Api) -> None:
    token = await dev_refresh_token(api, "登出")
    body = await api.gql("mutation($t: String!) { logout(input: {refreshToken: $t}) { ok } }", {"t": token})
    assert body["data"]["logout"]["ok"] is True
    errors = (await api.gql(REFRESH, {"t": token}))["data"]["refreshToken"]["errors"]
    assert errors[0]["code"] == "UNAUTHENTICATED"


async def test_unknown_refresh_token_is_unauthenticated(api: Api) -> None:
    errors = (await api.gql(REFRESH, {"t": "made-up"}))["data"]["refreshToken"]["errors"]
    assert errors == [{"code": "UNAUTHENTICATED", "field": ["input", "refreshToken"]}]


async def test_an_expired_access_token_is_refused(api: Api) -> None:
    _, user = await api.login("过期")
    secret = api.services.settings.secret_key()
    stale = issue_access_token(
        secret, api_raw(user["id"]), datetime.now(UTC) - timedelta(hours=1), timedelta(minutes=15)
    )
    resp = await api.client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {stale}"}
    )
    assert resp.status == 401

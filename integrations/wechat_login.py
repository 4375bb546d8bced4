"""WeChat mini-program login: exchange a wx.login() code for the user's openid (and unionid) via code2Session.

https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

# errcodes WeChat documents for code2Session
INVALID_CODE = 40029
CODE_USED = 40163
RATE_LIMITED = 45011
HIGH_RISK = 40226


@dataclass(frozen=True)
class WechatIdentity:
    openid: str
    unionid: str | None


class WechatLoginError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"code2Session failed: {errcode} {errmsg}")
        self.errcode = errcode


class WechatUnavailable(Exception):
    """WeChat could not be reached or answered something that is not code2Session's JSON."""


class WechatLogin:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, app_id: str, app_secret: str) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + "/sns/jscode2session"
        self.app_id = app_id
        self.app_secret = app_secret

    async def code2session(self, code: str) -> WechatIdentity:
        params = {"appid": self.app_id, "secret": self.app_secret, "js_code": code, "grant_type": "authorization_code"}
        try:
            async with self.http.get(self.url, params=params, timeout=aiohttp.ClientTimeout(total=5)) as resp:
                # WeChat answers text/plain JSON, so do not insist on the content type.
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WechatUnavailable(str(exc)) from exc
        if not isinstance(body, dict):
            raise WechatUnavailable("unexpected answer")
        errcode = int(body.get("errcode") or 0)
        if errcode:
            raise WechatLoginError(errcode, str(body.get("errmsg", "")))
        openid = body.get("openid")
        if not isinstance(openid, str) or not openid:
            raise WechatUnavailable("no openid in the answer")
        unionid = body.get("unionid")
        return WechatIdentity(openid, unionid if isinstance(unionid, str) and unionid else None)

"""A local fake of WeChat's code2Session endpoint, speaking its real protocol (GET, query string, JSON reply with
errcode/errmsg; codes are single-use), since WeChat itself cannot be reached from here."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

APP_ID = "wx-test-app"
APP_SECRET = "test-app-secret"


@dataclass
class FakeWechat:
    # code -> (openid, unionid or None)
    codes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    rate_limited: bool = False
    calls: int = 0

    def issue(self, code: str, openid: str, unionid: str | None = None) -> None:
        self.codes[code] = (openid, unionid)

    async def jscode2session(self, request: web.Request) -> web.Response:
        self.calls += 1
        q = request.query
        if q.get("appid") != APP_ID or q.get("secret") != APP_SECRET:
            return self._error(40125, "invalid appsecret")
        if q.get("grant_type") != "authorization_code":
            return self._error(40002, "invalid grant_type")
        if self.rate_limited:
            return self._error(45011, "api minute-quota reach limit")
        code = q.get("js_code", "")
        if code in self.used:
            return self._error(40163, "code been used")
        if code not in self.codes:
            return self._error(40029, "invalid code")
        self.used.add(code)
        openid, unionid = self.codes[code]
        body = {"openid": openid, "session_key": "c2Vzc2lvbi1rZXk="}
        if unionid:
            body["unionid"] = unionid
        return web.json_response(body, content_type="text/plain")  # WeChat really says text/plain

    @staticmethod
    def _error(errcode: int, errmsg: str) -> web.Response:
        return web.json_response({"errcode": errcode, "errmsg": errmsg}, content_type="text/plain")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        return app

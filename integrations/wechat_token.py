"""The mini-program's server access token (接口调用凭证), from WeChat's stable_token, cached until shortly before
it expires.

https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html
stable_token (not cgi-bin/token) because in its normal mode every caller gets the same token while it is valid:
several processes each caching one do not invalidate each other's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import aiohttp

# Answers that mean the token we sent is not (or no longer) valid: get a fresh one and try once more.
TOKEN_REFUSED = frozenset({40001, 40014, 42001})
# Refresh this long before WeChat's expiry, so a token is never used in its last seconds.
MARGIN_SECONDS = 300.0
TIMEOUT = aiohttp.ClientTimeout(total=5)


class WechatApiError(Exception):
    """WeChat answered an errcode, or could not be reached (`errcode` None). `retryable`: asking again later may
    succeed (WeChat busy or down, a token refused); otherwise the request itself is wrong and will stay so."""

    def __init__(self, message: str, errcode: int | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.errcode = errcode
        self.retryable = retryable


async def post_json(http: aiohttp.ClientSession, url: str, body: object, **params: str) -> dict[str, object]:
    """POST a JSON body to a WeChat server API; its JSON answer (errcode 0 or absent), or WechatApiError."""
    try:
        async with http.post(url, json=body, params=params, timeout=TIMEOUT) as resp:
            if resp.status >= 500:
                raise WechatApiError(f"WeChat answered HTTP {resp.status}")
            answer = await resp.json(content_type=None)  # WeChat may say text/plain
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise WechatApiError(f"WeChat could not be reached: {exc}") from exc
    if not isinstance(answer, dict):
        raise WechatApiError("WeChat answered something that is not a JSON object")
    errcode = int(answer.get("errcode") or 0)
    if errcode:
        raise WechatApiError(f"WeChat refused: {errcode} {answer.get('errmsg', '')}", errcode)
    return answer


class AccessToken:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        app_id: str,
        app_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + "/cgi-bin/stable_token"
        self.app_id = app_id
        self.app_secret = app_secret
        self.clock = clock
        self._token: str | None = None
        self._until = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """The cached token, or a new one (one request at a time however many callers wait)."""
        if self._token is not None and self.clock() < self._until:
            return self._token
        async with self._lock:
            if self._token is None or self.clock() >= self._until:
                body = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret}
                answer = await post_json(self.http, self.url, {**body, "force_refresh": False})
                token, expires = answer.get("access_token"), answer.get("expires_in")
                if not isinstance(token, str) or not token or not isinstance(expires, int):
                    raise WechatApiError("stable_token answered no access_token")
                self._token = token
                self._until = self.clock() + max(60.0, expires - MARGIN_SECONDS)
            return self._token

    def invalidate(self, token: str) -> None:
        """WeChat refused `token`: the next get() asks for a fresh one (unless another caller already did)."""
        if self._token == token:
            self._token = None

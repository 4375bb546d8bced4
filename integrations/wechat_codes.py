"""WeChat's unlimited mini-program codes (小程序码, getwxacodeunlimit): a round code that opens `page` with `scene`.

https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html
POST /wxa/getwxacodeunlimit?access_token=... with JSON {scene, page, check_path, env_version, width, ...}. The
answer is the image itself (image/jpeg) or, when refused, a JSON {errcode, errmsg}. `scene` is at most 32 visible
characters of [0-9A-Za-z] and !#$&'()*+,/:;=?@-._~; `page` has no leading slash.
"""

from __future__ import annotations

import json
import re

import aiohttp

from integrations.wechat_token import TIMEOUT, TOKEN_REFUSED, AccessToken, WechatApiError

SCENE = re.compile(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}")
WIDTH = 430  # WeChat's default: 280..1280 px


def scene_ok(scene: str) -> bool:
    return SCENE.fullmatch(scene) is not None


class WechatCodes:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, tokens: AccessToken, env_version: str) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + "/wxa/getwxacodeunlimit"
        self.tokens = tokens
        self.env_version = env_version

    async def unlimited(self, scene: str, page: str, width: int = WIDTH) -> bytes:
        """The code's image bytes (JPEG); WechatApiError when WeChat refuses or cannot be reached (once more with
        a fresh access token when it refuses ours)."""
        if not scene_ok(scene):
            raise WechatApiError(f"scene {scene!r} is not 1-32 of WeChat's characters", retryable=False)
        body = {
            "scene": scene,
            "page": page.lstrip("/"),
            "check_path": False,  # pages of a version not yet released are allowed (trial, develop)
            "env_version": self.env_version,
            "width": width,
        }
        for attempt in (1, 2):
            token = await self.tokens.get()
            try:
                return await self._post(body, token)
            except WechatApiError as exc:
                if exc.errcode in TOKEN_REFUSED and attempt == 1:
                    self.tokens.invalidate(token)
                    continue
                raise
        raise WechatApiError("getwxacodeunlimit: no answer")  # not reached

    async def _post(self, body: dict[str, object], token: str) -> bytes:
        try:
            async with self.http.post(self.url, json=body, params={"access_token": token}, timeout=TIMEOUT) as resp:
                if resp.status >= 500:
                    raise WechatApiError(f"WeChat answered HTTP {resp.status}")
                data = await resp.read()
                kind = resp.headers.get("Content-Type", "")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WechatApiError(f"WeChat could not be reached: {exc}") from exc
        if kind.startswith("image/"):
            return data
        try:
            answer = json.loads(data)
        except ValueError as exc:
            raise WechatApiError("getwxacodeunlimit answered neither an image nor JSON") from exc
        errcode = int(answer.get("errcode") or 0) if isinstance(answer, dict) else -1
        message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise WechatApiError(f"WeChat refused the code: {errcode} {message}", errcode, retryable=errcode in (-1, 45009))

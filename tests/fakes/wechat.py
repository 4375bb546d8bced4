"""A local fake of WeChat's mini-program server API, speaking its real protocol, since WeChat itself cannot be
reached from here: code2Session (GET, query string, JSON reply with errcode/errmsg; codes are single-use), the
access token (stable_token: one token while it is valid), the shipping information (upload_shipping_info,
which checks our token and validates the body as WeChat documents it), and unlimited mini-program codes
(getwxacodeunlimit: a JPEG for a valid {scene, page, ...}, a JSON errcode otherwise)."""

from __future__ import annotations

import io
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
    # Access tokens: the valid one, those that expired (42001 when used), stable_token calls, a refused secret.
    token: str | None = None
    expired: set[str] = field(default_factory=set)
    token_calls: int = 0
    refuse_secret: bool = False
    # Shipping information: the WeChat Pay payments WeChat knows (transaction_id -> payer openid), what it holds of
    # each (accepted uploads), the uploads it took, and how many next uploads answer "system error" (an outage).
    payments: dict[str, str] = field(default_factory=dict)
    shipping: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    upload_calls: int = 0
    outage: int = 0
    # Mini-program codes: the pages of the released version (check_path), the bodies it made codes for.
    pages: set[str] = field(default_factory=lambda: {"pages/index/index", "pages/product/index", "pages/post/index"})
    codes_made: list[dict[str, Any]] = field(default_factory=list)
    code_calls: int = 0

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

    # -- access token ----------------------------------------------------------------------------------------
    async def stable_token(self, request: web.Request) -> web.Response:
        self.token_calls += 1
        try:
            body = json.loads(await request.text())
        except ValueError:
            return self._error(47001, "data format error")
        if body.get("grant_type") != "client_credential":
            return self._error(40002, "invalid grant_type")
        if body.get("appid") != APP_ID:
            return self._error(40013, "invalid appid")
        if body.get("secret") != APP_SECRET or self.refuse_secret:
            return self._error(40125, "invalid appsecret")
        if self.token is None or body.get("force_refresh"):
            self.token = f"tok-{secrets.token_hex(12)}"
        return web.json_response({"access_token": self.token, "expires_in": 7200})

    def expire_token(self) -> None:
        """The token WeChat issued expires: using it answers 42001; stable_token gives a new one."""
        if self.token is not None:
            self.expired.add(self.token)
        self.token = None

    def _token_refusal(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token")
        if not token:
            return self._error(41001, "access_token missing")
        if token in self.expired:
            return self._error(42001, "access_token expired")
        if token != self.token:
            return self._error(40001, "invalid credential, access_token is invalid or not latest")
        return None

    # -- shipping information --------------------------------------------------------------------------------
    def pay(self, transaction_id: str, openid: str) -> None:
        """A WeChat Pay payment, as the shipping information knows it once stored."""
        self.payments[transaction_id] = openid

    async def upload_shipping_info(self, request: web.Request) -> web.Response:
        self.upload_calls += 1
        refused = self._token_refusal(request)
        if refused is not None:
            return refused
        if self.outage > 0:
            self.outage -= 1
            return self._error(-1, "system error")
        try:
            body = json.loads(await request.text())
        except ValueError:
            return self._error(47001, "data format error")
        problem = shipping_problem(body, self.payments, self.shipping)
        if problem is not None:
            return self._error(*problem)
        key = body["order_key"]["transaction_id"]
        held = self.shipping.setdefault(key, {"packages": [], "delivered": False, "redelivered": False})
        if held["delivered"]:
            held["redelivered"] = True  # WeChat allows one re-delivery per payment
            held["packages"] = []
        held["packages"] += body["shipping_list"]
        held["delivered"] = body["delivery_mode"] == 1 or body["is_all_delivered"]
        held["uploadTime"] = body["upload_time"]
        self.uploads.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    # -- mini-program codes ------------------------------------------------------------------------------------
    async def getwxacodeunlimit(self, request: web.Request) -> web.Response:
        self.code_calls += 1
        refused = self._token_refusal(request)
        if refused is not None:
            return refused
        try:
            body = json.loads(await request.text())
        except ValueError:
            return self._error(47001, "data format error")
        problem = code_problem(body, self.pages)
        if problem is not None:
            return self._error(*problem)
        self.codes_made.append(body)
        return web.Response(body=code_image(body), content_type="image/jpeg")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        app.router.add_post("/wxa/sec/order/upload_shipping_info", self.upload_shipping_info)
        app.router.add_post("/wxa/getwxacodeunlimit", self.getwxacodeunlimit)
        return app


MASKED = re.compile(r"\+?[\d-]*\*+[\d-]*\d{4}")  # 138****1234: masked, the last 4 digits in clear
FORMAT = 47001  # WeChat's answer to a body that is not what the API takes ("data format error")


def _text(value: Any, most_bytes: int) -> bool:
    return isinstance(value, str) and 1 <= len(value.encode()) <= most_bytes


def shipping_problem(body: Any, payments: dict[str, str], held: dict[str, dict[str, Any]]) -> tuple[int, str] | None:
    """Why WeChat would refuse an upload_shipping_info body, as (errcode, errmsg); None when it takes it."""
    if not isinstance(body, dict):
        return FORMAT, "data format error"
    key = body.get("order_key")
    if not isinstance(key, dict) or key.get("order_number_type") not in (1, 2):
        return FORMAT, "data format error, hint: order_key"
    if key["order_number_type"] == 1:  # mchid + out_trade_no: this fake knows payments by transaction_id only
        if not (_text(key.get("mchid"), 32) and _text(key.get("out_trade_no"), 32)):
            return FORMAT, "data format error, hint: order_key.mchid/out_trade_no"
        return 10060001, "支付单不存在"
    transaction = key.get("transaction_id")
    if not _text(transaction, 32):
        return FORMAT, "data format error, hint: order_key.transaction_id"
    if transaction not in payments:
        return 10060001, "支付单不存在"
    if body.get("logistics_type") not in (1, 2, 3, 4):
        return FORMAT, "data format error, hint: logistics_type"
    mode = body.get("delivery_mode")
    if mode not in (1, 2):
        return FORMAT, "data format error, hint: delivery_mode"
    if mode == 2 and (body["logistics_type"] != 1 or not isinstance(body.get("is_all_delivered"), bool)):
        return FORMAT, "data format error, hint: split delivery is express only and needs is_all_delivered"
    packages = body.get("shipping_list")
    earlier = held.get(transaction, {"packages": [], "delivered": False, "redelivered": False})
    most = 1 if mode == 1 else 15 - (0 if earlier["delivered"] else len(earlier["packages"]))
    if not isinstance(packages, list) or not 1 <= len(packages) <= most:
        return FORMAT, "data format error, hint: shipping_list"
    for item in packages:
        if not isinstance(item, dict) or not isinstance(item.get("item_desc"), str):
            return FORMAT, "data format error, hint: shipping_list.item_desc"
        if not 1 <= len(item["item_desc"]) <= 120:
            return FORMAT, "data format error, hint: item_desc is 1 to 120 characters"
        if body["logistics_type"] == 1:
            if not (_text(item.get("tracking_no"), 128) and _text(item.get("express_company"), 1024)):
                return FORMAT, "data format error, hint: tracking_no and express_company"
            contact = item.get("contact") or {}
            phones = [contact.get(k) for k in ("receiver_contact", "consignor_contact") if contact.get(k)]
            if item["express_company"] == "SF" and not phones:
                return FORMAT, "data format error, hint: SF needs a contact"
            if any(not isinstance(p, str) or not MASKED.fullmatch(p) for p in phones):
                return FORMAT, "data format error, hint: contact must be masked, the last 4 digits in clear"
    try:
        uploaded = datetime.fromisoformat(str(body.get("upload_time")))
    except ValueError:
        return FORMAT, "data format error, hint: upload_time is RFC 3339"
    if uploaded.tzinfo is None:
        return FORMAT, "data format error, hint: upload_time needs its offset"
    if "uploadTime" in earlier and uploaded <= datetime.fromisoformat(earlier["uploadTime"]):
        return FORMAT, "data format error, hint: upload_time must be later than the last upload"
    payer = body.get("payer")
    if not isinstance(payer, dict) or payer.get("openid") != payments[transaction]:
        return FORMAT, "data format error, hint: payer.openid is not the payer of this payment"
    if earlier["delivered"] and earlier["redelivered"]:
        return 10060003, "支付单已使用重新发货机会"
    return None


SCENE_CHARS = re.compile(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]*")


def code_problem(body: Any, pages: set[str]) -> tuple[int, str] | None:
    """Why WeChat would refuse a getwxacodeunlimit body, as (errcode, errmsg); None when it makes the code."""
    if not isinstance(body, dict):
        return FORMAT, "data format error"
    scene = body.get("scene")
    if not isinstance(scene, str) or not 1 <= len(scene) <= 32:
        return 40169, "invalid length for scene, or the data is not json string"
    if not SCENE_CHARS.fullmatch(scene):
        return 40129, "invalid scene"
    if "scancode_time" in body:
        return 85096, "not allow include scancode_time field"
    page = body.get("page", "pages/index/index")
    if not isinstance(page, str) or page.startswith("/") or len(page) > 1024:
        return 41030, "invalid page hint: page must not start with /"
    if body.get("check_path", True) and page not in pages:
        return 41030, "invalid page hint: not in the released version"
    if body.get("env_version", "release") not in ("release", "trial", "develop"):
        return 40097, "invalid args hint: env_version"
    width = body.get("width", 430)
    if not isinstance(width, int) or not 280 <= width <= 1280:
        return 40097, "invalid args hint: width is 280 to 1280"
    return None


def code_image(body: dict[str, Any]) -> bytes:
    """A JPEG standing for the code: a QR of page?scene, width pixels square (WeChat's is round; the size is
    what matters to the caller)."""
    import segno
    from PIL import Image

    qr = segno.make(f"{body.get('page', 'pages/index/index')}?{body['scene']}", error="m")
    width = int(body.get("width", 430))
    rows = list(qr.matrix_iter(scale=1, border=2))
    image = Image.new("L", (len(rows), len(rows)), 255)
    image.putdata([0 if bit else 255 for row in rows for bit in row])
    out = io.BytesIO()
    image.resize((width, width), Image.Resampling.NEAREST).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()

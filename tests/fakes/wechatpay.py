"""A local fake of the WeChat Pay API v3, speaking its real protocol, since WeChat Pay cannot be reached from here.

It checks every request's `Authorization: WECHATPAY2-SHA256-RSA2048 ...` signature with the merchant's public key,
signs every answer with the platform key (public-key mode: `Wechatpay-Serial` is the public key id), and builds
notifications the way WeChat Pay does: the resource AES-256-GCM-encrypted with the APIv3 key, the body signed.
It speaks JSAPI prepay, refunds, and the merchant transfer of 2025 (商家转账: create a bill, query it by out_bill_no,
cancel it), whose bills move ACCEPTED/WAIT_USER_CONFIRM -> SUCCESS | FAIL | CANCELING -> CANCELLED.
Keys are generated per test; signing uses `wechatpayv3.utils`, the library the server uses.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from wechatpayv3.utils import rsa_sign

MCH_ID = "1900000109"
CERT_SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092025010100000000000001"
_AUTH = re.compile(r'(\w+)="([^"]*)"')
_BILL_NO = re.compile(r"^[A-Za-z0-9]{1,32}$")
TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills"
CANCELLABLE = frozenset({"ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING"})


def _pem_private(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _pem_public(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class FakeWechatPay:
    merchant_key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    platform_key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    apiv3_key: str = field(default_factory=lambda: secrets.token_hex(16))
    # out_trade_no -> the prepay request (a combined prepay's sub-orders too, shaped like a JSAPI one)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # combine_out_trade_no -> the combined prepay request
    combines: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    refund_status: str = "PROCESSING"
    # Refund requests received (accepted or not); a refusal to answer them with, e.g. (403, "USER_ACCOUNT_ABNORMAL").
    refund_requests: int = 0
    refund_refusal: tuple[int, str] | None = None
    down: bool = False
    slow: float = 0.0  # seconds every answer takes
    bad_signatures: int = 0
    app_id: str = ""
    # Merchant transfers: out_bill_no -> the bill (its request's fields, state, transfer_bill_no, package_info, ...);
    # the state a new bill starts in; a refusal to answer create requests with (no bill is made); `lose_answers`
    # makes the bill but answers 503, as when the answer is lost on its way back.
    bills: dict[str, dict[str, Any]] = field(default_factory=dict)
    transfer_requests: int = 0
    transfer_queries: int = 0
    transfer_state: str = "WAIT_USER_CONFIRM"
    transfer_refusal: tuple[int, str] | None = None
    lose_answers: bool = False

    def settings(self, base_url: str, app_id: str) -> dict[str, str]:
        self.app_id = app_id
        return {
            "WECHAT_PAY_API_BASE": base_url,
            "WECHAT_APP_ID": app_id,
            "WECHAT_PAY_MCH_ID": MCH_ID,
            "WECHAT_PAY_PRIVATE_KEY": _pem_private(self.merchant_key),
            "WECHAT_PAY_CERT_SERIAL_NO": CERT_SERIAL_NO,
            "WECHAT_PAY_APIV3_KEY": self.apiv3_key,
            "WECHAT_PAY_PUBLIC_KEY": _pem_public(self.platform_key),
            "WECHAT_PAY_PUBLIC_KEY_ID": PUBLIC_KEY_ID,
            "WECHAT_PAY_NOTIFY_URL": "https://shop.example.com/webhooks/wechatpay",
        }

    # -- the API ---------------------------------------------------------------------------------------
    def _merchant_signed(self, request: web.Request, body: str) -> bool:
        scheme, _, params = request.headers.get("Authorization", "").partition(" ")
        fields = dict(_AUTH.findall(params))
        if scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != MCH_ID:
            return False
        if fields.get("serial_no") != CERT_SERIAL_NO or abs(time.time() - int(fields.get("timestamp", "0"))) > 300:
            return False
        message = f"{request.method}\n{request.path_qs}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
        try:
            self.merchant_key.public_key().verify(
                base64.b64decode(fields.get("signature", "")), message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def _answer(self, status: int, obj: dict[str, Any]) -> web.Response:
        body = json.dumps(obj)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Serial": PUBLIC_KEY_ID,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            "Wechatpay-Signature": rsa_sign(self.platform_key, f"{timestamp}\n{nonce}\n{body}\n"),
            "Request-ID": str(uuid.uuid4()),
        }
        return web.Response(status=status, body=body, headers=headers, content_type="application/json")

    async def _checked(self, request: web.Request) -> dict[str, Any] | web.Response:
        body = await request.text()
        if self.slow:
            await asyncio.sleep(self.slow)
        if self.down:
            return web.Response(status=503, text="busy")
        if not self._merchant_signed(request, body):
            self.bad_signatures += 1
            return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        return dict(json.loads(body)) if body else {}

    async def jsapi(self, request: web.Request) -> web.Response:
        req = await self._checked(request)
        if isinstance(req, web.Response):
            return req
        if req.get("mchid") != MCH_ID or not req.get("payer", {}).get("openid") or not req.get("notify_url"):
            return self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
        self.transactions[req["out_trade_no"]] = req
        return self._answer(200, {"prepay_id": f"wx{secrets.token_hex(14)}"})

    async def combine_jsapi(self, request: web.Request) -> web.Response:
        """合单下单-JSAPI: up to 50 sub-orders of this merchant, each with its own out_trade_no and amount."""
        req = await self._checked(request)
        if isinstance(req, web.Response):
            return req
        subs = req.get("sub_orders") or []
        numbers = [sub.get("out_trade_no") for sub in subs]
        if (
            req.get("combine_mchid") != MCH_ID
            or not req.get("combine_appid")
            or not req.get("combine_out_trade_no")
            or not (req.get("combine_payer_info") or {}).get("openid")
            or not req.get("notify_url")
            or not 1 <= len(subs) <= 50
            or len(set(numbers)) != len(numbers)
            or any(
                sub.get("mchid") != MCH_ID
                or not sub.get("out_trade_no")
                or not sub.get("description")
                or not sub.get("attach")
                or not isinstance((sub.get("amount") or {}).get("total_amount"), int)
                or sub["amount"]["total_amount"] < 1
                for sub in subs
            )
        ):
            return self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
        self.combines[req["combine_out_trade_no"]] = req
        for sub in subs:
            self.transactions[sub["out_trade_no"]] = {
                "appid": req["combine_appid"],
                "mchid": sub["mchid"],
                "out_trade_no": sub["out_trade_no"],
                "payer": {"openid": req["combine_payer_info"]["openid"]},
                "amount": {"total": sub["amount"]["total_amount"], "currency": "CNY"},
                "combine_out_trade_no": req["combine_out_trade_no"],
            }
        return self._answer(200, {"prepay_id": f"wx{secrets.token_hex(14)}"})

    async def refund(self, request: web.Request) -> web.Response:
        req = await self._checked(request)
        if isinstance(req, web.Response):
            return req
        self.refund_requests += 1
        if self.refund_refusal is not None:
            return self._answer(self.refund_refusal[0], {"code": self.refund_refusal[1], "message": "退款被拒绝"})
        paid = self.transactions.get(req.get("out_trade_no", ""))
        if paid is None or req["amount"]["total"] != paid["amount"]["total"]:
            return self._answer(400, {"code": "PARAM_ERROR", "message": "订单金额或退款金额与之前请求不一致"})
        earlier = sum(
            r["amount"]["refund"]
            for no, r in self.refunds.items()
            if r["out_trade_no"] == req["out_trade_no"] and no != req["out_refund_no"]
        )
        if req["out_refund_no"] not in self.refunds and earlier + req["amount"]["refund"] > paid["amount"]["total"]:
            return self._answer(400, {"code": "INVALID_REQUEST", "message": "申请退款金额超过订单可退金额"})
        self.refunds.setdefault(req["out_refund_no"], req)
        return self._answer(
            200,
            {
                "refund_id": f"5030{secrets.token_hex(10)}",
                "out_refund_no": req["out_refund_no"],
                "out_trade_no": req["out_trade_no"],
                "status": self.refund_status,
                "amount": {**req["amount"], "payer_refund": req["amount"]["refund"]},
            },
        )

    async def transfer(self, request: web.Request) -> web.Response:
        """发起转账: a new bill, or the same bill again for a repeated out_bill_no (原单重试)."""
        req = await self._checked(request)
        if isinstance(req, web.Response):
            return req
        self.transfer_requests += 1
        if self.transfer_refusal is not None:
            return self._answer(self.transfer_refusal[0], {"code": self.transfer_refusal[1], "message": "转账被拒绝"})
        problem = _transfer_problem(req, self.app_id)
        if problem:
            return self._answer(400, {"code": "PARAM_ERROR", "message": problem})
        bill = self.bills.get(req["out_bill_no"])
        if bill is not None and (bill["openid"], bill["transfer_amount"]) != (req["openid"], req["transfer_amount"]):
            return self._answer(400, {"code": "INVALID_REQUEST", "message": "商户单号重复，且与原单参数不一致"})
        if bill is None:
            bill = self.bills[req["out_bill_no"]] = {
                **req,
                "state": self.transfer_state,
                "transfer_bill_no": f"1330{secrets.token_hex(16)}",
                "package_info": base64.b64encode(secrets.token_bytes(48)).decode(),
                "create_time": _now(),
                "update_time": _now(),
            }
            if self.transfer_state == "FAIL":
                bill["fail_reason"] = "PAYEE_ACCOUNT_ABNORMAL"
        if self.lose_answers:
            return web.Response(status=503, text="the answer was lost")
        answer = {k: bill[k] for k in ("out_bill_no", "transfer_bill_no", "create_time", "state")}
        if bill["state"] == "WAIT_USER_CONFIRM":
            answer["package_info"] = bill["package_info"]
        if bill.get("fail_reason"):
            answer["fail_reason"] = bill["fail_reason"]
        return self._answer(200, answer)

    async def transfer_query(self, request: web.Request) -> web.Response:
        """商户单号查询转账单. A bill being cancelled is CANCELLED by the time it is asked about."""
        req = await self._checked(request)
        if isinstance(req, web.Response):
            return req
        self.transfer_queries += 1
        bill = self.bills.get(request.match_info["no"])
        if bill is None:
            return self._answer(404, {"code": "NOT_FOUND", "message": "记录不存在"})
        if bill["state"] == "CANCELING":
            self.move_bill(bill["out_bill_no"], "CANCELLED")
        fields = ("out_bill_no", "transfer_bill_no", "appid", "state", "transfer_amount", "transfer_remark", "openid")
        answer = {"mch_id": MCH_ID, **{k: bill[k] for k in fields}}
        answer.update(create_time=bill["create_time"], update_time=bill["update_time"])
        if bill.get("fail_reason"):
            answer["fail_reason"] = bill["fail_reason"]
        return self._answer(200, answer)

    async def transfer_cancel(self, request: web.Request) -> web.Response:
        """撤销转账: only before the user confirmed it."""
        req = await self._checked(request)
        if isinstance(req, web.Response):
            return req
        bill = self.bills.get(request.match_info["no"])
        if bill is None:
            return self._answer(404, {"code": "NOT_FOUND", "message": "记录不存在"})
        if bill["state"] not in CANCELLABLE:
            return self._answer(400, {"code": "INVALID_REQUEST", "message": "当前单据状态不支持撤销"})
        self.move_bill(bill["out_bill_no"], "CANCELING")
        answer = {k: bill[k] for k in ("out_bill_no", "transfer_bill_no", "state", "update_time")}
        return self._answer(200, answer)

    def move_bill(self, out_bill_no: str, state: str, fail_reason: str | None = None) -> dict[str, Any]:
        """A bill's state moves on WeChat Pay's side (the user confirmed, the account was found frozen, ...)."""
        bill = self.bills[out_bill_no]
        bill.update(state=state, update_time=_now())
        if fail_reason:
            bill["fail_reason"] = fail_reason
        return bill

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/pay/transactions/jsapi", self.jsapi)
        app.router.add_post("/v3/combine-transactions/jsapi", self.combine_jsapi)
        app.router.add_post("/v3/refund/domestic/refunds", self.refund)
        app.router.add_post(TRANSFER_PATH, self.transfer)
        app.router.add_get(TRANSFER_PATH + "/out-bill-no/{no}", self.transfer_query)
        app.router.add_post(TRANSFER_PATH + "/out-bill-no/{no}/cancel", self.transfer_cancel)
        return app

    # -- notifications ---------------------------------------------------------------------------------
    def notification(
        self,
        event_type: str,
        resource: dict[str, Any],
        *,
        timestamp: int | None = None,
        signing_key: rsa.RSAPrivateKey | None = None,
        apiv3_key: str | None = None,
    ) -> tuple[dict[str, str], str]:
        """(headers, body) of a notification as WeChat Pay sends it."""
        nonce = secrets.token_hex(6)  # 12 bytes for AES-GCM, as WeChat Pay uses
        associated = "transaction" if event_type.startswith("TRANSACTION") else "refund"
        if event_type.startswith("MCHTRANSFER"):
            associated = "mch_payment"
        aes = AESGCM((apiv3_key or self.apiv3_key).encode())
        ciphertext = aes.encrypt(nonce.encode(), json.dumps(resource).encode(), associated.encode())
        body = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "create_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": SUMMARIES[associated],
                "resource": {
                    "original_type": associated,
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(ciphertext).decode(),
                    "associated_data": associated,
                    "nonce": nonce,
                },
            }
        )
        ts, header_nonce = str(timestamp if timestamp is not None else int(time.time())), secrets.token_hex(16)
        headers = {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": header_nonce,
            "Wechatpay-Serial": PUBLIC_KEY_ID,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            "Wechatpay-Signature": rsa_sign(signing_key or self.platform_key, f"{ts}\n{header_nonce}\n{body}\n"),
            "Content-Type": "application/json",
        }
        return headers, body

    def paid(self, out_trade_no: str, total: int | None = None, **kw: Any) -> tuple[dict[str, str], str]:
        """TRANSACTION.SUCCESS for a prepaid order (the amount it was prepaid with unless `total` is given)."""
        req = self.transactions[out_trade_no]
        resource = {
            "mchid": MCH_ID,
            "appid": req["appid"],
            "out_trade_no": out_trade_no,
            "transaction_id": f"4200{secrets.token_hex(10)}",
            "trade_type": "JSAPI",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "success_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            "payer": req["payer"],
            "amount": {"total": req["amount"]["total"] if total is None else total, "currency": "CNY"},
        }
        return self.notification("TRANSACTION.SUCCESS", resource, **kw)

    def combine_paid(
        self, combine_out_trade_no: str, totals: dict[str, int] | None = None, **kw: Any
    ) -> tuple[dict[str, str], str]:
        """TRANSACTION.SUCCESS of a combined payment: every sub-order paid (each for the amount it was prepaid with,
        unless `totals` says otherwise for its out_trade_no)."""
        req = self.combines[combine_out_trade_no]
        now = time.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        subs = []
        for sub in req["sub_orders"]:
            total = (totals or {}).get(sub["out_trade_no"], sub["amount"]["total_amount"])
            subs.append(
                {
                    "mchid": sub["mchid"],
                    "trade_type": "JSAPI",
                    "trade_state": "SUCCESS",
                    "bank_type": "OTHERS",
                    "attach": sub["attach"],
                    "success_time": now,
                    "transaction_id": f"4200{secrets.token_hex(10)}",
                    "out_trade_no": sub["out_trade_no"],
                    "amount": {
                        "total_amount": total,
                        "currency": "CNY",
                        "payer_amount": total,
                        "payer_currency": "CNY",
                    },
                }
            )
        resource = {
            "combine_appid": req["combine_appid"],
            "combine_mchid": req["combine_mchid"],
            "combine_out_trade_no": combine_out_trade_no,
            "sub_orders": subs,
            "combine_payer_info": req["combine_payer_info"],
        }
        return self.notification("TRANSACTION.SUCCESS", resource, **kw)

    def refunded(self, out_refund_no: str) -> tuple[dict[str, str], str]:
        req = self.refunds[out_refund_no]
        resource = {
            "mchid": MCH_ID,
            "out_trade_no": req["out_trade_no"],
            "out_refund_no": out_refund_no,
            "refund_id": f"5030{secrets.token_hex(10)}",
            "refund_status": "SUCCESS",
            "amount": {**req["amount"], "payer_refund": req["amount"]["refund"]},
        }
        return self.notification("REFUND.SUCCESS", resource)

    def transfer_finished(
        self, out_bill_no: str, state: str = "SUCCESS", fail_reason: str | None = None, **kw: Any
    ) -> tuple[dict[str, str], str]:
        """The bill reaches `state` (SUCCESS, FAIL, CANCELLED) and WeChat Pay tells: MCHTRANSFER.BILL.FINISHED.
        `amount` overrides the amount told (to tell a wrong one)."""
        amount = kw.pop("amount", None)
        bill = self.move_bill(out_bill_no, state, fail_reason)
        resource = {
            "mch_id": MCH_ID,
            "out_bill_no": out_bill_no,
            "transfer_bill_no": bill["transfer_bill_no"],
            "state": state,
            "transfer_amount": bill["transfer_amount"] if amount is None else amount,
            "openid": bill["openid"],
            "create_time": bill["create_time"],
            "update_time": bill["update_time"],
        }
        if bill.get("fail_reason"):
            resource["fail_reason"] = bill["fail_reason"]
        return self.notification("MCHTRANSFER.BILL.FINISHED", resource, **kw)

    def verify_pay_sign(self, params: dict[str, str]) -> bool:
        """Check wx.requestPayment()'s paySign the way the WeChat client does, with the merchant's public key."""
        message = f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
        try:
            self.merchant_key.public_key().verify(
                base64.b64decode(params["paySign"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return False
        return True


SUMMARIES = {"transaction": "支付成功", "refund": "退款成功", "mch_payment": "商家转账单据终态通知"}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def _transfer_problem(req: dict[str, Any], app_id: str) -> str | None:
    """What WeChat Pay's 发起转账 checks of a request, as its PARAM_ERROR message; None when it is well formed."""
    infos = req.get("transfer_scene_report_infos")
    amount = req.get("transfer_amount")
    if app_id and req.get("appid") != app_id:
        return "appid与商户号不匹配"
    if not _BILL_NO.match(str(req.get("out_bill_no", ""))):
        return "商户单号只能由数字、大小写字母组成，最长32位"
    if not req.get("transfer_scene_id") or not req.get("openid"):
        return "转账场景ID和收款用户OpenID必填"
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 10:
        return "转账金额最低0.1元"
    if amount >= 200_000 and not req.get("user_name"):
        return "转账金额>=2000元时须填写收款用户姓名"
    if not 1 <= len(str(req.get("transfer_remark", ""))) <= 32:
        return "转账备注最多32个字符"
    if not infos or not all(isinstance(i, dict) and i.get("info_type") and i.get("info_content") for i in infos):
        return "需传入转账场景报备信息，请检查"
    if not str(req.get("notify_url", "")).startswith("https://"):
        return "通知地址须为https地址"
    return None

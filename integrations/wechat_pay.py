"""WeChat Pay (API v3) for mini-programs, through the `wechatpayv3` library: JSAPI prepay orders (one order, or
several combined: 合单支付), the parameters `wx.requestPayment()` takes, refunds, merchant transfers to a user's
WeChat balance (商家转账, the API of 2025: /v3/fund-app/mch-transfer/transfer-bills), and verified, decrypted
notifications.

The library signs every request with the merchant key and verifies every answer and notification with the WeChat
Pay public key (the "微信支付公钥" mode, so no platform-certificate download). It is synchronous, so calls run in a
worker thread. The API base URL is a setting so tests can run the same code against a local fake.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wechatpayv3 import WeChatPay, WeChatPayType

# Notifications older (or newer) than this are refused: a captured one cannot be replayed later.
NOTIFICATION_WINDOW_SECONDS = 300


# WeChat Pay's refusals that may pass if asked again later; any other 4xx answer will not change.
PASSING = frozenset({"SYSTEM_ERROR", "FREQUENCY_LIMITED", "NOT_ENOUGH", "SIGN_ERROR"})


class PaymentError(Exception):
    """WeChat Pay refused or could not be reached. `code` is WeChat Pay's error code when it answered;
    `retryable` is False for a refusal that asking again cannot change (a bad amount, a closed account)."""

    def __init__(self, message: str, code: str | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


@dataclass(frozen=True)
class TransferScene:
    """What WeChat Pay requires of a transfer in the scene the merchant was approved for (e.g. 1005, 佣金报酬):
    its id, the reason the user sees (user_recv_perception) and the report infos (transfer_scene_report_infos,
    whose info_type values are fixed per scene)."""

    scene_id: str
    perception: str
    report_infos: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TransferBill:
    """A transfer bill as WeChat Pay answers it (the create call, a query, or a notification's resource)."""

    out_bill_no: str
    state: str
    transfer_bill_no: str | None = None
    package_info: str | None = None
    fail_reason: str | None = None
    amount: int | None = None

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> TransferBill:
        amount = body.get("transfer_amount")
        return cls(
            out_bill_no=str(body.get("out_bill_no", "")),
            state=str(body.get("state", "")),
            transfer_bill_no=body.get("transfer_bill_no"),
            package_info=body.get("package_info") or None,
            fail_reason=body.get("fail_reason") or None,
            amount=int(amount) if isinstance(amount, int) else None,
        )


@dataclass(frozen=True)
class Notification:
    id: str
    event_type: str
    resource: dict[str, Any]
    nonce: str


def _pem(value: str) -> str:
    """A PEM given inline or as a path to a file."""
    return Path(value).read_text() if value and "-----BEGIN" not in value and Path(value).is_file() else value


class WechatPayClient:
    def __init__(
        self,
        *,
        app_id: str,
        mch_id: str,
        private_key: str,
        cert_serial_no: str,
        apiv3_key: str,
        public_key: str,
        public_key_id: str,
        notify_url: str,
        api_base: str,
        transfer_scene: TransferScene | None = None,
    ) -> None:
        self.app_id = app_id
        self.mch_id = mch_id
        self.transfer_scene = transfer_scene
        self.pay = WeChatPay(
            wechatpay_type=WeChatPayType.MINIPROG,
            mchid=mch_id,
            private_key=_pem(private_key),
            cert_serial_no=cert_serial_no,
            appid=app_id,
            apiv3_key=apiv3_key,
            notify_url=notify_url,
            public_key=_pem(public_key),
            public_key_id=public_key_id,
            timeout=(5, 15),
        )
        # The library has no option for the host; this is the one place we reach into it.
        self.pay._core._gate_way = api_base.rstrip("/")

    async def _call(self, fn: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            code, message = await asyncio.to_thread(fn, **kwargs)
        except Exception as exc:  # network errors and answers whose signature does not verify
            raise PaymentError(f"WeChat Pay could not be reached or answered unsigned: {exc}") from exc
        body = json.loads(message) if isinstance(message, str) and message else {}
        if not 200 <= code < 300:
            reason = body.get("code")
            lasting = 400 <= code < 500 and code != 429 and reason not in PASSING
            raise PaymentError(
                f"WeChat Pay refused ({code}): {reason} {body.get('message')}",
                str(reason) if reason else None,
                retryable=not lasting,
            )
        return body

    async def prepay(self, number: str, description: str, total: int, openid: str, expires_ms: int) -> dict[str, str]:
        """A JSAPI prepay order for `number`; the signed parameters of wx.requestPayment()."""
        expires = datetime.fromtimestamp(expires_ms / 1000, UTC).isoformat(timespec="seconds")
        body = await self._call(
            self.pay.pay,
            description=description[:127],
            out_trade_no=number,
            amount={"total": total, "currency": "CNY"},
            payer={"openid": openid},
            time_expire=expires,
        )
        return self._request_payment(str(body["prepay_id"]))

    def _request_payment(self, prepay_id: str) -> dict[str, str]:
        """What wx.requestPayment() takes for a prepay id, signed with the merchant key."""
        package = f"prepay_id={prepay_id}"
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        return {
            "appId": self.app_id,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": self.pay.sign([self.app_id, timestamp, nonce, package]),
        }

    async def combine_prepay(
        self, combine_number: str, sub_orders: list[tuple[str, str, int]], openid: str, expires_ms: int
    ) -> dict[str, str]:
        """A combined (合单) JSAPI prepay of several orders, `(number, description, total)` each, paid at once; the
        signed parameters of wx.requestPayment(), as for one order. Each sub-order is its order's own trade (its
        number is its out_trade_no), so it is refunded on its own like any other."""
        expires = datetime.fromtimestamp(expires_ms / 1000, UTC).isoformat(timespec="seconds")
        body = await self._call(
            self.pay.combine_pay,
            combine_out_trade_no=combine_number,
            sub_orders=[
                {
                    "mchid": self.mch_id,
                    "attach": number,
                    "amount": {"total_amount": total, "currency": "CNY"},
                    "out_trade_no": number,
                    "description": description[:127],
                }
                for number, description, total in sub_orders
            ],
            combine_payer_info={"openid": openid},
            time_expire=expires,
        )
        return self._request_payment(str(body["prepay_id"]))

    async def refund(self, number: str, refund_no: str, amount: int, total: int, reason: str) -> str:
        """Ask for a refund; its status (SUCCESS, PROCESSING, ...). Asking again with the same refund_no is safe."""
        body = await self._call(
            self.pay.refund,
            out_refund_no=refund_no,
            amount={"refund": amount, "total": total, "currency": "CNY"},
            out_trade_no=number,
            reason=reason[:80],
        )
        return str(body.get("status", "PROCESSING"))

    async def transfer(self, out_bill_no: str, openid: str, amount: int, remark: str) -> TransferBill:
        """Transfer `amount` fen to the user's WeChat balance. Asking again with the same out_bill_no is the same
        bill (原单重试): its state now, and the package of wx.requestMerchantTransfer while it waits for the user."""
        scene = self.transfer_scene
        if scene is None:
            raise PaymentError("No transfer scene is configured (WECHAT_PAY_TRANSFER_SCENE_ID)", retryable=False)
        body = await self._call(
            self.pay.mch_transfer_bills,
            out_bill_no=out_bill_no,
            transfer_scene_id=scene.scene_id,
            openid=openid,
            transfer_amount=amount,
            transfer_remark=remark[:32],
            user_recv_perception=scene.perception or None,
            transfer_scene_report_infos=[{"info_type": t, "info_content": c} for t, c in scene.report_infos],
        )
        return TransferBill.of(body)

    async def transfer_bill(self, out_bill_no: str) -> TransferBill | None:
        """The transfer bill as it is now; None when WeChat Pay has none by that number (it never got the request)."""
        try:
            body = await self._call(self.pay.mch_transfer_bills_query, out_bill_no=out_bill_no)
        except PaymentError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise
        return TransferBill.of(body)

    async def cancel_transfer(self, out_bill_no: str) -> str:
        """Withdraw a transfer the user has not confirmed: its state (CANCELING; CANCELLED follows)."""
        body = await self._call(self.pay.mch_transfer_bills_cancel, out_bill_no=out_bill_no)
        return str(body.get("state", ""))

    def notification(self, headers: Mapping[str, str], body: str, now: float | None = None) -> Notification | None:
        """The notification when its signature verifies, it is fresh and it decrypts; None otherwise."""
        try:
            timestamp = int(headers.get("Wechatpay-Timestamp", ""))
        except ValueError:
            return None
        if abs((now if now is not None else time.time()) - timestamp) > NOTIFICATION_WINDOW_SECONDS:
            return None
        names = ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial")
        signed = {name: headers.get(name, "") for name in (*names, "Wechatpay-Signature-Type")}
        try:
            data = self.pay.callback(signed, body)
        except Exception:
            return None
        if not data or not isinstance(data.get("resource"), dict):
            return None
        return Notification(
            id=str(data.get("id", "")),
            event_type=str(data.get("event_type", "")),
            resource=data["resource"],
            nonce=headers.get("Wechatpay-Nonce", ""),
        )

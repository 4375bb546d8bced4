"""WeChat's mini-program shipping information (发货信息管理, uploadShippingInfo): tell WeChat what left for a
WeChat Pay payment, so it notifies the buyer and releases the payment to the merchant.

https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/order-shipping/order-shipping.html
POST /wxa/sec/order/upload_shipping_info?access_token=...; a payment is named by its WeChat Pay transaction_id
(order_number_type 2). One package that ships the whole order is UNIFIED_DELIVERY (1); otherwise each upload is
SPLIT_DELIVERY (2) with the packages not yet uploaded and `is_all_delivered` once the last one has left. Uploading
again for a payment WeChat has as fully delivered counts as a re-delivery (one per payment), so this is uploaded
once per package, never twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import aiohttp

from integrations.wechat_token import TOKEN_REFUSED, AccessToken, WechatApiError, post_json

EXPRESS = 1  # logistics_type: 实体物流配送 by an express company
UNIFIED, SPLIT = 1, 2  # delivery_mode
CHINA = timezone(timedelta(hours=8))
# errcodes that asking again may pass: WeChat busy, rate limits, and 10060001 (支付单不存在), which WeChat answers
# for a payment made moments ago that it has not stored yet ("wait a minute and try again").
PASSING = frozenset({-1, 45009, 45011, 10060001, 10060012, 10060019})


@dataclass(frozen=True)
class ReportedPackage:
    tracking_no: str
    express_company: str
    item_desc: str
    receiver_contact: str | None  # masked, 138****1234


@dataclass(frozen=True)
class ShippingReport:
    transaction_id: str
    payer_openid: str
    packages: tuple[ReportedPackage, ...]
    split: bool
    all_delivered: bool
    upload_ms: int


def body(report: ShippingReport) -> dict[str, object]:
    """The upload_shipping_info request body."""
    shipping_list = []
    for package in report.packages:
        item: dict[str, object] = {
            "tracking_no": package.tracking_no,
            "express_company": package.express_company,
            "item_desc": package.item_desc,
        }
        if package.receiver_contact:
            item["contact"] = {"receiver_contact": package.receiver_contact}
        shipping_list.append(item)
    uploaded = datetime.fromtimestamp(report.upload_ms / 1000, CHINA).isoformat(timespec="milliseconds")
    out: dict[str, object] = {
        "order_key": {"order_number_type": 2, "transaction_id": report.transaction_id},
        "logistics_type": EXPRESS,
        "delivery_mode": SPLIT if report.split else UNIFIED,
        "shipping_list": shipping_list,
        "upload_time": uploaded,
        "payer": {"openid": report.payer_openid},
    }
    if report.split:
        out["is_all_delivered"] = report.all_delivered
    return out


class WechatShipping:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, tokens: AccessToken) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + "/wxa/sec/order/upload_shipping_info"
        self.tokens = tokens

    async def upload(self, report: ShippingReport) -> None:
        """Upload once (once more with a fresh token when WeChat refuses ours); WechatApiError when not taken."""
        payload = body(report)
        for attempt in (1, 2):
            token = await self.tokens.get()
            try:
                await post_json(self.http, self.url, payload, access_token=token)
                return
            except WechatApiError as exc:
                if exc.errcode in TOKEN_REFUSED and attempt == 1:
                    self.tokens.invalidate(token)
                    continue
                if exc.errcode is not None and exc.errcode not in PASSING | TOKEN_REFUSED:
                    exc.retryable = False
                raise

"""The express companies a shop can ship with, under the codes WeChat's shipping-information API takes as
`express_company` (upload_shipping_info: "物流公司编码，参见获取运力 id 列表 get_delivery_list"). No I/O here.

Where the codes come from: WeChat documents no static table; its get_delivery_list answers 1,300+ ids. The codes
of SF, YTO, YD, ZTO and STO are those of get_delivery_list answers quoted by WeChat (the API page's example, and a
WeChat community answer pasting a real answer: SF 顺丰速运, YTO 圆通速递, YD 韵达速递, ZTO 中通快递, STO 申通快递).
get_delivery_list's ids follow the 快递鸟 (Kdniao) codes (YD for 韵达, not the YUNDA of WeChat's other express
APIs), so the others below are Kdniao's codes for those companies; they are marked `confirmed=False` until an
operator checks them against get_delivery_list with the production app's token.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    confirmed: bool  # seen in a get_delivery_list answer WeChat published


CARRIERS = (
    Carrier("SF", "顺丰速运", True),
    Carrier("ZTO", "中通快递", True),
    Carrier("YTO", "圆通速递", True),
    Carrier("YD", "韵达速递", True),
    Carrier("STO", "申通快递", True),
    Carrier("JTSD", "极兔速递", False),
    Carrier("EMS", "EMS", False),
    Carrier("YZPY", "邮政快递包裹", False),
    Carrier("JD", "京东快递", False),
    Carrier("DBL", "德邦快递", False),
    Carrier("HTKY", "百世快递", False),
    Carrier("ZJS", "宅急送", False),
    Carrier("UC", "优速快递", False),
)
BY_CODE = {c.code: c for c in CARRIERS}
# WeChat requires a contact (masked phone) on shipments of this carrier.
CONTACT_REQUIRED = frozenset({"SF"})


def carrier(code: str) -> Carrier:
    """The carrier of a stored code; a code no longer in the table still shows (under its code)."""
    return BY_CODE.get(code) or Carrier(code, code, False)

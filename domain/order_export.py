"""The CSV a merchant downloads of their orders: its columns, each order as one row, cells that a spreadsheet
will not run as formulas, money in yuan, times in China time. No I/O here.

One row per order (its lines in one cell), so that a row is an order for sums and filters. The recipient's phone
is masked (138****1234) as in every list: an export leaves the platform's protection, and the desk shows the full
number order by order to staff who ship it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from domain.addresses import masked
from domain.orders import CHINA

BOM = "\ufeff"  # so that Excel reads the file as UTF-8 (Chinese text) instead of the system's code page
HEADER = (
    "订单号",
    "下单时间",
    "状态",
    "买家昵称",
    "收货人",
    "手机号",
    "收货地区",
    "商品",
    "件数",
    "商品金额",
    "优惠",
    "运费",
    "实付",
)
STATUS_NAMES = {
    "PENDING_PAYMENT": "待付款",
    "PAID": "待发货",
    "PARTLY_SHIPPED": "部分发货",
    "SHIPPED": "已发货",
    "COMPLETED": "已完成",
    "CANCELLED": "已取消",
    "REFUNDING": "退款中",
    "REFUNDED": "已退款",
}
CHINA_OFFSET_SECONDS = int(CHINA.utcoffset(None).total_seconds())
EMPTY: Mapping[str, Any] = {}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel and LibreOffice take as the start of a formula


def safe_cell(value: str) -> str:
    """A cell that opens as the text it is: one a spreadsheet would run as a formula gets a leading quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def yuan(fen: int) -> str:
    """Exact for any amount below 2^53 fen: the float's error is far below the half fen that rounding needs."""
    return f"{fen / 100:.2f}"


def china_time(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000 + CHINA_OFFSET_SECONDS))


def masked_phone(phone: str | None) -> str:
    return masked(phone) if phone else ""


def _line(line: Mapping[str, Any]) -> str:
    specs = "/".join(f"{s['name']}:{s['value']}" for s in line.get("specs") or [])
    return f"{line['title']} ({specs}) ×{line['quantity']}" if specs else f"{line['title']} ×{line['quantity']}"


def row(order: Mapping[str, Any], buyer_nickname: str) -> list[str]:
    """The order's cells, in HEADER's order (100,000 of them per export: kept lean)."""
    address = order.get("shippingAddress") or EMPTY
    lines = order.get("lines") or ()
    region = " ".join(filter(None, (address.get("provinceName"), address.get("cityName"), address.get("districtName"))))
    return [
        order_number_cell(order["number"]),
        china_time(order["createdAt"]),
        STATUS_NAMES.get(order["status"]) or safe_cell(order["status"]),
        safe_cell(buyer_nickname),  # what users typed may start like a formula; the rest is ours
        safe_cell(address.get("recipient") or ""),
        masked_phone(address.get("phone")),
        safe_cell(region),
        safe_cell("; ".join(map(_line, lines))),
        str(sum(line["quantity"] for line in lines)),
        f"{order['subtotal'] / 100:.2f}",  # yuan(), inline: 4 cells of every row
        f"{order.get('discount', 0) / 100:.2f}",
        f"{order.get('shippingFee', 0) / 100:.2f}",
        f"{order['total'] / 100:.2f}",
    ]


def order_number_cell(number: str) -> str:
    """A 22-digit number that Excel would otherwise show as 2.02612E+21: a leading tab keeps it text (a tab
    before digits alone runs nothing; anything but digits goes through safe_cell)."""
    return "\t" + number if number.isascii() and number.isdigit() else safe_cell(number)

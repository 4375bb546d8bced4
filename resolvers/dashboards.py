"""Dashboards: a shop's numbers over a range (totals, a series per metric, the change against the previous period of
the same length), the platform's over every shop, a shop's saved layout of cards, and CSV exports of a series
through a signed URL (like the order desk's export).

Everything here reads `shop_stats` (resolvers/aggregates.py keeps it), except the repurchase rate, which needs
each buyer's orders over the period and the 30 days after it and is read from the orders."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jwt

from domain import metrics as rules
from domain.profile import Problem
from domain.staff import ADMIN
from resolvers import aggregates, staff
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services

READERS = (ADMIN,)  # with the owner; see README-events.md for why there is no separate analyst role
EXPORT_PATH = "/exports/dashboard.csv"
CARDS_MAX = 30

# metric name (the API's enum value) -> the key in a combined bucket
METRICS: Mapping[str, str] = {
    "GMV": "gmv",
    "REFUNDS": "refunds",
    "NET_SALES": "netSales",
    "REFUNDS_BY_ORDER_DATE": "refundsByOrderDate",
    "NET_SALES_BY_ORDER_DATE": "netSalesByOrderDate",
    "ORDERS": "orders",
    "PAYING_BUYERS": "payingBuyers",
    "AOV": "aov",
    "VISITORS": "visitors",
    "PRODUCT_VIEWERS": "productViewers",
    "PAGE_VIEWS": "pageViews",
    "PRODUCT_VIEWS": "productViews",
    "ADD_TO_CART": "addToCart",
    "CONVERSION_RATE": "conversionRate",
    "SHARE_ORDERS": "shareOrders",
    "SHARE_GMV": "shareGmv",
    "SHARE_GMV_SHARE": "shareGmvShare",
    "ACTIVE_DISTRIBUTORS": "activeDistributors",
    "COMMISSION": "commission",
}


@dataclass
class Point:
    start: int
    value: float | None


@dataclass
class Metric:
    name: str
    total: float | None
    previous: float | None
    change: float | None
    series: list[Point] = field(default_factory=list)


@dataclass
class Dashboard:
    shop_id: str | None
    start: int
    end: int
    granularity: str
    tz: str
    totals: dict[str, Any]
    previous: dict[str, Any]
    series: list[tuple[int, dict[str, Any]]]
    docs: list[dict[str, Any]]
    _repurchase: asyncio.Future[tuple[float | None, float | None]] | None = None

    async def repurchase(self, services: Services) -> tuple[float | None, float | None]:
        """(this period's, the previous period's) repurchase rate, read from the orders once, when first asked for
        (the one figure that reads each order of the period: a dashboard that does not show it does not pay)."""
        if self.shop_id is None:
            return None, None
        if self._repurchase is None:
            self._repurchase = asyncio.ensure_future(self._read_repurchase(services, self.shop_id))
        return await asyncio.shield(self._repurchase)

    async def _read_repurchase(self, services: Services, shop_id: str) -> tuple[float | None, float | None]:
        length, after = self.end - self.start, rules.REPURCHASE_DAYS * rules.DAY_MS
        paid = await aggregates.paid_times(services, shop_id, self.start - length, self.end + after)
        return (
            rules.repurchase_rate(paid, self.start, self.end),
            rules.repurchase_rate(paid, self.start - length, self.start),
        )

    def metric(self, name: str) -> Metric:
        key = METRICS[name]
        total, previous = self.totals.get(key), self.previous.get(key)
        return Metric(
            name,
            total,
            previous,
            rules.change(total, previous),
            [Point(start, values.get(key)) for start, values in self.series],
        )

    def metrics(self) -> list[Metric]:
        return [self.metric(n) for n in METRICS]


# Dashboards read lately, by (shop, range, granularity, the shop's buckets' version): a merchant's console asks for
# the same range again and again, and the buckets only change when the aggregate job recomputes a day.
CACHE: OrderedDict[tuple[Any, ...], Dashboard] = OrderedDict()
CACHE_SIZE = 256


async def read_shop(services: Services, viewer: str, shop_id: str, start: int, end: int, granularity: str) -> Dashboard:
    """Who may read is checked first (another shop's dashboard is FORBIDDEN), then the range."""
    shop = await staff.require(services, shop_id, viewer, READERS, ["shopId"])
    key = (id(services), shop_id, start, end, granularity, await aggregates.version(services.store, shop_id))
    found = CACHE.get(key)
    if found is not None:
        CACHE.move_to_end(key)
        return found
    board = await _read(services, shop_id, aggregates.tz_of(services, shop), start, end, granularity)
    CACHE[key] = board
    while len(CACHE) > CACHE_SIZE:
        CACHE.popitem(last=False)
    return board


async def read_platform(services: Services, start: int, end: int, granularity: str) -> Dashboard:
    return await _read(services, None, services.settings.SHOP_TIME_ZONE, start, end, granularity)


async def _read(services: Services, shop_id: str | None, tz: str, start: int, end: int, granularity: str) -> Dashboard:
    problems = rules.range_problems(start, end, granularity)
    if problems:  # a query's arguments: the field is the argument's name
        raise Refused("INVALID_INPUT", problems[0].message, [problems[0].field])
    length = end - start
    docs = await _days(services, shop_id, tz, start, end)
    prev_docs = await _days(services, shop_id, tz, start - length, start)
    series = await _series(services, shop_id, tz, start, end, granularity, docs)
    return Dashboard(shop_id, start, end, granularity, tz, rules.combine(docs), rules.combine(prev_docs), series, docs)


async def _days(services: Services, shop_id: str | None, tz: str, start: int, end: int) -> list[dict[str, Any]]:
    """The day buckets of the local days [start, end) touches."""
    first = rules.day_start(rules.local_day(start, tz), tz)
    return await aggregates.buckets(services, shop_id, "D", first, end)


async def _series(
    services: Services, shop_id: str | None, tz: str, start: int, end: int, granularity: str, docs: list[dict[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    if granularity == "HOUR":
        hours = await aggregates.buckets(services, shop_id, "H", start - start % rules.HOUR_MS, end)
        by_start: dict[int, list[dict[str, Any]]] = {}
        for h in hours:
            by_start.setdefault(h["start"], []).append(h)
        first = start - start % rules.HOUR_MS
        return [(h, rules.combine(by_start.get(h, []))) for h in range(first, end, rules.HOUR_MS)]
    groups: dict[date, list[dict[str, Any]]] = {}
    for d in docs:
        groups.setdefault(rules.bucket_of(date.fromisoformat(d["day"]), granularity), []).append(d)
    keys: list[date] = []
    for day in rules.days_between(start, end, tz):
        key = rules.bucket_of(day, granularity)
        if not keys or keys[-1] != key:
            keys.append(key)
    return [(rules.day_start(k, tz), rules.combine(groups.get(k, []))) for k in keys]


# -- layout ----------------------------------------------------------------------------------------------------
CARDS = (*METRICS, "FUNNEL", "CHANNELS", "TOP_PRODUCTS", "REPURCHASE_RATE")


def layout_problems(cards: Sequence[str]) -> list[Problem]:
    if len(cards) > CARDS_MAX:
        return [Problem("cards", f"At most {CARDS_MAX} cards")]
    if len(set(cards)) != len(cards):
        return [Problem("cards", "Each card appears once")]
    unknown = [c for c in cards if c not in CARDS]
    return [Problem(f"cards.{cards.index(c)}", f"{c} is not a dashboard card") for c in unknown]


async def save_layout(services: Services, shop_id: str, cards: list[str], by: str) -> dict[str, Any]:
    refuse_problems(layout_problems(cards))
    doc = {"shopId": shop_id, "cards": cards, "updatedAt": services.now(), "updatedBy": by}
    await aggregates.put(services.store, shop_id, doc, "dashboard_layouts")
    return {"_id": shop_id, **doc}


async def layout(services: Services, shop_id: str) -> list[str]:
    doc = await services.store.get("dashboard_layouts", shop_id)
    return list(doc["cards"]) if doc else list(CARDS)


# -- CSV export of a series ------------------------------------------------------------------------------------
def issue_export(
    services: Services, user_id: str, shop_id: str, start: int, end: int, granularity: str, metrics: list[str]
) -> tuple[str, int]:
    """A signed URL of the CSV of these metrics' series (who may ask is the mutation's declaration)."""
    refuse_problems(rules.range_problems(start, end, granularity))
    if not metrics:
        raise Refused("INVALID_INPUT", "Name at least one metric", ["input", "metrics"])
    expires_at = services.now() + int(services.settings.EXPORT_URL_MINUTES * 60_000)
    claims = {
        "typ": "dashboard-export",
        "sub": user_id,
        "shop": shop_id,
        "from": start,
        "to": end,
        "g": granularity,
        "m": metrics,
        "exp_ms": expires_at,
    }
    token = jwt.encode(claims, services.settings.secret_key(), algorithm="HS256")
    return f"{EXPORT_PATH}?{urlencode({'token': token})}", expires_at


class ExportRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


async def export_csv(services: Services, token: str) -> tuple[str, bytes]:
    """(file name, CSV) a dashboard export URL grants; ExportRefused 410 when expired, 403 when forged or when its
    user may no longer read the shop's dashboard."""
    try:
        c = jwt.decode(token, services.settings.secret_key(), algorithms=["HS256"], options={"verify_exp": False})
    except jwt.PyJWTError:
        raise ExportRefused(403, "FORBIDDEN", "This export link is not valid") from None
    if c.get("typ") != "dashboard-export" or any(k not in METRICS for k in c.get("m") or ["?"]):
        raise ExportRefused(403, "FORBIDDEN", "This export link is not valid")
    if c["exp_ms"] <= services.now():
        raise ExportRefused(410, "EXPIRED", "This export link has expired; export again from the dashboard")
    try:
        board = await read_shop(services, c["sub"], c["shop"], c["from"], c["to"], c["g"])
    except Refused:
        raise ExportRefused(403, "FORBIDDEN", "The user who made this link may no longer read this dashboard") from None
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(buffer)
    writer.writerow(["start", *c["m"]])
    zone = ZoneInfo(board.tz)
    for start, values in board.series:
        row = [_cell(values.get(METRICS[m])) for m in c["m"]]
        writer.writerow([datetime.fromtimestamp(start / 1000, zone).isoformat(), *row])
    day = rules.local_day(c["from"], board.tz).isoformat()
    return f"dashboard-{day}-{c['g'].lower()}.csv", buffer.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) else str(value)

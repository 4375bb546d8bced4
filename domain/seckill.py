"""Seckill (秒杀) rules, pure: daily time slots (a slot may cross midnight) in a campaign's time zone, the windows
they open within the campaign's period, what a valid campaign is, and the signed path token of a slot. A seckill
line's price is the price pipeline's (domain/pricing.py: the SECKILL activity)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain import pricing
from domain.profile import Problem

KIND = "SECKILL"
DEFAULT_TIME_ZONE = "Asia/Shanghai"
DAY_MS = 86_400_000
MAX_SLOTS = 12
MAX_ITEMS = 50
MAX_NAME = 60
MAX_LIMIT = 99
MAX_PERIOD_DAYS = 90
STOCK_MAX = 1_000_000


@dataclass(frozen=True)
class Slot:
    """A daily window from `start` to `end` (minutes after local midnight); `end <= start` crosses midnight."""

    start: int
    end: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        return (self.end - self.start) % 1440 or 1440

    def label(self) -> str:
        return f"{hhmm(self.start)}-{hhmm(self.end)}"


@dataclass(frozen=True)
class Window:
    starts_at: int  # ms
    ends_at: int

    def holds(self, now: int) -> bool:
        return self.starts_at <= now < self.ends_at


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hhmm(text: str) -> int | None:
    """Minutes after midnight of "HH:MM" (00:00..23:59); None when it is not that."""
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        return None
    h, m = int(parts[0]), int(parts[1])
    return h * 60 + m if h < 24 and m < 60 else None


def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def slots_of(campaign: dict[str, Any]) -> list[Slot]:
    return [Slot(s["start"], s["end"]) for s in campaign["slots"]]


def _local_ms(day: date, minutes: int, tz: ZoneInfo) -> int:
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tz)
    return int(local.timestamp() * 1000)


def windows(slots: Sequence[Slot], tz: ZoneInfo, starts_at: int, ends_at: int, around: int) -> list[Window]:
    """The slot windows of the days around `around` (the day before to the day after), cut to the campaign's
    period, in order."""
    return list(_windows(tuple(slots), tz, starts_at, ends_at, datetime.fromtimestamp(around / 1000, tz).date()))


@functools.lru_cache(maxsize=4096)  # a pure function of its arguments: every attempt of a rush asks the same day
def _windows(slots: tuple[Slot, ...], tz: ZoneInfo, starts_at: int, ends_at: int, today: date) -> tuple[Window, ...]:
    found = []
    for offset in (-1, 0, 1, 2):
        day = today + timedelta(days=offset)
        for slot in slots:
            start = _local_ms(day, slot.start, tz)
            end = _local_ms(day + timedelta(days=1) if slot.crosses_midnight else day, slot.end, tz)
            start, end = max(start, starts_at), min(end, ends_at)
            if start < end:
                found.append(Window(start, end))
    return tuple(sorted(found, key=lambda w: w.starts_at))


def current_or_next(campaign: dict[str, Any], now: int) -> Window | None:
    """The slot window running now, else the next one to open (None: no slot opens any more)."""
    if campaign.get("cancelledAt") is not None or now >= campaign["endsAt"]:
        return None
    tz = zone(campaign["timeZone"]) or ZoneInfo(DEFAULT_TIME_ZONE)
    slots = slots_of(campaign)
    probe = max(now, campaign["startsAt"])
    for _ in range(3):  # the first window after `probe` is within a day or two of it
        for window in windows(slots, tz, campaign["startsAt"], campaign["endsAt"], probe):
            if window.ends_at > now:
                return window
        probe += 2 * DAY_MS
        if probe >= campaign["endsAt"]:
            return None
    return None


def running_window(campaign: dict[str, Any], now: int) -> Window | None:
    window = current_or_next(campaign, now)
    return window if window is not None and window.holds(now) else None


def status(campaign: dict[str, Any], now: int) -> str:
    """UPCOMING | RUNNING | ENDED, as every campaign's (RUNNING: within the period, between slots too)."""
    return pricing.status(campaign["startsAt"], campaign["endsAt"], campaign.get("cancelledAt"), now)


def slot_problems(slots: Sequence[tuple[str, str]], field: str = "slots") -> tuple[list[Slot], list[Problem]]:
    """Parsed slots, and what is wrong with them: bad times, empty slots, and slots that overlap each other
    (within the day or across midnight)."""
    problems: list[Problem] = []
    parsed: list[Slot] = []
    if not 1 <= len(slots) <= MAX_SLOTS:
        problems.append(Problem(field, f"A seckill has 1 to {MAX_SLOTS} daily slots"))
    for i, (start_text, end_text) in enumerate(slots):
        start, end = parse_hhmm(start_text), parse_hhmm(end_text)
        if start is None:
            problems.append(Problem(f"{field}.{i}.start", "A time is HH:MM, 00:00 to 23:59"))
        if end is None:
            problems.append(Problem(f"{field}.{i}.end", "A time is HH:MM, 00:00 to 23:59"))
        if start is not None and end is not None:
            if start == end:
                problems.append(Problem(f"{field}.{i}.end", "A slot ends after it starts"))
            else:
                parsed.append(Slot(start, end))
    for i, j in _overlapping_pairs(parsed, parsed):
        if i < j:
            problems.append(Problem(f"{field}.{j}", f"This slot overlaps slot {i}"))
    return parsed, problems


def _minute_ranges(slot: Slot) -> list[tuple[int, int]]:
    """The slot as ranges of minutes of a day [a, b), a slot across midnight as two."""
    if slot.crosses_midnight:
        return [(slot.start, 1440), (0, slot.end)] if slot.end else [(slot.start, 1440)]
    return [(slot.start, slot.end)]


def slots_overlap(a: Slot, b: Slot) -> bool:
    return any(x0 < y1 and y0 < x1 for x0, x1 in _minute_ranges(a) for y0, y1 in _minute_ranges(b))


def _overlapping_pairs(a: Sequence[Slot], b: Sequence[Slot]) -> Iterable[tuple[int, int]]:
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            if (a is not b or i != j) and slots_overlap(x, y):
                yield i, j


def clashes(slots: Sequence[Slot], tz_name: str, period: tuple[int, int], other: dict[str, Any], now: int) -> bool:
    """Whether another seckill campaign (not cancelled, not ended) runs at the same time as these slots: their
    periods meet and a daily slot of each overlaps (compared as times of day in one zone: two zones are compared by
    their windows over the shared period's first days)."""
    if other.get("cancelledAt") is not None or other["endsAt"] <= now:
        return False
    start, end = max(period[0], other["startsAt"]), min(period[1], other["endsAt"])
    if start >= end:
        return False
    if other["timeZone"] == tz_name:
        return any(True for _ in _overlapping_pairs(slots, slots_of(other)))
    mine = zone(tz_name) or ZoneInfo(DEFAULT_TIME_ZONE)
    theirs = zone(other["timeZone"]) or ZoneInfo(DEFAULT_TIME_ZONE)
    for day in range(0, min(3, (end - start) // DAY_MS + 2)):
        around = start + day * DAY_MS
        a = windows(slots, mine, start, end, around)
        b = windows(slots_of(other), theirs, start, end, around)
        if any(x.starts_at < y.ends_at and y.starts_at < x.ends_at for x in a for y in b):
            return True
    return False


def campaign_problems(
    name: str, starts_at: int, ends_at: int, now: int, limit_per_user: int, limit_per_order: int, tz_name: str
) -> list[Problem]:
    problems = []
    if not 1 <= len(name.strip()) <= MAX_NAME:
        problems.append(Problem("name", f"A name is 1 to {MAX_NAME} characters"))
    if ends_at <= starts_at:
        problems.append(Problem("endsAt", "A campaign ends after it starts"))
    elif ends_at - starts_at > MAX_PERIOD_DAYS * DAY_MS:
        problems.append(Problem("endsAt", f"A campaign lasts at most {MAX_PERIOD_DAYS} days"))
    if ends_at <= now:
        problems.append(Problem("endsAt", "This campaign would be over already"))
    if not 1 <= limit_per_user <= MAX_LIMIT:
        problems.append(Problem("limitPerUser", f"A limit is 1 to {MAX_LIMIT}"))
    if not 1 <= limit_per_order <= MAX_LIMIT:
        problems.append(Problem("limitPerOrder", f"A limit is 1 to {MAX_LIMIT}"))
    elif limit_per_order > limit_per_user:
        problems.append(Problem("limitPerOrder", "An order cannot hold more than a user may buy"))
    if zone(tz_name) is None:
        problems.append(Problem("timeZone", "An IANA time zone, such as Asia/Shanghai"))
    return problems


def item_problems(items: Sequence[tuple[str, int, int]], skus: dict[str, dict[str, Any]]) -> list[Problem]:
    """(skuId, price, stock) per item, against the SKUs as they are: the SKU exists, its seckill price is below its
    price, and its seckill stock is at most the stock it has now."""
    problems = []
    if not 1 <= len(items) <= MAX_ITEMS:
        problems.append(Problem("items", f"A seckill has 1 to {MAX_ITEMS} SKUs"))
    seen: set[str] = set()
    shop_ids = {sku["shopId"] for sku in skus.values()}
    for i, (sku_id, price, stock) in enumerate(items):
        sku = skus.get(sku_id)
        if sku_id in seen:
            problems.append(Problem(f"items.{i}.skuId", "Each SKU appears once"))
        seen.add(sku_id)
        if sku is None:
            problems.append(Problem(f"items.{i}.skuId", "No such SKU"))
            continue
        if len(shop_ids) > 1:
            problems.append(Problem(f"items.{i}.skuId", "All SKUs come from the campaign's shop"))
        if not 1 <= price < sku["price"]:
            problems.append(Problem(f"items.{i}.price", "A seckill price is at least 1 fen and below the SKU's price"))
        if not 1 <= stock <= STOCK_MAX:
            problems.append(Problem(f"items.{i}.stock", f"A seckill stock is 1 to {STOCK_MAX}"))
        elif stock > sku["stock"]:
            problems.append(Problem(f"items.{i}.stock", f"Above the SKU's stock ({sku['stock']})"))
    return problems


# -- the path token: issued at slot start, bound to campaign, user and slot window --------------------------------


def _signature(secret: str, campaign_id: str, user_id: str, window: Window) -> str:
    message = f"seckill|{campaign_id}|{user_id}|{window.starts_at}|{window.ends_at}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def path_token(secret: str, campaign_id: str, user_id: str, window: Window) -> str:
    return f"{window.starts_at:x}.{window.ends_at:x}.{_signature(secret, campaign_id, user_id, window)}"


def token_window(secret: str, token: str, campaign_id: str, user_id: str) -> Window | None:
    """The slot window a path token was issued for, when it was issued for this campaign and user; else None."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 80:
        return None
    try:
        window = Window(int(parts[0], 16), int(parts[1], 16))
    except ValueError:
        return None
    expected = _signature(secret, campaign_id, user_id, window)
    return window if hmac.compare_digest(expected, parts[2]) else None


def now_utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)

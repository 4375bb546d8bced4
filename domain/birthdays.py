"""Birthdays and the member level's birthday coupon, pure: a birthday is a month and day ("MM-DD", no year: nobody
has to give their age), when the next gift is due (Shanghai midnight of the next birthday; 29 February on 28
February in other years), and the coupon of the birthday's month that a level's birthday coupon (the template)
issues: one coupon per template and month, valid to the end of the month after, so that the once-per-user claim of
coupons (resolvers/coupons.take_copy) is once per user and month, and the user's `birthdayGiftYear` once a year."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.problem import Problem

TIME_ZONE = ZoneInfo("Asia/Shanghai")
FIELD = "birthday"


def parse(text: str) -> tuple[int, int] | None:
    """(month, day) of "MM-DD" (a day that exists in a leap year: 02-29 is one); None when it is not that."""
    parts = text.split("-")
    if len(parts) != 2 or not all(len(p) == 2 and p.isdigit() for p in parts):
        return None
    month, day = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:
        return None
    return month, day


def birthday_problems(text: str) -> list[Problem]:
    """What is wrong with a birthday: "" (which clears it) or "MM-DD" are right."""
    if text == "" or parse(text) is not None:
        return []
    return [Problem(FIELD, 'A birthday is a month and day, "MM-DD" (such as "08-15")')]


def _on(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))  # 29 February: the 28th


def _midnight(day: date) -> int:
    return int(datetime.combine(day, time(0), TIME_ZONE).timestamp() * 1000)


def local_year(ms: int) -> int:
    return datetime.fromtimestamp(ms / 1000, TIME_ZONE).year


def next_due(month: int, day: int, now: int, gifted_year: int | None) -> int:
    """Shanghai midnight of the birthday the next gift is for: today's or a later one, never one of a year that had
    its gift already."""
    today = datetime.fromtimestamp(now / 1000, TIME_ZONE).date()
    year = today.year
    while year == gifted_year or _on(year, month, day) < today:
        year += 1
    return _midnight(_on(year, month, day))


def month_coupon(template_id: str, due: int) -> tuple[str, int]:
    """The id and end of validity (ms) of the coupon a template issues for birthdays of the month of `due`."""
    day = datetime.fromtimestamp(due / 1000, TIME_ZONE).date()
    after = (day.replace(day=1) + timedelta(days=62)).replace(day=1)  # the 1st of the month after the next
    return f"{template_id}:birthday:{day:%Y-%m}", _midnight(after)

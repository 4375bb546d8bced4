"""Retention cohorts. No I/O here.

Days and weeks are calendar days and Monday-first weeks in China time (UTC+8, Asia/Shanghai has no DST).
A user's cohort day is the day they signed up (users.createdAt) or the day of their first paid order (`paidAt`);
their cohort is the week holding that day. They *returned on day N* (N = 1, 7, 30) when they have at least one event
(events.userId) or paid order (paidAt) whose time falls on the calendar day `cohort day + N` — that one day, not
"within N days". A cohort's day-N rate = returned / eligible, where eligible are its users whose day N is over at
the time of the question; None while none is (a rate of nobody is not 0 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.profile import Problem

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
OFFSET_MS = 8 * 3_600_000  # China time, UTC+8
MONDAY_OFFSET_MS = 3 * DAY_MS  # 1970-01-01 was a Thursday: Monday 1969-12-29 starts week 0
RETURN_DAYS = (1, 7, 30)
RANGE_DAYS_MAX = 366


def day_start(ms: int) -> int:
    """Start (UTC ms) of the China-time calendar day holding `ms`."""
    return (ms + OFFSET_MS) // DAY_MS * DAY_MS - OFFSET_MS


def week_start(ms: int) -> int:
    """Start (UTC ms) of the Monday-first China-time week holding `ms`."""
    return (ms + OFFSET_MS + MONDAY_OFFSET_MS) // WEEK_MS * WEEK_MS - OFFSET_MS - MONDAY_OFFSET_MS


def range_problems(from_ms: int, to_ms: int) -> list[Problem]:
    if to_ms <= from_ms:
        return [Problem("to", "`to` must be after `from`")]
    if to_ms - from_ms > RANGE_DAYS_MAX * DAY_MS:
        return [Problem("to", f"A range is at most {RANGE_DAYS_MAX} days")]
    return []


def return_window(cohort_day: int, n: int) -> tuple[int, int]:
    """[start, end) of day N after a cohort day (both UTC ms)."""
    return cohort_day + n * DAY_MS, cohort_day + (n + 1) * DAY_MS


@dataclass
class Cohort:
    week: int  # UTC ms of the week's start
    size: int = 0
    eligible: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RETURN_DAYS, 0))
    returned: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RETURN_DAYS, 0))

    def rate(self, n: int) -> float | None:
        return self.returned[n] / self.eligible[n] if self.eligible[n] else None


@dataclass(frozen=True)
class Member:
    """One user of a cohort: their cohort day and, for each N whose day is over, whether they returned."""

    cohort_day: int
    returned: dict[int, bool]  # N -> returned on day N; absent while day N is not over


def matured(cohort_day: int, now_ms: int) -> list[int]:
    """The N whose day N is over at now_ms."""
    return [n for n in RETURN_DAYS if return_window(cohort_day, n)[1] <= now_ms]


def cohorts(members: Iterable[Member]) -> list[Cohort]:
    """Members counted into their weeks, oldest week first."""
    weeks: dict[int, Cohort] = {}
    for member in members:
        cohort = weeks.setdefault(week_start(member.cohort_day), Cohort(week_start(member.cohort_day)))
        cohort.size += 1
        for n, back in member.returned.items():
            cohort.eligible[n] += 1
            cohort.returned[n] += back
    return [weeks[w] for w in sorted(weeks)]

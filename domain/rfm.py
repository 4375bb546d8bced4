"""RFM scoring of a shop's buyers and the 8 classic segments. No I/O here.

Each buyer of the window (at least one paid order in it) has three values:
    days    whole days (24 h periods) from their last paid order to the run: R, lower is better
    orders  their paid orders in the window: F
    amount  what they paid in the window (fen, less what was refunded): M
Each becomes a score 1..5 through four cut points (a run persists the ones it used):
    F, M   score = 1 + (number of cut points <= value); a cut point is the lowest value of score 2, 3, 4, 5
    R      score = 1 + (number of cut points >= days);  a cut point is the most days that still score 5, 4, 3, 2
F's default cut points are fixed, 2 3 5 10 (orders 1 | 2 | 3-4 | 5-9 | 10+), because quantiles of F collapse when
most buyers bought once. R and M default to quintiles of the shop's buyers (`quantile_cuts`): ties never split, a
block of equal values takes the lowest score it reaches, so when every buyer paid the same they all score 1.
A score >= HIGH (3) is high; the segment is the (R, F, M) high/low pattern (SEGMENTS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from domain.profile import Problem

DAY_MS = 86_400_000
CUTS = 4  # four cut points make five scores
HIGH = 3  # a score of 3, 4 or 5 is high; 1 or 2 is low
DEFAULT_FREQUENCY_CUTS = (2, 3, 5, 10)
CUT_MAX = 2**53 - 1  # what a client's number holds exactly

# name -> (R high, F high, M high, 中文)
SEGMENTS: dict[str, tuple[bool, bool, bool, str]] = {
    "IMPORTANT_VALUE": (True, True, True, "重要价值"),
    "IMPORTANT_DEVELOPMENT": (True, False, True, "重要发展"),
    "IMPORTANT_RETENTION": (False, True, True, "重要保持"),
    "IMPORTANT_WINBACK": (False, False, True, "重要挽留"),
    "GENERAL_VALUE": (True, True, False, "一般价值"),
    "GENERAL_DEVELOPMENT": (True, False, False, "一般发展"),
    "GENERAL_RETENTION": (False, True, False, "一般保持"),
    "GENERAL_WINBACK": (False, False, False, "一般挽留"),
}
_BY_PATTERN = {(r, f, m): name for name, (r, f, m, _) in SEGMENTS.items()}
# segment index of each (R high, F high, M high) as bits R=4, F=2, M=1
SEGMENT_OF_BITS = [_BY_PATTERN[(bool(i & 4), bool(i & 2), bool(i & 1))] for i in range(8)]


@dataclass(frozen=True)
class Cuts:
    recency: tuple[int, ...]
    frequency: tuple[int, ...]
    monetary: tuple[int, ...]

    def as_doc(self) -> dict[str, list[int]]:
        return {"recency": list(self.recency), "frequency": list(self.frequency), "monetary": list(self.monetary)}


def segment_of(r: int, f: int, m: int) -> str:
    return _BY_PATTERN[(r >= HIGH, f >= HIGH, m >= HIGH)]


def cut_problems(field: str, cuts: Sequence[int] | None) -> list[Problem]:
    """Custom cut points: None (the default) or four strictly increasing integers from 0 to 2^53 - 1."""
    if cuts is None:
        return []
    if len(cuts) != CUTS:
        return [Problem(field, f"Give {CUTS} cut points (they make 5 scores), not {len(cuts)}")]
    if any(not 0 <= c <= CUT_MAX for c in cuts):
        return [Problem(field, "Cut points are from 0 to 2^53 - 1")]
    if any(b <= a for a, b in pairwise(cuts)):
        return [Problem(field, "Cut points must be strictly increasing")]
    return []


def quantile_cuts(values: np.ndarray) -> tuple[int, ...]:
    """The quintile cut points of `values` (higher is better) for score = 1 + #(cuts <= value): cut k is the
    smallest value with at least ceil(k * n / 5) values below it, or max + 1 when no value has (nobody reaches
    that score). Equal values are never split and take the lowest score they reach."""
    ordered = np.sort(np.asarray(values, dtype=np.int64))
    n = len(ordered)
    if n == 0:
        return (1, 2, 3, 4)
    cuts = []
    for k in range(1, CUTS + 1):
        target = -(-k * n // (CUTS + 1))  # ceil(k n / 5)
        i = target
        if i < n and i > 0 and ordered[i] == ordered[i - 1]:
            i = int(np.searchsorted(ordered, ordered[i], side="right"))  # the next larger value
        cuts.append(int(ordered[i]) if i < n else int(ordered[-1]) + 1)
    return tuple(cuts)


def recency_quantile_cuts(days: np.ndarray) -> tuple[int, ...]:
    """quantile_cuts of R, whose value is days (lower is better): on -days, turned back into days (score =
    1 + #(cuts >= days)); ascending."""
    return tuple(sorted(-c for c in quantile_cuts(-np.asarray(days, dtype=np.int64))))


def scores_up(values: np.ndarray, cuts: Sequence[int]) -> np.ndarray:
    """1 + #(cuts <= value) for each value (F and M)."""
    return 1 + np.searchsorted(np.asarray(sorted(cuts), dtype=np.int64), values, side="right")


def scores_down(days: np.ndarray, cuts: Sequence[int]) -> np.ndarray:
    """1 + #(cuts >= days) for each value (R)."""
    ordered = np.asarray(sorted(cuts), dtype=np.int64)
    return 1 + len(ordered) - np.searchsorted(ordered, days, side="left")


@dataclass
class Scored:
    r: np.ndarray
    f: np.ndarray
    m: np.ndarray
    segment: np.ndarray  # index into SEGMENT_OF_BITS
    cuts: Cuts


def score(
    days: np.ndarray,
    orders: np.ndarray,
    amount: np.ndarray,
    *,
    recency: Sequence[int] | None = None,
    frequency: Sequence[int] | None = None,
    monetary: Sequence[int] | None = None,
) -> Scored:
    """Scores and segments of every buyer, with the cut points used (custom ones where given)."""
    cuts = Cuts(
        tuple(recency) if recency is not None else recency_quantile_cuts(days),
        tuple(frequency) if frequency is not None else DEFAULT_FREQUENCY_CUTS,
        tuple(monetary) if monetary is not None else quantile_cuts(amount),
    )
    r = scores_down(days, cuts.recency)
    f = scores_up(orders, cuts.frequency)
    m = scores_up(amount, cuts.monetary)
    bits = (r >= HIGH).astype(np.int8) * 4 + (f >= HIGH).astype(np.int8) * 2 + (m >= HIGH).astype(np.int8)
    return Scored(r, f, m, bits, cuts)


def days_since(now_ms: int, last_paid_ms: np.ndarray) -> np.ndarray:
    """Whole days (24 h) from the last paid order to now; never negative."""
    return np.maximum(0, (now_ms - np.asarray(last_paid_ms, dtype=np.int64)) // DAY_MS)


def trend(count: int, previous: int | None) -> int | None:
    """The change of a segment's count since the previous run (None: there was none)."""
    return None if previous is None else count - previous

"""Creators (达人): a credit score per user from the quality of what they post, and its level. No I/O.

    engagement = likes + 2 x comments + 3 x favorites            (over the author's approved posts)
    quality    = 70 x (1 - exp(-engagement / (approved + 2) / 10))  engagement per post, smoothed: one lucky post
                                                                    of a new author does not make them a creator
    volume     = 30 x (1 - exp(-approved / 10))                    a body of work counts, with diminishing returns
    penalty    = 15 x reports upheld + 5 x moderation rejections
    score      = quality + volume - penalty, within 0..100, to one decimal

A report is upheld when the post it reported was rejected by an operator. Levels: 0 below 10, then 1 (10), 2 (30),
3 (50), 4 (70), 5 (85). An operator's verification is a badge beside the score, not part of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

QUALITY_WEIGHT = 70.0
VOLUME_WEIGHT = 30.0
REPORT_PENALTY = 15.0
REJECTION_PENALTY = 5.0
LEVELS = (10.0, 30.0, 50.0, 70.0, 85.0)  # the score each level from 1 starts at


@dataclass(frozen=True)
class CreatorStats:
    approved: int = 0  # approved posts
    likes: int = 0
    comments: int = 0
    favorites: int = 0
    reports_upheld: int = 0
    rejections: int = 0

    @property
    def engagement(self) -> int:
        return self.likes + 2 * self.comments + 3 * self.favorites


def credit_score(stats: CreatorStats) -> float:
    per_post = stats.engagement / (stats.approved + 2)
    quality = QUALITY_WEIGHT * (1 - math.exp(-per_post / 10))
    volume = VOLUME_WEIGHT * (1 - math.exp(-stats.approved / 10))
    penalty = REPORT_PENALTY * stats.reports_upheld + REJECTION_PENALTY * stats.rejections
    return round(min(100.0, max(0.0, quality + volume - penalty)), 1)


def level(score: float) -> int:
    return sum(1 for start in LEVELS if score >= start)

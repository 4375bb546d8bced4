"""Moderation rules for user text (posts, comments): banned words, link spam, near-duplicates. No I/O.

A text that breaks a rule is held for an operator (PENDING) rather than silently dropped; the reasons say why.
Near-duplicates are found with a 64-bit simhash of the text's character bigrams: two texts whose hashes differ
in at most `NEAR_BITS` bits are treated as the same text (an author reposting the same ad with small edits).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.search import normalize

APPROVED = "APPROVED"
PENDING = "PENDING"
REJECTED = "REJECTED"
# Removed with its author's account (resolvers/account_erasure.py): shown to nobody, decided by no operator.
REMOVED = "REMOVED"

# A small default list (Chinese and English); deployments extend it with the BANNED_WORDS setting.
DEFAULT_BANNED = ("赌博", "博彩", "代开发票", "刷单", "高仿", "枪支", "毒品", "casino", "viagra", "porn")
MAX_LINKS = 2
NEAR_BITS = 3
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_CONTACT = re.compile(r"(微信|vx|v信|加我|qq)[\s:：]*[a-z0-9_-]{5,}", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: tuple[str, ...]


def banned_words(text: str, banned: Iterable[str]) -> list[str]:
    haystack = normalize(text).replace(" ", "")
    return [w for w in banned if w and normalize(w).replace(" ", "") in haystack]


def link_spam(text: str) -> bool:
    """More than MAX_LINKS links, or a contact handle to take the sale elsewhere (加我微信 xxx)."""
    return len(_URL.findall(text)) > MAX_LINKS or bool(_CONTACT.search(text))


def simhash(text: str) -> int:
    """64-bit simhash over character bigrams of the normalized text."""
    chars = normalize(text).replace(" ", "")
    grams = [chars[i : i + 2] for i in range(max(1, len(chars) - 1))] or [""]
    weights = [0] * 64
    for gram in grams:
        h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def near_duplicate(fingerprint: int, recent: Iterable[int]) -> bool:
    return any(bin(fingerprint ^ other).count("1") <= NEAR_BITS for other in recent)


def review(text: str, banned: Iterable[str], recent_fingerprints: Iterable[int] = ()) -> Verdict:
    reasons = []
    words = banned_words(text, banned)
    if words:
        reasons.append("banned words: " + ", ".join(words))
    if link_spam(text):
        reasons.append("links or contact handles")
    if near_duplicate(simhash(text), recent_fingerprints):
        reasons.append("near-duplicate of a recent post")
    return Verdict(PENDING if reasons else APPROVED, tuple(reasons))


# An operator's decision on a post, from each state: approve or reject. Deciding what a post already is keeps it
# as it is (and closes its reports); nothing moves a post back to PENDING.
MOVES = {PENDING: (APPROVED, REJECTED), APPROVED: (APPROVED, REJECTED), REJECTED: (APPROVED, REJECTED)}


@dataclass(frozen=True)
class Move:
    before: str
    after: str

    @property
    def shows(self) -> bool:
        """The post becomes visible to everyone (it counts in its topics again)."""
        return self.before != APPROVED and self.after == APPROVED

    @property
    def hides(self) -> bool:
        return self.before == APPROVED and self.after != APPROVED


def decide(before: str, approve: bool) -> Move | None:
    """The move an operator's decision makes from `before`; None when it is not an allowed move."""
    after = APPROVED if approve else REJECTED
    return Move(before, after) if after in MOVES.get(before, ()) else None

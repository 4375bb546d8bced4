"""Product search by substring, Chinese included, through an index of character n-grams.

A product's searchable text (title and category) is normalized (NFKC, case-folded, punctuation to spaces) and
every 1- and 2-character window of each word becomes a term. A query is answered from the postings of its
rarest term and each candidate is then checked for every query word as a substring, so "绿茶" finds "明前绿茶礼盒"
and "iphone 15" finds "Apple iPhone 15 Pro" without scanning the collection.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY = 40
_SEPARATORS = re.compile(r"[^\w]+|_+")


def normalize(text: str) -> str:
    """NFKC, case-folded, anything that is not a letter or digit turned into single spaces."""
    return " ".join(_SEPARATORS.split(unicodedata.normalize("NFKC", text).casefold())).strip()


def words(text: str) -> list[str]:
    return normalize(text).split()


def terms(text: str) -> set[str]:
    """The index terms of a text: every character and every pair of adjacent characters within a word."""
    out: set[str] = set()
    for word in words(text):
        out.update(word)
        out.update(word[i : i + 2] for i in range(len(word) - 1))
    return out


def query_terms(query: str) -> list[str]:
    """The terms any match must contain: each word's pairs, or the word itself when it is one character."""
    found: list[str] = []
    for word in words(query):
        pairs = [word[i : i + 2] for i in range(len(word) - 1)] or [word]
        found.extend(t for t in pairs if t not in found)
    return found


def matches(text: str, query: str) -> bool:
    """Every query word is a substring of the normalized text."""
    haystack = normalize(text)
    return all(word in haystack for word in words(query))


def searchable_text(title: str, category: str | None) -> str:
    return f"{title} {category or ''}"

"""What a user-visible text may contain, and its clean form. No I/O.

Every text a user writes for others to read (nicknames, bios, shop names, titles, descriptions, topics, comments,
live rooms, reasons) is refused when it, or its NFKC form, holds a character that hides or disguises text:
control characters (tab and line breaks aside), format characters (bidirectional overrides and isolates, zero-width
space, BOM, soft hyphen, ...), surrogates, private-use and non-characters, and the letters that render blank (Hangul
fillers, Braille blank). Zero-width joiners stay where they join two visible characters (emoji sequences, Indic and
Persian scripts); elsewhere they are dropped. A text with no visible character left counts as empty.

Names that identify (nicknames, topics) are kept in NFKC, so full-width and other compatibility forms are one
name; prose keeps NFC, which never changes how it looks: NFKC would turn a Chinese "？" into "?" and "m²" into "m2".

`skeleton` maps a nickname to what it looks like: case, accents, spaces, punctuation, joiners and the common
Cyrillic, Greek and Armenian look-alikes of Latin letters folded away, so that look-alike nicknames collide.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from domain.problem import Problem

JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
# Letters and marks that render as nothing (Unicode calls them default-ignorable or fillers).
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f")
BLACK_FLAG = "\U0001f3f4"  # the base of the subdivision flags, whose tag characters (Cf) are allowed after it
LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_VISIBLE = ("L", "N", "P", "S")  # letters, numbers, punctuation, symbols
_LOOK_ALIKE = str.maketrans(
    {
        # Cyrillic
        "а": "a", "б": "6", "в": "b", "г": "r", "д": "a", "е": "e", "з": "3", "и": "u", "і": "l", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x",
        "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ь": "b", "ѡ": "w", "ү": "y", "һ": "h",
        # Greek
        "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "l", "κ": "k", "μ": "u", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
        # Armenian
        "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "զ": "q",
        # digits and Latin letters that read as others (an i reads as an l, so every i-like letter maps to l)
        "0": "o", "1": "l", "i": "l", "|": "l", "5": "s",
    }
)  # fmt: skip
_LOOK_ALIKE_PAIRS = (("rn", "m"), ("vv", "w"))


def _is_tag(ch: str) -> bool:
    return "\U000e0020" <= ch <= "\U000e007f"


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _visible(ch: str) -> bool:
    return unicodedata.category(ch)[0] in _VISIBLE and ch not in BLANK_LOOKING


def is_forbidden(ch: str, before: str = "") -> bool:
    """A character that hides or disguises text (`before` is the character in front of it, for flag tags)."""
    if ch in "\t\n\r\u2028\u2029" or ch in JOINERS:
        return False
    category = unicodedata.category(ch)
    if category == "Cf" and _is_tag(ch):
        return not (before == BLACK_FLAG or _is_tag(before))
    return category in ("Cc", "Cf", "Cs", "Co") or ch in BLANK_LOOKING or _noncharacter(ord(ch))


def forbidden_in(text: str) -> list[str]:
    """The forbidden characters of `text` and of its NFKC form (as the user typed them first), each once."""
    found = []
    for form in (text, unicodedata.normalize("NFKC", text)):
        found += [ch for i, ch in enumerate(form) if is_forbidden(ch, form[i - 1] if i else "")]
    return list(dict.fromkeys(found))


def _drop(text: str) -> str:
    """Forbidden characters removed, and joiners that do not join two visible characters."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if is_forbidden(ch, out[-1] if out else ""):
            continue
        if ch in JOINERS:
            after = text[i + 1] if i + 1 < len(text) else ""
            if not (out and _visible(out[-1]) and after and _visible(after)):
                continue
        out.append(ch)
    return "".join(out)


def _tidy(text: str, multiline: bool) -> str:
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in LINE_BREAKS.split(text)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def clean(text: str, *, multiline: bool = False, compat: bool = False) -> str:
    """NFC (NFKC with `compat`, for names), forbidden characters and stray joiners removed, whitespace runs made
    one space (multi-line: lines trimmed, at most one blank line in a row), trimmed. Idempotent."""
    form: Literal["NFC", "NFKC"] = "NFKC" if compat else "NFC"
    for _ in range(8):
        cleaned = _tidy(_drop(unicodedata.normalize(form, text)), multiline)
        cleaned = unicodedata.normalize(form, cleaned)
        if cleaned == text:
            break
        text = cleaned
    return text


def has_visible(text: str) -> bool:
    return any(_visible(ch) for ch in text)


def text_problems(
    field: str, text: str, what: str, max_len: int, *, min_len: int = 1, multiline: bool = False, compat: bool = False
) -> list[Problem]:
    """What is wrong with a user's text: a forbidden character (named by code point), or a clean form outside
    min_len..max_len characters (a text with nothing visible counts as empty)."""
    bad = forbidden_in(text)
    if bad:
        names = ", ".join(f"U+{ord(ch):04X}" for ch in bad[:3])
        return [Problem(field, f"{what} contains invisible or control characters ({names}); remove them")]
    cleaned = clean(text, multiline=multiline, compat=compat)
    length = len(cleaned) if has_visible(cleaned) else 0
    if not min_len <= length <= max_len:
        if min_len == 0:
            return [Problem(field, f"{what} has at most {max_len} characters")]
        return [Problem(field, f"{what} has {min_len} to {max_len} characters")]
    return []


def skeleton(nickname: str) -> str:
    """What a nickname looks like: two nicknames with one skeleton are look-alikes."""
    text = unicodedata.normalize("NFKD", clean(nickname, compat=True).replace("I", "l").casefold())
    kept = "".join(ch for ch in text if _visible(ch) and unicodedata.category(ch)[0] != "P")
    kept = kept.translate(_LOOK_ALIKE)
    for pair, single in _LOOK_ALIKE_PAIRS:
        kept = kept.replace(pair, single)
    # a nickname of punctuation alone keeps its own (case-folded) form rather than colliding with every other one
    return unicodedata.normalize("NFKC", kept) if kept else clean(nickname, compat=True).casefold()

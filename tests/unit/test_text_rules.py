"""domain/text.py: the clean form of user text, the characters it refuses, and nickname skeletons."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.text import clean, forbidden_in, is_forbidden, skeleton, text_problems

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u2800", "\u180e"]
ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=60)
# text that mixes the troublesome characters into ordinary letters, spaces and emoji
TRICKY = st.text(
    alphabet=st.sampled_from(
        [
            *["a", "B", "茶", "\u0301", " ", "\n", "\t", "\r", "\u3000", "\u202e", "\u2066", "\x00", "\x1f"],
            *["\U0001f468", *INVISIBLE, "\U0001f3f4", "\U000e0067", "\U000e007f", "\ufe0f", "\ue000", "\uffff"],
            *["\ud7ff", "ﬁ", "Ａ"],
        ]
    ),
    max_size=40,
)
texts = st.one_of(ANY_TEXT, TRICKY)


@given(texts, st.booleans(), st.booleans())
@example("e\u200b\u0301", False, False)
@example("\u200d\u200d", False, True)
def test_clean_is_idempotent(text: str, multiline: bool, compat: bool) -> None:
    once = clean(text, multiline=multiline, compat=compat)
    assert clean(once, multiline=multiline, compat=compat) == once


@given(texts, st.booleans(), st.booleans())
def test_clean_never_returns_a_forbidden_character(text: str, multiline: bool, compat: bool) -> None:
    assert forbidden_in(clean(text, multiline=multiline, compat=compat)) == []


@given(texts, st.booleans(), st.booleans())
def test_clean_text_is_normalised_and_trimmed(text: str, multiline: bool, compat: bool) -> None:
    cleaned = clean(text, multiline=multiline, compat=compat)
    assert unicodedata.normalize("NFKC" if compat else "NFC", cleaned) == cleaned
    assert cleaned == cleaned.strip()
    if not multiline:
        assert "\n" not in cleaned and "  " not in cleaned


@given(st.lists(st.sampled_from([*INVISIBLE, " ", "\t", "\u3000"]), min_size=1, max_size=20))
def test_zero_width_only_text_becomes_empty_and_is_refused(chars: list[str]) -> None:
    # given text of nothing but invisible characters and spaces
    text = "".join(chars)
    # then its clean form is empty, and it is refused as a title
    assert clean(text) == ""
    assert [p.field for p in text_problems("title", text, "A title", 40)] == ["title"]


@pytest.mark.parametrize(
    "char",
    [
        *["\x00", "\x07", "\x1b", "\x7f", "\u202e", "\u202d", "\u2066", "\u2067", "\u200e", "\u200f", "\u061c"],
        *["\u200b", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u2800", "\ue000", "\ufffe"],
    ],
)
def test_a_text_with_a_control_or_invisible_character_is_refused_with_its_code_point(char: str) -> None:
    # when a nickname carries the character
    problems = text_problems("nickname", f"小{char}明", "A nickname", 30)
    # then it is refused, naming the character
    assert len(problems) == 1 and f"U+{ord(char):04X}" in problems[0].message


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family emoji: joiners between visible characters
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with a ZWNJ
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # the flag of England
        "❤\ufe0f 茶",  # an emoji variation selector
        "第一行\n第二行",
    ],
)
def test_ordinary_text_is_accepted_unchanged(text: str) -> None:
    assert text_problems("body", text, "A body", 100, multiline=True) == []
    assert clean(text, multiline=True) == text


def test_clean_tidies_whitespace_and_width() -> None:
    assert clean("  Ｔｅａ\u3000\u3000time\t ", compat=True) == "Tea time"
    assert clean(" 好喝吗？ 50m² ") == "好喝吗？ 50m²"  # prose keeps its look: NFC, not NFKC
    assert clean("a \r\n\r\n\r\n\r\n b  ", multiline=True) == "a\n\nb"
    assert clean("\u200dab\u200d") == "ab"  # a joiner at an edge joins nothing


def test_lengths_count_the_clean_form() -> None:
    assert text_problems("title", "  茶  ", "A title", 1) == []
    assert text_problems("title", "茶茶", "A title", 1)[0].message == "A title has 1 to 1 characters"
    assert text_problems("bio", "", "A bio", 10, min_len=0) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Alice", "alice"),
        ("Alice", "ALICE "),
        ("Alice", "A l i c e"),
        ("Alice", "Аlice"),  # Cyrillic А
        ("paypal", "pаypаl"),  # Cyrillic а
        ("alice", "alіce"),  # Cyrillic і
        ("alice", "alιce"),  # Greek ι
        ("Alice", "Alicé"),
        ("Alice", "Ａｌｉｃｅ"),  # full width
        ("Alice", "AIice"),  # capital I for l
        ("小明", "小 明"),
        ("小明", "小.明"),
        ("modern", "rnodern"),
        ("bob0", "bobo"),
    ],
)
def test_look_alike_nicknames_share_a_skeleton(one: str, other: str) -> None:
    assert skeleton(one) == skeleton(other)


@pytest.mark.parametrize(("one", "other"), [("小明", "小红"), ("alice", "alicia"), ("...", "---")])
def test_different_nicknames_have_different_skeletons(one: str, other: str) -> None:
    assert skeleton(one) != skeleton(other)


@given(texts)
def test_a_skeleton_is_its_own_skeleton_input_stable(text: str) -> None:
    # the skeleton of a nickname does not depend on its invisible characters or spacing
    assert skeleton(clean(text)) == skeleton(text)


def test_flag_tags_are_allowed_only_after_the_black_flag() -> None:
    assert is_forbidden("\U000e0067", "\U0001f3f4") is False
    assert is_forbidden("\U000e0067", "a") is True

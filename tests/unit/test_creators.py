"""The creator credit score and levels (domain/creators.py) and DISCOVER's commercial share (domain/ranking.py)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from domain.creators import CreatorStats, credit_score, level
from domain.ranking import Candidate, cap_commercial, score


def test_nothing_posted_is_zero_and_quality_outweighs_volume() -> None:
    assert credit_score(CreatorStats()) == 0.0 and level(0.0) == 0
    busy = credit_score(CreatorStats(approved=40, likes=40))  # many posts nobody engages with
    good = credit_score(CreatorStats(approved=10, likes=300, comments=100, favorites=50))
    assert good > busy
    assert level(good) >= 4 and level(busy) <= 2


def test_one_lucky_post_does_not_make_a_creator() -> None:
    assert credit_score(CreatorStats(approved=1, likes=30)) < credit_score(CreatorStats(approved=10, likes=300))


def test_upheld_reports_and_rejections_cost() -> None:
    clean = CreatorStats(approved=10, likes=200, comments=50)
    reported = CreatorStats(approved=10, likes=200, comments=50, reports_upheld=2)
    rejected = CreatorStats(approved=10, likes=200, comments=50, rejections=2)
    assert credit_score(clean) - credit_score(reported) == 30.0
    assert credit_score(clean) - credit_score(rejected) == 10.0
    assert credit_score(CreatorStats(approved=1, reports_upheld=10)) == 0.0  # never below 0


def test_levels_start_at_their_thresholds() -> None:
    assert [level(s) for s in (9.9, 10.0, 29.9, 30.0, 50.0, 70.0, 84.9, 85.0, 100.0)] == [0, 1, 1, 2, 3, 4, 4, 5, 5]


@given(
    st.integers(0, 10_000),
    st.integers(0, 100_000),
    st.integers(0, 100_000),
    st.integers(0, 100_000),
    st.integers(0, 50),
    st.integers(0, 50),
)
def test_the_score_is_within_0_and_100_and_grows_with_engagement(
    approved: int, likes: int, comments: int, favorites: int, upheld: int, rejected: int
) -> None:
    stats = CreatorStats(approved, likes, comments, favorites, upheld, rejected)
    value = credit_score(stats)
    assert 0.0 <= value <= 100.0
    more = CreatorStats(approved, likes + 10, comments, favorites, upheld, rejected)
    assert credit_score(more) >= value


def test_a_creators_credit_lifts_their_post_in_discover() -> None:
    plain = Candidate("a", "u1", 5, 1, 50, 2.0, 0.0, 0.0)
    credited = Candidate("b", "u2", 5, 1, 50, 2.0, 0.0, 0.0, credit=100.0)
    assert math.isclose(score(credited), 1.5 * score(plain))


def commercial(item: str) -> bool:
    return item.startswith("c")


def test_each_page_keeps_commercial_posts_under_the_share() -> None:
    ranked = [f"c{i}" for i in range(9)] + [f"p{i}" for i in range(21)]  # the best nine are all commercial
    out = cap_commercial(ranked, commercial, 0.3, 10)
    assert sorted(out) == sorted(ranked)
    for start in range(0, 30, 10):
        assert sum(map(commercial, out[start : start + 10])) == 3
    assert out[:3] == ["c0", "c1", "c2"] and out[3:10] == [f"p{i}" for i in range(7)]  # order kept where allowed


def test_a_page_under_the_share_is_left_as_ranked() -> None:
    ranked = ["p0", "c0", "p1", "p2", "p3", "c1", "p4", "p5", "p6", "p7"]
    assert cap_commercial(ranked, commercial, 0.3, 10) == ranked


def test_small_pages_and_a_commercial_tail() -> None:
    ranked = ["c0", "c1", "p0", "p1", "p2", "p3"]
    assert cap_commercial(ranked, commercial, 0.3, 3) == ["p0", "p1", "p2", "p3", "c0", "c1"]  # 0.9 < 1 a page
    assert cap_commercial(["c0", "c1"], commercial, 0.3, 10) == ["c0", "c1"]  # nothing else to show


@given(st.lists(st.booleans(), max_size=120), st.integers(1, 40), st.sampled_from([0.0, 0.1, 0.3, 0.5]))
def test_the_cap_holds_on_every_page_while_plain_posts_last(flags: list[bool], page: int, share: float) -> None:
    items = [f"{'c' if f else 'p'}{i}" for i, f in enumerate(flags)]
    out = cap_commercial(items, commercial, share, page)
    assert sorted(out) == sorted(items)
    plain_left = [sum(1 for x in out[i:] if not commercial(x)) for i in range(len(out) + 1)]
    for start in range(0, len(out), page):
        chunk = out[start : start + page]
        if plain_left[start + len(chunk)] > 0:  # plain posts remain after this page: it is within the cap
            assert sum(map(commercial, chunk)) <= math.floor(share * page + 1e-9)

"""The DISCOVER ranking formula, the moderation rules and the post rules."""

from __future__ import annotations

import itertools
import math

from domain import moderation
from domain.posts import post_problems, topic_name, video_problems
from domain.ranking import COLD_START_EVERY, Candidate, arrange, freshness, quality, score


def cand(
    pid: str,
    author: str = "a",
    likes: int = 0,
    comments: int = 0,
    views: int = 0,
    age: float = 1.0,
    prox: float = 0.0,
    infl: float = 0.0,
) -> Candidate:
    return Candidate(pid, author, likes, comments, views, age, prox, infl)


def test_the_formula() -> None:
    assert quality(cand("p")) == 1.0  # a brand-new post: 10 x 1 / 10
    assert quality(cand("p", likes=4, comments=3, views=90)) == 10 * 11 / 100
    assert freshness(0) == 1.0 and math.isclose(freshness(24), 0.5) and math.isclose(freshness(48), 0.25)
    base = cand("p", likes=5, views=20, age=12)
    assert math.isclose(score(base), quality(base) * freshness(12))
    assert math.isclose(score(cand("p", likes=5, views=20, age=12, prox=1.0, infl=50)), score(base) * 2 * 1.5)


def test_engagement_per_view_beats_raw_views_and_freshness_decays() -> None:
    assert score(cand("engaging", likes=10, views=20)) > score(cand("seen", likes=10, views=2000))
    assert score(cand("new", likes=3, age=1)) > score(cand("old", likes=3, age=72))
    assert score(cand("friend", prox=1.0)) > score(cand("stranger"))


def test_arrangement_keeps_cold_start_slots_and_authors_apart() -> None:
    warm = [cand(f"w{i}", author=f"a{i % 3}", likes=50, views=60, age=30) for i in range(9)]
    cold = [cand("cold", author="newbie", age=0.5)]
    out = arrange(warm + cold)
    assert out[COLD_START_EVERY - 1].post_id == "cold"
    assert all(x.author_id != y.author_id for x, y in itertools.pairwise(out))
    assert sorted(c.post_id for c in out) == sorted(c.post_id for c in warm + cold)


def test_moderation_rules() -> None:
    banned = moderation.DEFAULT_BANNED
    assert moderation.review("明前龙井，香气清雅", banned).status == moderation.APPROVED
    held = moderation.review("正品高仿 CASINO 今晚开", banned)
    assert held.status == moderation.PENDING and "casino" in held.reasons[0] and "高仿" in held.reasons[0]
    assert moderation.link_spam("看 http://a.cn http://b.cn http://c.cn")
    assert moderation.link_spam("加我微信: shop8888 拿货") and not moderation.link_spam("看 https://a.cn 的介绍")
    a = moderation.simhash("今天的龙井很好喝，推荐大家试试")
    assert moderation.near_duplicate(moderation.simhash("今天的龙井很好喝，推荐大家试试！"), [a])
    assert not moderation.near_duplicate(moderation.simhash("新到的普洱茶饼，陈香浓郁"), [a])


def test_post_rules() -> None:
    assert topic_name("  #Green Tea ") == "green tea"
    assert post_problems("NOTE", "标题", "正文", [], None, [], ["茶"]) == []
    assert [p.field for p in post_problems("NOTE", "x" * 41, "", ["ftp://x"], "v1", ["p"] * 11, ["#"])] == [
        "title",
        "body",
        "images.0",
        "videoId",
        "productIds",
        "topics.0",
    ]
    assert video_problems(1000, 30.0) == [] and video_problems(1000, 14.9)[0].field == "file"
    assert video_problems(1000, None)[0].message.startswith("This file is not a video")
    assert video_problems(101 * 1024 * 1024, 30.0)[0].message.startswith("A video is at most")

"""The recommendation score and its reasons."""

from __future__ import annotations

from domain.recommend import Signals, may_recommend_again, reasons, score, text_similarity
from domain.search import terms


def test_social_signals_outweigh_popularity_and_damp_with_count() -> None:
    two_friends = Signals(friends=2, friend_count=2)
    bestseller = Signals(sales=500)
    assert score(two_friends) > score(Signals(followees=2, followee_count=2)) > 0
    assert score(Signals(friends=1, friend_count=1)) > score(Signals(sales=50))
    assert score(bestseller) > score(Signals(sales=5))
    assert score(Signals(friends=20)) - score(Signals(friends=19)) < score(Signals(friends=2)) - score(
        Signals(friends=1)
    )
    assert score(two_friends) < score(Signals(friends=2, friend_count=2, co_purchase=3))


def test_reasons() -> None:
    assert reasons(Signals(friends=1, friend_count=1)) == ["1 friend bought this"]
    assert reasons(Signals(friends=3, friend_count=3, followees=1, followee_count=1)) == [
        "3 friends bought this",
        "popular with people you follow",
    ]
    assert reasons(Signals(co_purchase=4, co_purchased_with="紫砂壶")) == ["often bought with 紫砂壶"]
    assert reasons(Signals(sales=100)) == ["popular right now"]
    assert reasons(Signals(friend_likes=1)) == ["1 friend likes this"]
    assert reasons(Signals(friend_likes=2)) == ["2 friends like this"]
    assert score(Signals(friend_likes=1)) > score(Signals(co_like=1)) > 0
    assert score(Signals(friends=1, influence=0.9)) > score(Signals(friends=1))


def test_consumables_may_be_recommended_again() -> None:
    assert may_recommend_again("茶叶") and not may_recommend_again("茶具") and not may_recommend_again(None)


def test_title_similarity() -> None:
    tea = terms("西湖龙井绿茶")
    assert text_similarity(tea, terms("明前龙井绿茶礼盒")) > text_similarity(tea, terms("云南普洱茶饼")) > 0
    assert text_similarity(tea, tea) == 1.0 and text_similarity(tea, set()) == 0.0

"""Live selling rules: room order, limits, and the token bucket."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain import live


def test_live_rooms_come_first_then_by_viewers() -> None:
    ranks = {
        "busy": live.rank(live.LIVE, 5_000),
        "quiet": live.rank(live.LIVE, 0),
        "soon": live.rank(live.SCHEDULED, 0),
        "over": live.rank(live.ENDED, 0),
    }
    assert sorted(ranks, key=ranks.__getitem__, reverse=True) == ["busy", "quiet", "soon", "over"]
    assert live.rank(live.LIVE, 10**12) < live.rank(live.LIVE, 0) + 10**9  # a huge count stays in its band
    assert live.rank(live.SCHEDULED, 99) == live.rank(live.SCHEDULED, 0)


def test_limits() -> None:
    assert live.comment_problems("好") == [] and live.comment_problems("好" * 200) == []
    assert [p.field for p in live.comment_problems(" ")] == ["body"]
    assert [p.field for p in live.comment_problems("好" * 201)] == ["body"]
    assert live.like_problems(1) == [] and live.like_problems(100) == []
    assert live.like_problems(0) and live.like_problems(101) and live.like_problems(10**9)
    assert [p.field for p in live.room_problems("", ["p"] * 51)] == ["title", "productIds"]
    assert live.recent_count(None) == live.RECENT_DEFAULT
    assert live.recent_count(1000) == live.RECENT_MAX and live.recent_count(-5) == 0


def test_the_moves() -> None:
    assert live.SOURCES[live.LIVE] == (live.SCHEDULED,)
    assert set(live.SOURCES[live.ENDED]) == {live.SCHEDULED, live.LIVE}


@given(
    rate=st.floats(0.1, 10),
    burst=st.integers(1, 20),
    gaps=st.lists(st.integers(0, 3_000), min_size=1, max_size=200),
)
def test_a_bucket_never_allows_more_than_burst_plus_rate_times_time(rate: float, burst: int, gaps: list[int]) -> None:
    bucket = None
    now = 0
    allowed = 0
    for gap in gaps:
        now += gap
        ok, bucket = live.take(bucket, now, rate, burst)
        allowed += ok
        assert 0 <= bucket.tokens <= burst
    assert allowed <= burst + rate * now / 1000 + 1e-9


def test_a_full_bucket_allows_the_burst_at_once() -> None:
    bucket = None
    results = []
    for _ in range(5):
        ok, bucket = live.take(bucket, 0, 1.0, 3)
        results.append(ok)
    assert results == [True, True, True, False, False]


def test_which_selections_depend_on_the_viewer() -> None:
    from graphql import parse

    from schema import schema
    from subscriptions.live import reads_viewer

    def depends(query: str) -> bool:
        return reads_viewer(schema._schema, parse(query))

    assert not depends("subscription { liveComments(roomId: 1) { id body at author { id nickname avatarUrl } } }")
    assert not depends(
        "subscription { liveRoomEvents(roomId: 1) { __typename ... on ProductPinned {"
        " product { title price { amount } shop { name owner { nickname } } skus { stock } } } } }"
    )
    assert depends("subscription { liveComments(roomId: 1) { author { viewerFollows } } }")
    assert depends("subscription { liveComments(roomId: 1) { author { privacy { showInSocialProof } } } }")
    assert depends(
        "subscription { liveRoomEvents(roomId: 1) { ... on ProductPinned { product { ...P } } } }"
        " fragment P on Product { friendsWhoBought { id } }"
    )

"""The bargain cut rule (property-tested over many offers) and team tier prices."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import teams
from domain.bargains import cut_rng, next_cut


def all_cuts(start: int, floor: int, helpers: int, seed: str, new_users: set[int] = frozenset()) -> list[int]:  # type: ignore[assignment]
    price, cuts = start, []
    for i in range(helpers):
        cut = next_cut(price - floor, helpers - i, cut_rng(seed, i), 2.0 if i in new_users else 1.0)
        cuts.append(cut)
        price -= cut
    return cuts


@settings(max_examples=400)
@given(
    floor=st.integers(1, 1_000_000),
    span=st.integers(1, 5_000_000),
    helpers=st.integers(1, 100),
    seed=st.text(max_size=8),
    new_users=st.sets(st.integers(0, 99), max_size=10),
)
def test_exactly_the_needed_cuts_reach_the_floor_and_none_passes_it(
    floor: int, span: int, helpers: int, seed: str, new_users: set[int]
) -> None:
    if span < helpers:
        span = helpers  # the catalog refuses offers where a helper could not cut 1 fen
    start = floor + span
    cuts = all_cuts(start, floor, helpers, seed, new_users)
    assert len(cuts) == helpers
    assert sum(cuts) == start - floor
    assert all(c >= 1 for c in cuts)
    prices = [start - sum(cuts[: i + 1]) for i in range(helpers)]
    assert all(p >= floor for p in prices) and prices[-1] == floor


def test_early_cuts_are_larger_and_cuts_are_reproducible() -> None:
    cuts = all_cuts(100_000, 10_000, 10, "b1")
    assert cuts == all_cuts(100_000, 10_000, 10, "b1")
    assert cuts != all_cuts(100_000, 10_000, 10, "b2")
    assert cuts[0] > cuts[-2] and 0.2 * 90_000 <= cuts[0] <= 0.5 * 90_000


def test_a_new_user_cuts_more_but_never_too_much() -> None:
    share = random.Random(1).uniform(0.2, 0.5)
    assert next_cut(10_000, 5, random.Random(1)) == int(10_000 * share)
    assert next_cut(10_000, 5, random.Random(1), factor=2.0) == min(int(10_000 * share * 2.0), 10_000 - 4)
    assert next_cut(10, 5, random.Random(1), factor=5.0) <= 6
    with pytest.raises(ValueError):
        next_cut(3, 5, random.Random(1))


def test_team_tiers() -> None:
    tiers = [{"size": 2, "price": 900}, {"size": 3, "price": 800}, {"size": 5, "price": 700}]
    assert [teams.price_at(tiers, n) for n in range(7)] == [900, 900, 900, 800, 800, 700, 700]
    assert [teams.next_tier(tiers, n) for n in (0, 2, 4, 5)] == [tiers[0], tiers[1], tiers[2], None]
    assert (teams.min_size(tiers), teams.max_size(tiers)) == (2, 5)
    assert [teams.outcome_at_expiry(tiers, n) for n in (0, 1, 2, 5)] == ["FAILED", "FAILED", "SUCCEEDED", "SUCCEEDED"]
    assert teams.difference_owed(900, 700) == 200 and teams.difference_owed(700, 800) == 0

"""PageRank and the 0..100 influence scale."""

from __future__ import annotations

import numpy as np

from domain.influence import influence_scores, pagerank


def test_pagerank_sums_to_one_and_favours_the_hub() -> None:
    # everyone follows node 0; node 0 follows node 1
    src = np.array([1, 2, 3, 4, 0])
    dst = np.array([0, 0, 0, 0, 1])
    rank = pagerank(5, src, dst)
    assert abs(rank.sum() - 1) < 1e-6
    assert rank.argmax() == 0
    assert rank[1] > rank[2] == rank[3] == rank[4]


def test_weights_move_rank() -> None:
    src, dst = np.array([0, 0]), np.array([1, 2])
    even = pagerank(3, src, dst)
    skewed = pagerank(3, src, dst, np.array([1.0, 9.0]))
    assert abs(even[1] - even[2]) < 1e-9
    assert skewed[2] > skewed[1]


def test_scores_are_0_to_100_with_the_top_at_100() -> None:
    scores = influence_scores(4, np.array([1, 2, 3]), np.array([0, 0, 0]))
    assert scores.max() == 100.0 and scores.argmax() == 0
    assert ((scores >= 0) & (scores <= 100)).all()


def test_no_edges_means_no_influence() -> None:
    assert influence_scores(3, np.array([], dtype=int), np.array([], dtype=int)).tolist() == [0.0, 0.0, 0.0]
    assert influence_scores(0, np.array([], dtype=int), np.array([], dtype=int)).tolist() == []

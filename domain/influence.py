"""Influence: weighted PageRank over the follow and interaction graph, scaled to 0..100.

Edges point from the one who gives attention to the one who receives it (a follower to the followee, a buyer to
the sharer), so rank flows to people whom many attentive people attend to. Scores are scaled by
100 * log1p(rank / mean) / log1p(max / mean): the most influential user scores 100, an average one about 30, and
someone nobody attends to close to 0.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

DAMPING = 0.85
TOLERANCE = 1e-9
MAX_ITERATIONS = 100


def pagerank(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """PageRank of n nodes by power iteration over a sparse matrix; dangling nodes spread their rank evenly."""
    if n == 0:
        return np.zeros(0)
    w = np.ones(len(src)) if weight is None else weight.astype(float)
    m = sp.csr_matrix((w, (src, dst)), shape=(n, n))  # duplicate edges add their weights
    out = np.asarray(m.sum(axis=1)).ravel()
    dangling = out == 0
    inv = np.divide(1.0, out, out=np.zeros(n), where=~dangling)
    transition = sp.diags(inv) @ m  # row-stochastic where the node has out-edges
    transposed = transition.T.tocsr()
    rank = np.full(n, 1.0 / n)
    for _ in range(MAX_ITERATIONS):
        spread = rank[dangling].sum() / n
        new = (1 - DAMPING) / n + DAMPING * (transposed @ rank + spread)
        if np.abs(new - rank).sum() < TOLERANCE:
            return new
        rank = new
    return rank


def scale_0_100(rank: np.ndarray) -> np.ndarray:
    if len(rank) == 0:
        return rank
    mean, top = rank.mean(), rank.max()
    return 100.0 * np.log1p(rank / mean) / np.log1p(top / mean)


def influence_scores(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """0..100 per node; with no edges at all nobody has influence."""
    if len(src) == 0:
        return np.zeros(n)
    return scale_0_100(pagerank(n, src, dst, weight))

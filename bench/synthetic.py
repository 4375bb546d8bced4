"""A synthetic social graph with planted structure: communities, popular accounts, reciprocal follows."""

from __future__ import annotations

import numpy as np


def follow_graph(
    users: int,
    follows: int,
    *,
    seed: int = 7,
    community: int = 1000,
    local_share: float = 0.7,
    reciprocity: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """About `follows` distinct (src, dst) pairs over `users` nodes: most follows stay inside a community of
    `community` users, the rest go to globally popular accounts (Zipf); a share of local follows is returned."""
    rng = np.random.default_rng(seed)
    base = int(follows / (1 + local_share * reciprocity) * 1.05)
    src = rng.integers(0, users, base)
    local = rng.random(base) < local_share
    dst = np.empty(base, dtype=np.int64)
    start = (src // community) * community
    dst[local] = start[local] + rng.integers(0, community, local.sum())
    popular = rng.zipf(1.3, (~local).sum()) - 1
    dst[~local] = np.minimum(popular, users - 1)
    back = local & (rng.random(base) < reciprocity)
    src, dst = np.concatenate([src, dst[back]]), np.concatenate([dst, src[back]])
    keep = src != dst
    pairs = np.unique(np.stack([src[keep], dst[keep]], axis=1), axis=0)
    rng.shuffle(pairs)
    return pairs[:follows, 0], pairs[:follows, 1]

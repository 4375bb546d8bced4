"""The influence job: stream the follow (and interaction) edges out of the graph, run PageRank, write each user's
0..100 score back to their document. Only scores that moved are written."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

import numpy as np

from domain.influence import influence_scores
from graph.protocol import GraphStore
from store.protocol import DocumentStore

log = logging.getLogger(__name__)
# relation -> weight of one edge; interaction relations join as later areas project them into the graph
WEIGHTS = {"FOLLOWS": 1.0}
WRITE_BATCH = 10_000
FIRST, SECOND = itemgetter(0), itemgetter(1)


@dataclass
class InfluenceRun:
    users: int
    edges: int
    written: int
    seconds: float


async def collect_edges(graph: GraphStore) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Every weighted edge as integer arrays over a dense numbering of the node ids."""
    sources: list[str] = []
    targets: list[str] = []
    weights: list[np.ndarray] = []
    for rel, w in WEIGHTS.items():
        async for batch in graph.edges(rel):
            sources.extend(map(FIRST, batch))
            targets.extend(map(SECOND, batch))
            weights.append(np.full(len(batch), w))
    ids = list(dict.fromkeys(chain(sources, targets)))
    number = {node: i for i, node in enumerate(ids)}.__getitem__
    src = np.fromiter(map(number, sources), dtype=np.int64, count=len(sources))
    dst = np.fromiter(map(number, targets), dtype=np.int64, count=len(targets))
    return ids, src, dst, np.concatenate(weights) if weights else np.zeros(0)


async def refresh_influence(store: DocumentStore, graph: GraphStore) -> InfluenceRun:
    started = time.monotonic()
    ids, src, dst, weight = await collect_edges(graph)
    scores = np.round(influence_scores(len(ids), src, dst, weight), 2).tolist()
    written = 0
    for i in range(0, len(ids), WRITE_BATCH):
        # the store skips users whose score did not move
        written += await store.set_many(
            "users",
            {u: {"influence": s} for u, s in zip(ids[i : i + WRITE_BATCH], scores[i : i + WRITE_BATCH], strict=True)},
        )
    run = InfluenceRun(len(ids), len(src), written, time.monotonic() - started)
    log.info("influence refreshed", extra=vars(run))
    return run

"""The influence job: stream the follow (and interaction) edges out of the graph, run PageRank, write each user's
0..100 score back to their document. Only scores that moved are written."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from domain.influence import influence_scores
from graph.protocol import GraphStore
from store.protocol import DocumentStore

log = logging.getLogger(__name__)
# relation -> weight of one edge; interaction relations join as later areas project them into the graph
WEIGHTS = {"FOLLOWS": 1.0}
WRITE_BATCH = 1000


@dataclass
class InfluenceRun:
    users: int
    edges: int
    written: int
    seconds: float


async def collect_edges(graph: GraphStore) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Every weighted edge as integer arrays over a dense numbering of the node ids."""
    index: dict[str, int] = {}
    src: list[int] = []
    dst: list[int] = []
    weight: list[float] = []
    for rel, w in WEIGHTS.items():
        async for batch in graph.edges(rel):
            for a, b in batch:
                src.append(index.setdefault(a, len(index)))
                dst.append(index.setdefault(b, len(index)))
            weight.extend([w] * len(batch))
    ids = list(index)
    return ids, np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), np.asarray(weight)


async def refresh_influence(store: DocumentStore, graph: GraphStore) -> InfluenceRun:
    started = time.monotonic()
    ids, src, dst, weight = await collect_edges(graph)
    scores = influence_scores(len(ids), src, dst, weight)
    written = 0
    updates: dict[str, dict[str, float]] = {}
    for i in range(0, len(ids), WRITE_BATCH):
        chunk = ids[i : i + WRITE_BATCH]
        current = await store.get_many("users", chunk)
        for j, user_id in enumerate(chunk, start=i):
            score = round(float(scores[j]), 2)
            if user_id in current and current[user_id].get("influence") != score:
                updates[user_id] = {"influence": score}
        if updates:
            written += await store.set_many("users", updates)
            updates = {}
    run = InfluenceRun(len(ids), len(src), written, time.monotonic() - started)
    log.info("influence refreshed", extra=vars(run))
    return run

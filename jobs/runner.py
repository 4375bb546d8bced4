"""Runs time-driven jobs in the server process: each on its own interval, under a lease so one process runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from jobs.lease import acquire
from store.ids import new_id
from store.protocol import DocumentStore

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    interval: float
    run: Callable[[], Awaitable[object]]


class JobRunner:
    def __init__(self, store: DocumentStore, jobs: list[Job], metrics: Any = None) -> None:
        self.store = store
        self.metrics = metrics  # observability/metrics.Metrics: runs and their time, per job
        self.jobs = [j for j in jobs if j.interval > 0]
        self.owner = new_id()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(j), name=f"job-{j.name}") for j in self.jobs]

    async def _loop(self, job: Job) -> None:
        ttl = int(job.interval * 2000) + 10_000
        while True:
            started, outcome = time.perf_counter(), "ok"
            try:
                if await acquire(self.store, f"job:{job.name}", self.owner, ttl):
                    await job.run()
                else:
                    outcome = "leased_elsewhere"
            except asyncio.CancelledError:
                raise
            except Exception:
                outcome = "failed"
                log.exception("job %s failed", job.name)
            if self.metrics is not None:
                self.metrics.job_runs.labels(job.name, outcome).inc()
                if outcome != "leased_elsewhere":
                    self.metrics.job_seconds.labels(job.name).observe(time.perf_counter() - started)
            await asyncio.sleep(job.interval)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

"""`server.py serve --workers N`: a pre-fork master. It checks that the port is free and forks N workers, each
listening on it with SO_REUSEPORT (the kernel spreads new connections over them by their addresses, evenly, where
one shared socket would wake them all for each); a worker that dies is started again, and SIGTERM or SIGINT stops
them all (each finishes its requests, as `web.run_app` does on a signal).

The master holds no backend and no event loop: each worker opens its own after the fork."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("youxianggou")
RESTART_PAUSE_SECONDS = 1.0  # a worker that keeps dying at start is not restarted in a tight loop
STOP_SECONDS = 20  # a worker still running this long after SIGTERM (its requests finished or not) gets SIGKILL


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers_of(value: str) -> int:
    """`auto` (one per CPU this process may use) or a number from 1 to 64."""
    count = cpu_count() if value == "auto" else int(value)
    if not 1 <= count <= 64:
        raise ValueError("--workers is auto or a number from 1 to 64")
    return count


def serve(workers: int, host: str, port: int, run_worker: Callable[[int], None]) -> None:
    """`run_worker(number)` serves the app on host:port with reuse_port=True until a signal stops it."""
    socket.create_server((host, port), reuse_port=True).close()  # in use: an error here, not N crashing workers
    children: dict[int, int] = {}  # pid -> worker number
    stopping, deadline = False, 0.0

    def start(number: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 0
            try:
                run_worker(number)
            except BaseException:
                log.exception("worker %d failed", number)
                code = 1
            os._exit(code)
        children[pid] = number

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping, deadline
        if not stopping:
            stopping, deadline = True, time.monotonic() + STOP_SECONDS
        _signal(children, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for number in range(workers):
        start(number)
    log.info("workers started", extra={"workers": workers, "pids": sorted(children)})
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG) if stopping else os.wait()
        except ChildProcessError:
            break
        if pid == 0:  # stopping, and none has exited yet
            if time.monotonic() > deadline:
                log.warning("workers %s did not stop within %d s; killed", sorted(children), STOP_SECONDS)
                _signal(children, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.05)
            continue
        number = children.pop(pid, -1)
        if number < 0 or stopping:
            continue
        log.warning(
            "worker %d (pid %d) exited with %d; starting it again", number, pid, os.waitstatus_to_exitcode(status)
        )
        time.sleep(RESTART_PAUSE_SECONDS)
        if not stopping:
            start(number)


def _signal(children: dict[int, int], signum: int) -> None:
    for pid in list(children):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

"""What the benchmarks share: percentiles, and a real server process on the embedded default."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def server_process(
    data_dir: Path, pids: list[int] | None = None, args: tuple[str, ...] = (), **settings: str
) -> AsyncIterator[str]:
    """`python server.py serve` in dev mode with its jobs off, on a free port; yields its base URL once /healthz
    answers, and stops it after. `settings` are more environment settings (REDIS_URL=...); the process id is
    appended to `pids` when given."""
    port = free_port()
    env = {
        **os.environ,
        "DEV_LOGIN": "1",
        "LOG_LEVEL": "WARNING",
        "SWEEP_SECONDS": "0",
        "INFLUENCE_REFRESH_SECONDS": "0",
        # the benchmarks' thousands of anonymous viewers all come from 127.0.0.1: lift the per-address caps
        "WS_MAX_SOCKETS_PER_ADDRESS": "1000000",
        "LIVE_ANONYMOUS_VIEWERS_PER_ADDRESS": "1000000",
        **settings,
    }
    server = subprocess.Popen(  # noqa: ASYNC220 (a benchmark starting its server once)
        [sys.executable, str(ROOT / "server.py"), "serve", "--port", str(port), "--data-dir", str(data_dir), *args],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    if pids is not None:
        pids.append(server.pid)
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(base + "/healthz") as resp:
                        if resp.status == 200:
                            break
                await asyncio.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)

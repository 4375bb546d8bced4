"""`serve --workers 2` against `--workers 1` on a mixed read workload, in one run (issue 21's workers floor).

    .venv/bin/python bench/workers.py [--seconds 10] [--connections 32] [--runs 2]

One data directory (the embedded SQLite) and one Redis (started like the tests start it, or REDIS_URL) serve both
configurations in turn; the world is bench/read_path.py's (100 products, an author with 30 notes, a follower).
wrk (one thread) sends, round robin on each connection, `products(first: 20)`, a product's detail and the
follower's FOLLOWING feed page, all POSTed with the follower's token (so none is answered from the response
cache). Printed per configuration: req/s, p99, the server's CPU (master and workers) and wrk's own CPU, both in
cores, since on a 2-core machine the load generator takes its share of the same cores. Runs alternate 1 and 2
workers so that a change in the machine's load hits both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import server_process  # noqa: E402
from bench.read_path import FOLLOWING, PRODUCT, cpu, cpu_seconds, seed, wrk_figures  # noqa: E402

LIST = "{ products(first: 20) { edges { node { id title price { amount currency } salesCount shop { name } } } } }"


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def server_cpu(pid: int) -> float:
    return cpu_seconds(pid) + sum(cpu_seconds(c) for c in children(pid))


def wrk_script(tmp: Path, token: str, product_id: str) -> Path:
    bodies = [
        json.dumps({"query": LIST}),
        json.dumps({"query": PRODUCT, "variables": {"id": product_id}}),
        json.dumps({"query": FOLLOWING}),
    ]
    lua = (
        "local bodies = {" + ", ".join(json.dumps(b) for b in bodies) + "}\n"
        f'local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {token}"}}\n'
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #bodies + 1\n"
        '  return wrk.format("POST", "/graphql", headers, bodies[i])\n'
        "end\n"
    )
    script = tmp / "mixed.lua"
    script.write_text(lua)
    return script


def run_wrk(url: str, script: Path, seconds: int, connections: int, pid: int) -> dict[str, float]:
    before_server, before_wrk = server_cpu(pid), resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wall = time.monotonic() - began
    after_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
    rps, p99, _ = wrk_figures(out)
    return {
        "rps": rps,
        "p99": p99,
        "server": (server_cpu(pid) - before_server) / wall,
        "wrk": (after_wrk.ru_utime + after_wrk.ru_stime - before_wrk.ru_utime - before_wrk.ru_stime) / wall,
    }


async def warm(base: str, workers: int, pid: int) -> None:
    """Every worker listening (the first answers /healthz before the others have started)."""
    for _ in range(300):
        if workers == 1 or len(children(pid)) >= workers:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    async with aiohttp.ClientSession() as s:
        for _ in range(50):
            async with s.post(base + "/graphql", json={"query": LIST}) as resp:
                assert resp.status == 200


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--runs", type=int, default=2)
    args = p.parse_args()
    print(
        f"CPU: {cpu()}, {len(os.sched_getaffinity(0))} cores; wrk -t1 -c{args.connections} -d{args.seconds}s, "
        f"{args.runs} runs; SQLite + Redis",
        flush=True,
    )
    from tests.services import ServiceManager

    manager = ServiceManager()
    results: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    try:
        redis_url = os.environ.get("REDIS_URL") or manager.url("redis")
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            data = tmp / "data"
            settings = {"REDIS_URL": redis_url, "PRODUCTS_PER_MINUTE": "1000", "POSTS_PER_MINUTE": "1000"}
            async with server_process(data, None, (), **settings) as base:
                world = await seed(base)
            script = wrk_script(tmp, world["viewer"], world["product_id"])
            for run in range(args.runs):
                for workers in (1, 2):
                    pids: list[int] = []
                    async with server_process(data, pids, ("--workers", str(workers)), **settings) as base:
                        await warm(base, workers, pids[0])
                        got = run_wrk(base + "/graphql", script, args.seconds, args.connections, pids[0])
                    results[workers].append(got)
                    print(
                        f"  run {run + 1}, {workers} worker{'s' if workers > 1 else ' '}: {got['rps']:7.0f} req/s"
                        f"  p99 {got['p99']:7.1f} ms  server CPU {got['server']:.2f} cores  wrk CPU {got['wrk']:.2f}"
                        " cores",
                        flush=True,
                    )
    finally:
        manager.stop_all()
    one = max(r["rps"] for r in results[1])
    two = max(r["rps"] for r in results[2])
    per_core = [max(r["rps"] / r["server"] for r in results[w]) for w in (1, 2)]
    print(
        f"--workers 2 / --workers 1 = {two / one:.2f}x req/s; req/s per server core: {per_core[0]:.0f} and "
        f"{per_core[1]:.0f}",
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main())

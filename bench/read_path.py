"""The read path against its references, in one run on one machine (issue 21's comparison).

    .venv/bin/python bench/read_path.py [--seconds 10] [--connections 16] [--runs 2]

A server process on the embedded default gets 100 products (one shop), an author with 30 notes and a follower.
The products page's response bytes are then served by two reference processes: raw aiohttp answering those bytes,
and a plain strawberry schema resolving the same shape from memory (bench/reference_servers.py). wrk (the Debian
package; `make bench` installs it) drives each with the same POST for `--seconds`, `--runs` times, and the
script prints req/s and p99 of each and the ratios. Also measured on this server: `product(id)` with its detail
fields, and the first page of the viewer's FOLLOWING feed. The load generator shares the machine's cores with the
server (wrk runs one thread).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import free_port, server_process  # noqa: E402

PRODUCTS = "{ products(first: 100) { edges { node { id title price { amount currency } salesCount shop { name } } } } }"
PRODUCT = """query($id: ID!) { product(id: $id) { id title description images category price { amount currency }
  salesCount groupBuy { tiers { size price { amount } } } shop { id name logoUrl }
  skus { id specs { name value } price { amount } stock } } }"""
FOLLOWING = """{ feed(kind: FOLLOWING, first: 20) { edges { node { id verb at actor { nickname }
  post { id title likeCount } } } } }"""
CREATE_PRODUCT = (
    "mutation($in: CreateProductInput!) { createProduct(input: $in) { product { id } errors { message } } }"
)
CREATE_POST = (
    'mutation($t: String!) { createPost(input: {kind: NOTE, title: $t, body: "今天的茶不错"}) { errors { code } } }'
)
FOLLOW = "mutation($u: ID!) { follow(input: {userId: $u}) { errors { code } } }"
LOGIN = "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken user { id } } }"
RAW, PLAIN = "raw aiohttp, the same bytes", "plain strawberry, the same shape"
OURS, CACHED = "this server: products(first: 100)", "this server: the same as a cacheable GET"


def cpu() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


async def gql(
    session: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any] | None = None, token: str = ""
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json={"query": query, "variables": variables or {}}, headers=headers) as resp:
        body: dict[str, Any] = await resp.json()
    assert "errors" not in body, body
    return body["data"]


async def seed(base: str) -> dict[str, Any]:
    url = base + "/graphql"
    async with aiohttp.ClientSession() as s:
        seller = (await gql(s, url, LOGIN, {"n": "读路径卖家"}))["devLogin"]["accessToken"]
        shop = await gql(s, url, 'mutation { createShop(input: {name: "读路径店"}) { shop { id } } }', token=seller)
        shop_id = shop["createShop"]["shop"]["id"]
        product_id = ""
        for i in range(100):
            made = await gql(
                s,
                url,
                CREATE_PRODUCT,
                {
                    "in": {
                        "shopId": shop_id,
                        "title": f"读路径商品{i}",
                        "description": "一段商品描述",
                        "images": [],
                        "skus": [{"specs": [{"name": "规格", "value": "标准"}], "price": 1990 + i, "stock": 1000}],
                    }
                },
                seller,
            )
            assert not made["createProduct"]["errors"], made
            product_id = made["createProduct"]["product"]["id"]
        author, author_id = await login(s, url, "读路径作者")
        for i in range(30):
            await gql(
                s,
                url,
                CREATE_POST,
                {"t": f"笔记{i}"},
                author,
            )
        viewer, _ = await login(s, url, "读路径读者")
        await gql(s, url, FOLLOW, {"u": author_id}, viewer)
        async with s.post(url, json={"query": PRODUCTS}) as resp:
            body = await resp.read()
    return {"product_id": product_id, "viewer": viewer, "products_body": body}


async def login(s: aiohttp.ClientSession, url: str, nickname: str) -> tuple[str, str]:
    data = (await gql(s, url, LOGIN, {"n": nickname}))["devLogin"]
    return data["accessToken"], data["user"]["id"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(
    url: str, body: dict[str, Any] | None, token: str, seconds: int, connections: int, tmp: Path, pid: int = 0
) -> tuple[float, float, float]:
    """req/s, p99 (ms) and the server's CPU ms per request (process `pid`; 0 when not given) of `wrk` POSTing
    `body` to `url` (a GET of `url` when body is None)."""
    script = tmp / "post.lua"
    headers = 'wrk.headers["Content-Type"] = "application/json"\n'
    if token:
        headers += f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    request = f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(body))}\n' if body is not None else ""
    script.write_text(request + headers)
    cpu_before = cpu_seconds(pid) if pid else 0.0
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu_used = cpu_seconds(pid) - cpu_before if pid else 0.0
    rps, p99, requests = wrk_figures(out)
    return rps, p99, 1000 * cpu_used / max(requests, 1)


def wrk_figures(out: str) -> tuple[float, float, int]:
    """req/s, p99 (ms) and requests of wrk's `--latency` output; an error when it saw non-2xx answers."""
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rps, p99, int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]


@contextlib.asynccontextmanager
async def reference(kind: str, body_file: Path) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 (a benchmark starting its reference once)
        [
            sys.executable,
            str(ROOT / "bench" / "reference_servers.py"),
            kind,
            "--port",
            str(port),
            "--body",
            str(body_file),
        ]
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        async with aiohttp.ClientSession() as s:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with s.post(url, json={"query": PRODUCTS}) as resp:
                        if resp.status == 200:
                            break
                await asyncio.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--runs", type=int, default=2)
    args = p.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk; `make bench` does it)")
    print(
        f"CPU: {cpu()}, {len(os.sched_getaffinity(0))} cores; wrk -t1 -c{args.connections} "
        f"-d{args.seconds}s, {args.runs} runs",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pids: list[int] = []
        async with server_process(tmp / "server", pids, PRODUCTS_PER_MINUTE="1000", POSTS_PER_MINUTE="1000") as base:
            world = await seed(base)
            body_file = tmp / "products.json"
            body_file.write_bytes(world["products_body"])
            url = base + "/graphql"
            results: dict[str, list[tuple[float, float, float]]] = {}

            def measure(
                label: str,
                target: str,
                pid: int,
                query: str | None,
                variables: dict[str, Any] | None = None,
                token: str = "",
            ) -> None:
                body = {"query": query, "variables": variables or {}} if query is not None else None
                rps, p99, cpu_ms = wrk(target, body, token, args.seconds, args.connections, tmp, pid)
                results.setdefault(label, []).append((rps, p99, cpu_ms))
                print(f"  {label:40} {rps:8.0f} req/s  p99 {p99:7.1f} ms  CPU {cpu_ms:6.2f} ms/req", flush=True)

            async with (
                reference("raw", body_file) as (raw_url, raw_pid),
                reference("strawberry", body_file) as (plain_url, plain_pid),
            ):
                async with aiohttp.ClientSession() as s:
                    async with s.post(raw_url, json={"query": PRODUCTS}) as resp:
                        assert await resp.read() == world["products_body"]
                    async with s.post(plain_url, json={"query": PRODUCTS}) as resp:
                        same = json.loads(await resp.read())["data"] == json.loads(world["products_body"])["data"]
                    assert same, "the plain strawberry reference answers another document"
                    cacheable = url + "?" + urlencode({"query": PRODUCTS})
                    async with s.get(cacheable) as resp:
                        assert resp.headers.get("Cache-Control", "").startswith("public"), "not answered as public"
                server = pids[0]
                for run in range(args.runs):  # interleaved, so that a change in the machine's load hits all alike
                    print(f" run {run + 1}", flush=True)
                    measure(RAW, raw_url, raw_pid, PRODUCTS)
                    measure(PLAIN, plain_url, plain_pid, PRODUCTS)
                    measure(OURS, url, server, PRODUCTS)
                    measure(CACHED, cacheable, server, None)
                    measure("this server: product(id) detail", url, server, PRODUCT, {"id": world["product_id"]})
                    measure("this server: FOLLOWING feed page", url, server, FOLLOWING, token=world["viewer"])

    def best(label: str) -> float:
        return max(r for r, _, _ in results[label])

    def cpu_ms(label: str) -> float:
        return min(c for _, _, c in results[label])

    ours, plain, raw, cached = best(OURS), best(PLAIN), best(RAW), best(CACHED)
    print(
        f"products(first: 100): this server / plain strawberry = {ours / plain:.2f}x req/s, "
        f"{cpu_ms(PLAIN) / cpu_ms(OURS):.2f}x less CPU a request ({cpu_ms(OURS):.2f} vs {cpu_ms(PLAIN):.2f} ms); "
        f"/ raw aiohttp = {100 * ours / raw:.1f} %",
        flush=True,
    )
    print(
        f"the same as a cacheable GET (response cache): {cached / plain:.2f}x plain strawberry; "
        f"{100 * cached / raw:.1f} % of raw aiohttp",
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main())

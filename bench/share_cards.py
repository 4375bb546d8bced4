"""Share posters under measurement, against a real server process on the embedded default (SQLite, memory graph
and bus), one request at a time from this process, with WeChat configured against the local fake (its access
token and getwxacodeunlimit, served from this process) and the product picture on an allowed host:

    .venv/bin/python bench/share_cards.py [--sharers 200] [--cached 500] [--local-qr]

1. `shareCard(channel: POSTER)`, first render: each of N sharers shares the product once (their share link is made,
   WeChat's code fetched, the 800x800 JPEG picture read and fitted, the poster drawn with Pillow, stored as PNG).
   Target p95 < 150 ms.
2. The same again (cached by content: one read of the poster's record). Target p95 < 10 ms.
With --local-qr WeChat is not configured and the code is a QR drawn locally with segno.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import free_port, percentile, server_process  # noqa: E402
from tests.fakes.wechat import APP_ID, APP_SECRET, FakeWechat  # noqa: E402

CARD = """mutation($t: ID!) { shareCard(input: {targetId: $t, channel: POSTER}) {
  shareCard { posterUrl token } errors { code message } } }"""
LOGIN = """mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken errors { code } } }"""


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the server process has used: the cost of a request whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


def picture() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 800), (200, 170, 120))
    draw = ImageDraw.Draw(image)
    for i in range(0, 400, 40):
        draw.ellipse((i, i, 800 - i, 800 - i), outline=(90 + i % 160, 60, 40), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


async def gql(http: aiohttp.ClientSession, base: str, query: str, variables: dict[str, Any], token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(base + "/graphql", json={"query": query, "variables": variables}, headers=headers) as resp:
        body = await resp.json()
    assert "errors" not in body, body
    return body["data"]


def report(name: str, values: list[float], target: float, cpu: float) -> None:
    p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
    verdict = "ok" if p95 < target else "MISSES"
    print(
        f"{name}: n={len(values)} p50={p50:.1f} ms p95={p95:.1f} ms p99={p99:.1f} ms "
        f"(target p95 < {target} ms: {verdict}); server CPU {cpu / len(values):.1f} ms a request"
    )


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sharers", type=int, default=200)
    p.add_argument("--cached", type=int, default=500)
    p.add_argument("--local-qr", action="store_true")
    args = p.parse_args()
    fake = FakeWechat()
    jpeg = picture()
    side = fake.app()
    side.router.add_get("/pic.jpg", lambda _: web.Response(body=jpeg, content_type="image/jpeg"))
    runner = web.AppRunner(side)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake_base = f"http://127.0.0.1:{port}"
    settings = {"POSTER_IMAGE_HOSTS": "127.0.0.1", "SHARE_CARDS_PER_MINUTE": "1000000", "PRODUCTS_PER_MINUTE": "1000"}
    if not args.local_qr:
        settings |= {"WECHAT_API_BASE": fake_base, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET}
    try:
        with tempfile.TemporaryDirectory() as data:
            pids: list[int] = []
            async with server_process(Path(data), pids, **settings) as base, aiohttp.ClientSession() as http:
                owner = (await gql(http, base, LOGIN, {"n": "海报店主"}))["devLogin"]["accessToken"]
                shop = await gql(
                    http, base, 'mutation { createShop(input: {name: "海报小店"}) { shop { id } } }', {}, owner
                )
                product_input = {
                    "shopId": shop["createShop"]["shop"]["id"],
                    "title": "明前龙井 特级 250g 礼盒装",
                    "description": "",
                    "images": [fake_base + "/pic.jpg"],
                    "skus": [{"specs": [{"name": "规格", "value": "250g"}], "price": 12800, "stock": 100}],
                }
                made = await gql(
                    http,
                    base,
                    "mutation($in: CreateProductInput!) { createProduct(input: $in) { product { id } } }",
                    {"in": product_input},
                    owner,
                )
                product = made["createProduct"]["product"]["id"]
                tokens = []
                for i in range(args.sharers):
                    tokens.append((await gql(http, base, LOGIN, {"n": f"分享者{i:04d}"}))["devLogin"]["accessToken"])
                first: list[float] = []
                cpu_start = cpu_ms(pids[0])
                for token in tokens:
                    started = time.perf_counter()
                    got = await gql(http, base, CARD, {"t": product}, token)
                    first.append((time.perf_counter() - started) * 1000)
                    assert got["shareCard"]["errors"] == [], got
                first_cpu = cpu_ms(pids[0]) - cpu_start
                cached: list[float] = []
                cpu_start = cpu_ms(pids[0])
                for i in range(args.cached):
                    started = time.perf_counter()
                    got = await gql(http, base, CARD, {"t": product}, tokens[i % len(tokens)])
                    cached.append((time.perf_counter() - started) * 1000)
                cached_cpu = cpu_ms(pids[0]) - cpu_start
                async with http.get(base + got["shareCard"]["shareCard"]["posterUrl"]) as resp:
                    assert resp.status == 200 and resp.headers["Content-Type"] == "image/png"
                    size = len(await resp.read())
        code = "a local QR (segno)" if args.local_qr else f"WeChat's code ({len(fake.codes_made)} asked of the fake)"
        print(f"posters with {code}, {size} bytes each")
        report("shareCard(POSTER) first render", first, 150, first_cpu)
        report("shareCard(POSTER) cached", cached, 10, cached_cpu)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())

"""`server.py serve --workers 3` against the real services: live comments reach a viewer whatever worker they were
sent to, one idempotency key is one effect, a rate limit counts across workers, each worker's graph (or the shared
one) sees every follow, and a worker killed with SIGKILL is started again while the others keep serving.

Every request goes over a connection of its own, so the kernel spreads them over the workers (SO_REUSEPORT hashes
each connection's addresses): twelve requests all landing on one of three workers is a 1-in-177,147 event."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from store.ids import new_id

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
SPREAD = 12  # requests on fresh connections: with 3 workers they land on more than one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(self, base: str, process: subprocess.Popen[bytes], atomic: bool) -> None:
        self.base, self.process, self.atomic = base, process, atomic

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return sorted(int(p) for p in path.read_text().split())

    async def gql(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        """On a connection of its own."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            async with session.post(
                self.base + "/graphql", json={"query": query, "variables": variables}, headers=headers
            ) as resp:
                body: dict[str, Any] = await resp.json()
        assert "errors" not in body, body
        return body["data"]

    async def login(self, nickname: str) -> tuple[str, str]:
        data = await self.gql(
            "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken user { id } } }", n=nickname
        )
        return data["devLogin"]["accessToken"], data["devLogin"]["user"]["id"]


@pytest.fixture(params=["sqlite+redis", "mongo+redis+neo4j"])
async def server(
    request: pytest.FixtureRequest, tmp_path: Path, redis_url: str, mongo_url: str, neo4j_url: str
) -> AsyncIterator[Server]:
    port = free_port()
    env = {
        **os.environ,
        "DEV_LOGIN": "1",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
        "PROJECTOR_POLL_SECONDS": "0.2",
        "LIVE_TICK_SECONDS": "0.05",
    }
    if request.param == "mongo+redis+neo4j":
        env |= {"MONGO_URL": mongo_url, "MONGO_DB": f"workers_{new_id()}", "GRAPH_URL": neo4j_url}
    command = [sys.executable, str(ROOT / "server.py"), "serve", "--workers", str(WORKERS), "--port", str(port)]
    process = subprocess.Popen([*command, "--data-dir", str(tmp_path / "data")], env=env)  # noqa: ASYNC220
    server = Server(f"http://127.0.0.1:{port}", process, atomic=request.param == "sqlite+redis")
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(1800):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(server.base + "/healthz") as resp:
                        if resp.status == 200 and len(server.workers()) == WORKERS:
                            break
                assert process.poll() is None, "the master exited"
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the workers did not start")
        await asyncio.sleep(0.5)  # every worker is listening, not only the first to answer
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0


CREATE_ROOM = "mutation($in: CreateLiveRoomInput!) { createLiveRoom(input: $in) { room { id } errors { code } } }"
START = "mutation($r: ID!) { startLive(input: {roomId: $r}) { errors { code } } }"
COMMENT = "mutation($r: ID!, $b: String!) { sendLiveComment(input: {roomId: $r, body: $b}) { errors { code } } }"
SHOP = 'mutation { createShop(input: {name: "多进程店"}) { shop { id } } }'
PRODUCT = """mutation($in: CreateProductInput!) { createProduct(input: $in) {
  product { id skus { id } } errors { code } } }"""
ADJUST = "mutation($in: AdjustStockInput!) { adjustStock(input: $in) { sku { stock } errors { code } } }"
FOLLOW = "mutation($u: ID!) { follow(input: {userId: $u}) { errors { code } } }"
POST = 'mutation { createPost(input: {kind: NOTE, title: "多进程笔记", body: "好茶"}) { errors { code } } }'
FRIENDS = "{ feed(kind: FRIENDS, first: 10) { edges { node { __typename } } } }"


async def test_three_workers_behave_as_one_server(server: Server) -> None:
    host, _ = await server.login("多进程主播")
    shop = (await server.gql(SHOP, host))["createShop"]["shop"]["id"]
    made = await server.gql(
        PRODUCT,
        host,
        **{
            "in": {
                "shopId": shop,
                "title": "多进程商品",
                "description": "",
                "images": [],
                "skus": [{"specs": [{"name": "款", "value": "标准"}], "price": 100, "stock": 50}],
            }
        },
    )
    product, sku = made["createProduct"]["product"]["id"], made["createProduct"]["product"]["skus"][0]["id"]

    # live comments sent to any worker reach a viewer connected to one of them
    room = await server.gql(CREATE_ROOM, host, **{"in": {"title": "多进程直播", "productIds": [product]}})
    room_id = room["createLiveRoom"]["room"]["id"]
    assert (await server.gql(START, host, r=room_id))["startLive"]["errors"] == []
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.base + "/graphql", protocols=["graphql-transport-ws"])
        await ws.send_json({"type": "connection_init", "payload": {}})
        assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
        sub = "subscription($r: ID!) { liveComments(roomId: $r) { body } }"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"r": room_id}}})
        await asyncio.sleep(0.5)  # the room listens
        speakers = [await server.login(f"观众{i}") for i in range(SPREAD)]
        for i, (token, _) in enumerate(speakers):
            assert (await server.gql(COMMENT, token, r=room_id, b=f"第{i}条"))["sendLiveComment"]["errors"] == []
        heard = set()
        async with asyncio.timeout(10):
            while len(heard) < SPREAD:
                message = await ws.receive_json()
                assert message["type"] == "next", message
                heard.add(message["payload"]["data"]["liveComments"]["body"])
        assert heard == {f"第{i}条" for i in range(SPREAD)}
        await ws.close()

    # one idempotency key sent to every worker moves the stock once: all at once where the store's guarded updates
    # are atomic (SQLite here), one after another on FerretDB, whose findAndModify is not (see the contention tests)
    key = new_id()
    calls = [
        server.gql(ADJUST, host, **{"in": {"skuId": sku, "delta": -5, "idempotencyKey": key}}) for _ in range(SPREAD)
    ]
    answers = await asyncio.gather(*calls) if server.atomic else [await call for call in calls]
    assert {a["adjustStock"]["sku"]["stock"] for a in answers} == {45}

    # the projector: a friendship made on some workers is in the graph every worker reads
    author, author_id = await server.login("多进程作者")
    reader, reader_id = await server.login("多进程读者")
    assert (await server.gql(FOLLOW, reader, u=author_id))["follow"]["errors"] == []
    assert (await server.gql(FOLLOW, author, u=reader_id))["follow"]["errors"] == []
    assert (await server.gql(POST, author))["createPost"]["errors"] == []
    async with asyncio.timeout(60):
        seen_in_a_row = 0
        while seen_in_a_row < SPREAD:  # twelve fresh connections in a row see it: every worker's graph has it
            edges = (await server.gql(FRIENDS, reader))["feed"]["edges"]
            seen_in_a_row = seen_in_a_row + 1 if edges else 0
            if not edges:
                await asyncio.sleep(0.1)

    # a rate limit is one budget across the workers: PRODUCTS_PER_MINUTE (30) products a minute per user
    limited, _ = await server.login("限流店主")
    limited_shop = (await server.gql(SHOP, limited))["createShop"]["shop"]["id"]
    codes, began = [], time.monotonic()
    for i in range(36):
        skus = [{"specs": [{"name": "款", "value": "标准"}], "price": 100, "stock": 1}]
        product_input = {"shopId": limited_shop, "title": f"限流商品{i}", "description": "", "images": [], "skus": skus}
        made = await server.gql(PRODUCT, limited, **{"in": product_input})
        codes.append([e["code"] for e in made["createProduct"]["errors"]])
    assert all(c in ([], ["RATE_LIMITED"]) for c in codes), codes
    refilled = (time.monotonic() - began) * 30 / 60  # the bucket refills at 30 a minute meanwhile
    assert 30 <= sum(1 for c in codes if not c) <= 30 + refilled + 1  # one bucket per worker would allow all 36

    # a worker killed with SIGKILL is started again; the others serve meanwhile (connections waiting in the killed
    # one's queue at that instant are reset: SO_REUSEPORT's known cost, a client's retry goes to another)
    before = server.workers()
    os.kill(before[0], signal.SIGKILL)
    await changed(server, lambda pids: before[0] not in pids)
    for _ in range(SPREAD):
        await server.login("杀进程后")
    await changed(server, lambda pids: len(pids) == WORKERS)
    assert len(set(server.workers()) - set(before)) == 1


async def changed(server: Server, done: Any) -> None:
    async with asyncio.timeout(30):
        while not done(server.workers()):  # noqa: ASYNC110 - another process's children: nothing to wait on
            await asyncio.sleep(0.05)

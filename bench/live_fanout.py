"""Live room fan-out: many viewers of one room over graphql-transport-ws, against real server processes.

    .venv/bin/python bench/live_fanout.py [--viewers 5000] [--rate 10] [--seconds 20] [--clients 1]
                                          [--split-viewers 2000] [--split-seconds 5] [--batches]

1. One server process (embedded default), `--viewers` subscribers of `liveComments` in one room, opened by
   `--clients` separate client processes (aiohttp WebSocket clients); `--rate` comments a second from ten
   senders (the 1 comment/s per-user limit holds) for `--seconds`. Reported: frames delivered per second, latency
   from just before the sendLiveComment request to the frame's arrival at the viewer (p50/p99), and the server's
   peak RSS (VmHWM).
   With `--batches` the viewers subscribe to `liveCommentBatches` instead (every room of 200+ viewers is batched
   at LIVE_FRAMES_PER_SECOND, 10): frames and bytes per viewer a second are reported beside the comments.
2. Two server processes sharing Redis (started like the tests do, unless REDIS_URL is set), `--split-viewers`
   split between them, comments sent to one of them: every viewer must get every comment.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import yarl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, server_process  # noqa: E402

SUB = "subscription($r: ID!) { liveComments(roomId: $r) { body author { nickname } } }"
BATCH_SUB = "subscription($r: ID!) { liveCommentBatches(roomId: $r) { comments { body author { nickname } } } }"
SENDERS = 10
WARM_UP = ord("w")  # comments whose body starts with it are not timed


def raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- the client process ----------------------------------------------------------------------------------


async def viewer(
    session: aiohttp.ClientSession, url: str, room: str, opened: asyncio.Semaphore, out: Any, sub: str
) -> None:
    async with opened:
        ws = await session.ws_connect(url, protocols=["graphql-transport-ws"], max_msg_size=0)
        await ws.send_str('{"type":"connection_init","payload":{}}')
        await ws.receive()  # connection_ack
        await ws.send_str(
            orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"r": room}}}).decode()
        )
    out["subscribed"] += 1
    latencies = out["latencies"]
    async for msg in ws:
        now = time.time()
        message = orjson.loads(msg.data)
        if message["type"] != "next":
            break
        out["frames"] += 1
        out["bytes"] += len(msg.data)
        data = message["payload"]["data"]
        comments = data["liveCommentBatches"]["comments"] if "liveCommentBatches" in data else [data["liveComments"]]
        for comment in comments:
            if not comment["body"].startswith("w"):
                latencies.append(now - float(comment["body"]))
    await ws.close()


class RawViewer(asyncio.Protocol):
    """A viewer that parses its frames in data_received: no task and no await per message. The aiohttp client
    wakes a task for every message (about 26 us of client CPU a frame here), which made the client, not the
    server, the limit of this benchmark. Client frames are masked with a zero key (RFC 6455 allows any key)."""

    def __init__(
        self, host: str, path: str, room: str, out: dict[str, Any], done: asyncio.Future[None], sub: str
    ) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
        ).encode()
        self.subscribe = orjson.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"r": room}}}
        )
        self.out, self.done = out, done
        self.buffer = bytearray()
        self.upgraded = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def send(self, data: bytes) -> None:
        header = bytes((0x81, 0x80 | len(data))) if len(data) < 126 else struct.pack("!BBH", 0x81, 0xFE, len(data))
        self.transport.write(header + b"\0\0\0\0" + data)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            assert buffer.startswith(b"HTTP/1.1 101"), bytes(buffer[:100])
            del buffer[: end + 4]
            self.upgraded = True
            self.send(b'{"type":"connection_init","payload":{}}')
        pos, size = 0, len(buffer)
        latencies = self.out["latencies"]
        while size - pos >= 2:
            length, start = buffer[pos + 1] & 0x7F, pos + 2
            if length == 126:
                if size - pos < 4:
                    break
                length, start = struct.unpack_from("!H", buffer, pos + 2)[0], pos + 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, start = struct.unpack_from("!Q", buffer, pos + 2)[0], pos + 10
            if size < start + length:
                break
            pos = start + length
            body = buffer.find(b'"body":"', start, pos)  # a comment: its body is the time it was sent
            if body >= 0:
                self.out["frames"] += 1
                self.out["bytes"] += pos - start
                while body >= 0:  # a batch carries several
                    end = buffer.find(b'"', body + 8, pos)
                    if buffer[body + 8] != WARM_UP:
                        latencies.append(now - float(buffer[body + 8 : end]))
                    body = buffer.find(b'"body":"', end, pos)
                continue
            kind = orjson.loads(bytes(buffer[start:pos])).get("type")
            if kind == "connection_ack":
                self.send(self.subscribe)
                self.out["subscribed"] += 1
            elif kind in ("complete", "error"):
                self.transport.close()
        del buffer[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def raw_viewers(args: argparse.Namespace, out: dict[str, Any]) -> list[asyncio.Future[None]]:
    url = yarl.URL(args.url)
    loop = asyncio.get_running_loop()
    dones = []
    for _ in range(args.viewers):
        done = loop.create_future()
        await loop.create_connection(
            lambda done=done: RawViewer(f"{url.host}:{url.port}", url.path, args.room, out, done, args.sub),
            url.host,
            url.port,
        )
        dones.append(done)
    return dones


async def client_main(args: argparse.Namespace) -> None:
    raise_fd_limit()
    args.sub = BATCH_SUB if args.batches else SUB
    out: dict[str, Any] = {"subscribed": 0, "latencies": [], "frames": 0, "bytes": 0}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        if args.client == "raw":
            waits: list[Any] = await raw_viewers(args, out)
        else:
            opened = asyncio.Semaphore(100)
            waits = [
                asyncio.create_task(viewer(session, args.url, args.room, opened, out, args.sub))
                for _ in range(args.viewers)
            ]
        while out["subscribed"] < args.viewers:  # noqa: ASYNC110 - counted by protocol callbacks
            await asyncio.sleep(0.05)
        gc.freeze()  # what the viewers hold stays; no collection pauses while timing
        print("ready", flush=True)
        await asyncio.gather(*waits)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    latencies = out["latencies"]
    print(
        json.dumps(
            {
                "comments": len(latencies),
                "frames": out["frames"],
                "bytes": out["bytes"],
                "p50": percentile(latencies, 50) * 1000 if latencies else None,
                "p99": percentile(latencies, 99) * 1000 if latencies else None,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "latencies_ms": [round(x * 1000, 2) for x in latencies[:: max(1, len(latencies) // 20000)]],
            }
        ),
        flush=True,
    )


# -- the benchmark ---------------------------------------------------------------------------------------


async def gql(session: aiohttp.ClientSession, base: str, query: str, token: str | None = None, **variables: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(base + "/graphql", json={"query": query, "variables": variables}, headers=headers) as r:
        body = await r.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def login(session: aiohttp.ClientSession, base: str, nickname: str) -> str:
    got = await gql(
        session, base, "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken } }", n=nickname
    )
    return str(got["accessToken"])


async def open_room(session: aiohttp.ClientSession, base: str, rate: float) -> tuple[str, list[str], str]:
    """A live room, its host, and enough senders for `rate` comments a second within the per-user limit."""
    host = await login(session, base, "压测主播")
    senders = [await login(session, base, f"压测观众{i}") for i in range(max(SENDERS, math.ceil(rate)))]
    created = await gql(
        session, base, 'mutation { createLiveRoom(input: {title: "压测直播间"}) { room { id } } }', host
    )
    room = created["room"]["id"]
    await gql(session, base, "mutation($r: ID!) { startLive(input: {roomId: $r}) { room { id } } }", host, r=room)
    return room, senders, host


def spawn_clients(
    urls: list[str], room: str, viewers: int, clients: int, client: str, batches: bool = False
) -> list[subprocess.Popen[str]]:
    procs = []
    for i in range(clients):
        count = viewers // clients + (1 if i < viewers % clients else 0)
        url = urls[i % len(urls)]
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--role",
                    "client",
                    "--client",
                    client,
                    "--url",
                    url,
                    "--room",
                    room,
                    "--viewers",
                    str(count),
                    *(["--batches"] if batches else []),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    return procs


async def wait_ready(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        assert proc.stdout is not None
        line = await asyncio.to_thread(proc.stdout.readline)
        assert line.strip() == "ready", line


async def wait_viewers(session: aiohttp.ClientSession, base: str, room: str, viewers: int) -> None:
    for _ in range(600):
        got = await gql(session, base, "query($r: ID!) { liveRoom(id: $r) { viewerCount } }", r=room)
        if got["viewerCount"] >= viewers:
            return
        await asyncio.sleep(0.1)
    raise SystemExit(f"only {got['viewerCount']} of {viewers} viewers counted")


async def send_comments(
    session: aiohttp.ClientSession,
    base: str,
    room: str,
    senders: list[str],
    rate: float,
    seconds: float,
    warm_up: bool = False,
) -> int:
    """`rate` comments a second for `seconds`, each carrying the time it was sent (warm-up ones marked)."""
    query = "mutation($r: ID!, $b: String!) { sendLiveComment(input: {roomId: $r, body: $b}) { errors { code } } }"
    count = int(rate * seconds)
    start = time.perf_counter()
    for i in range(count):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        body = f"{'w' if warm_up else ''}{time.time():.6f}"
        sent = await gql(session, base, query, senders[i % len(senders)], r=room, b=body)
        assert sent["errors"] == [], sent
    return count


@contextlib.contextmanager
def stopped_at_exit(procs: list[subprocess.Popen[str]]) -> Any:
    """Client processes still running when the benchmark leaves (it failed) are killed, so the server can stop."""
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


async def results(procs: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    out = []
    for proc in procs:
        stdout, _ = await asyncio.to_thread(proc.communicate)
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


async def one_process(args: argparse.Namespace, tmp: Path) -> None:
    pids: list[int] = []
    async with contextlib.AsyncExitStack() as stack:
        base = await stack.enter_async_context(server_process(tmp / "one", pids))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        room, senders, host = await open_room(session, base, args.rate)
        procs = stack.enter_context(
            stopped_at_exit(
                spawn_clients([base + "/graphql"], room, args.viewers, args.clients, args.client, args.batches)
            )
        )
        await wait_ready(procs)
        await wait_viewers(session, base, room, args.viewers)
        await send_comments(session, base, room, senders, args.rate, 2, warm_up=True)  # not timed, not counted
        t0, cpu0 = time.perf_counter(), cpu_seconds(pids[0])
        count = await send_comments(session, base, room, senders, args.rate, args.seconds)
        elapsed = time.perf_counter() - t0
        server_cpu = cpu_seconds(pids[0]) - cpu0
        await asyncio.sleep(1)
        await gql(session, base, "mutation($r: ID!) { endLive(input: {roomId: $r}) { room { id } } }", host, r=room)
        got = await results(procs)
        rss = peak_rss_mb(pids[0])
    comments = sum(g["comments"] for g in got)
    frames, sent_bytes = sum(g["frames"] for g in got), sum(g["bytes"] for g in got)
    latencies = [x for g in got for x in g["latencies_ms"]]
    field = "liveCommentBatches" if args.batches else "liveComments"
    print(
        "(after 2 s of untimed warm-up comments) "
        f"one process, {args.viewers} viewers of {field} ({args.client} clients), {count} comments at {args.rate}/s: "
        f"{comments}/{count * args.viewers} comments delivered in {frames:,} frames (with warm-up), "
        f"{frames / args.viewers / (elapsed + 2):.1f} frames and {sent_bytes / args.viewers / (elapsed + 2):,.0f} "
        f"bytes a second per viewer, {comments / elapsed:,.0f} comments/s delivered, "
        f"latency p50={percentile(latencies, 50):.1f}ms p99={percentile(latencies, 99):.1f}ms, "
        f"server peak RSS {rss:.0f} MB, server CPU {server_cpu / elapsed:.0%} of a core while sending, "
        f"client CPU {sum(g['cpu_s'] for g in got):.1f}s"
    )


async def two_processes(args: argparse.Namespace, tmp: Path, redis_url: str) -> None:
    async with contextlib.AsyncExitStack() as stack:
        a = await stack.enter_async_context(server_process(tmp / "two", REDIS_URL=redis_url))
        b = await stack.enter_async_context(server_process(tmp / "two", REDIS_URL=redis_url))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        room, senders, host = await open_room(session, a, args.rate)
        urls = [a + "/graphql", b + "/graphql"]
        procs = stack.enter_context(stopped_at_exit(spawn_clients(urls, room, args.split_viewers, 2, args.client)))
        await wait_ready(procs)
        await wait_viewers(session, b, room, args.split_viewers)
        count = await send_comments(session, a, room, senders, args.rate, args.split_seconds)
        await asyncio.sleep(1)
        await gql(session, a, "mutation($r: ID!) { endLive(input: {roomId: $r}) { room { id } } }", host, r=room)
        got = await results(procs)
    frames = sum(g["comments"] for g in got)
    latencies = [x for g in got for x in g["latencies_ms"]]
    verdict = "every viewer got every comment" if frames == count * args.split_viewers else "FRAMES MISSING"
    print(
        f"two processes via Redis, {args.split_viewers} viewers split between them, {count} comments sent to one: "
        f"{frames}/{count * args.split_viewers} frames ({verdict}), "
        f"latency p50={percentile(latencies, 50):.1f}ms p99={percentile(latencies, 99):.1f}ms"
    )


async def main(args: argparse.Namespace) -> None:
    raise_fd_limit()
    with tempfile.TemporaryDirectory() as tmp:
        await one_process(args, Path(tmp))
        if args.split_viewers:
            from tests.services import ServiceManager

            manager = ServiceManager()
            try:
                redis_url = os.environ.get("REDIS_URL") or manager.url("redis")
                await two_processes(args, Path(tmp), redis_url)
            finally:
                manager.stop_all()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--role", default="bench", choices=["bench", "client"])
    p.add_argument("--url", default="")
    p.add_argument("--room", default="")
    p.add_argument("--viewers", type=int, default=5000)
    p.add_argument("--rate", type=float, default=10.0)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--client", default="raw", choices=["raw", "aiohttp"], help="how the client processes read")
    p.add_argument("--split-viewers", type=int, default=2000)
    p.add_argument("--split-seconds", type=float, default=5.0)
    p.add_argument("--batches", action="store_true", help="subscribe to liveCommentBatches")
    parsed = p.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(client_main(parsed) if parsed.role == "client" else main(parsed))

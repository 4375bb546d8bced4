"""The WebSocket sessions of this process and the logins revoked anywhere (DESIGN.md §5-6).

- Sockets are capped per client: a signed-in user ("u:<id>"), or a remote address for anonymous ones ("a:<addr>").
  With Redis the cap holds across processes (`RedisSocketCounts`: a sorted set of the client's sockets with
  expiries each process refreshes, so a process that died stops counting); without it, in this process.
- A revoked login (refresh-token family) is announced on the bus (REVOKED_TOPIC); every process closes that login's
  sockets with 4403 and refuses its access tokens until they would have expired anyway. The bus makes that
  prompt; the store makes it sure: each process loads the recent revocations at start and again every few seconds
  (`reload_seconds`), so a process that starts later catches up; one whose bus reconnected (a `resync` envelope:
  it may have missed a message while Redis was down) reloads them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

from subscriptions.fanout import BusClosed, SlowConsumer

log = logging.getLogger(__name__)

REVOKED_TOPIC = "auth:revoked"
FORBIDDEN_CODE = 4403  # the token expired, its login was revoked, or its user does not exist
TOO_MANY_SOCKETS_CODE = 4429  # the client holds as many sockets as it may (graphql-ws clients do not retry it)

Close = Callable[[int, str], Coroutine[Any, Any, Any]]
Revocations = Callable[[], Awaitable[list[tuple[str, float]]]]  # (family, revoked at) of the recent revocations


def user_client(user_id: str) -> str:
    return f"u:{user_id}"


def address_client(address: str) -> str:
    return f"a:{address}"


@dataclass(eq=False)
class Session:
    """One acknowledged WebSocket: who it counts against, the login and expiry of its token, how to close it."""

    id: str
    client: str
    family: str | None
    expires_at: float | None  # seconds since the epoch; None for an anonymous socket
    close: Close
    closing: bool = field(default=False)

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


class SocketCounts:
    """Sockets per client in this process only (the embedded default runs one process)."""

    async def acquire(self, client: str, socket_id: str, cap: int, held: int) -> bool:
        return held < cap

    async def release(self, client: str, socket_id: str) -> None:
        return None

    async def refresh(self, sockets: list[tuple[str, str]]) -> None:
        return None


# KEYS[1]: the client's sorted set of socket ids -> expiry (ms). ARGV: now, expiry, cap, socket id.
ACQUIRE_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) - tonumber(ARGV[1]))
return 1
"""


class RedisSocketCounts(SocketCounts):
    """Sockets per client across processes: each socket is a member of its client's sorted set, its expiry
    refreshed by its process every `ttl_ms / 3`; a socket of a process that died stops counting at its expiry."""

    def __init__(self, redis: Any, ttl_ms: int = 30_000, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.ttl_ms = ttl_ms
        self.clock = clock
        self.script = redis.register_script(ACQUIRE_SCRIPT)

    @staticmethod
    def key(client: str) -> str:
        return f"yxg:ws:{{{client}}}"

    async def acquire(self, client: str, socket_id: str, cap: int, held: int) -> bool:
        now = int(self.clock() * 1000)
        try:
            return bool(await self.script(keys=[self.key(client)], args=[now, now + self.ttl_ms, cap, socket_id]))
        except Exception:  # Redis unreachable: this process's own count still holds
            log.warning("socket caps: Redis failed; counting this process only", exc_info=True)
            return held < cap

    async def release(self, client: str, socket_id: str) -> None:
        with contextlib.suppress(Exception):
            await self.redis.zrem(self.key(client), socket_id)

    async def refresh(self, sockets: list[tuple[str, str]]) -> None:
        expires = int(self.clock() * 1000) + self.ttl_ms
        async with self.redis.pipeline(transaction=False) as pipe:
            for client, socket_id in sockets:
                pipe.zadd(self.key(client), {socket_id: expires}, xx=True)
                pipe.pexpire(self.key(client), self.ttl_ms)
            await pipe.execute()


class Sessions:
    def __init__(
        self,
        bus: Any,
        *,
        per_user: int,
        per_address: int,
        token_seconds: float,
        counts: SocketCounts | None = None,
        process_id: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bus = bus
        self.counts = counts or SocketCounts()
        self.process_id = process_id
        self._opened = 0
        self.per_user = per_user
        self.per_address = per_address
        self.token_seconds = token_seconds  # the longest an access token lives: how long a revocation is kept
        self.clock = clock
        self.by_client: dict[str, set[Session]] = {}
        self.by_family: dict[str, set[Session]] = {}
        self._revoked: dict[str, float] = {}  # family -> until when its access tokens are refused
        self._reader: asyncio.Task[None] | None = None
        self._reloader: asyncio.Task[None] | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    def open_count(self) -> int:
        """WebSockets open here (past their connection_init)."""
        return sum(len(sessions) for sessions in self.by_client.values())

    # -- lifecycle

    async def start(self, load: Revocations, reload_seconds: float) -> None:
        self.remember(await load())
        self._reader = asyncio.create_task(self._read_forever(load), name="revoked-logins")
        self._reloader = asyncio.create_task(self._reload_forever(load, reload_seconds), name="revoked-reload")
        self._refresher = asyncio.create_task(self._refresh_forever(), name="socket-counts")
        async with asyncio.timeout(10):
            await self._listening.wait()

    async def stop(self) -> None:
        for task in (self._reader, self._reloader, self._refresher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # -- sockets

    async def open(self, client: str, family: str | None, expires_at: float | None, close: Close) -> Session | None:
        """Register a socket; None when its client already holds as many as it may."""
        cap = self.per_user if client.startswith("u:") else self.per_address
        self._opened += 1
        session = Session(f"{self.process_id}:{self._opened}", client, family, expires_at, close)
        held = len(self.by_client.get(client, ()))
        if held >= cap or not await self.counts.acquire(client, session.id, cap, held):
            return None
        self.by_client.setdefault(client, set()).add(session)
        if family is not None:
            self.by_family.setdefault(family, set()).add(session)
        return session

    async def release(self, session: Session) -> None:
        if session in self.by_client.get(session.client, ()):
            await self.counts.release(session.client, session.id)
        for index, key in ((self.by_client, session.client), (self.by_family, session.family)):
            if key is None:
                continue
            held = index.get(key)
            if held is not None:
                held.discard(session)
                if not held:
                    del index[key]

    # -- revoked logins

    def is_revoked(self, family: str | None) -> bool:
        if family is None:
            return False
        until = self._revoked.get(family)
        if until is None:
            return False
        if until <= self.clock():
            del self._revoked[family]
            return False
        return True

    def remember(self, revoked: Iterable[tuple[str, float]]) -> None:
        """Revocations learnt from the store: (family, revoked at, in seconds since the epoch)."""
        for family, at in revoked:
            self._revoked[family] = max(self._revoked.get(family, 0.0), at + self.token_seconds)

    async def revoke(self, family: str) -> None:
        """This process refuses the login at once; the bus tells every process (this one included)."""
        self._revoke_here(family, self.clock())
        await self.bus.publish(REVOKED_TOPIC, {"family": family, "at": self.clock()})

    def _revoke_here(self, family: str, at: float) -> None:
        self.remember([(family, at)])
        for session in list(self.by_family.get(family, ())):
            self._close(session, "This login was revoked; sign in again")
        self._prune()

    def _close(self, session: Session, reason: str) -> None:
        if session.closing:
            return
        session.closing = True
        task: asyncio.Task[Any] = asyncio.create_task(session.close(FORBIDDEN_CODE, reason))
        task.add_done_callback(_ignore_result)

    def _prune(self) -> None:
        now = self.clock()
        for family in [f for f, until in self._revoked.items() if until <= now]:
            del self._revoked[family]

    async def _refresh_forever(self, every: float = 10.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.counts.refresh([(s.client, s.id) for held in self.by_client.values() for s in held])
            except Exception:
                log.exception("socket caps: refreshing this process's sockets failed")

    async def _reload_forever(self, load: Revocations, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self._reload(load)

    async def _reload(self, load: Revocations) -> None:
        try:
            for family, at in await load():
                if not self.is_revoked(family):
                    self._revoke_here(family, at)
        except Exception:
            log.exception("revoked logins: reloading from the store failed")

    async def _read_forever(self, load: Revocations) -> None:
        while True:
            try:
                async with self.bus.subscribe(REVOKED_TOPIC) as events:
                    self._listening.set()
                    async for envelope in events:
                        if envelope.resync:  # the bus reconnected and may have missed one: the store knows
                            await self._reload(load)
                            continue
                        event = envelope.data
                        family, at = event.get("family"), event.get("at")
                        if isinstance(family, str) and isinstance(at, int | float):
                            self._revoke_here(family, float(at))
            except asyncio.CancelledError:
                raise
            except BusClosed:
                return
            except SlowConsumer:
                log.warning("revoked logins: fell behind the bus; resubscribing")
            except Exception:
                log.exception("revoked logins: reading the bus failed; resubscribing")
                await asyncio.sleep(1.0)


def _ignore_result(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()  # a socket that was already gone: nothing to do

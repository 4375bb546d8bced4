"""What every use case works with: settings, the three backends, and the projector to nudge after a write."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backends import Backends
from graph.projector import Projector
from integrations.media import MediaStore
from integrations.wechat_codes import WechatCodes
from integrations.wechat_login import WechatLogin
from integrations.wechat_pay import WechatPayClient
from integrations.wechat_shipping import WechatShipping
from resolvers.ratelimit import Limiter, MemoryLimiter
from resolvers.seckill_local import SeckillLocal
from settings import Settings
from store.ids import new_id
from store.protocol import DocumentStore


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


@dataclass
class Services:
    settings: Settings
    backends: Backends
    projector: Projector
    wechat: WechatLogin | None = None
    wechat_pay: WechatPayClient | None = None
    media: MediaStore | None = None
    # WeChat's mini-program shipping information (with WECHAT_APP_ID and WECHAT_APP_SECRET), set by the app.
    wechat_shipping: WechatShipping | None = None
    # WeChat's mini-program codes for share posters (with WECHAT_APP_ID and WECHAT_APP_SECRET), set by the app.
    wechat_codes: WechatCodes | None = None
    # The app's HTTP client session (share posters read product pictures from POSTER_IMAGE_HOSTS), set by the app.
    http: Any = None
    limiter: Limiter = field(default_factory=MemoryLimiter)
    # The live rooms' fan-out and like/viewer bookkeeping (subscriptions.live.LiveHub), set by the app.
    live: Any = None
    # This process's WebSocket sessions and the revoked logins (subscriptions.sessions.Sessions), set by the app.
    sessions: Any = None
    # Users that a token named and that existed lately: user id -> until when (monotonic seconds); resolvers/auth.py.
    known_users: dict[str, float] = field(default_factory=dict)
    # Access tokens whose signature was checked: token -> its claims (its expiry is checked at each use); auth.py.
    verified_tokens: dict[str, Any] = field(default_factory=dict)
    # Prometheus metrics of this app (observability/metrics.Metrics), set by the app.
    metrics: Any = None
    # Seckill sold-out flags and campaigns read lately, in this process (resolvers/seckill_local.py).
    seckill: SeckillLocal = field(default_factory=SeckillLocal)
    # The event stream's buffered writer (resolvers/events.EventWriter), set by the app; None records nothing.
    events: Any = None
    # Milliseconds since the epoch; tests replace it to move time instead of sleeping.
    clock: Callable[[], int] = field(default=now_ms)
    # Work a request started and does not wait for (a data export being written); cancelled when the app stops.
    background: set[asyncio.Task[Any]] = field(default_factory=set)

    def now(self) -> int:
        return self.clock()

    @property
    def store(self) -> DocumentStore:
        return self.backends.store

    @property
    def redis(self) -> Any | None:
        """The Redis client of the Redis bus (one connection per process), or None without Redis."""
        bus = self.backends.bus
        return getattr(bus, "redis", None) if bus.kind == "redis" else None

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run `work` after the request that asked for it; held here so it is neither collected nor forgotten."""
        task = asyncio.create_task(work, name=name)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    async def stop_background(self) -> None:
        for task in list(self.background):
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)

    async def emit(self, kind: str, **data: Any) -> None:
        """Append an outbox event for the graph projection and wake the projector."""
        await self.store.insert("outbox", {"_id": new_id(), "kind": kind, "done": False, "at": self.now(), **data})
        self.projector.nudge()

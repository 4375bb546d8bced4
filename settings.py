"""Typed settings from the environment (and CLI flags, which override it). URLs pick the backends."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    HOST: str = "127.0.0.1"
    PORT: int = Field(8000, ge=0, le=65535)
    DATA_DIR: Path = Path("./data")
    # Empty means the embedded default: SQLite under DATA_DIR, an in-memory graph, an in-process bus.
    MONGO_URL: str = ""
    MONGO_DB: str = "youxianggou"
    GRAPH_URL: str = ""
    REDIS_URL: str = ""
    SECRET_KEY: str = ""
    DEV_LOGIN: bool = False
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    ACCESS_TOKEN_MINUTES: int = Field(15, ge=1, le=24 * 60)
    REFRESH_TOKEN_DAYS: int = Field(30, ge=1, le=365)
    # WeChat mini-program login (code2Session). The base URL is a setting so tests can point it at a local fake.
    WECHAT_API_BASE: str = "https://api.weixin.qq.com"
    WECHAT_APP_ID: str = ""
    WECHAT_APP_SECRET: str = ""
    # Orders: unpaid ones are cancelled (their stock returned) this long after they were placed.
    ORDER_PAY_MINUTES: float = Field(15.0, gt=0, le=24 * 60)
    # How often the commerce sweeps run (unpaid orders, team closing, bargain expiry, refund retries); 0: never.
    SWEEP_SECONDS: float = Field(5.0, ge=0)
    # Bargains: helps one user may give per day; how much larger a cut is from a user the bargain's share link
    # brought in; the points its owner earns for each such new user.
    BARGAIN_DAILY_HELPS: int = Field(10, ge=1)
    BARGAIN_NEW_USER_FACTOR: float = Field(2.0, ge=1.0, le=5.0)
    INVITE_POINTS: int = Field(10, ge=0)
    # WeChat Pay (API v3, public-key mode). Configured when WECHAT_PAY_MCH_ID is set; the app id is WECHAT_APP_ID.
    # Keys are PEM text or paths to PEM files. The notify URL is where WeChat Pay POSTs: .../webhooks/wechatpay.
    WECHAT_PAY_API_BASE: str = "https://api.mch.weixin.qq.com"
    WECHAT_PAY_MCH_ID: str = ""
    WECHAT_PAY_PRIVATE_KEY: str = ""
    WECHAT_PAY_CERT_SERIAL_NO: str = ""
    WECHAT_PAY_APIV3_KEY: str = ""
    WECHAT_PAY_PUBLIC_KEY: str = ""
    WECHAT_PAY_PUBLIC_KEY_ID: str = ""
    WECHAT_PAY_NOTIFY_URL: str = ""
    # Content: words that hold a post for moderation (comma-separated, added to a small built-in list), and the
    # follower count above which an author's posts are merged into feeds at read time instead of fanned out.
    BANNED_WORDS: str = ""
    FANOUT_THRESHOLD: int = Field(1000, ge=0)
    # How often the influence job recomputes scores (seconds); 0 turns the periodic run off.
    INFLUENCE_REFRESH_SECONDS: float = Field(3600.0, ge=0)
    # How often the outbox projector looks for work it was not woken up for (other processes' writes).
    PROJECTOR_POLL_SECONDS: float = Field(1.0, gt=0)
    # Per-subscriber queue bound: a viewer further behind than this is disconnected.
    SUBSCRIBER_QUEUE_SIZE: int = Field(1000, ge=1)
    # Live rooms: comments per second per user and the burst allowed on top (across processes with Redis); how
    # often likes are written and viewer counts published; how many bytes a viewer's socket may fall behind
    # before it is disconnected (close code 4008) instead of growing memory.
    LIVE_COMMENTS_PER_SECOND: float = Field(1.0, gt=0)
    LIVE_COMMENT_BURST: int = Field(3, ge=1)
    LIVE_TICK_SECONDS: float = Field(1.0, gt=0)
    LIVE_VIEWER_BUFFER_BYTES: int = Field(256 * 1024, ge=1024)
    # The kernel send buffer of a live viewer's socket (SO_SNDBUF); 0 leaves it to the kernel's autotuning, which
    # may hold megabytes per socket before a slow viewer shows in LIVE_VIEWER_BUFFER_BYTES.
    LIVE_SOCKET_SEND_BUFFER: int = Field(0, ge=0)
    # WebSocket caps. Operations in flight per socket, and subscriptions to one topic (a live room, an order, a
    # team) per socket: over either, the subscription gets an `error` TOO_MANY_SUBSCRIPTIONS. Sockets per signed-in
    # user and per remote address (anonymous sockets) in one process: over either, the socket is closed with 4429.
    WS_MAX_SUBSCRIPTIONS: int = Field(20, ge=1, le=1000)
    WS_MAX_SUBSCRIPTIONS_PER_TOPIC: int = Field(2, ge=1, le=100)
    WS_MAX_SOCKETS_PER_USER: int = Field(10, ge=1, le=1000)
    WS_MAX_SOCKETS_PER_ADDRESS: int = Field(50, ge=1, le=1_000_000)
    # Seconds a socket may stay open before its connection_init (it counts against no cap until then): 4408 after.
    WS_INIT_TIMEOUT_SECONDS: float = Field(10.0, gt=0, le=60)
    # How many anonymous viewers one remote address counts for in a room's viewerCount (signed-in users count once
    # each, whatever their sockets); 0 leaves anonymous viewers out of the count.
    LIVE_ANONYMOUS_VIEWERS_PER_ADDRESS: int = Field(3, ge=0, le=1_000_000)
    # The client address is the TCP peer's unless this is set: then it is the last X-Forwarded-For entry (set it only
    # behind a proxy that appends the address it saw; anyone can send the header otherwise).
    TRUST_FORWARDED_FOR: bool = False
    # How often each process reloads the logins revoked within an access token's life from the store (the bus
    # announces them at once; this catches what a process missed while its Redis connection was down).
    REVOKED_LOGINS_RELOAD_SECONDS: float = Field(30.0, gt=0, le=3600)

    _dev_key: str | None = PrivateAttr(default=None)

    @property
    def dev_mode(self) -> bool:
        return self.DEV_LOGIN

    @model_validator(mode="after")
    def _secret_key_outside_dev(self) -> Settings:
        if not self.SECRET_KEY and not self.dev_mode:
            raise ValueError("SECRET_KEY is required unless DEV_LOGIN=1 (dev mode)")
        return self

    def secret_key(self) -> str:
        """SECRET_KEY, or in dev mode a key generated once and kept in DATA_DIR."""
        if self.SECRET_KEY:
            return self.SECRET_KEY
        if self._dev_key is not None:
            return self._dev_key
        path = self.DATA_DIR / "dev-secret-key"
        if not path.exists():
            self.DATA_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self._dev_key = path.read_text().strip()
        return self._dev_key


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit (flag) values taking precedence; None means 'not given'."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)

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
    # Request bodies: a plain (JSON) request is at most REQUEST_MAX_BYTES; the files of a GraphQL multipart upload
    # at most UPLOAD_MAX_BYTES together, streamed to DATA_DIR/uploads as they arrive (413 PAYLOAD_TOO_LARGE past it).
    REQUEST_MAX_BYTES: int = Field(1024 * 1024, ge=16 * 1024, le=64 * 1024 * 1024)
    UPLOAD_MAX_BYTES: int = Field(100 * 1024 * 1024, ge=1024 * 1024, le=4 * 1024 * 1024 * 1024)
    # Empty means the embedded default: SQLite under DATA_DIR, an in-memory graph, an in-process bus.
    MONGO_URL: str = ""
    MONGO_DB: str = "youxianggou"
    GRAPH_URL: str = ""
    REDIS_URL: str = ""
    SECRET_KEY: str = ""
    DEV_LOGIN: bool = False
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # GraphiQL at /graphql for browsers, and schema introspection (__schema, __type); unset: on in dev mode only.
    GRAPHIQL: bool | None = None
    INTROSPECTION: bool | None = None
    # Trusted documents (trusted_documents.py): manifests {"sha256:<hex>": document} written by a client's build,
    # comma-separated paths; requests may name their document by {"documentId": "sha256:..."}. Unset: the SDK's own
    # manifest (clients/sdk/src/gql/persisted-documents.json) when it is there. TRUSTED_DOCUMENTS_ONLY (production):
    # any other document is refused (PERSISTED_DOCUMENT_REQUIRED) before it is parsed.
    TRUSTED_DOCUMENTS: str | None = None
    TRUSTED_DOCUMENTS_ONLY: bool = False
    # Public queries over GET (schema/public_fields.py) are answered from a response cache of at most this many
    # bytes (0: no cache), each answer at most RESPONSE_CACHE_MAX_AGE seconds old (also its Cache-Control max-age);
    # any write to a collection an answer read drops it within a tick, in every process (response_cache.py).
    RESPONSE_CACHE_MAX_BYTES: int = Field(64 * 1024 * 1024, ge=0)
    RESPONSE_CACHE_MAX_AGE: int = Field(10, ge=1, le=3600)
    # The built H5 shop, console and GraphiQL (`make web`: clients/web's Vite build), served at / and /graphql.
    WEB_DIST: Path = Path(__file__).parent / "clients" / "web" / "dist"
    # Query cost budget of one request (each field 1, times the `first` of every list field above it; a missing
    # `first` counts as the default page), for anonymous and for signed-in callers: QUERY_TOO_COSTLY past it.
    QUERY_COST_ANONYMOUS: int = Field(5_000, ge=1)
    QUERY_COST_SIGNED_IN: int = Field(20_000, ge=1)
    # Selections (fields and fragment spreads) in one document, counted before validation: QUERY_TOO_LARGE past it.
    QUERY_MAX_SELECTIONS: int = Field(200, ge=1, le=10_000)
    # How long validating a document not seen before may take (off the event loop): QUERY_TOO_COMPLEX past it.
    QUERY_VALIDATION_SECONDS: float = Field(2.0, gt=0, le=60)
    ACCESS_TOKEN_MINUTES: int = Field(15, ge=1, le=24 * 60)
    REFRESH_TOKEN_DAYS: int = Field(30, ge=1, le=365)
    # WeChat mini-program login (code2Session). The base URL is a setting so tests can point it at a local fake.
    WECHAT_API_BASE: str = "https://api.weixin.qq.com"
    WECHAT_APP_ID: str = ""
    WECHAT_APP_SECRET: str = ""
    # Orders: unpaid ones are cancelled (their stock returned) this long after they were placed.
    ORDER_PAY_MINUTES: float = Field(15.0, gt=0, le=24 * 60)
    # Unpaid holds of one buyer (refused with TOO_MANY_UNPAID): orders waiting for payment at once, units of one SKU
    # over them, group-buy seats; an order of more than LARGE_ORDER_UNITS units is paid within LARGE_ORDER_PAY_MINUTES.
    UNPAID_ORDERS_MAX: int = Field(5, ge=1, le=10_000)
    UNPAID_SKU_UNITS_MAX: int = Field(200, ge=1, le=1_000_000)
    UNPAID_TEAM_SEATS_MAX: int = Field(3, ge=1, le=10_000)
    LARGE_ORDER_UNITS: int = Field(50, ge=1, le=1_000_000)
    LARGE_ORDER_PAY_MINUTES: float = Field(5.0, gt=0, le=24 * 60)
    # Seckill (resolvers/seckill.py): an unpaid seckill order gives its unit back after SECKILL_PAY_MINUTES; a user
    # makes at most SECKILL_ATTEMPTS_PER_SECOND attempts a second that could take a unit (a sold-out answer is not
    # counted); seckillStock pushes at most once a tick.
    SECKILL_PAY_MINUTES: float = Field(5.0, gt=0, le=24 * 60)
    SECKILL_ATTEMPTS_PER_SECOND: int = Field(5, ge=1, le=1000)
    SECKILL_TICK_SECONDS: float = Field(0.5, gt=0, le=60)
    # The most an order may total, in fen (refused before any stock is taken); at most what WeChat Pay's int holds.
    ORDER_MAX_TOTAL: int = Field(100_000_000, ge=1, le=2**31 - 1)
    # Points pay part of an order (domain/pricing.py's points step): this many points make 1 yuan (a multiple of 100:
    # whole points per fen), up to this share of what the order costs before points.
    POINTS_PER_YUAN: int = Field(100, ge=100, le=100_000, multiple_of=100)
    POINTS_MAX_SHARE: float = Field(0.5, ge=0, le=1)
    # The order desk: how long a staff invite code may be accepted, and how long a signed CSV export URL works.
    STAFF_INVITE_HOURS: float = Field(72.0, gt=0, le=30 * 24)
    EXPORT_URL_MINUTES: float = Field(10.0, gt=0, le=24 * 60)
    # Times a refund WeChat Pay could not take (down, busy) is asked for, with a backoff from 10 s doubling to 1 h;
    # then, as for a refusal that cannot change, the order is marked refundFailed for an operator.
    REFUND_MAX_ATTEMPTS: int = Field(30, ge=1, le=1000)
    # Shipped orders complete by themselves (points, commission freeze) this long after their last package, unless
    # the buyer confirms receipt first (the sweep).
    AUTO_CONFIRM_DAYS: float = Field(10.0, gt=0, le=90)
    # Times a shipment WeChat's shipping information did not take (down, busy, token refused) is uploaded again,
    # with a backoff from 10 s doubling to 1 h; then it is marked failed, for the merchant to enter by hand.
    WECHAT_SHIPPING_MAX_ATTEMPTS: int = Field(20, ge=1, le=1000)
    # After-sales: a buyer may ask from payment until this many days after the order completed; a request the shop
    # has not answered this many hours after it was made is approved by the sweep.
    AFTER_SALE_DAYS: int = Field(7, ge=0, le=365)
    AFTER_SALE_AUTO_APPROVE_HOURS: float = Field(48.0, gt=0, le=30 * 24)
    # Reviews: a line of an order is reviewed within this many days of the order's completion.
    REVIEW_DAYS: int = Field(30, ge=1, le=365)
    # How often the commerce sweeps run (unpaid orders, team closing, bargain expiry, refund retries); 0: never.
    SWEEP_SECONDS: float = Field(5.0, ge=0)
    # Bargains: helps one user may give per day; how much larger a cut is from a user the bargain's share link
    # brought in; the points its owner earns for each such new user.
    BARGAIN_DAILY_HELPS: int = Field(10, ge=1)
    BARGAIN_NEW_USER_FACTOR: float = Field(2.0, ge=1.0, le=5.0)
    INVITE_POINTS: int = Field(10, ge=0)
    # Invite rewards (resolvers/invites.py): the coupon a new user invited gets at sign-up (a coupon id; empty:
    # none), and how many invitees' first orders earn one inviter INVITE_POINTS a day (China time).
    WELCOME_COUPON_ID: str = ""
    INVITE_DAILY_CAP: int = Field(20, ge=0)
    # Share cards (resolvers/sharing.py): share cards a user may ask for a minute; the hosts poster pictures are
    # read from (comma-separated, e.g. the image CDN; pictures elsewhere leave a plain panel: a merchant's URL never
    # makes the server fetch from inside our network); the CJK font posters are drawn in (empty: an installed Noto
    # Sans CJK); which version of the mini-program WeChat's codes open (release, trial, develop); and where the
    # local QR code points when WeChat is not configured (the token is appended).
    SHARE_CARDS_PER_MINUTE: int = Field(60, ge=1)
    POSTER_IMAGE_HOSTS: str = ""
    POSTER_FONT: str = ""
    WECHAT_CODE_ENV_VERSION: Literal["release", "trial", "develop"] = "release"
    SHARE_QR_BASE_URL: str = "https://m.youxianggou.cn/s"
    # Creators (达人): how often the job recomputes every author's credit score (seconds; 0: never), and the most
    # of each DISCOVER page that commercial posts (those tagging products) may take.
    CREATOR_REFRESH_SECONDS: float = Field(3600.0, ge=0)
    COMMERCIAL_SHARE: float = Field(0.3, ge=0, le=1)
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
    # Withdrawals are paid by WeChat Pay's merchant transfer (商家转账) to the user's WeChat balance, in the transfer
    # scene the merchant was approved for: its id, the reason the user sees, and its report infos (in the
    # environment a JSON list of {"info_type", "info_content"}; info_type values are fixed per scene: these are
    # those of 1005, 佣金报酬). The transfer's notifications come to WECHAT_PAY_NOTIFY_URL too.
    WECHAT_PAY_TRANSFER_SCENE_ID: str = "1005"
    WECHAT_PAY_TRANSFER_PERCEPTION: str = "劳务报酬"
    WECHAT_PAY_TRANSFER_REPORT_INFOS: list[dict[str, str]] = Field(
        default_factory=lambda: [
            {"info_type": "岗位类型", "info_content": "推广员"},
            {"info_type": "报酬说明", "info_content": "分销佣金提现"},
        ]
    )
    # The most one withdrawal may be, in fen: WeChat Pay wants the user's real name on a transfer of 2,000 yuan
    # or more, which we do not hold. A transfer the user has not confirmed this long is cancelled (money back).
    WITHDRAWAL_MAX: int = Field(199_999, ge=100, le=199_999)
    WITHDRAWAL_CONFIRM_HOURS: float = Field(48.0, gt=0, le=24 * 30)
    # Content: words that hold a post for moderation (comma-separated, added to a small built-in list), and the
    # follower count above which an author's posts are merged into feeds at read time instead of fanned out.
    BANNED_WORDS: str = ""
    FANOUT_THRESHOLD: int = Field(1000, ge=0)
    # Rate limits per user (token buckets; shared by every process with Redis): each allows that many at once and
    # refills at that many a minute; a mutation over its limit answers RATE_LIMITED. Follows, unfollows and blocks
    # share one bucket, likes and unlikes of posts another; LIVE_LIKES counts likes, not calls.
    SHARE_LINKS_PER_MINUTE: int = Field(20, ge=1)
    SHOPS_PER_MINUTE: int = Field(5, ge=1)
    PRODUCTS_PER_MINUTE: int = Field(30, ge=1)
    POSTS_PER_MINUTE: int = Field(10, ge=1)
    COMMENTS_PER_MINUTE: int = Field(20, ge=1)
    POST_LIKES_PER_MINUTE: int = Field(60, ge=1)
    FOLLOWS_PER_MINUTE: int = Field(30, ge=1)
    REPORTS_PER_MINUTE: int = Field(10, ge=1)
    BARGAIN_STARTS_PER_MINUTE: int = Field(10, ge=1)
    TEAM_STARTS_PER_MINUTE: int = Field(10, ge=1)
    LIVE_ROOMS_PER_MINUTE: int = Field(5, ge=1)
    LIVE_LIKES_PER_MINUTE: int = Field(600, ge=1)
    PROFILE_UPDATES_PER_MINUTE: int = Field(10, ge=1)
    VIDEO_UPLOADS_PER_MINUTE: int = Field(5, ge=1)
    EXPORTS_PER_MINUTE: int = Field(5, ge=1)
    REVIEWS_PER_MINUTE: int = Field(10, ge=1)  # reviews, follow-ups and shop replies
    REVIEW_HELPFUL_PER_MINUTE: int = Field(60, ge=1)
    FAVORITES_PER_MINUTE: int = Field(60, ge=1)  # favorites and unfavorites
    # The shop builder: draft saves (each up to 256 KB, kept as a revision) per editor, and how long a preview link
    # renders the draft it was made for.
    PAGE_SAVES_PER_MINUTE: int = Field(30, ge=1)
    PAGE_PREVIEW_HOURS: float = Field(72.0, gt=0, le=24 * 30)
    # How often the influence job recomputes scores (seconds); 0 turns the periodic run off.
    INFLUENCE_REFRESH_SECONDS: float = Field(3600.0, ge=0)
    # RFM segments (resolvers/segments.py): how often the segments job looks for shops whose last run is older than
    # RFM_REFRESH_HOURS (0 turns the periodic run off), and the window of paid orders a run scores.
    SEGMENTS_SECONDS: float = Field(600.0, ge=0)
    RFM_REFRESH_HOURS: float = Field(24.0, gt=0, le=24 * 31)
    RFM_WINDOW_DAYS: int = Field(365, ge=1, le=3650)
    # How often the outbox projector looks for work it was not woken up for (other processes' writes).
    PROJECTOR_POLL_SECONDS: float = Field(1.0, gt=0)
    # Processes serving one port (`server.py serve --workers N`; set for each worker by the master). With more than
    # one, each process's in-memory graph follows the whole outbox (graph/projector.py's follow_all).
    WORKERS: int = Field(1, ge=1, le=64)
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
    # liveCommentBatches: rooms with this many viewers in a process get at most this many batches a second.
    LIVE_BATCH_MIN_VIEWERS: int = Field(200, ge=0)
    LIVE_FRAMES_PER_SECOND: float = Field(10.0, gt=0, le=1000)
    # The client address is the TCP peer's unless this is set: then it is the last X-Forwarded-For entry (set it only
    # behind a proxy that appends the address it saw; anyone can send the header otherwise).
    TRUST_FORWARDED_FOR: bool = False
    # OpenTelemetry: traces go to this OTLP/HTTP collector (e.g. http://localhost:4318); empty: no tracing.
    OTLP_ENDPOINT: str = ""
    OTEL_SERVICE_NAME: str = "youxianggou"
    # Data rights (PIPL). An export's download link works DATA_EXPORT_HOURS after the archive is ready, then its file
    # is deleted; exportMyData is rate-limited per user (asking while one is prepared returns that one, free). A
    # deletion is carried out ACCOUNT_DELETION_COOLING_DAYS after it was asked; until then cancelAccountDeletion
    # undoes it and logging in works.
    DATA_EXPORT_HOURS: float = Field(24.0, gt=0, le=24 * 30)
    DATA_EXPORTS_PER_MINUTE: int = Field(5, ge=1)
    ACCOUNT_DELETION_COOLING_DAYS: float = Field(15.0, ge=0, le=90)
    # The most one sweep run spends erasing accounts (one of 100,000 documents takes minutes); the rest of an
    # erasure goes on in the next runs, from the step and document it reached.
    ACCOUNT_ERASURE_SECONDS: float = Field(5.0, gt=0, le=3600)
    # How often each process reloads the logins revoked within an access token's life from the store (the bus
    # announces them at once; this catches what a process missed while its Redis connection was down).
    REVOKED_LOGINS_RELOAD_SECONDS: float = Field(30.0, gt=0, le=3600)

    # The data platform: events are buffered and written EVENTS_BATCH at a time (or every EVENTS_FLUSH_SECONDS);
    # past EVENTS_BUFFER_MAX buffered, new ones are dropped and counted (events_dropped_total), never waited for.
    # EVENTS_ENABLED=false records nothing (aggregates then only know orders). Events are kept
    # EVENTS_RETENTION_DAYS (aggregates stay); shops without a time zone of their own count days in SHOP_TIME_ZONE.
    EVENTS_ENABLED: bool = True
    EVENTS_BATCH: int = Field(500, ge=1, le=10_000)
    EVENTS_FLUSH_SECONDS: float = Field(0.2, gt=0, le=60)
    EVENTS_BUFFER_MAX: int = Field(50_000, ge=1)
    EVENTS_RETENTION_DAYS: int = Field(180, ge=1)
    TRACKED_EVENTS_PER_MINUTE: int = Field(6000, ge=1)  # events (not calls) a user or client may send
    # How often the days that changed are recomputed (each run reads a changed day whole: the dashboards are this
    # far behind, and a busy day is read once per interval, not once per event); 0: never.
    AGGREGATE_SECONDS: float = Field(60.0, ge=0)
    SHOP_TIME_ZONE: str = "Asia/Shanghai"

    _dev_key: str | None = PrivateAttr(default=None)

    @property
    def dev_mode(self) -> bool:
        return self.DEV_LOGIN

    @property
    def graphiql(self) -> bool:
        return self.dev_mode if self.GRAPHIQL is None else self.GRAPHIQL

    @property
    def introspection(self) -> bool:
        return self.dev_mode if self.INTROSPECTION is None else self.INTROSPECTION

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

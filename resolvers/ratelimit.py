"""Per-key rate limits: a token bucket per key (`domain.live.take`), `rate` a second with bursts up to `burst`
(live comments, bargain helps, and every mutation that declares a `limit`). `MemoryLimiter` holds the buckets in
this process (the embedded default: one process); `RedisLimiter` keeps them in Redis so a limit holds across every
server process. While Redis is unreachable, RedisLimiter limits in this process only (neither open nor closed: a
client gets at most the limit per process, like the socket caps), and goes back to Redis once it answers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from domain.live import Bucket, take
from resolvers.errors import Refused

if TYPE_CHECKING:
    from resolvers.services import Services

log = logging.getLogger(__name__)


class Limiter(Protocol):
    async def allow(self, key: str, now_ms: int, rate: float, burst: int, cost: int = 1) -> bool:
        """Spend `cost` tokens of `key`'s bucket; False when it has fewer (the caller is over the limit)."""


class MemoryLimiter:
    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._buckets: dict[str, Bucket] = {}

    async def allow(self, key: str, now_ms: int, rate: float, burst: int, cost: int = 1) -> bool:
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            self._buckets.clear()  # bounded memory; forgetting buckets only ever allows more
        allowed, self._buckets[key] = take(self._buckets.get(key), now_ms, rate, burst, cost)
        return allowed


# The same bucket as domain.live.take, applied atomically inside Redis. Numbers travel as strings: Redis turns a
# Lua number argument into an integer.
_TAKE = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[5] or '1')
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if state[1] then
  local elapsed = math.max(0, now - tonumber(state[2])) / 1000
  tokens = math.min(burst, tonumber(state[1]) + elapsed * rate)
end
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return allowed
"""


class RedisLimiter:
    def __init__(self, redis: Any, prefix: str = "yxg:rate:") -> None:
        from subscriptions.redis import DOWN

        self.prefix = prefix
        self._take = redis.register_script(_TAKE)
        self._down_errors = DOWN
        self.fallback = MemoryLimiter()  # this process's buckets, while Redis is unreachable
        self.degraded = False

    async def allow(self, key: str, now_ms: int, rate: float, burst: int, cost: int = 1) -> bool:
        refill_ms = int(burst / rate * 1000) + 1000  # a bucket untouched this long is full again: let it expire
        try:
            allowed = await self._take(keys=[self.prefix + key], args=[burst, repr(rate), now_ms, refill_ms, cost])
        except self._down_errors as exc:
            if not self.degraded:
                self.degraded = True
                log.warning("rate limits: Redis is unreachable (%s); limiting in this process only", exc)
            return await self.fallback.allow(key, now_ms, rate, burst, cost)
        if self.degraded:
            self.degraded = False
            log.info("rate limits: back in Redis")
        return bool(allowed)


async def spend(
    services: Services, setting: str, user_id: str, cost: int = 1, field: Sequence[str] | None = None
) -> None:
    """Take `cost` from the user's bucket for `setting` (a `<THING>_PER_MINUTE` setting: that many at once, refilled
    at that many a minute); RATE_LIMITED when it is short. The setting's name is the bucket's name, so mutations
    that name the same setting share one bucket."""
    per_minute: int = getattr(services.settings, setting)
    if not await services.limiter.allow(
        f"{setting.lower()}:{user_id}", services.now(), per_minute / 60, per_minute, cost
    ):
        raise Refused("RATE_LIMITED", f"Too many at once: at most {per_minute} a minute; try again shortly", field)

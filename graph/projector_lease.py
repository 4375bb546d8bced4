"""Which process projects into a graph that several processes share (Neo4j, a Gremlin server) behind
`serve --workers N`: the holder of a lease in Redis, one at a time.

Projection reads the documents, then writes the graph (graph/projector.py's `sync_pair`). Two processes applying
events of one pair at once can interleave so that the older read is written last: a friendship made by the second
follow is then removed by the projection of the first, and nothing applies it again (the workers test caught it on
Neo4j, whose deadlock retries widen the window). One projector at a time closes it.

The lease is a Redis key holding the holder's token with a time to live, taken when free and renewed by its holder
before each batch; a holder that dies loses it after `ttl_ms`, a holder that stops gives it up at once. While Redis
does not answer, each process keeps what it last knew (the holder keeps projecting, the others keep waiting), so an
outage never makes two holders; a holder that dies during one is replaced when Redis is back.
"""

from __future__ import annotations

import logging
from typing import Any

from store.ids import new_id

log = logging.getLogger(__name__)
KEY = "yxg:projector:lease"
TTL_MS = 15_000  # renewed before each batch of 200 events, which a slow graph may take seconds to apply

# KEYS: the lease. ARGV: this holder's token, time to live (ms). 1 when this holder has it (taken or renewed).
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


class RedisLease:
    def __init__(self, redis: Any, key: str = KEY, ttl_ms: int = TTL_MS) -> None:
        from subscriptions.redis import DOWN

        self.key, self.ttl_ms = key, ttl_ms
        self.token = new_id()
        self.held = False
        self._down = DOWN
        self._hold = redis.register_script(_HOLD)
        self._release = redis.register_script(_RELEASE)

    async def hold(self) -> bool:
        """True while this process is the one that projects (taking or renewing the lease)."""
        try:
            held = bool(await self._hold(keys=[self.key], args=[self.token, self.ttl_ms]))
        except self._down as exc:
            doing = "still projecting" if self.held else "still waiting"
            log.warning("projector lease: Redis unreachable (%s); %s", exc, doing)
            return self.held
        if held != self.held:
            log.info("projector lease %s", "taken: this process projects" if held else "lost")
        self.held = held
        return held

    async def release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            await self._release(keys=[self.key], args=[self.token])
        except self._down as exc:  # it expires by itself
            log.warning("projector lease: could not give it up (%s)", exc)

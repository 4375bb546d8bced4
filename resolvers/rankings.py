"""Heat rankings (trending topics, hot products): heat added per member and hour, read back over a window with
time decay. In Redis sorted sets (one per kind and hour) when Redis is configured, so every server process adds
to and reads the same ranking; in the document store otherwise.

While Redis is unreachable, heat is not added (a view, like or sale then counts for nothing: never twice) and the
write that added it goes on; reading a ranking answers UNAVAILABLE."""

from __future__ import annotations

import logging
import math

from resolvers.services import Services
from store.counters import increment
from store.protocol import DuplicateKey
from subscriptions.protocol import BusUnavailable

log = logging.getLogger(__name__)
HOUR_MS = 3_600_000


def heat_key(kind: str, hour: int) -> str:
    return f"yxg:heat:{kind}:{hour}"


SEEN = "heat_seen"  # the store's marks of who has been counted for a member this hour
SEEN_KEEP_HOURS = 2  # an hour's marks are kept through the next hour, then deleted (or expire in Redis)


def seen_key(kind: str, hour: int, member: str) -> str:
    return f"yxg:heat:seen:{kind}:{hour}:{member}"


async def add(
    services: Services, kind: str, member: str, heat: float, keep_hours: int, actor: str | None = None
) -> None:
    """Add heat to a member's current hour. With an `actor` (a user's view, share or like), only that user's
    first contribution to the member in the hour counts: one user repeating an action cannot lift a ranking."""
    if actor is not None and not await first_in_hour(services, kind, member, actor):
        return
    hour = services.now() // HOUR_MS
    redis = services.redis
    if redis is not None:
        from subscriptions.redis import DOWN

        try:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.zincrby(heat_key(kind, hour), heat, member)
                pipe.expire(heat_key(kind, hour), (keep_hours + 1) * 3600)
                await pipe.execute()
        except DOWN as exc:
            log.warning("rankings: Redis is unreachable (%s); %s heat of %s not added", exc, kind, member)
        return
    fields = {"kind": kind, "member": member, "hour": hour}
    await increment(services.store, "heat", f"{kind}|{member}|{hour}", {"heat": heat}, fields)


async def first_in_hour(services: Services, kind: str, member: str, actor: str) -> bool:
    """Whether this is `actor`'s first view, share or like of `member` this hour (then it is marked seen): in a
    Redis set per member and hour that expires, or a `heat_seen` row that the sweep purges (`purge_seen`)."""
    hour = services.now() // HOUR_MS
    redis = services.redis
    if redis is not None:
        from subscriptions.redis import DOWN

        try:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.sadd(seen_key(kind, hour, member), actor)
                pipe.expire(seen_key(kind, hour, member), SEEN_KEEP_HOURS * 3600)
                added, _ = await pipe.execute()
        except DOWN as exc:
            log.warning("rankings: Redis is unreachable (%s); a %s of %s not counted", exc, kind, member)
            return False  # not counted rather than maybe counted twice
        return bool(added)
    try:
        await services.store.insert(SEEN, {"_id": f"{kind}|{member}|{hour}|{actor}", "hour": hour})
    except DuplicateKey:
        return False
    return True


async def purge_seen(services: Services, limit: int = 1000) -> int:
    """Delete the store's seen marks of hours that are over (at most `limit` a call); the number deleted."""
    before = services.now() // HOUR_MS - SEEN_KEEP_HOURS + 1
    page = await services.store.find(SEEN, {"hour": {"$lt": before}}, limit=limit)
    return sum([await services.store.delete(SEEN, mark["_id"]) for mark in page.docs])


async def top(services: Services, kind: str, hours: int, half_life_hours: float, first: int) -> list[tuple[str, float]]:
    """Members by heat over the last `hours`, an hour's heat halving every `half_life_hours` of age."""
    now_hour = services.now() // HOUR_MS
    weights = {
        h: math.exp(-math.log(2) * (now_hour - h) / half_life_hours) for h in range(now_hour - hours + 1, now_hour + 1)
    }
    redis = services.redis
    heat: dict[str, float] = {}
    if redis is not None:
        from subscriptions.redis import DOWN

        try:
            rows = await redis.zunion({heat_key(kind, h): w for h, w in weights.items()}, withscores=True)
        except DOWN as exc:
            raise BusUnavailable(f"rankings: {exc}") from exc
        heat = {(m.decode() if isinstance(m, bytes) else m): float(score) for m, score in rows}
    else:
        page = await services.store.find("heat", {"kind": kind, "hour": {"$gt": now_hour - hours}}, limit=200_000)
        for bucket in page.docs:
            heat[bucket["member"]] = heat.get(bucket["member"], 0.0) + bucket["heat"] * weights.get(bucket["hour"], 0.0)
    return sorted(heat.items(), key=lambda mh: (-mh[1], mh[0]))[:first]

"""The seckill rush's pre-deduction: one atomic step that checks the slot, the stock, the user's remaining limit and
the idempotency key together, and takes the units.

With Redis (REDIS_URL), a Lua script over the campaign's keys, all hash-tagged `{seckill:<campaignId>}:...` so that
one campaign's keys live on one cluster slot: it absorbs the rush, and only its winners reach the store. The store
then records each winner by the same guarded updates the embedded default uses (so the store stays the truth even
if Redis forgets: a winner the store refuses is given back to Redis), in this order:

1. `seckill_attempts` insert, unique per (campaign, user, key): the idempotency key (a duplicate is a replay);
2. `seckill_buyers` guarded `$inc` of the user's units while they stay within the limit;
3. `seckill_stock` guarded `$dec` of the SKU's seckill units while the campaign's stock is OPEN and enough is left.

A step that fails undoes the ones before it (the user step first, so that one user's failing attempts never make
the stock look sold out to others). A crash between steps leaves the attempt TAKING; the sweep gives its units back
when no order came of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from domain.seckill import Window
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)

OK, REPLAY, SOLD_OUT, SHORT, LIMIT, CLOSED = "OK", "REPLAY", "SOLD_OUT", "SHORT", "LIMIT", "CLOSED"
TAKING, PLACED = "TAKING", "PLACED"
OPEN = "OPEN"  # seckill_stock states: PENDING (not taken from the SKU yet), OPEN, CLOSED, RETURNED


@dataclass(frozen=True)
class Attempt:
    campaign_id: str
    sku_id: str
    user_id: str
    key: str
    quantity: int
    limit: int
    window: Window
    order_id: str

    @property
    def id(self) -> str:
        return f"{self.campaign_id}:{self.user_id}:{self.key}"


def stock_id(campaign_id: str, sku_id: str) -> str:
    return f"{campaign_id}:{sku_id}"


def buyer_id(campaign_id: str, user_id: str) -> str:
    return f"{campaign_id}:{user_id}"


def redis_keys(campaign_id: str, sku_id: str) -> list[str]:
    tag = f"{{seckill:{campaign_id}}}"
    return [f"{tag}:left:{sku_id}", f"{tag}:bought", f"{tag}:keys"]


# -- the store's steps -------------------------------------------------------------------------------------------


async def store_take(services: Services, attempt: Attempt) -> str:
    store = services.store
    doc = {
        "_id": attempt.id,
        "campaignId": attempt.campaign_id,
        "skuId": attempt.sku_id,
        "userId": attempt.user_id,
        "key": attempt.key,
        "quantity": attempt.quantity,
        "orderId": attempt.order_id,
        "state": TAKING,
        "at": services.now(),
    }
    try:
        await store.insert("seckill_attempts", doc)
    except DuplicateKey:
        return REPLAY
    buyer = buyer_id(attempt.campaign_id, attempt.user_id)
    try:
        await store.insert(
            "seckill_buyers",
            {"_id": buyer, "campaignId": attempt.campaign_id, "userId": attempt.user_id, "bought": 0},
        )
    except DuplicateKey:
        pass
    q = attempt.quantity
    if not await store.update_one(
        "seckill_buyers", {"_id": buyer, "bought": {"$lte": attempt.limit - q}}, {"$inc": {"bought": q}}
    ):
        await store.delete("seckill_attempts", attempt.id)
        return LIMIT
    sid = stock_id(attempt.campaign_id, attempt.sku_id)
    if await store.update_one(
        "seckill_stock", {"_id": sid, "state": OPEN, "left": {"$gte": q}}, {"$inc": {"left": -q}}
    ):
        return OK
    await store.update_one("seckill_buyers", {"_id": buyer}, {"$inc": {"bought": -q}})
    await store.delete("seckill_attempts", attempt.id)
    stock = await store.get("seckill_stock", sid)
    if stock is None or stock["state"] != OPEN:
        return CLOSED
    return SOLD_OUT if stock["left"] == 0 else SHORT


async def store_give_back(services: Services, attempt_doc: Doc) -> None:
    """An attempt that took units and placed no order: its units, the user's count and its key go back."""
    store = services.store
    q = attempt_doc["quantity"]
    await return_units(services, attempt_doc["campaignId"], attempt_doc["skuId"], q)
    buyer = buyer_id(attempt_doc["campaignId"], attempt_doc["userId"])
    await store.update_one("seckill_buyers", {"_id": buyer, "bought": {"$gte": q}}, {"$inc": {"bought": -q}})
    await store.delete("seckill_attempts", attempt_doc["_id"])


async def return_units(services: Services, campaign_id: str, sku_id: str, q: int) -> Doc | None:
    """Units back into the campaign's stock while it is OPEN (the stock document after); None once it closed (the
    caller gives them to the SKU instead)."""
    return await services.store.update_one(
        "seckill_stock", {"_id": stock_id(campaign_id, sku_id), "state": OPEN}, {"$inc": {"left": q}}
    )


# -- Redis -------------------------------------------------------------------------------------------------------

# KEYS: left (this SKU's units), bought (hash user -> units), keys (hash "user|key" -> 1).
# ARGV: user, key, quantity, limit, now, slot start, slot end, time to live (ms).
# Returns 1 taken, 2 replay, 0 sold out, -5 fewer left than asked, -1 over the limit, -3 outside the slot,
# -4 the stock is not loaded (the caller loads it from the store and asks again).
_TAKE = """
local now = tonumber(ARGV[5])
if now < tonumber(ARGV[6]) or now >= tonumber(ARGV[7]) then return -3 end
local field = ARGV[1] .. '|' .. ARGV[2]
if redis.call('HEXISTS', KEYS[3], field) == 1 then return 2 end
local left = redis.call('GET', KEYS[1])
if not left then return -4 end
left = tonumber(left)
local q = tonumber(ARGV[3])
if left < q then
  if left <= 0 then return 0 end
  return -5
end
local bought = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if bought + q > tonumber(ARGV[4]) then return -1 end
redis.call('DECRBY', KEYS[1], q)
redis.call('HINCRBY', KEYS[2], ARGV[1], q)
redis.call('HSET', KEYS[3], field, '1')
redis.call('PEXPIRE', KEYS[2], ARGV[8])
redis.call('PEXPIRE', KEYS[3], ARGV[8])
return 1
"""

# Give back what _TAKE took. ARGV: user, key ('' keeps the key: a placed order's key stays used), quantity.
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], ARGV[3]) end
local bought = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if bought > 0 then redis.call('HINCRBY', KEYS[2], ARGV[1], -math.min(bought, tonumber(ARGV[3]))) end
if ARGV[2] ~= '' then redis.call('HDEL', KEYS[3], ARGV[1] .. '|' .. ARGV[2]) end
return 1
"""

_CODES = {1: OK, 2: REPLAY, 0: SOLD_OUT, -5: SHORT, -1: LIMIT, -3: CLOSED}


class RedisGate:
    """The Lua scripts, registered once per Redis client."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self.take_script = redis.register_script(_TAKE)
        self.give_back_script = redis.register_script(_GIVE_BACK)


def _gate(services: Services) -> RedisGate | None:
    redis = services.redis
    if redis is None:
        return None
    local = services.seckill
    if local.gate is None or local.gate.redis is not redis:
        local.gate = RedisGate(redis)
    gate: RedisGate = local.gate
    return gate


async def redis_take(services: Services, gate: RedisGate, attempt: Attempt, expire_at: int) -> str:
    # relative to our clock, not Redis's: a time to live (Redis's own clock may differ from services.now)
    ttl = max(60_000, expire_at - services.now())
    keys = redis_keys(attempt.campaign_id, attempt.sku_id)
    args = [
        attempt.user_id,
        attempt.key,
        attempt.quantity,
        attempt.limit,
        services.now(),
        attempt.window.starts_at,
        attempt.window.ends_at,
        ttl,
    ]
    code = int(await gate.take_script(keys=keys, args=args))
    if code == -4:  # not loaded (a new slot, or Redis restarted): from the store, unless another process did
        stock = await services.store.get("seckill_stock", stock_id(attempt.campaign_id, attempt.sku_id))
        left = stock["left"] if stock is not None and stock["state"] == OPEN else 0
        await gate.redis.set(keys[0], left, nx=True, px=ttl)
        code = int(await gate.take_script(keys=keys, args=args))
    return _CODES.get(code, CLOSED)


async def redis_give_back(services: Services, campaign_id: str, sku_id: str, user_id: str, key: str, q: int) -> None:
    gate = _gate(services)
    if gate is None:
        return
    from subscriptions.redis import DOWN

    try:
        await gate.give_back_script(keys=redis_keys(campaign_id, sku_id), args=[user_id, key, q])
    except DOWN as exc:  # the store holds the truth: the counters are loaded again from it after a restart
        log.warning("seckill: could not give units back in Redis (%s)", exc)


async def redis_forget(services: Services, campaign_id: str, sku_ids: list[str]) -> None:
    """The campaign's stock closed: its counters go (an attempt then finds no stock loaded, and the store CLOSED)."""
    gate = _gate(services)
    if gate is None:
        return
    from subscriptions.redis import DOWN

    try:
        await gate.redis.delete(*[redis_keys(campaign_id, s)[0] for s in sku_ids])
    except DOWN as exc:
        log.warning("seckill: could not drop the counters in Redis (%s)", exc)


# -- the one entry -----------------------------------------------------------------------------------------------


async def take(services: Services, attempt: Attempt, expire_at: int) -> str:
    """OK (the units are taken and the attempt recorded TAKING), or why not (nothing was taken)."""
    gate = _gate(services)
    if gate is None:
        return await store_take(services, attempt)
    from subscriptions.redis import DOWN

    try:
        verdict = await redis_take(services, gate, attempt, expire_at)
    except DOWN as exc:  # Redis is down: the store's guarded updates alone decide (slower, still exact)
        log.warning("seckill: Redis unreachable (%s); the store decides", exc)
        services.seckill.store_decided += 1
        return await store_take(services, attempt)
    if verdict != OK:
        return verdict
    recorded = await store_take(services, attempt)
    if recorded != OK:  # the store disagrees (Redis lost data, or ran ahead): the store is the truth
        await redis_give_back(
            services, attempt.campaign_id, attempt.sku_id, attempt.user_id, attempt.key, attempt.quantity
        )
    return recorded

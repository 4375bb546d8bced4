"""The seckill rush over GraphQL with Redis configured: the Lua gate decides, exactly the stock is sold, nobody
above the limit, and the counters in Redis agree with the store."""

from __future__ import annotations

import asyncio

from domain.ids import from_global_id
from resolvers.seckill_gate import redis_keys
from tests.api.conftest import Api
from tests.api.test_seckill import CAMPAIGN, DAY0, HOUR, attempt, campaign_input, create, path_token, world


async def test_a_rush_with_redis_sells_exactly_the_stock(api_redis: Api) -> None:
    api = api_redis
    merchant, shop, sku, clock = await world(api)
    campaign = (await create(api, merchant, campaign_input(shop, sku, limitPerUser=1)))["campaign"]["id"]
    clock.ms = DAY0 + 10 * HOUR
    users = [await api.login(f"r{i}") for i in range(15)]
    paths = [await path_token(api, token, campaign) for token, _ in users]
    results = await asyncio.gather(
        *(
            attempt(api, token, campaign, sku, path or "", f"k{j}")
            for (token, _), path in zip(users, paths, strict=True)
            for j in range(3)
        )
    )
    won = [r["order"] for r in results if r["order"]]
    assert len(won) == 5
    assert {e["code"] for r in results for e in r["errors"]} <= {"OUT_OF_STOCK", "PURCHASE_LIMIT"}
    buyers = [doc["buyerId"] for doc in (await api.services.store.find("orders", {}, limit=100)).docs]
    assert len(buyers) == len(set(buyers)) == 5
    assert (await api.gql(CAMPAIGN, {"c": campaign}))["data"]["seckillCampaign"]["items"][0]["remaining"] == 0
    redis = api.services.redis
    assert redis is not None
    left = redis_keys(from_global_id(campaign)[1], from_global_id(sku)[1])[0]
    assert int(await redis.get(left)) == 0

"""Seckill campaigns start and end on `campaignEvents(shopId)` like discount campaigns: the sweep announces each start
and end once (racing sweeps too), and a cancel announces ENDED at once."""

from __future__ import annotations

import asyncio
from typing import Any

from jobs.sweep import sweep
from tests.api.conftest import Api
from tests.api.test_seckill import CANCEL, DAY0, HOUR, campaign_input, create, iso, world

SUB = "subscription($id: ID!) { campaignEvents(shopId: $id) { event campaign { id kind name status } } }"


async def test_seckill_starts_ends_and_cancels_are_announced_once_on_campaign_events(api: Api) -> None:
    # given two upcoming seckills of a shop (10:00-20:00 and 12:00-20:00 of the first day, their slots
    # apart; it is 09:00)
    merchant, shop, sku, clock = await world(api, stock=50)
    first = await create(
        api,
        merchant,
        campaign_input(shop, sku, name="早场", startsAt=iso(DAY0 + 10 * HOUR), endsAt=iso(DAY0 + 20 * HOUR)),
    )
    other = await create(
        api,
        merchant,
        campaign_input(
            shop,
            sku,
            name="午场",
            startsAt=iso(DAY0 + 12 * HOUR),
            endsAt=iso(DAY0 + 20 * HOUR),
            slots=[{"start": "13:00", "end": "13:30"}],
        ),
    )
    assert first["errors"] == [] and other["errors"] == []
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {}})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUB, "variables": {"id": shop}}})
        await asyncio.sleep(0.3)  # subscribed before the sweep announces

        async def event() -> Any:
            got = (await ws.receive_json(timeout=5))["payload"]["data"]["campaignEvents"]
            return got["event"], got["campaign"]["kind"], got["campaign"]["name"], got["campaign"]["status"]

        async def nothing_more() -> bool:
            try:
                await asyncio.wait_for(ws.receive_json(), timeout=0.5)
            except TimeoutError:
                return True
            return False

        # nothing before its start
        await sweep(api.services)
        assert await nothing_more()
        # when the first one's start comes, two racing sweeps announce it once
        clock.ms = DAY0 + 10 * HOUR
        await asyncio.gather(sweep(api.services), sweep(api.services))
        assert await event() == ("STARTED", "SECKILL", "早场", "RUNNING")
        assert await nothing_more()
        # a cancel of the second one, just started (not yet swept), announces its end at once
        clock.ms = DAY0 + 12 * HOUR + 1
        cancelled = await api.gql(CANCEL, {"c": other["campaign"]["id"]}, token=merchant)
        assert cancelled["data"]["cancelSeckillCampaign"]["errors"] == []
        assert await event() == ("ENDED", "SECKILL", "午场", "ENDED")
        await sweep(api.services)  # the cancelled one is announced no more
        assert await nothing_more()
        # and at the first one's end, racing sweeps announce ENDED once
        clock.ms = DAY0 + 20 * HOUR
        await asyncio.gather(sweep(api.services), sweep(api.services), sweep(api.services))
        assert await event() == ("ENDED", "SECKILL", "早场", "ENDED")
        await sweep(api.services)
        assert await nothing_more()

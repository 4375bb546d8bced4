"""What one process keeps of the seckills it serves, so that the rush's refusals cost no store read: a sold-out
flag per (campaign, SKU), and the campaign documents read lately (a second at most). Both are cleared by an event on
the bus (`seckill:changes`: a unit came back, a campaign was cancelled or started), which every process reads; while
the bus resyncs everything is forgotten (the store is asked again)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from subscriptions.fanout import BusClosed, SlowConsumer

log = logging.getLogger(__name__)
CHANGES_TOPIC = "seckill:changes"
CAMPAIGN_TTL_SECONDS = 1.0
MAX_CAMPAIGNS = 10_000


class SeckillLocal:
    def __init__(self) -> None:
        self.sold_out: set[tuple[str, str]] = set()
        self._campaigns: dict[str, tuple[float, dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()
        self.gate: Any = None  # resolvers.seckill_gate.RedisGate, made at the first attempt with Redis
        self.store_decided = 0  # attempts the store decided alone because Redis did not answer

    def is_sold_out(self, campaign_id: str, sku_id: str) -> bool:
        return (campaign_id, sku_id) in self.sold_out

    def mark_sold_out(self, campaign_id: str, sku_id: str) -> None:
        self.sold_out.add((campaign_id, sku_id))

    def changed(self, campaign_id: str, sku_id: str | None = None) -> None:
        """A unit came back (to `sku_id`), or the campaign changed: forget what this process believed of it."""
        self._campaigns.pop(campaign_id, None)
        if sku_id is not None:
            self.sold_out.discard((campaign_id, sku_id))
        else:
            self.sold_out = {k for k in self.sold_out if k[0] != campaign_id}

    def forget_all(self) -> None:
        self.sold_out.clear()
        self._campaigns.clear()

    async def campaign(self, campaign_id: str, load: Callable[[], Awaitable[dict[str, Any] | None]]) -> Any:
        """The campaign as read within the last second (or read now)."""
        cached = self._campaigns.get(campaign_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < CAMPAIGN_TTL_SECONDS:
            return cached[1]
        doc = await load()
        if doc is not None:
            if len(self._campaigns) >= MAX_CAMPAIGNS:
                self._campaigns.clear()
            self._campaigns[campaign_id] = (now, doc)
        return doc

    def start(self, bus: Any) -> None:
        self._reader = asyncio.create_task(self._read_forever(bus), name="seckill-changes")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read_forever(self, bus: Any) -> None:
        while True:
            try:
                async with bus.subscribe(CHANGES_TOPIC) as events:
                    self.listening.set()
                    async for envelope in events:
                        if envelope.resync:  # events may have been missed: believe nothing
                            self.forget_all()
                            continue
                        event = envelope.data
                        if isinstance(event, dict) and isinstance(event.get("campaignId"), str):
                            sku = event.get("skuId")
                            self.changed(event["campaignId"], sku if isinstance(sku, str) else None)
            except asyncio.CancelledError:
                raise
            except BusClosed:
                return
            except SlowConsumer:
                log.warning("seckill: fell behind the bus; resubscribing")
                self.forget_all()
            except Exception:
                log.exception("seckill: reading the bus failed; resubscribing")
                self.forget_all()
                await asyncio.sleep(1.0)

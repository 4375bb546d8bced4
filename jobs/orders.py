"""The order sweep: cancel unpaid orders past payBy (returning their stock) and ask WeChat Pay again for refunds
it did not take. Idempotent; one process at a time runs it (JobRunner's lease)."""

from __future__ import annotations

import logging

from resolvers.orders import expire_unpaid
from resolvers.payments import retry_refunds
from resolvers.services import Services

log = logging.getLogger(__name__)


async def sweep_orders(services: Services) -> None:
    cancelled = await expire_unpaid(services)
    retried = await retry_refunds(services)
    if cancelled or retried:
        log.info("order sweep", extra={"cancelled": cancelled, "refunds_retried": retried})

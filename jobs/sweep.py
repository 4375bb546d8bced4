"""The commerce sweep: cancel unpaid orders past payBy (returning their stock and team seats), close and settle
group-buy teams past expiresAt, expire bargains, settle commissions past their freeze, and ask WeChat Pay again
for refunds it did not take. Every step is idempotent; one process at a time runs it (JobRunner's lease)."""

from __future__ import annotations

import logging

from resolvers.bargains import sweep_bargains
from resolvers.distribution import settle_due
from resolvers.orders import expire_unpaid
from resolvers.payments import retry_refunds
from resolvers.services import Services
from resolvers.teams import sweep_teams

log = logging.getLogger(__name__)


async def sweep(services: Services) -> None:
    counts = {
        "orders_cancelled": await expire_unpaid(services),
        "teams_closed": await sweep_teams(services),
        "bargains_expired": await sweep_bargains(services),
        "refunds_retried": await retry_refunds(services),
        "commissions_settled": await settle_due(services),
    }
    if any(counts.values()):
        log.info("commerce sweep", extra=counts)

"""The commerce sweep: finish the steps orders owe after a move that a crash left (resolvers/recovery.py), cancel
unpaid orders past payBy (returning their stock and team seats), fail checkouts a crash left half-placed (cancelling
their orders, and later giving back the units of those never written), close and settle group-buy teams past
expiresAt, expire bargains, approve after-sales left unanswered (and finish their steps a crash left, ask again for
their refunds), settle commissions past their freeze, ask WeChat Pay again for refunds it did not take, upload again
the shipments WeChat did not take, complete orders shipped AUTO_CONFIRM_DAYS ago, look after withdrawals whose
transfer has no end yet, carry out account deletions whose cooling-off period is over (and resume those a crash
left), take over data exports whose preparer died and delete expired ones, delete outbox events applied more than a
day ago and the seen marks of past hours, apply points entries a crash left unapplied, expire points past the end of
the year after they were earned, undo points redemptions a crash left half-made, announce campaigns that started or
ended, start and end seckills (their stock taken from the SKUs and given back), issue birthday coupons. Every step
is idempotent; one process at a time runs it (JobRunner's lease)."""

from __future__ import annotations

import logging

from graph.projector import purge_done
from resolvers.account_deletion import erase_due
from resolvers.after_sales import sweep_after_sales
from resolvers.bargains import sweep_bargains
from resolvers.birthdays import issue_due as issue_birthday_coupons
from resolvers.campaigns import announce_due as announce_campaigns
from resolvers.checkout import expire_stale as fail_stale_checkouts
from resolvers.data_export import sweep_exports
from resolvers.distribution import settle_due
from resolvers.events import purge as purge_events
from resolvers.orders import expire_unpaid
from resolvers.payments import retry_refunds
from resolvers.payouts import check_withdrawals
from resolvers.points import apply_pending as apply_pending_points
from resolvers.points import expire_due as expire_points
from resolvers.rankings import purge_seen
from resolvers.recovery import repair_due
from resolvers.rewards import undo_stale as undo_stale_redemptions
from resolvers.seckill import sweep_seckill
from resolvers.services import Services
from resolvers.shipments import auto_confirm
from resolvers.shipping_reports import retry_due
from resolvers.teams import sweep_teams

log = logging.getLogger(__name__)
OUTBOX_KEEP_MS = 86_400_000  # applied outbox events are kept a day (for inspection), then deleted


async def sweep(services: Services) -> None:
    counts = {
        "order_steps_repaired": await repair_due(services),
        "orders_cancelled": await expire_unpaid(services),
        "checkouts_failed": await fail_stale_checkouts(services),
        "teams_closed": await sweep_teams(services),
        "bargains_expired": await sweep_bargains(services),
        "seckills_moved": await sweep_seckill(services),
        "refunds_retried": await retry_refunds(services),
        "withdrawals_checked": await check_withdrawals(services),
        "after_sales_moved": await sweep_after_sales(services),
        "commissions_settled": await settle_due(services),
        "shipping_reports_retried": await retry_due(services),
        "receipts_auto_confirmed": await auto_confirm(services),
        "accounts_erased": await erase_due(services),
        "data_exports_moved": await sweep_exports(services),
        "outbox_purged": await purge_done(services.store, services.now() - OUTBOX_KEEP_MS),
        "seen_marks_purged": await purge_seen(services),
        "points_entries_applied": await apply_pending_points(services),
        "points_expired": await expire_points(services),
        "redemptions_undone": await undo_stale_redemptions(services),
        "campaigns_announced": await announce_campaigns(services),
        "birthday_coupons_issued": await issue_birthday_coupons(services),
        "events_purged": await purge_events(services),
    }
    if any(counts.values()):
        log.info("commerce sweep", extra=counts)

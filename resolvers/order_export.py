"""CSV exports of a shop's orders: `issue` signs a short-lived URL for a range of at most 93 days; `open_grant`
checks one when it is fetched (and that its user may still read the shop's orders); `csv_chunks` reads the orders
page by page from the store (reading one page ahead) and yields the CSV a page at a time: an export of any size
holds two pages."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from urllib.parse import urlencode

from domain import order_export as rules
from domain.order_desk import export_problems
from domain.orders import RESERVING
from domain.staff import ROLES
from domain.tokens import ExpiredToken, ExportClaims, InvalidToken, issue_export_token, read_export_token
from resolvers import staff
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services

EXPORT_PATH = "/exports/orders.csv"
PAGE = 1000
NICKNAMES_KEPT = 20_000


class ExportRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Export:
    url: str = ""  # relative to the API's origin, like media URLs
    expires_at: int = 0


def issue(services: Services, user_id: str, shop_id: str, start: int, end: int) -> Export:
    """A signed URL of the shop's orders placed in [start, end) (who may ask is the mutation's declaration)."""
    refuse_problems(export_problems(start, end))
    expires_at = services.now() + int(services.settings.EXPORT_URL_MINUTES * 60_000)
    token = issue_export_token(services.settings.secret_key(), ExportClaims(user_id, shop_id, start, end, expires_at))
    return Export(f"{EXPORT_PATH}?{urlencode({'token': token})}", expires_at)


async def open_grant(services: Services, token: str) -> ExportClaims:
    """The export a URL's token grants: ExportRefused 410 when it expired, 403 when forged or when its user is no
    longer on the shop's staff."""
    try:
        claims = read_export_token(services.settings.secret_key(), token, services.now())
    except ExpiredToken:
        raise ExportRefused(410, "EXPIRED", "This export link has expired; export again from the order desk") from None
    except InvalidToken:
        raise ExportRefused(
            403, "FORBIDDEN", "This export link is not valid (it was altered or is incomplete)"
        ) from None
    try:
        await staff.require(services, claims.shop_id, claims.user_id, ROLES, [])
    except Refused:
        raise ExportRefused(
            403, "FORBIDDEN", "The user who made this link may no longer read this shop's orders"
        ) from None
    return claims


def filename(claims: ExportClaims) -> str:
    return f"orders-{rules.china_time(claims.start)[:10]}-{rules.china_time(claims.end - 1)[:10]}.csv"


async def csv_chunks(services: Services, claims: ExportClaims) -> AsyncGenerator[bytes, None]:
    """The CSV (UTF-8 with a BOM, CRLF rows), one chunk per page of PAGE orders, oldest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(rules.BOM)
    writer.writerow(rules.HEADER)
    # RESERVING orders (being placed this instant) are left out here rather than by the filter: the store would
    # read each row's status out of its JSON for it.
    where = {"shopId": claims.shop_id, "createdAt": {"$gte": claims.start, "$lt": claims.end}}
    store = services.store
    nicknames: dict[str, str] = {}  # buyers come back page after page: each is read once (up to NICKNAMES_KEPT)
    following = asyncio.ensure_future(store.find("orders", where, sort="createdAt", limit=PAGE))
    try:
        while True:
            page = await following
            if page.next_cursor is not None:  # the store reads the next page while this one is written out
                following = asyncio.ensure_future(
                    store.find("orders", where, sort="createdAt", limit=PAGE, after=page.next_cursor)
                )
            ids = {o["buyerId"] for o in page.docs}
            if len(nicknames) + len(ids) > NICKNAMES_KEPT:
                nicknames.clear()
            unknown = list(ids - nicknames.keys())
            buyers = await store.get_many("users", unknown)
            nicknames.update((i, (buyers.get(i) or {}).get("nickname", "")) for i in unknown)
            writer.writerows(
                rules.row(order, nicknames.get(order["buyerId"], ""))
                for order in page.docs
                if order["status"] != RESERVING
            )
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            if page.next_cursor is None:
                return
    finally:
        following.cancel()  # a download stopped part-way leaves no read behind

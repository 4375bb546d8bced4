"""Retention cohorts (domain/retention.py has the definitions), computed when asked.

Platform: users by sign-up day (users.createdAt) or by the day of their first paid order anywhere; they return on
day N with any event or paid order of theirs. Shop: buyers by the day of their first paid order in the shop; they
return on day N with an event of theirs at the shop (events.shopId) or a paid order in it. Each member costs at most
two existence reads per N whose day is over (indexes on (userId, at) and (shopId, userId, at)).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from domain import retention as rules
from resolvers.errors import Refused
from resolvers.services import Services
from store.protocol import Doc, Filter

PAGE = 1000
SIGN_UP, FIRST_ORDER = "SIGN_UP", "FIRST_ORDER"


async def _each(services: Services, collection: str, where: Filter, sort: str) -> AsyncIterator[Doc]:
    after = None
    while True:
        page = await services.store.find(collection, where, sort=sort, limit=PAGE, after=after)
        for doc in page.docs:
            yield doc
        if page.next_cursor is None:
            return
        after = page.next_cursor


async def _any(services: Services, collection: str, where: Filter) -> bool:
    return bool((await services.store.find(collection, where, limit=1)).docs)


async def _returned(services: Services, user_id: str, cohort_day: int, shop_id: str | None) -> dict[int, bool]:
    """For each N whose day is over: an event or a paid order of the user on day N (at the shop, for a shop)."""
    out = {}
    scope: dict[str, Any] = {"shopId": shop_id} if shop_id else {}
    for n in rules.matured(cohort_day, services.now()):
        start, end = rules.return_window(cohort_day, n)
        out[n] = await _any(
            services, "events", {**scope, "userId": user_id, "at": {"$gte": start, "$lt": end}}
        ) or await _any(services, "orders", {**scope, "buyerId": user_id, "paidAt": {"$gte": start, "$lt": end}})
    return out


def _cohort_days(from_ms: int, to_ms: int) -> tuple[int, int]:
    """The cohort days [first, end): from the day holding `from` to the day holding `to` - 1 ms. Refused: `to`
    not after `from`, a range over 366 days."""
    for problem in rules.range_problems(from_ms, to_ms):
        raise Refused("INVALID_INPUT", problem.message, [problem.field])
    return rules.day_start(from_ms), rules.day_start(to_ms - 1) + rules.DAY_MS


async def platform_retention(services: Services, from_ms: int, to_ms: int, cohort: str) -> list[rules.Cohort]:
    start, end = _cohort_days(from_ms, to_ms)
    members = []
    if cohort == SIGN_UP:
        async for user in _each(services, "users", {"createdAt": {"$gte": start, "$lt": end}}, "createdAt"):
            day = rules.day_start(user["createdAt"])
            members.append(rules.Member(day, await _returned(services, user["_id"], day, None)))
    else:
        seen: set[str] = set()
        async for order in _each(services, "orders", {"paidAt": {"$gte": start, "$lt": end}}, "paidAt"):
            buyer = order["buyerId"]
            if buyer in seen:
                continue
            seen.add(buyer)  # orders come in paidAt order: this one is the buyer's first in the range
            if await _any(services, "orders", {"buyerId": buyer, "paidAt": {"$lt": order["paidAt"]}}):
                continue  # they first paid before the range
            day = rules.day_start(order["paidAt"])
            members.append(rules.Member(day, await _returned(services, buyer, day, None)))
    return rules.cohorts(members)


async def shop_retention(services: Services, shop_id: str, from_ms: int, to_ms: int) -> list[rules.Cohort]:
    start, end = _cohort_days(from_ms, to_ms)
    members, seen = [], set()
    async for order in _each(services, "orders", {"shopId": shop_id, "paidAt": {"$gte": start, "$lt": end}}, "paidAt"):
        buyer = order["buyerId"]
        if buyer in seen:
            continue
        seen.add(buyer)
        earlier = {"shopId": shop_id, "buyerId": buyer, "paidAt": {"$lt": order["paidAt"]}}
        if await _any(services, "orders", earlier):
            continue
        day = rules.day_start(order["paidAt"])
        members.append(rules.Member(day, await _returned(services, buyer, day, shop_id)))
    return rules.cohorts(members)

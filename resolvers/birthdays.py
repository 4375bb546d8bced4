"""The birthday coupon benefit: the user's `birthday` ("MM-DD", set on updateProfile) and the sweep step that, on
it (Shanghai), issues the coupon their member level names (`birthday_coupon_id`) once a year.

The level's coupon is a template: each month of birthdays gets its own copy of it (`{template}:birthday:{YYYY-MM}`,
same shop, title, discount and minimum spend, as many copies as the template, valid to the end of the month after),
created on the first birthday of that month, and the user gets it through the ordinary claim
(resolvers/coupons.take_copy), whose unique claim id is the idempotency: racing sweeps issue it once. The user's
`birthdayGiftDue` (Shanghai midnight of the next birthday, indexed) is what the sweep looks for, advanced by
compare-and-set to the following year's with `birthdayGiftYear`, so a birthday moved after its gift waits for the
next year. Users without a birthday have no due date; a level without a birthday coupon gives nothing that year."""

from __future__ import annotations

import logging
from typing import Any

from domain import birthdays as rules
from resolvers import coupons, membership
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
DAY_MS = 86_400_000


def changes_for(services: Services, user: Doc, birthday: str) -> dict[str, Any]:
    """The user fields a valid new birthday sets ("" clears it, and its due gift)."""
    parsed = rules.parse(birthday)
    if parsed is None:
        return {"birthday": None, "birthdayGiftDue": None}
    due = rules.next_due(*parsed, services.now(), user.get("birthdayGiftYear"))
    return {"birthday": birthday, "birthdayGiftDue": due}


async def issue_due(services: Services, limit: int = 200) -> int:
    """The sweep's step: the birthday coupon of each user whose birthday has come (one per user and year); how many
    were issued."""
    store, now = services.store, services.now()
    page = await store.find("users", {"birthdayGiftDue": {"$lte": now}}, sort="birthdayGiftDue", limit=limit)
    if not page.docs:
        return 0
    levels = await membership.table(services)
    issued = 0
    for user in page.docs:
        due = int(user["birthdayGiftDue"])
        year = rules.local_year(due)
        template = membership.of_growth(levels, int(user.get("growth", 0))).level.benefits.birthday_coupon_id
        if template and user.get("birthdayGiftYear") != year and not user.get("deletedAt"):
            issued += await _issue(services, template, user["_id"], due)
        parsed = rules.parse(user.get("birthday") or "")
        following = rules.next_due(*parsed, max(now, due + DAY_MS), year) if parsed else None
        await store.update_one(
            "users",
            {"_id": user["_id"], "birthdayGiftDue": due},
            {"$set": {"birthdayGiftDue": following, "birthdayGiftYear": year}},
        )
    return issued


async def _issue(services: Services, template_id: str, user_id: str, due: int) -> int:
    store = services.store
    template = await store.get("coupons", template_id)
    if template is None or template["validUntil"] <= services.now():
        log.warning("birthday coupon %s is gone or expired: user %s gets none", template_id, user_id)
        return 0
    coupon_id, valid_until = rules.month_coupon(template_id, due)
    if await store.get("coupons", coupon_id) is None:
        copy = {k: template[k] for k in ("shopId", "title", "discount", "minSpend", "quantity")}
        copy |= {"_id": coupon_id, "remaining": template["quantity"], "validUntil": valid_until}
        copy |= {"giftOf": template_id, "createdAt": services.now(), "createdBy": "birthday"}
        try:
            await store.insert("coupons", copy)
        except DuplicateKey:
            pass  # another sweep made this month's copy first
    try:
        taken = await coupons.take_copy(services, coupon_id, user_id, gift="birthday")
    except DuplicateKey:
        return 0  # issued already (a racing sweep, or this one before a crash)
    if taken is None:
        log.warning("birthday coupon %s has no copies left: user %s gets none", coupon_id, user_id)
        return 0
    return 1

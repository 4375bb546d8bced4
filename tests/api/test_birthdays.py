"""The birthday coupon benefit through the API: a birthday ("MM-DD") set on updateProfile (bad ones refused, shown
to its owner only, in the data export, dropped on erasure), and the sweep issuing the member level's birthday coupon
on it (Shanghai) once a year, racing sweeps once, nobody without a birthday or whose level has none."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain import personal_data
from domain.ids import from_global_id
from domain.membership import Benefits, Level
from jobs.sweep import sweep
from resolvers.birthdays import issue_due
from resolvers.membership import set_levels
from tests.api.conftest import Api, Clock, make_product
from tests.api.test_coupons import CREATE, coupon_input

UPDATE = """mutation($b: String) { updateProfile(input: {birthday: $b}) {
  user { id birthday } errors { code field message } } }"""
ME = "{ me { birthday } }"
OTHER = "query($id: ID!) { user(id: $id) { birthday } }"
MINE = "{ myCoupons { id title usable discount { amount } } }"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(datetime(year, month, day, hour, tzinfo=SHANGHAI).timestamp() * 1000)


async def set_birthday(api: Api, token: str, birthday: str | None) -> Any:
    return (await api.gql(UPDATE, {"b": birthday}, token=token))["data"]["updateProfile"]


async def world(api: Api) -> tuple[Clock, str]:
    """A clock at 2026-08-14 09:00 in Shanghai, and a level table whose first level's birthday coupon is a shop's
    (10 yuan off from 50, 5 copies a month); the template's id."""
    clock = Clock(at(2026, 8, 14, 9))
    api.services.clock = clock
    owner, _ = await api.login("生日店主")
    shop, _, _ = await make_product(api, owner)
    until = datetime.fromtimestamp(at(2028, 1, 1) / 1000, UTC).isoformat()
    made = (await api.gql(CREATE, {"in": coupon_input(shop, validUntil=until)}, token=owner))["data"]["createCoupon"]
    template = from_global_id(made["coupon"]["id"])[1]
    await set_levels(
        api.services,
        "op",
        [Level(1, "会员", 0, Benefits(birthday_coupon_id=template)), Level(2, "高级", 10**6, Benefits())],
    )
    return clock, template


async def test_a_birthday_is_set_checked_shown_to_its_owner_only_and_cleared(api: Api) -> None:
    me, user = await api.login("寿星")
    other, _ = await api.login("路人")
    # bad birthdays are refused on their field, and nothing is written
    for bad in ("8-15", "02-30", "13-01", "00-10", "2026-08-15", "ab-cd", "08/15"):
        got = await set_birthday(api, me, bad)
        assert [(e["code"], e["field"]) for e in got["errors"]] == [("INVALID_INPUT", ["input", "birthday"])], bad
    assert (await api.gql(ME, token=me))["data"]["me"]["birthday"] is None
    # a good one is kept and shown to its owner, not to others
    got = await set_birthday(api, me, "02-29")
    assert got["errors"] == [] and got["user"]["birthday"] == "02-29"
    assert (await api.gql(ME, token=me))["data"]["me"]["birthday"] == "02-29"
    assert (await api.gql(OTHER, {"id": user["id"]}, token=other))["data"]["user"]["birthday"] is None
    # the data export shows it; erasure drops it with its due date
    doc = await api.services.store.get("users", from_global_id(user["id"])[1]) or {}
    exported = personal_data.exported(doc, personal_data.TABLE["users"])  # type: ignore[arg-type]
    assert exported["birthday"] == "02-29" and "birthdayGiftDue" in exported
    _, unset = personal_data.tombstone(0)
    assert {"birthday", "birthdayGiftDue", "birthdayGiftYear"} <= set(unset)
    # and "" clears it (and its gift)
    got = await set_birthday(api, me, "")
    assert got["errors"] == [] and got["user"]["birthday"] is None
    assert (await api.services.store.get("users", from_global_id(user["id"])[1]) or {})["birthdayGiftDue"] is None


async def test_the_levels_birthday_coupon_comes_on_the_birthday_once_a_year(api: Api) -> None:
    clock, template = await world(api)
    me, _ = await api.login("八月寿星")
    nobody, _ = await api.login("没填生日")
    assert (await set_birthday(api, me, "08-15"))["errors"] == []
    # not the day before
    await sweep(api.services)
    assert (await api.gql(MINE, token=me))["data"]["myCoupons"] == []
    # on the birthday (Shanghai midnight), the sweep issues it: a copy of the template for August, usable
    clock.ms = at(2026, 8, 15, 0)
    await sweep(api.services)
    mine = (await api.gql(MINE, token=me))["data"]["myCoupons"]
    assert [(c["title"], c["usable"], c["discount"]["amount"]) for c in mine] == [("满50减10", True, 1000)]
    assert from_global_id(mine[0]["id"])[1] == f"{template}:birthday:2026-08"
    # and no more that day, nor later that year (even when the birthday moves to a later day)
    await sweep(api.services)
    clock.ms = at(2026, 8, 15, 23)
    await sweep(api.services)
    assert (await set_birthday(api, me, "10-01"))["errors"] == []
    clock.ms = at(2026, 10, 1, 8)
    await sweep(api.services)
    assert len((await api.gql(MINE, token=me))["data"]["myCoupons"]) == 1
    # the next year's birthday brings the next one; a user without a birthday never gets one
    clock.ms = at(2027, 10, 1, 8)
    await sweep(api.services)
    mine = (await api.gql(MINE, token=me))["data"]["myCoupons"]
    assert sorted(from_global_id(c["id"])[1] for c in mine) == [
        f"{template}:birthday:2026-08",
        f"{template}:birthday:2027-10",
    ]
    assert (await api.gql(MINE, token=nobody))["data"]["myCoupons"] == []
    # the gift is issued, not claimed: claimCoupon refuses it
    claim = "mutation($id: ID!) { claimCoupon(input: {couponId: $id}) { errors { code } } }"
    refused = await api.gql(claim, {"id": mine[0]["id"]}, token=nobody)
    assert refused["data"]["claimCoupon"]["errors"] == [{"code": "COUPON_UNAVAILABLE"}]


async def test_a_level_without_a_birthday_coupon_gives_nothing(api: Api) -> None:
    clock, _ = await world(api)
    me, user = await api.login("高级寿星")
    assert (await set_birthday(api, me, "08-15"))["errors"] == []
    await api.services.store.update_one("users", {"_id": from_global_id(user["id"])[1]}, {"$set": {"growth": 10**6}})
    clock.ms = at(2026, 8, 15, 1)
    assert await issue_due(api.services) == 0
    assert (await api.gql(MINE, token=me))["data"]["myCoupons"] == []
    # and it is not looked at again until next year's birthday
    doc = await api.services.store.get("users", from_global_id(user["id"])[1]) or {}
    assert doc["birthdayGiftDue"] == at(2027, 8, 15) and doc["birthdayGiftYear"] == 2026


async def test_racing_sweeps_issue_the_birthday_coupon_once(api: Api) -> None:
    clock, template = await world(api)
    tokens = [(await api.login(f"同日寿星{i}"))[0] for i in range(3)]
    for token in tokens:
        assert (await set_birthday(api, token, "08-15"))["errors"] == []
    clock.ms = (
        at(
            2026,
            8,
            15,
            0,
        )
        + 1
    )
    issued = await asyncio.gather(*(issue_due(api.services) for _ in range(8)))
    assert sum(issued) == 3
    for token in tokens:
        assert len((await api.gql(MINE, token=token))["data"]["myCoupons"]) == 1
    copy = await api.services.store.get("coupons", f"{template}:birthday:2026-08") or {}
    assert copy["remaining"] == copy["quantity"] - 3

"""grantCouponToSegment: every member of the segment gets the coupon once — with one key twice, with calls and
workers racing, and after a crash between the claims and the grant's progress."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from resolvers import segments as segments_uc
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_coupons import CREATE as CREATE_COUPON
from tests.api.test_coupons import coupon_input
from tests.api.test_segments import paid, raw, refresh, settle

GRANT = """mutation($c: ID!, $g: RfmSegment!, $k: String!) {
  grantCouponToSegment(input: {couponId: $c, segment: $g, idempotencyKey: $k}) {
  grant { id segment status total processed granted alreadyHeld missed coupon { remaining } }
  errors { code field message } } }"""
PROGRESS = """query($id: ID!) { couponGrant(id: $id) { status total processed granted alreadyHeld missed
  coupon { remaining } } }"""
CLAIM = "mutation($id: ID!) { claimCoupon(input: {couponId: $id}) { errors { code } } }"
MINE = "{ myCoupons { id } }"


async def world(api: Api, buyers: int = 6, quantity: int = 10) -> tuple[str, str, str, list[dict[str, Any]]]:
    """(owner, shop, coupon, buyers): every buyer bought once, the same amount, the same day: all 一般挽留."""
    owner, _ = await api.login("发券店主")
    shop, _, _ = await make_product(api, owner)
    made = (await api.gql(CREATE_COUPON, {"in": coupon_input(shop, quantity=quantity)}, token=owner))["data"]
    coupon = made["createCoupon"]["coupon"]["id"]
    people = []
    for i in range(buyers):
        token, user = await api.login(f"发券买家{i}")
        await paid(api, shop, user["id"], 3, 1000)
        people.append({"token": token, "id": user["id"]})
    await refresh(api, owner, shop)
    return owner, shop, coupon, people


async def grant(api: Api, token: str, coupon: str, key: str, segment: str = "GENERAL_WINBACK") -> dict[str, Any]:
    payload: dict[str, Any] = (await api.gql(GRANT, {"c": coupon, "g": segment, "k": key}, token=token))["data"][
        "grantCouponToSegment"
    ]
    return payload


async def claims_of(api: Api, coupon: str) -> list[dict[str, Any]]:
    return (await api.services.store.find("coupon_claims", {"couponId": raw(coupon)}, limit=1000)).docs


async def test_a_grant_gives_every_member_the_coupon_once_and_one_key_twice_is_the_same_grant(api: Api) -> None:
    # given: one member claimed the coupon already
    owner, _, coupon, people = await world(api)
    assert (await api.gql(CLAIM, {"id": coupon}, token=people[0]["token"]))["data"]["claimCoupon"]["errors"] == []
    # when
    first = await grant(api, owner, coupon, "winback-1")
    await settle(api)
    again = await grant(api, owner, coupon, "winback-1")
    await settle(api)
    # then
    assert first["errors"] == [] and first["grant"]["status"] == "RUNNING" and first["grant"]["total"] == 6
    progress = (await api.gql(PROGRESS, {"id": first["grant"]["id"]}, token=owner))["data"]["couponGrant"]
    assert progress == {
        "status": "DONE", "total": 6, "processed": 6, "granted": 5, "alreadyHeld": 1, "missed": 0,
        "coupon": {"remaining": 4},
    }  # fmt: skip
    assert again["errors"] == [] and again["grant"]["id"] == first["grant"]["id"]
    assert again["grant"]["coupon"] == {"remaining": 4}
    assert sorted(c["userId"] for c in await claims_of(api, coupon)) == sorted(raw(p["id"]) for p in people)
    for person in people:
        assert [c["id"] for c in (await api.gql(MINE, token=person["token"]))["data"]["myCoupons"]] == [coupon]


async def test_a_key_used_for_another_segment_or_coupon_is_refused_and_nothing_moves(api: Api) -> None:
    owner, shop, coupon, _ = await world(api)
    assert (await grant(api, owner, coupon, "k"))["errors"] == []
    await settle(api)
    other = await grant(api, owner, coupon, "k", segment="IMPORTANT_VALUE")
    assert other == {
        "grant": None,
        "errors": [
            {"code": "CONFLICT", "field": ["input", "idempotencyKey"], "message": other["errors"][0]["message"]}
        ],
    }
    assert await api.services.store.count("coupon_grants", {"shopId": raw(shop)}) == 1


async def test_grants_are_refused_for_another_shops_coupon_too_few_copies_or_no_run(api: Api) -> None:
    owner, shop, coupon, _ = await world(api, quantity=10)
    stranger, _ = await api.login("别家发券")
    refused = await grant(api, stranger, coupon, "x")
    assert refused["errors"][0]["code"] == "FORBIDDEN" and refused["errors"][0]["field"] == ["input", "couponId"]
    few = (await api.gql(CREATE_COUPON, {"in": coupon_input(shop, quantity=5)}, token=owner))["data"]
    short = await grant(api, owner, few["createCoupon"]["coupon"]["id"], "y")
    assert short["errors"][0]["code"] == "COUPON_UNAVAILABLE"  # 6 members, 5 copies
    other_shop, _, _ = await make_product(api, stranger, title="未分群")
    theirs = (await api.gql(CREATE_COUPON, {"in": coupon_input(other_shop)}, token=stranger))["data"]
    none_yet = await grant(api, stranger, theirs["createCoupon"]["coupon"]["id"], "z")
    assert none_yet["errors"][0]["code"] == "INVALID_STATE"
    assert await api.services.store.count("coupon_grants", None) == 0
    assert await claims_of(api, coupon) == []


async def test_racing_calls_with_one_key_make_one_grant(api: Api) -> None:
    owner, _, coupon, people = await world(api)
    results = await asyncio.gather(*(grant(api, owner, coupon, "race") for _ in range(8)))
    await settle(api)
    assert {r["grant"]["id"] for r in results} == {results[0]["grant"]["id"]}
    assert await api.services.store.count("coupon_grants", None) == 1
    assert len(await claims_of(api, coupon)) == len(people)
    coupon_doc = await api.services.store.get("coupons", raw(coupon))
    assert coupon_doc is not None and coupon_doc["remaining"] == 10 - len(people)


async def test_racing_workers_on_one_grant_give_each_member_one_copy(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a grant no worker has started (spawning is held back), in batches of 2
    monkeypatch.setattr(segments_uc, "GRANT_BATCH", 2)
    owner, _, coupon, people = await world(api)
    monkeypatch.setattr(api.services, "spawn", lambda work, name: work.close())
    grant_id = raw((await grant(api, owner, coupon, "workers"))["grant"]["id"])
    # when: 4 workers at once, then the job's resume
    await asyncio.gather(*(segments_uc.run_grant(api.services, grant_id) for _ in range(4)))
    await segments_uc.resume_grants(api.services)
    # then
    done = await api.services.store.get("coupon_grants", grant_id)
    assert done is not None and (done["status"], done["position"], done["granted"]) == ("DONE", 6, 6)
    assert len(await claims_of(api, coupon)) == len(people)
    coupon_doc = await api.services.store.get("coupons", raw(coupon))
    assert coupon_doc is not None and coupon_doc["remaining"] == 4


async def test_a_grant_resumes_after_a_crash_between_its_claims_and_its_progress(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the worker dies after claiming its second batch, before it moves the grant's position
    monkeypatch.setattr(segments_uc, "GRANT_BATCH", 2)
    owner, _, coupon, people = await world(api)
    store = api.services.store
    real_update = store.update_one
    moves = 0

    async def crashing(collection: str, where: Any, update: Any) -> Any:
        nonlocal moves
        if collection == "coupon_grants" and "position" in where:
            moves += 1
            if moves == 2:
                raise RuntimeError("the process died")
        return await real_update(collection, where, update)

    monkeypatch.setattr(store, "update_one", crashing)
    grant_id = raw((await grant(api, owner, coupon, "crash"))["grant"]["id"])
    await settle(api)
    half = await store.get("coupon_grants", grant_id)
    assert half is not None and (half["status"], half["position"], half["granted"]) == ("RUNNING", 2, 2)
    assert len(await claims_of(api, coupon)) == 4  # the second batch's claims were made
    # when: its lease runs out and the segments job resumes it
    assert await segments_uc.resume_grants(api.services) == 0  # the lease still holds
    use_clock(api).advance(minutes=2)
    assert await segments_uc.resume_grants(api.services) == 1
    # then: each member once, every one counted as granted by this grant
    done = await api.gql(PROGRESS, {"id": (await grant(api, owner, coupon, "crash"))["grant"]["id"]}, token=owner)
    assert done["data"]["couponGrant"] == {
        "status": "DONE", "total": 6, "processed": 6, "granted": 6, "alreadyHeld": 0, "missed": 0,
        "coupon": {"remaining": 4},
    }  # fmt: skip
    assert sorted(c["userId"] for c in await claims_of(api, coupon)) == sorted(raw(p["id"]) for p in people)


async def test_a_coupon_that_expires_during_a_grant_is_missed_by_the_rest(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, _, coupon, people = await world(api)
    monkeypatch.setattr(api.services, "spawn", lambda work, name: work.close())
    grant_id = raw((await grant(api, owner, coupon, "late"))["grant"]["id"])
    use_clock(api).advance(days=8)  # the coupon was valid for 7
    await segments_uc.run_grant(api.services, grant_id)
    done = await api.services.store.get("coupon_grants", grant_id)
    assert done is not None and (done["status"], done["granted"], done["missed"]) == ("DONE", 0, len(people))
    assert await claims_of(api, coupon) == []

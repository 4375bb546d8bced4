"""deleteMyAccount through the API: the cooling-off period (cancellable, logging in still works and shows it),
what blocks a deletion, asking twice (at once, or during the cooling-off period) being one deletion, and what the
sweep leaves once it is carried out: the person gone (profile, logins, content, graph, addresses), the books kept
with the buyer anonymised (orders, commissions, the ledger), the graph equal to a rebuild, an interrupted erasure
resumed at its step."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from domain import account_deletion as rules
from domain.ids import to_global_id
from graph.memory import MemoryGraph
from graph.projector import rebuild
from jobs.sweep import sweep
from resolvers import account_erasure
from resolvers.account_deletion import erase_due
from resolvers.distribution import verify_ledger
from resolvers.services import Services
from tests.api.conftest import Api, make_product, use_clock
from tests.api.personal_world import World, ask, build
from tests.api.test_after_sales import REQUEST
from tests.api.test_content import MODERATE, operator
from tests.api.test_data_export import export_now, fetch
from tests.api.test_orders import CONFIRM, SHIP, act, line, pay, place
from tests.api.test_payouts import earner

DELETE = """mutation($r: String) { deleteMyAccount(input: {reason: $r, clientMutationId: "d"}) {
  accountDeletion { status requestedAt scheduledFor cancelledAt blockedBy } clientMutationId
  errors { code field } } }"""
CANCEL = """mutation { cancelAccountDeletion(input: {}) {
  accountDeletion { status scheduledFor cancelledAt } errors { code field } } }"""
ME = "{ me { id nickname accountDeletion { status scheduledFor blockedBy } } }"
USER = """query($id: ID!) { user(id: $id) { nickname avatarUrl bio followerCount followingCount
  followers { edges { node { id } } } following { edges { node { id } } } } }"""
POST = """query($id: ID!) { post(id: $id) { title likeCount commentCount moderation
  comments { edges { node { id body author { nickname } } } } topics { name postCount } } }"""
ORDER = """query($id: ID!) { order(id: $id) { status total { amount } buyer { nickname }
  shippingAddress { recipient phone fullPhone detail provinceName districtName postcode } shipments { id } } }"""
DEV_LOGIN = """mutation($n: String!) { devLogin(input: {nickname: $n}) {
  accessToken user { id nickname } accountDeletion { status } errors { code } } }"""
REFRESH = """mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken errors { code } } }"""


def gid(kind: str, raw_id: str) -> str:
    return to_global_id(kind, raw_id)


async def raw_id(api: Api, nickname: str) -> str:
    return str((await api.services.store.find("users", {"nickname": nickname}, limit=1)).docs[0]["_id"])


async def status_of(api: Api, token: str) -> int:
    resp = await api.client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    return resp.status


async def edges(graph: Any) -> dict[str, set[tuple[str, str]]]:
    return {
        rel: {e async for batch in graph.edges(rel) for e in batch}
        for rel in ("FOLLOWS", "FRIEND", "BLOCKS", "BOUGHT", "ENGAGED")
    }


async def carried_out(api: Api, world: World) -> None:
    """The cooling-off period passes and the sweep runs (the projector applies what it emitted)."""
    world.clock.advance(days=15, minutes=1)
    await sweep(api.services)
    await api.services.projector.drain()


@pytest.fixture
async def world(api: Api, tmp_path: Path) -> World:
    return await build(api, tmp_path)


@pytest.fixture
async def erased(api: Api, world: World) -> World:
    """The world after 甲 asked for their account's deletion (with an export made first) and it was carried out."""
    world.ids["exportUrl"] = (await export_now(api, world.me))["url"]
    asked = await ask(api, DELETE, world.me, r="不用了")
    assert asked["errors"] == [] and asked["accountDeletion"]["status"] == "PENDING", asked
    await carried_out(api, world)
    doc = await api.services.store.get("account_deletions", world.me_id)
    assert doc is not None and doc["status"] == rules.DONE, doc
    return world


# -- the cooling-off period ------------------------------------------------------------------------------------
async def test_a_deletion_waits_15_days_during_which_login_works_and_shows_it(api: Api, world: World) -> None:
    # when 甲 asks
    asked = await ask(api, DELETE, world.me, r="不用了")
    # then it is PENDING until ACCOUNT_DELETION_COOLING_DAYS (15) from now
    deletion = asked["accountDeletion"]
    assert asked["errors"] == [] and asked["clientMutationId"] == "d" and deletion["status"] == "PENDING"
    assert deletion["blockedBy"] == [] and deletion["cancelledAt"] is None
    doc = await api.services.store.get("account_deletions", world.me_id)
    assert doc is not None and doc["dueAt"] == world.clock.ms + 15 * rules.DAY_MS
    # and logging in still works, and shows it
    login = await ask(api, DEV_LOGIN, n="甲")
    assert login["errors"] == [] and login["accountDeletion"] == {"status": "PENDING"}
    assert (await ask(api, ME, login["accessToken"]))["accountDeletion"]["status"] == "PENDING"
    # and the sweep before the end of the period changes nothing
    world.clock.advance(days=14)
    await sweep(api.services)
    assert (await ask(api, ME, world.me))["nickname"] == "甲"


async def test_asking_again_during_the_cooling_off_period_is_the_same_single_deletion(api: Api, world: World) -> None:
    first = (await ask(api, DELETE, world.me))["accountDeletion"]
    world.clock.advance(days=3)
    again = await ask(api, DELETE, world.me, r="再说一次")
    assert again["errors"] == [] and again["accountDeletion"] == first  # not even its date moves
    assert await api.services.store.count("account_deletions", {"userId": world.me_id}) == 1
    # cancelling undoes it, twice is the same; asking after that is a new deletion with a new period
    cancelled = await ask(api, CANCEL, world.me)
    assert cancelled["errors"] == [] and cancelled["accountDeletion"]["status"] == "CANCELLED"
    assert (await ask(api, CANCEL, world.me))["accountDeletion"] == cancelled["accountDeletion"]
    world.clock.advance(days=20)
    await sweep(api.services)
    assert (await ask(api, ME, world.me))["accountDeletion"]["status"] == "CANCELLED"
    renewed = (await ask(api, DELETE, world.me))["accountDeletion"]
    assert renewed["status"] == "PENDING" and renewed["scheduledFor"] > first["scheduledFor"]


async def test_asking_five_times_at_once_is_one_deletion(api: Api) -> None:
    token, _ = await api.login("急性子")
    results = await asyncio.gather(*(ask(api, DELETE, token) for _ in range(5)))
    assert all(r["errors"] == [] for r in results)
    assert all(r["accountDeletion"] == results[0]["accountDeletion"] for r in results)
    assert await api.services.store.count("account_deletions", {"userId": await raw_id(api, "急性子")}) == 1


async def test_cancelling_races_the_sweep_and_exactly_one_wins(api: Api) -> None:
    clock = use_clock(api)
    for i in range(3):
        token, _ = await api.login(f"犹豫{i}")
        user_id = await raw_id(api, f"犹豫{i}")
        await ask(api, DELETE, token)
        clock.advance(days=15, minutes=1)
        cancelling = api.gql(CANCEL, token=token, expect_errors=True)
        answer, erased = await asyncio.gather(cancelling, erase_due(api.services))
        doc = await api.services.store.get("account_deletions", user_id)
        assert doc is not None
        if doc["status"] == "DONE":  # the sweep won: too late to cancel (or already signed out by it)
            assert erased == 1
            refusal = answer.get("errors") or answer["data"]["cancelAccountDeletion"]["errors"]
            assert refusal[0].get("code", refusal[0].get("extensions", {}).get("code")) in (
                "INVALID_STATE",
                "UNAUTHENTICATED",
            )
        else:  # the cancel won: nothing erased, the user still there
            assert (doc["status"], erased) == ("CANCELLED", 0)
            assert answer["data"]["cancelAccountDeletion"]["accountDeletion"]["status"] == "CANCELLED"
            assert (await ask(api, ME, token))["nickname"] == f"犹豫{i}"  # not even signed out


async def test_nothing_to_cancel_is_not_found(api: Api) -> None:
    token, _ = await api.login("没注销")
    assert (await ask(api, CANCEL, token))["errors"] == [{"code": "NOT_FOUND", "field": None}]
    assert (await ask(api, CANCEL))["errors"] == [{"code": "UNAUTHENTICATED", "field": None}]
    refused = await api.gql(
        'mutation { deleteMyAccount(input: {userId: "x"}) { errors { code } } }', token=token, expect_errors=True
    )
    assert "errors" in refused  # no argument names a user: it is always the viewer's


# -- what blocks it --------------------------------------------------------------------------------------------
async def test_open_orders_and_a_shop_block_a_deletion_one_error_each(api: Api) -> None:
    token, _ = await api.login("开店的")
    _, _, (sku,) = await make_product(api, token)  # a shop of their own
    placed = await place(api, token, [line(sku)], "unpaid")
    assert placed["errors"] == []
    refused = await ask(api, DELETE, token)
    assert refused["errors"] == [{"code": "OPEN_ORDERS", "field": None}, {"code": "OWNS_SHOP", "field": None}]
    assert refused["accountDeletion"] is None
    assert await api.services.store.count("account_deletions", {}) == 0


@pytest.mark.parametrize("due", ["refundDue", "priceRefundDue", "wechatReportDue"])
async def test_a_finished_order_with_a_refund_or_a_wechat_report_still_due_blocks_a_deletion(
    api: Api, due: str
) -> None:
    token, _ = await api.login("等退款")
    user_id = await raw_id(api, "等退款")
    order = {"_id": "o1", "buyerId": user_id, "number": "N1", "idempotencyKey": "k", "status": "COMPLETED"}
    await api.services.store.insert("orders", {**order, due: 1})
    assert (await ask(api, DELETE, token))["errors"] == [{"code": "OPEN_ORDERS", "field": None}]
    await api.services.store.update_one("orders", {"_id": "o1"}, {"$unset": {due: ""}})  # done: no longer
    assert (await ask(api, DELETE, token))["errors"] == []


async def test_money_in_the_balance_blocks_a_deletion(api: Api) -> None:
    token = await earner(api, None, "有佣金")
    assert (await ask(api, DELETE, token))["errors"] == [{"code": "BALANCE_NOT_EMPTY", "field": None}]


async def test_an_open_after_sale_or_withdrawal_blocks_a_deletion(api: Api) -> None:
    owner, _ = await api.login("售后店")
    token, _ = await api.login("售后中")
    _, _, (sku,) = await make_product(api, owner)
    placed = await place(api, token, [line(sku)], "o")
    await pay(api, token, placed["order"]["id"])
    await act(api, SHIP, owner, placed["order"]["id"])
    await act(api, CONFIRM, token, placed["order"]["id"])
    request = {
        "orderId": placed["order"]["id"],
        "kind": "REFUND_ONLY",
        "lines": [{"lineIndex": 0, "quantity": 1}],
        "reason": "坏了",
        "idempotencyKey": "as",
    }
    assert (await api.gql(REQUEST, {"in": request}, token=token))["data"]["requestAfterSale"]["errors"] == []
    user_id = await raw_id(api, "售后中")
    await api.services.store.insert(
        "withdrawals",
        {"_id": "w1", "userId": user_id, "key": "k", "amount": 100, "status": "PROCESSING", "createdAt": 1},
    )
    assert (await ask(api, DELETE, token))["errors"] == [
        {"code": "OPEN_AFTER_SALES", "field": None},
        {"code": "OPEN_WITHDRAWALS", "field": None},
    ]


async def test_an_order_paid_during_the_cooling_off_period_postpones_the_deletion(api: Api, world: World) -> None:
    assert (await ask(api, DELETE, world.me))["errors"] == []
    placed = await place(api, world.me, [line(world.sku)], "late-order")
    assert (await pay(api, world.me, placed["order"]["id"], key="late"))["errors"] == []
    # when the period is over, the order still open
    await carried_out(api, world)
    # then nothing is erased, the deletion names why, and 甲 (not logged out) sees it
    shown = (await ask(api, ME, world.me))["accountDeletion"]
    assert shown == {"status": "PENDING", "scheduledFor": shown["scheduledFor"], "blockedBy": ["OPEN_ORDERS"]}
    # and once the order is done, the next look an hour later carries it out
    await act(api, SHIP, world.merchant, placed["order"]["id"])
    await act(api, CONFIRM, world.me, placed["order"]["id"])
    world.clock.advance(minutes=61)
    await sweep(api.services)
    assert (await api.services.store.get("account_deletions", world.me_id) or {})["status"] == "DONE"
    assert await status_of(api, world.me) == 401


async def test_an_order_that_slipped_in_as_the_logins_were_revoked_sends_it_back_to_pending(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await ask(api, DELETE, world.me))["errors"] == []
    revoke = account_erasure.ERASERS["token_families"]

    async def racing_order(services: Services, user_id: str) -> None:  # paid by a request already under way
        await services.store.insert("orders", {"_id": "slipped", "buyerId": user_id, "status": "PAID"})
        await revoke(services, user_id)

    monkeypatch.setitem(account_erasure.ERASERS, "token_families", racing_order)
    await carried_out(api, world)
    doc = await api.services.store.get("account_deletions", world.me_id)
    assert doc is not None and (doc["status"], doc["blockedBy"], "step" in doc) == ("PENDING", ["OPEN_ORDERS"], False)
    # signed out, but the login still works and shows why
    login = await ask(api, DEV_LOGIN, n="甲")
    assert login["errors"] == [] and login["accountDeletion"]["status"] == "PENDING"
    assert (await ask(api, ME, login["accessToken"]))["accountDeletion"]["blockedBy"] == ["OPEN_ORDERS"]


# -- once carried out ------------------------------------------------------------------------------------------
async def test_the_person_is_gone(api: Api, erased: World) -> None:
    w, store = erased, api.services.store
    # logins: the access token, the refresh token and the identity are gone; the same login is a new user
    assert await status_of(api, w.me) == 401
    assert await store.count("identities", {"userId": w.me_id}) == 0
    assert await store.count("refresh_tokens", {"userId": w.me_id}) == 0
    families = await store.find("token_families", {"userId": w.me_id}, limit=50)
    assert families.docs and all(f["revoked"] for f in families.docs)
    again = await ask(api, DEV_LOGIN, n="甲")
    assert again["errors"] == [] and again["user"]["id"] != gid("User", w.me_id)
    assert again["accountDeletion"] is None
    # the profile is a tombstone
    shown = await ask(api, USER, w.friend, id=gid("User", w.me_id))
    assert (shown["nickname"], shown["avatarUrl"], shown["bio"]) == ("已注销用户", None, None)
    assert (shown["followerCount"], shown["followingCount"]) == (0, 0)
    user = await store.get("users", w.me_id)
    assert user is not None and not {"openid", "inviteCode", "region", "invitedBy"} & set(user)
    # their points are forfeit by one ledger entry: the tombstone's 0 is the ledger's sum
    entries = (await store.find("points_ledger", {"userId": w.me_id}, limit=100)).docs
    assert user["points"] == 0 == sum(e["amount"] for e in entries)
    assert [e["reason"] for e in entries if e["_id"] == f"forfeit:{w.me_id}"] == ["ACCOUNT_DELETED"]
    # follows both ways went, with the counts of the other side
    friend = await ask(api, USER, w.friend, id=gid("User", w.friend_id))
    assert (friend["followerCount"], friend["followingCount"]) == (0, 0)
    assert await store.count("follows", {"src": w.me_id}) == await store.count("follows", {"dst": w.me_id}) == 0
    assert await store.count("blocks", {"src": w.me_id}) == 0
    # content: the post is removed for everyone (and its topic counts it no more), the comment on the friend's post
    # is gone and counted no more, the like too, the video's files deleted, the activities gone
    assert await ask(api, POST, w.friend, id=gid("Post", w.ids["post"])) is None
    removed = await store.get("posts", w.ids["post"])
    assert removed is not None and removed["moderation"] == "REMOVED" and removed["title"] == removed["body"] == ""
    moderator = await operator(api)
    blank = await ask(api, POST, moderator, id=gid("Post", w.ids["post"]))
    assert (blank["title"], blank["moderation"], blank["topics"]) == ("", "REMOVED", [{"name": "绿茶", "postCount": 1}])
    assert [c["node"]["body"] for c in blank["comments"]["edges"]] == ["好看"]  # the friend's comment is theirs
    # operators see it blank, and cannot approve it again
    again_approved = await api.gql(MODERATE, {"t": gid("Post", w.ids["post"]), "a": True}, token=moderator)
    assert again_approved["data"]["moderate"]["errors"] == [{"code": "INVALID_STATE"}]
    friends_post = await ask(api, POST, w.friend, id=gid("Post", w.ids["friendsPost"]))
    assert (friends_post["likeCount"], friends_post["commentCount"], friends_post["comments"]["edges"]) == (0, 0, [])
    assert friends_post["topics"] == [{"name": "绿茶", "postCount": 1}]
    assert await store.count("videos", {"ownerId": w.me_id}) == 0
    assert not list((api.services.settings.DATA_DIR / "media" / "videos").glob(f"{w.ids['video']}*"))
    assert await store.count("activities", {"actorId": w.me_id}) == 0
    assert await store.count("live_comments", {"authorId": w.me_id}) == 0
    # reviews: 甲's is removed and the rating counts it no more; the helpful mark and the favorite are gone
    review = await store.get("reviews", w.ids["review"])
    assert review is not None and review["moderation"] == "REMOVED" and review["text"] == ""
    rating = await store.get("product_ratings", review["productId"])
    assert rating is not None and (rating["count"], rating["s4"]) == (1, 0)  # the friend's 5 stars remain
    assert await store.count("review_helpful", {"userId": w.me_id}) == 0
    assert await store.count("reviews", {"helpfulCount": {"$gt": 0}}) == 0
    assert await store.count("favorites", {"userId": w.me_id}) == 0
    assert await store.count("favorite_counts", {"count": {"$gt": 0}}) == 0
    room = await store.get("live_rooms", w.ids["room"])
    assert room is not None and (room["status"], room["title"]) == ("ENDED", "")
    # commerce: the address book, unused coupon claims, the distributorship, the staff seat, the open bargain
    assert await store.count("addresses", {"userId": w.me_id}) == 0
    assert await store.get("address_books", w.me_id) is None
    assert await store.count("coupon_claims", {"userId": w.me_id}) == 0
    assert await store.count("distributors", {"userId": w.me_id}) == 0
    assert await store.count("shop_staff", {"userId": w.me_id}) == 0
    assert (await store.get("bargains", w.ids["bargain"]) or {})["status"] == "EXPIRED"
    assert await store.count("purchases", {"userId": w.me_id}) == 0
    assert await store.count("engagements", {"userId": w.me_id}) == 0
    # the export's link answers 410, its files are gone; the reason given is cleared
    assert (await fetch(api, w.ids["exportUrl"]))[0] == 410
    assert await store.count("data_exports", {"userId": w.me_id}) == 0
    assert not list((api.services.settings.DATA_DIR / "exports").iterdir())
    assert (await store.get("account_deletions", w.me_id) or {})["reason"] is None
    # and the nickname is free: the new 甲 holds it
    assert again["user"]["nickname"] == "甲"


async def test_the_books_are_kept_with_the_buyer_anonymised(api: Api, erased: World) -> None:
    w, store = erased, api.services.store
    # the order: as it was for the shop, the buyer the tombstone, the address only the region
    order = await ask(api, ORDER, w.merchant, id=gid("Order", w.ids["order"]))
    assert (order["status"], order["total"], len(order["shipments"])) == ("COMPLETED", {"amount": 4000}, 1)
    assert order["buyer"]["nickname"] == "已注销用户"
    assert order["shippingAddress"] == {
        "recipient": "已注销用户",
        "phone": "****",
        "fullPhone": "",
        "detail": "",
        "provinceName": "广东省",
        "districtName": "南山区",
        "postcode": None,
    }
    doc = await store.get("orders", w.ids["order"])
    assert doc is not None and "phoneTail" not in doc and "13912345678" not in str(doc)
    assert await store.count("orders", {"buyerId": w.me_id}) == 3  # the world's, the team's and the seckill's
    assert await store.count("after_sales", {"buyerId": w.me_id}) == 1
    # money: commissions, the balance, the ledger (whose hash chain still verifies), the withdrawal without openid
    assert await store.count("commissions", {"userId": w.me_id}) == 1
    assert (await store.get("balances", w.me_id) or {})["withdrawn"] == 1000
    assert await store.count("ledger", {"userId": w.me_id}) == 3
    entries, bad, _ = await verify_ledger(api.services)
    assert entries >= 3 and bad is None
    withdrawal = (await store.find("withdrawals", {"userId": w.me_id}, limit=5)).docs
    assert len(withdrawal) == 1 and "openid" not in withdrawal[0]
    # the team and the cut given stay (others' prices rest on them), shown as nobody in particular
    assert await store.count("team_members", {"userId": w.me_id}) == 1
    cuts = (
        await api.gql(
            "query($id: ID!) { bargain(id: $id) { cuts { helper { nickname } } } }",
            {"id": gid("Bargain", w.ids["friendsBargain"])},
            token=w.friend,
        )
    )["data"]["bargain"]["cuts"]
    assert cuts == [{"helper": {"nickname": "已注销用户"}}]
    # the report stays as the platform's moderation record
    assert await store.count("reports", {"userId": w.me_id}) == 1


async def test_the_graph_equals_a_rebuild_afterwards(api: Api, erased: World) -> None:
    live = await edges(api.services.backends.graph)
    fresh = MemoryGraph()
    await rebuild(api.services.store, fresh)
    assert live == await edges(fresh)
    touching = {rel: {e for e in pairs if erased.me_id in e} for rel, pairs in live.items()}
    assert touching == {rel: set() for rel in live}


async def test_the_world_had_edges_of_every_kind_before(api: Api, world: World) -> None:
    live = await edges(api.services.backends.graph)
    assert {rel for rel, pairs in live.items() if any(world.me_id in e for e in pairs)} == set(live)


# -- an erasure interrupted ------------------------------------------------------------------------------------
async def test_an_erasure_that_dies_part_way_resumes_at_its_step_and_counts_stay_exact(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    services: Services = api.services
    assert (await ask(api, DELETE, world.me))["errors"] == []
    # given a sweep that dies after dropping the first of 甲's three follows
    dropped = 0
    follows_step = account_erasure.ERASERS["follows"]
    real_drop = account_erasure.drop_follow

    async def dies_after_one(services: Services, src: str, dst: str) -> bool:
        nonlocal dropped
        if dropped == 1:
            raise RuntimeError("the process died")
        dropped += 1
        return await real_drop(services, src, dst)

    monkeypatch.setattr(account_erasure, "drop_follow", dies_after_one)
    world.clock.advance(days=15, minutes=1)
    with pytest.raises(RuntimeError):
        await erase_due(services)
    doc = await services.store.get("account_deletions", world.me_id)
    steps = list(account_erasure.ERASERS)
    assert doc is not None and (doc["status"], doc["step"]) == ("ERASING", steps.index("follows"))
    assert await status_of(api, world.me) == 401  # the steps before it are done
    # when the sweep runs again before the dead one's lease is over, it leaves it alone
    monkeypatch.setattr(account_erasure, "drop_follow", real_drop)
    assert await erase_due(services) == 0
    # and once the lease is over, it resumes at the follows and finishes
    world.clock.advance(minutes=rules.LEASE_MS / 60_000 + 1)
    assert await erase_due(services) == 1
    await services.projector.drain()
    assert (await services.store.get("account_deletions", world.me_id) or {})["status"] == "DONE"
    assert follows_step is account_erasure.ERASERS["follows"]
    for other in (world.friend_id, world.fan_id):  # each follow counted off exactly once
        user = await services.store.get("users", other)
        assert user is not None and (user["followerCount"], user["followingCount"]) == (
            await services.store.count("follows", {"dst": other}),
            await services.store.count("follows", {"src": other}),
        )
    live = await edges(services.backends.graph)
    fresh = MemoryGraph()
    await rebuild(services.store, fresh)
    assert live == await edges(fresh)

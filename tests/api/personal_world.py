"""A small world in which one user, 甲, has data of every kind the service keeps about a person, made through the
API (the address snapshot of an order as checkout writes it): the data-rights tests export it and delete it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from domain.ids import from_global_id
from resolvers.teams import sweep_teams
from tests.api import test_seckill as seckill
from tests.api.conftest import SHOP, Api, Clock, make_product, offer_product, use_clock
from tests.api.test_addresses import create as create_address
from tests.api.test_after_sales import APPROVE, REQUEST
from tests.api.test_bargains import OFFER
from tests.api.test_bargains import help_ as help_bargain
from tests.api.test_bargains import start as start_bargain
from tests.api.test_cart import add as add_to_cart
from tests.api.test_cart import lines as lines_of
from tests.api.test_checkout import do_checkout
from tests.api.test_content import COMMENT, LIKE, REPORT, make_video, upload
from tests.api.test_content import create as create_post
from tests.api.test_coupons import CLAIM, coupon_input
from tests.api.test_coupons import CREATE as CREATE_COUPON
from tests.api.test_distribution import LINK
from tests.api.test_live import COMMENT as LIVE_COMMENT
from tests.api.test_live import live_room, mutate
from tests.api.test_orders import CONFIRM, SHIP, act, line, pay, place
from tests.api.test_payouts import earner, withdraw
from tests.api.test_points_mall import REDEEM
from tests.api.test_points_mall import SHOP_REWARD as CREATE_REWARD
from tests.api.test_reviews import HELPFUL, review
from tests.api.test_sharing import CARD as SHARE_CARD
from tests.api.test_teams import TIERS
from tests.api.test_teams import start as start_team

FOLLOW = "mutation($u: ID!) { follow(input: {userId: $u}) { errors { code } } }"
BLOCK = "mutation($u: ID!) { block(input: {userId: $u}) { errors { code } } }"
PROFILE = """mutation { updateProfile(input: {bio: "爱喝茶", region: "杭州", avatarUrl: "https://img.example/a.png"}) {
  errors { code } } }"""
PRIVACY = "mutation { updatePrivacy(input: {activityVisibility: PUBLIC}) { errors { code } } }"
ADDRESS = {"recipient": "甲本人", "phone": "13912345678", "detail": "文三路90号"}


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


@dataclass
class World:
    clock: Clock
    me: str  # 甲's token
    me_id: str  # 甲's raw user id
    friend: str  # 乙, who follows 甲 and whom 甲 follows
    friend_id: str
    fan_id: str  # 丙, who follows 甲
    blocked_id: str  # 丁, whom 甲 blocked
    merchant: str  # the shop's owner
    shop_id: str
    sku: str
    ids: dict[str, str] = field(default_factory=dict)  # raw ids of what 甲 made, by kind


async def user(api: Api, nickname: str) -> tuple[str, str]:
    token, who = await api.login(nickname)
    return token, who["id"]


FAVORITE = "mutation($id: ID!) { favorite(input: {targetId: $id}) { errors { code } } }"


async def build(api: Api, tmp_path: Path, *, owns_shop: bool = False) -> World:
    """Everything of 甲: profile, privacy, logins, invites, share links, follows both ways, a block, posts (a video
    one too), comments, likes, a report, a live room and a live comment, addresses, orders (paid, shipped, with an
    address snapshot, an after-sale refunded), a coupon claim, a team (failed and refunded), bargains started and
    helped, a distributorship with commission settled and withdrawn (the ledger), staff of a shop; with
    `owns_shop`, a shop of their own. Every order, after-sale and withdrawal of 甲 has ended, and their balance is
    zero, so that nothing blocks a deletion (but a shop)."""
    clock = use_clock(api)
    me = await earner(api, None, "甲")  # a distributor with 1,000 fen settled: commission rows, ledger, balance
    assert (await withdraw(api, me, 1000))["withdrawal"]["status"] == "PAID"
    me_id = raw((await api.gql("{ me { id } }", token=me))["data"]["me"]["id"])
    (friend, friend_gid), (fan, fan_gid), (_, blocked_gid) = [await user(api, n) for n in ("乙", "丙", "丁")]
    merchant, _ = await api.login("店主")
    shop_id, product_id, (sku,) = await make_product(api, merchant, prices=(2000,), stock=100)
    ids: dict[str, str] = {}

    # profile, social graph
    assert (await api.gql(PROFILE, token=me))["data"]["updateProfile"]["errors"] == []
    assert (await api.gql(PRIVACY, token=me))["data"]["updatePrivacy"]["errors"] == []
    me_gid = (await api.gql("{ me { id } }", token=me))["data"]["me"]["id"]
    for token, target in ((me, friend_gid), (friend, me_gid), (fan, me_gid)):
        assert (await api.gql(FOLLOW, {"u": target}, token=token))["data"]["follow"]["errors"] == []
    assert (await api.gql(BLOCK, {"u": blocked_gid}, token=me))["data"]["block"]["errors"] == []
    link = (await api.gql(LINK, {"p": product_id}, token=me))["data"]["createShareLink"]["link"]
    ids["shareLink"] = link["token"]
    shared = await api.gql(
        SHARE_CARD, {"t": product_id, "c": "FRIEND"}, token=me
    )  # a share event (and the link reused)
    assert shared["data"]["shareCard"]["errors"] == [], shared

    # content: a note tagging a product, a video post, comments both ways, likes both ways, a report
    post = await create_post(api, me, productIds=[product_id], topics=["绿茶"])
    assert post["errors"] == [], post
    ids["post"] = raw(post["post"]["id"])
    make_video(tmp_path / "v.mp4", 16.0)
    video = await upload(api, me, (tmp_path / "v.mp4").read_bytes())
    assert video["errors"] == [], video
    ids["video"] = raw(video["videoId"])
    video_post = await create_post(api, me, kind="VIDEO", title="泡茶视频", videoId=video["videoId"])
    assert video_post["errors"] == [], video_post
    friends_post = await create_post(api, friend, title="乙的茶", topics=["绿茶"])
    ids["friendsPost"] = raw(friends_post["post"]["id"])
    fans_post = await create_post(api, fan, title="丙的茶")
    for token, post_id, body in ((friend, post["post"]["id"], "好看"), (me, friends_post["post"]["id"], "同感")):
        made = (await api.gql(COMMENT, {"p": post_id, "b": body}, token=token))["data"]["commentOnPost"]
        assert made["errors"] == [], made
        ids["comment" if token == me else "friendsComment"] = raw(made["comment"]["id"])
    for token, post_id in ((me, friends_post["post"]["id"]), (friend, post["post"]["id"])):
        assert (await api.gql(LIKE, {"p": post_id}, token=token))["data"]["likePost"]["errors"] == []
    reported = await api.gql(REPORT, {"t": fans_post["post"]["id"], "r": "广告"}, token=me)
    assert reported["data"]["report"]["errors"] == []

    # live: a room of their own (live), a comment in the friend's
    ids["room"] = raw(await live_room(api, me, product_id))
    friends_room = await live_room(api, friend, product_id)
    said = await mutate(api, LIVE_COMMENT, me, r=friends_room, b="来了")
    assert said["errors"] == [], said

    # commerce: an address, a cart, an order checked out from it (with its address snapshot), paid, shipped,
    # completed, and part of it refunded by an after-sale; a line left in the cart; a coupon claimed
    made = await create_address(api, me, **ADDRESS)
    assert made["errors"] == [], made
    ids["address"] = raw(made["address"]["id"])
    in_cart = (await add_to_cart(api, me, sku, 2))["cart"]
    checked_out = await do_checkout(api, me, [lines_of(in_cart)[0]["id"]], made["address"]["id"], "world-order")
    assert checked_out["errors"] == [], checked_out
    placed = {"order": checked_out["checkout"]["orders"][0]}
    ids["order"] = raw(placed["order"]["id"])
    assert (await pay(api, me, placed["order"]["id"]))["errors"] == []
    assert (await act(api, SHIP, merchant, placed["order"]["id"]))["errors"] == []
    assert (await act(api, CONFIRM, me, placed["order"]["id"]))["errors"] == []
    # reviews and favorites: 甲 reviews the line, marks the friend's review of the product helpful, favorites it
    made_review = await review(api, me, placed["order"]["id"], rating=4, text="包装不错")
    assert made_review["errors"] == [], made_review
    ids["review"] = raw(made_review["review"]["id"])
    friends_order = (await place(api, friend, [line(sku)], "friend-order"))["order"]
    await pay(api, friend, friends_order["id"], key="friend-pay")
    await act(api, SHIP, merchant, friends_order["id"])
    await act(api, CONFIRM, friend, friends_order["id"])
    friends_review = (await review(api, friend, friends_order["id"], text="乙的评价"))["review"]["id"]
    assert (await api.gql(HELPFUL, {"id": friends_review}, token=me))["data"]["markReviewHelpful"]["errors"] == []
    assert (await api.gql(FAVORITE, {"id": product_id}, token=me))["data"]["favorite"]["errors"] == []
    await add_to_cart(api, me, sku, 1)  # the paid line left the cart; one more is there now
    asked = await api.gql(
        REQUEST,
        {
            "in": {
                "orderId": placed["order"]["id"],
                "kind": "REFUND_ONLY",
                "lines": [{"lineIndex": 0, "quantity": 1}],
                "reason": "有一盒破了",
                "idempotencyKey": "world-as",
            }
        },
        token=me,
    )
    sale = asked["data"]["requestAfterSale"]
    assert sale["errors"] == [], sale
    approved = await api.gql(APPROVE, {"id": sale["afterSale"]["id"]}, token=merchant)
    assert approved["data"]["approveAfterSale"]["afterSale"]["status"] == "REFUNDED"
    coupon = await api.gql(CREATE_COUPON, {"in": coupon_input(shop_id)}, token=merchant)
    claimed = await api.gql(CLAIM, {"id": coupon["data"]["createCoupon"]["coupon"]["id"]}, token=me)
    assert claimed["data"]["claimCoupon"]["errors"] == []
    # the points mall: a voucher 甲 redeemed with the order's points
    reward_in = {
        "shopId": shop_id,
        "kind": "PRODUCT",
        "title": "积分换茶",
        "points": 1,
        "stock": 5,
        "productId": product_id,
    }
    reward = (await api.gql(CREATE_REWARD, {"in": reward_in}, token=merchant))["data"]["createPointsReward"]
    assert reward["errors"] == [], reward
    redeemed = await api.gql(REDEEM, {"r": reward["reward"]["id"], "k": "world-redeem"}, token=me)
    assert redeemed["data"]["redeemPoints"]["errors"] == [], redeemed

    # a team 甲 started and paid, which failed at its end (the order refunded)
    _, (team_sku,) = await offer_product(api, merchant, group_buy=TIERS, title="团购茶")
    team = await start_team(api, me, team_sku)
    assert team["errors"] == [], team
    ids["team"] = raw(team["team"]["id"])
    assert (await pay(api, me, team["order"]["id"], key="team-pay"))["errors"] == []
    clock.advance(minutes=61)
    assert await sweep_teams(api.services) == 1

    # bargains: one of 甲's own (still open), a cut 甲 gave the friend's
    _, (bargain_sku,) = await offer_product(api, merchant, bargain=OFFER, prices=(10_000,), title="砍价茶")
    mine = await start_bargain(api, me, bargain_sku)
    assert mine["errors"] == [], mine
    ids["bargain"] = raw(mine["bargain"]["id"])
    friends = await start_bargain(api, friend, bargain_sku)
    assert (await help_bargain(api, me, friends["bargain"]["id"]))["errors"] == []
    ids["friendsBargain"] = raw(friends["bargain"]["id"])

    # a seckill unit 甲 rushed for and left unpaid (the order cancelled, the unit back)
    await seckill_bought_and_cancelled(api, merchant, me, shop_id, clock.ms)

    # staff of the merchant's shop; a shop of their own
    shop_raw = raw(shop_id)
    await api.services.store.insert(
        "shop_staff", {"_id": f"{shop_raw}:{me_id}", "shopId": shop_raw, "userId": me_id, "roles": ["WAREHOUSE"]}
    )
    if owns_shop:
        assert (await api.gql(SHOP, {"n": "甲的小店"}, token=me))["data"]["createShop"]["shop"]["id"]
    await api.services.projector.drain()
    await asyncio.sleep(0)
    return World(clock, me, me_id, friend, raw(friend_gid), raw(fan_gid), raw(blocked_gid), merchant, shop_id, sku, ids)


async def seckill_bought_and_cancelled(api: Api, merchant: str, me: str, shop_id: str, now: int) -> None:
    """A seckill whose slot runs now (in Shanghai: from 10 minutes ago, half an hour long, across midnight or not)."""
    _, _, (sku,) = await make_product(api, merchant, prices=(5000,), stock=3, shop_id=shop_id, title="秒杀茶")
    local = datetime.fromtimestamp(now / 1000, timezone(timedelta(hours=8)))
    start = local - timedelta(minutes=10)
    data = seckill.campaign_input(
        shop_id,
        sku,
        startsAt=seckill.iso(now - 3_600_000),
        endsAt=seckill.iso(now + 86_400_000),
        slots=[{"start": start.strftime("%H:%M"), "end": (start + timedelta(minutes=30)).strftime("%H:%M")}],
        items=[{"skuId": sku, "price": 100, "stock": 2}],
    )
    campaign = (await seckill.create(api, merchant, data))["campaign"]["id"]
    path = await seckill.path_token(api, me, campaign)
    bought = await seckill.attempt(api, me, campaign, sku, path or "", "seckill")
    assert bought["errors"] == [], bought
    cancel = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { errors { code } } }"
    assert (await api.gql(cancel, {"id": bought["order"]["id"]}, token=me))["data"]["cancelOrder"]["errors"] == []


async def ask(api: Api, query: str, token: str | None = None, **variables: Any) -> Any:
    """The data of the operation's one root field."""
    return next(iter((await api.gql(query, variables, token=token))["data"].values()))

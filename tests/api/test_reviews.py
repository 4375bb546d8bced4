"""Reviews (点评) through the API on the embedded default: one review per line of a completed order within
REVIEW_DAYS, the product's rating kept as reviews come, helpful marks once per user, moderation as for posts,
anonymity, the follow-up and the shop's reply, the REVIEWED activity and friendReviews under privacy and blocks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from domain.ids import from_global_id, to_global_id
from resolvers import account_erasure
from tests.api.conftest import Api, make_product, use_clock
from tests.api.test_content import MODERATE, operator
from tests.api.test_feeds import FOLLOW, befriend, feed
from tests.api.test_orders import CONFIRM, SHIP, act, line, pay, place

REVIEW_FIELDS = """review { id rating text images anonymous helpfulCount moderation author { id nickname }
  followUp { text } reply { text } specs }
errors { code field message }"""
CREATE = f"mutation($in: CreateReviewInput!) {{ createReview(input: $in) {{ {REVIEW_FIELDS} }} }}"
FOLLOW_UP = f"""mutation($id: ID!, $t: String!) {{ addReviewFollowUp(input: {{reviewId: $id, text: $t}}) {{
  {REVIEW_FIELDS} }} }}"""
REPLY = f"""mutation($id: ID!, $t: String!) {{ replyToReview(input: {{reviewId: $id, text: $t}}) {{
  {REVIEW_FIELDS} }} }}"""
HELPFUL = f"mutation($id: ID!) {{ markReviewHelpful(input: {{reviewId: $id}}) {{ {REVIEW_FIELDS} }} }}"
PRODUCT = """query($id: ID!, $f: ReviewFilter, $s: ReviewSort, $first: Int, $after: String) { product(id: $id) {
  rating { average count stars { stars count } }
  reviews(filter: $f, sort: $s, first: $first, after: $after) {
    edges { node { id rating text helpfulCount author { nickname } } } pageInfo { hasNextPage endCursor } } } }"""
FRIEND_REVIEWS = """query($id: ID!) { product(id: $id) { friendReviews(first: 10) { text author { nickname } } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on Review { id text author { nickname } } } }"
PRIVACY = "mutation($v: Visibility!) { updatePrivacy(input: {activityVisibility: $v}) { errors { code } } }"


@dataclass
class Bought:
    """A shop's owner, the buyer and the buyer's COMPLETED order of two lines of one product."""

    owner: str
    buyer: str
    product_id: str
    order_id: str


async def completed(api: Api, buyer: str | None = None, owner: str | None = None, nickname: str = "评价买家") -> Bought:
    owner = owner or (await api.login("评价店主"))[0]
    buyer = buyer or (await api.login(nickname))[0]
    _, product_id, skus = await make_product(api, owner, title="评价茶", prices=(1500, 2500), stock=50)
    placed = await place(api, buyer, [line(skus[0]), line(skus[1])], f"order-{nickname}")
    assert placed["errors"] == [], placed
    order_id = placed["order"]["id"]
    assert (await pay(api, buyer, order_id, key=f"pay-{nickname}"))["errors"] == []
    assert (await act(api, SHIP, owner, order_id))["errors"] == []
    assert (await act(api, CONFIRM, buyer, order_id))["errors"] == []
    return Bought(owner, buyer, product_id, order_id)


async def review(api: Api, token: str, order_id: str, line_index: int = 0, **more: Any) -> Any:
    data = {"orderId": order_id, "lineIndex": line_index, "rating": 5, "text": "很好喝，回购", **more}
    return (await api.gql(CREATE, {"in": data}, token=token))["data"]["createReview"]


async def product(api: Api, token: str | None, product_id: str, **more: Any) -> Any:
    return (await api.gql(PRODUCT, {"id": product_id, **more}, token=token))["data"]["product"]


async def test_each_line_is_reviewed_once_and_the_rating_counts_it(api: Api) -> None:
    # given a completed order of two lines of one product
    bought = await completed(api)
    # when the buyer reviews both lines, one with photos
    first = await review(api, bought.buyer, bought.order_id, 0, rating=5, images=["https://img.example/1.jpg"])
    second = await review(api, bought.buyer, bought.order_id, 1, rating=4, text="")
    assert first["errors"] == [] and second["errors"] == []
    assert first["review"]["moderation"] == "APPROVED" and first["review"]["specs"] == ["款: #0"]
    # then the product shows both and its rating: average 4.5 of 2, one 5 and one 4
    shown = await product(api, None, bought.product_id)
    assert shown["rating"]["average"] == 4.5 and shown["rating"]["count"] == 2
    assert {s["stars"]: s["count"] for s in shown["rating"]["stars"]} == {5: 1, 4: 1, 3: 0, 2: 0, 1: 0}
    assert [e["node"]["rating"] for e in shown["reviews"]["edges"]] == [4, 5]  # newest first
    # and the good ratings tell recommendations the buyer likes the product (one ENGAGED count per review)
    engaged = await api.services.store.find("engagements", {"productId": from_global_id(bought.product_id)[1]})
    assert [e["count"] for e in engaged.docs] == [2]
    # and a second review of a line is refused, nothing changed
    again = await review(api, bought.buyer, bought.order_id, 0, rating=1)
    assert again["review"] is None
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("ALREADY_EXISTS", ["input", "lineIndex"])]
    assert (await product(api, None, bought.product_id))["rating"]["count"] == 2


async def test_bad_reviews_are_refused_with_their_field_and_write_nothing(api: Api) -> None:
    clock = use_clock(api)
    bought = await completed(api)
    stranger, _ = await api.login("别人")
    ten = [f"https://img.example/{i}.jpg" for i in range(10)]
    cases = [
        (stranger, {}, "NOT_FOUND", ["input", "orderId"]),
        (bought.buyer, {"rating": 0}, "INVALID_INPUT", ["input", "rating"]),
        (bought.buyer, {"rating": 6}, "INVALID_INPUT", ["input", "rating"]),
        (bought.buyer, {"images": ten}, "INVALID_INPUT", ["input", "images"]),
        (bought.buyer, {"images": ["ftp://x"]}, "INVALID_INPUT", ["input", "images", "0"]),
        (bought.buyer, {"text": "好" * 501}, "INVALID_INPUT", ["input", "text"]),
        (bought.buyer, {"lineIndex": 2}, "INVALID_INPUT", ["input", "lineIndex"]),
        (bought.buyer, {"orderId": bought.product_id}, "INVALID_INPUT", ["input", "orderId"]),
        (bought.buyer, {"videoId": to_global_id("Video", "not-mine")}, "INVALID_INPUT", ["input", "videoId"]),
    ]
    for token, more, code, field in cases:
        made = await review(api, token, bought.order_id, **more)
        assert made["review"] is None and (made["errors"][0]["code"], made["errors"][0]["field"]) == (code, field), more
    # an order not completed yet (paid only)
    owner, _ = await api.login("另一家店")
    _, _, (sku,) = await make_product(api, owner, title="未完成")
    placed = (await place(api, bought.buyer, [line(sku)], "unfinished"))["order"]
    await pay(api, bought.buyer, placed["id"], key="pay-unfinished")
    unfinished = await review(api, bought.buyer, placed["id"])
    assert [(e["code"], e["field"]) for e in unfinished["errors"]] == [("INVALID_STATE", ["input", "orderId"])]
    # past the window: 30 days after completion
    clock.advance(days=30.01)
    late = await review(api, bought.buyer, bought.order_id)
    assert [(e["code"], e["field"]) for e in late["errors"]] == [("INVALID_STATE", ["input", "orderId"])]
    assert await api.services.store.count("reviews") == 0
    assert await api.services.store.count("product_ratings") == 0


async def test_a_line_reviewed_twice_at_once_gets_one_review(api: Api) -> None:
    bought = await completed(api)
    results = await asyncio.gather(*(review(api, bought.buyer, bought.order_id, rating=3) for _ in range(8)))
    winners = [r for r in results if r["errors"] == []]
    assert len(winners) == 1
    assert {r["errors"][0]["code"] for r in results if r["errors"]} == {"ALREADY_EXISTS"}
    rating = (await product(api, None, bought.product_id))["rating"]
    assert rating["count"] == 1 and rating["average"] == 3.0


async def test_helpful_counts_once_per_user_even_at_once_and_sorts_reviews(api: Api) -> None:
    # given two reviews of one product by two buyers
    owner, _ = await api.login("热心店主")
    a = await completed(api, owner=owner, nickname="买家甲")
    b_buyer, _ = await api.login("买家乙")
    placed = (await place(api, b_buyer, [line(await _sku_of(api, a.product_id))], "order-b"))["order"]
    await pay(api, b_buyer, placed["id"], key="pay-b")
    await act(api, SHIP, owner, placed["id"])
    await act(api, CONFIRM, b_buyer, placed["id"])
    older = (await review(api, a.buyer, a.order_id, text="甲的评价"))["review"]["id"]
    newer = (await review(api, b_buyer, placed["id"], text="乙的评价"))["review"]["id"]
    # when one user marks the older helpful ten times at once
    reader, _ = await api.login("读评价的人")
    marks = await asyncio.gather(*(api.gql(HELPFUL, {"id": older}, token=reader) for _ in range(10)))
    assert all(m["data"]["markReviewHelpful"]["errors"] == [] for m in marks)
    # then it counts once, and HELPFUL puts it first while NEWEST does not
    assert await api.services.store.count("review_helpful") == 1
    helpful = await product(api, None, a.product_id, s="HELPFUL")
    assert [(e["node"]["id"], e["node"]["helpfulCount"]) for e in helpful["reviews"]["edges"]] == [
        (older, 1),
        (newer, 0),
    ]
    newest = await product(api, None, a.product_id)
    assert [e["node"]["id"] for e in newest["reviews"]["edges"]] == [newer, older]
    # and the author cannot mark their own
    own = (await api.gql(HELPFUL, {"id": older}, token=a.buyer))["data"]["markReviewHelpful"]
    assert [(e["code"], e["field"]) for e in own["errors"]] == [("SELF_ACTION", ["input", "reviewId"])]


async def _sku_of(api: Api, product_id: str) -> str:
    body = await api.gql("query($id: ID!) { product(id: $id) { skus { id } } }", {"id": product_id})
    return str(body["data"]["product"]["skus"][0]["id"])


async def test_filters_and_pages(api: Api) -> None:
    bought = await completed(api)
    await review(api, bought.buyer, bought.order_id, 0, rating=5, images=["https://img.example/a.jpg"])
    await review(api, bought.buyer, bought.order_id, 1, rating=2, text="一般")
    with_media = await product(api, None, bought.product_id, f={"withMedia": True})
    assert [e["node"]["rating"] for e in with_media["reviews"]["edges"]] == [5]
    two_stars = await product(api, None, bought.product_id, f={"rating": 2})
    assert [e["node"]["rating"] for e in two_stars["reviews"]["edges"]] == [2]
    page = await product(api, None, bought.product_id, first=1)
    assert page["reviews"]["pageInfo"]["hasNextPage"]
    rest = await product(api, None, bought.product_id, first=1, after=page["reviews"]["pageInfo"]["endCursor"])
    assert [e["node"]["rating"] for e in rest["reviews"]["edges"]] == [5]
    bad = await api.gql(PRODUCT, {"id": bought.product_id, "f": {"rating": 6}}, expect_errors=True)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_held_review_is_its_authors_alone_until_an_operator_approves_it(api: Api) -> None:
    # given a review that trips the link-spam rule
    bought = await completed(api)
    made = await review(api, bought.buyer, bought.order_id, text="加我微信 abcdef123 更便宜")
    assert made["review"]["moderation"] == "PENDING"
    review_id = made["review"]["id"]
    reader, _ = await api.login("路人")
    # then only its author sees it; the product neither lists nor counts it
    assert (await api.gql(NODE, {"id": review_id}, token=bought.buyer))["data"]["node"]["id"] == review_id
    assert (await api.gql(NODE, {"id": review_id}, token=reader))["data"]["node"] is None
    shown = await product(api, reader, bought.product_id)
    assert shown["reviews"]["edges"] == [] and shown["rating"]["count"] == 0
    # when an operator approves it (through the moderation of posts), twice over
    op = await operator(api)
    for approve in (True, False, True):
        assert (await api.gql(MODERATE, {"t": review_id, "a": approve}, token=op))["data"]["moderate"]["errors"] == []
    # then it is listed, counted once and has one REVIEWED activity
    shown = await product(api, reader, bought.product_id)
    assert len(shown["reviews"]["edges"]) == 1 and shown["rating"]["count"] == 1
    raw = from_global_id(review_id)[1]
    assert await api.services.store.count("activities", {"reviewId": raw, "verb": "REVIEWED"}) == 1


async def test_an_anonymous_review_masks_its_author_and_makes_no_activity(api: Api) -> None:
    bought = await completed(api, nickname="王小明")
    made = await review(api, bought.buyer, bought.order_id, anonymous=True)
    review_id = made["review"]["id"]
    reader, _ = await api.login("看评价的")
    seen = (await api.gql(NODE, {"id": review_id}, token=reader))["data"]["node"]["author"]
    assert seen["nickname"] == "王***"
    mine = (await api.gql(NODE, {"id": review_id}, token=bought.buyer))["data"]["node"]["author"]
    assert mine["nickname"] == "王小明"
    assert await api.services.store.count("activities", {"verb": "REVIEWED"}) == 0


async def test_one_follow_up_and_one_reply_by_the_shop(api: Api) -> None:
    bought = await completed(api)
    review_id = (await review(api, bought.buyer, bought.order_id))["review"]["id"]
    stranger, _ = await api.login("冒充店家")
    # the follow-up: the author's, once
    other = (await api.gql(FOLLOW_UP, {"id": review_id, "t": "用了一个月"}, token=stranger))["data"]
    assert [e["code"] for e in other["addReviewFollowUp"]["errors"]] == ["NOT_FOUND"]
    added = (await api.gql(FOLLOW_UP, {"id": review_id, "t": "用了一个月，依然好"}, token=bought.buyer))["data"]
    assert added["addReviewFollowUp"]["review"]["followUp"] == {"text": "用了一个月，依然好"}
    twice = (await api.gql(FOLLOW_UP, {"id": review_id, "t": "再追一次"}, token=bought.buyer))["data"]
    assert [e["code"] for e in twice["addReviewFollowUp"]["errors"]] == ["ALREADY_EXISTS"]
    # the reply: the shop's staff only, once
    forbidden = (await api.gql(REPLY, {"id": review_id, "t": "谢谢"}, token=stranger))["data"]["replyToReview"]
    assert [e["code"] for e in forbidden["errors"]] == ["FORBIDDEN"]
    replied = (await api.gql(REPLY, {"id": review_id, "t": "感谢支持"}, token=bought.owner))["data"]
    assert replied["replyToReview"]["review"]["reply"] == {"text": "感谢支持"}
    again = (await api.gql(REPLY, {"id": review_id, "t": "再谢"}, token=bought.owner))["data"]["replyToReview"]
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("ALREADY_EXISTS", ["input", "reviewId"])]


async def test_reviews_reach_friends_as_privacy_and_blocks_allow(api: Api) -> None:
    # given a viewer with three friends who each review a product, and a followee who does too
    me = await api.login("看朋友评价")
    friends = [await api.login(n) for n in ("公开朋友", "低调朋友", "拉黑朋友")]
    followee = await api.login("关注的人")
    for friend in friends:
        await befriend(api, me, friend)
    await api.gql(FOLLOW, {"id": followee[1]["id"]}, token=me[0])
    await api.gql(PRIVACY, {"v": "PUBLIC"}, token=followee[0])
    await api.services.projector.drain()
    owner, _ = await api.login("朋友们的店")
    stranger = await completed(api, owner=owner, nickname="陌生买家")
    await review(api, stranger.buyer, stranger.order_id, text="陌生人的评价")
    product_id = stranger.product_id
    sku = await _sku_of(api, product_id)
    for who in (*friends, followee):
        placed = (await place(api, who[0], [line(sku)], f"o-{who[1]['nickname']}"))["order"]
        await pay(api, who[0], placed["id"], key=f"p-{who[1]['nickname']}")
        await act(api, SHIP, owner, placed["id"])
        await act(api, CONFIRM, who[0], placed["id"])
        await review(api, who[0], placed["id"], text=f"{who[1]['nickname']}的评价")
    await api.gql(PRIVACY, {"v": "PRIVATE"}, token=friends[1][0])
    await api.gql(
        "mutation($id: ID!) { block(input: {userId: $id}) { errors { code } } }",
        {"id": friends[2][1]["id"]},
        token=me[0],
    )
    # then the FRIENDS feed has the open friend's REVIEWED activity only
    items = (await feed(api, me[0], "FRIENDS"))["edges"]
    reviewed = [e["node"]["actor"]["nickname"] for e in items if e["node"]["verb"] == "REVIEWED"]
    assert reviewed == ["公开朋友"]
    # and friendReviews puts the open friend and the public followee first, the others after, the blocked never
    found = (await api.gql(FRIEND_REVIEWS, {"id": product_id}, token=me[0]))["data"]["product"]["friendReviews"]
    names = [r["author"]["nickname"] for r in found]
    assert set(names[:2]) == {"公开朋友", "关注的人"}
    assert set(names[2:]) == {"低调朋友", "陌生买家"}
    assert "拉黑朋友" not in names


async def test_account_erasure_removes_reviews_marks_and_favorites_and_the_counts_follow(api: Api) -> None:
    # given a buyer with a review, a helpful mark on another's review and a favorite
    owner, _ = await api.login("注销店主")
    leaving = await completed(api, owner=owner, nickname="要注销的人")
    staying = await completed(api, owner=owner, nickname="留下的人")
    mine = (await review(api, leaving.buyer, leaving.order_id, rating=1))["review"]["id"]
    theirs = (await review(api, staying.buyer, staying.order_id, rating=5))["review"]["id"]
    await api.gql(HELPFUL, {"id": theirs}, token=leaving.buyer)
    favorite = "mutation($id: ID!) { favorite(input: {targetId: $id}) { errors { code } } }"
    await api.gql(favorite, {"id": staying.product_id}, token=leaving.buyer)
    user_id = from_global_id((await api.gql("{ me { id } }", token=leaving.buyer))["data"]["me"]["id"])[1]
    # when the erasure steps of the three collections run
    for collection in ("reviews", "review_helpful", "favorites"):
        await account_erasure.ERASERS[collection](api.services, user_id)
    # then the review is removed and uncounted, the mark and the favorite gone with their counts
    store = api.services.store
    removed = await store.get("reviews", from_global_id(mine)[1])
    assert removed is not None and removed["moderation"] == "REMOVED" and removed["text"] == ""
    assert (await product(api, None, leaving.product_id))["rating"]["count"] == 0
    assert (await store.get("reviews", from_global_id(theirs)[1]) or {})["helpfulCount"] == 0
    assert (await store.get("favorite_counts", f"PRODUCT:{from_global_id(staying.product_id)[1]}") or {})["count"] == 0
    assert await store.count("favorites") == 0 and await store.count("review_helpful") == 0


async def test_a_rejected_review_takes_its_activity_out_of_friends_feeds(api: Api) -> None:
    # given a friend's published review, in the viewer's FRIENDS feed
    me = await api.login("看被驳回的")
    friend = await api.login("被驳回的朋友")
    await befriend(api, me, friend)
    await api.services.projector.drain()
    bought = await completed(api, buyer=friend[0], nickname="被驳回的朋友的单")
    review_id = (await review(api, friend[0], bought.order_id))["review"]["id"]

    async def reviewed() -> list[str]:
        items = (await feed(api, me[0], "FRIENDS"))["edges"]
        return [e["node"]["actor"]["nickname"] for e in items if e["node"]["verb"] == "REVIEWED"]

    assert await reviewed() == ["被驳回的朋友"]
    # when an operator rejects it; then the activity shows no more, nor the review, nor its rating
    op = await operator(api)
    assert (await api.gql(MODERATE, {"t": review_id, "a": False}, token=op))["data"]["moderate"]["errors"] == []
    assert await reviewed() == []
    assert (await api.gql(NODE, {"id": review_id}, token=me[0]))["data"]["node"] is None
    assert (await product(api, me[0], bought.product_id))["rating"]["count"] == 0

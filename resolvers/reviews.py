"""Reviews (点评): a buyer reviews each line of a completed order once, adds one follow-up (追评) later, the shop
replies once, other users mark it helpful once. Reviews pass the rules posts pass (domain/moderation.py): one that
trips a rule is PENDING, seen by its author (and operators) alone, until an operator decides (content.moderate).

A review counts in its product's rating while it is visible (APPROVED): `shown` moves the counters once per
change of state, decided by the compare-and-set that made the change. Its first publication (`published`,
once per review by the compare-and-set on `publishedAt`) sends the REVIEWED activity (not for an anonymous
review: it would name its author to friends) and, for a good rating, the ENGAGED edge recommendations read."""

from __future__ import annotations

from typing import Any

from domain import moderation
from domain import reviews as rules
from domain.profile import Problem
from domain.text import clean
from graph.protocol import GraphUnavailable
from resolvers import feeds
from resolvers.content import banned_words, engage, moderated
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from resolvers.visibility import Seer
from store.counters import increment
from store.protocol import Doc, DuplicateKey, Page

RECENT_FOR_DUPLICATES = 20
NEWEST, HELPFUL = "NEWEST", "HELPFUL"
SORT_KEYS = {NEWEST: "createdAt", HELPFUL: "helpfulCount"}
SOCIAL_LIMIT = 5_000  # friends and followees looked at for friendReviews
REVIEW_CLEARED: dict[str, Any] = {"text": "", "images": [], "videoId": None, "hasMedia": False, "followUp": None}


async def _verdict(services: Services, author_id: str, text: str) -> moderation.Verdict:
    recent = await services.store.find(
        "reviews", {"authorId": author_id}, sort="createdAt", direction=-1, limit=RECENT_FOR_DUPLICATES
    )
    # an empty text (stars alone) is no near-duplicate of anything
    fingerprints = [int(r["simhash"], 16) for r in recent.docs if r.get("text")] if text.strip() else []
    return moderation.review(text, banned_words(services), fingerprints)


async def _own_video(services: Services, owner_id: str, video_id: str | None, field: str) -> list[Problem]:
    if video_id is None:
        return []
    video = await services.store.get("videos", video_id)
    return [] if video is not None and video["ownerId"] == owner_id else [Problem(field, "No such video of yours")]


async def create(
    services: Services,
    buyer_id: str,
    order_id: str,
    line_index: int,
    rating: int,
    text: str,
    images: list[str],
    video_id: str | None,
    anonymous: bool,
) -> Doc:
    """Review one line of the buyer's completed order (once, within REVIEW_DAYS of completion)."""
    store = services.store
    refuse_problems(rules.review_problems(rating, text, images))
    order = await store.get("orders", order_id)
    if order is None or order["buyerId"] != buyer_id:
        raise Refused("NOT_FOUND", "No such order of yours", ["input", "orderId"])
    refusal = rules.line_refusal(order, line_index, services.now(), services.settings.REVIEW_DAYS)
    if refusal is not None:
        code, message, field = refusal
        raise Refused(code, message, ["input", field])
    refuse_problems(await _own_video(services, buyer_id, video_id, "videoId"))
    doc_id = rules.review_id(order_id, line_index)
    if await store.get("reviews", doc_id) is not None:
        raise Refused(
            "ALREADY_EXISTS", "This line is reviewed already; add a follow-up instead", ["input", "lineIndex"]
        )
    verdict = await _verdict(services, buyer_id, text)
    line = order["lines"][line_index]
    review = {
        "_id": doc_id,
        "orderId": order_id,
        "lineIndex": line_index,
        "productId": line["productId"],
        "skuId": line["skuId"],
        "specs": line.get("specs", []),
        "shopId": order["shopId"],
        "authorId": buyer_id,
        "rating": rating,
        "text": clean(text, multiline=True),
        "images": list(images),
        "videoId": video_id,
        "hasMedia": rules.has_media(images, video_id),
        "anonymous": anonymous,
        "helpfulCount": 0,
        "moderation": verdict.status,
        "flags": list(verdict.reasons),
        "simhash": f"{moderation.simhash(text):016x}",
        "createdAt": services.now(),
        "publishedAt": None,
        "followUp": None,
        "reply": None,
    }
    try:
        await store.insert("reviews", review)
    except DuplicateKey:  # the same line reviewed at the same moment: the first insert wins
        raise Refused("ALREADY_EXISTS", "This line is reviewed already", ["input", "lineIndex"]) from None
    if verdict.status == moderation.APPROVED:
        await shown(services, review, 1)
        await published(services, review)
    return review


async def shown(services: Services, review: Doc, delta: int) -> None:
    """The review became visible (+1) or stopped being (-1): its product's rating counts it, or no more."""
    change = rules.rating_change(review["rating"], delta)
    if delta > 0:
        await increment(services.store, "product_ratings", review["productId"], change, {})
    else:  # taking back never creates the document
        await services.store.update_one("product_ratings", {"_id": review["productId"]}, {"$inc": change})


async def published(services: Services, review: Doc) -> None:
    """First visible: the REVIEWED activity and the recommendation signal, exactly once per review."""
    claimed = await services.store.update_one(
        "reviews", {"_id": review["_id"], "publishedAt": None}, {"$set": {"publishedAt": services.now()}}
    )
    if claimed is None:
        return
    if review["rating"] >= rules.LIKED_RATING:
        await engage(services, review["authorId"], [review["productId"]], 1)
    if not review["anonymous"]:
        await feeds.record_activity(
            services, review["authorId"], "REVIEWED", reviewId=review["_id"], productId=review["productId"]
        )


async def _authors_review(services: Services, user_id: str, review_id: str) -> Doc:
    review = await services.store.get("reviews", review_id)
    if review is None or review["authorId"] != user_id or review["moderation"] == moderation.REMOVED:
        raise Refused("NOT_FOUND", "No such review of yours", ["input", "reviewId"])
    return review


async def _passes(services: Services, text: str, field: list[str]) -> None:
    """A follow-up or reply is refused, not held, when it breaks a rule (as comments are)."""
    verdict = moderation.review(text, banned_words(services))
    if verdict.status != moderation.APPROVED:
        raise Refused("CONTENT_REJECTED", "This text breaks the community rules: " + "; ".join(verdict.reasons), field)


async def follow_up(services: Services, user_id: str, review_id: str, text: str, images: list[str]) -> Doc:
    """The author's one follow-up (追评): text of 1-500 characters and up to 9 photos."""
    review = await _authors_review(services, user_id, review_id)
    problems = rules.content_problems(text, images)
    if not text.strip():
        problems.insert(0, Problem("text", "A follow-up says something"))
    refuse_problems(problems)
    if review.get("followUp") is not None:
        raise Refused("ALREADY_EXISTS", "A review has one follow-up", ["input", "reviewId"])
    await _passes(services, text, ["input", "text"])
    entry = {"text": clean(text, multiline=True), "images": list(images), "at": services.now()}
    added = await services.store.update_one(
        "reviews",
        {"_id": review_id, "followUp": None, "moderation": {"$ne": moderation.REMOVED}},
        {"$set": {"followUp": entry}},
    )
    if added is None:
        raise Refused("ALREADY_EXISTS", "A review has one follow-up", ["input", "reviewId"])
    return added


async def reply(services: Services, staff_id: str, review_id: str, text: str) -> Doc:
    """The shop's one reply (the caller's role was checked by the mutation's Staff declaration)."""
    refuse_problems(rules.content_problems(text, []) if text.strip() else [Problem("text", "A reply says something")])
    review = await services.store.get("reviews", review_id)
    if review is None or review["moderation"] == moderation.REMOVED:
        raise Refused("NOT_FOUND", "No such review", ["input", "reviewId"])
    await _passes(services, text, ["input", "text"])
    entry = {"text": clean(text, multiline=True), "by": staff_id, "at": services.now()}
    replied = await services.store.update_one("reviews", {"_id": review_id, "reply": None}, {"$set": {"reply": entry}})
    if replied is None:
        raise Refused("ALREADY_EXISTS", "The shop replied to this review already", ["input", "reviewId"])
    return replied


async def mark_helpful(services: Services, user_id: str, review_id: str) -> Doc:
    """Once per user (idempotent): the insert of `<review>>`<user>` decides, so concurrent calls count once."""
    field = ["input", "reviewId"]
    seer = Seer.of(services.store, user_id)
    review = await services.store.get("reviews", review_id)
    if review is None or not await seer.review(review) or review["moderation"] != moderation.APPROVED:
        raise Refused("NOT_FOUND", "No such review", field)
    if review["authorId"] == user_id:
        raise Refused("SELF_ACTION", "Your own review cannot be helpful to you", field)
    try:
        await services.store.insert(
            "review_helpful",
            {"_id": f"{review_id}>{user_id}", "reviewId": review_id, "userId": user_id, "at": services.now()},
        )
    except DuplicateKey:
        return review  # marked already
    return await services.store.update_one("reviews", {"_id": review_id}, {"$inc": {"helpfulCount": 1}}) or review


async def drop_helpful(services: Services, mark: Doc) -> None:
    """Its user's account is deleted: the mark goes and the count with it (once: whoever deletes it)."""
    if await services.store.delete("review_helpful", mark["_id"]):
        await services.store.update_one("reviews", {"_id": mark["reviewId"]}, {"$inc": {"helpfulCount": -1}})


async def product_reviews(
    services: Services, product_id: str, rating: int | None, with_media: bool, sort: str, first: int, after: str | None
) -> Page:
    """A product's visible reviews, newest or most helpful first, one indexed keyset read."""
    where: dict[str, Any] = {"productId": product_id, "moderation": moderation.APPROVED}
    if rating is not None:
        where["rating"] = rating
    if with_media:
        where["hasMedia"] = True
    return await services.store.find("reviews", where, sort=SORT_KEYS[sort], direction=-1, limit=first, after=after)


async def friend_reviews(services: Services, seer: Seer, product_id: str, first: int) -> list[Doc]:
    """The product's reviews by the viewer's friends and followees whose privacy lets the viewer see what they do
    (their REVIEWED activity), newest first, then the newest of everyone else's, up to `first`."""
    viewer = seer.viewer_id
    close: list[Doc] = []
    if viewer is not None:
        graph = services.backends.graph
        try:
            people = set(await graph.neighbors("FRIEND", viewer, limit=SOCIAL_LIMIT))
            people |= set(await graph.neighbors("FOLLOWS", viewer, limit=SOCIAL_LIMIT))
        except GraphUnavailable:  # no social order while the graph is down: the newest reviews
            people = set()
        people.discard(viewer)
        if people:
            page = await services.store.find(
                "reviews",
                {"productId": product_id, "authorId": {"$in": sorted(people)}, "moderation": moderation.APPROVED},
                sort="createdAt",
                direction=-1,
                limit=first * 3,
            )
            close = (await seer.social_reviews(page.docs))[:first]
    rest = await product_reviews(services, product_id, None, False, NEWEST, first + len(close), None)
    taken = {r["_id"] for r in close}
    others = await seer.reviews([r for r in rest.docs if r["_id"] not in taken])
    return [*close, *others][:first]


async def remove(services: Services, review: Doc) -> None:
    """Its author's account is deleted: text, photos, video and follow-up go, nobody sees it, the rating counts
    it no more (once: the compare-and-set from its current state decides)."""
    removed = await services.store.update_one(
        "reviews",
        {"_id": review["_id"], "moderation": review["moderation"]},
        {"$set": {**REVIEW_CLEARED, "moderation": moderation.REMOVED, "removedFrom": review["moderation"]}},
    )
    if removed is not None and review["moderation"] == moderation.APPROVED:
        await shown(services, review, -1)


async def moderate(services: Services, operator_id: str, review: Doc, approve: bool, note: str | None) -> None:
    """An operator's decision (content.moderate for a Review target): the rating and the first publication follow."""
    move, moved = await moderated(services, "reviews", "review", review, approve, operator_id, note)
    if move.shows:
        await shown(services, moved, 1)
        await published(services, moved)
    elif move.hides:
        await shown(services, moved, -1)

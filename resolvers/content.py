"""Notes and short videos (种草): posts with topics and tagged products, likes, comments, reports and the
operators' moderation. A post that breaks a moderation rule is PENDING, visible to its author alone, until an
operator approves it; approval is when it reaches feeds (fan-out), topics and the POSTED activity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import events as ev
from domain import moderation
from domain import posts as rules
from domain.profile import Problem
from domain.text import clean
from integrations.media import MediaToolMissing, cover_frame, video_duration
from integrations.uploads import UploadedFile
from resolvers import events as facts
from resolvers import feeds, rankings
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from resolvers.visibility import Seer
from store.counters import increment
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

RECENT_FOR_DUPLICATES = 20
NOTHING_HERE = "Nothing to report or moderate here"


def banned_words(services: Services) -> list[str]:
    extra = [w.strip() for w in services.settings.BANNED_WORDS.split(",") if w.strip()]
    return [*moderation.DEFAULT_BANNED, *extra]


# -- videos ------------------------------------------------------------------------------------------------
async def upload_video(services: Services, owner_id: str, file: object) -> Doc:
    """Keep the uploaded file, measure it with ffprobe (an MP4/MOV of 15-60 s), cut a cover frame with ffmpeg."""
    if not isinstance(file, UploadedFile):  # the Upload scalar takes whatever a JSON request puts there
        raise Refused("INVALID_INPUT", "Send the video as a file (a GraphQL multipart request)", ["file"])
    if file.size > rules.VIDEO_MAX_BYTES:
        _refuse_file(rules.video_problems(file.size, None))
    media = services.media
    if media is None:
        raise Refused("FORBIDDEN", "Uploads are not configured")
    source = file.take()
    if source is None:
        raise Refused("INVALID_INPUT", "This file is already used by another argument of the request", ["file"])
    video_id = new_id()
    name = f"videos/{video_id}.mp4"
    url = await media.adopt(name, source)
    try:
        duration = await video_duration(media.path(name))
    except MediaToolMissing:
        await media.delete(name)
        raise Refused("INVALID_STATE", "This server cannot read videos: ffprobe is not installed", ["file"]) from None
    problems = rules.video_problems(file.size, duration)
    if problems:
        await media.delete(name)
        _refuse_file(problems)
    cover_name = f"videos/{video_id}.jpg"
    has_cover = await cover_frame(media.path(name), media.path(cover_name), min(1.0, (duration or 2) / 2))
    video = {
        "_id": video_id,
        "ownerId": owner_id,
        "url": url,
        "coverUrl": "/media/" + cover_name if has_cover else None,
        "durationSeconds": duration,
        "size": file.size,
        "createdAt": services.now(),
    }
    await services.store.insert("videos", video)
    return video


def _refuse_file(problems: list[Problem]) -> None:
    """uploadVideo's argument is `file`, not an input object: the path is ["file"]."""
    raise Refused("INVALID_INPUT", problems[0].message, ["file"])


# -- posts -------------------------------------------------------------------------------------------------
async def create_post(
    services: Services,
    author_id: str,
    kind: str,
    title: str,
    body: str,
    images: list[str],
    video_id: str | None,
    product_ids: list[str],
    topics: list[str],
) -> Doc:
    store = services.store
    refuse_problems(rules.post_problems(kind, title, body, images, video_id, product_ids, topics))
    problems: list[Problem] = []
    if video_id is not None:
        video = await store.get("videos", video_id)
        if video is None or video["ownerId"] != author_id:
            problems.append(Problem("videoId", "No such video of yours; upload it first"))
    found = await store.get_many("products", product_ids)
    problems += [Problem(f"productIds.{i}", "No such product") for i, p in enumerate(product_ids) if p not in found]
    refuse_problems(problems)
    recent = await store.find(
        "posts", {"authorId": author_id}, sort="createdAt", direction=-1, limit=RECENT_FOR_DUPLICATES
    )
    text = f"{title}\n{body}"
    # fingerprints are stored as hex: 64 unsigned bits do not fit MongoDB's signed 64-bit integers
    verdict = moderation.review(text, banned_words(services), [int(p["simhash"], 16) for p in recent.docs])
    names = list(dict.fromkeys(rules.topic_name(t) for t in topics))
    post = {
        "_id": new_id(),
        "authorId": author_id,
        "kind": kind,
        "title": clean(title),
        "body": clean(body, multiline=True),
        "images": images,
        "videoId": video_id,
        "productIds": list(dict.fromkeys(product_ids)),
        "topics": names,
        "likeCount": 0,
        "commentCount": 0,
        "viewCount": 0,
        "moderation": verdict.status,
        "flags": list(verdict.reasons),
        "simhash": f"{moderation.simhash(text):016x}",
        "createdAt": services.now(),
        "publishedAt": None,  # set once, by the first publication (see `published`)
    }
    await store.insert("posts", post)
    facts.record(services, ev.POSTED, user_id=author_id, key=str(post["_id"]), postId=post["_id"])
    if verdict.status == moderation.APPROVED:
        await count_in_topics(services, post, 1)
        await published(services, post)
    return post


async def engage(services: Services, user_id: str, product_ids: list[str], delta: int) -> None:
    """Count a user's likes of and posts about products (the ENGAGED edges recommendations read)."""
    store = services.store
    for product_id in product_ids:
        doc_id = f"{user_id}>{product_id}"
        if delta > 0:
            await increment(
                store, "engagements", doc_id, {"count": delta}, {"userId": user_id, "productId": product_id}
            )
        else:  # taking back: never creates a document
            await store.update_one("engagements", {"_id": doc_id}, {"$inc": {"count": delta}})
        await services.emit("engaged", userId=user_id, productId=product_id)


async def published(services: Services, post: Doc) -> None:
    """A post became visible for the first time: followers' timelines get it, the POSTED activity goes out, its
    products and topics hear of it. Exactly once per post: whoever sets `publishedAt` first (compare-and-set) runs
    them; a post approved again after a rejection only counts in its topics again (`count_in_topics`)."""
    store = services.store
    claimed = await store.update_one(
        "posts", {"_id": post["_id"], "publishedAt": None}, {"$set": {"publishedAt": services.now()}}
    )
    if claimed is None:
        return
    for name in post["topics"]:
        try:
            await store.insert(
                "post_topics",
                {"_id": f"{name}|{post['_id']}", "topic": name, "postId": post["_id"], "at": post["createdAt"]},
            )
        except DuplicateKey:
            pass
        await feeds.topic_heat(services, name, feeds.POST_HEAT)
    await feeds.fan_out(services, post)
    await engage(services, post["authorId"], post["productIds"], 1)
    await feeds.record_activity(services, post["authorId"], "POSTED", postId=post["_id"])


async def count_in_topics(services: Services, post: Doc, delta: int) -> None:
    """Topics count their visible posts: +1 when a post becomes visible, -1 when it stops being."""
    for name in post["topics"]:
        if delta > 0:
            await increment(services.store, "topics", name, {"postCount": delta}, {"createdAt": services.now()})
        else:
            await services.store.update_one("topics", {"_id": name}, {"$inc": {"postCount": delta}})


async def like(services: Services, user_id: str, post_id: str) -> Doc:
    field = ["input", "postId"]
    post = await Seer.of(services.store, user_id).post_to_engage(post_id, field)
    if post["moderation"] != moderation.APPROVED:
        raise Refused("INVALID_STATE", "This post is not published", field)
    try:
        await services.store.insert(
            "likes", {"_id": f"{post_id}>{user_id}", "postId": post_id, "userId": user_id, "at": services.now()}
        )
    except DuplicateKey:
        return post  # liked already: idempotent
    liked = await services.store.update_one("posts", {"_id": post_id}, {"$inc": {"likeCount": 1}}) or post
    await engage(services, user_id, post["productIds"], 1)
    # liking again after unliking is no news: one LIKED activity and one heat per user and post
    if await feeds.record_activity(services, user_id, "LIKED", once=f"liked:{post_id}>{user_id}", postId=post_id):
        for name in post["topics"]:
            await feeds.topic_heat(services, name, feeds.LIKE_HEAT, user_id)
    return liked


async def unlike(services: Services, user_id: str, post_id: str) -> Doc:
    post = await Seer.of(services.store, user_id).post_to_engage(post_id, ["input", "postId"], taking_back=True)
    if not await drop_like(services, user_id, post_id):
        return post
    await engage(services, user_id, post["productIds"], -1)
    return await services.store.get("posts", post_id) or post


async def drop_like(services: Services, user_id: str, post_id: str) -> bool:
    """Delete the like if it exists; the post's count moves only for the one caller whose delete removed it."""
    if not await services.store.delete("likes", f"{post_id}>{user_id}"):
        return False
    await services.store.update_one("posts", {"_id": post_id}, {"$inc": {"likeCount": -1}})
    return True


POST_CLEARED: dict[str, Any] = {"title": "", "body": "", "images": [], "videoId": None, "productIds": [], "flags": []}


async def remove_post(services: Services, post: Doc) -> None:
    """Its author's account is deleted: the post's content goes, nobody sees it, its topics count it no more.
    Once: the compare-and-set from its current state decides who decrements the topics."""
    removed = await services.store.update_one(
        "posts",
        {"_id": post["_id"], "moderation": post["moderation"]},
        {"$set": {**POST_CLEARED, "moderation": moderation.REMOVED, "removedFrom": post["moderation"]}},
    )
    if removed is not None and post["moderation"] == moderation.APPROVED:
        await count_in_topics(services, post, -1)


async def remove_comment(services: Services, comment: Doc) -> None:
    """Its author's account is deleted: the body goes and nobody sees it; the post counts it no more (once: the
    compare-and-set on `hidden` decides, as an operator's hiding does)."""
    store = services.store
    hidden = await store.update_one(
        "comments", {"_id": comment["_id"], "hidden": False}, {"$set": {"hidden": True, "body": "", "removed": True}}
    )
    if hidden is not None:
        await store.update_one("posts", {"_id": comment["postId"]}, {"$inc": {"commentCount": -1}})
    else:  # hidden already (by an operator)
        await store.update_one("comments", {"_id": comment["_id"]}, {"$set": {"body": "", "removed": True}})


async def comment(services: Services, user_id: str, post_id: str, body: str, reply_to: str | None) -> Doc:
    field = ["input", "postId"]
    refuse_problems(rules.comment_problems(body))
    store = services.store
    seer = Seer.of(store, user_id)
    post = await seer.post_to_engage(post_id, field)
    if post["moderation"] != moderation.APPROVED:
        raise Refused("INVALID_STATE", "This post is not published", field)
    root = None
    if reply_to is not None:
        parent = await store.get("comments", reply_to)
        if parent is None or parent["postId"] != post_id or not await seer.comment(parent):
            raise Refused("NOT_FOUND", "No such comment on this post", ["input", "replyToId"])
        root = parent.get("replyToId") or parent["_id"]  # one level: a reply to a reply answers its root
    verdict = moderation.review(body, banned_words(services))
    if verdict.status != moderation.APPROVED:
        raise Refused(
            "CONTENT_REJECTED",
            "This comment breaks the community rules: " + "; ".join(verdict.reasons),
            ["input", "body"],
        )
    doc = {
        "_id": new_id(),
        "postId": post_id,
        "authorId": user_id,
        "body": clean(body, multiline=True),
        "replyToId": root,
        "createdAt": services.now(),
        "hidden": False,
    }
    await store.insert("comments", doc)
    await store.update_one("posts", {"_id": post_id}, {"$inc": {"commentCount": 1}})
    for name in post["topics"]:
        await feeds.topic_heat(services, name, feeds.COMMENT_HEAT, user_id)
    await feeds.record_activity(services, user_id, "COMMENTED", postId=post_id)
    return doc


async def comments(services: Services, post_id: str, first: int, after: str | None) -> Page:
    return await services.store.find(
        "comments", {"postId": post_id, "hidden": False}, sort="createdAt", limit=first, after=after
    )


async def viewed(services: Services, post: Doc, viewer_id: str | None) -> None:
    """A signed-in user other than the author opened the post: one view (the denominator of its quality) per
    user and hour, so that opening it again and again cannot bury it; anonymous opens are not counted."""
    if post["moderation"] != moderation.APPROVED or viewer_id is None or viewer_id == post["authorId"]:
        return
    if not await rankings.first_in_hour(services, "post-view", post["_id"], viewer_id):
        return
    await services.store.update_one("posts", {"_id": post["_id"]}, {"$inc": {"viewCount": 1}})


# -- reports and moderation --------------------------------------------------------------------------------
@dataclass
class Target:
    kind: str  # "post" | "comment" | "review"
    doc: Doc


TARGETS = {"Post": ("post", "posts"), "Comment": ("comment", "comments"), "Review": ("review", "reviews")}


async def target(services: Services, kind: str, raw_id: str) -> Target:
    found = TARGETS.get(kind)
    doc = await services.store.get(found[1], raw_id) if found else None
    if found is None or doc is None:
        raise Refused("NOT_FOUND", NOTHING_HERE, ["input", "targetId"])
    return Target(found[0], doc)


async def report(services: Services, user_id: str, found: Target, reason: str) -> None:
    seer = Seer.of(services.store, user_id)
    see = {"post": seer.post, "comment": seer.comment, "review": seer.review}[found.kind]
    if not await see(found.doc):
        raise Refused("NOT_FOUND", NOTHING_HERE, ["input", "targetId"])  # as for an id that names nothing
    refuse_problems(rules.reason_problems(reason))
    doc: dict[str, Any] = {
        "_id": f"{user_id}:{found.doc['_id']}",
        "userId": user_id,
        "targetKind": found.kind,
        "targetId": found.doc["_id"],
        "reason": clean(reason),
        "status": "OPEN",
        "at": services.now(),
    }
    try:
        await services.store.insert("reports", doc)
    except DuplicateKey:
        raise Refused("ALREADY_EXISTS", "You reported this already", ["input", "targetId"]) from None


async def moderated(
    services: Services, collection: str, what: str, doc: Doc, approve: bool, operator_id: str, note: str | None
) -> tuple[moderation.Move, Doc]:
    """An operator's decision on a held (or shown) post or review: the move, by compare-and-set on its state, and the
    document after it; INVALID_STATE for a move the state has not, CONFLICT when another operator decided first."""
    move = moderation.decide(doc["moderation"], approve)
    if move is None:
        raise Refused("INVALID_STATE", f"This {what} cannot be moderated that way", ["input", "targetId"])
    moved = await services.store.update_one(
        collection,
        {"_id": doc["_id"], "moderation": move.before},
        {"$set": {"moderation": move.after, "moderatedBy": operator_id, "moderationNote": note}},
    )
    if moved is None:
        raise Refused("CONFLICT", f"Someone moderated this {what} meanwhile", ["input", "targetId"])
    return move, moved


async def moderate(services: Services, operator_id: str, found: Target, approve: bool, note: str | None) -> None:
    store = services.store
    if found.kind == "review":
        from resolvers import reviews  # reviews build on this module (banned words, engagement)

        await reviews.moderate(services, operator_id, found.doc, approve, note)
    elif found.kind == "post":
        move, moved = await moderated(services, "posts", "post", found.doc, approve, operator_id, note)
        if move.shows:
            await count_in_topics(services, moved, 1)
            await published(services, moved)
        elif move.hides:
            await count_in_topics(services, moved, -1)
    else:
        hidden = not approve
        comment = await store.update_one(
            "comments",
            {"_id": found.doc["_id"], "hidden": not hidden, "removed": {"$ne": True}},  # not one its author took
            {"$set": {"hidden": hidden, "moderatedBy": operator_id}},
        )
        if comment is not None:
            await store.update_one("posts", {"_id": comment["postId"]}, {"$inc": {"commentCount": -1 if hidden else 1}})
    open_reports = await store.find("reports", {"targetId": found.doc["_id"], "status": "OPEN"}, limit=1000)
    await store.set_many(
        "reports", {r["_id"]: {"status": "RESOLVED", "resolvedBy": operator_id} for r in open_reports.docs}
    )

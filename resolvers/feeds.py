"""Activities and feeds.

- FOLLOWING: posts of the people the viewer follows, newest first. Fan-out on write: a published post is copied
  into each follower's `timelines` when its author has at most FANOUT_THRESHOLD followers; the posts of authors
  with more are merged in at read time (large social networks do the same for celebrities).
- FRIENDS: the viewer's friends' activities (POSTED, BOUGHT, LIKED, COMMENTED, STARTED_TEAM, JOINED_TEAM,
  WENT_LIVE) as each actor's activityVisibility allows (and BOUGHT only with showInSocialProof), never across a block.
- DISCOVER: approved posts of the last days ranked by domain/ranking.py.
- feedUpdates: each new activity is published to `feed:<user>` of the people whose FOLLOWING or FRIENDS feed it
  belongs in; POSTED and WENT_LIVE reach every follower (a celebrity's on their `author:<id>` topic).
- Topics: post counts, and a heat per topic and hour for trendingTopics (posts, likes and comments in the last 24
  hours, recent hours weighing more).
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

from domain import moderation, visibility
from domain.ranking import PROXIMITY, Candidate, arrange, cap_commercial
from domain.visibility import Relation, Viewer
from graph.protocol import GraphUnavailable
from resolvers import rankings
from resolvers.errors import bad_input
from resolvers.services import Services
from resolvers.visibility import Seer
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
POST_HEAT, LIKE_HEAT, COMMENT_HEAT = 3.0, 1.0, 2.0
HOUR_MS = 3_600_000
TRENDING_HOURS = 24
TRENDING_HALF_LIFE_HOURS = 6.0
DISCOVER_DAYS = 7
DISCOVER_CANDIDATES = 500
FRIENDS_LIMIT = 5_000
CELEBRITIES_LIMIT = 10_000
# Activities every follower hears of (feedUpdates); the others go to friends only.
TO_FOLLOWERS = ("POSTED", "WENT_LIVE")
FRIEND = Relation(friends=True, follows=True)


@dataclass
class FeedPage:
    items: list[Doc]  # posts (FOLLOWING, DISCOVER) or activities (FRIENDS)
    cursors: list[str]
    has_next: bool


def _cursor(at: int, item_id: str) -> str:
    return base64.urlsafe_b64encode(f"{at}:{item_id}".encode()).decode()


def _uncursor(cursor: str | None) -> tuple[int, str] | None:
    if not cursor:
        return None
    try:
        at, item_id = base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)
        return int(at), item_id
    except (ValueError, UnicodeDecodeError):
        raise bad_input("Not a cursor of this feed", "after") from None


def _position(cursor: str | None) -> int:
    """DISCOVER's cursor: the position of the last item seen, in ASCII digits (what `discover` hands out)."""
    if not cursor:
        return 0
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 9):
        raise bad_input("Not a cursor of this feed", "after")
    return int(cursor)


def _before(at: int, item_id: str, cursor: tuple[int, str] | None) -> bool:
    return cursor is None or (at, item_id) < cursor


# -- writing ---------------------------------------------------------------------------------------------
async def record_activity(
    services: Services, actor_id: str, verb: str, once: str | None = None, **refs: str
) -> Doc | None:
    """Store the activity and push it to the live feeds of the people it is for. With `once` (its id), an
    activity that happened before is not recorded again (None)."""
    activity = {"_id": once or new_id(), "actorId": actor_id, "verb": verb, "at": services.now(), **refs}
    try:
        await services.store.insert("activities", activity)
    except DuplicateKey:
        if once is None:
            raise
        return None
    actor = await services.store.get("users", actor_id) or {}
    audience = await _audience(services, activity, actor)
    # followers of a celebrity listen on one topic instead of each getting the post on theirs
    audience_topics = [f"author:{actor_id}"] if verb in TO_FOLLOWERS and is_celebrity(services, actor) else []
    if audience or audience_topics:
        # The event carries what a feed item shows, so no subscriber reads the store for it.
        event = {
            "activity": activity,
            "actor": actor or None,
            "post": await services.store.get("posts", refs["postId"]) if refs.get("postId") else None,
        }
        for topic in [*(feed_topic(u) for u in audience), *audience_topics]:
            await services.backends.bus.publish(topic, event)
    return activity


def feed_topic(user_id: str) -> str:
    """Where a user's feedUpdates hear of new activity for them, and of a change of their blocks and follows."""
    return f"feed:{user_id}"


async def relations_changed(services: Services, *user_ids: str) -> None:
    """A follow, unfollow or block changed what these users may see of each other: their feedUpdates read their
    blocks and follows again at once (instead of trusting what they read for up to FACTS_SECONDS)."""
    for user_id in user_ids:
        await services.backends.bus.publish(feed_topic(user_id), {"relationsChanged": True})


def is_celebrity(services: Services, user: Doc) -> bool:
    """Over the fan-out threshold: their posts are merged at read time and pushed on one author topic."""
    return bool(user.get("followerCount", 0) > services.settings.FANOUT_THRESHOLD)


async def _audience(services: Services, activity: Doc, actor: Doc) -> set[str]:
    store = services.store
    audience: set[str] = set()
    if activity["verb"] in TO_FOLLOWERS and not is_celebrity(services, actor):  # an ordinary author's followers
        page = await store.find("follows", {"dst": activity["actorId"]}, limit=services.settings.FANOUT_THRESHOLD)
        audience |= {f["src"] for f in page.docs}
    if _shown_to_friends(actor, activity["verb"]):
        try:
            friends = await services.backends.graph.neighbors("FRIEND", activity["actorId"], limit=FRIENDS_LIMIT)
        except GraphUnavailable as exc:  # the activity is stored: friends see it when they read their feed
            log.warning("feeds: the graph is unavailable (%s); %s not pushed to friends live", exc, activity["_id"])
            friends = []
        audience |= set(friends)
    return audience


def _shown_to_friends(actor: Doc, verb: str) -> bool:
    """Would a friend (not blocked) see this activity? Who hears of it live; each subscriber checks again."""
    friend = Viewer(None)
    return visibility.activity_visible({"actorId": actor.get("_id"), "verb": verb}, actor, friend, FRIEND, True)


async def fan_out(services: Services, post: Doc) -> None:
    """Copy a published post into its followers' timelines (ordinary authors only)."""
    store = services.store
    if is_celebrity(services, await store.get("users", post["authorId"]) or {}):
        return  # merged at read time
    after = None
    while True:
        page = await store.find("follows", {"dst": post["authorId"]}, limit=1000, after=after)
        entries = [
            {
                "_id": f"{f['src']}:{post['_id']}",
                "ownerId": f["src"],
                "postId": post["_id"],
                "authorId": post["authorId"],
                "at": post["createdAt"],
            }
            for f in page.docs
        ]
        for entry in entries:  # one by one: a replayed fan-out skips the entries it made before
            try:
                await store.insert("timelines", entry)
            except DuplicateKey:
                pass
        if page.next_cursor is None:
            return
        after = page.next_cursor


async def topic_heat(services: Services, name: str, heat: float, actor: str | None = None) -> None:
    """Heat for trendingTopics; a user's likes and comments (`actor`) count once per topic and hour."""
    await rankings.add(services, "topic", name, heat, TRENDING_HOURS, actor)


# -- reading ---------------------------------------------------------------------------------------------
async def following(
    services: Services, viewer_id: str, first: int, after: str | None, seer: Seer | None = None
) -> FeedPage:
    store = services.store
    cursor = _uncursor(after)
    want = first + 1
    where: dict[str, Any] = {"ownerId": viewer_id}
    if cursor is not None:
        where["at"] = {"$lte": cursor[0]}
    entries = await store.find("timelines", where, sort="at", direction=-1, limit=want * 2)
    candidates = [(e["at"], e["postId"]) for e in entries.docs if _before(e["at"], e["postId"], cursor)]
    loaded: dict[str, Doc] = {}
    for celebrity in await followed_celebrities(services, viewer_id):  # one indexed range read per author
        # author and time only, so the (authorId, createdAt) index serves it; moderation is checked below
        post_where: dict[str, Any] = {"authorId": celebrity}
        if cursor is not None:
            post_where["createdAt"] = {"$lte": cursor[0]}
        loud = await store.find("posts", post_where, sort="createdAt", direction=-1, limit=want)
        for doc in loud.docs:
            if _before(doc["createdAt"], doc["_id"], cursor):
                loaded[doc["_id"]] = doc
                candidates.append((doc["createdAt"], doc["_id"]))
    candidates = sorted(set(candidates), reverse=True)[: want * 2]  # the newest, with room for filtered ones
    posts = {**loaded, **await store.get_many("posts", [pid for _, pid in candidates if pid not in loaded])}
    seer = seer or Seer.of(store, viewer_id)
    shown = {p["_id"]: p for p in await seer.followed_posts(list(posts.values()))}
    items: list[Doc] = []
    cursors: list[str] = []
    for at, pid in candidates:
        post = shown.get(pid)
        # the viewer's own posts are visible to them, but FOLLOWING holds the approved posts of people they follow
        if post is None or post["moderation"] != moderation.APPROVED:
            continue
        items.append(post)
        cursors.append(_cursor(at, pid))
    return FeedPage(items[:first], cursors[:first], len(items) > first or len(entries.docs) == want * 2)


async def followed_celebrities(services: Services, viewer_id: str) -> list[str]:
    """Followees whose posts are not fanned out (over the threshold): the few celebrities, then which of them
    the viewer follows, rather than every followee of the viewer."""
    store = services.store
    loud = await store.find(
        "users", {"followerCount": {"$gt": services.settings.FANOUT_THRESHOLD}}, limit=CELEBRITIES_LIMIT
    )
    if not loud.docs:
        return []
    follows = await store.get_many("follows", [f"{viewer_id}>{u['_id']}" for u in loud.docs])
    return sorted(f["dst"] for f in follows.values())


async def friends(
    services: Services, viewer_id: str, first: int, after: str | None, seer: Seer | None = None
) -> FeedPage:
    store = services.store
    cursor = _uncursor(after)
    friend_ids = await services.backends.graph.neighbors("FRIEND", viewer_id, limit=FRIENDS_LIMIT)
    if not friend_ids:
        return FeedPage([], [], False)
    where: dict[str, Any] = {"actorId": {"$in": friend_ids}}
    if cursor is not None:
        where["at"] = {"$lte": cursor[0]}
    page = await store.find("activities", where, sort="at", direction=-1, limit=(first + 1) * 3)
    seer = seer or Seer.of(store, viewer_id)
    shown = await seer.activities([a for a in page.docs if _before(a["at"], a["_id"], cursor)])
    items = [a for a in shown if a["actorId"] != viewer_id]
    cursors = [_cursor(a["at"], a["_id"]) for a in items]
    return FeedPage(items[:first], cursors[:first], len(items) > first or page.next_cursor is not None)


async def _proximity(services: Services, viewer_id: str) -> dict[str, float]:
    """How close each author is to the viewer, from the graph; none while the graph is unavailable (DISCOVER then
    ranks by everything else)."""
    proximity: dict[str, float] = {}
    graph = services.backends.graph
    try:
        for user_id, _ in await graph.two_hop("FRIEND", viewer_id, limit=500):
            proximity[user_id] = PROXIMITY["friend_of_friend"]
        for user_id in await graph.neighbors("FOLLOWS", viewer_id, limit=FRIENDS_LIMIT):
            proximity[user_id] = PROXIMITY["followee"]
        for user_id in await graph.neighbors("FRIEND", viewer_id, limit=FRIENDS_LIMIT):
            proximity[user_id] = PROXIMITY["friend"]
    except GraphUnavailable as exc:
        log.warning("feeds: the graph is unavailable (%s); DISCOVER ranked without proximity", exc)
        return {}
    return proximity


async def discover(
    services: Services, viewer_id: str | None, first: int, after: str | None, seer: Seer | None = None
) -> FeedPage:
    """Ranked, so pages are positions in the ranking (`after` is the position of the last item seen)."""
    store = services.store
    start = _position(after)
    now = services.now()
    recent = await store.find(
        "posts",
        {"moderation": moderation.APPROVED, "createdAt": {"$gte": now - DISCOVER_DAYS * 86_400_000}},
        sort="createdAt",
        direction=-1,
        limit=DISCOVER_CANDIDATES,
    )
    proximity = await _proximity(services, viewer_id) if viewer_id is not None else {}
    seer = seer or Seer.of(store, viewer_id)
    visible = await seer.posts(recent.docs)  # approved, not across a block, and with an author
    authors = await seer.users(p["authorId"] for p in visible)
    posts = {p["_id"]: p for p in visible if p["authorId"] != viewer_id}
    ranked = arrange(
        [
            Candidate(
                post_id=p["_id"],
                author_id=p["authorId"],
                likes=p["likeCount"],
                comments=p["commentCount"],
                views=p.get("viewCount", 0),
                age_hours=(now - p["createdAt"]) / HOUR_MS,
                proximity=proximity.get(p["authorId"], 0.0),
                influence=float(authors.get(p["authorId"], {}).get("influence", 0.0)),
                credit=float(authors.get(p["authorId"], {}).get("creatorScore", 0.0)),
                commercial=bool(p.get("productIds")),
            )
            for p in posts.values()
        ]
    )
    ranked = cap_commercial(ranked, lambda c: c.commercial, services.settings.COMMERCIAL_SHARE, first)
    window = ranked[start : start + first]
    return FeedPage(
        [posts[c.post_id] for c in window],
        [str(start + i + 1) for i in range(len(window))],
        start + first < len(ranked),
    )


async def trending(services: Services, first: int) -> list[Doc]:
    """Topics by heat over the last 24 hours (a post 3, a comment 2, a like 1), halving every 6 hours of age."""
    top = [name for name, _ in await rankings.top(services, "topic", TRENDING_HOURS, TRENDING_HALF_LIFE_HOURS, first)]
    topics = await services.store.get_many("topics", top)
    return [topics[t] for t in top if t in topics]


async def topic_posts(
    services: Services, name: str, first: int, after: str | None, seer: Seer | None = None
) -> tuple[list[Doc], list[str], bool]:
    page = await services.store.find("post_topics", {"topic": name}, sort="at", direction=-1, limit=first, after=after)
    posts = await services.store.get_many("posts", [link["postId"] for link in page.docs])
    seer = seer or Seer.of(services.store, None)
    visible = {p["_id"] for p in await seer.posts(list(posts.values())) if p["moderation"] == moderation.APPROVED}
    shown = [
        (posts[link["postId"]], cursor)
        for link, cursor in zip(page.docs, page.cursors, strict=True)
        if link["postId"] in visible
    ]
    return [p for p, _ in shown], [c for _, c in shown], page.next_cursor is not None

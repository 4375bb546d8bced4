"""The visibility rules of domain/visibility.py applied for one viewer, with the facts looked up in batches.

A `Seer` belongs to one request (or one subscription event): the viewer's document, and the blocks and follows
between the viewer and the users a page shows, are each read once, in one batched call per kind, however many
fields ask. Fields, `node`/`nodes`, lists, feeds and subscriptions all filter through it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence

from strawberry.dataloader import DataLoader

from domain import visibility as rules
from domain.moderation import APPROVED
from domain.staff import staff_id
from domain.visibility import STRANGER, Relation, Viewer
from resolvers.errors import Refused
from resolvers.loaders import Loaders
from store.protocol import Doc, DocumentStore

log = logging.getLogger(__name__)
MAX_BLOCKS = 5_000  # blocks of one viewer held as a set per request; past it, blocks are read per pair
FOLLOWED = Relation(follows=True)  # what a follow proves: no block either way
# How long a subscription trusts what it read of blocks and follows: a safety net, since every follow, unfollow
# and block tells both users' subscriptions at once (feeds.relations_changed). Short, it made 100 subscribers of
# one author read their facts again together, on the same event, every few seconds.
FACTS_SECONDS = 300.0


class Facts:
    """The viewer's blocks and follows with the users a page shows: read once, in batches, then cached. A request
    has its own; a long subscription keeps one for FACTS_SECONDS, so a feed event costs its subscribers no reads."""

    def __init__(self, store: DocumentStore, viewer_id: str | None) -> None:
        self.store = store
        self.viewer_id = viewer_id
        self.born = time.monotonic()
        self._relations: DataLoader[str, Relation] = DataLoader(load_fn=self._load_relations)
        self._blocks: asyncio.Task[set[str] | None] | None = None
        self._viewer: Viewer | None = None

    def stale(self) -> bool:
        return time.monotonic() - self.born > FACTS_SECONDS

    async def viewer(self, loaders: Loaders) -> Viewer:
        """Who is looking (whether an operator), read through the request's loaders the first time."""
        if self._viewer is None:
            doc = await loaders.user.load(self.viewer_id) if self.viewer_id else None
            self._viewer = Viewer(self.viewer_id, operator=doc is not None and "operator" in doc.get("roles", []))
        return self._viewer

    async def relation(self, user_id: str) -> Relation:
        if self.viewer_id is None or user_id == self.viewer_id:
            return STRANGER
        return await self._relations.load(user_id)

    async def relations(self, user_ids: Iterable[str]) -> dict[str, Relation]:
        ids = list(dict.fromkeys(user_ids))
        if self.viewer_id is None:
            return {u: STRANGER for u in ids}
        found = await self._relations.load_many(ids)
        return dict(zip(ids, found, strict=True))

    async def blocked_among(self, user_ids: Iterable[str]) -> set[str]:
        """Which of these users the viewer blocked or is blocked by (two indexed reads per request, usually)."""
        ids = set(user_ids) - {self.viewer_id}
        if self.viewer_id is None or not ids:
            return set()
        blocked = await self._blocked_ids()
        if blocked is not None:
            return ids & blocked
        return {u for u, r in (await self.relations(ids)).items() if r.blocked}

    async def _blocked_ids(self) -> set[str] | None:
        """Everyone on the other side of a block from the viewer; None when there are too many to hold."""
        if self._blocks is None:
            self._blocks = asyncio.ensure_future(self._read_blocks())
        return await asyncio.shield(self._blocks)

    async def _read_blocks(self) -> set[str] | None:
        store = self.store
        mine, theirs = await asyncio.gather(
            store.find("blocks", {"src": self.viewer_id}, limit=MAX_BLOCKS),
            store.find("blocks", {"dst": self.viewer_id}, limit=MAX_BLOCKS),
        )
        if len(mine.docs) == MAX_BLOCKS or len(theirs.docs) == MAX_BLOCKS:
            return None  # a user blocked by very many: ask per pair instead
        return {b["dst"] for b in mine.docs} | {b["src"] for b in theirs.docs}

    async def _load_relations(self, user_ids: Sequence[str]) -> list[Relation]:
        me = self.viewer_id
        store = self.store
        pairs = [key for u in user_ids for key in (f"{me}>{u}", f"{u}>{me}")]
        held = await self._blocked_ids()
        if held is None:
            blocks = await store.get_many("blocks", pairs)
            blocked = {u for u in user_ids if f"{me}>{u}" in blocks or f"{u}>{me}" in blocks}
        else:
            blocked = held & set(user_ids)
        follows = await store.get_many("follows", pairs)
        return [
            Relation(
                blocked=u in blocked,
                friends=f"{me}>{u}" in follows and f"{u}>{me}" in follows,
                follows=f"{me}>{u}" in follows,
                followed_by=f"{u}>{me}" in follows,
            )
            for u in user_ids
        ]


class Seer:
    """What one viewer may see. Build it with the request's Loaders so that primed documents are shared."""

    def __init__(self, loaders: Loaders, viewer_id: str | None, facts: Facts | None = None) -> None:
        self.loaders = loaders
        self.viewer_id = viewer_id
        self.facts = facts if facts is not None and facts.viewer_id == viewer_id else Facts(loaders.store, viewer_id)

    @classmethod
    def of(cls, store: DocumentStore, viewer_id: str | None) -> Seer:
        """For a use case outside a request (fresh loaders of its own)."""
        return cls(Loaders(store), viewer_id)

    # -- facts -----------------------------------------------------------------------------------------------
    async def viewer(self) -> Viewer:
        return await self.facts.viewer(self.loaders)

    async def relation(self, user_id: str) -> Relation:
        return await self.facts.relation(user_id)

    async def relations(self, user_ids: Iterable[str]) -> dict[str, Relation]:
        return await self.facts.relations(user_ids)

    async def blocked_among(self, user_ids: Iterable[str]) -> set[str]:
        return await self.facts.blocked_among(user_ids)

    # -- posts -----------------------------------------------------------------------------------------------
    async def post(self, post: Doc) -> bool:
        return bool(await self.posts([post]))

    async def posts(self, posts: Sequence[Doc]) -> list[Doc]:
        """The posts the viewer may see, in order; a post whose author is missing is left out (and logged)."""
        posts = await self._with(posts, "authorId", "post", "author")
        blocked = await self.blocked_among(p["authorId"] for p in posts)
        # whether the viewer is an operator matters only for a post held by moderation or across a block: the
        # common page of approved posts reads no viewer document (this runs for every subscriber of a feed event)
        plain = all(p["moderation"] == APPROVED and p["authorId"] not in blocked for p in posts)
        viewer = Viewer(self.viewer_id) if plain else await self.viewer()
        return [p for p in posts if rules.post_visible(p, viewer, Relation(blocked=p["authorId"] in blocked))]

    async def followed_posts(self, posts: Sequence[Doc]) -> list[Doc]:
        """The posts of authors the viewer follows that the viewer may see, in order (FOLLOWING). A follow never
        stands across a block (`block` ends follows both ways and `follow` refuses one), so the one follow read
        per author is the relation: no blocks are read. A post whose author is missing is left out (and logged)."""
        posts = await self._with(posts, "authorId", "post", "author")
        me = self.viewer_id
        follows = await self.loaders.store.get_many("follows", list({f"{me}>{p['authorId']}" for p in posts}))
        viewer = Viewer(me)  # the posts that count here are approved: whether an operator changes nothing
        return [p for p in posts if f"{me}>{p['authorId']}" in follows and rules.post_visible(p, viewer, FOLLOWED)]

    async def post_to_engage(self, post_id: str, field: list[str], taking_back: bool = False) -> Doc:
        """A post the viewer acts on (like, comment): NOT_FOUND when moderation hides it from them (as when it
        does not exist), BLOCKED when one of them blocked the other. Taking a like back works across a block."""
        post = await self.loaders.post.load(post_id)
        if post is None or not rules.post_visible(post, await self.viewer(), STRANGER):
            raise Refused("NOT_FOUND", "No such post", field)
        if not taking_back and await self.blocked_among([post["authorId"]]):
            raise Refused("BLOCKED", "One of you has blocked the other", field)
        return post

    # -- comments --------------------------------------------------------------------------------------------
    async def comments(self, comments: Sequence[Doc]) -> list[Doc]:
        """The comments the viewer may see, in order; one whose author is missing is left out (and logged)."""
        comments = await self._with(comments, "authorId", "comment", "author")
        posts = await self.loaders.post.load_many(list(dict.fromkeys(c["postId"] for c in comments)))
        shown_posts = {p["_id"] for p in await self.posts([p for p in posts if p is not None])}
        blocked = await self.blocked_among(c["authorId"] for c in comments)
        return [
            c
            for c in comments
            if rules.comment_visible(c, c["postId"] in shown_posts, Relation(blocked=c["authorId"] in blocked))
        ]

    async def comment(self, comment: Doc) -> bool:
        return bool(await self.comments([comment]))

    async def live_comments(self, comments: Sequence[Doc]) -> list[Doc]:
        comments = await self._with(comments, "authorId", "live comment", "author")
        blocked = await self.blocked_among(c["authorId"] for c in comments)
        return [c for c in comments if rules.live_comment_visible(Relation(blocked=c["authorId"] in blocked))]

    # -- reviews ---------------------------------------------------------------------------------------------
    async def reviews(self, reviews: Sequence[Doc]) -> list[Doc]:
        """The reviews the viewer may see, in order; one whose author is missing is left out (and logged)."""
        reviews = await self._with(reviews, "authorId", "review", "author")
        blocked = await self.blocked_among(r["authorId"] for r in reviews)
        plain = all(r["moderation"] == APPROVED and r["authorId"] not in blocked for r in reviews)
        viewer = Viewer(self.viewer_id) if plain else await self.viewer()
        return [r for r in reviews if rules.review_visible(r, viewer, Relation(blocked=r["authorId"] in blocked))]

    async def review(self, review: Doc) -> bool:
        return bool(await self.reviews([review]))

    async def social_reviews(self, reviews: Sequence[Doc]) -> list[Doc]:
        """The reviews the viewer may see as their friends' and followees' (privacy of each reviewer)."""
        reviews = await self._with(reviews, "authorId", "review", "author")
        viewer = await self.viewer()
        authors = await self.users(r["authorId"] for r in reviews)
        relations = await self.relations(authors)
        return [
            r
            for r in reviews
            if rules.review_among_friends(r, authors[r["authorId"]], viewer, relations[r["authorId"]])
        ]

    # -- activities ------------------------------------------------------------------------------------------
    async def activities(self, activities: Sequence[Doc]) -> list[Doc]:
        """The activities the viewer may see, in order; one whose actor is missing is left out (and logged)."""
        activities = await self._with(activities, "actorId", "activity", "actor")
        viewer = await self.viewer()
        actors = await self.users(a["actorId"] for a in activities)
        relations = await self.relations(actors)
        shown_posts = await self._shown_posts(activities)
        shown_reviews = await self._shown_reviews(activities)
        return [
            a
            for a in activities
            if rules.activity_visible(
                a,
                actors[a["actorId"]],
                viewer,
                relations[a["actorId"]],
                _post_ok(a, shown_posts) and _review_ok(a, shown_reviews),
            )
        ]

    async def activity(self, activity: Doc) -> bool:
        return bool(await self.activities([activity]))

    async def feed_update(self, activity: Doc, to_followers: bool) -> bool:
        """A feedUpdates payload: a FOLLOWING item (a POSTED / WENT_LIVE of someone the viewer follows) or else
        a FRIENDS item under the actor's activity privacy."""
        if to_followers:
            shown_posts = await self._shown_posts([activity])
            post_shown = _post_ok(activity, shown_posts)
            relation = await self.relation(activity["actorId"])
            if rules.followed_update_visible(activity, await self.viewer(), relation, post_shown):
                return True
        return await self.activity(activity)

    async def _shown_posts(self, activities: Sequence[Doc]) -> set[str]:
        ids = list(dict.fromkeys(a["postId"] for a in activities if a.get("postId")))
        if not ids:
            return set()
        posts = await self.loaders.post.load_many(ids)
        return {p["_id"] for p in await self.posts([p for p in posts if p is not None])}

    async def _shown_reviews(self, activities: Sequence[Doc]) -> set[str]:
        """The reviews of REVIEWED activities the viewer may see (one held or removed since hides its activity)."""
        ids = list(dict.fromkeys(a["reviewId"] for a in activities if a.get("reviewId")))
        if not ids:
            return set()
        found = await self.loaders.review.load_many(ids)
        return {r["_id"] for r in await self.reviews([r for r in found if r is not None])}

    # -- orders ----------------------------------------------------------------------------------------------
    async def order(self, order: Doc) -> bool:
        if self.viewer_id is None:
            return False
        if order["buyerId"] == self.viewer_id:
            return rules.order_visible(order, Viewer(self.viewer_id), None)
        shop = await self.loaders.shop.load(order["shopId"])
        owner = shop["ownerId"] if shop else None
        staff = owner != self.viewer_id and bool(
            await self.loaders.shop_staff.load(staff_id(order["shopId"], self.viewer_id))
        )
        return rules.order_visible(order, Viewer(self.viewer_id), owner, staff)

    # -- users -----------------------------------------------------------------------------------------------
    async def connections(self, owner: Doc) -> bool:
        return rules.connections_visible(owner, Viewer(self.viewer_id), await self.relation(owner["_id"]))

    async def edges(self, owner: Doc, others: Sequence[Doc]) -> list[Doc]:
        """The users at the other end of the owner's follows that the viewer may see the follow of (the owner's
        connections are checked by the caller)."""
        viewer = Viewer(self.viewer_id)  # operators see connections as anyone does
        relations = await self.relations(o["_id"] for o in others)
        owner_relation = await self.relation(owner["_id"])
        return [o for o in others if rules.edge_visible(owner, o, viewer, owner_relation, relations[o["_id"]])]

    async def buyer(self, user_id: str, what: str, doc_id: str) -> Doc:
        """A buyer as the viewer may see them (a team's leader and members): themself, or the anonymous user
        when they opted out of social proof (or are missing: logged, the team still shows)."""
        user = await self.loaders.user.load(user_id)
        if user is None:
            dangling(what, doc_id, "user", user_id)
            return rules.anonymous()
        return user if rules.purchase_shown(user, Viewer(self.viewer_id)) else rules.anonymous()

    async def users(self, ids: Iterable[str]) -> dict[str, Doc]:
        """The users that exist among `ids` (loaded once per request, so the fields that show them are free)."""
        wanted = list(dict.fromkeys(ids))
        docs = await self.loaders.user.load_many(wanted)
        return {d["_id"]: d for d in docs if d is not None}

    async def _with(self, docs: Sequence[Doc], key: str, what: str, role: str) -> list[Doc]:
        return await present(self.loaders.user, docs, key, what, role)


async def present(
    loader: DataLoader[str, Doc | None], docs: Sequence[Doc], key: str, what: str, role: str
) -> list[Doc]:
    """The documents whose related document at `key` exists (loaded through `loader`, so the fields that show
    it are free): a dangling reference degrades that one item of a list, not the page."""
    found = await loader.load_many(list(dict.fromkeys(d[key] for d in docs)))
    have = {f["_id"] for f in found if f is not None}
    kept = []
    for doc in docs:
        if doc[key] in have:
            kept.append(doc)
        else:
            dangling(what, doc.get("_id", ""), role, doc[key])
    return kept


def _post_ok(activity: Doc, shown_posts: set[str]) -> bool:
    return not activity.get("postId") or activity["postId"] in shown_posts


def _review_ok(activity: Doc, shown_reviews: set[str]) -> bool:
    return not activity.get("reviewId") or activity["reviewId"] in shown_reviews


_reported: set[tuple[str, str]] = set()


def dangling(what: str, doc_id: str, role: str, missing: str, state: str = "missing") -> None:
    """Log a broken reference once per process (a list leaves the item out, so the page still answers)."""
    if (what, doc_id) in _reported:
        return
    if len(_reported) > 10_000:
        _reported.clear()
    _reported.add((what, doc_id))
    log.warning("%s %s: its %s %s is %s; left out", what, doc_id, role, missing, state)

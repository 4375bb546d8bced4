"""Creators (达人): operators verify them (a badge), and `recommendedCreators` suggests creators to follow from the
social graph (whom the people the viewer follows follow, through those who do not keep their connections PRIVATE)
and the viewer's interests (authors of posts in the topics of the posts the viewer liked lately), weighed by each
creator's credit score (jobs/creators.py); never the viewer, someone they follow, or across a block."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from domain import visibility
from graph.protocol import GraphUnavailable
from resolvers.errors import Refused
from resolvers.services import Services
from store.protocol import Doc

RECENT_LIKES = 50
TOPIC_POSTS = 300
SOCIAL_WEIGHT = 0.3  # per person the viewer follows who follows the creator (up to 5)
INTEREST_WEIGHT = 0.2  # per post of theirs in the viewer's topics (up to 5)
VERIFIED_BONUS = 10.0


@dataclass(frozen=True)
class CreatorSuggestion:
    user: Doc
    reason: str
    followed_by: int  # people the viewer follows who follow them
    in_topics: int  # their recent posts in the viewer's topics


async def verify(services: Services, operator_id: str, user_id: str, verified: bool) -> Doc:
    """Set or clear a user's verified-creator badge (who may is the mutation's `role="operator"`)."""
    changes = {"verifiedCreator": verified, "verifiedBy": operator_id if verified else None}
    user = await services.store.update_one("users", {"_id": user_id}, {"$set": changes})
    if user is None:
        raise Refused("NOT_FOUND", "No such user", ["input", "userId"])
    return user


async def recommended(services: Services, viewer: str | None, first: int) -> list[CreatorSuggestion]:
    store = services.store
    social: dict[str, int] = {}
    exclude: set[str] = set()
    if viewer is not None:
        exclude = {viewer}
        try:
            social, exclude = await _social(services, viewer)
        except GraphUnavailable:
            pass  # the graph is down: interests and the best creators only
    interests = await _interests(services, viewer) if viewer is not None else {}
    wanted = set(social) | set(interests)
    users = await store.get_many("users", [u for u in wanted if u not in exclude])
    best = await store.find("users", {"creatorScore": {"$gt": 0}}, sort="creatorScore", direction=-1, limit=first * 3)
    for doc in best.docs:
        users.setdefault(doc["_id"], doc)
    suggestions = []
    for user_id, user in users.items():
        if user_id in exclude or user.get("deletedAt"):
            continue
        credit = float(user.get("creatorScore", 0.0))
        if credit <= 0 and not user.get("verifiedCreator"):
            continue
        by, topics = social.get(user_id, 0), interests.get(user_id, 0)
        weight = (credit + (VERIFIED_BONUS if user.get("verifiedCreator") else 0.0)) * (
            1 + SOCIAL_WEIGHT * min(by, 5) + INTEREST_WEIGHT * min(topics, 5)
        )
        suggestions.append((weight, user_id, CreatorSuggestion(user, _reason(by, topics), by, topics)))
    suggestions.sort(key=lambda s: (-s[0], s[1]))
    return [s for _, _, s in suggestions[:first]]


def _reason(by: int, topics: int) -> str:
    if by:
        return f"{by} people you follow follow them"
    if topics:
        return "Posts about what you like"
    return "A popular creator"


async def _social(services: Services, viewer: str) -> tuple[dict[str, int], set[str]]:
    """(creator -> how many of the viewer's followees follow them, whom never to suggest)."""
    graph = services.backends.graph
    followed, blocked, blockers = await asyncio.gather(
        graph.neighbors("FOLLOWS", viewer, limit=5_000),
        graph.neighbors("BLOCKS", viewer, limit=100_000),
        graph.neighbors("BLOCKS", viewer, direction="in", limit=100_000),
    )
    exclude = {viewer, *followed, *blocked, *blockers}
    followees = await services.store.get_many("users", followed)
    paths = [f for f in followed if f in followees and visibility.suggestion_path(followees[f])]
    reached = await graph.neighbor_counts("FOLLOWS", paths, limit=200 + len(exclude)) if paths else []
    return {c: n for c, n in reached if c not in exclude}, exclude


async def _interests(services: Services, viewer: str) -> dict[str, int]:
    """creator -> how many of their recent posts are in the topics of the posts the viewer liked lately."""
    store = services.store
    likes = await store.find("likes", {"userId": viewer}, sort="at", direction=-1, limit=RECENT_LIKES)
    liked = await store.get_many("posts", [like["postId"] for like in likes.docs])
    topics = sorted({t for post in liked.values() for t in post.get("topics", [])})
    if not topics:
        return {}
    found = await store.find("post_topics", {"topic": {"$in": topics}}, sort="at", direction=-1, limit=TOPIC_POSTS)
    posts = await store.get_many("posts", list({d["postId"] for d in found.docs} - set(liked)))
    counts: dict[str, int] = {}
    for post in posts.values():
        if post.get("moderation") == "APPROVED":
            counts[post["authorId"]] = counts.get(post["authorId"], 0) + 1
    return counts

"""Who may see what: one rule per type, given the facts about the viewer that the caller looked up. No I/O.

Every path that shows a document (a field, `node`/`nodes`, a list, a feed, a subscription payload) asks the rule
of its type here, through resolvers/visibility.py, which looks the facts up in batches. Across a block (either
direction) nothing of the other user shows: posts, comments, activities, live comments, connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import moderation, orders

PUBLIC, FRIENDS, PRIVATE = "PUBLIC", "FRIENDS", "PRIVATE"
# Activities that say what someone bought: hidden unless the actor lets purchases be shown (showInSocialProof).
PURCHASE_VERBS = frozenset({"BOUGHT", "STARTED_TEAM", "JOINED_TEAM"})
DEFAULTS = {"activityVisibility": FRIENDS, "showInSocialProof": True, "connectionsVisibility": PUBLIC}


@dataclass(frozen=True)
class Viewer:
    """Who is looking: None for an anonymous caller; operators see what moderation holds back."""

    id: str | None
    operator: bool = False


@dataclass(frozen=True)
class Relation:
    """What the viewer is to one other user (the author, actor or owner of the document)."""

    blocked: bool = False  # either blocked the other
    friends: bool = False  # mutual follows
    follows: bool = False  # the viewer follows them
    followed_by: bool = False  # they follow the viewer


STRANGER = Relation()
Doc = dict[str, Any]


def privacy(user: Doc) -> Doc:
    """The user's privacy settings, defaults filled in."""
    return {**DEFAULTS, **(user.get("privacy") or {})}


def post_visible(post: Doc, viewer: Viewer, relation: Relation) -> bool:
    """Approved posts are public (not across a block); pending and rejected ones belong to their author (and
    operators)."""
    if viewer.id is not None and viewer.id == post["authorId"]:
        return True
    if viewer.operator:
        return True
    return post["moderation"] == moderation.APPROVED and not relation.blocked


def review_visible(review: Doc, viewer: Viewer, relation: Relation) -> bool:
    """A review shows as a post does: approved ones to everyone (not across a block), held ones to their author
    and operators."""
    return post_visible(review, viewer, relation)


def review_among_friends(review: Doc, author: Doc, viewer: Viewer, relation: Relation) -> bool:
    """May a review be shown as a friend's or followee's (Product.friendReviews)? Only what their REVIEWED activity
    would show: not an anonymous one, and as their activityVisibility allows."""
    if review.get("anonymous") or not (relation.friends or relation.follows):
        return False
    activity = {"actorId": review["authorId"], "verb": "REVIEWED"}
    return review_visible(review, viewer, relation) and activity_visible(activity, author, viewer, relation, True)


def comment_visible(comment: Doc, post_shown: bool, relation: Relation) -> bool:
    """A comment shows where its post shows, unless an operator hid it (from everyone, its author too) or its
    author and the viewer are on two sides of a block."""
    return post_shown and not comment.get("hidden") and not relation.blocked


def live_comment_visible(relation: Relation) -> bool:
    return not relation.blocked


def activity_visible(activity: Doc, actor: Doc, viewer: Viewer, relation: Relation, post_shown: bool) -> bool:
    """The actor's activityVisibility decides (PUBLIC, FRIENDS: mutual follows, PRIVATE: nobody); purchases only
    with showInSocialProof; never across a block; never about a post the viewer cannot see."""
    if viewer.id is not None and viewer.id == activity["actorId"]:
        return True
    if relation.blocked or not post_shown:
        return False
    settings = privacy(actor)
    if activity["verb"] in PURCHASE_VERBS and not settings["showInSocialProof"]:
        return False
    audience = settings["activityVisibility"]
    return audience == PUBLIC or (audience == FRIENDS and relation.friends)


def followed_update_visible(activity: Doc, viewer: Viewer, relation: Relation, post_shown: bool) -> bool:
    """A POSTED or WENT_LIVE update pushed to a follower is a FOLLOWING item: the post (or room) is public, so
    the follower sees it whatever the actor's activityVisibility, unless a block or moderation says no."""
    if viewer.id is not None and viewer.id == activity["actorId"]:
        return True
    return relation.follows and not relation.blocked and post_shown


def connections_visible(owner: Doc, viewer: Viewer, relation: Relation) -> bool:
    """Whom a user follows and who follows them: per connectionsVisibility, never across a block."""
    if viewer.id is not None and viewer.id == owner["_id"]:
        return True
    if relation.blocked:
        return False
    audience = privacy(owner)["connectionsVisibility"]
    return audience == PUBLIC or (audience == FRIENDS and relation.friends)


def edge_visible(src: Doc, dst: Doc, viewer: Viewer, src_relation: Relation, dst_relation: Relation) -> bool:
    """A follow between two users is a connection of both: shown when the viewer is one of them, or may see the
    connections of both."""
    if viewer.id is not None and viewer.id in (src["_id"], dst["_id"]):
        return True
    return connections_visible(src, viewer, src_relation) and connections_visible(dst, viewer, dst_relation)


def purchase_shown(buyer: Doc, viewer: Viewer) -> bool:
    """May the viewer see that this user bought something (a team's members and leader, friends who bought)?"""
    return (viewer.id is not None and viewer.id == buyer["_id"]) or bool(privacy(buyer)["showInSocialProof"])


def suggestion_path(friend: Doc) -> bool:
    """May a friend's friends be suggested through them? Not when they keep their connections PRIVATE (the viewer
    is their friend, so FRIENDS allows it)."""
    return privacy(friend)["connectionsVisibility"] != PRIVATE


def suggestable(candidate: Doc) -> bool:
    """A suggestion says 'friend of your friends': only for someone whose connections a non-friend may see."""
    return privacy(candidate)["connectionsVisibility"] == PUBLIC


ANONYMOUS_NICKNAME = "匿名用户"


def anonymous() -> Doc:
    """Who stands in for a buyer the viewer may not see (a team member who opted out of social proof): one
    anonymous user, with nothing of the real one (its id names no user)."""
    return {
        "_id": "anonymous",
        "nickname": ANONYMOUS_NICKNAME,
        "avatarUrl": None,
        "bio": None,
        "influence": 0.0,
        "followerCount": 0,
        "followingCount": 0,
        "points": 0,
        "privacy": {**DEFAULTS, "connectionsVisibility": PRIVATE, "activityVisibility": PRIVATE},
    }


def order_visible(order: Doc, viewer: Viewer, shop_owner_id: str | None, shop_staff: bool = False) -> bool:
    """The buyer, the shop's owner and its staff (any role) see an order; nobody else (and nobody sees one being
    placed)."""
    if viewer.id is None or order["status"] == orders.RESERVING:
        return False
    return viewer.id in (order["buyerId"], shop_owner_id) or shop_staff

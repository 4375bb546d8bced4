"""The visibility rules (domain/visibility.py) and the moderation moves (domain/moderation.py), without I/O."""

from __future__ import annotations

from typing import Any

import pytest

from domain import moderation
from domain import visibility as rules
from domain.visibility import STRANGER, Relation, Viewer

ME, OTHER = Viewer("me"), "them"
BLOCKED = Relation(blocked=True, friends=False)
FRIEND = Relation(friends=True, follows=True, followed_by=True)
FOLLOWER = Relation(follows=True)


def user(**privacy: Any) -> dict[str, Any]:
    return {"_id": OTHER, "privacy": privacy}


def post(status: str = moderation.APPROVED, author: str = OTHER) -> dict[str, Any]:
    return {"_id": "p", "authorId": author, "moderation": status}


def activity(verb: str, actor: str = OTHER) -> dict[str, Any]:
    return {"_id": "a", "actorId": actor, "verb": verb}


@pytest.mark.parametrize(
    ("status", "viewer", "relation", "shown"),
    [
        (moderation.APPROVED, Viewer(None), STRANGER, True),
        (moderation.APPROVED, ME, BLOCKED, False),
        (moderation.PENDING, ME, FRIEND, False),
        (moderation.REJECTED, Viewer(None), STRANGER, False),
        (moderation.PENDING, Viewer("op", operator=True), STRANGER, True),
        (moderation.PENDING, Viewer(OTHER), STRANGER, True),  # the author
    ],
)
def test_who_sees_a_post(status: str, viewer: Viewer, relation: Relation, shown: bool) -> None:
    assert rules.post_visible(post(status), viewer, relation) is shown


def test_a_comment_shows_only_where_its_post_shows_unhidden_and_not_across_a_block() -> None:
    comment = {"_id": "c", "authorId": OTHER, "hidden": False}
    assert rules.comment_visible(comment, True, STRANGER)
    assert not rules.comment_visible(comment, False, STRANGER)
    assert not rules.comment_visible({**comment, "hidden": True}, True, STRANGER)
    assert not rules.comment_visible(comment, True, BLOCKED)


@pytest.mark.parametrize(
    ("privacy", "verb", "relation", "shown"),
    [
        ({}, "LIKED", FRIEND, True),  # FRIENDS by default
        ({}, "LIKED", STRANGER, False),
        ({}, "LIKED", FOLLOWER, False),  # following is not friendship
        ({"activityVisibility": "PUBLIC"}, "LIKED", STRANGER, True),
        ({"activityVisibility": "PRIVATE"}, "BOUGHT", FRIEND, False),
        ({"activityVisibility": "PRIVATE"}, "POSTED", FRIEND, False),
        ({"showInSocialProof": False}, "BOUGHT", FRIEND, False),
        ({"showInSocialProof": False}, "JOINED_TEAM", FRIEND, False),
        ({"showInSocialProof": False}, "LIKED", FRIEND, True),
        ({"activityVisibility": "PUBLIC"}, "LIKED", BLOCKED, False),
    ],
)
def test_who_sees_an_activity(privacy: dict[str, Any], verb: str, relation: Relation, shown: bool) -> None:
    assert rules.activity_visible(activity(verb), user(**privacy), ME, relation, True) is shown


def test_an_activity_about_a_post_one_cannot_see_is_hidden_and_ones_own_always_shows() -> None:
    public = user(activityVisibility="PUBLIC")
    assert not rules.activity_visible(activity("LIKED"), public, ME, STRANGER, post_shown=False)
    assert rules.activity_visible(activity("BOUGHT", actor="me"), user(activityVisibility="PRIVATE"), ME, BLOCKED, True)


def test_followers_hear_of_posts_whatever_the_activity_privacy_but_not_across_a_block() -> None:
    posted = activity("POSTED")
    assert rules.followed_update_visible(posted, ME, FOLLOWER, True)
    assert not rules.followed_update_visible(posted, ME, STRANGER, True)
    assert not rules.followed_update_visible(posted, ME, Relation(follows=True, blocked=True), True)
    assert not rules.followed_update_visible(posted, ME, FOLLOWER, post_shown=False)


@pytest.mark.parametrize(
    ("setting", "relation", "shown"),
    [
        ("PUBLIC", STRANGER, True),
        ("PUBLIC", BLOCKED, False),
        ("FRIENDS", FRIEND, True),
        ("FRIENDS", FOLLOWER, False),
        ("PRIVATE", FRIEND, False),
    ],
)
def test_who_sees_connections(setting: str, relation: Relation, shown: bool) -> None:
    assert rules.connections_visible(user(connectionsVisibility=setting), ME, relation) is shown
    assert rules.connections_visible(user(connectionsVisibility=setting), Viewer(OTHER), relation)  # their own


def test_a_follow_shows_when_both_ends_let_the_viewer_see_it_or_the_viewer_is_an_end() -> None:
    star, shy = {"_id": "star"}, {"_id": "shy", "privacy": {"connectionsVisibility": "PRIVATE"}}
    assert not rules.edge_visible(star, shy, ME, STRANGER, STRANGER)
    assert rules.edge_visible(star, shy, Viewer("star"), STRANGER, STRANGER)
    assert rules.edge_visible(star, {"_id": "open"}, ME, STRANGER, STRANGER)


def test_purchases_and_suggestions_follow_privacy() -> None:
    assert rules.purchase_shown(user(), ME)
    assert not rules.purchase_shown(user(showInSocialProof=False), ME)
    assert rules.purchase_shown(user(showInSocialProof=False), Viewer(OTHER))
    assert rules.suggestion_path(user(connectionsVisibility="FRIENDS"))
    assert not rules.suggestion_path(user(connectionsVisibility="PRIVATE"))
    assert rules.suggestable(user()) and not rules.suggestable(user(connectionsVisibility="FRIENDS"))
    assert rules.anonymous()["nickname"] == rules.ANONYMOUS_NICKNAME


@pytest.mark.parametrize(
    ("before", "approve", "after", "shows", "hides"),
    [
        (moderation.PENDING, True, moderation.APPROVED, True, False),
        (moderation.PENDING, False, moderation.REJECTED, False, False),
        (moderation.APPROVED, False, moderation.REJECTED, False, True),
        (moderation.REJECTED, True, moderation.APPROVED, True, False),
        (moderation.APPROVED, True, moderation.APPROVED, False, False),  # kept: reports close, nothing moves
        (moderation.REJECTED, False, moderation.REJECTED, False, False),
    ],
)
def test_moderation_moves(before: str, approve: bool, after: str, shows: bool, hides: bool) -> None:
    move = moderation.decide(before, approve)
    assert move is not None and (move.after, move.shows, move.hides) == (after, shows, hides)


def test_an_unknown_moderation_state_allows_no_move() -> None:
    assert moderation.decide("DELETED", True) is None

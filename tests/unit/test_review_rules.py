"""Review rules: ratings, photos, which line may be reviewed, the rating summary and the masked nickname."""

from __future__ import annotations

from domain import reviews as rules
from domain.visibility import FRIENDS, PRIVATE, PUBLIC, STRANGER, Relation, Viewer, review_among_friends

DAY = rules.DAY_MS


def order(status: str = "COMPLETED", completed_at: int = 0) -> dict[str, object]:
    return {"status": status, "completedAt": completed_at, "lines": [{"productId": "p"}]}


def test_ratings_are_one_to_five_and_photos_at_most_nine() -> None:
    assert [p.field for p in rules.review_problems(0, "", [])] == ["rating"]
    assert [p.field for p in rules.review_problems(6, "", [])] == ["rating"]
    assert rules.review_problems(5, "", ["https://a/1.jpg"] * 9) == []
    assert [p.field for p in rules.review_problems(5, "", ["https://a/1.jpg"] * 10)] == ["images"]
    assert [p.field for p in rules.review_problems(3, "x" * 501, [])] == ["text"]


def test_a_line_is_reviewed_once_completed_and_within_the_window() -> None:
    assert rules.line_refusal(order(), 0, 30 * DAY, 30) is None
    assert rules.line_refusal(order(), 0, 30 * DAY + 1, 30) == (
        "INVALID_STATE",
        "Reviews are written within 30 days of completion",
        "orderId",
    )
    assert rules.line_refusal(order("SHIPPED"), 0, 0, 30) is not None
    assert rules.line_refusal(order(), 1, 0, 30) is not None
    assert rules.line_refusal(order(), -1, 0, 30) is not None


def test_the_average_is_rounded_half_up_to_one_decimal() -> None:
    assert rules.average({}) is None
    assert rules.average({"count": 4, "sum": 17}) == 4.3  # 4.25
    assert rules.average({"count": 3, "sum": 13}) == 4.3  # 4.333
    assert rules.average({"count": 3, "sum": 14}) == 4.7  # 4.666
    change = rules.rating_change(4, -1)
    assert change == {"count": -1, "sum": -4, "s4": -1}


def test_an_anonymous_reviewer_is_masked() -> None:
    assert rules.mask_nickname("王小明") == "王***"
    assert rules.mask_nickname("") == "匿***"


def test_a_review_shows_as_a_friends_one_only_as_its_author_lets_activities_show() -> None:
    review = {"authorId": "a", "moderation": "APPROVED", "anonymous": False}
    viewer = Viewer("v")
    friend, followee = Relation(friends=True, follows=True, followed_by=True), Relation(follows=True)

    def author(visibility: str) -> dict[str, object]:
        return {"_id": "a", "privacy": {"activityVisibility": visibility}}

    assert review_among_friends(review, author(FRIENDS), viewer, friend)
    assert not review_among_friends(review, author(FRIENDS), viewer, followee)
    assert review_among_friends(review, author(PUBLIC), viewer, followee)
    assert not review_among_friends(review, author(PRIVATE), viewer, friend)
    assert not review_among_friends(review, author(PUBLIC), viewer, STRANGER)
    assert not review_among_friends({**review, "anonymous": True}, author(PUBLIC), viewer, friend)
    assert not review_among_friends(review, author(PUBLIC), viewer, Relation(follows=True, blocked=True))

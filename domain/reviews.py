"""Product reviews (点评) and favorites (收藏): what a review may say, which order line may be reviewed, how a
product's rating is summed up, how an anonymous reviewer is shown. No I/O.

A review belongs to one line of a COMPLETED order, one per line (its id is `<orderId>:<lineIndex>`), written
within REVIEW_DAYS of the order's completion. A product's rating is kept incrementally in `product_ratings`
(count, sum and a count per star) by the review that becomes visible or stops being, never counted per read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain import orders
from domain.profile import Problem, is_http_url
from domain.text import text_problems

RATING_MIN, RATING_MAX = 1, 5
TEXT_MAX = 500
IMAGES_MAX = 9
STARS = tuple(range(RATING_MIN, RATING_MAX + 1))
# A review this good of a product tells recommendations the reviewer likes it (an ENGAGED edge, as a like does).
LIKED_RATING = 4
# Favorites: what may be favorited, and the global id type naming each kind.
PRODUCT, SHOP, POST = "PRODUCT", "SHOP", "POST"
FAVORITE_KINDS = {"Product": PRODUCT, "Shop": SHOP, "Post": POST}
FAVORITE_COLLECTIONS = {PRODUCT: "products", SHOP: "shops", POST: "posts"}
DAY_MS = 86_400_000

Doc = dict[str, Any]


def review_id(order_id: str, line_index: int) -> str:
    """One review per order line: the id is the line's, so a second (or concurrent) review cannot be inserted."""
    return f"{order_id}:{line_index}"


def content_problems(text: str, images: Sequence[str], field: str = "") -> list[Problem]:
    """Text of at most TEXT_MAX characters (may be empty) and at most IMAGES_MAX http(s) image URLs."""
    prefix = f"{field}." if field else ""
    problems = text_problems(f"{prefix}text", text, "A review", TEXT_MAX, min_len=0, multiline=True)
    if len(images) > IMAGES_MAX:
        problems.append(Problem(f"{prefix}images", f"A review has at most {IMAGES_MAX} photos"))
    problems += [
        Problem(f"{prefix}images.{i}", "A photo must be an http(s) URL")
        for i, url in enumerate(images)
        if not is_http_url(url)
    ]
    return problems


def review_problems(rating: int, text: str, images: Sequence[str]) -> list[Problem]:
    problems = []
    if not RATING_MIN <= rating <= RATING_MAX:
        problems.append(Problem("rating", f"A rating is {RATING_MIN} to {RATING_MAX} stars, not {rating}"))
    return problems + content_problems(text, images)


def line_refusal(order: Doc, line_index: int, now: int, review_days: int) -> tuple[str, str, str] | None:
    """Why this line of the buyer's order cannot be reviewed now, as (code, message, input field); None if it can."""
    if not 0 <= line_index < len(order["lines"]):
        return "INVALID_INPUT", f"This order has lines 0 to {len(order['lines']) - 1}", "lineIndex"
    if order["status"] != orders.COMPLETED:
        return "INVALID_STATE", "Only a completed order can be reviewed", "orderId"
    completed = order.get("completedAt") or 0
    if now > completed + review_days * DAY_MS:
        return "INVALID_STATE", f"Reviews are written within {review_days} days of completion", "orderId"
    return None


def mask_nickname(nickname: str) -> str:
    """An anonymous reviewer as shown to others: the first character and stars (张***), like the big shops do."""
    return (nickname[:1] or "匿") + "***"


def has_media(images: Sequence[str], video_id: str | None) -> bool:
    return bool(images) or video_id is not None


def rating_change(rating: int, delta: int) -> dict[str, int]:
    """The `$inc` one review makes on its product's rating: +1 when it becomes visible, -1 when it stops being."""
    return {"count": delta, "sum": delta * rating, f"s{rating}": delta}


def average(summary: Mapping[str, Any]) -> float | None:
    """The average to one decimal, halves rounded up (4.25 -> 4.3); None without reviews."""
    count, total = int(summary.get("count", 0)), int(summary.get("sum", 0))
    if count <= 0:
        return None
    tenths = (total * 20 + count) // (2 * count)  # round(total / count, 1) in integers, half up
    return tenths / 10


def star_counts(summary: Mapping[str, Any]) -> dict[int, int]:
    return {star: int(summary.get(f"s{star}", 0)) for star in STARS}

"""Post and comment rules: what a note, a video post, a topic and a comment may be. No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from domain.profile import Problem, is_http_url
from domain.text import clean, text_problems

NOTE = "NOTE"
VIDEO = "VIDEO"
TITLE_MAX = 40
BODY_MAX = 2_000
IMAGES_MAX = 9
PRODUCTS_MAX = 10
TOPICS_MAX = 5
TOPIC_MAX = 20
COMMENT_MAX = 500
REASON_MAX = 200
VIDEO_MIN_SECONDS, VIDEO_MAX_SECONDS = 15.0, 60.0
VIDEO_MAX_BYTES = 100 * 1024 * 1024


def topic_name(raw: str) -> str:
    """Clean, `#` stripped, case-folded: #Green Tea and green tea are one topic."""
    return clean(clean(raw, compat=True).lstrip("#"), compat=True).casefold()


def post_problems(
    kind: str,
    title: str,
    body: str,
    images: Sequence[str],
    video_id: str | None,
    product_ids: Sequence[str],
    topics: Sequence[str],
) -> list[Problem]:
    problems = text_problems("title", title, "A title", TITLE_MAX)
    problems += text_problems("body", body, "A body", BODY_MAX, multiline=True)
    if len(images) > IMAGES_MAX:
        problems.append(Problem("images", f"A post has at most {IMAGES_MAX} images"))
    problems += [
        Problem(f"images.{i}", "An image must be an http(s) URL") for i, u in enumerate(images) if not is_http_url(u)
    ]
    if kind == VIDEO and not video_id:
        problems.append(Problem("videoId", "A video post needs a videoId from uploadVideo"))
    if kind == NOTE and video_id:
        problems.append(Problem("videoId", "A note has no video; use kind VIDEO"))
    if len(product_ids) > PRODUCTS_MAX:
        problems.append(Problem("productIds", f"A post tags at most {PRODUCTS_MAX} products"))
    if len(topics) > TOPICS_MAX:
        problems.append(Problem("topics", f"A post has at most {TOPICS_MAX} topics"))
    for i, t in enumerate(topics):
        problems += text_problems(f"topics.{i}", t, "A topic", TOPIC_MAX) or text_problems(
            f"topics.{i}", topic_name(t), "A topic", TOPIC_MAX
        )
    return problems


def comment_problems(body: str) -> list[Problem]:
    return text_problems("body", body, "A comment", COMMENT_MAX, multiline=True)


def reason_problems(reason: str) -> list[Problem]:
    return text_problems("reason", reason, "A reason", REASON_MAX)


def video_problems(size: int, duration: float | None) -> list[Problem]:
    if size > VIDEO_MAX_BYTES:
        return [Problem("file", f"A video is at most {VIDEO_MAX_BYTES // (1024 * 1024)} MB")]
    if duration is None:
        return [Problem("file", "This file is not a video we can read: an MP4 or MOV file")]
    if not VIDEO_MIN_SECONDS <= duration <= VIDEO_MAX_SECONDS:
        return [
            Problem(
                "file", f"A video lasts {VIDEO_MIN_SECONDS:.0f} to {VIDEO_MAX_SECONDS:.0f} seconds, not {duration:.1f}"
            )
        ]
    return []

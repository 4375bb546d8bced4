"""Profile rules: what a nickname, a bio and an avatar URL may be."""

from __future__ import annotations

from urllib.parse import urlsplit

from domain.problem import Problem
from domain.text import clean, text_problems

NICKNAME_MAX = 30
BIO_MAX = 200
URL_MAX = 2048


__all__ = ["Problem", "clean_nickname", "is_http_url", "profile_problems"]


def clean_nickname(nickname: str) -> str:
    return clean(nickname, compat=True)


def is_http_url(url: str) -> bool:
    if len(url) > URL_MAX or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


REGION_MAX = 20


def profile_problems(
    nickname: str | None = None, bio: str | None = None, avatar_url: str | None = None, region: str | None = None
) -> list[Problem]:
    """Every rule the given fields break (None means 'not being changed')."""
    problems = []
    if nickname is not None:
        problems += text_problems("nickname", nickname, "A nickname", NICKNAME_MAX, compat=True)
    if bio is not None:
        problems += text_problems("bio", bio, "A bio", BIO_MAX, min_len=0, multiline=True)
    if avatar_url is not None and not is_http_url(avatar_url):
        problems.append(Problem("avatarUrl", "The avatar must be an http(s) URL"))
    if region is not None:
        problems += text_problems("region", region, "A region", REGION_MAX)
    return problems

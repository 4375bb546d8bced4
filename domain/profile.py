"""Profile rules: what a nickname, a bio and an avatar URL may be."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

NICKNAME_MAX = 30
BIO_MAX = 200
URL_MAX = 2048


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def clean_nickname(nickname: str) -> str:
    return " ".join(nickname.split())


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
    if nickname is not None and not 1 <= len(clean_nickname(nickname)) <= NICKNAME_MAX:
        problems.append(Problem("nickname", f"A nickname has 1 to {NICKNAME_MAX} characters"))
    if bio is not None and len(bio) > BIO_MAX:
        problems.append(Problem("bio", f"A bio has at most {BIO_MAX} characters"))
    if avatar_url is not None and not is_http_url(avatar_url):
        problems.append(Problem("avatarUrl", "The avatar must be an http(s) URL"))
    if region is not None and not 1 <= len(region.strip()) <= REGION_MAX:
        problems.append(Problem("region", f"A region has 1 to {REGION_MAX} characters"))
    return problems

"""Which pages a shop has: the four built in, and landing pages by slug. A page's id is `<shop>:<kind>:<slug>`."""

from __future__ import annotations

import re

from domain.problem import Problem

HOME, PRODUCT_DETAIL, CATEGORY, USER_CENTER, LANDING = "HOME", "PRODUCT_DETAIL", "CATEGORY", "USER_CENTER", "LANDING"
BUILT_IN = (HOME, PRODUCT_DETAIL, CATEGORY, USER_CENTER)
KINDS = (*BUILT_IN, LANDING)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def slug_problems(kind: str, slug: str | None) -> list[Problem]:
    """A landing page needs a slug (lowercase letters, digits and hyphens, at most 40); the others take none."""
    if kind == LANDING:
        if slug is None or not SLUG.match(slug):
            return [Problem("slug", "A landing page has a slug of 1 to 40 lowercase letters, digits and hyphens")]
        return []
    if slug:
        return [Problem("slug", f"A {kind} page has no slug")]
    return []


def page_id(shop_id: str, kind: str, slug: str | None) -> str:
    return f"{shop_id}:{kind}:{slug or ''}"

"""Revisions of a page: immutable, addressed by the sha256 of the document's canonical JSON, stored under
`<page id>@<hash>` so that one page's revisions are its own (the same content on two pages is two revisions)."""

from __future__ import annotations


def revision_key(page_id: str, revision_id: str) -> str:
    return f"{page_id}@{revision_id}"


def is_revision_id(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)

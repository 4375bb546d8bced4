"""Saving, publishing and rolling back pages. Every save is an immutable revision (`page_revisions`, keyed by the
page and the sha256 of its canonical JSON; its document in `page_documents`). The page (`pages`) holds two
pointers, `draft` and `published`, and each moves by compare-and-set, so that two editors never silently
overwrite each other. Publications are logged (`page_publications`): a rollback goes back to a revision that
was live before.

    save:     draft := new revision            (guarded by the draft the editor started from, when given)
    publish:  published := any revision         (guarded by the published revision the editor expects to replace)
    rollback: published, draft := a revision that was published before (same guard)
"""

from __future__ import annotations

from typing import Any

from domain.pages import document as pages
from domain.pages.kinds import page_id, slug_problems
from domain.pages.revisions import revision_key
from domain.problem import Problem
from resolvers.errors import Refused, refuse_problems
from resolvers.pages.references import reference_problems
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

PUBLISHED, ROLLED_BACK = "PUBLISHED", "ROLLED_BACK"


class Conflict(Refused):
    """A pointer moved since the editor read it: CONFLICT, with the page as it now is."""

    def __init__(self, message: str, field: list[str], page: Doc) -> None:
        super().__init__("CONFLICT", message, field)
        self.page = page


def page_of(shop_id: str, kind: str, slug: str | None) -> str:
    """The page's id; INVALID_INPUT on ["input", "slug"] for a slug its kind does not take."""
    refuse_problems(slug_problems(kind, slug))
    return page_id(shop_id, kind, slug)


async def checked(services: Services, shop: Doc, document: Any, field: str = "document") -> dict[str, Any]:
    """The document as it is stored (rich text sanitised), when it is valid and its references are the shop's;
    INVALID_INPUT with every problem (paths under ["input", field, ...]) otherwise."""
    problems, stored = pages.validate(document, shop.get("theme"))
    refuse_problems([Problem(_under(field, p.field), p.message) for p in problems])
    refuse_problems(await reference_problems(services, shop, pages.references(stored), field))
    return stored


def _under(field: str, path: str) -> str:
    return f"{field}.{path}" if path else field


async def save_draft(
    services: Services,
    shop: Doc,
    kind: str,
    slug: str | None,
    document: Any,
    author_id: str,
    expected_draft: str | None = None,
) -> tuple[Doc, Doc]:
    """(the page, its new draft revision). With `expected_draft`, CONFLICT unless the draft is still that one."""
    pid = page_of(shop["_id"], kind, slug)
    stored = await checked(services, shop, document)
    page = await services.store.get("pages", pid)
    current = page["draft"] if page else None
    if expected_draft is not None and expected_draft != current:
        raise _conflict("draft", ["input", "expectedDraftRevisionId"], page)
    # A save that loses a race below keeps its revision in the history (never a pointer): the work is not lost.
    revision = await _revision(services, pid, shop["_id"], stored, current, author_id)
    now = services.now()
    try:
        if page is None:
            page = {
                "_id": pid,
                "shopId": shop["_id"],
                "kind": kind,
                "slug": slug or "",
                "draft": revision["hash"],
                "published": None,
                "createdAt": now,
                "updatedAt": now,
                "publishedAt": None,
            }
            await services.store.insert("pages", page)
            return page, revision
        moved = await services.store.update_one(
            "pages", {"_id": pid, "draft": current}, {"$set": {"draft": revision["hash"], "updatedAt": now}}
        )
    except DuplicateKey:
        moved = None  # another editor created the page meanwhile
    if moved is None:
        raise _conflict("draft", ["input", "expectedDraftRevisionId"], await services.store.get("pages", pid))
    return moved, revision


async def _revision(
    services: Services, pid: str, shop_id: str, stored: dict[str, Any], parent: str | None, author_id: str
) -> Doc:
    """The revision of this content: made now, or the one saved earlier with the same content. Its document is
    written first (`page_documents`, read only to render), so no revision is ever listed without one."""
    digest = pages.revision_id(stored)
    key = revision_key(pid, digest)
    existing = await services.store.get("page_revisions", key)
    if existing is not None:
        return existing
    try:
        await services.store.insert("page_documents", {"_id": key, "document": stored})
    except DuplicateKey:
        pass  # the same content, saved at this moment by someone else
    revision = {
        "_id": key,
        "pageId": pid,
        "shopId": shop_id,
        "hash": digest,
        "parent": parent if parent != digest else None,
        "authorId": author_id,
        "createdAt": services.now(),
        "bytes": len(pages.canonical(stored)),
    }
    try:
        await services.store.insert("page_revisions", revision)
    except DuplicateKey:
        found = await services.store.get("page_revisions", key)
        if found is None:
            raise
        return found
    return revision


def _conflict(pointer: str, field: list[str], page: Doc | None) -> Conflict:
    current = page[pointer] if page else None
    told = f"it is now {current}" if current else "the page has none yet"
    return Conflict(f"The {pointer} revision changed since you read it: {told}", field, page or {})


async def shop_or_refuse(services: Services, shop_id: str) -> Doc:
    shop = await services.store.get("shops", shop_id)
    if shop is None:
        raise Refused("NOT_FOUND", "No such shop", ["input", "shopId"])
    return shop


async def page_or_refuse(services: Services, pid: str) -> Doc:
    page = await services.store.get("pages", pid)
    if page is None:
        raise Refused("NOT_FOUND", "This page has no revisions yet: save a draft first", ["input", "kind"])
    return page


async def revision_of(services: Services, pid: str, revision_id: str, field: list[str]) -> Doc:
    """A revision of this page; NOT_FOUND for anything else (another page's revision included)."""
    revision = await services.store.get("page_revisions", revision_key(pid, revision_id))
    if revision is None:
        raise Refused("NOT_FOUND", "No such revision of this page", field)
    return revision


async def publish(
    services: Services, pid: str, revision_id: str, expected: str | None, by: str, *, rollback: bool = False
) -> Doc:
    """Make a revision of the page the published one, when the published one is still `expected` (None: the page
    was never published); CONFLICT otherwise. A rollback also moves the draft to it, and only goes back to a
    revision that was published before."""
    page = await page_or_refuse(services, pid)
    field = ["input", "revisionId"]
    await revision_of(services, pid, revision_id, field)
    if rollback and not await services.store.count("page_publications", {"pageId": pid, "revision": revision_id}):
        raise Refused("INVALID_INPUT", "Only a revision that was published before can be rolled back to", field)
    now = services.now()
    changes: dict[str, Any] = {"published": revision_id, "publishedAt": now, "updatedAt": now}
    if rollback:
        changes["draft"] = revision_id
    moved = await services.store.update_one("pages", {"_id": pid, "published": expected}, {"$set": changes})
    if moved is None:
        raise _conflict("published", ["input", "expectedRevisionId"], await services.store.get("pages", pid) or page)
    await services.store.insert(
        "page_publications",
        {
            "_id": new_id(),
            "pageId": pid,
            "revision": revision_id,
            "previous": expected,
            "by": by,
            "at": now,
            "action": ROLLED_BACK if rollback else PUBLISHED,
        },
    )
    return moved


async def revisions(services: Services, pid: str, first: int, after: str | None) -> Page:
    """The page's revisions, newest first."""
    return await services.store.find(
        "page_revisions", {"pageId": pid}, sort="createdAt", direction=-1, limit=first, after=after
    )


async def shop_pages(services: Services, shop_id: str) -> list[Doc]:
    page = await services.store.find("pages", {"shopId": shop_id}, sort="createdAt", limit=200)
    return page.docs

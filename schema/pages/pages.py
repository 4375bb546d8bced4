"""Pages as the merchant's console edits them: drafts, revisions, publishing, rollback and preview links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from domain.ids import to_global_id
from domain.pages import kinds
from domain.pages.preview import Preview, issue_preview_token
from domain.pages.revisions import is_revision_id, revision_key
from domain.staff import ADMIN
from resolvers import staff as staff_uc
from resolvers.errors import Refused
from resolvers.pages import revisions as revisions_uc
from schema.common import PageInfo, UserError, described_value, page_size
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.orders import when
from schema.staff import SHOP, Staff
from schema.users import User
from store.protocol import Doc


@strawberry.enum(description="HOME, PRODUCT_DETAIL, CATEGORY and USER_CENTER are built in; LANDING pages have a slug.")
class PageKind(Enum):
    HOME = described_value(kinds.HOME, "The shop's home page.")
    PRODUCT_DETAIL = described_value(kinds.PRODUCT_DETAIL, "The layout of its product pages.")
    CATEGORY = described_value(kinds.CATEGORY, "The layout of its category pages.")
    USER_CENTER = described_value(kinds.USER_CENTER, "The buyer's own page at the shop.")
    LANDING = described_value(kinds.LANDING, "A campaign page of its own, addressed by slug.")


@strawberry.type(description="An immutable save of a page, addressed by the sha256 of its canonical JSON.")
class PageRevision:
    id: str = strawberry.field(description="sha256 (hex) of the document's canonical JSON: sorted keys, no spaces.")
    parent_id: str | None = strawberry.field(description="The draft this one was first saved over.")
    created_at: datetime = strawberry.field(description="When it was saved.")
    bytes: int = strawberry.field(description="Size of the canonical JSON.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> PageRevision:
        return cls(
            id=doc["hash"],
            parent_id=doc["parent"],
            created_at=when(doc["createdAt"]) or datetime.now(UTC),
            bytes=doc["bytes"],
            doc=doc,
        )

    @strawberry.field(description="Who saved it; null when their account is gone.")
    async def author(self, info: Info) -> User | None:
        found = await info.context.loaders.user.load(self.doc["authorId"])
        return User.from_doc(found) if found else None

    @strawberry.field(description="The page document as saved (rich text sanitised).")
    async def document(self, info: Info) -> JSON:
        found = await info.context.loaders.page_document.load(self.doc["_id"])
        if found is None:
            raise LookupError(f"revision {self.doc['_id']} has no document")  # written before it, never deleted
        return JSON(found["document"])


@strawberry.type
class PageRevisionEdge:
    node: PageRevision
    cursor: str


@strawberry.type
class PageRevisionConnection:
    edges: list[PageRevisionEdge]
    page_info: PageInfo


@strawberry.type(description="A page of a shop with its draft and published pointers (merchant view).")
class Page:
    id: strawberry.ID = strawberry.field(description="The page's id.")
    kind: PageKind = strawberry.field(description="Which page.")
    slug: str | None = strawberry.field(description="A LANDING page's slug; null for the others.")
    draft_revision_id: str | None = strawberry.field(description="The draft's revision; null before the first save.")
    published_revision_id: str | None = strawberry.field(description="What buyers see; null while unpublished.")
    updated_at: datetime = strawberry.field(description="When the draft or publication last changed.")
    published_at: datetime | None = strawberry.field(description="When it was last published; null while unpublished.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Page:
        return cls(
            id=strawberry.ID(to_global_id("Page", doc["_id"])),
            kind=PageKind(doc["kind"]),
            slug=doc["slug"] or None,
            draft_revision_id=doc["draft"],
            published_revision_id=doc["published"],
            updated_at=when(doc["updatedAt"]) or datetime.now(UTC),
            published_at=when(doc.get("publishedAt")),
            doc=doc,
        )

    @strawberry.field(description="The draft revision; null before the first save.")
    async def draft(self, info: Info) -> PageRevision | None:
        return await _revision(info, self.doc, self.doc["draft"])

    @strawberry.field(description="The published revision; null while unpublished.")
    async def published(self, info: Info) -> PageRevision | None:
        return await _revision(info, self.doc, self.doc["published"])


async def _revision(info: Info, page: Doc, revision_id: str | None) -> PageRevision | None:
    if revision_id is None:
        return None
    found = await info.context.loaders.page_revision.load(revision_key(page["_id"], revision_id))
    return PageRevision.from_doc(found) if found else None


async def _editable(info: Info, shop_id: str) -> Doc:
    """The shop, when the viewer is its owner or ADMIN staff (queries of drafts and revisions)."""
    return await staff_uc.require(info.context.services, shop_id, info.context.require_viewer(), (ADMIN,), ["shopId"])


@strawberry.input
class PageAddress:
    shop_id: strawberry.ID
    kind: PageKind
    slug: str | None = strawberry.field(default=None, description="Only for LANDING pages.")


@strawberry.input
class SavePageDraftInput:
    shop_id: strawberry.ID
    kind: PageKind = strawberry.field(description="Which page.")
    document: JSON = strawberry.field(description="The page: {schemaVersion, title, navigationBar, theme, sections}.")
    slug: str | None = strawberry.field(default=None, description="Only for LANDING pages: its slug.")
    expected_draft_revision_id: str | None = strawberry.field(
        default=None, description="The draft the editor started from: CONFLICT if another save moved it since."
    )


@strawberry.input
class PublishPageInput:
    shop_id: strawberry.ID
    kind: PageKind = strawberry.field(description="Which page.")
    revision_id: str = strawberry.field(description="The revision to publish (one of the page's).")
    expected_revision_id: str | None = strawberry.field(
        description="The published revision the editor expects to replace (null: none yet); CONFLICT otherwise."
    )
    slug: str | None = strawberry.field(default=None, description="Only for LANDING pages: its slug.")


@strawberry.input
class CreatePagePreviewInput:
    shop_id: strawberry.ID
    kind: PageKind = strawberry.field(description="Which page.")
    slug: str | None = strawberry.field(default=None, description="Only for LANDING pages: its slug.")
    revision_id: str | None = strawberry.field(default=None, description="The draft when not given.")


@strawberry.type
class PagePayload:
    page: Page | None = strawberry.field(default=None, description="On CONFLICT, the page as it now is.")
    revision: PageRevision | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PagePreviewPayload:
    token: str | None = strawberry.field(
        default=None, description=("Pass it as shopPage's previewToken to see the revision.")
    )
    revision_id: str | None = strawberry.field(default=None, description="The revision it shows.")
    expires_at: datetime | None = strawberry.field(
        default=None, description=("When the token stops working (PAGE_PREVIEW_HOURS).")
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def shop_raw(shop_id: str) -> str:
    return raw_id(shop_id, "Shop", "input", "shopId")


def revision_arg(value: str | None, *field: str) -> str | None:
    if value is not None and not is_revision_id(value):
        raise Refused("INVALID_INPUT", "A revision id is 64 hex digits (sha256)", list(field))
    return value


async def _conflicted(run: Any) -> PagePayload:
    """A CONFLICT answers the page as it now is, so the editor sees the revision that won."""
    try:
        return await run
    except revisions_uc.Conflict as exc:
        return PagePayload(page=Page.from_doc(exc.page) if exc.page else None, errors=[UserError.of(exc)])


@strawberry.type
class PageMutations:
    @payload_mutation(
        PagePayload,
        staff=Staff(SHOP, ADMIN),
        limit="PAGE_SAVES_PER_MINUTE",
        description="Validates the document (schemas, limits, references of the shop), saves it as a revision and"
        " makes it the draft. Nothing is saved when anything is wrong.",
    )
    async def save_page_draft(self, info: Info, input: SavePageDraftInput) -> PagePayload:
        services = info.context.services
        shop = await revisions_uc.shop_or_refuse(services, shop_raw(input.shop_id))
        expected = revision_arg(input.expected_draft_revision_id, "input", "expectedDraftRevisionId")
        author = info.context.require_viewer()

        async def save() -> PagePayload:
            page, revision = await revisions_uc.save_draft(
                services, shop, input.kind.value, input.slug, input.document, author, expected
            )
            return PagePayload(page=Page.from_doc(page), revision=PageRevision.from_doc(revision))

        return await _conflicted(save())

    @payload_mutation(PagePayload, staff=Staff(SHOP, ADMIN), description="Compare-and-set of the published pointer.")
    async def publish_page(self, info: Info, input: PublishPageInput) -> PagePayload:
        return await _publish(info, input, rollback=False)

    @payload_mutation(
        PagePayload,
        staff=Staff(SHOP, ADMIN),
        description="Publishes a revision that was published before and makes it the draft too (compare-and-set).",
    )
    async def rollback_page(self, info: Info, input: PublishPageInput) -> PagePayload:
        return await _publish(info, input, rollback=True)

    @payload_mutation(
        PagePreviewPayload,
        staff=Staff(SHOP, ADMIN),
        description="A signed link token that renders one revision for whoever holds it, until it expires.",
    )
    async def create_page_preview(self, info: Info, input: CreatePagePreviewInput) -> PagePreviewPayload:
        services = info.context.services
        pid = revisions_uc.page_of(shop_raw(input.shop_id), input.kind.value, input.slug)
        page = await revisions_uc.page_or_refuse(services, pid)
        wanted = revision_arg(input.revision_id, "input", "revisionId") or page["draft"]
        await revisions_uc.revision_of(services, pid, wanted, ["input", "revisionId"])
        now = datetime.fromtimestamp(services.now() / 1000, UTC)
        expires = now + timedelta(hours=services.settings.PAGE_PREVIEW_HOURS)
        preview = Preview(pid, wanted, int(expires.timestamp()))
        token = issue_preview_token(services.settings.secret_key(), preview, now)
        return PagePreviewPayload(token=token, revision_id=wanted, expires_at=expires)


async def _publish(info: Info, input: PublishPageInput, *, rollback: bool) -> PagePayload:
    services = info.context.services
    pid = revisions_uc.page_of(shop_raw(input.shop_id), input.kind.value, input.slug)
    revision = revision_arg(input.revision_id, "input", "revisionId")
    expected = revision_arg(input.expected_revision_id, "input", "expectedRevisionId")
    assert revision is not None
    by = info.context.require_viewer()

    async def run() -> PagePayload:
        page = await revisions_uc.publish(services, pid, revision, expected, by, rollback=rollback)
        return PagePayload(page=Page.from_doc(page))

    return await _conflicted(run())


@strawberry.type
class PageQueries:
    @strawberry.field(description="The shop's pages (owner and ADMIN staff).")
    async def shop_pages(self, info: Info, shop_id: strawberry.ID) -> list[Page]:
        shop = await _editable(info, raw_id(shop_id, "Shop", "shopId"))
        return [Page.from_doc(p) for p in await revisions_uc.shop_pages(info.context.services, shop["_id"])]

    @strawberry.field(description="A page's revisions, newest first (owner and ADMIN staff).")
    async def page_revisions(
        self,
        info: Info,
        shop_id: strawberry.ID,
        kind: Annotated[PageKind, strawberry.argument(description="Which page.")],
        slug: Annotated[str | None, strawberry.argument(description="Only for LANDING pages: its slug.")] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> PageRevisionConnection:
        shop = await _editable(info, raw_id(shop_id, "Shop", "shopId"))
        pid = kinds.page_id(shop["_id"], kind.value, slug)
        found = await revisions_uc.revisions(info.context.services, pid, page_size(first), after)
        edges = [
            PageRevisionEdge(node=PageRevision.from_doc(d), cursor=c)
            for d, c in zip(found.docs, found.cursors, strict=True)
        ]
        return PageRevisionConnection(edges=edges, page_info=PageInfo.of(found, after))

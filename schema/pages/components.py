"""What a console builds its editor from: `pageComponents` (each component's JSON Schema, limits and default) and
`pageTemplates`; and `applyTemplate`."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from domain.pages.components import COMPONENTS, Component
from domain.pages.document import MAX_BYTES, MAX_SECTIONS, PAGE_SCHEMA
from domain.pages.templates import TEMPLATES
from domain.pages.themes import PRESETS
from domain.staff import ADMIN
from resolvers.pages import templates as templates_uc
from resolvers.pages.revisions import shop_or_refuse
from schema.common import UserError
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.pages.pages import Page
from schema.pages.themes import ShopTheme, shop_theme
from schema.staff import SHOP, Staff


@strawberry.type(description="A section type pages may hold, with what an editor needs to build its form.")
class PageComponent:
    type: str = strawberry.field(description="Its `type` in a page document, e.g. product_grid.")
    name: str = strawberry.field(description="Its name for editors (Chinese).")
    description: str = strawberry.field(description="What it shows, for editors.")
    available: bool = strawberry.field(description="False: listed, but refused at save (see unavailableReason).")
    unavailable_reason: str | None = strawberry.field(description="Why it is refused at save; null when available.")
    max_blocks: int = strawberry.field(description="The most blocks one section of it holds.")
    min_blocks: int = strawberry.field(description="The fewest blocks one section of it holds.")
    max_per_page: int = strawberry.field(description="How many sections of it one page may hold.")
    block_types: list[str] = strawberry.field(description="The block types its blocks may be.")
    schema: JSON = strawberry.field(description="JSON Schema (Draft 2020-12) of one section of this type.")
    default: JSON = strawberry.field(description="A section of this type as an editor inserts it (add an id).")

    @classmethod
    def of(cls, component: Component) -> PageComponent:
        return cls(
            type=component.type,
            name=component.name,
            description=component.description,
            available=component.available,
            unavailable_reason=component.unavailable_reason,
            max_blocks=component.max_blocks,
            min_blocks=component.min_blocks,
            max_per_page=component.max_per_page,
            block_types=sorted(component.blocks),
            schema=JSON(component.schema),
            default=JSON(component.default),
        )


@strawberry.type(description="What a page document may be, whatever its sections.")
class PageLimits:
    max_sections: int = strawberry.field(description="The most sections a page holds.")
    max_bytes: int = strawberry.field(description="The most bytes of a page document's canonical JSON.")
    schema: JSON = strawberry.field(description="JSON Schema (Draft 2020-12) of the page around its sections.")


@strawberry.type(description="A vertical's ready-made pages, for applyTemplate.")
class PageTemplate:
    key: str = strawberry.field(description="Its key, for applyTemplate's `template`.")
    name: str = strawberry.field(description="Its name for merchants.")
    theme: ShopTheme = strawberry.field(description="The vertical's preset theme.")
    page_kinds: list[str] = strawberry.field(description="The kinds of page it makes (PageKind values).")


@strawberry.input
class ApplyTemplateInput:
    shop_id: strawberry.ID
    template: str = strawberry.field(description="A key of pageTemplates, e.g. beauty (美妆).")
    with_theme: bool = strawberry.field(default=True, description="Also make the vertical's preset the shop's theme.")


@strawberry.type
class ApplyTemplatePayload:
    pages: list[Page] = strawberry.field(default_factory=list, description="The new drafts (nothing published).")
    notes: list[str] = strawberry.field(default_factory=list, description="Sections with no products to fill yet.")
    theme: ShopTheme | None = strawberry.field(
        default=None, description=("The shop's theme after it (changed with `withTheme`).")
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ComponentQueries:
    @strawberry.field(description="Every section type, with its JSON Schema, limits and default value.")
    def page_components(self) -> list[PageComponent]:
        return [PageComponent.of(c) for c in COMPONENTS]

    @strawberry.field(description="The limits and JSON Schema of a whole page document.")
    def page_limits(self) -> PageLimits:
        return PageLimits(max_sections=MAX_SECTIONS, max_bytes=MAX_BYTES, schema=JSON(PAGE_SCHEMA))

    @strawberry.field(description="The 12 vertical templates.")
    def page_templates(self) -> list[PageTemplate]:
        return [
            PageTemplate(key=t.key, name=t.name, theme=ShopTheme.of(PRESETS[t.theme]), page_kinds=list(t.pages))
            for t in TEMPLATES.values()
        ]


@strawberry.type
class TemplateMutations:
    @payload_mutation(
        ApplyTemplatePayload,
        staff=Staff(SHOP, ADMIN),
        limit="PAGE_SAVES_PER_MINUTE",
        description="Saves the template's pages as drafts filled with the shop's own products.",
    )
    async def apply_template(self, info: Info, input: ApplyTemplateInput) -> ApplyTemplatePayload:
        services = info.context.services
        shop = await shop_or_refuse(services, raw_id(input.shop_id, "Shop", "input", "shopId"))
        pages, notes, shop = await templates_uc.apply_template(
            services, shop, input.template, info.context.require_viewer(), with_theme=input.with_theme
        )
        return ApplyTemplatePayload(pages=[Page.from_doc(p) for p in pages], notes=notes, theme=shop_theme(shop))

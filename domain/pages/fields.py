"""JSON Schema pieces the components share: text, links, images, colours, ids. Each component's schema is
self-contained (these are inlined, not `$ref`s), so a console builds a form from one schema alone."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
URL_MAX = 500
# In-app routes ("/pages/product/index?id=..."), and https pages (a web view); never javascript:, data: or http:.
LINK_PATTERN = r"^(/[^\s]*|https://[^\s]+)$"
# Pictures from anywhere on the web, or the files this API serves (integrations/media.py).
IMAGE_PATTERN = r"^(https?://[^\s]+|/media/[^\s]+)$"
COLOUR_PATTERN = r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$"
ID_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
# A global id as the API gives them (base64url, no padding); its type is checked with the references.
GLOBAL_ID_PATTERN = r"^[A-Za-z0-9_-]{4,200}$"


def text(max_length: int, *, min_length: int = 0, title: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    if title:
        schema["title"] = title
    return schema


def integer(minimum: int, maximum: int, *, title: str | None = None) -> Schema:
    schema: Schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if title:
        schema["title"] = title
    return schema


def enum(*values: str, title: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "enum": list(values)}
    if title:
        schema["title"] = title
    return schema


def link(title: str = "链接") -> Schema:
    return {"type": "string", "title": title, "maxLength": URL_MAX, "pattern": LINK_PATTERN}


def image(title: str = "图片") -> Schema:
    return {"type": "string", "title": title, "maxLength": URL_MAX, "pattern": IMAGE_PATTERN}


def colour(title: str = "颜色") -> Schema:
    return {"type": "string", "title": title, "pattern": COLOUR_PATTERN}


def boolean(title: str | None = None) -> Schema:
    return {"type": "boolean", **({"title": title} if title else {})}


def global_id(type_name: str) -> Schema:
    return {"type": "string", "pattern": GLOBAL_ID_PATTERN, "description": f"A {type_name} id of the shop"}


def ids(type_name: str, max_items: int, *, min_items: int = 0) -> Schema:
    return {
        "type": "array",
        "items": global_id(type_name),
        "maxItems": max_items,
        "minItems": min_items,
        "uniqueItems": True,
    }


def obj(properties: Schema, *, required: tuple[str, ...] = (), **extra: Any) -> Schema:
    """A closed object: a property the schema does not name is an error, never silently dropped."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
        **extra,
    }

"""The page document, `{schemaVersion, title, navigationBar, theme?, sections: [...]}`: its validation, its
canonical JSON and the revision id (sha256 of that JSON). No I/O; the references it holds are checked by
resolvers/pages/references.py.

Validation reports every broken rule at once (up to MAX_PROBLEMS), each with its JSON path inside the document
(`sections.3.settings.limit`). Nothing is pruned: an unknown property or component type is an error, not dropped.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator

from domain.pages import fields as f
from domain.pages.components import REGISTRY, Component, Ref
from domain.pages.richtext import clean_rich_text
from domain.pages.themes import THEME_SCHEMA, merged, theme_problems
from domain.problem import Problem

SCHEMA_VERSION = 1
MAX_SECTIONS = 50
MAX_BYTES = 256 * 1024
MAX_PROBLEMS = 50
RICH_TEXT = "rich_text"

PAGE_SCHEMA: f.Schema = {
    "$schema": f.DRAFT,
    "title": "Page",
    **f.obj(
        {
            "schemaVersion": {"const": SCHEMA_VERSION},
            "title": f.text(30, min_length=1, title="页面标题"),
            "navigationBar": f.obj(
                {
                    "title": f.text(20, title="导航栏标题"),
                    "background": f.colour("导航栏背景色"),
                    "textStyle": f.enum("BLACK", "WHITE", title="导航栏文字"),
                }
            ),
            "theme": THEME_SCHEMA,
            "sections": {
                "type": "array",
                "maxItems": MAX_SECTIONS,
                # each section is checked against its component's own schema afterwards
                "items": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
            },
        },
        required=("schemaVersion", "title", "sections"),
    ),
}


class NotJson(ValueError):
    """A value with no canonical JSON (an integer past 64 bits, a float that is not finite)."""


def canonical(document: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant whitespace: one text per value, whatever the key order."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except TypeError as exc:  # orjson.JSONEncodeError
        raise NotJson(str(exc)) from None


def revision_id(document: Any) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


@cache
def _validator(schema_key: str) -> jsonschema_rs.Validator:
    """Each schema is first checked against the Draft 2020-12 meta-schema (the `jsonschema` library), then
    compiled by jsonschema-rs (Draft 2020-12 too), which checks a page in well under a millisecond where the
    `jsonschema` library takes 60 to 130 ms (README-pages.md): too long to hold the event loop for one save."""
    schema = PAGE_SCHEMA if schema_key == "" else REGISTRY[schema_key].schema
    Draft202012Validator.check_schema(schema)
    return jsonschema_rs.Draft202012Validator(schema)


def _problems(error: jsonschema_rs.ValidationError, prefix: tuple[str, ...]) -> Iterator[Problem]:
    """Problems of one schema error with short messages, each at the field that is wrong: a missing or an unknown
    property gets its own path."""
    path = prefix + tuple(str(p) for p in error.instance_path)
    keyword, detail = error.kind.name, error.kind.as_dict()
    if keyword == "required":
        yield Problem(".".join((*path, str(detail["property"]))), "Required")
    elif keyword == "additionalProperties":
        for name in detail["unexpected"]:
            yield Problem(".".join((*path, str(name))), "Unknown property (see pageComponents for the schema)")
    else:
        yield Problem(".".join(path), _message(keyword, detail) or error.message[:200])


def _message(keyword: str, detail: Mapping[str, Any]) -> str | None:
    limit = detail.get("limit")
    plural = "" if limit == 1 else "s"
    match keyword:
        case "type":
            return f"Expected {' or '.join(detail['types'])}"
        case "const":
            return f"Must be {detail['expected_value']!r}"
        case "enum":
            return f"One of {', '.join(map(str, detail['options']))}"
        case "maxLength":
            return f"At most {limit} character{plural}"
        case "minLength":
            return f"At least {limit} character{plural}"
        case "maximum":
            return f"At most {limit}"
        case "minimum":
            return f"At least {limit}"
        case "maxItems":
            return f"At most {limit} item{plural}"
        case "minItems":
            return f"At least {limit} item{plural}"
        case "uniqueItems":
            return "Each item appears once"
        case "pattern":
            return PATTERNS.get(detail["pattern"], "Not in the expected form")
    return None


PATTERNS = {
    f.LINK_PATTERN: "A link is an in-app route (/...) or an https:// URL",
    f.IMAGE_PATTERN: "An image is an http(s):// URL or one of ours (/media/...)",
    f.COLOUR_PATTERN: "Not a colour: write #RRGGBB or #RGB",
    f.ID_PATTERN: "An id is 1 to 40 letters, digits, _ or -",
    f.GLOBAL_ID_PATTERN: "Not an id as the API gives them",
}


def _schema_problems(key: str, instance: Any, prefix: tuple[str, ...]) -> list[Problem]:
    validator = _validator(key)
    if validator.is_valid(instance):
        return []
    return [p for e in validator.iter_errors(instance) for p in _problems(e, prefix)]


def _duplicates(ids: list[Any]) -> list[int]:
    seen: set[Any] = set()
    repeated = []
    for i, item_id in enumerate(ids):
        if item_id in seen:
            repeated.append(i)
        seen.add(item_id)
    return repeated


def _section_problems(i: int, section: Mapping[str, Any], counts: Counter[str]) -> list[Problem]:
    prefix = ("sections", str(i))
    kind = section.get("type")
    component = REGISTRY.get(kind) if isinstance(kind, str) else None
    if component is None:
        return [Problem(f"sections.{i}.type", f"Unknown component type {kind!r}; see pageComponents")]
    if not component.available:
        return [Problem(f"sections.{i}.type", f"{component.name} is not available: {component.unavailable_reason}")]
    counts[component.type] += 1
    problems = []
    if counts[component.type] == component.max_per_page + 1:
        problems.append(Problem(f"sections.{i}.type", f"A page has at most {component.max_per_page} {component.name}"))
    problems += _schema_problems(component.type, section, prefix)
    blocks = section.get("blocks")
    if isinstance(blocks, list):
        block_ids = [b.get("id") if isinstance(b, dict) else None for b in blocks]
        problems += [
            Problem(f"sections.{i}.blocks.{j}.id", "Block ids are unique in a section") for j in _duplicates(block_ids)
        ]
    return problems


def validate(document: Any, base_theme: Mapping[str, Any] | None = None) -> tuple[list[Problem], dict[str, Any]]:
    """(every broken rule, the document as it is stored: rich text sanitised). Paths are inside the document;
    `base_theme` is the shop's (a page's own theme tokens are checked on top of it)."""
    if not isinstance(document, dict):
        return [Problem("", "A page is a JSON object")], {}
    try:
        text = canonical(document)
    except NotJson as exc:
        return [Problem("", f"Not JSON that can be stored: {exc}")], {}
    if len(text) > MAX_BYTES:
        return [
            Problem("", f"A page is at most {MAX_BYTES // 1024} KB of JSON; this one is {len(text) / 1024:.0f} KB")
        ], {}
    problems = _schema_problems("", document, ())
    sections = document.get("sections")
    stored = orjson.loads(text)  # a copy to sanitise, faster than deepcopy
    if isinstance(sections, list) and len(sections) <= MAX_SECTIONS:
        counts: Counter[str] = Counter()
        for i, section in enumerate(sections):
            if isinstance(section, dict):
                problems += _section_problems(i, section, counts)
        section_ids = [s.get("id") if isinstance(s, dict) else None for s in sections]
        problems += [Problem(f"sections.{i}.id", "Section ids are unique in a page") for i in _duplicates(section_ids)]
        problems += _rich_text(stored["sections"])
    theme = document.get("theme")
    if isinstance(theme, dict) and not problems:
        problems += theme_problems(merged(base_theme, theme), "theme")
    return sorted(problems, key=_in_document_order)[:MAX_PROBLEMS], stored


def _in_document_order(problem: Problem) -> list[tuple[int, int | str]]:
    return [(0, int(part)) if part.isdigit() else (1, part) for part in problem.field.split(".")]


def _rich_text(sections: list[Any]) -> list[Problem]:
    """Sanitise every rich text in place; the dangerous ones are problems."""
    problems = []
    for i, section in enumerate(sections):
        if isinstance(section, dict) and section.get("type") == RICH_TEXT:
            settings = section.get("settings")
            if isinstance(settings, dict) and isinstance(settings.get("html"), str):
                settings["html"], refused = clean_rich_text(settings["html"])
                if refused:
                    problems.append(Problem(f"sections.{i}.settings.html", refused))
    return problems


def references(document: Mapping[str, Any]) -> list[Ref]:
    """Every reference of a valid document, with its path."""
    return [
        ref
        for i, section in enumerate(document["sections"])
        for ref in REGISTRY[section["type"]].references(section, ("sections", str(i)))
    ]


def component_of(section: Mapping[str, Any]) -> Component:
    return REGISTRY[section["type"]]


def empty_page(title: str) -> dict[str, Any]:
    return {"schemaVersion": SCHEMA_VERSION, "title": title, "sections": []}

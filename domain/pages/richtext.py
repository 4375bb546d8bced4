"""Rich text of a page, sanitised with nh3 (the Ammonia sanitiser) and an allowlist of tags, attributes and URL
schemes. What is merely outside the allowlist (a <font>, a style attribute) is dropped; what is dangerous (a script,
an event handler, a javascript: or data: URL) refuses the save, so a merchant learns that it will not run."""

from __future__ import annotations

import nh3

TAGS = {
    "p", "br", "hr", "div", "span", "strong", "b", "em", "i", "u", "s", "del", "sub", "sup", "small", "mark",
    "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Kept by the second pass, so that the two outputs differ exactly when the first removed one of these.
DANGEROUS_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "form", "input",
    "button", "textarea", "select", "base", "meta", "link", "video", "audio", "source",
}  # fmt: skip
DANGEROUS_SCHEMES = {"javascript", "vbscript", "data", "file"}
DANGEROUS = "Rich text may not hold scripts, frames, event handlers (on...) or javascript:/data: URLs"


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES)


def _keeping_danger(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS | nh3.ALLOWED_TAGS | DANGEROUS_TAGS,
        clean_content_tags=set(),
        attributes=ATTRIBUTES,
        generic_attribute_prefixes={"on"},
        url_schemes=URL_SCHEMES | DANGEROUS_SCHEMES,
    )


def clean_rich_text(html: str) -> tuple[str, str | None]:
    """(the sanitised HTML, None), or (that, why it is refused) when sanitising removed something dangerous.
    Both passes parse as a browser does (html5ever), so an obfuscated `JaVaScRiPt:` or `<svg onload>` shows."""
    safe = sanitise(html)
    return safe, (None if safe == _keeping_danger(html) else DANGEROUS)

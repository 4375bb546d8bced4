"""Conditional GETs: a query field that answers something with a version (a page revision) names it as the
response's ETag, and a GET whose If-None-Match names it again gets 304 Not Modified (app.py's view sends it).

Only a field that is the operation's one root field may: the ETag then describes the whole response."""

from __future__ import annotations

from schema.context import Info


def not_modified(info: Info, etag: str) -> bool:
    """Record `etag` for the response; True when the request is a GET whose If-None-Match already names it, so
    the field may skip its work (the view answers 304 with no body)."""
    context = info.context
    request = context.request
    if request is None or info.path.prev is not None or len(info.operation.selection_set.selections) != 1:
        return False
    context.etag = etag
    if request.method != "GET":
        return False
    wanted = request.if_none_match or ()
    return any(tag.value in (etag, "*") for tag in wanted)

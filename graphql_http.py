"""GraphQL over HTTP as its spec asks, on top of strawberry's aiohttp view (the View of app.py mixes this in):

- a client that accepts `application/graphql-response+json` gets that media type, and a request error (a document
  that does not parse or validate, variables that do not coerce, a refused cost: no `data` at all) answers 400
  without a `data` entry; a client that accepts only `application/json` keeps 200 for every well-formed request;
- `documentId` (trusted_documents.py) in a POST body or a GET's parameters names the document to run; a GET
  with one is a query, never the GraphiQL page; over the WebSocket a subscribe payload may carry one too.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web
from cross_web import AsyncHTTPRequestAdapter
from strawberry.http import GraphQLRequestData

from http_errors import error_body
from trusted_documents import DocumentRefused, TrustedDocuments

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MEDIA_TYPE = web.ResponseKey("graphql_media_type", str)  # the negotiated type, kept on the sub-response


def accepted(accept: str) -> str:
    """The media type to answer with: graphql-response+json when the client lists it at least as high as
    application/json (and does not refuse it with q=0); application/json otherwise (also for */* or nothing)."""
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[media.lower()] = max(weight, weights.get(media.lower(), 0.0))
    ours = weights.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if ours > 0 and ours >= weights.get(JSON, 0.0) else JSON


def request_error(response: dict[str, Any]) -> bool:
    """An answer without execution: no data, and no error that a field raised (those have a path)."""
    errors: list[dict[str, Any]] = response.get("errors") or []
    return response.get("data") is None and bool(errors) and not any("path" in e for e in errors)


class GraphQLOverHTTP:
    """The spec's media type and status codes and trusted documents, for a strawberry GraphQLView subclass."""

    trusted: TrustedDocuments = TrustedDocuments()

    def should_render_graphql_ide(self, request: Any) -> bool:
        return "documentId" not in request.query_params and super().should_render_graphql_ide(request)  # type: ignore[misc]

    async def get_sub_response(self, request: web.Request) -> web.Response:
        response = web.Response()
        response[MEDIA_TYPE] = accepted(request.headers.get("Accept", ""))
        return response

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> Any:
        data = await super().parse_http_body(request)  # type: ignore[misc]
        if isinstance(data, GraphQLRequestData):
            data.query = self.trusted.resolve(data.query, await self._document_id(request))  # type: ignore[assignment]
        return data

    async def _document_id(self, request: AsyncHTTPRequestAdapter) -> object:
        if request.method == "GET":
            return request.query_params.get("documentId")
        if "application/json" not in (request.content_type or ""):
            return None  # an upload (multipart) names its query in full
        body = await request.get_body()  # read once by strawberry already; parsed again only when it names an id
        if b'"documentId"' not in body:
            return None
        parsed = orjson.loads(body)
        return parsed.get("documentId") if isinstance(parsed, dict) else None

    def create_response(self, response_data: Any, sub_response: web.Response) -> web.Response:
        media_type = sub_response.get(MEDIA_TYPE, JSON)
        if media_type == GRAPHQL_RESPONSE and isinstance(response_data, dict) and request_error(response_data):
            response_data = {k: v for k, v in response_data.items() if k != "data"}
            sub_response.set_status(400)
        response: web.Response = super().create_response(response_data, sub_response)  # type: ignore[misc]
        response.content_type = media_type
        return response

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        try:
            return await super().__call__(request)  # type: ignore[misc]
        except DocumentRefused as exc:
            media_type = accepted(request.headers.get("Accept", ""))
            return web.Response(status=exc.status, body=error_body(exc.message, exc.code), content_type=media_type)

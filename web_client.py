"""The built clients of clients/web, served by the API's own process: the H5 shop and the merchant console at `/`
(every path a browser opens that is no route of the API gets the app's index.html, which routes on its own), their
assets under /assets/ (immutable: Vite names them by content hash; a `.gz` beside each is sent to gzip clients),
and the self-hosted GraphiQL at /graphql. Nothing is fetched from a CDN. When the web app has not been built, the
pages say so with the command that builds it."""

from __future__ import annotations

import html
from pathlib import Path

from aiohttp import web

from settings import Settings

BUILD_COMMAND = "make web"  # = cd clients && npm ci && npm run build
IMMUTABLE = "public, max-age=31536000, immutable"
API_PREFIXES = ("/graphql", "/healthz", "/webhooks/", "/media/", "/assets/")


def not_built(what: str, dist: Path) -> web.Response:
    """A page that says the clients have not been built, and how to build them (no CDN to fall back on)."""
    body = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(what)} 尚未构建</title>
<style>body{{font:16px/1.6 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}}
code{{background:#f3f3f3;padding:.2em .4em;border-radius:4px}}</style></head><body>
<h1>{html.escape(what)} has not been built</h1>
<p>Its files are served by this server from <code>{html.escape(str(dist))}</code>, which does not exist yet.
Build them once (Node 20 and npm; nothing is loaded from a CDN):</p>
<p><code>{BUILD_COMMAND}</code> &nbsp; (or <code>cd clients &amp;&amp; npm ci &amp;&amp; npm run build</code>)</p>
<p>then reload this page. The API itself works without them: POST your queries to <code>/graphql</code>.</p>
</body></html>"""
    return web.Response(text=body, content_type="text/html", headers={"Cache-Control": "no-store"})


def graphiql_page(settings: Settings) -> web.Response:
    page = settings.WEB_DIST / "graphiql.html"
    if not page.is_file():
        return not_built("GraphiQL", settings.WEB_DIST)
    return web.Response(body=page.read_bytes(), content_type="text/html", headers={"Cache-Control": "no-cache"})


def _wants_html(request: web.Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("Accept", "")


def install(app: web.Application, settings: Settings) -> None:
    """Routes for the web app, added after the API's own (which keep their paths)."""

    async def asset(request: web.Request) -> web.StreamResponse:
        dist, name = settings.WEB_DIST, request.match_info["name"]
        path = (dist / "assets" / name).resolve()
        if not path.is_file() or (dist / "assets").resolve() not in path.parents:
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": IMMUTABLE})

    async def page(request: web.Request) -> web.StreamResponse:
        # Only a browser's page load gets the app; anything else keeps the API's JSON 404 (json_errors in app.py).
        if not _wants_html(request) or request.path.startswith(API_PREFIXES):
            raise web.HTTPNotFound()
        dist = settings.WEB_DIST
        index = dist / "index.html"
        if not index.is_file():
            return not_built("友享购 H5 shop", dist)
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.router.add_get("/assets/{name:.+}", asset)
    app.router.add_get("/{tail:.*}", page)  # GET only: other methods on an unknown path stay the router's 405

"""The two references bench/read_path.py measures this server against, each run as its own process:

    python bench/reference_servers.py raw --port P --body FILE         # aiohttp answering with FILE's bytes
    python bench/reference_servers.py strawberry --port P --body FILE   # a plain strawberry schema, data from memory

The strawberry reference resolves `products(first: 100) { edges { node { id title price { amount currency }
salesCount shop { name } } } }` from the products in FILE (a response of this server), with no store, no loaders
and no extensions: what strawberry on aiohttp costs for that shape, and nothing else.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import strawberry
from aiohttp import web
from strawberry.aiohttp.views import GraphQLView


def raw_app(body: bytes) -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/graphql", answer)
    return app


@strawberry.type
class Money:
    amount: strawberry.scalars.JSON
    currency: str


@strawberry.type
class Shop:
    name: str


@strawberry.type
class Product:
    id: strawberry.ID
    title: str
    price: Money
    sales_count: int
    shop: Shop


@strawberry.type
class ProductEdge:
    node: Product


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]


def strawberry_app(body: bytes) -> web.Application:
    nodes: list[dict[str, Any]] = [e["node"] for e in json.loads(body)["data"]["products"]["edges"]]
    products = [
        Product(
            id=strawberry.ID(n["id"]),
            title=n["title"],
            price=Money(amount=n["price"]["amount"], currency=n["price"]["currency"]),
            sales_count=n["salesCount"],
            shop=Shop(name=n["shop"]["name"]),
        )
        for n in nodes
    ]

    @strawberry.type
    class Query:
        @strawberry.field
        def products(self, first: int = 20) -> ProductConnection:
            return ProductConnection(edges=[ProductEdge(node=p) for p in products[:first]])

    app = web.Application()
    app.router.add_route("*", "/graphql", GraphQLView(schema=strawberry.Schema(query=Query), graphql_ide=None))
    return app


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["raw", "strawberry"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--body", type=Path, required=True)
    args = p.parse_args()
    body = args.body.read_bytes()
    app = raw_app(body) if args.kind == "raw" else strawberry_app(body)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()

"""Checkout under load.

    .venv/bin/python bench/checkout.py [--checkouts 2000] [--concurrency 32] [--orders 1500]

`checkout` over HTTP against a real server process on the embedded default (DEV_LOGIN), from this process: each
checkout is a fresh buyer's cart of 6 lines from 3 shops (2 SKUs each; one shop ships on a by-piece template), to an
address in 南山区, so each makes 3 orders. The hold limits are the defaults (a buyer may keep 5 orders unpaid, so
one 3-shop checkout each). Buyers, carts and addresses are made first, untimed; then checkouts/s and latency
percentiles at the given concurrency. Then no oversell: for every SKU, stock left + units in placed orders = the
initial stock, counted from the answers and again from the server's own database once it has stopped.

Last, for scale on a shared machine, placeOrder of one line (bench/orders.py's request) on the same server right
after: its orders/s at the same concurrency, so that a checkout's cost reads against an order's measured alongside.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, server_process  # noqa: E402
from bench.orders import PLACE, UNPAID_ORDERS  # noqa: E402

LOGIN = "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken } }"
SHOP = "mutation($n: String!) { createShop(input: {name: $n}) { shop { id } } }"
TEMPLATE = """mutation($in: CreateShippingTemplateInput!) { createShippingTemplate(input: $in) {
  shippingTemplate { id } errors { code } } }"""
PRODUCT = "mutation($in: CreateProductInput!) { createProduct(input: $in) { product { skus { id } } errors { code } } }"
ADD = """mutation($s: ID!) { addToCart(input: {skuId: $s, quantity: 1}) {
  cart { shops { lines { id } } } errors { code } } }"""
ADDRESS = "mutation($in: AddressInput!) { createAddress(input: $in) { address { id } errors { code } } }"
# What the mini-program needs next (to show the amount and call payCheckout), as bench/orders.py's placeOrder asks
# for its order's id, number and total.
CHECKOUT = """mutation($in: CheckoutInput!) { checkout(input: $in) {
  checkout { id number total { amount } payBy } errors { code field } } }"""
STOCK = "query($id: ID!) { node(id: $id) { ... on Sku { stock } } }"
INITIAL_STOCK = 1_000_000
HOME = {
    "recipient": "压测",
    "phone": "13812341234",
    "provinceCode": "440000",
    "cityCode": "440300",
    "districtCode": "440305",
    "detail": "科技园路1号",
}


async def gql(
    session: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json={"query": query, "variables": variables}, headers=headers) as resp:
        body: dict[str, Any] = await resp.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return body["data"]


async def catalog(session: aiohttp.ClientSession, url: str) -> tuple[list[str], str]:
    """3 shops of 2 SKUs each; the first shop's product ships on a by-piece template. The 6 SKU ids, and one more
    SKU (of its own product) for the placeOrder phase."""
    skus: list[str] = []
    for s in range(3):
        seller = (await gql(session, url, LOGIN, {"n": f"结账压测卖家{s}"}))["devLogin"]["accessToken"]
        shop_id = (await gql(session, url, SHOP, {"n": f"结账压测店{s}"}, seller))["createShop"]["shop"]["id"]
        product: dict[str, Any] = {"shopId": shop_id, "title": f"压测商品{s}", "description": "", "images": []}
        if s == 0:
            rate = {"firstUnits": 1, "firstFee": 1000, "additionalUnits": 1, "additionalFee": 500}
            template = {"shopId": shop_id, "name": "标准快递", "chargeBy": "BY_PIECE", "defaultRate": rate}
            made = (await gql(session, url, TEMPLATE, {"in": template}, seller))["createShippingTemplate"]
            product["shippingTemplateId"] = made["shippingTemplate"]["id"]
        product["skus"] = [
            {"specs": [{"name": "款", "value": str(i)}], "price": 1990 + 100 * i, "stock": INITIAL_STOCK}
            for i in range(2)
        ]
        made = (await gql(session, url, PRODUCT, {"in": product}, seller))["createProduct"]
        skus += [sku["id"] for sku in made["product"]["skus"]]
    single = {**product, "title": "单品", "skus": [{"specs": [], "price": 1990, "stock": INITIAL_STOCK}]}
    made = (await gql(session, url, PRODUCT, {"in": single}, seller))["createProduct"]
    return skus, made["product"]["skus"][0]["id"]


async def buyer(session: aiohttp.ClientSession, url: str, n: int, skus: list[str]) -> tuple[str, list[str], str]:
    """A fresh buyer with the 6 SKUs in their cart and an address: (token, cart line ids, address id)."""
    token = (await gql(session, url, LOGIN, {"n": f"结账压测买家{n}"}))["devLogin"]["accessToken"]
    for sku in skus:
        shown = (await gql(session, url, ADD, {"s": sku}, token))["addToCart"]
    line_ids = [line["id"] for shop in shown["cart"]["shops"] for line in shop["lines"]]
    address = (await gql(session, url, ADDRESS, {"in": HOME}, token))["createAddress"]["address"]["id"]
    return token, line_ids, address


async def place_orders(session: aiohttp.ClientSession, url: str, sku: str, args: argparse.Namespace) -> None:
    """placeOrder of one unit of `sku` by fresh buyers (each as many unpaid orders as the default allows)."""
    tokens = [
        (await gql(session, url, LOGIN, {"n": f"下单压测买家{b}"}))["devLogin"]["accessToken"]
        for b in range(-(-args.orders // UNPAID_ORDERS))
    ]
    queue = [(tokens[i // UNPAID_ORDERS], f"o{i}") for i in range(args.orders)]
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            token, key = queue.pop()
            t = time.perf_counter()
            payload = (await gql(session, url, PLACE, {"s": sku, "k": key}, token))["placeOrder"]
            latencies.append((time.perf_counter() - t) * 1000)
            assert payload["errors"] == [], payload

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    seconds = time.monotonic() - started
    print(
        f"placeOrder (1 line) on the same server right after, concurrency={args.concurrency}: {len(latencies)} orders"
        f" in {seconds:.1f}s = {len(latencies) / seconds:.0f} orders/s; p50={percentile(latencies, 50):.1f}ms"
        f" p99={percentile(latencies, 99):.1f}ms",
        flush=True,
    )


def sold_in_database(data_dir: Path) -> dict[str, int]:
    """Units of each (raw) SKU id in the orders the server placed, read from its SQLite file after it stopped."""
    sold: dict[str, int] = {}
    with sqlite3.connect(data_dir / "youxianggou.sqlite3") as db:
        for (doc,) in db.execute("SELECT doc FROM orders"):
            order = json.loads(doc)
            if order["status"] in ("PENDING_PAYMENT", "PAID"):
                for line in order["lines"]:
                    sold[line["skuId"]] = sold.get(line["skuId"], 0) + line["quantity"]
    return sold


def cpu_model() -> str:
    """lscpu's Model name."""
    out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    return next((ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")), "?")


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--checkouts", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--orders", type=int, default=1500, help="placeOrders measured after, for scale")
    args = p.parse_args()
    print(f"CPU: {cpu_model()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        data_dir = Path(tmp_name) / "http"
        stock_left: dict[str, int] = {}
        sold: dict[str, int] = {}
        async with (
            server_process(data_dir, PRODUCTS_PER_MINUTE="1000", SHOPS_PER_MINUTE="1000") as base,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency * 2)) as session,
        ):
            url = base + "/graphql"
            skus, single = await catalog(session, url)
            started = time.monotonic()
            gate = asyncio.Semaphore(args.concurrency)

            async def made(n: int) -> tuple[str, list[str], str]:
                async with gate:
                    return await buyer(session, url, n, skus)

            warm = 4 * args.concurrency
            buyers = await asyncio.gather(*(made(n) for n in range(args.checkouts + warm)))
            print(f"setup: {len(buyers)} buyers with 6-line carts in {time.monotonic() - started:.0f}s", flush=True)
            latencies: list[float] = []
            errors: list[Any] = []
            queue = list(buyers)

            async def worker() -> None:
                while queue:
                    token, line_ids, address = queue.pop()
                    variables = {"in": {"cartLineIds": line_ids, "addressId": address, "idempotencyKey": "bench"}}
                    t = time.perf_counter()
                    payload = (await gql(session, url, CHECKOUT, variables, token))["checkout"]
                    latencies.append((time.perf_counter() - t) * 1000)
                    if payload["errors"]:
                        errors.append(payload["errors"])
                        continue
                    for sku in skus:  # each cart holds one unit of each SKU
                        sold[sku] = sold.get(sku, 0) + 1

            queue, rest = queue[:warm], queue[warm:]
            await asyncio.gather(*(worker() for _ in range(args.concurrency)))  # warm up
            latencies.clear()
            queue = rest
            started = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
            seconds = time.monotonic() - started
            print(
                f"checkout of a 3-shop, 6-line cart over HTTP, embedded default, concurrency={args.concurrency}: "
                f"{len(latencies)} checkouts in {seconds:.1f}s = {len(latencies) / seconds:.0f} checkouts/s "
                f"({3 * len(latencies) / seconds:.0f} orders/s); p50={percentile(latencies, 50):.1f}ms "
                f"p99={percentile(latencies, 99):.1f}ms errors={len(errors)} {errors[:3]}",
                flush=True,
            )
            for sku in skus:
                stock_left[sku] = (await gql(session, url, STOCK, {"id": sku}))["node"]["stock"]
            await place_orders(session, url, single, args)
        from domain.ids import from_global_id

        in_db = sold_in_database(data_dir)
        exact = all(
            stock_left[s] + sold.get(s, 0) == INITIAL_STOCK and in_db.get(from_global_id(s)[1], 0) == sold.get(s, 0)
            for s in skus
        )
        print(
            f"oversell check: stock left + units sold = {INITIAL_STOCK} for each of the 6 SKUs (answers and database"
            f" agree): {'exact, 0 oversold' if exact else 'NOT EXACT'}; units sold per SKU {sorted(sold.values())}",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())

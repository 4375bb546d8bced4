"""The shop builder under measurement, against a real server process on the embedded default (SQLite, memory
graph and bus), one request at a time from this process:

    .venv/bin/python bench/shop_page.py [--requests 300]

1. `shopPage` of a published page of 30 sections referencing 200 products (20 product grids of 10, a group-buy
   zone, a coupon strip, a smart list, banners, navigation, notices, rich text, a tab bar), every section's data
   resolved (price, stock, badges, product title and images): latency percentiles. Target p95 < 25 ms.
2. The same by GET with a matching If-None-Match: 304. Target p95 < 3 ms.
3. `savePageDraft` of a 200 KB page (33 sections: the 20 grids, 10 navigation grids of 20, three long rich
   texts), with its validation (schemas, nh3, the 200 references), each save a new revision. Target p95 < 40 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, server_process  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the server process has used: the cost of a request whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


LOGIN = "mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken } }"
CREATE = "mutation($in: CreateProductInput!) { createProduct(input: $in) { product { id } errors { code } } }"
SAVE = """mutation($in: SavePageDraftInput!) { savePageDraft(input: $in) {
  revision { id bytes } errors { code field message } } }"""
PUBLISH = """mutation($in: PublishPageInput!) { publishPage(input: $in) { errors { code field } } }"""
COUPON = """mutation($in: CreateCouponInput!) { createCoupon(input: $in) { coupon { id } errors { code } } }"""
# What a renderer asks: each section's settings, blocks and resolved data (products with price, stock and badges).
SHOP_PAGE = """query($shop: ID!) { shopPage(shopId: $shop, kind: HOME) {
  revisionId title theme { background text accent button buttonText radius fontScale }
  sections { id type settings blocks available reason data } } }"""
# The same products through the typed fields (each product's fields one by one): measured for comparison.
TYPED = """query($shop: ID!) { shopPage(shopId: $shop, kind: HOME) {
  revisionId sections { id type
    products { ref available reason price { amount } stock badges { kind price { amount } }
      product { id title } } } } }"""


async def gql(session: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any], token: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json={"query": query, "variables": variables}, headers=headers) as resp:
        body = await resp.json()
        assert "errors" not in body, body
        return body["data"]


def sections_30(products: list[str]) -> list[dict[str, Any]]:
    grids = [
        {
            "id": f"grid{i}",
            "type": "product_grid",
            "settings": {"title": f"精选{i}", "source": "MANUAL", "productIds": products[i * 10 : i * 10 + 10]},
        }
        for i in range(20)
    ]
    image = "https://static.example.com/bench/{}.jpg"
    others = [
        {"id": "search", "type": "search_bar", "settings": {"placeholder": "搜索"}},
        {
            "id": "banner",
            "type": "banner_carousel",
            "settings": {},
            "blocks": [{"id": f"b{i}", "type": "slide", "settings": {"image": image.format(i)}} for i in range(5)],
        },
        {
            "id": "notice",
            "type": "notice_bar",
            "settings": {},
            "blocks": [{"id": "n", "type": "notice", "settings": {"text": "满99包邮"}}],
        },
        {
            "id": "nav",
            "type": "nav_grid",
            "settings": {"columns": 4},
            "blocks": [
                {"id": f"i{i}", "type": "item", "settings": {"label": f"类{i}", "link": "/c"}} for i in range(8)
            ],
        },
        {"id": "groupbuy", "type": "group_buy_zone", "settings": {"limit": 4}},
        {"id": "coupons", "type": "coupon_strip", "settings": {"limit": 3}},
        {"id": "smart", "type": "smart_product_list", "settings": {"limit": 10}},
        {"id": "text", "type": "rich_text", "settings": {"html": "<p>" + "本店承诺正品。" * 40 + "</p>"}},
        {"id": "shop", "type": "shop_info", "settings": {}},
        {
            "id": "tabs",
            "type": "tab_bar",
            "settings": {},
            "blocks": [{"id": f"t{i}", "type": "tab", "settings": {"label": f"页{i}", "link": "/p"}} for i in range(4)],
        },
    ]
    return grids + others


def page_200kb(products: list[str], n: int) -> dict[str, Any]:
    sections = sections_30(products)[:20]  # the 20 grids: 200 references
    for i in range(10):
        sections.append(
            {
                "id": f"nav{i}",
                "type": "nav_grid",
                "settings": {"columns": 5},
                "blocks": [
                    {
                        "id": f"i{j}",
                        "type": "item",
                        "settings": {
                            "label": f"分类{j}",
                            "icon": f"https://static.example.com/bench/icons/{i}/{j}.png",
                            "link": f"/pages/category/index?id={i}-{j}",
                        },
                    }
                    for j in range(20)
                ],
            }
        )
    document = {"schemaVersion": 1, "title": f"大促第{n}版", "sections": sections}
    size = len(orjson.dumps(document))
    for k in range(3):  # long rich texts up to 200 KB in all
        room = (200 * 1024 - size - 200) // (3 - k) // 3  # what is left, shared; a Chinese character is 3 bytes
        html = "<p>" + ("精选好物，" * 4000)[: min(room, 19_000)] + "</p>"
        sections.append({"id": f"text{k}", "type": "rich_text", "settings": {"html": html}})
        size = len(orjson.dumps(document))
    return document


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=300)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pids: list[int] = []
        async with (
            server_process(Path(tmp), pids, PRODUCTS_PER_MINUTE="100000", PAGE_SAVES_PER_MINUTE="100000") as base,
            aiohttp.ClientSession() as session,
        ):
            url = base + "/graphql"
            token = (await gql(session, url, LOGIN, {"n": "装修压测"}, ""))["devLogin"]["accessToken"]
            shop = await gql(
                session, url, 'mutation { createShop(input: {name: "装修压测店"}) { shop { id } } }', {}, token
            )
            shop_id = shop["createShop"]["shop"]["id"]
            products = []
            for i in range(200):
                offer: dict[str, Any] = {}
                if i % 5 == 0:
                    offer["groupBuy"] = {"tiers": [{"size": 2, "price": 1500}], "durationMinutes": 60}
                if i % 7 == 0:
                    offer["bargain"] = {"floorPrice": 1000, "helpersNeeded": 5, "durationMinutes": 60}
                skus = [{"specs": [{"name": "款", "value": f"{k}"}], "price": 1990, "stock": 50} for k in range(3)]
                product = {"shopId": shop_id, "title": f"压测商品{i}", "description": "", "skus": skus, **offer}
                product["images"] = [f"https://static.example.com/bench/p{i}.jpg"]
                found = await gql(session, url, CREATE, {"in": product}, token)
                products.append(found["createProduct"]["product"]["id"])
            valid = "2099-01-01T00:00:00Z"
            for i in range(3):
                coupon = {"shopId": shop_id, "title": f"券{i}", "discount": 500, "minSpend": 5000, "validUntil": valid}
                await gql(session, url, COUPON, {"in": {**coupon, "quantity": 100}}, token)
            document = {"schemaVersion": 1, "title": "首页", "sections": sections_30(products)}
            saved = await gql(
                session, url, SAVE, {"in": {"shopId": shop_id, "kind": "HOME", "document": document}}, token
            )
            assert saved["savePageDraft"]["errors"] == [], saved
            revision = saved["savePageDraft"]["revision"]["id"]
            publish = {"shopId": shop_id, "kind": "HOME", "revisionId": revision, "expectedRevisionId": None}
            assert (await gql(session, url, PUBLISH, {"in": publish}, token))["publishPage"]["errors"] == []
            print(f"page: {len(document['sections'])} sections, 200 products referenced, revision {revision[:12]}")

            # 1. resolved, anonymous shopper (the smart list falls back to the shop's best sellers)
            times: list[float] = []
            for i in range(args.requests + 20):
                if i == 20:
                    cpu = cpu_ms(pids[0])
                t = time.perf_counter()
                async with session.post(url, json={"query": SHOP_PAGE, "variables": {"shop": shop_id}}) as resp:
                    body = await resp.read()
                if i >= 20:
                    times.append((time.perf_counter() - t) * 1000)
            cpu = (cpu_ms(pids[0]) - cpu) / args.requests
            parsed = orjson.loads(body)["data"]["shopPage"]
            items = sum(len(s["data"].get("products", [])) for s in parsed["sections"])
            print(
                f"shopPage resolved (30 sections, {items} product items, {len(body) // 1024} KB): "
                f"p50={percentile(times, 50):.1f}ms p95={percentile(times, 95):.1f}ms "
                f"p99={percentile(times, 99):.1f}ms; server CPU {cpu:.1f}ms a request"
            )

            typed: list[float] = []
            for i in range(args.requests // 3 + 10):
                t = time.perf_counter()
                async with session.post(url, json={"query": TYPED, "variables": {"shop": shop_id}}) as resp:
                    await resp.read()
                if i >= 10:
                    typed.append((time.perf_counter() - t) * 1000)
            print(
                f"  for comparison, the products through the typed fields: p50={percentile(typed, 50):.1f}ms "
                f"p95={percentile(typed, 95):.1f}ms"
            )

            # 2. GET with the matching ETag
            params = {"query": SHOP_PAGE, "variables": json.dumps({"shop": shop_id})}
            async with session.get(url, params=params) as resp:
                etag = resp.headers["ETag"]
                assert resp.status == 200
            times = []
            for i in range(args.requests + 20):
                if i == 20:
                    cpu = cpu_ms(pids[0])
                t = time.perf_counter()
                async with session.get(url, params=params, headers={"If-None-Match": etag}) as resp:
                    await resp.read()
                    assert resp.status == 304
                if i >= 20:
                    times.append((time.perf_counter() - t) * 1000)
            cpu = (cpu_ms(pids[0]) - cpu) / args.requests
            print(
                f"shopPage GET with matching ETag (304): p50={percentile(times, 50):.2f}ms "
                f"p95={percentile(times, 95):.2f}ms p99={percentile(times, 99):.2f}ms; server CPU {cpu:.2f}ms a request"
            )

            # 3. savePageDraft of a 200 KB page, each a new revision
            times = []
            size = 0
            saves = max(args.requests // 3, 50)
            for i in range(saves + 5):
                big = page_200kb(products, i)
                variables = {"in": {"shopId": shop_id, "kind": "HOME", "document": big}}
                if i == 5:
                    cpu = cpu_ms(pids[0])
                t = time.perf_counter()
                result = await gql(session, url, SAVE, variables, token)
                if i >= 5:
                    times.append((time.perf_counter() - t) * 1000)
                assert result["savePageDraft"]["errors"] == [], result["savePageDraft"]["errors"][:3]
                size = result["savePageDraft"]["revision"]["bytes"]
            print(
                f"savePageDraft of a {size / 1024:.0f} KB page ({len(big['sections'])} sections, 200 references), "
                f"{saves} saves: p50={percentile(times, 50):.1f}ms p95={percentile(times, 95):.1f}ms "
                f"p99={percentile(times, 99):.1f}ms; server CPU {(cpu_ms(pids[0]) - cpu) / saves:.1f}ms a save"
            )


if __name__ == "__main__":
    asyncio.run(main())

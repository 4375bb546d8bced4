"""Product search on a large catalog (default 250,000 products with 4 SKUs each: 1M SKUs) on the embedded store.

    .venv/bin/python bench/search.py [--products N] [--queries N]

Titles are drawn from a vocabulary of Chinese product words, so a two-character query such as 绿茶 matches a few
percent of the catalog, like a real one. Products, SKUs and search postings are bulk-loaded into SQLite, then the
`products(query:)` use case is timed warm for two-character, longer and two-word queries under each sort.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backends import Backends  # noqa: E402
from bench.common import percentile  # noqa: E402
from graph.memory import MemoryGraph  # noqa: E402
from graph.projector import Projector  # noqa: E402
from resolvers.catalog import postings, product_page  # noqa: E402
from resolvers.services import Services  # noqa: E402
from settings import Settings  # noqa: E402
from store.collections import ensure_indexes  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402
from subscriptions.memory import MemoryBus  # noqa: E402

ORIGINS = [
    "西湖",
    "云南",
    "福建",
    "安溪",
    "武夷山",
    "景德镇",
    "宜兴",
    "杭州",
    "日本",
    "新疆",
    "东北",
    "四川",
    "潮汕",
    "台湾",
]
THINGS = [
    "绿茶",
    "红茶",
    "普洱",
    "乌龙茶",
    "白茶",
    "茶具",
    "紫砂壶",
    "茶杯",
    "蜂蜜",
    "坚果",
    "大米",
    "香米",
    "牛肉干",
    "手机壳",
    "数据线",
    "耳机",
    "保温杯",
    "围巾",
    "毛衣",
    "羽绒服",
    "运动鞋",
    "面膜",
    "口红",
    "洗发水",
    "牙膏",
    "纸巾",
    "咖啡",
    "巧克力",
    "饼干",
    "枸杞",
    "红枣",
    "核桃",
    "腊肉",
    "辣酱",
    "火锅底料",
    "月饼",
    "粽子",
]
STYLES = ["礼盒", "家庭装", "特级", "新款", "经典", "限量", "便携", "套装", "旗舰款", "散装"]
CATEGORIES = ["茶叶", "茶具", "食品", "数码", "服饰", "美妆", "日用"]
QUERIES = ["绿茶", "礼盒", "茶具", "手机", "蜂蜜", "龙井绿茶", "特级 绿茶", "景德镇 茶杯", "红"]


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--products", type=int, default=250_000)
    p.add_argument("--skus-per-product", type=int, default=4)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "catalog.sqlite3")
        await store.open()
        await ensure_indexes(store)
        started = time.monotonic()
        terms = 0
        for start in range(0, args.products, 5_000):
            products, skus, posts = [], [], []
            for n in range(start, min(start + 5_000, args.products)):
                pid = f"{n:012x}{'0' * 10}"
                title = f"{rng.choice(ORIGINS)}{rng.choice(STYLES)}{rng.choice(THINGS)}{rng.choice(STYLES)}"
                price = rng.randint(100, 100_000)
                product = {
                    "_id": pid,
                    "shopId": f"shop{n % 500}",
                    "title": title,
                    "description": "",
                    "images": [],
                    "category": rng.choice(CATEGORIES),
                    "price": price,
                    "salesCount": rng.randint(0, 5_000),
                    "createdAt": 1_700_000_000_000 + n,
                    "groupBuy": None,
                    "bargain": None,
                }
                products.append(product)
                skus += [
                    {
                        "_id": f"{pid}{i:03d}",
                        "productId": pid,
                        "shopId": product["shopId"],
                        "specs": [],
                        "price": price + i * 100,
                        "stock": 100,
                    }
                    for i in range(args.skus_per_product)
                ]
                posts += postings(product)
            await store.insert_many("products", products)
            await store.insert_many("skus", skus)
            await store.insert_many("product_terms", posts)
            terms += len(posts)
        load = time.monotonic() - started
        graph = MemoryGraph()
        services = Services(
            Settings(DATA_DIR=Path(tmp), DEV_LOGIN=True), Backends(store, graph, MemoryBus()), Projector(store, graph)
        )
        skus = await store.count("skus")
        print(f"catalog: products={args.products} skus={skus} postings={terms} load={load:.0f}s", flush=True)
        for label, queries in (
            ("two characters", [q for q in QUERIES if len(q) == 2]),
            ("longer / two words", [q for q in QUERIES if len(q) != 2]),
        ):
            for sort in ("RELEVANCE", "NEWEST", "PRICE_ASC"):
                latencies, hits = [], 0
                for i in range(args.queries + 20):
                    q = queries[i % len(queries)]
                    t = time.perf_counter()
                    page = await product_page(services, 20, None, query=q, sort=sort)
                    if i >= 20:
                        latencies.append((time.perf_counter() - t) * 1000)
                        hits += len(page.docs)
                print(
                    f"search {label:18} sort={sort:9} first=20: p50={percentile(latencies, 50):.1f}ms "
                    f"p95={percentile(latencies, 95):.1f}ms p99={percentile(latencies, 99):.1f}ms "
                    f"results/query={hits / len(latencies):.1f}",
                    flush=True,
                )
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())

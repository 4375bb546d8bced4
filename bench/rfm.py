"""The RFM job for one shop at scale (default 1M buyers, ~1.7M paid orders in the window): time and peak memory.

    .venv/bin/python bench/rfm.py [--buyers N] [--seed S] [--keep DIR]

With --keep DIR the generated store stays in DIR (named for N and S) and a later run with the same N, S and DIR
reuses it: generating 1M buyers takes 6 to 18 minutes, the run about a minute. Each run starts from the orders alone
(earlier runs' results are removed first), so reruns measure the same work.

The orders sit in SQLite, as on the embedded default, shaped as placeOrder + payOrder leave them (one line, an
address, payment fields; ~700 bytes of JSON each). Orders per buyer: 60 % one, then fewer and fewer up to 30; paid
at random over the 365-day window (plus 10 % of buyers with orders only before it, which the run must skip), and
3 % of orders fully refunded. Setup builds only the index the run reads (orders by shopId, _id), to keep
generation short. The run itself goes in a fresh process, so its peak RSS (read from the OS) is the job's alone:
reading the orders page by page, scoring, writing each segment's members in chunks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backends import Backends  # noqa: E402
from graph.memory import MemoryGraph  # noqa: E402
from graph.projector import Projector  # noqa: E402
from resolvers.segments import run_shop  # noqa: E402
from resolvers.services import Services, now_ms  # noqa: E402
from settings import Settings  # noqa: E402
from store.collections import INDEXES  # noqa: E402
from store.sqlite import SqliteStore  # noqa: E402
from subscriptions.memory import MemoryBus  # noqa: E402

DAY_MS = 86_400_000
SHOP = "shop-rfm-bench"
BATCH = 50_000


def rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def order_doc(i: int, buyer: str, paid_at: int, total: int, status: str) -> dict[str, object]:
    return {
        "_id": f"o{i:09d}",
        "number": f"2026{i:012d}",
        "shopId": SHOP,
        "buyerId": buyer,
        "status": status,
        "lines": [
            {"productId": "p0001", "skuId": "p0001000", "title": "云南普洱茶饼 357g", "specs": [["规格", "357g"]],
             "image": "https://img.example.com/p0001.jpg", "price": total, "quantity": 1}
        ],
        "subtotal": total, "discount": 0, "shippingFee": 0, "total": total, "couponId": None,
        "address": {"name": "张三", "phone": "13800000000", "province": "广东省", "city": "深圳市",
                    "district": "南山区", "street": "科技园路 1 号", "code": "440305"},
        "phoneTail": "0000", "idempotencyKey": f"k{i}", "createdAt": paid_at - 60_000, "payBy": paid_at + 900_000,
        "paidAt": paid_at, "paidWith": "WECHAT_PAY", "transactionId": f"42000{i:015d}",
    }  # fmt: skip


async def generate(path: Path, buyers: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    now = now_ms()
    store = SqliteStore(path)
    await store.open()
    for index in INDEXES:
        if index.collection != "orders" or index.fields == ("shopId", "_id"):
            await store.ensure_index(index)
    counts = np.minimum(rng.geometric(0.6, buyers), 30)
    old = rng.random(buyers) < 0.1  # bought only before the window
    total = 0
    docs: list[dict[str, object]] = []
    for b in range(buyers):
        buyer = f"u{b:07d}"
        n = int(counts[b])
        days = rng.uniform(366, 700, n) if old[b] else rng.uniform(0, 365, n)
        amounts = rng.integers(990, 49_900, n)
        refunded = rng.random(n) < 0.03
        for k in range(n):
            status = "REFUNDED" if refunded[k] else "COMPLETED"
            docs.append(order_doc(total, buyer, now - int(days[k] * DAY_MS), int(amounts[k]), status))
            total += 1
        if len(docs) >= BATCH:
            await store.insert_many("orders", docs)
            docs = []
    await store.insert_many("orders", docs)
    await store.close()
    return total


def forget_runs(path: Path) -> None:
    """Remove what earlier runs wrote (a kept store): each run then reads and writes the same as the first."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        for table in ("rfm_runs", "rfm_members", "leases"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        db.commit()


async def run(path: Path) -> None:
    forget_runs(path)
    store = SqliteStore(path)
    await store.open()
    graph = MemoryGraph()
    services = Services(
        Settings(DATA_DIR=path.parent, DEV_LOGIN=True), Backends(store, graph, MemoryBus()), Projector(store, graph)
    )
    before = rss_gb()
    result = await run_shop(services, SHOP)
    assert result is not None
    runs = await store.find("rfm_runs", {"shopId": SHOP, "status": "DONE"}, limit=1)
    counts = runs.docs[0]["counts"]
    print(
        f"rfm job: buyers={result.buyers} seconds={result.seconds:.1f} peak_rss={rss_gb():.2f}GB"
        f" (process before the run {before:.2f}GB)",
        flush=True,
    )
    print(f"segments: {counts}", flush=True)
    print(f"cut points: {runs.docs[0]['cutPoints']}", flush=True)
    await store.close()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--buyers", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the generated store in DIR; reuse it if there")
    p.add_argument("--run-only", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run_only:
        asyncio.run(run(args.run_only))
        return
    with contextlib.ExitStack() as stack:
        folder = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        path = folder / f"rfm-{args.buyers}-{args.seed}.sqlite3"
        ready = path.with_suffix(".ready")  # written once generation finished: a half-made store is made again
        if ready.exists():
            print(f"setup: reusing {path}", flush=True)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                stale.unlink(missing_ok=True)
            t = time.monotonic()
            orders = asyncio.run(generate(path, args.buyers, args.seed))
            print(f"setup: {args.buyers} buyers, {orders} orders in {time.monotonic() - t:.1f}s", flush=True)
            if args.keep:
                ready.write_text(f"{orders}\n")
        subprocess.run([sys.executable, __file__, "--run-only", str(path)], check=True)


if __name__ == "__main__":
    main()

"""The price pipeline (domain/pricing.py) in process: a 20-line cart with 4 running campaigns (a time-limited
discount on some products, a full-reduction, a full-discount that combines with it, a category-scoped
full-reduction), a shop coupon and a platform coupon, points and a shipping fee.

    .venv/bin/python bench/pricing.py [--runs 20000]

Prints p50/p99/max of one `price()` call (target p99 < 2 ms), as wall-clock time and as this thread's CPU time
(which leaves out the time the process waited for a core: on a loaded machine the wall-clock tail is the
scheduler's), and the CPU and load average."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile
from domain import pricing as p


def cart() -> p.PricingInput:
    lines = tuple(
        p.LineIn(
            f"sku{i}",
            f"prod{i % 7}",
            1 + i % 3,
            1_000 + 137 * i,
            "tea" if i % 2 else "cups",
            p.Activity(p.GROUP_BUY, 900 + 100 * i, "Group-buy price") if i == 19 else None,
        )
        for i in range(20)
    )
    campaigns = (
        p.Campaign("td", p.TIME_DISCOUNT, "Flash", p.Scope("PRODUCTS", frozenset({"prod1", "prod2"})), percent_off=15),
        p.Campaign(
            "fr",
            p.FULL_REDUCTION,
            "满100减10",
            tiers=(p.Tier(10_000, 1_000), p.Tier(30_000, 4_000)),
            stackable_with=frozenset({p.TIME_DISCOUNT, p.SHOP_COUPON, p.PLATFORM_COUPON}),
        ),
        p.Campaign(
            "fd",
            p.FULL_DISCOUNT,
            "满200九五折",
            tiers=(p.Tier(20_000, 5),),
            stackable_with=frozenset({p.FULL_REDUCTION, p.SHOP_COUPON, p.PLATFORM_COUPON}),
        ),
        p.Campaign(
            "fr-tea",
            p.FULL_REDUCTION,
            "茶满50减5",
            p.Scope("CATEGORIES", frozenset({"tea"})),
            tiers=(p.Tier(5_000, 500),),
        ),
    )
    return p.PricingInput(
        lines,
        member_price_percent=95,
        campaigns=campaigns,
        shop_coupon=p.Coupon("c1", p.SHOP_COUPON, "店铺券", 2_000, 10_000),
        platform_coupon=p.Coupon("c2", p.PLATFORM_COUPON, "平台券", 1_000, 10_000),
        points=p.Points(3_000, 10_000),
        shipping_fee=1_200,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20_000)
    args = parser.parse_args()
    order = cart()
    priced = p.price(order)
    for _ in range(500):  # warm up
        p.price(order)
    times, cpu_times = [], []
    for _ in range(args.runs):
        start, cpu_start = time.perf_counter(), time.thread_time()
        p.price(order)
        cpu_times.append((time.thread_time() - cpu_start) * 1000)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    cpu_times.sort()
    print(f"lines: {len(order.lines)}, campaigns: {len(order.campaigns)}, coupons: 2, runs: {args.runs}")
    print("adjustments:", ", ".join(f"{a.kind} {a.amount}" for a in priced.adjustments))
    print(f"total {priced.total} fen of {priced.list_subtotal + order.shipping_fee}")
    for name, values in (("wall", times), ("cpu", cpu_times)):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"{name}: p50 {p50:.3f} ms  p99 {p99:.3f} ms  max {values[-1]:.3f} ms")
    print("load average:", " ".join(f"{x:.1f}" for x in os.getloadavg()), f"on {os.cpu_count()} CPUs")
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    print(next((x.strip() for x in cpu.splitlines() if x.startswith("Model name")), "CPU unknown"))


if __name__ == "__main__":
    main()

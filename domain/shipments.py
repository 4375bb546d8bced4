"""Shipments: an order ships in packages, each with a carrier, a tracking number and some units of its lines. No I/O.

An order keeps `shipments` (the packages, in the order they left) and `shipmentCount` (their number, the
compare-and-set guard of the next package). Every line's units ship at most once: a package may take no more of a
line than is left of it, so two racing shipOrder calls for the same units cannot both pass (resolvers/shipments.py
moves the order by one guarded update and re-checks after a lost race). The order is PARTLY_SHIPPED while units
are left, SHIPPED once none is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain import carriers, orders
from domain.profile import Problem

MAX_PACKAGES = 15  # per order: WeChat's shipping information takes at most 15 packages per payment
TRACKING_MAX = 40
TRACKING = re.compile(r"[A-Za-z0-9-]+")
ITEM_DESC_MAX = 120  # WeChat's item_desc: "限120个字以内"


@dataclass(frozen=True)
class PackageLine:
    line_index: int
    quantity: int


@dataclass(frozen=True)
class Package:
    """What a shipOrder call says left in one parcel; no carrier nor tracking for the contract's bare shipOrder."""

    carrier: str | None
    tracking_number: str | None
    lines: tuple[PackageLine, ...]


def shipped(order: Mapping[str, Any]) -> list[int]:
    """Units shipped of each line. An order shipped before packages existed shipped everything at once."""
    lines = order["lines"]
    if "shipments" not in order and order.get("shippedAt"):
        return [line["quantity"] for line in lines]
    done = [0] * len(lines)
    for shipment in order.get("shipments", []):
        for part in shipment["lines"]:
            done[part["lineIndex"]] += part["quantity"]
    return done


def left(order: Mapping[str, Any], withdrawn: Sequence[int] = ()) -> list[int]:
    """Units left to ship of each line; `withdrawn` are units per line that will not ship (a refund-only of
    unshipped units put them back in stock: domain/after_sales.restocked_units)."""
    out = [line["quantity"] - done for line, done in zip(order["lines"], shipped(order), strict=True)]
    return [max(0, n - (withdrawn[i] if i < len(withdrawn) else 0)) for i, n in enumerate(out)]


def unshipped_lines(order: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The order's lines cut to the units that never left (the stock a refund returns)."""
    return [{**line, "quantity": n} for line, n in zip(order["lines"], left(order), strict=True) if n > 0]


def normalize(tracking_number: str) -> str:
    return tracking_number.strip()


def package_problems(packages: Sequence[Package]) -> list[Problem]:
    """What is wrong with the packages whatever the order: the carrier is one of ours, the tracking number is
    1 to TRACKING_MAX letters, digits or dashes, each package has lines, each line a quantity of at least one."""
    if not packages:
        return [Problem("packages", "Ship at least one package")]
    problems = []
    for p, package in enumerate(packages):
        at = f"packages.{p}"
        if package.carrier not in carriers.BY_CODE:
            problems.append(Problem(f"{at}.carrier", "Unknown carrier: use a code of the `carriers` query"))
        number = package.tracking_number or ""
        if not 1 <= len(number) <= TRACKING_MAX or not TRACKING.fullmatch(number):
            problems.append(
                Problem(f"{at}.trackingNumber", f"A tracking number is 1 to {TRACKING_MAX} letters, digits or dashes")
            )
        if not package.lines:
            problems.append(Problem(f"{at}.lines", "A package holds at least one line"))
        seen: set[int] = set()
        for i, part in enumerate(package.lines):
            if part.quantity < 1:
                problems.append(Problem(f"{at}.lines.{i}.quantity", "A quantity is at least 1"))
            if part.line_index in seen:
                problems.append(Problem(f"{at}.lines.{i}.lineIndex", "Each line appears once in a package"))
            seen.add(part.line_index)
    return problems


def order_problems(
    order: Mapping[str, Any], packages: Sequence[Package], withdrawn: Sequence[int] = ()
) -> list[Problem]:
    """What is wrong with the packages for this order as it is now: each line index is one of its lines, no
    package takes more of a line than is left of it (packages of one call count together), at most MAX_PACKAGES
    packages in all, and a tracking number is not used twice in the order."""
    problems = []
    before = order.get("shipments", [])
    if len(before) + len(packages) > MAX_PACKAGES:
        problems.append(Problem("packages", f"An order ships in at most {MAX_PACKAGES} packages"))
    used = {(s.get("carrier"), s.get("trackingNumber")) for s in before}
    remaining = left(order, withdrawn)
    for p, package in enumerate(packages):
        at = f"packages.{p}"
        if package.tracking_number is not None and (package.carrier, package.tracking_number) in used:
            problems.append(Problem(f"{at}.trackingNumber", "This tracking number already shipped with this order"))
        used.add((package.carrier, package.tracking_number))
        for i, part in enumerate(package.lines):
            if not 0 <= part.line_index < len(remaining):
                problems.append(Problem(f"{at}.lines.{i}.lineIndex", f"The order has lines 0 to {len(remaining) - 1}"))
                continue
            if part.quantity > remaining[part.line_index]:
                have = remaining[part.line_index]
                message = "This line has shipped already" if have == 0 else f"Only {have} of this line are left to ship"
                problems.append(Problem(f"{at}.lines.{i}.quantity", message))
                continue
            remaining[part.line_index] -= part.quantity
    return problems


def everything_left(order: Mapping[str, Any], withdrawn: Sequence[int] = ()) -> Package:
    """The contract's bare shipOrder: every unit left, in one package without carrier or tracking number."""
    parts = tuple(PackageLine(i, n) for i, n in enumerate(left(order, withdrawn)) if n > 0)
    return Package(None, None, parts)


def status_after(order: Mapping[str, Any], packages: Sequence[Package], withdrawn: Sequence[int] = ()) -> str:
    remaining = left(order, withdrawn)
    for package in packages:
        for part in package.lines:
            remaining[part.line_index] -= part.quantity
    return orders.SHIPPED if not any(remaining) else orders.PARTLY_SHIPPED


def item_desc(order_lines: Sequence[Mapping[str, Any]], shipment: Mapping[str, Any]) -> str:
    """WeChat's item_desc of a package: `title*quantity` of its lines, cut to ITEM_DESC_MAX characters."""
    text = "、".join(f"{order_lines[p['lineIndex']]['title']}*{p['quantity']}" for p in shipment["lines"])
    return text if len(text) <= ITEM_DESC_MAX else text[: ITEM_DESC_MAX - 1] + "等"


# Where WeChat's shipping information stands for one package (resolvers/shipping_reports.py keeps the order's
# `wechatReported`: how many of its packages, in order, are dealt with; `wechatReportFailed` once it gave up).
NOT_REQUIRED, PENDING, REPORTED, FAILED = "NOT_REQUIRED", "PENDING", "REPORTED", "FAILED"


def report_status(order: Mapping[str, Any], index: int) -> str:
    """NOT_REQUIRED for an order not paid through WeChat Pay with WeChat configured, or a package without a
    tracking number; REPORTED once WeChat took it; FAILED when it was given up; PENDING until then."""
    if "wechatReported" not in order or not order["shipments"][index].get("trackingNumber"):
        return NOT_REQUIRED
    if index < order["wechatReported"]:
        return REPORTED
    return FAILED if order.get("wechatReportFailed") else PENDING

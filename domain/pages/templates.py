"""The 12 vertical templates (美妆, 3C数码, 生鲜 ...): JSON files under domain/pages/templates/, read once at import
(static data shipped with the code). A template's pages name products by placeholders, `"$products:4"`, that
`fill` replaces with the shop's own products; without any, a grid falls back to its rule (the best sellers) and a
campaign zone to the shop's offers, so a new shop gets pages that work and fill up as it lists products.

The pictures the templates name (https://static.example.com/...) are placeholders for the merchant to replace.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DIRECTORY = Path(__file__).parent / "templates"
PLACEHOLDER = re.compile(r"^\$(products|groupBuyProducts|bargainProducts):([1-9][0-9]?)$")


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    theme: str  # the preset of domain/pages/themes.py
    pages: Mapping[str, Mapping[str, Any]]  # page kind -> document with placeholders


def _load() -> dict[str, Template]:
    found = {}
    for path in sorted(DIRECTORY.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        found[raw["key"]] = Template(raw["key"], raw["name"], raw["theme"], raw["pages"])
    return found


TEMPLATES = _load()


def fill(document: Mapping[str, Any], pools: Mapping[str, Sequence[str]]) -> tuple[dict[str, Any], list[str]]:
    """(the document with each placeholder replaced by ids from its pool, notes on what fell back). Each pool is
    dealt in order, starting over when used up, so consecutive sections show different products."""
    filled = json.loads(json.dumps(document))
    dealt = {name: 0 for name in pools}
    notes = []
    for section in filled["sections"]:
        settings = section.get("settings", {})
        written = settings.get("productIds")
        match = PLACEHOLDER.match(written) if isinstance(written, str) else None
        if match is None:
            continue
        pool, count = pools.get(match.group(1), ()), int(match.group(2))
        if not pool:
            del settings["productIds"]
            if section["type"] == "product_grid":
                settings.update(source="RULE", sort="BEST_SELLING", limit=count)
            notes.append(f"{section['id']}: no products for it yet; it shows the shop's own picks until you choose")
            continue
        start = dealt[match.group(1)]
        settings["productIds"] = [pool[(start + i) % len(pool)] for i in range(min(count, len(pool)))]
        dealt[match.group(1)] = start + count
    return filled, notes

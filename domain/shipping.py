"""Shipping fees (运费模板). No I/O here.

A shop's template charges BY_PIECE or BY_WEIGHT (grams): the first `firstUnits` cost `firstFee`, then every further
`additionalUnits` started cost `additionalFee` (CRMEB's 首件/续件, 首重/续重). Zones give their own rate to sets of
provinces or cities (a city's zone beats its province's); the default rate covers the rest; some regions are not
delivered to at all. The lines on one template ship free once they reach its threshold: an amount (their subtotal,
before discounts) or a number of pieces, whichever is met first.

Several templates in one order: each template prices its own lines and the fees add up (as CRMEB does). A product
without a template ships free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain import regions
from domain.problem import Problem
from domain.text import text_problems

BY_PIECE = "BY_PIECE"
BY_WEIGHT = "BY_WEIGHT"
CHARGE_BY = (BY_PIECE, BY_WEIGHT)
NAME_MAX = 30
ZONES_MAX = 50
UNITS_MAX = {BY_PIECE: 999, BY_WEIGHT: 1_000_000}  # pieces; grams (a tonne)
FEE_MAX = 100_000  # 1,000 yuan
FREE_AMOUNT_MAX = 100_000_000
FREE_PIECES_MAX = 9_999


@dataclass(frozen=True)
class Rate:
    first_units: int
    first_fee: int
    additional_units: int
    additional_fee: int

    def fee(self, units: int) -> int:
        """The first fee for anything up to `first_units` (a 0 g parcel too), then each started extra step."""
        extra = max(0, units - self.first_units)
        steps = -(-extra // self.additional_units)
        return self.first_fee + steps * self.additional_fee


@dataclass(frozen=True)
class Template:
    charge_by: str
    default: Rate
    zones: tuple[tuple[frozenset[str], Rate], ...] = ()
    free_min_amount: int | None = None
    free_min_pieces: int | None = None
    undeliverable: frozenset[str] = frozenset()

    def rate_for(self, district_code: str) -> Rate | None:
        """The rate of the most specific zone holding the district (city, then province); None: not delivered."""
        if not district_code.isdigit() or len(district_code) not in (6, 9):
            return None
        # by the code's prefixes rather than the table, so an address made before a district was renamed or merged
        # away still finds its city and province
        codes = (district_code[:4] + "00", district_code[:2] + "0000")
        if any(c in self.undeliverable for c in codes):
            return None
        for code in codes:
            for zone_codes, rate in self.zones:
                if code in zone_codes:
                    return rate
        return self.default

    def is_free(self, pieces: int, amount: int) -> bool:
        return (self.free_min_amount is not None and amount >= self.free_min_amount) or (
            self.free_min_pieces is not None and pieces >= self.free_min_pieces
        )

    def fee(self, district_code: str, pieces: int, grams: int, amount: int) -> int | None:
        """The fee for lines of `pieces` pieces weighing `grams` and costing `amount` fen; None: not delivered."""
        rate = self.rate_for(district_code)
        if rate is None:
            return None
        if self.is_free(pieces, amount):
            return 0
        return rate.fee(pieces if self.charge_by == BY_PIECE else grams)


def rate_of(doc: Mapping[str, Any]) -> Rate:
    return Rate(doc["firstUnits"], doc["firstFee"], doc["additionalUnits"], doc["additionalFee"])


def template_of(doc: Mapping[str, Any]) -> Template:
    """A stored template as the fee rule reads it."""
    free = doc.get("freeShipping") or {}
    return Template(
        charge_by=doc["chargeBy"],
        default=rate_of(doc["defaultRate"]),
        zones=tuple((frozenset(z["regionCodes"]), rate_of(z["rate"])) for z in doc.get("zones", [])),
        free_min_amount=free.get("minAmount"),
        free_min_pieces=free.get("minQuantity"),
        undeliverable=frozenset(doc.get("undeliverableRegionCodes", [])),
    )


@dataclass(frozen=True)
class Parcel:
    """The lines of one order that ship on one template."""

    template_id: str | None  # None: products without a template (free)
    line_indexes: tuple[int, ...]
    pieces: int
    grams: int
    amount: int


@dataclass(frozen=True)
class Line:
    template_id: str | None
    quantity: int
    unit_grams: int
    unit_price: int


def parcels(lines: Sequence[Line]) -> list[Parcel]:
    """The lines grouped by template, in the order each template first appears."""
    groups: dict[str | None, list[int]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(line.template_id, []).append(i)
    return [
        Parcel(
            template_id=template_id,
            line_indexes=tuple(indexes),
            pieces=sum(lines[i].quantity for i in indexes),
            grams=sum(lines[i].quantity * lines[i].unit_grams for i in indexes),
            amount=sum(lines[i].quantity * lines[i].unit_price for i in indexes),
        )
        for template_id, indexes in groups.items()
    ]


# -- what a template may be ------------------------------------------------------------------------------------
def _rate_problems(field: str, rate: Mapping[str, Any], charge_by: str) -> list[Problem]:
    problems = []
    most = UNITS_MAX.get(charge_by, UNITS_MAX[BY_PIECE])
    unit = "grams" if charge_by == BY_WEIGHT else "pieces"
    for part in ("firstUnits", "additionalUnits"):
        if not 1 <= rate[part] <= most:
            problems.append(Problem(f"{field}.{part}", f"1 to {most} {unit}"))
    for part in ("firstFee", "additionalFee"):
        if not 0 <= rate[part] <= FEE_MAX:
            problems.append(Problem(f"{field}.{part}", f"A fee is 0 to {FEE_MAX} fen"))
    return problems


def _code_problems(field: str, codes: Sequence[str]) -> list[Problem]:
    """Province or city codes of the table (a district code is refused: zones are provinces and cities)."""
    problems = []
    for i, code in enumerate(codes):
        region = regions.REGIONS.get(code)
        if region is None or regions.level(region) == 3:
            problems.append(Problem(f"{field}.{i}", f"{code!r} is not a province or city code (GB/T 2260)"))
    return problems


def _overlaps(codes: Iterable[str], seen: set[str]) -> list[str]:
    return [c for c in codes if c in seen]


def template_problems(fields: Mapping[str, Any]) -> list[Problem]:
    """Every broken rule of a template's fields (the stored shape: name, chargeBy, defaultRate, zones,
    freeShipping, undeliverableRegionCodes)."""
    charge_by = fields["chargeBy"]
    problems = text_problems("name", fields["name"], "A template name", NAME_MAX)
    if charge_by not in CHARGE_BY:
        problems.append(Problem("chargeBy", f"One of {', '.join(CHARGE_BY)}"))
    problems += _rate_problems("defaultRate", fields["defaultRate"], charge_by)
    zones = fields["zones"]
    if len(zones) > ZONES_MAX:
        problems.append(Problem("zones", f"A template has at most {ZONES_MAX} zones"))
    seen: set[str] = set()
    for i, zone in enumerate(zones):
        codes = zone["regionCodes"]
        if not codes:
            problems.append(Problem(f"zones.{i}.regionCodes", "A zone names at least one province or city"))
        problems += _code_problems(f"zones.{i}.regionCodes", codes)
        if _overlaps(codes, seen) or len(set(codes)) != len(codes):
            problems.append(Problem(f"zones.{i}.regionCodes", "A region belongs to one zone only"))
        seen |= set(codes)
        problems += _rate_problems(f"zones.{i}.rate", zone["rate"], charge_by)
    undeliverable = fields["undeliverableRegionCodes"]
    problems += _code_problems("undeliverableRegionCodes", undeliverable)
    if _overlaps(undeliverable, seen):
        problems.append(Problem("undeliverableRegionCodes", "A region not delivered to is in no zone"))
    free = fields.get("freeShipping") or {}
    if free.get("minAmount") is not None and not 1 <= free["minAmount"] <= FREE_AMOUNT_MAX:
        problems.append(Problem("freeShipping.minAmount", f"1 to {FREE_AMOUNT_MAX} fen"))
    if free.get("minQuantity") is not None and not 1 <= free["minQuantity"] <= FREE_PIECES_MAX:
        problems.append(Problem("freeShipping.minQuantity", f"1 to {FREE_PIECES_MAX} pieces"))
    return problems

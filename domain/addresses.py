"""The address book's rules: what an address may be, how many a user keeps, and how a phone is shown in lists."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from domain import regions
from domain.problem import Problem
from domain.text import clean, text_problems

MAX_ADDRESSES = 20
RECIPIENT_MAX = 25
DETAIL_MAX = 120
# Mainland mobile numbers: 11 digits, 1 then 3-9 (MIIT's numbering plan: 13x-19x; 12x and 10x are not mobiles).
MOBILE = re.compile(r"1[3-9]\d{9}")
POSTCODE = re.compile(r"\d{6}")


def phone_problems(phone: str, field: str = "phone") -> list[Problem]:
    if not MOBILE.fullmatch(phone):
        return [Problem(field, "A mainland mobile number: 11 digits starting 13 to 19, e.g. 13812341234")]
    return []


def masked(phone: str) -> str:
    """138****1234: what a list shows of a phone."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


def normal_phone(text: str) -> str:
    """A phone as people type it (138 1234 1234, 138-1234-1234, +86 13812341234) in its 11 digits."""
    digits = "".join(ch for ch in text.strip() if ch not in " -")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def contact_problems(fields: Mapping[str, Any], prefix: str = "") -> list[Problem]:
    """Every broken rule of an address's recipient, phone, detail line and postcode."""
    problems = text_problems(f"{prefix}recipient", fields["recipient"], "A recipient's name", RECIPIENT_MAX)
    problems += phone_problems(fields["phone"], f"{prefix}phone")
    problems += text_problems(f"{prefix}detail", fields["detail"], "The detailed address", DETAIL_MAX)
    postcode = fields.get("postcode")
    if postcode is not None and not POSTCODE.fullmatch(postcode):
        problems.append(Problem(f"{prefix}postcode", "A postcode has 6 digits"))
    return problems


def address_problems(fields: Mapping[str, Any], prefix: str = "") -> list[Problem]:
    """Every broken rule of an address's fields: the contact's and the three region codes'."""
    region = regions.place_problems(fields["provinceCode"], fields["cityCode"], fields["districtCode"], prefix)
    return contact_problems(fields, prefix) + region


def address_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of valid fields: cleaned texts, and the region names from the table (never the client's)."""
    found = regions.place(fields["districtCode"])
    assert found is not None, "validated first"
    return {
        "recipient": clean(fields["recipient"], compat=True),
        "phone": fields["phone"],
        "provinceCode": found.province.code,
        "provinceName": found.province.name,
        "cityCode": found.city.code,
        "cityName": found.city_label,
        "districtCode": found.district.code,
        "districtName": found.district.name,
        "detail": clean(fields["detail"]),
        "postcode": fields.get("postcode") or None,
    }


SNAPSHOT_FIELDS = (
    "recipient",
    "phone",
    "provinceCode",
    "provinceName",
    "cityCode",
    "cityName",
    "districtCode",
    "districtName",
    "detail",
    "postcode",
)


def snapshot(address: Mapping[str, Any]) -> dict[str, Any]:
    """What an order keeps of an address at checkout (a later edit of the address does not change it)."""
    return {k: address.get(k) for k in SNAPSHOT_FIELDS}

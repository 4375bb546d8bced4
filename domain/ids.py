"""Opaque global ids: base64url of "Type:id", as Relay clients expect."""

from __future__ import annotations

import base64
import binascii


class BadGlobalId(ValueError):
    pass


def to_global_id(type_name: str, raw_id: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{raw_id}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, str]:
    """(type name, raw id); BadGlobalId when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadGlobalId(global_id) from exc
    type_name, sep, raw = text.partition(":")
    if not sep or not type_name.isalpha() or not raw:
        raise BadGlobalId(global_id)
    return type_name, raw

"""The event stream's vocabulary: the facts the server records, the closed list a client may send and the
properties each carries. No I/O here.

An event is `{"_id", "name", "at", "userId", "clientId", "shopId", "props"}`; `at` is when it happened (ms),
which for a client event is the client's clock (at most a day ahead of ours, anything in the past: late events are
counted on their own day)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.profile import Problem

# -- server-side facts, written where the use case writes -------------------------------------------------------
ORDER_PLACED = "ORDER_PLACED"
ORDER_PAID = "ORDER_PAID"
ORDER_REFUNDED = "ORDER_REFUNDED"  # props: orderId, amount (fen given back now), orderPaidAt
AFTER_SALE_OPENED = "AFTER_SALE_OPENED"
WRITTEN_OFF = "WRITTEN_OFF"  # a pickup order's code verified at the pickup point
SHARE_CREATED = "SHARE_CREATED"
SHARE_OPENED = "SHARE_OPENED"
INVITE_SIGNED_UP = "INVITE_SIGNED_UP"
FOLLOWED = "FOLLOWED"
POSTED = "POSTED"
LIVE_JOINED = "LIVE_JOINED"
LIVE_LEFT = "LIVE_LEFT"
COUPON_CLAIMED = "COUPON_CLAIMED"
COUPON_USED = "COUPON_USED"

# -- client-side events (trackEvents) ----------------------------------------------------------------------------
PAGE_VIEW = "PAGE_VIEW"
PRODUCT_VIEW = "PRODUCT_VIEW"
ADD_TO_CART = "ADD_TO_CART"
SHARE_TAPPED = "SHARE_TAPPED"
SEARCH = "SEARCH"
CLIENT_NAMES = (PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, SHARE_TAPPED, SEARCH)

# Where an order or a visit came from. An order's channel is decided from what it records (resolvers/aggregates.py).
CHANNELS = ("FRIEND", "GROUP", "MOMENTS", "POSTER", "LIVE", "NOTE", "DISTRIBUTOR", "DIRECT")

SHARE_CHANNELS = ("FRIEND", "MOMENTS", "POSTER", "LIVE", "NOTE")  # what a sharer says a link is for
MAX_PER_CALL = 100
FUTURE_MS = 86_400_000  # a client clock may be ahead of ours by up to a day; beyond that the timestamp is wrong
TEXT_MAX = 200


@dataclass(frozen=True)
class Prop:
    kind: type  # str or int
    required: bool = False
    choices: tuple[str, ...] = ()
    low: int = 1
    high: int = 999


_PRODUCT = Prop(str, required=True)
_CHANNEL = Prop(str, choices=CHANNELS)
PROPS: Mapping[str, Mapping[str, Prop]] = {
    PAGE_VIEW: {"page": Prop(str, required=True), "referrer": Prop(str), "channel": _CHANNEL},
    PRODUCT_VIEW: {"productId": _PRODUCT, "channel": _CHANNEL},
    ADD_TO_CART: {"productId": _PRODUCT, "skuId": Prop(str), "quantity": Prop(int)},
    SHARE_TAPPED: {"productId": Prop(str), "channel": Prop(str, required=True, choices=CHANNELS)},
    SEARCH: {"query": Prop(str, required=True)},
}


def prop_problems(name: str, props: Any, field: str) -> list[Problem]:
    """What is wrong with a client event's properties: only the known ones of its name, each of its type."""
    spec = PROPS.get(name)
    if spec is None:
        return [Problem(f"{field}.name", f"{name} is not an event a client sends ({', '.join(CLIENT_NAMES)})")]
    if props is None:
        props = {}
    if not isinstance(props, dict):
        return [Problem(f"{field}.properties", "Properties are a JSON object")]
    problems = [
        Problem(f"{field}.properties.{k}", f"{name} has no property {k!r} ({', '.join(spec)})")
        for k in props
        if k not in spec
    ]
    for key, prop in spec.items():
        value = props.get(key)
        where = f"{field}.properties.{key}"
        if value is None:
            if prop.required:
                problems.append(Problem(where, f"{name} needs {key}"))
            continue
        if prop.kind is str:
            if not isinstance(value, str) or not value.strip() or len(value) > TEXT_MAX:
                problems.append(Problem(where, f"{key} is a text of 1 to {TEXT_MAX} characters"))
            elif prop.choices and value not in prop.choices:
                problems.append(Problem(where, f"{key} is one of {', '.join(prop.choices)}"))
        elif not isinstance(value, int) or isinstance(value, bool) or not prop.low <= value <= prop.high:
            problems.append(Problem(where, f"{key} is a whole number from {prop.low} to {prop.high}"))
    return problems


FIELDS = ("name", "at", "shopId", "id", "properties")


def parse(raw: Any, field: str) -> tuple[dict[str, Any], list[Problem]]:
    """A client's event as sent (a JSON object: name, at as ISO 8601 or ms, shopId, id, properties) as
    {name, at (ms or None: now), shop_id (as sent), id, properties}, and what is wrong with its shape."""
    if not isinstance(raw, dict):
        return {}, [Problem(field, "An event is a JSON object {name, at, shopId, id, properties}")]
    problems = [
        Problem(f"{field}.{k}", f"An event has no field {k!r} ({', '.join(FIELDS)})") for k in raw if k not in FIELDS
    ]
    name = raw.get("name")
    if not isinstance(name, str):
        problems.append(Problem(f"{field}.name", f"An event's name is one of {', '.join(CLIENT_NAMES)}"))
    at = raw.get("at")
    if isinstance(at, str):
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            moment = None
        if moment is None:
            problems.append(Problem(f"{field}.at", "A timestamp is ISO 8601 (2026-11-02T10:00:00+08:00) or ms"))
            at = None
        else:
            at = int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() * 1000)
    elif at is not None and (not isinstance(at, int) or isinstance(at, bool)):
        problems.append(Problem(f"{field}.at", "A timestamp is ISO 8601 (2026-11-02T10:00:00+08:00) or ms"))
        at = None
    for key in ("shopId", "id"):
        if raw.get(key) is not None and not (isinstance(raw[key], str) and 1 <= len(raw[key]) <= 64):
            problems.append(Problem(f"{field}.{key}", f"{key} is a text of 1 to 64 characters"))
    event = {
        "name": name,
        "at": at,
        "shop_id": raw.get("shopId"),
        "id": raw.get("id"),
        "properties": raw.get("properties"),
    }
    return event, problems


def batch_problems(count: int, signed_in: bool, client_id: str | None) -> list[Problem]:
    if count == 0:
        return [Problem("events", "Send at least one event")]
    if count > MAX_PER_CALL:
        return [Problem("events", f"At most {MAX_PER_CALL} events in one call (got {count})")]
    if not signed_in and not (client_id and 8 <= len(client_id) <= 64):
        return [Problem("clientId", "An anonymous client sends its client id (8 to 64 characters)")]
    if client_id is not None and not 8 <= len(client_id) <= 64:
        return [Problem("clientId", "A client id has 8 to 64 characters")]
    return []


def time_problems(at: int, now_ms: int, field: str) -> list[Problem]:
    if at > now_ms + FUTURE_MS:
        return [Problem(f"{field}.at", "This timestamp is more than a day in the future; check the device's clock")]
    if at <= 0:
        return [Problem(f"{field}.at", "A timestamp is milliseconds since 1970")]
    return []


def visitor(event: Mapping[str, Any]) -> str | None:
    """Who an event counts as: the signed-in user, else the anonymous client."""
    if event.get("userId"):
        return "u:" + str(event["userId"])
    if event.get("clientId"):
        return "c:" + str(event["clientId"])
    return None

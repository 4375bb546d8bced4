"""Who may act for a shop. No I/O here.

The owner may do everything. The owner invites staff, each with one or more roles; a merchant mutation declares the
roles that may call it (schema/mutations.py's `staff=`), and that declaration is checked in one place. Managing
staff is the owner's alone (a declaration of OWNER): an ADMIN may not grant ADMIN, or any role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domain.profile import Problem

OWNER = "OWNER"
ADMIN = "ADMIN"  # everything but managing staff: products, campaigns, coupons, settings, orders, after-sales
CUSTOMER_SERVICE = "CUSTOMER_SERVICE"  # orders and after-sales (answering buyers), not goods or shipping
WAREHOUSE = "WAREHOUSE"  # shipping, stock counts and returns received

ROLES = (ADMIN, CUSTOMER_SERVICE, WAREHOUSE)
INVITE_CODE_BYTES = 18  # 144 random bits: the code is the invite's only secret


def staff_id(shop_id: str, user_id: str) -> str:
    return f"{shop_id}:{user_id}"


def may(held: Iterable[str], allowed: Iterable[str]) -> bool:
    """The owner may do anything; ADMIN anything a staff member may (not what only the owner may); others what
    the mutation names."""
    held, allowed = set(held), set(allowed)
    if OWNER in held:
        return True
    if OWNER in allowed:
        return False
    return ADMIN in held or bool(held & allowed)


def who_may(allowed: Iterable[str]) -> str:
    """The refusal's words for a declaration."""
    allowed = set(allowed)
    if OWNER in allowed:
        return "Only the shop's owner may do this"
    names = ", ".join(sorted(allowed | {ADMIN}))
    return f"Only the shop's owner or staff with a role of {names} may do this"


def role_problems(roles: Sequence[str]) -> list[Problem]:
    """A staff member holds one to all of ROLES, each once (OWNER is not a role one is given)."""
    if not roles:
        return [Problem("roles", "Give at least one role")]
    if len(set(roles)) != len(roles):
        return [Problem("roles", "Each role appears once")]
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        return [Problem("roles", f"{unknown[0]} is not a staff role ({', '.join(ROLES)})")]
    return []


def invite_usable(invite: Mapping[str, Any], now_ms: int) -> str | None:
    """Why an invite cannot be accepted now (None: it can)."""
    if invite.get("acceptedBy") is not None:
        return "This invite has been used"
    if invite["expiresAt"] <= now_ms:
        return "This invite has expired; ask the shop's owner for a new one"
    return None

"""Who may act for a shop. No I/O here.

The owner may do everything. The owner invites staff, each with one or more roles; a merchant mutation declares the
roles that may call it (schema/mutations.py's `staff=`), and that declaration is checked in one place.
"""

from __future__ import annotations

from collections.abc import Iterable

OWNER = "OWNER"
ADMIN = "ADMIN"  # everything but managing staff: products, campaigns, coupons, settings, orders, after-sales
CUSTOMER_SERVICE = "CUSTOMER_SERVICE"  # orders and after-sales (answering buyers), not goods or shipping
WAREHOUSE = "WAREHOUSE"  # shipping and returns received

ROLES = (ADMIN, CUSTOMER_SERVICE, WAREHOUSE)


def staff_id(shop_id: str, user_id: str) -> str:
    return f"{shop_id}:{user_id}"


def may(held: Iterable[str], allowed: Iterable[str]) -> bool:
    """The owner may do anything; ADMIN anything a staff member may; others what the mutation names."""
    held = set(held)
    return OWNER in held or ADMIN in held or bool(held & set(allowed))

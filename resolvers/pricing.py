"""What the price pipeline (domain/pricing.py) is given, from the documents every path reads: SKUs and products,
the shop's running campaigns (one read for all shops), coupon documents and the buyer's points."""

from __future__ import annotations

from collections.abc import Sequence

from domain import pricing as rules
from resolvers import campaigns
from resolvers.services import Services
from store.protocol import Doc

ACTIVITY_OF_LINK = {"teamId": rules.GROUP_BUY, "bargainId": rules.BARGAIN}
ACTIVITY_LABEL = {rules.GROUP_BUY: "Group-buy price", rules.BARGAIN: "Bargain price", rules.SECKILL: "Seckill price"}


def line_in(sku: Doc, product: Doc | None, quantity: int, activity: rules.Activity | None = None) -> rules.LineIn:
    return rules.LineIn(
        sku_id=sku["_id"],
        product_id=sku["productId"],
        quantity=quantity,
        list_price=int(sku["price"]),
        category=(product or {}).get("category"),
        activity=activity,
    )


def activity(
    kind: str, unit_price: int, ref_id: str | None = None, stackable_with: Sequence[str] = ()
) -> rules.Activity:
    """The activity price of a group buy, a bargain or a seckill (`ref_id`: its campaign, if it has one, whose
    `stackableWith` it brings)."""
    return rules.Activity(kind, unit_price, ACTIVITY_LABEL.get(kind, kind), ref_id, frozenset(stackable_with))


def link_activity(links: dict[str, str] | None, unit_price: int) -> rules.Activity:
    """The activity of a group-buy or bargain order (links {"teamId": ...} or {"bargainId": ...})."""
    kind = next((k for link, k in ACTIVITY_OF_LINK.items() if (links or {}).get(link)), rules.GROUP_BUY)
    ref = next((v for link, v in (links or {}).items() if link in ACTIVITY_OF_LINK), None)
    return activity(kind, unit_price, ref)


def coupon_in(doc: Doc | None) -> rules.Coupon | None:
    if doc is None:
        return None
    kind = rules.SHOP_COUPON if doc.get("shopId") else rules.PLATFORM_COUPON
    return rules.Coupon(doc["_id"], kind, doc["title"], int(doc["discount"]), int(doc["minSpend"]))


async def running_campaigns(services: Services, shop_ids: Sequence[str]) -> dict[str, tuple[rules.Campaign, ...]]:
    found = await campaigns.running(services, shop_ids)
    return {
        shop_id: tuple(campaigns.for_pricing(d) for d in docs if d["kind"] in campaigns.KINDS)
        for shop_id, docs in found.items()
    }


def points(services: Services, requested: int, balance: int) -> rules.Points:
    s = services.settings
    return rules.Points(requested, balance, s.POINTS_PER_YUAN, s.POINTS_MAX_SHARE)


async def member_benefits(services: Services, user_id: str) -> tuple[int, bool]:
    """(member price percent, free shipping) of the buyer's member level (resolvers/membership.py)."""
    from resolvers.membership import benefits_for

    benefits = await benefits_for(services, user_id)
    return benefits.price_percent, benefits.free_shipping

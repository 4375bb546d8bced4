"""Checkout's pricing, shared by `checkoutPreview` and `checkout`: the buyer's cart lines per shop with their
subtotal, coupon discount, shipping charges and total, and what checkout would refuse, each on its input field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain import cart as cart_rules
from domain import checkout as rules
from domain.catalog import coupon_discount, coupon_refusal
from resolvers import addresses, cart, shipping
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from resolvers.shipping import ShippingQuote
from store.protocol import Doc


def line_field(index: int) -> list[str]:
    return ["input", "cartLineIds", str(index)]


def coupon_field(index: int) -> list[str]:
    return ["input", "couponIds", str(index)]


@dataclass
class ShopQuote:
    shop_id: str
    lines: list[rules.Line]
    shipping: ShippingQuote
    coupon: Doc | None = None
    coupon_index: int | None = None

    @property
    def subtotal(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def discount(self) -> int:
        return coupon_discount(self.coupon, self.subtotal) if self.coupon else 0

    @property
    def total(self) -> int:
        return self.subtotal - self.discount + self.shipping.fee


@dataclass
class Quote:
    """The selected lines priced per shop, and what checkout would refuse (each on its field)."""

    address: dict[str, Any]
    shops: list[ShopQuote]
    skus: dict[str, Doc]
    refusals: list[Refused] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(s.subtotal for s in self.shops)

    @property
    def discount(self) -> int:
        return sum(s.discount for s in self.shops)

    @property
    def shipping_fee(self) -> int:
        return sum(s.shipping.fee for s in self.shops)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.shops)


async def quote(
    services: Services,
    buyer_id: str,
    line_ids: Sequence[str],
    address_id: str,
    coupon_ids: Sequence[str],
    accept_price_changes: bool,
) -> Quote:
    """Price the buyer's cart lines `line_ids` to the address with the coupons (at most one per shop). Raises for
    input that cannot be priced at all (lines not in the cart, an address not the buyer's, an unknown coupon);
    what can be priced but not bought as it is (a changed price, too little stock, a coupon that does not apply,
    a region not delivered to) is priced without it and listed in `refusals`."""
    refuse_problems(cart_rules.id_list_problems(line_ids, "cartLineIds") + rules.coupon_id_problems(coupon_ids))
    store = services.store
    in_cart = {x["id"]: x for x in await cart.lines_of(services, buyer_id)}
    for i, line_id in enumerate(line_ids):
        if line_id not in in_cart:
            raise Refused("NOT_FOUND", "No such line in your cart", line_field(i))
    address = await addresses.snapshot(services, buyer_id, address_id)
    chosen = [in_cart[line_id] for line_id in line_ids]
    skus = await store.get_many("skus", [x["skuId"] for x in chosen])
    products = await store.get_many("products", list({s["productId"] for s in skus.values()}))
    coupons = await store.get_many("coupons", list(coupon_ids))
    claims = await store.get_many("coupon_claims", [f"{c}:{buyer_id}" for c in coupon_ids])
    refusals: list[Refused] = []
    priced: list[rules.Line] = []
    for i, line in enumerate(chosen):
        sku = skus.get(line["skuId"])
        refusal = rules.line_refusal(line, sku, products.get(sku["productId"]) if sku else None, accept_price_changes)
        if refusal is not None:
            refusals.append(Refused(refusal[0], refusal[1], line_field(i)))
        if sku is None or sku["productId"] not in products:
            continue  # gone: nothing to price
        priced.append(
            rules.Line(
                i,
                line["id"],
                sku["_id"],
                sku["productId"],
                sku["shopId"],
                line["quantity"],
                line["priceAtAdd"],
                sku["price"],
            )
        )
    groups = rules.by_shop(priced)
    refuse_problems(rules.shop_problems(groups))
    district = address["districtCode"]
    quotes = []
    for shop_id, lines in groups.items():
        wanted = [(x.sku_id, x.quantity) for x in lines]
        own = {x.product_id: products[x.product_id] for x in lines}
        fees = await shipping.fees(services, shop_id, wanted, district, skus=skus, products=own)
        for index in fees.undeliverable:
            refusals.append(Refused("NOT_DELIVERABLE", "Not delivered to this address", line_field(lines[index].index)))
        quotes.append(ShopQuote(shop_id, lines, fees))
    by_shop = {q.shop_id: q for q in quotes}
    now = services.now()
    for j, coupon_id in enumerate(coupon_ids):
        coupon = coupons.get(coupon_id)
        if coupon is None:
            raise Refused("NOT_FOUND", "No such coupon", coupon_field(j))
        target = by_shop.get(coupon.get("shopId") or "")
        if target is not None and target.coupon is not None:
            refusals.append(Refused("INVALID_INPUT", "One coupon per shop", coupon_field(j)))
            continue
        reason = _coupon_refusal(coupon, target, claims.get(f"{coupon_id}:{buyer_id}"), now)
        if reason is not None:
            refusals.append(Refused("COUPON_UNAVAILABLE", reason, coupon_field(j)))
        elif target is not None:
            target.coupon, target.coupon_index = coupon, j
    return Quote(address, quotes, skus, refusals)


def _coupon_refusal(coupon: Doc, shop: ShopQuote | None, claim: Doc | None, now: int) -> str | None:
    if shop is None:
        return "This coupon is of a shop none of these lines are from"
    if claim is None or claim["used"]:
        return "Claim this coupon first; each claim pays for one order"
    return coupon_refusal(coupon, shop.shop_id, shop.subtotal, now)


def shop_doc(shop: ShopQuote) -> Doc:
    """What a checkout keeps of one shop's pricing, to show it as it was."""
    return {
        "shopId": shop.shop_id,
        "lines": [
            {
                "lineId": x.line_id,
                "skuId": x.sku_id,
                "productId": x.product_id,
                "quantity": x.quantity,
                "unitPrice": x.unit_price,
                "priceAtAdd": x.price_at_add,
            }
            for x in shop.lines
        ],
        "subtotal": shop.subtotal,
        "couponId": shop.coupon["_id"] if shop.coupon else None,
        "discount": shop.discount,
        "shippingFee": shop.shipping.fee,
        "shipping": [
            {
                "templateName": p.template_name,
                "fee": p.fee,
                "freeShipping": p.free_shipping,
                "lineIndexes": list(p.line_indexes),
            }
            for p in shop.shipping.parts
        ],
        "total": shop.total,
    }

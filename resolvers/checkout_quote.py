"""Checkout's pricing, shared by `checkoutPreview` and `checkout`: the buyer's cart lines per shop with their
subtotal, coupon discount, shipping charges and total, and what checkout would refuse, each on its input field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain import cart as cart_rules
from domain import checkout as rules
from domain import pricing
from domain.allocation import split
from domain.catalog import coupon_refusal
from resolvers import addresses, cart, shipping
from resolvers import pricing as pricing_uc
from resolvers.errors import Refused, refuse_problems
from resolvers.services import Services
from resolvers.shipping import ShippingQuote
from store.protocol import Doc

POINTS_FIELD = ["input", "points"]


def line_field(index: int) -> list[str]:
    return ["input", "cartLineIds", str(index)]


def coupon_field(index: int) -> list[str]:
    return ["input", "couponIds", str(index)]


@dataclass
class ShopQuote:
    """One shop's lines priced by the pipeline (domain/pricing.py) with its campaigns, coupons and points."""

    shop_id: str
    lines: list[rules.Line]
    shipping: ShippingQuote
    products: dict[str, Doc] = field(default_factory=dict)
    campaigns: tuple[pricing.Campaign, ...] = ()
    coupon: Doc | None = None
    coupon_index: int | None = None
    platform_coupon: Doc | None = None
    platform_coupon_index: int | None = None
    points: int = 0
    member_price_percent: int = 100
    free_shipping: bool = False
    priced: pricing.Priced | None = None

    def price(self, points: pricing.Points | None = None) -> pricing.Priced:
        self.priced = pricing.price(
            pricing.PricingInput(
                lines=tuple(
                    pricing.LineIn(x.sku_id, x.product_id, x.quantity, x.unit_price, self._category(x))
                    for x in self.lines
                ),
                member_price_percent=self.member_price_percent,
                campaigns=self.campaigns,
                shop_coupon=pricing_uc.coupon_in(self.coupon),
                platform_coupon=pricing_uc.coupon_in(self.platform_coupon),
                points=points,
                shipping_fee=self.shipping.fee,
                free_shipping=self.free_shipping,
            )
        )
        return self.priced

    def _category(self, line: rules.Line) -> str | None:
        return (self.products.get(line.product_id) or {}).get("category")

    @property
    def result(self) -> pricing.Priced:
        return self.priced if self.priced is not None else self.price()

    @property
    def subtotal(self) -> int:
        return self.result.subtotal

    @property
    def discount(self) -> int:
        return self.result.discount

    @property
    def shipping_fee(self) -> int:
        return self.result.shipping_fee

    @property
    def total(self) -> int:
        return self.result.total


@dataclass
class Quote:
    """The selected lines priced per shop, and what checkout would refuse (each on its field)."""

    address: dict[str, Any]
    shops: list[ShopQuote]
    skus: dict[str, Doc]
    refusals: list[Refused] = field(default_factory=list)
    products: dict[str, Doc] = field(default_factory=dict)

    @property
    def subtotal(self) -> int:
        return sum(s.subtotal for s in self.shops)

    @property
    def discount(self) -> int:
        return sum(s.discount for s in self.shops)

    @property
    def shipping_fee(self) -> int:
        return sum(s.shipping_fee for s in self.shops)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.shops)

    @property
    def adjustments(self) -> list[dict[str, Any]]:
        return [a for s in self.shops for a in s.result.adjustment_docs()]


async def quote(
    services: Services,
    buyer_id: str,
    line_ids: Sequence[str],
    address_id: str,
    coupon_ids: Sequence[str],
    accept_price_changes: bool,
    points: int | None = None,
) -> Quote:
    """Price the buyer's cart lines `line_ids` to the address with the coupons (per shop order at most one of its
    shop and one platform coupon, which goes to the first shop order it applies to) and, in a preview, `points`.
    Raises for input that cannot be priced at all (lines not in the cart, an address not the buyer's, an unknown
    coupon); what can be priced but not bought as it is (a changed price, too little stock, a coupon that does not
    apply or does not combine, a region not delivered to, points above the balance or the share) is priced without
    it and listed in `refusals`."""
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
    running = await pricing_uc.running_campaigns(services, list(groups))
    percent, free = await pricing_uc.member_benefits(services, buyer_id)
    quotes = []
    for shop_id, lines in groups.items():
        wanted = [(x.sku_id, x.quantity) for x in lines]
        own = {x.product_id: products[x.product_id] for x in lines}
        fees = await shipping.fees(services, shop_id, wanted, district, skus=skus, products=own)
        for index in fees.undeliverable:
            refusals.append(Refused("NOT_DELIVERABLE", "Not delivered to this address", line_field(lines[index].index)))
        quotes.append(
            ShopQuote(
                shop_id,
                lines,
                fees,
                products=own,
                campaigns=running.get(shop_id, ()),
                member_price_percent=percent,
                free_shipping=free,
            )
        )
    _assign_coupons(quotes, coupon_ids, coupons, claims, buyer_id, services.now(), refusals)
    for q in quotes:
        for dropped in q.price().refusals:
            _drop_coupon(q, dropped, refusals)
    if points:
        await _spread_points(services, buyer_id, quotes, points, refusals)
    return Quote(address, quotes, skus, refusals, products)


def _assign_coupons(
    quotes: list[ShopQuote],
    coupon_ids: Sequence[str],
    coupons: dict[str, Doc],
    claims: dict[str, Doc],
    buyer_id: str,
    now: int,
    refusals: list[Refused],
) -> None:
    """Each shop coupon to its shop's order; each platform coupon to the first shop order without one whose
    subtotal reaches its minimum spend (else the first without one, where the pipeline says why it does not apply)."""
    by_shop = {q.shop_id: q for q in quotes}
    for j, coupon_id in enumerate(coupon_ids):
        coupon = coupons.get(coupon_id)
        if coupon is None:
            raise Refused("NOT_FOUND", "No such coupon", coupon_field(j))
        platform = coupon.get("shopId") is None
        target: ShopQuote | None
        if platform:
            free = [q for q in quotes if q.platform_coupon is None]
            target = next((q for q in free if q.result.subtotal >= coupon["minSpend"]), free[0] if free else None)
            if target is None and quotes:
                refusals.append(Refused("INVALID_INPUT", "One platform coupon per shop order", coupon_field(j)))
                continue
        else:
            target = by_shop.get(coupon["shopId"])
            if target is not None and target.coupon is not None:
                refusals.append(Refused("INVALID_INPUT", "One coupon per shop", coupon_field(j)))
                continue
        reason = _coupon_refusal(coupon, target, claims.get(f"{coupon_id}:{buyer_id}"), now)
        if reason is not None:
            refusals.append(Refused("COUPON_UNAVAILABLE", reason, coupon_field(j)))
        elif target is not None and platform:
            target.platform_coupon, target.platform_coupon_index = coupon, j
        elif target is not None:
            target.coupon, target.coupon_index = coupon, j


def _drop_coupon(q: ShopQuote, refusal: pricing.Refusal, refusals: list[Refused]) -> None:
    """A coupon the pipeline did not apply (its minimum spend, a campaign it does not combine with): refused on its
    input entry, and the shop's order priced without it (the pipeline already left it out)."""
    if refusal.target == pricing.ON_SHOP_COUPON and q.coupon_index is not None:
        refusals.append(Refused(refusal.code, refusal.message, coupon_field(q.coupon_index)))
        q.coupon, q.coupon_index = None, None
    elif refusal.target == pricing.ON_PLATFORM_COUPON and q.platform_coupon_index is not None:
        refusals.append(Refused(refusal.code, refusal.message, coupon_field(q.platform_coupon_index)))
        q.platform_coupon, q.platform_coupon_index = None, None


async def _spread_points(
    services: Services, buyer_id: str, quotes: list[ShopQuote], requested: int, refusals: list[Refused]
) -> None:
    """`requested` points over the shop orders, each up to its share, in proportion to what each may take; refused
    (and left out) above the buyer's balance or the checkout's allowed share."""
    s = services.settings
    user = await services.store.get("users", buyer_id) or {}
    balance = int(user.get("points") or 0)
    amounts = [q.result.subtotal - q.result.discount for q in quotes]
    caps = [pricing.points_cap(a, s.POINTS_PER_YUAN, s.POINTS_MAX_SHARE) for a in amounts]
    fen, problem = pricing.points_fen(requested, balance, sum(amounts), s.POINTS_PER_YUAN, 1.0)
    if problem is None and requested > sum(caps):
        share = int(s.POINTS_MAX_SHARE * 100)
        problem = ("INVALID_INPUT", f"Points pay at most {share}% of an order: {sum(caps)} points here")
    if problem is not None:
        refusals.append(Refused(problem[0], problem[1], POINTS_FIELD))
        return
    per_fen = s.POINTS_PER_YUAN // 100
    for q, part in zip(quotes, split(fen, [c // per_fen for c in caps]), strict=True):
        q.points = part * per_fen
        if q.points:
            q.price(pricing_uc.points(services, q.points, q.points))


def _coupon_refusal(coupon: Doc, shop: ShopQuote | None, claim: Doc | None, now: int) -> str | None:
    if shop is None:
        return "This coupon is of a shop none of these lines are from"
    if claim is None or claim["used"]:
        return "Claim this coupon first; each claim pays for one order"
    return coupon_refusal(coupon, shop.shop_id, now)


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
                "unitPrice": out.unit_price,
                "listPrice": x.unit_price,
                "discount": out.discount,
                "priceAtAdd": x.price_at_add,
            }
            for x, out in zip(shop.lines, shop.result.lines, strict=True)
        ],
        "subtotal": shop.subtotal,
        "couponId": shop.coupon["_id"] if shop.coupon else None,
        "platformCouponId": shop.platform_coupon["_id"] if shop.platform_coupon else None,
        "discount": shop.discount,
        "shippingFee": shop.shipping_fee,
        "pointsUsed": shop.result.points_used,
        "adjustments": shop.result.adjustment_docs(),
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

"""One price calculation for every path (cart, checkout preview, checkout, placeOrder, teams, bargains, seckill).
No I/O: the caller reads the SKUs, campaigns, coupons and balances, this says what one shop order costs and why.

The steps, in this order, each writing a PriceAdjustment line (`amount` is the signed change to the total in fen):

1. SKU price (the list price; not a line).
2. MEMBER_PRICE: `member_price_percent` of each unit's price (rounded down to the fen, never below 1 fen).
3. The one activity price a line has (SECKILL, GROUP_BUY, BARGAIN: given with the line by its path; TIME_DISCOUNT:
   the best running time-limited discount whose scope holds the product). It replaces the member price when lower
   (it never stacks on it), so a unit never costs more than it would without it.
4. Shop campaigns FULL_REDUCTION (满减, tiers of threshold -> fen off) and FULL_DISCOUNT (满折, threshold -> % off)
   on the lines in their scope; the best first, then any other that combines with those applied.
5. Coupons: the shop's first, then the platform's (operators', usable at any shop); each needs its min spend of
   the lines it may count and leaves at least 1 fen of the order to pay.
6. POINTS: up to `points_max_share` of what is left, at `points_per_yuan` points for 1 yuan.
7. SHIPPING: the fee (0 with free shipping).

Steps 2-3 change unit prices (the order line's `unitPrice`); steps 4-6 are discounts, each allocated to the lines
it counted, in proportion to what they cost at that point, to the fen (domain/allocation.split), so each line
knows its `discount` (refunds use it). Which kinds combine is data: each campaign's `stackable_with`. Two steps
combine when either of them declares the other's kind (group buys, bargains and coupons declare nothing, so the
campaign's declaration decides): a line at an activity price counts toward a shop campaign or a coupon only when one
of the two allows the other, and a coupon the applied shop campaigns do not combine with is refused. Member prices,
points and shipping combine with everything.

The result: `total = list_subtotal + sum(adjustment amounts)`; never negative, never above the list subtotal plus
shipping, and the same inputs always give the same lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.allocation import split
from domain.profile import Problem

MEMBER_PRICE = "MEMBER_PRICE"
SECKILL = "SECKILL"
GROUP_BUY = "GROUP_BUY"
BARGAIN = "BARGAIN"
TIME_DISCOUNT = "TIME_DISCOUNT"
FULL_REDUCTION = "FULL_REDUCTION"
FULL_DISCOUNT = "FULL_DISCOUNT"
SHOP_COUPON = "SHOP_COUPON"
PLATFORM_COUPON = "PLATFORM_COUPON"
POINTS = "POINTS"
SHIPPING = "SHIPPING"
ADJUSTMENT_KINDS = (
    MEMBER_PRICE,
    SECKILL,
    GROUP_BUY,
    BARGAIN,
    TIME_DISCOUNT,
    FULL_REDUCTION,
    FULL_DISCOUNT,
    SHOP_COUPON,
    PLATFORM_COUPON,
    POINTS,
    SHIPPING,
)
ACTIVITY_KINDS = (SECKILL, GROUP_BUY, BARGAIN, TIME_DISCOUNT)
SHOP_CAMPAIGN_KINDS = (FULL_REDUCTION, FULL_DISCOUNT)
# What a campaign's stackable list may name: the kinds that are a campaign, an activity or a coupon.
STACKABLE_KINDS = (
    SECKILL,
    GROUP_BUY,
    BARGAIN,
    TIME_DISCOUNT,
    FULL_REDUCTION,
    FULL_DISCOUNT,
    SHOP_COUPON,
    PLATFORM_COUPON,
)
# Safe defaults: a campaign combines with coupons, and with no activity price or other campaign.
DEFAULT_STACKABLE = (SHOP_COUPON, PLATFORM_COUPON)

POINTS_PER_YUAN = 100
POINTS_MAX_SHARE = 0.5

# refusal targets (the caller puts them on its input fields)
ON_SHOP_COUPON = "shopCoupon"
ON_PLATFORM_COUPON = "platformCoupon"
ON_POINTS = "points"


@dataclass(frozen=True)
class Activity:
    """The activity price a path gives a line (seckill, a group-buy tier, a bargain): `unit_price` per unit."""

    kind: str
    unit_price: int
    label: str
    campaign_id: str | None = None
    stackable_with: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LineIn:
    sku_id: str
    product_id: str
    quantity: int
    list_price: int
    category: str | None = None
    activity: Activity | None = None


@dataclass(frozen=True)
class Tier:
    threshold: int  # fen the lines in scope reach
    value: int  # FULL_REDUCTION: fen off; FULL_DISCOUNT: percent off


@dataclass(frozen=True)
class Scope:
    kind: str = "ALL"  # ALL | CATEGORIES | PRODUCTS
    ids: frozenset[str] = frozenset()

    def holds(self, line: LineIn) -> bool:
        if self.kind == "ALL":
            return True
        if self.kind == "CATEGORIES":
            return line.category is not None and line.category in self.ids
        return line.product_id in self.ids


@dataclass(frozen=True)
class Campaign:
    """A running shop campaign (FULL_REDUCTION, FULL_DISCOUNT or TIME_DISCOUNT)."""

    id: str
    kind: str
    name: str
    scope: Scope = Scope()
    stackable_with: frozenset[str] = frozenset(DEFAULT_STACKABLE)
    tiers: tuple[Tier, ...] = ()
    percent_off: int = 0  # TIME_DISCOUNT


@dataclass(frozen=True)
class Coupon:
    id: str
    kind: str  # SHOP_COUPON | PLATFORM_COUPON
    label: str
    discount: int
    min_spend: int


@dataclass(frozen=True)
class Points:
    requested: int
    balance: int
    per_yuan: int = POINTS_PER_YUAN
    max_share: float = POINTS_MAX_SHARE


@dataclass(frozen=True)
class PricingInput:
    lines: tuple[LineIn, ...]
    member_price_percent: int = 100
    campaigns: tuple[Campaign, ...] = ()
    shop_coupon: Coupon | None = None
    platform_coupon: Coupon | None = None
    points: Points | None = None
    shipping_fee: int = 0
    free_shipping: bool = False


@dataclass(frozen=True)
class Adjustment:
    kind: str
    label: str
    amount: int
    campaign_id: str | None = None

    def doc(self) -> dict[str, object]:
        return {"kind": self.kind, "label": self.label, "amount": self.amount, "campaignId": self.campaign_id}


@dataclass(frozen=True)
class LineOut:
    line: LineIn
    unit_price: int  # after the member and activity price
    discount: int  # this line's share of the shop campaigns, coupons and points
    activity_kind: str | None = None

    @property
    def amount(self) -> int:
        return self.unit_price * self.line.quantity


@dataclass(frozen=True)
class Refusal:
    target: str  # ON_SHOP_COUPON | ON_PLATFORM_COUPON | ON_POINTS
    code: str
    message: str


@dataclass(frozen=True)
class Priced:
    lines: tuple[LineOut, ...]
    adjustments: tuple[Adjustment, ...]
    list_subtotal: int
    shipping_fee: int
    points_used: int
    shop_coupon: Coupon | None
    platform_coupon: Coupon | None
    refusals: tuple[Refusal, ...] = ()

    @property
    def subtotal(self) -> int:
        """What the lines cost at their unit prices (after member and activity prices)."""
        return sum(x.amount for x in self.lines)

    @property
    def discount(self) -> int:
        """Shop campaigns, coupons and points together."""
        return sum(x.discount for x in self.lines)

    @property
    def total(self) -> int:
        return self.subtotal - self.discount + self.shipping_fee

    def adjustment_docs(self) -> list[dict[str, object]]:
        return [a.doc() for a in self.adjustments]


def combines(a_kind: str, a_allows: frozenset[str], b_kind: str, b_allows: frozenset[str]) -> bool:
    """Whether two steps combine: either declares the other's kind."""
    return b_kind in a_allows or a_kind in b_allows


def _member_unit(price: int, percent: int) -> int:
    return price if percent >= 100 else max(1, min(price, price * max(percent, 0) // 100))


def _time_discount(line: LineIn, campaigns: Sequence[Campaign]) -> tuple[Campaign, int] | None:
    """The running time-limited discount giving this line its lowest unit price (the earlier campaign on a tie)."""
    best: tuple[Campaign, int] | None = None
    for c in campaigns:
        if c.kind == TIME_DISCOUNT and c.scope.holds(line) and 0 < c.percent_off < 100:
            unit = max(1, line.list_price * (100 - c.percent_off) // 100)
            if best is None or unit < best[1]:
                best = (c, unit)
    return best


def _tier_discount(campaign: Campaign, base: int) -> int:
    reached = [t for t in campaign.tiers if base >= t.threshold]
    if not reached or base <= 0:
        return 0
    tier = max(reached, key=lambda t: t.threshold)
    off = tier.value if campaign.kind == FULL_REDUCTION else base * tier.value // 100
    return max(0, min(off, base))


@dataclass
class _Work:
    """The mutable state the steps pass on: each line's amount left and what was allocated to it."""

    amounts: list[int]
    discounts: list[int]
    adjustments: list[Adjustment] = field(default_factory=list)

    def take(self, eligible: Sequence[int], amount: int) -> None:
        parts = split(amount, [self.amounts[i] for i in eligible])
        for i, part in zip(eligible, parts, strict=True):
            self.amounts[i] -= part
            self.discounts[i] += part


def price(order: PricingInput) -> Priced:
    """Price one shop order; see the module's docstring for the steps and how they combine."""
    lines = order.lines
    # steps 2-3: unit prices
    units: list[int] = []
    activities: list[tuple[str, str, str | None, frozenset[str]] | None] = []  # kind, label, campaign id, allows
    member_off = 0
    activity_off: dict[tuple[str, str | None, str], int] = {}
    for line in lines:
        member = _member_unit(line.list_price, order.member_price_percent)
        member_off += (member - line.list_price) * line.quantity
        unit, chosen = member, None
        if line.activity is not None:
            a = line.activity
            if a.unit_price < member:
                unit, chosen = max(a.unit_price, 0), (a.kind, a.label, a.campaign_id, a.stackable_with)
        else:
            timed = _time_discount(line, order.campaigns)
            if timed is not None and timed[1] < member:
                c = timed[0]
                unit, chosen = timed[1], (c.kind, f"Time discount: {c.name}", c.id, c.stackable_with)
        if chosen is not None:
            key = (chosen[0], chosen[2], chosen[1])
            activity_off[key] = activity_off.get(key, 0) + (unit - member) * line.quantity
        units.append(unit)
        activities.append(chosen)
    work = _Work([u * x.quantity for u, x in zip(units, lines, strict=True)], [0] * len(lines))
    if member_off:
        work.adjustments.append(Adjustment(MEMBER_PRICE, f"Member price ({order.member_price_percent}%)", member_off))
    for (kind, campaign_id, label), off in activity_off.items():
        if off:
            work.adjustments.append(Adjustment(kind, label, off, campaign_id))

    def counts(i: int, kind: str, allows: frozenset[str]) -> bool:
        chosen = activities[i]
        return chosen is None or combines(chosen[0], chosen[3], kind, allows)

    # step 4: shop campaigns, the best first
    applied: list[Campaign] = []
    shop_campaigns = [c for c in order.campaigns if c.kind in SHOP_CAMPAIGN_KINDS]

    def eligible_for(c: Campaign) -> list[int]:
        return [i for i, x in enumerate(lines) if c.scope.holds(x) and counts(i, c.kind, c.stackable_with)]

    ranked = sorted(
        shop_campaigns,
        key=lambda c: (-_tier_discount(c, sum(work.amounts[i] for i in eligible_for(c))), c.id),
    )
    for c in ranked:
        if not all(combines(c.kind, c.stackable_with, d.kind, d.stackable_with) for d in applied):
            continue
        eligible = eligible_for(c)
        off = _tier_discount(c, sum(work.amounts[i] for i in eligible))
        if off <= 0:
            continue
        work.take(eligible, off)
        work.adjustments.append(Adjustment(c.kind, c.name, -off, c.id))
        applied.append(c)
    # step 5: coupons, the shop's first
    refusals: list[Refusal] = []
    used: dict[str, Coupon | None] = {SHOP_COUPON: None, PLATFORM_COUPON: None}
    for coupon, target in ((order.shop_coupon, ON_SHOP_COUPON), (order.platform_coupon, ON_PLATFORM_COUPON)):
        if coupon is None:
            continue
        against = next((c for c in applied if not combines(c.kind, c.stackable_with, coupon.kind, frozenset())), None)
        if against is not None:
            refusals.append(Refusal(target, "COUPON_UNAVAILABLE", f"This coupon does not combine with {against.name}"))
            continue
        eligible = [i for i in range(len(lines)) if counts(i, coupon.kind, frozenset())]
        base = sum(work.amounts[i] for i in eligible)
        if base < coupon.min_spend or not eligible:
            refusals.append(
                Refusal(
                    target, "COUPON_UNAVAILABLE", f"This coupon needs a subtotal of at least {coupon.min_spend} fen"
                )
            )
            continue
        left = sum(work.amounts)
        off = max(0, min(coupon.discount, base, left - 1))
        work.take(eligible, off)
        work.adjustments.append(Adjustment(coupon.kind, coupon.label, -off, coupon.id))
        used[coupon.kind] = coupon
    # step 6: points
    points_used = 0
    if order.points is not None and order.points.requested > 0:
        p = order.points
        fen, problem = points_fen(p.requested, p.balance, sum(work.amounts), p.per_yuan, p.max_share)
        if problem is not None:
            refusals.append(Refusal(ON_POINTS, problem[0], problem[1]))
        elif fen > 0:
            work.take(list(range(len(lines))), fen)
            work.adjustments.append(Adjustment(POINTS, f"{p.requested} points", -fen))
            points_used = p.requested
    # step 7: shipping
    fee = 0 if order.free_shipping else max(order.shipping_fee, 0)
    if order.free_shipping and order.shipping_fee > 0:
        work.adjustments.append(Adjustment(SHIPPING, "Free shipping (member)", 0))
    elif fee:
        work.adjustments.append(Adjustment(SHIPPING, "Shipping", fee))
    out = tuple(
        LineOut(x, units[i], work.discounts[i], activities[i][0] if activities[i] else None)  # type: ignore[index]
        for i, x in enumerate(lines)
    )
    return Priced(
        out,
        tuple(work.adjustments),
        sum(x.list_price * x.quantity for x in lines),
        fee,
        points_used,
        used[SHOP_COUPON],
        used[PLATFORM_COUPON],
        tuple(refusals),
    )


def points_cap(amount: int, per_yuan: int = POINTS_PER_YUAN, max_share: float = POINTS_MAX_SHARE) -> int:
    """The most points an order of `amount` fen (before points) may use."""
    return int(amount * max_share) * per_yuan // 100


def points_fen(
    requested: int, balance: int, amount: int, per_yuan: int = POINTS_PER_YUAN, max_share: float = POINTS_MAX_SHARE
) -> tuple[int, tuple[str, str] | None]:
    """What `requested` points take off an order of `amount` fen, or why they may not: more than the balance
    (INSUFFICIENT_POINTS), more than the share of the order points may pay, or not whole fen (INVALID_INPUT)."""
    if requested < 0:
        return 0, ("INVALID_INPUT", "Points are not negative")
    if requested > balance:
        return 0, ("INSUFFICIENT_POINTS", f"You have {balance} points")
    if requested * 100 % per_yuan:
        return 0, ("INVALID_INPUT", f"Points go by {per_yuan // 100 or 1} ({per_yuan} make 1 yuan)")
    if requested > points_cap(amount, per_yuan, max_share):
        most = points_cap(amount, per_yuan, max_share)
        return 0, ("INVALID_INPUT", f"Points pay at most {int(max_share * 100)}% of an order: {most} points here")
    return requested * 100 // per_yuan, None


# ---- campaign rules (what a merchant may declare)

SCOPE_KINDS = ("ALL", "CATEGORIES", "PRODUCTS")
CAMPAIGN_KINDS = (FULL_REDUCTION, FULL_DISCOUNT, TIME_DISCOUNT)
NAME_MAX = 40
MAX_TIERS = 5
MAX_SCOPE_IDS = 200
MAX_DAYS = 90
DAY_MS = 86_400_000


def campaign_problems(
    kind: str,
    name: str,
    starts_at: int,
    ends_at: int,
    scope_kind: str,
    scope_ids: Sequence[str],
    stackable_with: Sequence[str],
    tiers: Sequence[Tier],
    percent_off: int | None,
    now: int,
) -> list[Problem]:
    """What is wrong with a campaign as declared (fields are the input's)."""
    problems: list[Problem] = []
    if not 1 <= len(name.strip()) <= NAME_MAX:
        problems.append(Problem("name", f"A campaign name has 1 to {NAME_MAX} characters"))
    if ends_at <= starts_at:
        problems.append(Problem("endsAt", "A campaign ends after it starts"))
    elif ends_at - starts_at > MAX_DAYS * DAY_MS:
        problems.append(Problem("endsAt", f"A campaign runs at most {MAX_DAYS} days"))
    if ends_at <= now:
        problems.append(Problem("endsAt", "A campaign ends in the future"))
    if scope_kind not in SCOPE_KINDS:
        problems.append(Problem("scope.kind", f"A scope is one of {', '.join(SCOPE_KINDS)}"))
    elif scope_kind == "ALL" and scope_ids:
        problems.append(Problem("scope.ids", "A scope of ALL names no ids"))
    elif scope_kind != "ALL" and not 1 <= len(scope_ids) <= MAX_SCOPE_IDS:
        problems.append(Problem("scope.ids", f"Name 1 to {MAX_SCOPE_IDS} ids"))
    for i, k in enumerate(stackable_with):
        if k not in STACKABLE_KINDS:
            problems.append(Problem(f"stackableWith.{i}", f"Unknown kind {k!r}; one of {', '.join(STACKABLE_KINDS)}"))
        elif k in stackable_with[:i]:
            problems.append(Problem(f"stackableWith.{i}", "Each kind appears once"))
    if kind == TIME_DISCOUNT:
        if tiers:
            problems.append(Problem("tiers", "A time-limited discount has a percentOff, not tiers"))
        if percent_off is None or not 1 <= percent_off <= 99:
            problems.append(Problem("percentOff", "A time-limited discount takes 1 to 99 percent off"))
    else:
        if percent_off is not None:
            problems.append(Problem("percentOff", "Full-reduction and full-discount campaigns have tiers"))
        problems += tier_problems(kind, tiers)
    return problems


def tier_problems(kind: str, tiers: Sequence[Tier]) -> list[Problem]:
    """1 to MAX_TIERS tiers whose thresholds and benefits both increase; a reduction below its threshold, a
    discount of 1 to 99 percent."""
    if not 1 <= len(tiers) <= MAX_TIERS:
        return [Problem("tiers", f"Give 1 to {MAX_TIERS} tiers")]
    problems = []
    for i, t in enumerate(tiers):
        if t.threshold <= 0:
            problems.append(Problem(f"tiers.{i}.threshold", "A threshold is above 0"))
        if kind == FULL_REDUCTION and not 0 < t.value < t.threshold:
            problems.append(Problem(f"tiers.{i}.value", "A reduction is above 0 and below its threshold"))
        if kind == FULL_DISCOUNT and not 1 <= t.value <= 99:
            problems.append(Problem(f"tiers.{i}.value", "A discount is 1 to 99 percent off"))
        if i and (t.threshold <= tiers[i - 1].threshold or t.value <= tiers[i - 1].value):
            problems.append(Problem(f"tiers.{i}", "Tiers increase: each threshold and benefit above the one before"))
    return problems


def status(starts_at: int, ends_at: int, cancelled_at: int | None, now: int) -> str:
    """UPCOMING before it starts, RUNNING until it ends (or is cancelled), ENDED after."""
    end = min(ends_at, cancelled_at) if cancelled_at is not None else ends_at
    if now >= end:
        return "ENDED"
    return "UPCOMING" if now < starts_at else "RUNNING"

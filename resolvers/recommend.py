"""recommendedProducts, Product.similar and hotProducts.

Candidates come from the graph (what friends and followees bought, what the buyers of the viewer's purchases
also bought) and from sales as the cold-start fallback; domain/recommend.py scores them and writes the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import recommend as rules
from domain import visibility
from domain.search import terms
from domain.visibility import Viewer
from resolvers import rankings
from resolvers.services import Services
from store.protocol import Doc

FRIENDS_LIMIT = 500
FOLLOWEES_LIMIT = 2_000
CANDIDATES = 300
POPULAR = 100
BUYER_SAMPLE = 30
NICHE_PRODUCTS = 5
INFLUENTIAL = 10
SAME_CATEGORY = 200


@dataclass
class Recommendation:
    product: Doc
    score: float
    reasons: list[str]


async def popular(services: Services, limit: int) -> list[Doc]:
    page = await services.store.find("products", sort="salesCount", direction=-1, limit=limit)
    return page.docs


async def recommended(services: Services, viewer_id: str | None, first: int) -> list[Recommendation]:
    store = services.store
    graph = services.backends.graph
    signals: dict[str, rules.Signals] = {}
    bought: set[str] = set()
    if viewer_id is not None:
        friends = await graph.neighbors("FRIEND", viewer_id, limit=FRIENDS_LIMIT)
        friend_set = set(friends)
        followees = [
            u for u in await graph.neighbors("FOLLOWS", viewer_id, limit=FOLLOWEES_LIMIT) if u not in friend_set
        ]
        people = await store.get_many("users", [*friends, *followees])

        def shown(users: list[str]) -> list[str]:  # only people whose privacy allows social proof
            return [u for u in users if u in people and visibility.purchase_shown(people[u], Viewer(viewer_id))]

        bought = set(await graph.neighbors("BOUGHT", viewer_id, limit=1_000))
        for product_id, count in await graph.neighbor_counts("BOUGHT", shown(friends), limit=CANDIDATES):
            s = signals.setdefault(product_id, rules.Signals())
            s.friends, s.friend_count = float(count), count
        for product_id, count in await graph.neighbor_counts("BOUGHT", shown(followees), limit=CANDIDATES):
            s = signals.setdefault(product_id, rules.Signals())
            s.followees, s.followee_count = float(count), count
        for product_id, count in await graph.neighbor_counts("ENGAGED", shown(friends), limit=CANDIDATES):
            signals.setdefault(product_id, rules.Signals()).friend_likes = count
        for product_id, count in await graph.neighbor_counts("ENGAGED", shown(followees), limit=CANDIDATES):
            s = signals.setdefault(product_id, rules.Signals())
            s.followees += 0.5 * count
            s.followee_count += count
        # influence: what the most influential of these people bought weighs more
        by_influence = sorted(shown([*friends, *followees]), key=lambda u: -float(people[u].get("influence", 0.0)))
        for person in by_influence[:INFLUENTIAL]:
            weight = float(people[person].get("influence", 0.0)) / 100
            if weight > 0:
                for product_id in await graph.neighbors("BOUGHT", person, limit=100):
                    signals.setdefault(product_id, rules.Signals()).influence += weight
        liked = await graph.neighbors("ENGAGED", viewer_id, limit=200)
        if liked:
            fans = {u for p in liked[:NICHE_PRODUCTS] for u in await graph.neighbors("ENGAGED", p, "in", BUYER_SAMPLE)}
            for product_id, count in await graph.neighbor_counts(
                "ENGAGED", sorted(fans - {viewer_id}), limit=CANDIDATES
            ):
                signals.setdefault(product_id, rules.Signals()).co_like += count
        if bought:
            # Co-purchases from the viewer's most distinctive purchases (fewest buyers), from a sample of their
            # buyers: what a bestseller's tens of thousands of buyers also bought says little about this viewer.
            mine = await store.get_many("products", sorted(bought))
            niche = sorted(mine.values(), key=lambda p: (p.get("salesCount", 0), p["_id"]))[:NICHE_PRODUCTS]
            sample = {u for p in niche for u in await graph.neighbors("BOUGHT", p["_id"], "in", BUYER_SAMPLE)}
            buyers = sorted(sample - {viewer_id})
            for product_id, count in await graph.neighbor_counts("BOUGHT", buyers, limit=CANDIDATES):
                s = signals.setdefault(product_id, rules.Signals())
                s.co_purchase += count
                if niche:
                    s.co_purchased_with = niche[0]["title"]
    for hit in await popular(services, POPULAR):
        signals.setdefault(hit["_id"], rules.Signals())
    products = await store.get_many("products", list(signals))
    blocked_shops = await _shops_blocking(services, viewer_id, {p["shopId"] for p in products.values()})
    out = []
    for product_id, s in signals.items():
        product = products.get(product_id)
        if product is None or product["shopId"] in blocked_shops:
            continue
        if product_id in bought and not rules.may_recommend_again(product.get("category")):
            continue
        s.sales = product.get("salesCount", 0)
        out.append(Recommendation(product, rules.score(s), rules.reasons(s)))
    out.sort(key=lambda r: (-r.score, r.product["_id"]))
    return out[:first]


async def _shops_blocking(services: Services, viewer_id: str | None, shop_ids: set[str]) -> set[str]:
    """Shops whose owner has blocked the viewer."""
    if viewer_id is None or not shop_ids:
        return set()
    shops = await services.store.get_many("shops", sorted(shop_ids))
    blocks = await services.store.get_many("blocks", [f"{s['ownerId']}>{viewer_id}" for s in shops.values()])
    owners = {b["src"] for b in blocks.values()}
    return {s["_id"] for s in shops.values() if s["ownerId"] in owners}


async def similar(services: Services, product: Doc, first: int) -> list[Doc]:
    """Co-purchase neighbours from the graph first, then products of the same category whose titles share the
    most terms with this one's (then the better sellers)."""
    graph = services.backends.graph
    buyers = await graph.neighbors("BOUGHT", product["_id"], "in", BUYER_SAMPLE * 4)
    ranked = [p for p, _ in await graph.neighbor_counts("BOUGHT", buyers, limit=first + 1) if p != product["_id"]]
    found = await services.store.get_many("products", ranked)
    out = [found[p] for p in ranked if p in found]
    if len(out) < first and product.get("category"):
        page = await services.store.find(
            "products", {"category": product["category"]}, sort="salesCount", direction=-1, limit=SAME_CATEGORY
        )
        seen = {p["_id"] for p in out} | {product["_id"]}
        mine = terms(product["title"])
        same = [p for p in page.docs if p["_id"] not in seen]
        same.sort(key=lambda p: (-rules.text_similarity(mine, terms(p["title"])), -p.get("salesCount", 0), p["_id"]))
        out += same
    return out[:first]


# window -> (hours read, half-life in hours)
WINDOWS = {"HOUR": (2, 0.5), "DAY": (24, 6.0), "WEEK": (168, 48.0)}
KEEP_HOURS = 168
SALE_HEAT, SHARE_HEAT, VIEW_HEAT = 3.0, 2.0, 1.0


async def product_heat(services: Services, product_id: str, heat: float, actor: str | None = None) -> None:
    """Heat for hotProducts; a user's views and shares (`actor`) count once per product and hour."""
    await rankings.add(services, "product", product_id, heat, KEEP_HOURS, actor)


async def hot(services: Services, window: str, first: int) -> list[Doc]:
    """Products by sales, shares and views over the window, recent hours weighing more."""
    hours, half_life = WINDOWS[window]
    ranked = [p for p, _ in await rankings.top(services, "product", hours, half_life, first)]
    found = await services.store.get_many("products", ranked)
    return [found[p] for p in ranked if p in found]

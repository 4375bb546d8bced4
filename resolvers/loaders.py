"""DataLoaders, built fresh for every request: one batched store call per kind of thing per request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from store.protocol import Doc, DocumentStore


def doc_loader(store: DocumentStore, collection: str) -> DataLoader[str, Doc | None]:
    async def load(ids: Sequence[str]) -> list[Doc | None]:
        found = await store.get_many(collection, ids)
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def skus_by_product_loader(store: DocumentStore) -> DataLoader[str, list[Doc]]:
    async def load(product_ids: Sequence[str]) -> list[list[Doc]]:
        page = await store.find("skus", {"productId": {"$in": list(product_ids)}}, limit=100 * len(product_ids))
        by_product: dict[str, list[Doc]] = {p: [] for p in product_ids}
        for sku in page.docs:
            by_product[sku["productId"]].append(sku)
        return [by_product[p] for p in product_ids]

    return DataLoader(load_fn=load)


def team_members_loader(store: DocumentStore) -> DataLoader[str, list[Doc]]:
    async def load(team_ids: Sequence[str]) -> list[list[Doc]]:
        page = await store.find(
            "team_members", {"teamId": {"$in": list(team_ids)}}, sort="joinedAt", limit=101 * len(team_ids)
        )
        by_team: dict[str, list[Doc]] = {t: [] for t in team_ids}
        for member in page.docs:
            by_team[member["teamId"]].append(member)
        return [by_team[t] for t in team_ids]

    return DataLoader(load_fn=load)


def after_sales_by_order_loader(store: DocumentStore) -> DataLoader[str, list[Doc]]:
    """Each order's after-sales, newest first (an order has a handful at most)."""

    async def load(order_ids: Sequence[str]) -> list[list[Doc]]:
        page = await store.find(
            "after_sales",
            {"orderId": {"$in": list(order_ids)}},
            sort="createdAt",
            direction=-1,
            limit=50 * len(order_ids),
        )
        by_order: dict[str, list[Doc]] = {o: [] for o in order_ids}
        for doc in page.docs:
            by_order[doc["orderId"]].append(doc)
        return [by_order[o] for o in order_ids]

    return DataLoader(load_fn=load)


def open_campaigns_loader(store: DocumentStore) -> DataLoader[str, list[Doc]]:
    """Each shop's campaigns not yet announced as ended (upcoming, running, or just past their end): one find for
    every shop a query touches (Product.activeCampaigns on a list of products)."""

    async def load(shop_ids: Sequence[str]) -> list[list[Doc]]:
        from resolvers.campaigns import COLLECTION, MAX_LISTED

        page = await store.find(
            COLLECTION,
            {"shopId": {"$in": list(shop_ids)}, "nextEventAt": {"$gte": 0}},
            sort="nextEventAt",
            limit=MAX_LISTED * len(shop_ids),
        )
        found: dict[str, list[Doc]] = {s: [] for s in shop_ids}
        for doc in page.docs:
            found[doc["shopId"]].append(doc)
        return [found[s] for s in shop_ids]

    return DataLoader(load_fn=load)


def edge_exists_loader(store: DocumentStore, collection: str) -> DataLoader[tuple[str, str], bool]:
    """Does the (src, dst) edge document exist? One get_many for a whole page of pairs."""

    async def load(pairs: Sequence[tuple[str, str]]) -> list[bool]:
        ids = [f"{src}>{dst}" for src, dst in pairs]
        found = await store.get_many(collection, ids)
        return [i in found for i in ids]

    return DataLoader(load_fn=load)


# attribute -> (kind of loader, collection); a request builds only the loaders its query touches
DOC_LOADERS = {
    "user": "users",
    "shop": "shops",
    "shop_staff": "shop_staff",  # keyed by domain.staff.staff_id(shop, user)
    "product": "products",
    "sku": "skus",
    "order": "orders",
    "checkout": "checkouts",
    "coupon": "coupons",
    "team": "teams",
    "bargain": "bargains",
    "campaign": "campaigns",
    "commission": "commissions",
    "post": "posts",
    "video": "videos",
    "topic": "topics",
    "comment": "comments",
    "activity": "activities",
    "withdrawal": "withdrawals",
    "live_room": "live_rooms",
    "live_comment": "live_comments",
    "address": "addresses",
    "shipping_template": "shipping_templates",
    "after_sale": "after_sales",
    "coupon_claim": "coupon_claims",  # keyed by f"{coupon}:{user}"
    "points_reward": "points_rewards",
    "member_levels": "member_levels",  # one document, resolvers/membership.py TABLE_ID
    "page": "pages",
    "page_revision": "page_revisions",  # keyed by domain.pages.revisions.revision_key(page, sha256)
    "page_document": "page_documents",
    "review": "reviews",
    "product_rating": "product_ratings",  # keyed by product id
    "favorite_count": "favorite_counts",  # keyed by f"{kind}:{target}" (domain/reviews.py FAVORITE_KINDS)
}


NOT_LOADED = object()


class Loaders:
    """The request's DataLoaders, each made on first use (most requests touch two or three of them)."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store
        self.intact_checks: dict[str, Any] = {}  # kind -> the request's DataLoader of resolvers/intact.py's checks
        self.intact_known: dict[str, set[str]] = {}  # kind -> ids those checks found intact

    @property
    def store(self) -> DocumentStore:
        return self._store

    def loaded(self, name: str, key: Any) -> Any:
        """What the loader `name` has already read for `key` in this request (None: no such document), or
        NOT_LOADED when it has not read it (yet)."""
        loader = self.__dict__.get(name)
        future = loader.cache_map.get(key) if loader is not None else None
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return NOT_LOADED
        return future.result()

    def __getattr__(self, name: str) -> Any:
        if name in DOC_LOADERS:
            loader: Any = doc_loader(self._store, DOC_LOADERS[name])
        elif name == "skus_by_product":
            loader = skus_by_product_loader(self._store)
        elif name == "team_members":
            loader = team_members_loader(self._store)
        elif name == "after_sales_by_order":
            loader = after_sales_by_order_loader(self._store)
        elif name == "open_campaigns":
            loader = open_campaigns_loader(self._store)
        elif name == "likes":
            loader = edge_exists_loader(self._store, "likes")  # keys are (postId, userId)
        elif name == "favorites":
            loader = edge_exists_loader(self._store, "favorites")  # keys are (userId, f"{kind}:{target}")
        elif name == "review_helpful":
            loader = edge_exists_loader(self._store, "review_helpful")  # keys are (reviewId, userId)
        else:
            raise AttributeError(name)
        setattr(self, name, loader)  # later lookups find the attribute and skip __getattr__
        return loader

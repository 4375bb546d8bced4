"""DataLoaders, built fresh for every request: one batched store call per kind of thing per request."""

from __future__ import annotations

from collections.abc import Sequence

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


def edge_exists_loader(store: DocumentStore, collection: str) -> DataLoader[tuple[str, str], bool]:
    """Does the (src, dst) edge document exist? One get_many for a whole page of pairs."""

    async def load(pairs: Sequence[tuple[str, str]]) -> list[bool]:
        ids = [f"{src}>{dst}" for src, dst in pairs]
        found = await store.get_many(collection, ids)
        return [i in found for i in ids]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, store: DocumentStore) -> None:
        self.user = doc_loader(store, "users")
        self.shop = doc_loader(store, "shops")
        self.product = doc_loader(store, "products")
        self.sku = doc_loader(store, "skus")
        self.skus_by_product = skus_by_product_loader(store)
        self.follows = edge_exists_loader(store, "follows")
        self.order = doc_loader(store, "orders")
        self.coupon = doc_loader(store, "coupons")
        self.team = doc_loader(store, "teams")
        self.team_members = team_members_loader(store)
        self.bargain = doc_loader(store, "bargains")
        self.commission = doc_loader(store, "commissions")
        self.post = doc_loader(store, "posts")
        self.video = doc_loader(store, "videos")
        self.topic = doc_loader(store, "topics")
        self.comment = doc_loader(store, "comments")
        self.activity = doc_loader(store, "activities")
        self.likes = edge_exists_loader(store, "likes")  # (postId, userId)
        self.withdrawal = doc_loader(store, "withdrawals")

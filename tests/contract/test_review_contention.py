"""The guarded writes of reviews and favorites, raced on every store that guarantees single-document atomicity:
one review per order line, one helpful mark and one favorite per user, the rating and the counts moved once."""

from __future__ import annotations

import asyncio

from resolvers import favorites, reviews
from resolvers.errors import Refused
from resolvers.services import Services
from tests.contract.test_commerce_contention import any_services, services

__all__ = ["any_services", "services"]

N = 10


async def _world(services: Services) -> None:
    """A buyer's completed order of one line, a shop, its product and a reader."""
    store = services.store
    now = services.now()
    for user in ("buyer", "reader", "owner"):
        await store.insert("users", {"_id": user, "nickname": user, "createdAt": now})
    await store.insert("shops", {"_id": "shop", "ownerId": "owner", "name": "店", "createdAt": now})
    await store.insert("products", {"_id": "p", "shopId": "shop", "title": "茶", "price": 1000, "createdAt": now})
    line = {"skuId": "p000", "productId": "p", "title": "茶", "specs": [], "quantity": 1, "unitPrice": 1000}
    await store.insert(
        "orders",
        {"_id": "o", "buyerId": "buyer", "shopId": "shop", "lines": [line], "status": "COMPLETED", "completedAt": now},
    )


async def _outcome(call: object) -> str:
    try:
        await call  # type: ignore[misc]
        return "ok"
    except Refused as exc:
        return exc.code


async def test_a_line_reviewed_at_once_has_one_review_and_counts_once(services: Services) -> None:
    await _world(services)
    made = [reviews.create(services, "buyer", "o", 0, 4, "好", [], None, False) for _ in range(N)]
    outcomes = await asyncio.gather(*(_outcome(m) for m in made))
    assert outcomes.count("ok") == 1 and set(outcomes) == {"ok", "ALREADY_EXISTS"}
    rating = await services.store.get("product_ratings", "p")
    assert rating is not None and (rating["count"], rating["sum"], rating["s4"]) == (1, 4, 1)


async def test_helpful_marks_and_favorites_at_once_count_once(services: Services) -> None:
    await _world(services)
    await reviews.create(services, "buyer", "o", 0, 5, "好", [], None, False)
    await asyncio.gather(*(reviews.mark_helpful(services, "reader", "o:0") for _ in range(N)))
    assert (await services.store.get("reviews", "o:0") or {})["helpfulCount"] == 1
    await asyncio.gather(*(favorites.favorite(services, "reader", "PRODUCT", "p") for _ in range(N)))
    assert (await services.store.get("favorite_counts", "PRODUCT:p") or {})["count"] == 1
    await asyncio.gather(*(favorites.unfavorite(services, "reader", "PRODUCT", "p") for _ in range(N)))
    assert (await services.store.get("favorite_counts", "PRODUCT:p") or {})["count"] == 0

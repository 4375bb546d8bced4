"""Every collection's indexes, declared once; `ensure_indexes` runs at start on either store."""

from __future__ import annotations

from store.protocol import DocumentStore, Index

INDEXES = (
    Index("users", ("devNickname",), unique=True),
    Index("users", ("createdAt",)),
    Index("users", ("nicknameKey", "createdAt")),  # users without one (from before unique nicknames) at start
    Index("token_families", ("revokedAt",)),
    Index("follows", ("src", "at")),
    Index("follows", ("dst", "at")),
    Index("blocks", ("src",)),
    Index("blocks", ("dst",)),  # who blocked a viewer (resolvers/visibility.py reads both sides per request)
    Index("shops", ("ownerId",)),
    Index("products", ("shopId", "createdAt")),
    Index("products", ("createdAt",)),
    Index("products", ("category", "createdAt")),
    Index("products", ("price",)),
    Index("products", ("salesCount",)),
    Index("skus", ("productId",)),
    Index("outbox", ("done",)),
    Index("outbox", ("done", "doneAt")),
    Index("product_terms", ("term", "createdAt")),
    Index("product_terms", ("term", "price")),
    Index("product_terms", ("term", "salesCount")),
    Index("orders", ("buyerId", "idempotencyKey"), unique=True),
    Index("orders", ("number",), unique=True),
    Index("orders", ("buyerId", "createdAt")),
    Index("orders", ("status", "payBy")),
    Index("orders", ("status", "createdAt")),
    Index("coupon_claims", ("userId", "at")),
    Index("purchases", ("productId", "at")),
    Index("orders", ("priceRefundDone",)),
    Index("orders", ("refundDue",)),  # refunds to ask a provider for (again): resolvers/refunds.py
    Index("orders", ("priceRefundDue",)),
    Index("orders", ("status", "shippedAt")),  # shipped orders to complete by themselves: resolvers/shipments.py
    Index("orders", ("wechatReportDue",)),  # shipments to report to WeChat (again): resolvers/shipping_reports.py
    Index("teams", ("status", "expiresAt")),
    Index("teams", ("productId", "status", "expiresAt")),
    Index("team_members", ("teamId", "joinedAt")),
    Index("bargains", ("ownerId", "skuId", "slot"), unique=True),
    Index("bargains", ("shareToken",), unique=True),
    Index("bargains", ("status", "expiresAt")),
    Index("users", ("invitedBy",)),
    Index("users", ("followerCount",)),
    Index("commissions", ("userId", "createdAt")),
    Index("commissions", ("orderId",)),
    Index("commissions", ("status", "unfreezeAt")),
    Index("distributors", ("userId", "appliedAt")),
    Index("ledger", ("userId",)),
    Index("ledger", ("ref", "seq")),
    Index("withdrawals", ("userId", "key"), unique=True),
    Index("withdrawals", ("userId", "createdAt")),
    Index("withdrawals", ("checkAt",)),
    Index("posts", ("authorId", "createdAt")),
    Index("posts", ("moderation", "createdAt")),
    Index("timelines", ("ownerId", "at")),
    Index("activities", ("actorId", "at")),
    Index("activities", ("at",)),
    Index("likes", ("userId", "at")),
    Index("comments", ("postId", "hidden", "createdAt")),
    Index("post_topics", ("topic", "at")),
    Index("heat", ("kind", "hour")),
    Index("heat_seen", ("hour",)),  # the sweep purges the marks of past hours
    Index("reports", ("targetId", "status")),
    Index("live_rooms", ("rank",)),
    Index("live_rooms", ("hostId", "createdAt")),
    Index("live_comments", ("roomId", "at")),
    Index("addresses", ("userId", "slot"), unique=True),  # at most 20 per user: one slot each (resolvers/addresses)
    Index("addresses", ("userId", "createdAt")),
    Index("shipping_templates", ("shopId", "createdAt")),
    Index("products", ("shippingTemplateId",)),  # a template in use is not deleted
    # after-sales: resolvers/after_sales.py and after_sale_refunds.py
    Index("after_sales", ("buyerId", "idempotencyKey"), unique=True),
    Index("after_sales", ("buyerId", "status", "createdAt")),
    Index("after_sales", ("shopId", "status", "createdAt")),
    Index("after_sales", ("orderId", "createdAt")),
    Index("after_sales", ("status", "requestedAt")),  # unanswered requests the sweep approves
    Index("after_sales", ("repairAt",)),  # steps a crash left undone
    Index("after_sales", ("refundDue",)),  # refunds to ask a provider for (again)
    Index("after_sales", ("refundNo",)),  # WeChat Pay's refund notifications name it
    # the shop builder: resolvers/pages/
    Index("pages", ("shopId", "createdAt")),
    Index("page_revisions", ("pageId", "createdAt")),  # pageRevisions, newest first
    Index("page_publications", ("pageId", "revision")),  # a rollback goes back to a revision that was live
    Index("products", ("shopId", "salesCount")),  # product grids by rule, smart lists, campaign zones
    Index("products", ("shopId", "price")),
    Index("products", ("shopId", "category", "createdAt")),
    Index("coupons", ("shopId", "validUntil")),  # coupon strips: the shop's coupons still running
)


async def ensure_indexes(store: DocumentStore) -> None:
    for index in INDEXES:
        await store.ensure_index(index)

"""Every collection and its indexes, declared once; `ensure_indexes` runs at start on either store."""

from __future__ import annotations

from store.protocol import DocumentStore, Index

# Every collection the app writes. Each is classified for data rights (exported, deleted or anonymised, or not
# personal, and why) in domain/personal_data.py: a test fails while one here is not classified there, and another
# while the code names a collection that is not here.
COLLECTIONS = (
    "account_deletions",
    "activities",
    "address_books",
    "addresses",
    "aggregate_marks",
    "after_sales",
    "balances",
    "bargain_daily",
    "bargain_helps",
    "bargains",
    "campaigns",
    "blocks",
    "carts",
    "checkouts",
    "comments",
    "commissions",
    "coupon_claims",
    "coupon_grants",
    "coupons",
    "dashboard_layouts",
    "data_exports",
    "distributors",
    "engagements",
    "favorite_counts",
    "favorites",
    "events",
    "follows",
    "heat",
    "heat_seen",
    "identities",
    "invitations",
    "invite_days",
    "invites",
    "leases",
    "ledger",
    "ledger_head",
    "likes",
    "live_comments",
    "live_rooms",
    "member_levels",
    "login_traces",
    "nicknames",
    "orders",
    "outbox",
    "page_documents",
    "page_publications",
    "page_revisions",
    "pages",
    "payment_attempts",
    "points_ledger",
    "points_redemptions",
    "points_rewards",
    "post_topics",
    "posts",
    "product_ratings",
    "product_terms",
    "products",
    "purchases",
    "refresh_tokens",
    "seckill_attempts",
    "seckill_buyers",
    "seckill_stock",
    "reports",
    "reward_takers",
    "share_events",
    "review_helpful",
    "reviews",
    "rfm_members",
    "rfm_runs",
    "rfm_settings",
    "share_links",
    "share_posters",
    "shipping_templates",
    "shop_order_counts",
    "shop_staff",
    "shop_staff_invites",
    "shop_stats",
    "shops",
    "skus",
    "stock_changes",
    "team_members",
    "teams",
    "timelines",
    "token_families",
    "topics",
    "unpaid_holds",
    "users",
    "videos",
    "webhook_nonces",
    "withdrawals",
)

INDEXES = (
    # the points ledger (resolvers/points.py): one sequence per user, expiry and repair sweeps, reversals, orders
    Index("points_ledger", ("userId", "seq"), unique=True),
    Index("points_ledger", ("expiryDue",)),
    Index("points_ledger", ("pending", "at")),
    Index("points_ledger", ("reverses",)),
    Index("points_ledger", ("ref", "kind")),
    Index("points_rewards", ("shopId", "createdAt")),
    Index("points_redemptions", ("code",), unique=True),
    Index("points_redemptions", ("userId", "at")),
    Index("points_redemptions", ("status", "at")),
    Index("reward_takers", ("userId", "_id")),
    Index("users", ("devNickname",), unique=True),
    Index("users", ("createdAt",)),
    Index("users", ("birthdayGiftDue",)),  # birthdays whose coupon is due (resolvers/birthdays.py)
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
    Index("ledger", ("userId", "seq")),  # a user's entries, in order (stats, their data export)
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
    Index("checkouts", ("status", "createdAt")),  # the sweep fails those a crash left PLACING
    Index("campaigns", ("shopId", "endsAt")),  # a shop's calendar, and what runs now (resolvers/campaigns.py)
    Index("campaigns", ("nextEventAt",)),  # starts and ends the sweep announces
    Index("campaigns", ("shopId", "nextEventAt")),  # shops' open campaigns (Product.activeCampaigns' loader)
    Index("checkouts", ("buyerId", "createdAt")),  # a user's checkouts: data export and erasure
    Index("checkouts", ("unitsBackAt",)),  # units of a failed checkout to give back: resolvers/checkout.py
    Index("orders", ("repairAt",)),  # orders whose follow-up steps a crash left: resolvers/recovery.py
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
    # The merchant's order desk (resolvers/staff.py, resolvers/order_desk.py, resolvers/order_export.py). Each
    # sorted query's index ends with its sort key and `_id`, the keyset's tie-break, so that MongoDB too reads a
    # page straight off the index instead of sorting every match (SQLite: its ORDER BY is the index's order).
    # Read by _id alone, so without an index of their own: shop_staff_invites (_id = the code's SHA-256) and
    # shop_order_counts (_id = the shop's id; a field per status).
    Index("shop_staff", ("shopId", "addedAt", "_id")),
    Index("shop_staff", ("userId", "addedAt", "_id")),
    Index("shops", ("ownerId", "createdAt", "_id")),
    Index("orders", ("shopId", "status", "createdAt", "_id")),  # Shop.orders(status:), orderCounts' recount
    Index("orders", ("shopId", "createdAt", "_id")),  # Shop.orders without a status; the CSV export's pages
    Index("orders", ("shopId", "number", "_id")),  # query: an order number or its prefix
    Index("orders", ("shopId", "buyerId", "number", "_id")),  # query: a buyer's nickname
    Index("orders", ("shopId", "phoneTail", "number", "_id")),  # query: the last 4 digits of the recipient's phone
    # data rights (resolvers/data_export.py, resolvers/account_deletion.py): a user's documents of each kind, found
    # by the field domain/personal_data.py names and paged in the order of the index (export and erasure)
    Index("identities", ("userId",)),
    Index("token_families", ("userId", "createdAt")),
    Index("refresh_tokens", ("userId", "createdAt")),
    Index("invites", ("userId",)),
    Index("share_links", ("userId",)),
    Index("comments", ("authorId", "createdAt")),
    Index("videos", ("ownerId", "createdAt")),
    Index("reports", ("userId", "at")),
    Index("live_comments", ("authorId", "at")),
    Index("teams", ("leaderId", "createdAt")),
    Index("team_members", ("userId", "joinedAt")),
    Index("bargains", ("ownerId", "createdAt")),
    Index("bargain_helps", ("helperId", "at")),
    Index("purchases", ("userId", "at")),
    Index("engagements", ("userId",)),
    Index("after_sales", ("buyerId", "createdAt")),
    Index("data_exports", ("userId", "slot"), unique=True),  # one export being prepared per user at a time
    Index("data_exports", ("userId", "requestedAt")),
    Index("data_exports", ("status", "leaseUntil")),  # exports whose preparer died, for the sweep to take over
    Index("data_exports", ("status", "expiresAt")),  # ready exports past their link's life, to delete
    Index("account_deletions", ("status", "checkAt")),  # deletions due (cooling-off over), or whose sweep died
    # the shop builder: resolvers/pages/
    Index("pages", ("shopId", "createdAt")),
    Index("page_revisions", ("pageId", "createdAt")),  # pageRevisions, newest first
    Index("page_publications", ("pageId", "revision")),  # a rollback goes back to a revision that was live
    Index("products", ("shopId", "salesCount")),  # product grids by rule, smart lists, campaign zones
    Index("products", ("shopId", "price")),
    Index("products", ("shopId", "category", "createdAt")),
    Index("coupons", ("shopId", "validUntil")),  # coupon strips: the shop's coupons still running
    # invite rewards, share cards and creators (resolvers/invites.py, resolvers/sharing.py, jobs/creators.py)
    Index("invitations", ("inviterId", "signedUpAt")),  # myInvites, newest first
    Index("invite_days", ("inviterId",)),
    Index("share_links", ("userId", "productId", "postId")),  # a sharer's one link per target, reused by shareCard
    Index("share_events", ("userId", "at")),
    Index("share_events", ("targetId", "at")),
    Index("share_posters", ("userId",)),
    Index("users", ("creatorScore",)),  # recommendedCreators' fallback: the best creators
    # reviews and favorites (resolvers/reviews.py, resolvers/favorites.py): Product.reviews reads one keyset page
    # off an index per filter and sort (rating, withMedia; NEWEST, HELPFUL); product_ratings and favorite_counts
    # are read by _id alone
    Index("reviews", ("productId", "moderation", "createdAt", "_id")),
    Index("reviews", ("productId", "moderation", "helpfulCount", "_id")),
    Index("reviews", ("productId", "moderation", "rating", "createdAt", "_id")),
    Index("reviews", ("productId", "moderation", "rating", "helpfulCount", "_id")),
    Index("reviews", ("productId", "moderation", "hasMedia", "createdAt", "_id")),
    Index("reviews", ("productId", "moderation", "hasMedia", "helpfulCount", "_id")),
    Index("reviews", ("productId", "moderation", "rating", "hasMedia", "createdAt", "_id")),
    Index("reviews", ("productId", "moderation", "rating", "hasMedia", "helpfulCount", "_id")),
    Index("reviews", ("productId", "authorId", "createdAt")),  # friendReviews
    Index("reviews", ("authorId", "createdAt")),  # myReviews, near-duplicates, data export and erasure
    Index("review_helpful", ("userId", "at")),
    Index("favorites", ("userId", "at")),
    Index("favorites", ("userId", "kind", "at")),  # myFavorites(kind:)
    # seckill (resolvers/seckill.py): a shop's campaigns (and the overlap check), the sweep's starts and ends, attempts
    # a crash left, a user's documents for data rights
    Index("campaigns", ("shopId", "kind", "endsAt")),
    Index("campaigns", ("kind", "stockState", "startsAt")),
    Index("campaigns", ("kind", "stockState", "endsAt")),
    Index("seckill_attempts", ("state", "at")),
    Index("seckill_attempts", ("userId", "at")),
    Index("seckill_buyers", ("userId", "_id")),
    # the data platform (resolvers/events.py, resolvers/aggregates.py, resolvers/dashboards.py)
    Index("events", ("shopId", "at")),  # a shop's day of events, recomputed
    Index("events", ("at",)),  # the retention purge
    Index("events", ("userId", "at")),  # a user's events (data export, retention cohorts)
    Index("aggregate_marks", ("pending", "hour")),
    Index("shop_stats", ("shopId", "grain", "start")),  # a shop's dashboard range
    Index("shop_stats", ("grain", "start")),  # the platform dashboard
    Index("orders", ("shopId", "paidAt", "_id")),  # a shop's day of payments
    Index("commissions", ("shopId", "createdAt", "_id")),  # a shop's day of commissions
    # RFM segments and retention: resolvers/segments.py, resolvers/retention.py
    Index("orders", ("shopId", "_id")),  # the RFM run reads a shop's orders in the order they were written
    Index("orders", ("buyerId", "paidAt")),  # retention: did the user pay on day N
    Index("orders", ("shopId", "buyerId", "paidAt")),  # shop retention: first order in the shop, day N
    Index("orders", ("paidAt",)),  # platform retention by first order
    Index("rfm_runs", ("shopId", "status", "at")),  # a shop's latest finished run
    Index("rfm_members", ("runId",)),  # a run's chunks, to delete it
    Index("coupon_grants", ("shopId", "idempotencyKey"), unique=True),  # one grant per key
    Index("coupon_grants", ("status", "leaseUntil")),  # grants a crash left, to resume
    Index("coupon_grants", ("shopId", "status")),  # runs a running grant still reads are kept
    # events (declared with the data platform's): retention's, per shop
    Index("events", ("shopId", "userId", "at")),
)


async def ensure_indexes(store: DocumentStore) -> None:
    for index in INDEXES:
        await store.ensure_index(index)

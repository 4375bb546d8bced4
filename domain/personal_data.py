"""Personal data (PIPL): what of each collection belongs to a user, what their data export holds of it and what
deleting their account does to it, in one table. No I/O here.

Every collection of store/collections.py is in TABLE (a test keeps the two equal): either `Personal` (how a user's
documents are found, whether the archive holds them, and whether erasure deletes them, anonymises them or keeps
them, and why) or `NotPersonal` (and why not). The export (resolvers/data_export.py) pages through `found`; the
erasure (resolvers/account_deletion.py) has one step per DELETED or ANONYMISED collection (a test keeps those
equal too).

Anonymised means: the document stays, the user's id in it now names a tombstone user (已注销用户, nothing else of
them), and what it held that identifies them (a name, a phone, a street, a WeChat openid, their text) is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DELETED = "DELETED"
ANONYMISED = "ANONYMISED"
KEPT = "KEPT"

DELETED_NICKNAME = "已注销用户"


@dataclass(frozen=True)
class Found:
    """Where a user's documents of a collection are: the field that holds their id, the archive's section for
    them, and the sort key the export pages them in (an index on (field, sort) serves it; a test checks)."""

    field: str
    section: str
    sort: str = "_id"


@dataclass(frozen=True)
class Personal:
    found: tuple[Found, ...]
    erasure: str  # DELETED | ANONYMISED | KEPT
    why: str
    export: bool = True
    omit: tuple[str, ...] = ()  # fields never put in the archive (secrets, hashes)


@dataclass(frozen=True)
class NotPersonal:
    why: str


Rule = Personal | NotPersonal

ACCOUNTING = "accounting and the E-commerce Law (art. 31) require it to be kept"

TABLE: Mapping[str, Rule] = {
    # -- the account -------------------------------------------------------------------------------------------
    "users": Personal(
        (Found("_id", "profile"),),
        ANONYMISED,
        "The tombstone others' orders, teams and cuts point at: nickname 已注销用户, no avatar, bio, region, birthday, "
        "openid, invite code, referrer, points or roles; privacy all PRIVATE.",
    ),
    "identities": Personal(
        (Found("userId", "identities"),), DELETED, "A new WeChat or dev login is a new user afterwards."
    ),
    "nicknames": Personal(
        (),
        DELETED,
        "The claim on the nickname is released: anyone may take it. The nickname is in the profile.",
        export=False,
    ),
    "token_families": Personal(
        (Found("userId", "logins", "createdAt"),),
        ANONYMISED,
        "Every login is revoked (access tokens and sockets too, in every process); the revoked record stays so "
        "that processes keep refusing its tokens.",
    ),
    "refresh_tokens": Personal(
        (Found("userId", "refreshTokens", "createdAt"),),
        DELETED,
        "Metadata only in the archive: the stored id is the token's hash.",
        omit=("_id",),
    ),
    "invites": Personal((Found("userId", "invites"),), DELETED, "The invite code stops binding new users."),
    "share_links": Personal((Found("userId", "shareLinks"),), DELETED, "Share tokens stop binding new users."),
    "invitations": Personal(
        (Found("inviterId", "invitesSent", "signedUpAt"),),
        KEPT,
        "The record that an invite reward was given (or reversed) once per new user: ids and times only, which "
        "name the tombstone afterwards; deleting it would let the same invitee earn a reward again. (Who invited "
        "the user is in their profile's invitedBy.)",
    ),
    "invite_days": Personal(
        (Found("inviterId", "inviteDays"),),
        KEPT,
        "How many invite rewards an inviter earned each day (the daily cap): counts only.",
        export=False,
    ),
    "login_traces": NotPersonal(
        "Keyed hashes (HMAC with the server's key) of the login identities that ever signed up, with no user id "
        "or time of use: kept so an account deleted and signed up again is not new to the platform for invite "
        "rewards. They name nobody without the key."
    ),
    "share_events": Personal((Found("userId", "shares", "at"),), DELETED, "What the user shared, where, when."),
    "share_posters": Personal(
        (Found("userId", "sharePosters"),),
        DELETED,
        "Cached poster images (they show the nickname); the records go, and with the share token gone the code "
        "on the image binds nobody.",
        export=False,
    ),
    "account_deletions": Personal(
        (Found("_id", "accountDeletion"),),
        KEPT,
        "The record that the account was deleted, and when (the reason given is cleared).",
    ),
    "data_exports": Personal(
        (), DELETED, "Earlier archives and their files are deleted; the archive does not list itself.", export=False
    ),
    # -- the social graph ----------------------------------------------------------------------------------------
    "follows": Personal(
        (Found("src", "following", "at"), Found("dst", "followers", "at")),
        DELETED,
        "Both directions, with the counts of the other side; the graph through the outbox.",
    ),
    "blocks": Personal(
        (Found("src", "blocks"),),
        DELETED,
        "Both directions (the archive lists only the viewer's own blocks: who blocked them is the other's).",
    ),
    # -- content -----------------------------------------------------------------------------------------------
    "posts": Personal(
        (Found("authorId", "posts", "createdAt"),),
        ANONYMISED,
        "Removed: text, images, video and tagged products cleared, moderation REMOVED (nobody sees it, topics "
        "count it no more); the document stays so others' comments and likes of it do not dangle.",
    ),
    "comments": Personal(
        (Found("authorId", "comments", "createdAt"),),
        ANONYMISED,
        "Removed: body cleared and hidden from everyone; the post's comment count goes down; replies to it stay.",
    ),
    "likes": Personal((Found("userId", "likes", "at"),), DELETED, "The posts' like counts go down."),
    "videos": Personal((Found("ownerId", "videos", "createdAt"),), DELETED, "The files too."),
    "activities": Personal((Found("actorId", "activities", "at"),), DELETED, "Friends' feeds show them no more."),
    "timelines": Personal(
        (),
        DELETED,
        "The user's own FOLLOWING feed (copies of others' posts, not about them). Entries of their posts in "
        "followers' feeds stay, pointing at removed posts, which no feed shows.",
        export=False,
    ),
    "live_rooms": Personal(
        (Found("hostId", "liveRooms", "createdAt"),),
        ANONYMISED,
        "Ended if still open; title cleared; kept for the activities and orders that point at them.",
    ),
    "live_comments": Personal((Found("authorId", "liveComments", "at"),), DELETED, "Chat, not a record."),
    "reports": Personal(
        (Found("userId", "reports", "at"),),
        KEPT,
        "The platform's record of content complaints and how they were handled (Cybersecurity Law art. 21, 47); "
        "the reporter is the tombstone.",
    ),
    "reviews": Personal(
        (Found("authorId", "reviews", "createdAt"),),
        ANONYMISED,
        "Removed: text, photos, video and follow-up cleared, moderation REMOVED (nobody sees it, the product's "
        "rating counts it no more); the document stays for the shop's reply and the order line it belongs to.",
    ),
    "review_helpful": Personal(
        (Found("userId", "reviewsMarkedHelpful", "at"),), DELETED, "The reviews' helpful counts go down."
    ),
    "favorites": Personal(
        (Found("userId", "favorites", "at"),),
        DELETED,
        "The targets' favorite counts go down; the ENGAGED edges they fed go with the engagements.",
    ),
    # -- projections (the graph's BOUGHT and ENGAGED edges) ------------------------------------------------------
    "engagements": Personal(
        (Found("userId", "engagements"),), DELETED, "ENGAGED edges go through the outbox, like every graph change."
    ),
    "purchases": Personal(
        (Found("userId", "purchases", "at"),),
        DELETED,
        "BOUGHT edges go through the outbox; friends' 'who bought this' no longer shows them. The orders stay.",
    ),
    # -- commerce ----------------------------------------------------------------------------------------------
    "addresses": Personal((Found("userId", "addresses", "createdAt"),), DELETED, "The address book."),
    "address_books": Personal((Found("_id", "addressBook"),), DELETED, "Which address is the default."),
    "orders": Personal(
        (Found("buyerId", "orders", "createdAt"),),
        ANONYMISED,
        f"Lines, amounts, payments, refunds and packages stay ({ACCOUNTING}); the address snapshot keeps only the "
        "region and postcode (recipient, phone and street cleared); phoneTail and buyerRegion go.",
    ),
    "checkouts": Personal(
        (Found("buyerId", "checkouts", "createdAt"),),
        ANONYMISED,
        f"What a checkout priced and the orders it made stay, like the orders ({ACCOUNTING}); its address snapshot "
        "keeps only the region and postcode.",
    ),
    "carts": Personal((Found("_id", "cart"),), DELETED, "The cart."),
    "after_sales": Personal(
        (Found("buyerId", "afterSales", "createdAt"),),
        KEPT,
        f"The refund and dispute record of an order ({ACCOUNTING}); the buyer is the tombstone.",
    ),
    "coupon_claims": Personal(
        (Found("userId", "couponClaims", "at"),),
        ANONYMISED,
        "Unused claims are deleted; a used one stays with the order whose discount it gave.",
    ),
    "unpaid_holds": Personal(
        (), DELETED, "The buyer's unpaid-order bookkeeping (empty: no open order may remain).", export=False
    ),
    "teams": Personal(
        (Found("leaderId", "teamsLed", "createdAt"),),
        KEPT,
        "Group-buy teams the user started: every member's price and seat rest on them; the leader is the tombstone.",
    ),
    "team_members": Personal(
        (Found("userId", "teamMemberships", "joinedAt"),),
        KEPT,
        "Seats behind paid orders (the team's seat count is checked against them); the member is the tombstone.",
    ),
    "bargains": Personal(
        (Found("ownerId", "bargains", "createdAt"),),
        ANONYMISED,
        "Open ones are expired; the record of friends' cuts stays (the friends' data too); the owner is the "
        "tombstone and the share token stops inviting.",
    ),
    "bargain_helps": Personal(
        (Found("helperId", "bargainHelps", "at"),),
        KEPT,
        "The cuts the user gave make up a friend's price; the helper is the tombstone.",
    ),
    "bargain_daily": Personal((), DELETED, "Today's help counter (its id starts with the user's id).", export=False),
    "seckill_attempts": Personal(
        (Found("userId", "seckillAttempts", "at"),),
        KEPT,
        "Which idempotency key took which seckill units for which order: the record behind orders kept for "
        f"accounting ({ACCOUNTING}); the buyer is the tombstone.",
    ),
    "seckill_buyers": Personal(
        (Found("userId", "seckillPurchases"),),
        KEPT,
        "Units bought per seckill, the per-user limit's count (others' limits rest on the stock it took); the "
        "buyer is the tombstone.",
    ),
    # -- distribution and payouts ------------------------------------------------------------------------------
    "distributors": Personal(
        (Found("userId", "distributorships", "appliedAt"),),
        DELETED,
        "No commission is earned any more (commissions need an ACTIVE distributorship).",
    ),
    "commissions": Personal(
        (Found("userId", "commissions", "createdAt"),),
        KEPT,
        f"Money records ({ACCOUNTING}); the earner is the tombstone.",
    ),
    "balances": Personal(
        (Found("_id", "balance"),),
        KEPT,
        "Zero when the deletion is carried out (money left blocks it), or below zero: a debt the ledger shows.",
    ),
    "ledger": Personal(
        (Found("userId", "ledger", "seq"),),
        KEPT,
        f"Hash-chained money movements ({ACCOUNTING}; changing one would break the chain).",
        omit=("hash", "prev"),
    ),
    "points_ledger": Personal(
        (Found("userId", "pointsLedger", "seq"),),
        KEPT,
        "Points earned, spent, expired and reversed; the balance is their sum. No identifying field: the id names "
        "the tombstone, and the orders whose points they are stay too.",
    ),
    "points_redemptions": Personal(
        (Found("userId", "pointsRedemptions", "at"),),
        KEPT,
        "What points were exchanged for, with the tombstone (a shop may still be asked for a voucher's product).",
    ),
    "reward_takers": Personal(
        (Found("userId", "rewardTakers"),),
        KEPT,
        "How many times the member redeemed each reward (the per-member limits); a count, nothing identifying.",
        export=False,
    ),
    "withdrawals": Personal(
        (Found("userId", "withdrawals", "createdAt"),),
        ANONYMISED,
        f"Kept ({ACCOUNTING}), none open (that blocks the deletion); the WeChat openid paid is cleared.",
    ),
    # -- merchants ----------------------------------------------------------------------------------------------
    "shops": Personal(
        (Found("ownerId", "shopsOwned"),),
        KEPT,
        "An owner cannot delete their account (OWNS_SHOP): the shop's orders, staff and buyers rest on it.",
    ),
    "shop_staff": Personal((Found("userId", "shopStaff"),), DELETED, "The user stops being staff of any shop."),
    # -- not personal -------------------------------------------------------------------------------------------
    "products": NotPersonal("A shop's catalogue."),
    "pages": NotPersonal("A shop's page pointers (its draft and published revisions)."),
    "page_revisions": NotPersonal(
        "A shop's page documents; `authorId` names the staff member who saved one, as the shop's edit record."
    ),
    "page_documents": NotPersonal("A shop's page documents, by their content hash (no author)."),
    "page_publications": NotPersonal("When a shop's page revision was published, and by which staff member."),
    "shop_staff_invites": NotPersonal(
        "A shop's invite codes (their hash) and who took one; being staff is shop_staff, erased with the user."
    ),
    "shop_order_counts": NotPersonal("A shop's orders counted per status (numbers, not people)."),
    "skus": NotPersonal("A shop's catalogue."),
    "product_terms": NotPersonal("The search index of products."),
    "points_rewards": NotPersonal("The points mall's catalogue, listed by shops and operators."),
    "member_levels": NotPersonal("The member level table an operator sets."),
    "campaigns": NotPersonal("A shop's full-reduction, discount and seckill campaigns: nobody's personal data."),
    "product_ratings": NotPersonal("A product's review counts per star (numbers, not people)."),
    "favorite_counts": NotPersonal("How many users favorited a product, shop or post (numbers, not people)."),
    "seckill_stock": NotPersonal("A seckill's units per SKU (numbers, not people)."),
    "coupons": NotPersonal("A shop's campaigns (a user's claims are in coupon_claims)."),
    "shipping_templates": NotPersonal("A shop's shipping fees."),
    "stock_changes": NotPersonal("A shop's stock movements, its inventory record (`by`: the staff member)."),
    "payment_attempts": NotPersonal(
        "The WeChat Pay prepay package of an order's payment attempt, a signed credential rather than data about "
        "the user; the payment itself (paidAt, paidWith, transactionId, refunds) is in the exported order."
    ),
    "topics": NotPersonal("Topic names and their post counts."),
    "post_topics": NotPersonal("Topic -> post index; a removed post is left out by its moderation state."),
    "events": Personal(
        (Found("userId", "events", "at"),),
        DELETED,
        "What the user did in the app (views, orders, shares), for the shop's analytics; purged after "
        "EVENTS_RETENTION_DAYS anyway. The shop's aggregates made of them are numbers, not people.",
    ),
    "shop_stats": NotPersonal("A shop's numbers per hour and day; distinct counts are sketches, not ids of people."),
    "aggregate_marks": NotPersonal("Which shop-hours the aggregates must recompute."),
    "dashboard_layouts": NotPersonal("A shop's choice of dashboard cards."),
    "heat": NotPersonal("Heat per product or topic and hour (sums, not people)."),
    "heat_seen": NotPersonal("Marks that an actor was counted this hour; the sweep purges them after their hour."),
    "outbox": NotPersonal("Graph events naming ids; purged a day after they were applied."),
    "webhook_nonces": NotPersonal("WeChat Pay notification nonces (replay protection)."),
    "leases": NotPersonal("Job leases of server processes."),
    "rfm_settings": NotPersonal("A shop's own RFM cut points."),
    "rfm_runs": NotPersonal("A shop's RFM runs: cut points used and buyers counted per segment (numbers)."),
    "rfm_members": NotPersonal(
        "A shop's RFM scores per buyer id, derived from its orders and rebuilt by every run; only the last two runs"
        " (and those a running coupon grant reads) are kept, and an erased user's orders name the tombstone, so the"
        " next runs no longer hold them."
    ),
    "coupon_grants": NotPersonal("A shop's grant of a coupon to a segment and its progress (counts)."),
    "ledger_head": NotPersonal("The ledger chain's head pointer."),
}


def personal(collection: str) -> Personal | None:
    rule = TABLE[collection]
    return rule if isinstance(rule, Personal) else None


def sections() -> list[tuple[str, Found]]:
    """(collection, where) of every archive section, in the table's order."""
    return [
        (name, found)
        for name, rule in TABLE.items()
        if isinstance(rule, Personal) and rule.export
        for found in rule.found
    ]


def exported(doc: Mapping[str, Any], rule: Personal) -> dict[str, Any]:
    """A document as the archive holds it: without the fields its rule omits."""
    return {k: v for k, v in doc.items() if k not in rule.omit}


# -- what erasure leaves ---------------------------------------------------------------------------------------
PRIVATE_EVERYTHING = {"activityVisibility": "PRIVATE", "showInSocialProof": False, "connectionsVisibility": "PRIVATE"}
USER_FIELDS_DROPPED: tuple[str, ...] = ("openid", "inviteCode", "invitedBy", "invitedVia", "region", "devNickname")
USER_FIELDS_DROPPED += ("birthday", "birthdayGiftDue", "birthdayGiftYear")  # resolvers/birthdays.py


def tombstone(now: int) -> tuple[dict[str, Any], list[str]]:
    """The `$set` and the fields to unset that turn a user into the tombstone of a deleted account."""
    changes: dict[str, Any] = {
        "nickname": DELETED_NICKNAME,
        "nicknameKey": "",  # "" and not None: the start-up claim of legacy nicknames skips it
        "avatarUrl": None,
        "bio": None,
        "influence": 0.0,
        "points": 0,
        "level": 1,
        "roles": [],
        "privacy": dict(PRIVATE_EVERYTHING),
        "deletedAt": now,
    }
    return changes, list(USER_FIELDS_DROPPED)


ADDRESS_KEPT = ("provinceCode", "provinceName", "cityCode", "cityName", "districtCode", "districtName", "postcode")


def erased_address(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """An order's address snapshot after its buyer deleted their account: the region (tax, shipping statistics)
    and postcode stay; who and where exactly go."""
    kept = {k: snapshot.get(k) for k in ADDRESS_KEPT}
    return {**kept, "recipient": DELETED_NICKNAME, "phone": "", "detail": "", "erased": True}

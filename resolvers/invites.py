"""Invite rewards (邀请有礼): a new user who signs up through someone's invite code or share token gets the welcome
coupon (the coupon WELCOME_COUPON_ID names, claimed through resolvers/coupons.py); the inviter earns INVITE_POINTS
once the invitee's first order is paid, taken back when that order is refunded (states: domain/invites.py).

Anti-abuse: only users new to the platform (no WeChat openid/unionid, or dev nickname, ever seen before: a keyed
hash of every login identity is kept in `login_traces`, so deleting an account and signing up again does not make
a new user), never the inviter themselves, one binding per user (the invitation's `_id` is the invitee's id), at
most INVITE_DAILY_CAP rewards a day per inviter (a guarded counter per inviter and day in `invite_days`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from domain import invites as rules
from domain.ids import BadGlobalId, from_global_id
from resolvers import points as points_uc
from resolvers.coupons import claim_coupon
from resolvers.distribution import bind_referrer
from resolvers.errors import Refused
from resolvers.services import Services
from store.protocol import Doc, DuplicateKey, Page

log = logging.getLogger(__name__)
CODE_FIELD = ["input", "code"]
MOVE_ATTEMPTS = 5


def _trace(services: Services, identity: str) -> str:
    key = services.settings.secret_key().encode()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()


async def first_seen(services: Services, identities: list[str]) -> bool:
    """Record that these login identities signed up; True when none of them ever had (a user new to the platform).
    Recording all of them even when one was seen keeps the next answer right."""
    new = True
    for identity in identities:
        try:
            await services.store.insert("login_traces", {"_id": _trace(services, identity), "at": services.now()})
        except DuplicateKey:
            new = False
    return new


def reward_key(invitation: Doc) -> str:
    """The ledger entry of an invitation's reward (resolvers/points.py): earned once, reversed once."""
    return f"invite:{invitation['_id']}"


async def signed_up(services: Services, user: Doc, inviter_id: str | None, code: str | None, new: bool) -> None:
    """At sign-up: bind a new user to the inviter their code names (silently nothing for an unknown code or a user
    not new to the platform: a login never fails over its invite code)."""
    if not inviter_id or not code or not new or inviter_id == user["_id"]:
        return
    if await _insert(services, user["_id"], inviter_id, code) is not None:
        await _welcome(services, user["_id"])


async def accept_invite(services: Services, user_id: str, code: str) -> Doc:
    """A signed-in user who came in without a code takes one: the same binding as at sign-up, refused (nothing
    written) for their own code, a second binding, or a user not new to the platform."""
    from resolvers.auth import inviter_of  # auth builds on this module at sign-up; imported here, one direction

    store = services.store
    code = (code or "").strip()
    if not code or len(code) > 64:
        raise Refused("INVALID_INPUT", "An invite code is required", CODE_FIELD)
    inviter = await inviter_of(services, code)
    if inviter is None:
        raise Refused("NOT_FOUND", "No such invite code", CODE_FIELD)
    if inviter == user_id:
        raise Refused("INVALID_INPUT", "You cannot invite yourself", CODE_FIELD)
    user = await store.get("users", user_id)
    if user is None:
        raise Refused("NOT_FOUND", "No such user")
    if await store.get("invitations", user_id) is not None or user.get("invitedBy") not in (None, inviter):
        raise Refused("ALREADY_EXISTS", "You were invited by someone already", CODE_FIELD)
    if not user.get("newToPlatform"):
        raise Refused("INVALID_STATE", "Invites are for users new to the platform", CODE_FIELD)
    if (await store.find("purchases", {"userId": user_id}, limit=1)).docs:
        raise Refused("INVALID_STATE", "Invites are for users who have not bought anything yet", CODE_FIELD)
    if user.get("invitedBy") is None and not await bind_referrer(services, user_id, code):
        again = await store.get("users", user_id) or user
        if again.get("invitedBy") is None:
            raise Refused(
                "INVALID_INPUT", "This invite code cannot bind you (its owner was invited by you)", CODE_FIELD
            )
        if again.get("invitedBy") != inviter:
            raise Refused("ALREADY_EXISTS", "You were invited by someone already", CODE_FIELD)
        # the same code taken at once by another request of yours: the invitation below is made once
    invitation = await _insert(services, user_id, inviter, code)
    if invitation is None:
        raise Refused("ALREADY_EXISTS", "You were invited by someone already", CODE_FIELD)
    await _welcome(services, user_id)
    return invitation


async def _insert(services: Services, invitee: str, inviter: str, code: str) -> Doc | None:
    doc = {
        "_id": invitee,
        "inviteeId": invitee,
        "inviterId": inviter,
        "code": code,
        "state": rules.SIGNED_UP,
        "signedUpAt": services.now(),
    }
    try:
        await services.store.insert("invitations", doc)
    except DuplicateKey:
        return None
    return doc


async def _welcome(services: Services, user_id: str) -> None:
    """The welcome coupon, when one is configured and copies are left (its absence never undoes the binding)."""
    coupon_id = services.settings.WELCOME_COUPON_ID
    if not coupon_id:
        return
    try:
        kind, raw = from_global_id(coupon_id)
        coupon_id = raw if kind == "Coupon" else coupon_id
    except BadGlobalId:
        pass
    try:
        await claim_coupon(services, user_id, coupon_id)
    except Refused as exc:
        log.warning("invites: no welcome coupon for %s: %s", user_id, exc)


async def on_order_paid(services: Services, order: Doc) -> None:
    """The invitee's first paid order: FIRST_ORDER_PAID, then REWARDED when the inviter is under the day's cap."""
    store = services.store
    invitation = await store.get("invitations", order["buyerId"])
    if invitation is None or invitation["state"] != rules.SIGNED_UP:
        return
    moved = await store.update_one(
        "invitations",
        {"_id": invitation["_id"], "state": rules.SIGNED_UP},
        {"$set": {"state": rules.FIRST_ORDER_PAID, "firstOrderId": order["_id"], "firstOrderPaidAt": services.now()}},
    )
    if moved is not None:
        await _reward(services, moved)


async def _reward(services: Services, invitation: Doc) -> None:
    store = services.store
    inviter, day = invitation["inviterId"], rules.reward_day(services.now())
    slot = f"{inviter}:{day}"
    try:
        await store.insert("invite_days", {"_id": slot, "inviterId": inviter, "day": day, "rewarded": 0})
    except DuplicateKey:
        pass
    cap = services.settings.INVITE_DAILY_CAP
    if (
        await store.update_one("invite_days", {"_id": slot, "rewarded": {"$lt": cap}}, {"$inc": {"rewarded": 1}})
        is None
    ):
        await store.update_one("invitations", {"_id": invitation["_id"]}, {"$set": {"capped": True}})
        return
    points = services.settings.INVITE_POINTS
    rewarded = await store.update_one(
        "invitations",
        {"_id": invitation["_id"], "state": rules.FIRST_ORDER_PAID},
        {"$set": {"state": rules.REWARDED, "rewardedAt": services.now(), "points": points, "rewardDay": day}},
    )
    if rewarded is None:  # refunded meanwhile: the day's slot goes back
        await store.update_one("invite_days", {"_id": slot}, {"$inc": {"rewarded": -1}})
        return
    await points_uc.earn(services, inviter, points, key=reward_key(invitation), reason="INVITE", ref=invitation["_id"])


async def on_order_refunded(services: Services, order: Doc) -> None:
    """The invitee's first order was refunded in full: REVERSED, and a reward given is taken back (once)."""
    store = services.store
    for _ in range(MOVE_ATTEMPTS):
        invitation = await store.get("invitations", order["buyerId"])
        if invitation is None or invitation.get("firstOrderId") != order["_id"]:
            return
        state = invitation["state"]
        if state not in rules.REVERSIBLE:
            return
        moved = await store.update_one(
            "invitations",
            {"_id": invitation["_id"], "state": state},
            {"$set": {"state": rules.REVERSED, "reversedAt": services.now(), "reversedFrom": state}},
        )
        if moved is not None:
            if state == rules.REWARDED and invitation.get("points"):
                await points_uc.reverse(services, reward_key(invitation), reason="INVITE_REVERSED")
            return


async def my_invites(services: Services, user_id: str, first: int, after: str | None) -> Page:
    """The users the viewer invited, newest first."""
    return await services.store.find(
        "invitations", {"inviterId": user_id}, sort="signedUpAt", direction=-1, limit=first, after=after
    )

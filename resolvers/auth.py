"""Logging in (WeChat code2Session, dev nicknames), access and refresh tokens.

Who a login names is kept in `identities` ({_id: "wechat:<openid>" | "union:<unionid>" | "dev:<nickname>"}), so the
unique `_id` alone makes concurrent first logins create one user. Refresh tokens are stored hashed, belong to a
family (one login), are rotated on every use, and a reused one revokes its whole family.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.profile import clean_nickname, profile_problems
from domain.tokens import (
    AccessClaims,
    InvalidToken,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
    read_access_token,
)
from integrations.wechat_login import (
    CODE_USED,
    HIGH_RISK,
    INVALID_CODE,
    RATE_LIMITED,
    WechatLoginError,
    WechatUnavailable,
)
from resolvers import invites
from resolvers.distribution import bind_referrer
from resolvers.errors import ApiError, Refused
from resolvers.loaders import Loaders
from resolvers.services import Services, now_ms
from resolvers.users import NICKNAME_FIELD, claim_nickname, new_user
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

INVITE_CODE_BYTES = 6


@dataclass(frozen=True)
class Session:
    user: Doc
    access_token: str
    refresh_token: str


async def _user_by_identity(services: Services, identity: str) -> Doc | None:
    found = await services.store.get("identities", identity)
    return await services.store.get("users", found["userId"]) if found else None


async def inviter_of(services: Services, code: str | None) -> str | None:
    """The user an invite code or share token names, if any (unknown codes are ignored, not an error)."""
    if not code:
        return None
    for collection in ("invites", "share_links"):
        found = await services.store.get(collection, code)
        if found:
            return str(found["userId"])
    return None


async def _create_user(services: Services, identities: list[str], nicknames: list[str], invite_code: str | None) -> Doc:
    """Create a user for the first identity with the first of `nicknames` nobody holds, or return the user a
    concurrent login created first; ALREADY_EXISTS (nothing kept) when every nickname is taken."""
    store = services.store
    inviter = await inviter_of(services, invite_code)
    user = new_user(
        nicknames[0],
        nicknameKey=None,
        invitedBy=inviter,
        invitedVia=invite_code if inviter else None,  # which link: a bargain's share token gives a larger cut
        inviteCode=secrets.token_urlsafe(INVITE_CODE_BYTES),
    )
    await store.insert("users", user)
    try:
        await store.insert("identities", {"_id": identities[0], "userId": user["_id"], "at": now_ms()})
    except DuplicateKey:
        await store.delete("users", user["_id"])  # lost the race: the other login's user is the one
        winner = await _user_by_identity(services, identities[0])
        if winner is None:
            raise
        return winner
    user = await _claim_first(services, user, identities[0], nicknames)
    await store.insert("invites", {"_id": user["inviteCode"], "userId": user["_id"]})
    for extra in identities[1:]:
        await _link(services, extra, user["_id"])
    new = await invites.first_seen(services, identities)
    user = await store.update_one("users", {"_id": user["_id"]}, {"$set": {"newToPlatform": new}}) or user
    await invites.signed_up(services, user, inviter, invite_code, new)
    return user


async def _claim_first(services: Services, user: Doc, identity: str, nicknames: list[str]) -> Doc:
    """The user with the first nickname it could claim; without one, the user and its identity are undone."""
    store = services.store
    for nickname in nicknames:
        try:
            key = await claim_nickname(services, user["_id"], nickname)
        except Refused:
            continue
        changes = {"nickname": nickname, "nicknameKey": key}
        return await store.update_one("users", {"_id": user["_id"]}, {"$set": changes}) or {**user, **changes}
    await store.delete("identities", identity)
    await store.delete("users", user["_id"])
    raise Refused("ALREADY_EXISTS", "This nickname, or one that looks just like it, is taken", NICKNAME_FIELD)


async def _link(services: Services, identity: str, user_id: str) -> None:
    try:
        await services.store.insert("identities", {"_id": identity, "userId": user_id, "at": now_ms()})
    except DuplicateKey:
        pass


async def start_session(services: Services, user: Doc, family: str | None = None) -> Session:
    settings = services.settings
    now = datetime.now(UTC)
    if family is None:
        family = new_id()
        await services.store.insert(
            "token_families", {"_id": family, "userId": user["_id"], "revoked": False, "createdAt": now_ms()}
        )
    access = issue_access_token(
        settings.secret_key(), user["_id"], now, timedelta(minutes=settings.ACCESS_TOKEN_MINUTES), family=family
    )
    refresh = new_refresh_token()
    expires = now + timedelta(days=settings.REFRESH_TOKEN_DAYS)
    await services.store.insert(
        "refresh_tokens",
        {
            "_id": hash_refresh_token(refresh),
            "userId": user["_id"],
            "family": family,
            "usedAt": None,
            "createdAt": now_ms(),
            "expiresAt": int(expires.timestamp() * 1000),
        },
    )
    return Session(user, access, refresh)


async def dev_login(services: Services, nickname: str, invite_code: str | None) -> Session:
    if not services.settings.DEV_LOGIN:
        raise Refused("FORBIDDEN", "devLogin exists only when DEV_LOGIN=1")
    problems = profile_problems(nickname=nickname)
    if problems:
        raise Refused("INVALID_INPUT", problems[0].message, NICKNAME_FIELD)
    return await start_session(services, await dev_user(services, nickname, invite_code))


async def dev_user(services: Services, nickname: str, invite_code: str | None = None) -> Doc:
    """The one user a dev nickname names, created on first use."""
    nickname = clean_nickname(nickname)
    identity = f"dev:{nickname}"
    existing = await _user_by_identity(services, identity)
    if existing is None:
        return await _create_user(services, [identity], [nickname], invite_code)
    if invite_code and await bind_referrer(services, existing["_id"], invite_code):
        existing = await services.store.get("users", existing["_id"]) or existing
    return existing


def wechat_nicknames(openid: str) -> list[str]:
    """A new WeChat user's nickname: 微信用户 and the end of the openid, longer when a shorter one is taken."""
    return [f"微信用户{openid[-n:]}" for n in (4, 8, 16)] + [f"微信用户{secrets.token_hex(6)}" for _ in range(3)]


async def wechat_login(services: Services, code: str, invite_code: str | None) -> Session:
    if services.wechat is None:
        raise Refused("FORBIDDEN", "WeChat login is not configured (WECHAT_APP_ID, WECHAT_APP_SECRET)")
    if not code or len(code) > 256:
        raise Refused("INVALID_INPUT", "A wx.login() code is required", ["input", "code"])
    try:
        who = await services.wechat.code2session(code)
    except WechatLoginError as exc:
        if exc.errcode in (INVALID_CODE, CODE_USED):
            raise Refused("INVALID_INPUT", "This login code is invalid or was used already", ["input", "code"]) from exc
        if exc.errcode == RATE_LIMITED:
            raise Refused("RATE_LIMITED", "Too many logins; try again in a minute") from exc
        if exc.errcode == HIGH_RISK:
            raise Refused("FORBIDDEN", "WeChat refused this login") from exc
        raise ApiError("UPSTREAM_ERROR", f"WeChat login failed ({exc.errcode})") from exc
    except WechatUnavailable as exc:
        raise ApiError("UPSTREAM_UNAVAILABLE", "WeChat cannot be reached; try again") from exc
    identities = [f"wechat:{who.openid}"] + ([f"union:{who.unionid}"] if who.unionid else [])
    user = None
    for identity in identities:
        user = await _user_by_identity(services, identity)
        if user is not None:
            break
    if user is None:
        user = await _create_user(services, identities, wechat_nicknames(who.openid), invite_code)
    else:
        for identity in identities:
            await _link(services, identity, user["_id"])
    if invite_code and await bind_referrer(services, user["_id"], invite_code):
        user = await services.store.get("users", user["_id"]) or user
    if user.get("openid") != who.openid:  # the mini-program's openid is who WeChat Pay charges
        user = await services.store.update_one("users", {"_id": user["_id"]}, {"$set": {"openid": who.openid}}) or user
    return await start_session(services, user)


async def refresh(services: Services, token: str) -> Session:
    """Rotate a refresh token; a token used twice revokes every token of its login (theft detection)."""
    store = services.store
    digest = hash_refresh_token(token)
    found = await store.get("refresh_tokens", digest)
    if found is None:
        raise Refused("UNAUTHENTICATED", "Unknown refresh token", ["input", "refreshToken"])
    family = await store.get("token_families", found["family"])
    if family is None or family["revoked"]:
        raise Refused("UNAUTHENTICATED", "This login was revoked; sign in again", ["input", "refreshToken"])
    if found["expiresAt"] <= now_ms():
        raise Refused("UNAUTHENTICATED", "Refresh token expired; sign in again", ["input", "refreshToken"])
    claimed = await store.update_one("refresh_tokens", {"_id": digest, "usedAt": None}, {"$set": {"usedAt": now_ms()}})
    if claimed is None:
        await revoke_family(services, found["family"])
        raise Refused(
            "UNAUTHENTICATED",
            "Refresh token reused; every session of this login was revoked",
            ["input", "refreshToken"],
        )
    user = await store.get("users", found["userId"])
    if user is None:
        raise Refused("UNAUTHENTICATED", "No such user", ["input", "refreshToken"])
    return await start_session(services, user, family=found["family"])


KNOWN_USER_SECONDS = 60.0  # how long a user found for a token is taken to exist without looking again
KNOWN_USERS_MAX = 10_000  # past this many, the memory of known users starts afresh
VERIFIED_TOKENS_MAX = 10_000  # past this many, the memory of checked signatures starts afresh


async def authenticate(services: Services, token: str, loaders: Loaders | None = None) -> AccessClaims:
    """The claims of an access token that is valid, of a login not revoked, for a user that exists; InvalidToken
    otherwise. The user is looked up (one indexed get, through the request's loader when given) at most once a
    minute per user per process: hot paths such as placeOrder pay nothing for it; a user that does not exist is
    looked up every time."""
    claims = _verified(services, token)
    if services.sessions is not None and services.sessions.is_revoked(claims.family):
        raise InvalidToken("this login was revoked")
    known, now = services.known_users, time.monotonic()
    if known.get(claims.user_id, 0.0) > now:
        return claims
    if loaders is not None:
        user = await loaders.user.load(claims.user_id)
    else:
        user = await services.store.get("users", claims.user_id)
    if user is None or user.get("deletedAt"):
        raise InvalidToken("no such user")
    if len(known) >= KNOWN_USERS_MAX:
        known.clear()
    known[claims.user_id] = now + KNOWN_USER_SECONDS
    return claims


def _verified(services: Services, token: str) -> AccessClaims:
    """The claims of a token whose signature is good: checked once per process (HS256 verification and the JWT's
    decoding are most of a small request's authentication), its expiry at every use, as PyJWT checks it."""
    checked = services.verified_tokens
    claims: AccessClaims | None = checked.get(token)
    if claims is None or claims.expires_at <= time.time():
        checked.pop(token, None)
        claims = read_access_token(services.settings.secret_key(), token)
        if len(checked) >= VERIFIED_TOKENS_MAX:
            checked.clear()
        checked[token] = claims
    return claims


async def revoke_family(services: Services, family: str) -> None:
    """Revoke a login: its refresh tokens here, its access tokens and open sockets in every process."""
    await services.store.update_one(
        "token_families", {"_id": family}, {"$set": {"revoked": True, "revokedAt": now_ms()}}
    )
    if services.sessions is not None:
        await services.sessions.revoke(family)


async def recent_revocations(services: Services) -> list[tuple[str, float]]:
    """(family, revoked at in seconds) of the logins revoked within an access token's life: their access tokens
    may still be unexpired."""
    since = now_ms() - services.settings.ACCESS_TOKEN_MINUTES * 60_000
    found: list[tuple[str, float]] = []
    after = None
    while True:
        page = await services.store.find(
            "token_families", {"revokedAt": {"$gte": since}}, sort="revokedAt", limit=500, after=after
        )
        found += [(doc["_id"], doc["revokedAt"] / 1000) for doc in page.docs]
        if page.next_cursor is None:
            return found
        after = page.next_cursor


async def logout(services: Services, token: str) -> None:
    """Revoke the login a refresh token belongs to (all its rotations)."""
    found = await services.store.get("refresh_tokens", hash_refresh_token(token))
    if found is not None:
        await revoke_family(services, found["family"])

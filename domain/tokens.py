"""Access tokens: short-lived HS256 JWTs carrying the user id in `sub` and their login (refresh-token family) in
`sid`, so that revoking the login revokes its access tokens too."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """Expired, forged, malformed or of the wrong algorithm."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    expires_at: int  # seconds since the epoch
    family: str | None  # the login it was issued for; None only for tokens issued without one


def issue_access_token(secret: str, user_id: str, now: datetime, ttl: timedelta, family: str | None = None) -> str:
    claims = {"sub": user_id, "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()), "typ": "access"}
    if family is not None:
        claims["sid"] = family
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(secret: str, token: str) -> AccessClaims:
    """The claims of a valid access token; InvalidToken otherwise (only HS256 is accepted, never `none`)."""
    try:
        options = {"require": ["exp", "iat", "sub"]}
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options=options)  # type: ignore[arg-type]
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("typ") != "access" or not isinstance(claims.get("sub"), str):
        raise InvalidToken("not an access token")
    family = claims.get("sid")
    if family is not None and not isinstance(family, str):
        raise InvalidToken("malformed login id")
    return AccessClaims(str(claims["sub"]), int(claims["exp"]), family)


def verify_access_token(secret: str, token: str) -> str:
    """The user id of a valid access token; InvalidToken otherwise."""
    return read_access_token(secret, token).user_id


def new_refresh_token() -> str:
    """An opaque refresh token: 256 random bits. Only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ExpiredToken(InvalidToken):
    """A genuine token past its expiry (a download link that is too old, not a forged one)."""


@dataclass(frozen=True)
class ExportClaims:
    """What a signed export URL lets its holder download: one shop's orders placed in [start, end), for as long
    as the user who asked for it may still read them."""

    user_id: str
    shop_id: str
    start: int  # ms since the epoch
    end: int
    expires_at: int  # ms since the epoch


def issue_export_token(secret: str, claims: ExportClaims) -> str:
    payload = {
        "typ": "export",
        "sub": claims.user_id,
        "shop": claims.shop_id,
        "from": claims.start,
        "to": claims.end,
        "exp_ms": claims.expires_at,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read_export_token(secret: str, token: str, now_ms: int) -> ExportClaims:
    """The claims of a genuine export token; InvalidToken when forged or malformed, ExpiredToken when too old (by
    the caller's clock, so that the service's clock decides, as it does for every other expiry)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"verify_exp": False})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    fields = (claims.get("sub"), claims.get("shop"), claims.get("from"), claims.get("to"), claims.get("exp_ms"))
    if claims.get("typ") != "export" or not all(isinstance(f, str) for f in fields[:2]):
        raise InvalidToken("not an export token")
    if not all(isinstance(f, int) and not isinstance(f, bool) for f in fields[2:]):
        raise InvalidToken("malformed export token")
    if claims["exp_ms"] <= now_ms:
        raise ExpiredToken("this export link has expired")
    return ExportClaims(claims["sub"], claims["shop"], claims["from"], claims["to"], claims["exp_ms"])


@dataclass(frozen=True)
class DownloadClaims:
    user_id: str
    export_id: str
    expires_at: int  # milliseconds since the epoch


def issue_download_token(secret: str, user_id: str, export_id: str, expires_at_ms: int) -> str:
    """The signed part of a data export's link: whose export, which one, until when (HS256, like access tokens,
    with its own `typ` so that neither passes for the other)."""
    claims = {"sub": user_id, "eid": export_id, "exp": expires_at_ms // 1000, "typ": "download"}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_download_token(secret: str, token: str, now_ms: int) -> DownloadClaims:
    """The claims of a genuine download token; ExpiredToken past its exp (by the app's clock, which tests move),
    InvalidToken when forged, tampered with, malformed or of another kind."""
    try:
        options = {"require": ["exp", "sub"], "verify_exp": False}
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options=options)  # type: ignore[arg-type]
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("typ") != "download" or not isinstance(claims.get("sub"), str):
        raise InvalidToken("not a download token")
    if not isinstance(claims.get("eid"), str) or not isinstance(claims.get("exp"), int):
        raise InvalidToken("malformed download token")
    if claims["exp"] * 1000 <= now_ms:
        raise ExpiredToken("this link has expired")
    return DownloadClaims(claims["sub"], claims["eid"], claims["exp"] * 1000)

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
    """Genuine, but past its `exp`."""


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

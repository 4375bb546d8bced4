"""Access tokens: short-lived HS256 JWTs carrying the user id in `sub`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """Expired, forged, malformed or of the wrong algorithm."""


def issue_access_token(secret: str, user_id: str, now: datetime, ttl: timedelta) -> str:
    claims = {"sub": user_id, "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()), "typ": "access"}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_access_token(secret: str, token: str, now: datetime | None = None) -> str:
    """The user id of a valid access token; InvalidToken otherwise (only HS256 is accepted, never `none`)."""
    try:
        options = {"require": ["exp", "iat", "sub"]}
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options=options)  # type: ignore[arg-type]
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("typ") != "access" or not isinstance(claims.get("sub"), str):
        raise InvalidToken("not an access token")
    return str(claims["sub"])


def new_refresh_token() -> str:
    """An opaque refresh token: 256 random bits. Only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

"""Preview links: a signed, expiring token that renders one revision of one page for whoever holds it. Signed
like the access tokens (domain/tokens.py: HS256 with the app's secret), with its own `typ`, so neither kind of
token is taken for the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jwt

from domain.tokens import ALGORITHM, InvalidToken

TYPE = "page_preview"


@dataclass(frozen=True)
class Preview:
    page_id: str
    revision_id: str
    expires_at: int  # seconds since the epoch


def issue_preview_token(secret: str, preview: Preview, now: datetime) -> str:
    claims = {"typ": TYPE, "sub": preview.page_id, "rev": preview.revision_id, "iat": int(now.timestamp())}
    return jwt.encode({**claims, "exp": preview.expires_at}, secret, algorithm=ALGORITHM)


def read_preview_token(secret: str, token: str, now: datetime) -> Preview:
    """What a valid preview token grants; InvalidToken when it is expired, forged or not a preview token."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub", "rev"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("typ") != TYPE or not isinstance(claims["sub"], str) or not isinstance(claims["rev"], str):
        raise InvalidToken("not a preview token")
    if int(claims["exp"]) <= now.timestamp():  # the app's clock, which tests move
        raise InvalidToken("the preview link has expired")
    return Preview(claims["sub"], claims["rev"], int(claims["exp"]))

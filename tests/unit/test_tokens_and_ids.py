"""Pure rules: access tokens and global ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from domain.ids import BadGlobalId, from_global_id, to_global_id
from domain.tokens import InvalidToken, issue_access_token, verify_access_token

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = "a-test-key-that-is-long-enough-for-hs256"


def test_an_issued_token_verifies_to_its_user() -> None:
    token = issue_access_token(KEY, "u1", datetime.now(UTC), timedelta(minutes=15))
    assert verify_access_token(KEY, token) == "u1"


def test_an_expired_token_is_invalid() -> None:
    token = issue_access_token(KEY, "u1", NOW - timedelta(hours=1), timedelta(minutes=15))
    with pytest.raises(InvalidToken):
        verify_access_token(KEY, token)


@pytest.mark.parametrize("key, alg", [("another-test-key-that-is-long-enough!!", "HS256"), (None, "none")])
def test_forged_or_unsigned_tokens_are_invalid(key: str | None, alg: str) -> None:
    token = jwt.encode({"sub": "u1", "iat": 1, "exp": 4102444800, "typ": "access"}, key, algorithm=alg)
    with pytest.raises(InvalidToken):
        verify_access_token(KEY, token)


def test_a_token_without_subject_or_of_another_type_is_invalid() -> None:
    for claims in ({"iat": 1, "exp": 4102444800, "typ": "access"}, {"sub": "u", "iat": 1, "exp": 4102444800}):
        with pytest.raises(InvalidToken):
            verify_access_token(KEY, jwt.encode(claims, KEY, algorithm="HS256"))


def test_global_ids_round_trip_and_are_opaque() -> None:
    gid = to_global_id("User", "01abc")
    assert "User" not in gid
    assert from_global_id(gid) == ("User", "01abc")


@pytest.mark.parametrize("bad", ["", "!!!", to_global_id("User", "x")[:-3] + "###", "VXNlcg"])
def test_malformed_global_ids_are_rejected(bad: str) -> None:
    with pytest.raises(BadGlobalId):
        from_global_id(bad)

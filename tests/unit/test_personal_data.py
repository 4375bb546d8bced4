"""The data-rights table: every collection classified, every collection the code names declared, every way of
finding a user's documents indexed, every DELETED or ANONYMISED collection erased by a step. And the pure rules:
what an order's address keeps, what the tombstone drops, what a download link accepts."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from domain import account_deletion, personal_data
from domain.personal_data import ANONYMISED, DELETED, KEPT, TABLE, NotPersonal, Personal
from domain.tokens import (
    ExpiredToken,
    InvalidToken,
    issue_access_token,
    issue_download_token,
    read_access_token,
    read_download_token,
)
from resolvers.account_erasure import ERASERS
from store.collections import COLLECTIONS, INDEXES

ROOT = Path(__file__).resolve().parents[2]
STORE_METHODS = {"get", "get_many", "find", "count", "insert", "insert_many", "update_one", "set_many", "delete"}
COLLECTION_ARG = {"increment": 1, "_all_docs": 1, "_all_pairs": 1, "_exists": 1, "doc_loader": 1}


def test_every_collection_is_classified_and_nothing_else() -> None:
    assert sorted(TABLE) == sorted(COLLECTIONS), "classify each new collection in domain/personal_data.py TABLE"
    assert len(set(COLLECTIONS)) == len(COLLECTIONS)


def test_every_rule_says_why_and_what() -> None:
    for name, rule in TABLE.items():
        assert rule.why.strip(), name
        if isinstance(rule, Personal):
            assert rule.erasure in (DELETED, ANONYMISED, KEPT), name
            assert rule.found or not rule.export, f"{name} is exported but says nowhere where a user's documents are"


def test_every_indexed_collection_is_declared() -> None:
    assert {i.collection for i in INDEXES} <= set(COLLECTIONS)


def _named_collections() -> dict[str, str]:
    """Collections the application code names: the first argument of a store call (store.get("x", ...)), the
    collection argument of the helpers that take one, or a module constant passed as either."""
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("tests", ".venv", "bench") or "node_modules" in parts:
            continue
        tree = ast.parse(path.read_text())
        constants = {
            t.id: n.value.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func, arg = node.func, None
            if isinstance(func, ast.Attribute) and func.attr in STORE_METHODS:
                receiver = func.value
                if isinstance(receiver, ast.Name | ast.Attribute) and "store" in ast.unparse(receiver).lower():
                    arg = node.args[0]
            elif isinstance(func, ast.Name) and func.id in COLLECTION_ARG and len(node.args) > COLLECTION_ARG[func.id]:
                arg = node.args[COLLECTION_ARG[func.id]]
            name = None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                name = arg.value
            elif isinstance(arg, ast.Name) and arg.id in constants:
                name = constants[arg.id]
            if name is not None:
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_every_collection_the_code_names_is_declared() -> None:
    named = _named_collections()
    assert {"orders", "users", "unpaid_holds", "heat_seen", "data_exports"} <= set(named)  # the scan finds them
    undeclared = {name: where for name, where in named.items() if name not in COLLECTIONS}
    assert not undeclared, f"declare these in store/collections.py COLLECTIONS: {undeclared}"


def test_every_way_of_finding_a_users_documents_is_indexed() -> None:
    indexed = {(i.collection, i.fields[:2]) for i in INDEXES} | {(i.collection, i.fields[:1]) for i in INDEXES}
    for name, rule in TABLE.items():
        if not isinstance(rule, Personal):
            continue
        for found in rule.found:
            if found.field == "_id":
                continue
            want = (found.field,) if found.sort == "_id" else (found.field, found.sort)
            assert (name, want) in indexed, f"{name}: no index starts with {want}"


def test_archive_sections_have_distinct_names() -> None:
    names = [found.section for _, found in personal_data.sections()]
    assert len(names) == len(set(names)) and "" not in names


def test_each_deleted_or_anonymised_collection_has_an_erasure_step_and_kept_ones_none() -> None:
    erased = {n for n, r in TABLE.items() if isinstance(r, Personal) and r.erasure in (DELETED, ANONYMISED)}
    assert set(ERASERS) == erased
    assert next(iter(ERASERS)) == "token_families" and list(ERASERS)[-1] == "users"  # logins first, tombstone last


def test_not_personal_collections_hold_no_user_field() -> None:
    # a reminder with teeth: a not-personal collection found by a user field would be a mistake in the table
    for name, rule in TABLE.items():
        if isinstance(rule, NotPersonal):
            assert not any(i.collection == name and i.fields[0] in ("userId", "buyerId", "authorId") for i in INDEXES)


def test_an_erased_address_keeps_the_region_and_nothing_that_finds_the_person() -> None:
    snapshot = {
        "recipient": "王五",
        "phone": "13712345678",
        "provinceCode": "310000",
        "provinceName": "上海市",
        "cityCode": "310100",
        "cityName": "上海市",
        "districtCode": "310104",
        "districtName": "徐汇区",
        "detail": "漕溪北路1号",
        "postcode": "200030",
    }
    erased = personal_data.erased_address(snapshot)
    assert erased["districtName"] == "徐汇区" and erased["postcode"] == "200030"
    assert erased["recipient"] == "已注销用户" and erased["phone"] == "" and erased["detail"] == ""
    assert "王五" not in str(erased) and "5678" not in str(erased) and "漕溪" not in str(erased)


def test_the_tombstone_drops_every_identifier() -> None:
    changes, dropped = personal_data.tombstone(1)
    assert changes["nickname"] == "已注销用户" and changes["avatarUrl"] is None and changes["deletedAt"] == 1
    assert changes["nicknameKey"] == ""  # not None: the start-up claim of legacy nicknames would take it
    assert {"openid", "inviteCode", "invitedBy", "region"} <= set(dropped)
    assert changes["privacy"]["showInSocialProof"] is False


def test_a_negative_balance_does_not_block_a_deletion_but_money_does() -> None:
    assert not account_deletion.balance_blocks(None)
    assert not account_deletion.balance_blocks({"frozen": 0, "available": -300, "withdrawn": 500})
    assert account_deletion.balance_blocks({"frozen": 0, "available": 1, "withdrawn": 0})
    assert account_deletion.balance_blocks({"frozen": 20, "available": 0, "withdrawn": 0})


# -- download links ---------------------------------------------------------------------------------------------
SECRET = "a-secret-of-some-length-for-tests"
NOW = 1_700_000_000_000


def test_a_download_token_names_its_user_and_export_until_it_expires() -> None:
    token = issue_download_token(SECRET, "u1", "e1", NOW + 60_000)
    claims = read_download_token(SECRET, token, NOW)
    assert (claims.user_id, claims.export_id) == ("u1", "e1")
    with pytest.raises(ExpiredToken):
        read_download_token(SECRET, token, NOW + 60_000)


def test_forged_tampered_and_foreign_tokens_are_refused() -> None:
    token = issue_download_token(SECRET, "u1", "e1", NOW + 60_000)
    with pytest.raises(InvalidToken):
        read_download_token("another-secret-of-some-length-too", token, NOW)
    claims = {"sub": "u1", "eid": "e2", "exp": (NOW + 60_000) // 1000, "typ": "download"}
    forged = jwt.encode(claims, "a-guessed-secret-of-enough-length")
    with pytest.raises(InvalidToken):
        read_download_token(SECRET, forged, NOW)
    head, body, sig = token.split(".")
    with pytest.raises(InvalidToken):
        read_download_token(SECRET, f"{head}.{body[:-2]}xx.{sig}", NOW)
    access = issue_access_token(SECRET, "u1", datetime.now(UTC), timedelta(minutes=5))
    with pytest.raises(InvalidToken):
        read_download_token(SECRET, access, NOW)
    later = int(datetime.now(UTC).timestamp() * 1000) + 60_000
    with pytest.raises(InvalidToken):  # nor does a download token pass for an access token
        read_access_token(SECRET, issue_download_token(SECRET, "u1", "e1", later))

"""Expected errors (bad ids, refusals, malformed requests) are logged at INFO without a trace and with the query
cut short; an unexpected one is logged once at ERROR with its trace."""

from __future__ import annotations

import logging

import pytest

from schema.errors import QUERY_LOG_CHARS
from tests.api.conftest import Api

PADDING = "#" + "x" * 5000 + "\n"  # a comment: part of the query text, nothing else


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_bad_id_logs_nothing_at_error_and_no_more_than_the_start_of_the_query(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # when a client sends a long query with a bad id
    body = await api.gql(PADDING + '{ node(id: "garbage!") { id } }', expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    # then nothing is logged at ERROR, and what is logged has no trace and at most the start of the query
    assert errors_logged(caplog) == []
    info = [r for r in caplog.records if "INVALID_INPUT" in r.getMessage()]
    assert len(info) == 1 and info[0].levelno == logging.INFO
    assert info[0].exc_info is None
    assert len(info[0].getMessage()) < QUERY_LOG_CHARS + 300


async def test_refusals_and_client_mistakes_log_nothing_at_error(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    # given a FORBIDDEN refusal, a wrong variable type, a garbage cursor, a validation error and malformed requests
    token, _ = await api.login("普通用户")
    caplog.set_level(logging.INFO)
    await api.gql("{ verifyCommissionLedger { ok } }", token=token, expect_errors=True)
    await api.gql("query($f: Int) { products(first: $f) { edges { cursor } } }", {"f": "ten"}, expect_errors=True)
    await api.gql('{ products(after: "zzzz") { edges { cursor } } }', expect_errors=True)
    await api.gql("{ noSuchField }", expect_errors=True)
    await api.client.post("/graphql", data=b"null", headers={"Content-Type": "application/json"})
    await api.client.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Big": "a" * 20_000})
    gzip = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    await api.client.post("/graphql", data=b'{"query": "{ __typename }"}', headers=gzip)
    # then none of them is logged as an error
    assert errors_logged(caplog) == []


async def test_an_unexpected_error_is_logged_once_at_error_with_its_trace(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    # given a store that fails in a way no client can cause (once the projector has nothing left to read)
    await api.services.projector.drain()

    async def explode(*args: object) -> object:
        raise RuntimeError("the disk caught fire")

    api.services.store.get_many = explode  # type: ignore[method-assign,assignment]
    caplog.set_level(logging.INFO)
    # when a query reaches it
    body = await api.gql(PADDING + "{ products(first: 1) { edges { node { shop { name } } } } }", expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    # then it is logged exactly once at ERROR, with the trace and the start of the query only
    logged = errors_logged(caplog)
    assert len(logged) == 1
    assert logged[0].exc_info is not None and "the disk caught fire" in str(logged[0].exc_info[1])
    assert len(logged[0].getMessage()) < QUERY_LOG_CHARS + 300

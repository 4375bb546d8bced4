"""Neo4jGraph: the GraphStore on Neo4j through the official async driver (Cypher, MERGE for idempotence)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlsplit, urlunsplit

from neo4j import AsyncDriver, AsyncGraphDatabase
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph.protocol import RELATIONS, Direction, GraphUnavailable, endpoints

P = ParamSpec("P")
R = TypeVar("R")
# How long the driver retries a query through a lost connection before GraphUnavailable (its default is 30 s: a
# traversal in a request would hang that long while the server is down).
RETRY_SECONDS = 1.0
DOWN = (ServiceUnavailable, SessionExpired)


def reachable(
    method: Callable[Concatenate[Neo4jGraph, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[Neo4jGraph, P], Coroutine[Any, Any, R]]:
    """The driver's "no server answers" errors as GraphUnavailable. Once a call found the server gone, the next
    ones first check it answers (one connection attempt, refused at once while it is down) instead of each
    retrying for RETRY_SECONDS: a write whose side read needs the graph is not held up by the outage."""

    @functools.wraps(method)
    async def call(self: Neo4jGraph, *args: P.args, **kwargs: P.kwargs) -> R:
        if self.down:
            await self._probe()
        try:
            return await method(self, *args, **kwargs)
        except DOWN as exc:
            self.down = True
            raise unavailable(exc) from exc

    return call


def unavailable(exc: Exception) -> GraphUnavailable:
    return GraphUnavailable(f"{type(exc).__name__}: {str(exc)[:200]}")


def _auth_and_url(url: str) -> tuple[str, Any]:
    """Credentials may ride in the URL (bolt://user:pass@host:7687); no credentials means auth off."""
    parts = urlsplit(url)
    if parts.username:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc)), (parts.username, parts.password or "")
    return url, None


BULK = 5000
STAMP_LABEL = "Projection"  # one node holding the projection's stamp; clear() deletes it with the rest


class Neo4jGraph:
    kind = "neo4j"

    def __init__(self, url: str, database: str | None = None) -> None:
        self.url = url
        self.database = database
        self._driver: AsyncDriver | None = None
        self.down = False  # a call found the server gone; the next ones check it is back first

    @property
    def driver(self) -> AsyncDriver:
        if self._driver is None:
            raise RuntimeError("Neo4jGraph is not open")
        return self._driver

    async def open(self) -> None:
        url, auth = _auth_and_url(self.url)
        # "relationship type does not exist yet" and the like are not worth a log line per query
        self._driver = AsyncGraphDatabase.driver(
            url, auth=auth, notifications_min_severity="OFF", max_transaction_retry_time=RETRY_SECONDS
        )
        await self.ping()
        for label in sorted({label for pair in RELATIONS.values() for label in pair}):
            await self._write(
                f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
            )

    async def close(self) -> None:
        if self._driver is not None:
            await self._driver.close()
            self._driver = None

    @reachable
    async def ping(self) -> None:
        await self.driver.verify_connectivity()

    async def _probe(self) -> None:
        try:
            await self.driver.verify_connectivity()
        except DOWN as exc:
            raise unavailable(exc) from exc
        self.down = False

    async def _write(self, cypher: str, **params: Any) -> None:
        await self.driver.execute_query(cypher, params, database_=self.database)

    async def _read(self, cypher: str, **params: Any) -> list[Any]:
        records, _, _ = await self.driver.execute_query(cypher, params, database_=self.database, routing_="r")
        return records

    @reachable
    async def add_edge(self, rel: str, src: str, dst: str) -> None:
        a, b = endpoints(rel)
        await self._write(
            f"MERGE (s:{a} {{id: $src}}) MERGE (d:{b} {{id: $dst}}) MERGE (s)-[:{rel}]->(d)", src=src, dst=dst
        )

    @reachable
    async def add_edges(self, rel: str, pairs: Sequence[tuple[str, str]]) -> None:
        a, b = endpoints(rel)
        for i in range(0, len(pairs), BULK):
            rows = [{"s": s, "d": d} for s, d in pairs[i : i + BULK]]
            await self._write(
                f"UNWIND $rows AS row MERGE (s:{a} {{id: row.s}}) MERGE (d:{b} {{id: row.d}}) MERGE (s)-[:{rel}]->(d)",
                rows=rows,
            )

    @reachable
    async def remove_edge(self, rel: str, src: str, dst: str) -> None:
        a, b = endpoints(rel)
        await self._write(f"MATCH (:{a} {{id: $src}})-[r:{rel}]->(:{b} {{id: $dst}}) DELETE r", src=src, dst=dst)

    @reachable
    async def neighbors(self, rel: str, node: str, direction: Direction = "out", limit: int = 1000) -> list[str]:
        a, b = endpoints(rel)
        pattern = (
            f"(:{a} {{id: $node}})-[:{rel}]->(n:{b})"
            if direction == "out"
            else (f"(n:{a})-[:{rel}]->(:{b} {{id: $node}})")
        )
        records = await self._read(
            f"MATCH {pattern} RETURN n.id AS id ORDER BY id LIMIT $limit", node=node, limit=limit
        )
        return [r["id"] for r in records]

    @reachable
    async def two_hop(
        self, rel: str, start: str, *, limit: int = 20, exclude: Collection[str] = ()
    ) -> list[tuple[str, int]]:
        a, _ = endpoints(rel)
        records = await self._read(
            f"MATCH (s:{a} {{id: $start}})-[:{rel}]->(m)-[:{rel}]->(c) "
            f"WHERE c <> s AND NOT (s)-[:{rel}]->(c) AND NOT c.id IN $exclude "
            "RETURN c.id AS id, count(DISTINCT m) AS n ORDER BY n DESC, id ASC LIMIT $limit",
            start=start,
            exclude=list(exclude),
            limit=limit,
        )
        return [(r["id"], int(r["n"])) for r in records]

    @reachable
    async def neighbor_counts(
        self, rel: str, starts: Collection[str], direction: Direction = "out", limit: int = 100
    ) -> list[tuple[str, int]]:
        a, b = endpoints(rel)
        pattern = f"(s:{a})-[:{rel}]->(n:{b})" if direction == "out" else f"(n:{a})-[:{rel}]->(s:{b})"
        records = await self._read(
            f"UNWIND $starts AS sid MATCH {pattern} WHERE s.id = sid "
            "RETURN n.id AS id, count(DISTINCT s) AS n ORDER BY n DESC, id ASC LIMIT $limit",
            starts=sorted(set(starts)),
            limit=limit,
        )
        return [(r["id"], int(r["n"])) for r in records]

    async def edges(self, rel: str, batch: int = 10_000) -> AsyncIterator[list[tuple[str, str]]]:
        a, b = endpoints(rel)
        if self.down:
            await self._probe()
        try:
            async with self.driver.session(database=self.database, fetch_size=batch) as session:
                result = await session.run(f"MATCH (s:{a})-[:{rel}]->(d:{b}) RETURN s.id AS s, d.id AS d")
                chunk: list[tuple[str, str]] = []
                async for record in result:
                    chunk.append((record["s"], record["d"]))
                    if len(chunk) >= batch:
                        yield chunk
                        chunk = []
                if chunk:
                    yield chunk
        except DOWN as exc:
            self.down = True
            raise unavailable(exc) from exc

    @reachable
    async def clear(self) -> None:
        # CALL ... IN TRANSACTIONS needs an auto-commit transaction, hence session.run.
        async with self.driver.session(database=self.database) as session:
            result = await session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
            await result.consume()

    @reachable
    async def stamp(self) -> str | None:
        records = await self._read(f"MATCH (m:{STAMP_LABEL} {{id: 'stamp'}}) RETURN m.value AS value")
        return records[0]["value"] if records else None

    @reachable
    async def set_stamp(self, value: str) -> None:
        await self._write(f"MERGE (m:{STAMP_LABEL} {{id: 'stamp'}}) SET m.value = $value", value=value)

"""MongoStore: the DocumentStore on MongoDB (or a MongoDB-wire server) through PyMongo's async API."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, Literal, ParamSpec, TypeVar

from pymongo import AsyncMongoClient, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError, OperationFailure

from store.cursor import decode_cursor, fetched, page_of
from store.protocol import Doc, DuplicateKey, Filter, Index, Page, StoreUnavailable, Update

P = ParamSpec("P")
R = TypeVar("R")
# How long a call waits for a reachable server before StoreUnavailable (PyMongo's serverSelectionTimeoutMS); a
# `serverSelectionTimeoutMS` in MONGO_URL wins.
SERVER_SELECTION_MS = 5000


def reachable(method: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """PyMongo's "no server answers" errors (server selection timed out, connection reset, network timeout) as
    StoreUnavailable, the one outage error every store raises."""

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except ConnectionFailure as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    return call


def _is_duplicate_key(exc: OperationFailure) -> bool:
    # FerretDB 1.x reports a unique-index conflict inside findAndModify as InternalError (code 1) carrying
    # SQLite's message, where MongoDB says DuplicateKey (11000); both mean the same to callers.
    return isinstance(exc, DuplicateKeyError) or (exc.code == 1 and "UNIQUE constraint failed" in str(exc))


class MongoStore:
    kind = "mongo"

    def __init__(self, url: str, database: str) -> None:
        self.url = url
        self.database_name = database
        self._client: AsyncMongoClient[Doc] | None = None

    @property
    def _db(self) -> Any:
        if self._client is None:
            raise RuntimeError("MongoStore is not open")
        return self._client[self.database_name]

    async def open(self) -> None:
        given = "serverselectiontimeoutms" in self.url.lower()
        options: dict[str, Any] = {} if given else {"serverSelectionTimeoutMS": SERVER_SELECTION_MS}
        self._client = AsyncMongoClient(self.url, tz_aware=True, **options)
        await self.ping()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    @reachable
    async def ping(self) -> None:
        await self._db.command("ping")

    @reachable
    async def ensure_index(self, index: Index) -> None:
        keys = [(f, 1) for f in index.fields]
        name = "__".join(f.replace(".", "_") for f in index.fields) + ("__u" if index.unique else "")
        await self._db[index.collection].create_index(keys, unique=index.unique, name=name)

    @reachable
    async def insert(self, collection: str, doc: Doc) -> None:
        try:
            await self._db[collection].insert_one(dict(doc))
        except DuplicateKeyError as exc:
            raise DuplicateKey(collection, str(exc.details or exc)) from exc

    @reachable
    async def insert_many(self, collection: str, docs: Sequence[Doc]) -> None:
        if not docs:
            return
        try:
            await self._db[collection].insert_many([dict(d) for d in docs], ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") == 11000 for e in exc.details.get("writeErrors", [])):
                raise DuplicateKey(collection, "insert_many") from exc
            raise

    @reachable
    async def get(self, collection: str, doc_id: str) -> Doc | None:
        found: Doc | None = await self._db[collection].find_one({"_id": doc_id})
        return found

    @reachable
    async def get_many(self, collection: str, ids: Sequence[str]) -> dict[str, Doc]:
        if not ids:
            return {}
        cursor = self._db[collection].find({"_id": {"$in": list(dict.fromkeys(ids))}})
        return {doc["_id"]: doc async for doc in cursor}

    @reachable
    async def find(
        self,
        collection: str,
        where: Filter | None = None,
        *,
        sort: str = "_id",
        direction: Literal[1, -1] = 1,
        limit: int = 100,
        after: str | None = None,
        fields: Sequence[str] | None = None,
    ) -> Page:
        query: dict[str, Any] = dict(where or {})
        if after is not None:
            value, last_id = decode_cursor(after)
            cmp = "$gt" if direction == 1 else "$lt"
            keyset: dict[str, Any] = (
                {"_id": {cmp: last_id}}
                if sort == "_id"
                # the plain bound bounds the index scan; the $or alone may leave the planner scanning from the start
                else {sort: {cmp + "e": value}, "$or": [{sort: {cmp: value}}, {sort: value, "_id": {cmp: last_id}}]}
            )
            query = {"$and": [query, keyset]} if query else keyset
        order = [(sort, direction)] if sort == "_id" else [(sort, direction), ("_id", direction)]
        projection = None if fields is None else {"_id": 1, **dict.fromkeys(fetched(fields, sort), 1)}
        cursor = self._db[collection].find(query, projection).sort(order).limit(limit + 1)
        return page_of([doc async for doc in cursor], sort, limit, fields)

    @reachable
    async def count(self, collection: str, where: Filter | None = None) -> int:
        return int(await self._db[collection].count_documents(dict(where or {})))

    @reachable
    async def update_one(self, collection: str, where: Filter, update: Update) -> Doc | None:
        try:
            found: Doc | None = await self._db[collection].find_one_and_update(
                dict(where),
                {op: dict(fields) for op, fields in update.items()},
                return_document=ReturnDocument.AFTER,
            )
        except OperationFailure as exc:
            if _is_duplicate_key(exc):
                raise DuplicateKey(collection, str(exc.details or exc)) from exc
            raise
        return found

    @reachable
    async def set_many(self, collection: str, changes: Mapping[str, Mapping[str, Any]]) -> int:
        if not changes:
            return 0
        ops = [UpdateOne({"_id": i}, {"$set": dict(fields)}) for i, fields in changes.items()]
        result = await self._db[collection].bulk_write(ops, ordered=False)
        return int(result.modified_count)

    @reachable
    async def delete(self, collection: str, doc_id: str) -> bool:
        result = await self._db[collection].delete_one({"_id": doc_id})
        return bool(result.deleted_count)

    async def drop_all(self) -> None:
        if self._client is not None:
            await self._client.drop_database(self.database_name)

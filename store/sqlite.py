"""SqliteStore: the embedded DocumentStore. One table per collection holding JSON documents, expression
indexes on `json_extract`, WAL. All access goes through one connection on one worker thread, so guarded
updates are atomic within a process; `BEGIN IMMEDIATE` makes them atomic across processes too."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, TypeVar

import orjson

from store.cursor import decode_cursor, fetched, page_of
from store.protocol import COMPARISONS, Doc, DuplicateKey, Filter, Index, Page, Update
from store.updates import apply_update

log = logging.getLogger(__name__)

T = TypeVar("T")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_SQL_OPS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


def _table(collection: str) -> str:
    if not _NAME.match(collection):
        raise ValueError(f"bad collection name {collection!r}")
    return f'"{collection}"'


def _expr(field: str) -> str:
    if field == "_id":
        return "id"
    if not _FIELD.match(field):
        raise ValueError(f"bad field name {field!r}")
    return f"json_extract(doc, '$.{field}')"


def _param(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        raise ValueError("filters compare scalar values only")
    return value


def where_sql(where: Filter | None) -> tuple[str, list[Any]]:
    """Translate a filter into a SQL condition and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    for field, cond in (where or {}).items():
        expr = _expr(field)
        ops = cond if isinstance(cond, dict) else {"$eq": cond}
        for op, value in ops.items():
            if op == "$eq" and value is None:
                clauses.append(f"{expr} IS NULL")
            elif op == "$eq":
                clauses.append(f"{expr} = ?")
                params.append(_param(value))
            elif op == "$ne":
                clauses.append(f"{expr} IS NOT ?")
                params.append(_param(value))
            elif op == "$in":
                values = [_param(v) for v in value]
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{expr} IN ({','.join('?' * len(values))})")
                params.extend(values)
            elif op in _SQL_OPS:
                clauses.append(f"{expr} {_SQL_OPS[op]} ?")
                params.append(_param(value))
            else:
                raise ValueError(f"unsupported filter operator {op!r}; use one of {COMPARISONS}")
    return (" AND ".join(clauses) or "1"), params


def past_cursor(where: Filter | None, sort: str, direction: int, value: Any) -> Filter | None:
    """The filter without a bound on the sort key that the cursor's makes redundant (a lower bound of an ascending
    page at or below the cursor's value): SQLite uses one lower bound of a column to seek its index, and would pick
    the filter's (the start of the range) over the cursor's on every page."""
    cond = (where or {}).get(sort)
    if not isinstance(cond, dict):
        return where
    kept = dict(cond)
    for op in ("$gt", "$gte") if direction == 1 else ("$lt", "$lte"):
        bound = kept.get(op)
        if bound is None or isinstance(bound, bool) or type(bound) is not type(value):
            continue
        looser = bound < value if direction == 1 else bound > value
        if looser or (op.endswith("e") and bound == value):
            del kept[op]
    if kept == cond:
        return where
    narrowed = {k: v for k, v in (where or {}).items() if k != sort}
    return {**narrowed, sort: kept} if kept else narrowed


def projected(names: list[str]) -> str:
    """The SQL of a document cut down to `_id` and the named top-level fields (checked names), as JSON text: Python
    then parses a few dozen bytes instead of the whole document. `doc -> '$.f'` is the field's JSON (SQL NULL when
    the document has no such field, so missing fields stay missing and nulls stay null); SQLite parses `doc` once
    per row for all of them."""
    parts = "".join(f""" || coalesce(',"{name}":' || (doc -> '$.{name}'), '')""" for name in names)
    return f"""'{{"_id":' || json_quote(id){parts} || '}}'"""


# get_many of at most this many ids counts as a small statement (see SqliteStore._run_small)
SMALL_READ = 100
CHECKPOINT_SECONDS = 1.0
BULK_CHECKPOINT_ROWS = 2000  # a bulk write of this many rows checkpoints the WAL itself
INSERT_CHUNK = 5000  # documents per statement of a bulk insert


class SqliteStore:
    kind = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        self._conn: sqlite3.Connection | None = None
        self._tables: set[str] = set()
        self._queued = 0  # jobs handed to the executor and not yet back on the loop
        self._idle = asyncio.Event()
        self._idle.set()
        self._checkpointer: asyncio.Task[None] | None = None

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """On the store's one thread: a query that may read many rows must not hold up the event loop."""
        self._queued += 1
        self._idle.clear()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        finally:
            self._queued -= 1
            if not self._queued:
                self._idle.set()

    async def _run_small(self, fn: Callable[..., T], *args: Any) -> T:
        """A statement on a few rows (tens of microseconds): run right here on the event loop, which saves the
        hand-off to the store's thread (it was half of placeOrder's time). While that thread has work, wait for
        it to finish first, so the connection is only ever used by one thread at a time, in order."""
        while self._queued:
            await self._idle.wait()
        return fn(*args)

    # -- lifecycle -------------------------------------------------------------------------------------
    async def open(self) -> None:
        await self._run(self._open)
        if self.path != ":memory:":
            self._checkpointer = asyncio.create_task(self._checkpoints(), name="sqlite-checkpoints")

    async def _checkpoints(self) -> None:
        """Every CHECKPOINT_SECONDS, a PASSIVE checkpoint on a connection of its own, in a thread of its own: it
        copies what it can without waiting for (or holding up) readers and writers on the main connection."""
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint") as thread:
            conn = await loop.run_in_executor(
                thread, lambda: sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            )
            try:
                while True:
                    await asyncio.sleep(CHECKPOINT_SECONDS)
                    try:
                        await loop.run_in_executor(thread, conn.execute, "PRAGMA wal_checkpoint(PASSIVE)")
                    except sqlite3.Error:
                        log.warning("sqlite checkpoint failed; trying again later", exc_info=True)
            finally:
                # On its thread, after any checkpoint still running there: closing a connection another thread
                # is using crashes the process (a checkpoint cancelled by close() goes on in its thread).
                await loop.run_in_executor(thread, conn.close)

    def _open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # Checkpoints copy the WAL into the database file and sync it (tens of milliseconds on a slow disk). Left
        # automatic, the write that crosses the threshold pays for it, on the event loop for small statements;
        # `_checkpoints` does them from its own connection and thread instead.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MB of pages instead of the default 2 MB
        conn.execute("PRAGMA mmap_size=268435456")
        self._conn = conn
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        self._tables = {r[0] for r in rows}

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
            self._checkpointer = None
        if self._conn is not None:
            await self._run(self._conn.close)
            self._conn = None
        self._executor.shutdown(wait=True)

    async def ping(self) -> None:
        await self._run(lambda: self._db().execute("SELECT 1").fetchone())

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("SqliteStore is not open")
        return self._conn

    def _ensure_table(self, collection: str) -> str:
        table = _table(collection)
        if collection not in self._tables:
            self._db().execute(f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
            self._tables.add(collection)
        return table

    # -- operations ------------------------------------------------------------------------------------
    async def ensure_index(self, index: Index) -> None:
        await self._run(self._ensure_index, index)

    def _ensure_index(self, index: Index) -> None:
        table = self._ensure_table(index.collection)
        name = f'"{index.collection}__{"__".join(f.replace(".", "_") for f in index.fields)}"'
        exprs = ", ".join(_expr(f) for f in index.fields)
        unique = "UNIQUE " if index.unique else ""
        self._db().execute(f"CREATE {unique}INDEX IF NOT EXISTS {name} ON {table} ({exprs})")

    async def insert(self, collection: str, doc: Doc) -> None:
        await self._run_small(self._insert, collection, doc)

    def _insert(self, collection: str, doc: Doc) -> None:
        table = self._ensure_table(collection)
        try:
            self._db().execute(f"INSERT INTO {table} (id, doc) VALUES (?, ?)", (doc["_id"], orjson.dumps(doc)))
        except sqlite3.IntegrityError as exc:
            raise DuplicateKey(collection, str(exc)) from exc

    async def insert_many(self, collection: str, docs: Sequence[Doc]) -> None:
        if docs:
            # The JSON is made here, on the loop: the store's thread then runs one statement per chunk and takes the
            # GIL back once per chunk. Row by row (executemany) it takes it back after every row, and while the loop
            # is busy each of those waits up to the interpreter's switch interval: 500 rows went from 50,000 a
            # second to 4,000 when requests kept the loop busy.
            chunks = [orjson.dumps(list(docs[i : i + INSERT_CHUNK])) for i in range(0, len(docs), INSERT_CHUNK)]
            await self._run(self._insert_many, collection, chunks, len(docs))

    def _insert_many(self, collection: str, chunks: list[bytes], rows: int) -> None:
        table = self._ensure_table(collection)
        db = self._db()
        sql = f"INSERT INTO {table} (id, doc) SELECT json_extract(value, '$._id'), value FROM json_each(?)"
        try:
            if len(chunks) == 1:  # one statement: all of its rows or none
                db.execute(sql, (chunks[0],))
            else:
                db.execute("BEGIN IMMEDIATE")
                try:
                    for chunk in chunks:
                        db.execute(sql, (chunk,))
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
        except sqlite3.IntegrityError as exc:
            raise DuplicateKey(collection, str(exc)) from exc
        self._checkpoint_after_bulk(rows)

    async def get(self, collection: str, doc_id: str) -> Doc | None:
        return (await self.get_many(collection, [doc_id])).get(doc_id)

    async def get_many(self, collection: str, ids: Sequence[str]) -> dict[str, Doc]:
        if not ids:
            return {}
        unique = list(dict.fromkeys(ids))
        run = self._run_small if len(unique) <= SMALL_READ else self._run
        return await run(self._get_many, collection, unique)

    def _get_many(self, collection: str, ids: list[str]) -> dict[str, Doc]:
        table = self._ensure_table(collection)
        out: dict[str, Doc] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._db().execute(f"SELECT id, doc FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            out.update((row[0], orjson.loads(row[1])) for row in rows)
        return out

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
        return await self._run(self._find, collection, where, sort, direction, limit, after, fields)

    def _find(
        self,
        collection: str,
        where: Filter | None,
        sort: str,
        direction: int,
        limit: int,
        after: str | None,
        fields: Sequence[str] | None,
    ) -> Page:
        table = self._ensure_table(collection)
        value, last_id = decode_cursor(after) if after is not None else (None, "")
        if after is not None and sort != "_id" and value is not None:
            where = past_cursor(where, sort, direction, value)
        cond, params = where_sql(where)
        key = _expr(sort)
        order = "ASC" if direction == 1 else "DESC"
        if after is not None:
            cmp = ">" if direction == 1 else "<"
            if sort == "_id":
                cond += f" AND id {cmp} ?"
                params.append(last_id)
            else:
                # The plain bound first: SQLite seeks the index to it (the OR alone would scan the index from its
                # start on every page, and deep pages of a big collection would each read all the pages before).
                cond += f" AND {key} {cmp}= ? AND ({key} {cmp} ? OR ({key} = ? AND id {cmp} ?))"
                params += [value, value, value, last_id]
        doc = "doc" if fields is None else projected(fetched(fields, sort))
        # by id alone when sorting on it: `id, id` made SQLite sort each page again in a temporary b-tree
        order_by = f"id {order}" if sort == "_id" else f"{key} {order}, id {order}"
        sql = f"SELECT id, {doc} FROM {table} WHERE {cond} ORDER BY {order_by} LIMIT ?"
        rows = self._db().execute(sql, [*params, limit + 1]).fetchall()
        return page_of([orjson.loads(r[1]) for r in rows], sort, limit, fields)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        return await self._run(self._count, collection, where)

    def _count(self, collection: str, where: Filter | None) -> int:
        table = self._ensure_table(collection)
        cond, params = where_sql(where)
        return int(self._db().execute(f"SELECT count(*) FROM {table} WHERE {cond}", params).fetchone()[0])

    async def update_one(self, collection: str, where: Filter, update: Update) -> Doc | None:
        return await self._run_small(self._update_one, collection, where, update)

    def _update_one(self, collection: str, where: Filter, update: Update) -> Doc | None:
        table = self._ensure_table(collection)
        cond, params = where_sql(where)
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(f"SELECT id, doc FROM {table} WHERE {cond} LIMIT 1", params).fetchone()
            if row is None:
                db.execute("COMMIT")
                return None
            doc = apply_update(orjson.loads(row[1]), update)
            if doc.get("_id") != row[0]:
                raise ValueError("an update may not change _id")
            db.execute(f"UPDATE {table} SET doc = ? WHERE id = ?", (orjson.dumps(doc), row[0]))
            db.execute("COMMIT")
            return doc
        except sqlite3.IntegrityError as exc:
            db.execute("ROLLBACK")
            raise DuplicateKey(collection, str(exc)) from exc
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def set_many(self, collection: str, changes: Mapping[str, Mapping[str, Any]]) -> int:
        if not changes:
            return 0
        return await self._run(self._set_many, collection, changes)

    def _set_many(self, collection: str, changes: Mapping[str, Mapping[str, Any]]) -> int:
        """json_set inside SQLite, one statement per shape of change: no document is read into Python, and rows
        already holding the values are not rewritten."""
        table = self._ensure_table(collection)
        shapes: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for doc_id, fields in changes.items():
            keys = tuple(sorted(fields))
            values = [orjson.dumps(fields[k]).decode() for k in keys]
            shapes.setdefault(keys, []).append((*values, doc_id, *values))
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            changed = 0
            for keys, rows in shapes.items():
                paths = ", ".join(f"'$.{self._field(k)}', json(?)" for k in keys)
                differs = " OR ".join(
                    f"json_type(doc, '$.{k}') IS NULL OR json_extract(doc, '$.{k}') IS NOT json_extract(?, '$')"
                    for k in keys
                )
                sql = f"UPDATE {table} SET doc = json_set(doc, {paths}) WHERE id = ? AND ({differs})"
                changed += db.executemany(sql, rows).rowcount
            db.execute("COMMIT")
            self._checkpoint_after_bulk(len(changes))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return changed

    def _checkpoint_after_bulk(self, rows: int) -> None:
        """A big bulk write (on the store's thread; BULK_CHECKPOINT_ROWS rows or more: seeds, the influence job)
        checkpoints what it wrote and empties the WAL itself: readers look pages up through the WAL's index, which
        gets slower the longer the WAL is, until a write restarts it. Smaller ones (the event writer's batches,
        several a second) leave it to the background checkpoint: checkpointing each would copy the same index
        pages to the database file again and again, half of such a write's cost."""
        if rows < BULK_CHECKPOINT_ROWS:
            return
        self._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @staticmethod
    def _field(name: str) -> str:
        if name == "_id" or not _FIELD.match(name):
            raise ValueError(f"bad field name {name!r}")
        return name

    async def delete(self, collection: str, doc_id: str) -> bool:
        return await self._run_small(self._delete, collection, doc_id)

    def _delete(self, collection: str, doc_id: str) -> bool:
        table = self._ensure_table(collection)
        return self._db().execute(f"DELETE FROM {table} WHERE id = ?", (doc_id,)).rowcount > 0

    async def drop_all(self) -> None:
        await self._run(self._drop_all)

    def _drop_all(self) -> None:
        for name in list(self._tables):
            self._db().execute(f"DROP TABLE IF EXISTS {_table(name)}")
        self._tables.clear()

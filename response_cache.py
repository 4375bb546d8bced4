"""Public queries are cached: a GET whose document selects only public fields (schema/public_fields.py) is
answered from a response cache, with `Cache-Control: public, max-age=N`, an ETag and 304 for If-None-Match.

- **Which documents.** A document is public when it is a query (no mutation, no subscription) and every field it
  selects is declared public; anything viewer-dependent (or unknown) makes the whole document private. The answer
  is decided once per document text and remembered.
- **The key** is the document, its variables (canonical JSON), the operation name and the language
  (`Accept-Language`'s first tag): never the viewer, since a public document's answer does not depend on who asks.
- **What an entry depends on.** While a public document runs, the store collections it reads are recorded (the
  store is wrapped by `Watched`); the entry keeps them with the time its execution began.
- **Invalidation.** Every write to a collection (through the store, whoever makes it) marks the collection
  changed at that time, here at once and in every other process through the bus (one event per collection per
  tick). An entry is served only while none of its collections changed after its execution began, and at most
  RESPONSE_CACHE_MAX_AGE seconds (which also bounds anything time-dependent). A bus gap (resync) empties the cache.
- **Bounded.** Least recently used entries go first once RESPONSE_CACHE_MAX_BYTES of bodies are held. With Redis,
  entries are also written there (with their collections and start time) so other processes can answer them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    visit,
)

from graphql_http import accepted
from observability import request_ids
from subscriptions.fanout import BusClosed, SlowConsumer
from trusted_documents import TrustedDocuments

log = logging.getLogger(__name__)

TOPIC = "responseCache"
REDIS_PREFIX = "rc:"
WRITES = frozenset({"insert", "insert_many", "update_one", "set_many", "delete", "drop_all"})
READS = frozenset({"get", "get_many", "find", "count"})
DOCUMENTS_REMEMBERED = 10_000

# The collections read by the public execution running in this context (None: not recording).
reading: ContextVar[set[str] | None] = ContextVar("response_cache_reading", default=None)


@dataclass(frozen=True)
class Entry:
    body: bytes
    etag: str
    began: float  # wall-clock seconds when its execution began
    collections: frozenset[str]

    def encode(self) -> bytes:
        return orjson.dumps(
            {
                "body": self.body.decode(),
                "etag": self.etag,
                "began": self.began,
                "collections": sorted(self.collections),
            }
        )

    @classmethod
    def decode(cls, raw: bytes) -> Entry:
        data = orjson.loads(raw)
        return cls(data["body"].encode(), data["etag"], data["began"], frozenset(data["collections"]))


class _PublicFields(Visitor):
    def __init__(self, type_info: TypeInfo, public: Mapping[str, frozenset[str] | None]) -> None:
        super().__init__()
        self.type_info, self.public, self.ok = type_info, public, True

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        if node.operation != OperationType.QUERY:
            self.ok = False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        name = node.name.value
        if name == "__typename":
            return
        parent = self.type_info.get_parent_type()
        if parent is None or self.type_info.get_field_def() is None:
            self.ok = False
            return
        fields = self.public.get(get_named_type(parent).name, frozenset())
        if fields is not None and name not in fields:
            self.ok = False


class Publicity:
    """Which documents are public, decided once per document text."""

    def __init__(self, schema: GraphQLSchema, public: Mapping[str, frozenset[str] | None]) -> None:
        self.schema, self.public = schema, public
        self._known: dict[str, bool] = {}

    def __call__(self, document: str) -> bool:
        known = self._known.get(document)
        if known is None:
            known = self._decide(document)
            if len(self._known) >= DOCUMENTS_REMEMBERED:
                self._known.pop(next(iter(self._known)))
            self._known[document] = known
        return known

    def _decide(self, document: str) -> bool:
        try:
            parsed = parse(document)
        except GraphQLError:
            return False  # the executor answers it (a request error); nothing to cache
        type_info = TypeInfo(self.schema)
        checker = _PublicFields(type_info, self.public)
        visit(parsed, TypeInfoVisitor(type_info, checker))
        return checker.ok


def cache_key(document: str, variables: str | None, operation: str | None, language: str) -> str | None:
    """None when the variables are not a JSON object (the executor refuses them; nothing to cache)."""
    canonical = b"{}"
    if variables:
        try:
            parsed = orjson.loads(variables)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(parsed, dict):
            return None
        canonical = orjson.dumps(parsed, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256()
    for part in (document.encode(), canonical, (operation or "").encode(), language.encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def language_of(accept_language: str) -> str:
    return accept_language.split(",", 1)[0].split(";", 1)[0].strip().lower()


def _id_suffix(request_id: str | None) -> bytes:
    return b',"extensions":{"requestId":' + orjson.dumps(request_id) + b"}}"


def kept_body(body: bytes) -> bytes | None:
    """The answer without this request's `extensions.requestId` (observability/request_ids.py), which is each
    request's own; None when its extensions hold anything else (then it is not kept)."""
    suffix = _id_suffix(request_ids.current.get())
    if body.endswith(suffix):
        return body[: -len(suffix)] + b"}"
    return None if b'"extensions"' in body else body


def served_body(kept: bytes) -> bytes:
    request_id = request_ids.current.get()
    return kept if request_id is None else kept[:-1] + _id_suffix(request_id)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class ResponseCache:
    def __init__(
        self, max_bytes: int, max_age: int, publicity: Publicity, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_bytes, self.max_age, self.public, self.clock = max_bytes, max_age, publicity, clock
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self.keys: dict[tuple[str, str], str | None] = {}  # (query string, language) -> cache key (None: private)
        self._bytes = 0
        self._changed: dict[str, float] = {}  # collection -> the last time it was written (here or elsewhere)
        self._pending: dict[str, float] = {}  # changes of this process not yet published
        self.bus: Any = None
        self.redis: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self.hits = self.misses = 0

    # --- entries ---------------------------------------------------------------------------------------------

    def fresh(self, entry: Entry) -> bool:
        if self.clock() - entry.began > self.max_age:
            return False
        return all(self._changed.get(c, 0.0) < entry.began for c in entry.collections)

    async def get(self, key: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            if self.fresh(entry):
                self._entries.move_to_end(key)
                self.hits += 1
                return entry
            self._drop(key)
        if self.redis is not None:
            with contextlib.suppress(Exception):  # Redis down: answer from the store as if it were a miss
                raw = await self.redis.get(REDIS_PREFIX + key)
                if raw is not None:
                    entry = Entry.decode(raw)
                    if self.fresh(entry):
                        self._keep(key, entry)
                        self.hits += 1
                        return entry
        self.misses += 1
        return None

    async def put(self, key: str, entry: Entry) -> None:
        if not self.fresh(entry):  # a write landed while it ran: what it read may be old already
            return
        self._keep(key, entry)
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.set(REDIS_PREFIX + key, entry.encode(), ex=self.max_age)

    def _keep(self, key: str, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes:
            return
        self._drop(key)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.body)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    # --- invalidation ----------------------------------------------------------------------------------------

    def changed(self, collection: str) -> None:
        """A write to `collection` landed: entries that read it are old here now, elsewhere within a tick."""
        now = self.clock()
        self._changed[collection] = now
        self._pending[collection] = now

    def heard(self, changes: Mapping[str, float]) -> None:
        for collection, at in changes.items():
            if at > self._changed.get(collection, 0.0):
                self._changed[collection] = at

    def start(self, bus: Any, redis: Any, tick_seconds: float) -> None:
        self.bus, self.redis = bus, redis
        self._tasks = [
            asyncio.create_task(self._publish_forever(tick_seconds), name="response-cache-publish"),
            asyncio.create_task(self._listen_forever(), name="response-cache-listen"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _publish_forever(self, tick_seconds: float) -> None:
        while True:
            await asyncio.sleep(tick_seconds)
            if self._pending:
                pending, self._pending = self._pending, {}
                await self.bus.publish(TOPIC, pending)  # never raises: dropped while the bus is down

    async def _listen_forever(self) -> None:
        while True:
            try:
                async with self.bus.subscribe(TOPIC) as events:
                    self.clear()  # (re)subscribed: changes may have been missed meanwhile
                    async for envelope in events:
                        if envelope.resync:
                            self.clear()
                        else:
                            self.heard(envelope.data)
            except asyncio.CancelledError:
                raise
            except BusClosed:
                return
            except SlowConsumer:
                log.warning("response cache: invalidations fell behind; emptied the cache")
            except Exception:
                log.warning("response cache: cannot hear invalidations; retrying", exc_info=True)
                self.clear()
                await asyncio.sleep(1)

    def watch(self, store: Any) -> Watched:
        return Watched(store, self)


class Watched:
    """The store, telling the cache about every write and recording the collections a public execution reads."""

    def __init__(self, inner: Any, cache: ResponseCache) -> None:
        self._inner, self._cache = inner, cache

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name in WRITES:
            return self._written(attr, name)
        if name in READS:
            return self._read(attr)
        return attr

    def _written(self, method: Callable[..., Any], name: str) -> Callable[..., Any]:
        cache = self._cache

        async def written(collection: str = "", *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(collection, *args, **kwargs) if name != "drop_all" else await method()
            finally:  # also when it failed: it may have landed before the error
                if name == "drop_all":
                    cache.clear()
                else:
                    cache.changed(collection)

        return written

    def _read(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def read(collection: str, *args: Any, **kwargs: Any) -> Any:
            recording = reading.get()
            if recording is not None:
                recording.add(collection)
            return method(collection, *args, **kwargs)

        return read


TICK_SECONDS = 0.1  # invalidations are published at most this often (one event per collection per tick)
HAD_ERRORS = web.ResponseKey("graphql_had_errors", bool)  # set by the view on each response it makes


def public_key(cache: ResponseCache, request: web.Request, trusted: TrustedDocuments) -> str | None:
    """The cache key of a GET whose document is public (named in full, or by a trusted documentId); None for
    anything else. A query string seen before (with the same language) is looked up without reading it again."""
    if request.method != "GET":
        return None
    language = language_of(request.headers.get("Accept-Language", ""))
    seen = (request.query_string, language)
    if seen in cache.keys:
        return cache.keys[seen]
    query = request.query
    requested_id = query.get("documentId")
    if requested_id is not None:
        document = trusted.documents.get(requested_id)
    elif trusted.only:
        document = None  # refused by the view, not answered here
    else:
        document = query.get("query")
    key = None
    if document and cache.public(document):
        key = cache_key(document, query.get("variables"), query.get("operationName"), language)
    if len(cache.keys) >= DOCUMENTS_REMEMBERED:
        cache.keys.pop(next(iter(cache.keys)))
    cache.keys[seen] = key
    return key


async def answer(
    cache: ResponseCache, request: web.Request, key: str, run: Callable[[], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A public GET: from the cache, or run and kept; with its ETag, `Cache-Control: public` and 304 when the
    client has it already."""
    entry = await cache.get(key)
    if entry is not None:
        response: web.StreamResponse = web.Response(
            body=served_body(entry.body), content_type=accepted(request.headers.get("Accept", ""))
        )
    else:
        began = cache.clock()
        token = reading.set(set())
        try:
            response = await run()
        finally:
            collections = reading.get() or set()
            reading.reset(token)
        if response.status != 200 or not isinstance(response, web.Response) or response.get(HAD_ERRORS, True):
            return response
        body = response.body
        body = kept_body(body) if isinstance(body, bytes) else None
        if body is None:
            return response
        entry = Entry(body, etag_of(body), began, frozenset(collections))
        await cache.put(key, entry)
    if any(tag.value in (entry.etag.strip('"'), "*") for tag in request.if_none_match or ()):
        response = web.Response(status=304)
    response.headers["ETag"] = entry.etag
    response.headers["Cache-Control"] = f"public, max-age={cache.max_age}"
    response.headers["Vary"] = "Accept, Accept-Language"
    return response

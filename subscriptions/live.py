"""Live rooms' fan-out (DESIGN.md §5): one bus subscription per room per process, shared by all local viewers, and
each event executed and encoded ONCE per distinct selection set, not once per viewer.

- A `liveComments` / `liveRoomEvents` subscription is planned (`plan`): its key is the query text, variables and
  operation name, plus the viewer when the selection reads a field that depends on who is asking (fields whose
  resolver takes `info`, except the ones listed in `SHARED_FIELDS`; failing safe, an unknown field counts as
  viewer-dependent).
- Subscribers with the same key form a `Group`. The group runs the subscription once, through strawberry (all
  extensions, validation and error codes apply), fed by the room's events; each result is encoded once, then
  written to every member's socket as a ready graphql-transport-ws `next` frame.
- A member's queue is its socket's write buffer: a viewer whose buffer passes `buffer_limit` bytes is dropped
  (the WebSocket is closed with SLOW_CONSUMER_CODE) instead of growing memory; it may reconnect and resubscribe.
- Big rooms batch comments: a `liveCommentBatches` group of a room with at least `batch_min_viewers` viewers here
  collects the room's comments and hands them to its execution at most `frames_per_second` times a second, so a
  viewer gets at most that many frames whatever the comment rate (as large platforms batch danmaku). Under the
  threshold each comment is a batch of one, sent at once. `liveComments` keeps one frame per comment.
- Likes are summed in memory and written once per tick; viewer counts are published once per tick (to Redis when
  configured, so `viewerCount` covers every process).
- A live comment reaches no member across a block from its author (either direction; domain/visibility.py's
  live-comment rule): each signed-in member holds the set of users on the other side of a block from them, loaded
  once when its user joins (shared by all of that user's members) and kept fresh by the block events that the block
  use case publishes on `BLOCKS_TOPIC` (read again from the store when the bus resyncs after an outage, since block
  events may have been lost with Redis); `broadcast` skips by the frame's author id, so the encoding stays shared
  and a frame costs no read. Anonymous members see every comment.
- A viewer is a person, not a socket: a signed-in user counts once however many sockets, subscriptions or
  processes they watch through; anonymous sockets count per remote address, at most `anonymous_per_address` each
  in each process (200 anonymous sockets from one address are not 200 viewers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_operation_ast,
    parse,
    visit,
)
from graphql.language import DocumentNode
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from domain import visibility
from domain.visibility import Relation
from subscriptions.fanout import BusClosed, SlowConsumer

log = logging.getLogger(__name__)

BATCHES = "liveCommentBatches"
LIVE_FIELDS = ("liveComments", "liveRoomEvents", BATCHES)
# Which event kinds each subscription field receives ("ended" ends them all).
WANTS = {
    "liveComments": {"comment", "ended"},
    "liveRoomEvents": {"viewers", "pinned", "likes", "ended"},
    BATCHES: {"comment", "ended"},
}
# Fields whose resolver takes `info` only to load related documents, never to ask who the viewer is.
SHARED_FIELDS = frozenset(
    {
        "LiveComment.author",
        "Product.shop",
        "Product.skus",
        "Sku.product",
        "Shop.owner",
    }
)
SLOW_CONSUMER_CODE = 4008
GROUP_BACKLOG = 1000  # events a group's shared execution may fall behind before its viewers are dropped as slow
SLOW_CONSUMER_REASON = "Slow consumer: too far behind the room; reconnect and resubscribe"
CLOSED = object()  # put in a group's feed when its room can no longer deliver
# Where the block use case announces that two users are (or are no longer) across a block: {"a", "b", "blocked"}.
BLOCKS_TOPIC = "blocks"
NO_BLOCKS: frozenset[str] = frozenset()
BLOCK_LOADS = 3  # reads of a joining user's blocks while block events keep arriving for them; then the events rule


def author_of(event: Any) -> str | None:
    """Whose words a room event carries: a comment's author; None for likes, pins, counts and the end."""
    if isinstance(event, dict) and event.get("kind") == "comment":
        author: str = event["comment"]["authorId"]
        return author
    return None


def batch(comments: list[Any]) -> dict[str, Any]:
    """The event a `liveCommentBatches` execution receives: comment events, in the order they were sent."""
    return {"kind": "comments", "comments": comments}


def without(payload: dict[str, Any], dropped: set[int]) -> dict[str, Any]:
    """A batch's result without the comments at `dropped`: LiveCommentBatch's only list field is `comments`, so
    every list under the root field (whatever its alias) holds the batch's comments in order."""
    data = payload.get("data")
    if not isinstance(data, dict):
        return payload
    root = {
        key: {
            k: [c for i, c in enumerate(v) if i not in dropped] if isinstance(v, list) else v for k, v in value.items()
        }
        if isinstance(value, dict)
        else value
        for key, value in data.items()
    }
    return {**payload, "data": root}


def topic(room_id: str) -> str:
    return f"live:{room_id}"


def frame_header(length: int) -> bytes:
    """RFC 6455 §5.2 header of a final, unmasked text frame (a server's frames are never masked)."""
    if length < 126:
        return bytes((0x81, length))
    if length < 65536:
        return struct.pack("!BBH", 0x81, 126, length)
    return struct.pack("!BBQ", 0x81, 127, length)


# -- planning --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    field: str  # liveComments or liveRoomEvents
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    viewer: str | None  # None unless the selection depends on the viewer
    key: tuple[str, bytes, str | None, str | None]


# Documents are parsed here before strawberry's limits run: a bound of our own (above the schema's MAX_TOKENS), so a
# huge query costs no more here than strawberry's refusal of it.
PARSE_MAX_TOKENS = 10_000


@lru_cache(maxsize=256)
def parsed(query: str) -> DocumentNode | None:
    """The document, or None when it does not parse (strawberry then answers with its own error)."""
    try:
        return parse(query, max_tokens=PARSE_MAX_TOKENS)
    except GraphQLError:
        return None  # strawberry reports it on the ordinary path


@lru_cache(maxsize=256)
def _live_field(query: str, operation_name: str | None) -> str | None:
    document = parsed(query)
    operation = get_operation_ast(document, operation_name) if document is not None else None
    if operation is None or operation.operation != OperationType.SUBSCRIPTION:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    name = selections[0].name.value
    return name if name in LIVE_FIELDS else None


def reads_viewer(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Does any selected field below the root have a resolver that may ask who the viewer is?"""
    type_info = TypeInfo(schema)
    found = False

    class FieldCheck(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            nonlocal found
            parent, definition = type_info.get_parent_type(), type_info.get_field_def()
            if parent is None or definition is None or parent is schema.subscription_type:
                return
            if f"{parent.name}.{node.name.value}" in SHARED_FIELDS:
                return
            strawberry_field = definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            resolver = getattr(strawberry_field, "base_resolver", None)
            if resolver is not None and resolver.info_parameter is not None:
                found = True

    visit(document, TypeInfoVisitor(type_info, FieldCheck()))
    return found


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("live: reading blocks again failed", exc_info=future.exception())


# -- members, groups, rooms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ending:
    kind: str  # "complete", "error" (payload: the errors) or "slow"
    errors: list[Any] = field(default_factory=list)


@dataclass(eq=False)
class Member:
    """One subscription of one WebSocket: where its frames go, and how it ended."""

    op_id: str
    transport: Any  # the socket's asyncio transport
    connection: object  # the WebSocket it belongs to (a socket's subscriptions to one room count once)
    viewer: str  # who the socket is: "u:<user id>" signed in, "a:<address>" anonymous (subscriptions/sessions.py)
    user_id: str | None = None  # the signed-in user, None when anonymous
    prefix: bytes = b""
    blocked: set[str] | frozenset[str] = field(init=False, default=NO_BLOCKS)  # across a block: see LiveHub.serve
    done: asyncio.Future[Ending] = field(init=False)

    def __post_init__(self) -> None:
        self.prefix = b'{"id":' + orjson.dumps(self.op_id) + b',"type":"next","payload":'
        self.done = asyncio.get_running_loop().create_future()

    def end(self, ending: Ending) -> None:
        if not self.done.done():
            self.done.set_result(ending)


class Feed(asyncio.Queue[Any]):
    """A group's events, in order; `current` is the one its execution took last, so the result being written is
    known to be about it (the execution takes the next event only after its result was written)."""

    current: Any = None

    async def get(self) -> Any:
        self.current = await super().get()
        return self.current


@dataclass(eq=False)
class Blocks:
    """The users on the other side of a block from one user watching live rooms here, shared by their members."""

    ids: set[str] = field(default_factory=set)
    members: int = 0
    changes: int = 0  # block events applied: a read that overlapped one is read again
    loaded: bool = False
    loading: asyncio.Future[None] | None = None


@dataclass(eq=False)
class Group:
    """The subscribers of one room sharing one selection set: executed once per event."""

    plan: Plan
    members: dict[Member, None] = field(default_factory=dict)
    feed: Feed = field(default_factory=Feed)
    room: Room | None = None
    task: asyncio.Task[None] | None = None
    pending: list[Any] = field(default_factory=list)  # comments of the next batch (liveCommentBatches)
    flush: asyncio.TimerHandle | None = None
    flushed_at: float = float("-inf")  # loop time of the last batch handed to the execution


@dataclass(eq=False)
class Room:
    id: str
    groups: set[Group] = field(default_factory=set)
    connections: Counter[int] = field(default_factory=Counter)  # subscriptions per socket
    sockets: Counter[str] = field(default_factory=Counter)  # sockets per viewer
    viewers: set[str] = field(default_factory=set)  # who is counted: see LiveHub._count
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None
    failed: BaseException | None = None


class ViewerCounts:
    """Viewers of a room in this process only (the embedded default runs one process)."""

    async def report(self, room_id: str, viewers: set[str], now_ms: int, refresh: bool) -> int:
        """Record this process's viewers of a room; the room's total."""
        return len(viewers)

    async def total(self, room_id: str, viewers: set[str], now_ms: int) -> int:
        return len(viewers)


# KEYS: the room's sorted set of "<viewer>|<process>" -> expiry, and its hash of viewer -> processes watching.
# ARGV: now, expiry, process, the number of viewers joined (or refreshed), those viewers, then the viewers left.
REPORT_SCRIPT = """
local now, expires, process, joined = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4])
local function gone(viewer)
  if redis.call('HINCRBY', KEYS[2], viewer, -1) <= 0 then redis.call('HDEL', KEYS[2], viewer) end
end
for i = 5, 4 + joined do
  if redis.call('ZADD', KEYS[1], expires, ARGV[i] .. '|' .. process) == 1 then
    redis.call('HINCRBY', KEYS[2], ARGV[i], 1)
  end
end
for i = 5 + joined, #ARGV do
  if redis.call('ZREM', KEYS[1], ARGV[i] .. '|' .. process) == 1 then gone(ARGV[i]) end
end
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1000)) do
  redis.call('ZREM', KEYS[1], member)
  gone(string.match(member, '^(.*)|[^|]*$'))
end
local ttl = (tonumber(expires) - now) * 2
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return redis.call('HLEN', KEYS[2])
"""


class RedisViewerCounts(ViewerCounts):
    """Distinct viewers across processes. Each process keeps its viewers of a room in the room's sorted set as
    "<viewer>|<process>" with an expiry it refreshes; a hash counts, per viewer, the processes it watches through,
    so the total is that hash's length: a user watching through two processes counts once, and the entries of a
    process that died expire. Updates are diffs against what this process reported last, in one script."""

    def __init__(self, redis: Any, process_id: str, ttl_ms: int) -> None:
        from subscriptions.redis import DOWN

        self.redis = redis
        self.process_id = process_id
        self.ttl_ms = ttl_ms
        self.script = redis.register_script(REPORT_SCRIPT)
        self._reported: dict[str, set[str]] = {}
        self._down_errors = DOWN  # while Redis is unreachable a room's count is this process's viewers

    @staticmethod
    def keys(room_id: str) -> list[str]:
        return [f"yxg:live:{{{room_id}}}:watching", f"yxg:live:{{{room_id}}}:viewers"]  # one slot on a cluster

    async def report(self, room_id: str, viewers: set[str], now_ms: int, refresh: bool) -> int:
        # An address's anonymous slots are this process's: two anonymous sockets of one address on two processes
        # are two viewers (up to the cap in each process), not one.
        viewers = {f"{v}@{self.process_id}" if v.startswith("a:") else v for v in viewers}
        before = self._reported.get(room_id, set())
        joined = viewers if refresh else viewers - before
        left = before - viewers
        args = [now_ms, now_ms + self.ttl_ms, self.process_id, len(joined), *joined, *left]
        try:
            total = int(await self.script(keys=self.keys(room_id), args=args))
        except self._down_errors:
            return len(viewers)  # not reported: the next report sends the difference, the next refresh all
        if viewers:
            self._reported[room_id] = set(viewers)
        else:
            self._reported.pop(room_id, None)
        return total

    async def total(self, room_id: str, viewers: set[str], now_ms: int) -> int:
        try:
            reported = int(await self.redis.hlen(self.keys(room_id)[1]))
        except self._down_errors:
            return len(viewers)
        viewers = {f"{v}@{self.process_id}" if v.startswith("a:") else v for v in viewers}
        return reported + len(viewers - self._reported.get(room_id, set()))  # joined here since the last tick


ContextFactory = Callable[[Plan, Group], Any]
BlocksLoader = Callable[[str], Awaitable[set[str]]]


class LiveHub:
    def __init__(
        self,
        schema: Any,
        bus: Any,
        *,
        context_factory: ContextFactory,
        load_blocks: BlocksLoader,
        counts: ViewerCounts,
        flush_likes: Callable[[str, int], Awaitable[int | None]],
        record_viewers: Callable[[str, int], Awaitable[None]],
        clock: Callable[[], int],
        buffer_limit: int,
        tick_seconds: float,
        refresh_ms: int = 10_000,
        anonymous_per_address: int = 3,
        frames_per_second: float = 10.0,
        batch_min_viewers: int = 200,
        on_viewer: Callable[[str, str, bool], None] | None = None,
    ) -> None:
        self.schema = schema
        # (room id, user id, joined): a signed-in user became a viewer of a room in this process, or stopped being
        # one (the event stream's LIVE_JOINED / LIVE_LEFT); anonymous viewers are counted, not recorded
        self.on_viewer = on_viewer
        self.bus = bus
        self.context_factory = context_factory
        self.load_blocks = load_blocks  # a user's blocks, both directions: the ids of the users on the other side
        self.counts = counts
        self.flush_likes = flush_likes
        self.record_viewers = record_viewers
        self.clock = clock
        self.buffer_limit = buffer_limit
        self.tick_seconds = tick_seconds
        self.refresh_ms = refresh_ms
        self.anonymous_per_address = anonymous_per_address
        self.frame_interval = 1.0 / frames_per_second
        self.batch_min_viewers = batch_min_viewers
        self.groups: dict[tuple[Any, ...], Group] = {}
        self.rooms: dict[str, Room] = {}
        self.frames = 0  # frames written, for the benchmark's server-side view
        self._likes: Counter[str] = Counter()
        self._local: dict[str, set[str]] = {}  # room -> local viewers, kept until a zero has been reported
        self._dirty: set[str] = set()
        self._published: dict[str, int] = {}
        self._last_refresh = 0
        self._ticker: asyncio.Task[None] | None = None
        self._blocks_reader: asyncio.Task[None] | None = None
        self._blocks: dict[str, Blocks] = {}  # user id -> their blocks, while they watch
        self._stopping = False

    # -- lifecycle

    def start(self) -> None:
        self._ticker = asyncio.create_task(self._tick_forever(), name="live-ticker")
        self._blocks_reader = asyncio.create_task(self._read_blocks_forever(), name="live-blocks")

    async def stop(self) -> None:
        self._stopping = True
        for group in list(self.groups.values()):
            if group.task is not None:
                group.task.cancel()
        for room in list(self.rooms.values()):
            if room.reader is not None:
                room.reader.cancel()
        if self._blocks_reader is not None:
            self._blocks_reader.cancel()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        with contextlib.suppress(Exception):
            await self.tick()  # likes in memory are written before the process goes

    # -- subscribing

    def plan(self, payload: dict[str, Any], viewer_id: str | None) -> Plan | None:
        """A Plan when the message subscribes to a live room's comments or events; None for anything else."""
        query, operation_name = payload.get("query"), payload.get("operationName")
        variables = payload.get("variables")
        if not isinstance(query, str) or not isinstance(operation_name, str | None):
            return None
        if variables is not None and not isinstance(variables, dict):
            return None
        live_field = _live_field(query, operation_name)
        if live_field is None:
            return None
        viewer = viewer_id if self._reads_viewer(query) else None
        encoded = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
        return Plan(live_field, query, variables, operation_name, viewer, (query, encoded, operation_name, viewer))

    @lru_cache(maxsize=256)  # noqa: B019 - one hub per process, the cache lives as long as it
    def _reads_viewer(self, query: str) -> bool:
        document = parsed(query)
        return document is None or reads_viewer(self.schema._schema, document)

    async def serve(self, plan: Plan, member: Member) -> Ending:
        """Join the group of `plan` until the subscription ends (or the caller is cancelled). A signed-in member
        first holds its user's blocks (read once per user, while any of their members watches)."""
        user = member.user_id
        if user is not None:
            try:
                member.blocked = await self._hold_blocks(user)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live: reading the blocks of %s failed", user)
                return Ending("error", [{"message": "Internal server error", "extensions": {"code": "INTERNAL"}}])
        try:
            group = self.groups.get(plan.key)
            if group is None:
                group = self.groups[plan.key] = Group(plan)
                group.task = asyncio.create_task(self._lead(group), name=f"live-group-{plan.field}")
            group.members[member] = None
            if group.room is not None:
                self._count(group.room, member, +1)
            try:
                return await member.done
            finally:
                self._leave(group, member)
        finally:
            if user is not None:
                self._release_blocks(user)

    # -- blocks: who must not get whose comments

    async def _hold_blocks(self, user: str) -> set[str]:
        entry = self._blocks.get(user)
        if entry is None:
            entry = self._blocks[user] = Blocks()
        if entry.loading is None and not entry.loaded:  # the first member, or the read before this one failed
            entry.loading = asyncio.ensure_future(self._load_blocks(user, entry))
        entry.members += 1
        try:
            if entry.loading is not None:
                await asyncio.shield(entry.loading)
        except BaseException:
            self._release_blocks(user)
            raise
        return entry.ids

    def _release_blocks(self, user: str) -> None:
        entry = self._blocks.get(user)
        if entry is None:
            return
        entry.members -= 1
        if entry.members <= 0:
            del self._blocks[user]
            if entry.loading is not None:
                entry.loading.cancel()

    async def _load_blocks(self, user: str, entry: Blocks) -> None:
        """Read the user's blocks into `entry.ids` (in place: members hold that set). A block event applied
        while reading may be missing from what was read: read again, a few times at most."""
        try:
            for _ in range(BLOCK_LOADS):
                seen = entry.changes
                ids = await self.load_blocks(user)
                if entry.changes == seen:
                    entry.ids.clear()
                    entry.ids.update(ids)
                    break
                entry.ids.update(ids)  # the events since keep applying on top
            entry.loaded = True
        finally:
            entry.loading = None

    def apply_block(self, event: Any) -> None:
        """A block event from the bus: `a` and `b` are now (or no longer) on two sides of a block."""
        if not isinstance(event, dict) or not isinstance(event.get("a"), str) or not isinstance(event.get("b"), str):
            log.warning("live: block event of the wrong shape skipped: %r", event)
            return
        for user, other in ((event["a"], event["b"]), (event["b"], event["a"])):
            entry = self._blocks.get(user)
            if entry is not None:
                entry.changes += 1
                (entry.ids.add if event.get("blocked") else entry.ids.discard)(other)

    async def _read_blocks_forever(self) -> None:
        """Apply every block event; after a gap (a lagging or lost bus subscription) read the held blocks again."""
        gap = False
        while not self._stopping:
            try:
                async with self.bus.subscribe(BLOCKS_TOPIC) as events:
                    if gap:
                        self._reload_blocks()
                    async for envelope in events:
                        if envelope.resync:  # the bus reconnected: block events may have been missed
                            self._reload_blocks()
                        else:
                            self.apply_block(envelope.data)
            except asyncio.CancelledError:
                raise
            except BusClosed:
                return
            except SlowConsumer:
                log.warning("live: block events fell behind; reading the watchers' blocks again")
            except Exception:
                log.exception("live: reading block events failed")
                await asyncio.sleep(1)
            gap = True

    def _reload_blocks(self) -> None:
        for user, entry in self._blocks.items():
            entry.changes += 1  # a read in flight reads again
            if entry.loading is None:
                entry.loading = asyncio.ensure_future(self._load_blocks(user, entry))
                entry.loading.add_done_callback(_log_failure)

    def _leave(self, group: Group, member: Member) -> None:
        if member in group.members:
            del group.members[member]
            if group.room is not None:
                self._count(group.room, member, -1)
        if not group.members and self.groups.get(group.plan.key) is group:
            del self.groups[group.plan.key]
            if group.task is not None:
                group.task.cancel()

    # -- the room side, called by the subscription resolvers of a group

    async def attach(self, group: Group, room_id: str) -> asyncio.Queue[Any]:
        """Feed `group` with the events of `room_id`; returns once the room's bus subscription is listening."""
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = Room(room_id)
            room.reader = asyncio.create_task(self._read(room), name=f"live-room-{room_id}")
        room.groups.add(group)
        group.room = room
        for member in group.members:
            self._count(room, member, +1)
        if not room.ready.is_set():
            await room.ready.wait()
            # A tick while the room's bus subscription was not listening yet published the new count to nobody,
            # and the count need not change again to be sent: the next tick sends it once more.
            self._published.pop(room.id, None)
            self._dirty.add(room.id)
        if room.failed is not None:
            raise room.failed
        return group.feed

    def detach(self, group: Group) -> None:
        if group.flush is not None:
            group.flush.cancel()
            group.flush = None
        room = group.room
        if room is None:
            return
        for member in group.members:
            self._count(room, member, -1)
        group.room = None
        room.groups.discard(group)
        if not room.groups and self.rooms.get(room.id) is room:
            del self.rooms[room.id]
            if room.reader is not None:
                room.reader.cancel()

    def _count(self, room: Room, member: Member, delta: int) -> None:
        """A socket's first subscription to a room adds it to its viewer's sockets, its last removes it. A user
        is one viewer ("u:<id>"); an address's n-th anonymous socket is viewer "a:<address>#n", for n below the
        cap, so the count moves with each socket and never passes the cap."""
        key = id(member.connection)
        before = room.connections[key]
        room.connections[key] += delta
        if room.connections[key] <= 0:
            del room.connections[key]
        after = room.connections.get(key, 0)
        if (before == 0) == (after == 0):
            return  # the socket already watched (or still watches) this room
        viewer = member.viewer
        sockets = room.sockets[viewer]
        room.sockets[viewer] += 1 if after else -1
        if room.sockets[viewer] <= 0:
            del room.sockets[viewer]
        if viewer.startswith("a:"):
            slot = sockets if after else sockets - 1
            if slot < self.anonymous_per_address:
                (room.viewers.add if after else room.viewers.discard)(f"{viewer}#{slot}")
        elif after:
            if viewer not in room.viewers and self.on_viewer is not None:
                self.on_viewer(room.id, viewer[2:], True)
            room.viewers.add(viewer)
        elif viewer not in room.sockets:
            if viewer in room.viewers and self.on_viewer is not None:
                self.on_viewer(room.id, viewer[2:], False)
            room.viewers.discard(viewer)
        self._local[room.id] = room.viewers
        self._dirty.add(room.id)

    async def _read(self, room: Room) -> None:
        try:
            async with self.bus.subscribe(topic(room.id)) as events:
                room.ready.set()
                async for envelope in events:
                    if envelope.resync:  # the bus reconnected: the next tick sends the viewer count again
                        self._published.pop(room.id, None)
                        self._dirty.add(room.id)
                        continue
                    event = envelope.data  # decoded once for every group of the room
                    for group in list(room.groups):
                        if event.get("kind") not in WANTS[group.plan.field]:
                            continue
                        if group.feed.qsize() >= GROUP_BACKLOG:  # its execution cannot keep up: bounded, not growing
                            for member in list(group.members):
                                member.end(Ending("slow"))
                            continue
                        if group.plan.field == BATCHES:
                            self._batch(room, group, event)
                        else:
                            group.feed.put_nowait(event)
        except asyncio.CancelledError:
            raise
        except (SlowConsumer, BusClosed) as exc:
            self._fail(room, exc)
        except Exception as exc:
            log.exception("live room %s: reading its events failed", room.id)
            self._fail(room, exc)

    def _batch(self, room: Room, group: Group, event: Any) -> None:
        """A comment for a batching group: at once in a small room, else with the others of its frame interval."""
        if event.get("kind") != "comment":  # the end: what was collected goes first
            self._flush(group)
            group.feed.put_nowait(event)
            return
        if len(room.viewers) < self.batch_min_viewers and not group.pending and group.flush is None:
            group.feed.put_nowait(batch([event]))
            return
        group.pending.append(event)
        if group.flush is None:
            loop = asyncio.get_running_loop()
            wait = max(0.0, group.flushed_at + self.frame_interval - loop.time())
            group.flush = loop.call_later(wait, self._flush, group)

    def _flush(self, group: Group) -> None:
        if group.flush is not None:
            group.flush.cancel()
            group.flush = None
        if group.pending:
            group.feed.put_nowait(batch(group.pending))
            group.pending = []
            group.flushed_at = asyncio.get_running_loop().time()

    def _fail(self, room: Room, exc: BaseException) -> None:
        """The room's bus subscription ended: its groups end; a lagging room drops its viewers as slow."""
        room.failed = exc
        room.ready.set()
        if self.rooms.get(room.id) is room:
            del self.rooms[room.id]
        for group in list(room.groups):
            if isinstance(exc, SlowConsumer):
                for member in list(group.members):
                    member.end(Ending("slow"))
            group.feed.put_nowait(CLOSED)

    # -- executing once per group, writing to every member

    async def _lead(self, group: Group) -> None:
        plan = group.plan
        ending = Ending("complete")
        try:
            context = self.context_factory(plan, group)
            results = await self.schema.subscribe(
                plan.query,
                variable_values=plan.variables,
                context_value=context,
                operation_name=plan.operation_name,
            )
            first = True
            async with aclosing(results):
                async for result in results:
                    if first and isinstance(result, PreExecutionError):
                        ending = Ending("error", [e.formatted for e in result.errors or []])
                        break
                    first = False
                    payload: dict[str, Any] = {"data": result.data}
                    if result.errors:
                        payload["errors"] = [e.formatted for e in result.errors]
                    current = group.feed.current
                    if isinstance(current, dict) and current.get("kind") == "comments":
                        self.broadcast_batch(group, payload, [author_of(c) for c in current["comments"]])
                    else:
                        self.broadcast(group, orjson.dumps(payload), author_of(current))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("live subscription failed")
            ending = Ending("error", [{"message": "Internal server error", "extensions": {"code": "INTERNAL"}}])
        finally:
            self.detach(group)
            if self.groups.get(plan.key) is group:
                del self.groups[plan.key]
            for member in list(group.members):
                member.end(ending)

    def broadcast(self, group: Group, payload: bytes, author: str | None = None) -> None:
        """Write one encoded result to every member: one frame each, no task switch, no per-viewer encoding.
        Members whose operation ids are equal (clients mostly use "1") share the frame's head too. A result about
        `author`'s words skips the members across a block from them, as the live-comment rule says."""
        if author is not None and visibility.live_comment_visible(Relation(blocked=True)):
            author = None  # the rule lets them show across a block
        tail = payload + b"}"
        self._write(group, lambda member: None if author is not None and author in member.blocked else tail)

    def broadcast_batch(self, group: Group, payload: dict[str, Any], authors: list[str | None]) -> None:
        """A batch's result: encoded once for everybody; a member across a block from some of its authors gets it
        without their comments (encoded once per set of comments left out), and nothing when none is left."""
        tail = orjson.dumps(payload) + b"}"
        if visibility.live_comment_visible(Relation(blocked=True)):
            authors = []  # the rule lets them show across a block
        written = {a for a in authors if a is not None}
        variants: dict[frozenset[int], bytes | None] = {}

        def tail_for(member: Member) -> bytes | None:
            if not member.blocked or not written & member.blocked:
                return tail
            dropped = frozenset(i for i, a in enumerate(authors) if a in member.blocked)
            if dropped not in variants:
                kept = len(authors) > len(dropped)
                variants[dropped] = orjson.dumps(without(payload, set(dropped))) + b"}" if kept else None
            return variants[dropped]

        self._write(group, tail_for)

    def _write(self, group: Group, tail_for: Callable[[Member], bytes | None]) -> None:
        """Write each member its frame (`tail_for` gives the bytes after the member's prefix, None to skip it);
        a member whose socket is too far behind is dropped as slow."""
        limit = self.buffer_limit
        heads: dict[tuple[bytes, int], bytes] = {}
        slow = []
        sent = 0
        for member in group.members:
            transport = member.transport
            if transport.is_closing():
                continue  # its handler is shutting down and will leave the group
            tail = tail_for(member)
            if tail is None:
                continue
            if transport.get_write_buffer_size() > limit:
                slow.append(member)
                continue
            key = (member.prefix, len(tail))
            head = heads.get(key)
            if head is None:
                head = heads[key] = frame_header(len(member.prefix) + len(tail)) + member.prefix
            transport.write(head + tail)
            sent += 1
        self.frames += sent
        for member in slow:
            member.end(Ending("slow"))
            self._leave(group, member)

    # -- likes and viewer counts

    def add_likes(self, room_id: str, count: int) -> None:
        self._likes[room_id] += count

    def pending_likes(self, room_id: str) -> int:
        return self._likes.get(room_id, 0)

    def local_viewers(self, room_id: str) -> int:
        room = self.rooms.get(room_id)
        return len(room.viewers) if room is not None else 0

    async def viewer_count(self, room_id: str) -> int:
        room = self.rooms.get(room_id)
        return await self.counts.total(room_id, room.viewers if room is not None else set(), self.clock())

    async def _tick_forever(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self.tick_seconds)
            try:
                await self.tick()
            except Exception:
                log.exception("live tick failed")

    async def tick(self) -> None:
        likes, self._likes = self._likes, Counter()
        for room_id, count in likes.items():
            total = await self.flush_likes(room_id, count)
            if total is not None:
                await self.bus.publish(topic(room_id), {"kind": "likes", "likeCount": total})
        now = self.clock()
        rooms = set(self._dirty)
        refresh = now - self._last_refresh >= self.refresh_ms  # keep this process's viewers fresh in Redis
        if refresh:
            rooms |= set(self._local)
            self._last_refresh = now
        self._dirty.clear()
        for room_id in rooms:
            local = self._local.get(room_id, set())
            total = await self.counts.report(room_id, local, now, refresh)
            if not local:
                self._local.pop(room_id, None)
            if total != self._published.get(room_id):
                self._published[room_id] = total
                await self.record_viewers(room_id, total)
                await self.bus.publish(topic(room_id), {"kind": "viewers", "viewerCount": total})
            if total == 0:
                self._published.pop(room_id, None)

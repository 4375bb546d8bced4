"""graphql-transport-ws with live rooms served by the LiveHub: a `liveComments` / `liveRoomEvents` subscription
joins its room's shared execution (subscriptions/live.py); every other message is strawberry's own handling.

On top of strawberry's handling (DESIGN.md §5-6):
- a message of the wrong shape (not an object, an id that is not a string, a payload whose query is not a string,
  variables that are not an object, ...) closes the socket with the protocol's 4400, never an internal error;
- operations in flight per socket and subscriptions per topic (a live room; else root field and arguments) per
  socket are capped: over a cap, the subscription gets an `error` whose code is TOO_MANY_SUBSCRIPTIONS;
- a socket has WS_INIT_TIMEOUT_SECONDS to send its connection_init (4408 after), not strawberry's minute;
- a subscribe payload may name a trusted document by `documentId` instead of its `query` (trusted_documents.py);
  an unknown id, or a free query under TRUSTED_DOCUMENTS_ONLY, gets an `error` with the HTTP side's code;
- a signed-in socket holds its token to its expiry: it is closed with 4403 at `exp`, and an operation that
  arrives after it (or after its login was revoked) closes it with 4403 instead of running.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import weakref
from datetime import timedelta
from typing import Any, ClassVar

import orjson
from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast, value_from_ast_untyped
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from subscriptions.live import LIVE_FIELDS, SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON, Member, Plan, parsed
from subscriptions.sessions import FORBIDDEN_CODE, Session
from trusted_documents import DocumentRefused, TrustedDocuments

BAD_REQUEST_CODE = 4400
TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
PAYLOAD_FIELDS = {"query": (str,), "variables": (dict, type(None)), "operationName": (str, type(None))}


def subscribe_problem(message: dict[str, Any]) -> str | None:
    """Why a subscribe message is malformed (graphql-transport-ws, `Subscribe`), or None."""
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return "subscribe: payload must be an object"
    for name, types in PAYLOAD_FIELDS.items():
        if not isinstance(payload.get(name), types):
            return f"subscribe: payload.{name} has the wrong type"
    if not isinstance(payload.get("extensions", {}), dict | type(None)):
        return "subscribe: payload.extensions must be an object"
    return None


def topic_of(payload: dict[str, Any]) -> tuple[str, bytes] | None:
    """A subscription's topic: its root field and arguments (`liveComments(roomId: "r1")`); None for a query or
    a mutation, or a document strawberry will refuse anyway."""
    document = parsed(payload["query"])
    operation = get_operation_ast(document, payload.get("operationName")) if document is not None else None
    if operation is None or operation.operation != OperationType.SUBSCRIPTION:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    root = selections[0]
    variables = payload.get("variables") or {}
    try:
        arguments = {arg.name.value: value_from_ast_untyped(arg.value, variables) for arg in root.arguments or ()}
        if root.name.value in LIVE_FIELDS:  # a room's comments and its events come from one topic: the room
            return "live room", orjson.dumps(arguments.get("roomId"))
        return root.name.value, orjson.dumps(arguments, option=orjson.OPT_SORT_KEYS)
    except (TypeError, ValueError):  # also an integer literal that no 64 bits hold (orjson refuses it)
        return None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    _topics: dict[str, tuple[str, bytes]]
    _expiry: asyncio.Task[None] | None = None
    _open: ClassVar[weakref.WeakSet[TransportWSHandler]] = weakref.WeakSet()  # this process's sockets (metrics)

    @classmethod
    def running(cls) -> int:
        """Subscriptions running on this process's sockets."""
        return sum(len(handler.operations) for handler in list(cls._open))

    def on_request_accepted(self) -> None:
        TransportWSHandler._open.add(self)
        # Until its connection_init a socket counts against no cap: it gets seconds, not strawberry's minute.
        self.connection_init_wait_timeout = timedelta(seconds=self.context.services.settings.WS_INIT_TIMEOUT_SECONDS)
        super().on_request_accepted()

    async def handle_message(self, message: Message) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.handle_invalid_message("A message is an object with a string `type`")
            return
        if message["type"] in ("subscribe", "complete") and not isinstance(message.get("id"), str):
            await self.handle_invalid_message(f"{message['type']}: id must be a string")
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        session = self._session
        if self.connection_acknowledged and session is not None and session.expires_at is not None:
            self._expiry = asyncio.create_task(self._close_at(session, session.expires_at))

    async def _close_at(self, session: Session, expires_at: float) -> None:
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        session.closing = True
        with contextlib.suppress(WebSocketDisconnected, ConnectionError, RuntimeError):
            await self.websocket.close(code=FORBIDDEN_CODE, reason="Access token expired; reconnect with a new one")

    @property
    def _session(self) -> Session | None:
        session: Session | None = getattr(self.context, "session", None)
        return session

    async def shutdown(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        await super().shutdown()
        session = self._session
        if session is not None:
            await self.context.services.sessions.release(session)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged or message["id"] in self.operations:
            await super().handle_subscribe(message)  # strawberry closes the socket with the protocol's code
            return
        if not await self._trusted(message):
            return
        problem = subscribe_problem(message)  # type: ignore[arg-type]
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        session = self._session
        if session is not None and (session.expired(time.time()) or self._revoked(session)):
            await self.websocket.close(code=FORBIDDEN_CODE, reason="Access token expired or revoked")
            return
        if not await self._within_caps(message):
            return
        self.context.renew_loaders()  # the socket's context lives for hours: each operation reads afresh
        plan = self._live_plan(message)
        if plan is None:
            await super().handle_subscribe(message)  # strawberry's checks and its per-subscriber execution
            return
        payload = message["payload"]
        operation: Operation[Any, None] = Operation(
            self, message["id"], payload["query"], payload.get("variables"), payload.get("operationName")
        )
        operation.task = asyncio.create_task(self._run_live(operation, plan))
        operation.task.add_done_callback(self._task_done)
        self.operations[message["id"]] = operation

    async def _trusted(self, message: SubscribeMessage) -> bool:
        """The payload's document from its documentId (or its own query, when that may run); else an `error`."""
        payload: Any = message.get("payload")
        if not isinstance(payload, dict):
            return True  # subscribe_problem closes the socket
        trusted: TrustedDocuments = getattr(self.view, "trusted", TrustedDocuments())
        try:
            payload["query"] = trusted.resolve(payload.get("query"), payload.pop("documentId", None))
        except DocumentRefused as exc:
            error = GraphQLError(exc.message, extensions={"code": exc.code})
            await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
            return False
        return True

    def _revoked(self, session: Session) -> bool:
        return bool(self.context.services.sessions.is_revoked(session.family))

    async def _within_caps(self, message: SubscribeMessage) -> bool:
        """Below the socket's caps; else the subscription is answered with an `error` and False."""
        settings = self.context.services.settings
        if not hasattr(self, "_topics"):
            self._topics = {}
        for op_id in [i for i in self._topics if i not in self.operations]:
            del self._topics[op_id]
        if len(self.operations) >= settings.WS_MAX_SUBSCRIPTIONS:
            await self._refuse(message["id"], f"At most {settings.WS_MAX_SUBSCRIPTIONS} operations per connection")
            return False
        topic = topic_of(message["payload"])  # type: ignore[arg-type]
        if topic is None:
            return True
        if sum(1 for t in self._topics.values() if t == topic) >= settings.WS_MAX_SUBSCRIPTIONS_PER_TOPIC:
            limit = settings.WS_MAX_SUBSCRIPTIONS_PER_TOPIC
            await self._refuse(message["id"], f"At most {limit} subscriptions to {topic[0]} with these arguments")
            return False
        self._topics[message["id"]] = topic
        return True

    async def _refuse(self, op_id: str, reason: str) -> None:
        error = GraphQLError(reason, extensions={"code": TOO_MANY_SUBSCRIPTIONS})
        await self.send_message({"id": op_id, "type": "error", "payload": [error.formatted]})

    def _live_plan(self, message: SubscribeMessage) -> Plan | None:
        if getattr(self.websocket, "request", None) is None or self.websocket.request.transport is None:  # type: ignore[attr-defined]
            return None
        plan: Plan | None = self.context.services.live.plan(message["payload"], self.context.viewer_id)
        return plan

    async def _run_live(self, operation: Operation[Any, None], plan: Plan) -> None:
        websocket: Any = self.websocket  # strawberry's aiohttp adapter: .request and .ws
        transport = websocket.request.transport
        send_buffer = self.context.services.settings.LIVE_SOCKET_SEND_BUFFER
        sock = transport.get_extra_info("socket")
        if send_buffer and sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        session = self._session
        viewer = session.client if session is not None else f"c:{id(self)}"
        member = Member(operation.id, transport, self, viewer, user_id=self.context.viewer_id)
        ending = await self.context.services.live.serve(plan, member)
        with contextlib.suppress(WebSocketDisconnected, ConnectionError, RuntimeError):
            if ending.kind == "slow":
                self.operations.pop(operation.id, None)
                await websocket.ws.close(code=SLOW_CONSUMER_CODE, message=SLOW_CONSUMER_REASON.encode())
            elif ending.kind == "error":
                await operation.send_operation_message({"id": operation.id, "type": "error", "payload": ending.errors})
            else:
                await operation.send_operation_message({"id": operation.id, "type": "complete"})

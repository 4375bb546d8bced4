"""graphql-transport-ws with live rooms served by the LiveHub: a `liveComments` / `liveRoomEvents` subscription
joins its room's shared execution (subscriptions/live.py); every other message is strawberry's own handling."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from subscriptions.live import SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON, Member, Plan


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
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

    def _live_plan(self, message: SubscribeMessage) -> Plan | None:
        payload = message.get("payload")
        if not self.connection_acknowledged or message.get("id") in self.operations or not isinstance(payload, dict):
            return None  # strawberry closes the socket with the protocol's code
        if getattr(self.websocket, "request", None) is None or self.websocket.request.transport is None:  # type: ignore[attr-defined]
            return None
        plan: Plan | None = self.context.services.live.plan(payload, self.context.viewer_id)
        return plan

    async def _run_live(self, operation: Operation[Any, None], plan: Plan) -> None:
        websocket: Any = self.websocket  # strawberry's aiohttp adapter: .request and .ws
        transport = websocket.request.transport
        send_buffer = self.context.services.settings.LIVE_SOCKET_SEND_BUFFER
        sock = transport.get_extra_info("socket")
        if send_buffer and sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        member = Member(operation.id, transport, self)
        ending = await self.context.services.live.serve(plan, member)
        with contextlib.suppress(WebSocketDisconnected, ConnectionError, RuntimeError):
            if ending.kind == "slow":
                self.operations.pop(operation.id, None)
                await websocket.ws.close(code=SLOW_CONSUMER_CODE, message=SLOW_CONSUMER_REASON.encode())
            elif ending.kind == "error":
                await operation.send_operation_message({"id": operation.id, "type": "error", "payload": ending.errors})
            else:
                await operation.send_operation_message({"id": operation.id, "type": "complete"})

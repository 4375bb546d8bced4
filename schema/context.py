"""The per-request context: who is asking, the backends, the settings and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry

from resolvers.errors import Refused
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from app import Services


@dataclass
class Context:
    services: Services
    viewer_id: str | None = None
    request: Any = None
    response: Any = None
    # Set by strawberry from the WebSocket connection_init payload.
    connection_params: dict[str, Any] | None = None
    # The LiveHub group a live subscription runs for (one execution shared by its viewers), if any.
    live_group: Any = None
    # A WebSocket's Session (subscriptions/sessions.py): its client, its token's login and expiry. Set at connect.
    session: Any = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.services.backends.store)

    def renew_loaders(self) -> None:
        """A WebSocket keeps one context for its life; each subscription event starts from fresh caches."""
        self.loaders = Loaders(self.services.backends.store)

    def release(self) -> None:
        """The request is over: drop the request, the response and the cached documents."""
        self.request = self.response = self.connection_params = None
        self.renew_loaders()

    def require_viewer(self) -> str:
        if self.viewer_id is None:
            raise Refused("UNAUTHENTICATED", "Sign in first")
        return self.viewer_id


Info = strawberry.Info[Context, None]

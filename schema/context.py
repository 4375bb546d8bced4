"""The per-request context: who is asking, the backends, the settings and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry

from resolvers.errors import Refused
from resolvers.loaders import Loaders
from resolvers.visibility import Facts, Seer

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
    # What the response answers, as an ETag (schema/conditional.py), when one field answers it all.
    etag: str | None = None
    loaders: Loaders = field(init=False)
    _seer: Seer | None = field(init=False, default=None)
    # What a long subscription knows of the viewer's blocks and follows, kept across its events for a while.
    facts: Facts | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.services.backends.store)

    def renew_loaders(self) -> None:
        """A WebSocket keeps one context for its life; each subscription event starts from fresh caches."""
        self.loaders = Loaders(self.services.backends.store)

    def release(self) -> None:
        """The request is over: drop the request, the response and the cached documents."""
        self.request = self.response = self.connection_params = None
        self.renew_loaders()

    @property
    def seer(self) -> Seer:
        """What this viewer may see, sharing the current loaders (renewed with them)."""
        seer = self._seer
        if seer is None or seer.loaders is not self.loaders or seer.viewer_id != self.viewer_id:
            seer = self._seer = Seer(self.loaders, self.viewer_id, self.facts)
        return seer

    def require_viewer(self) -> str:
        if self.viewer_id is None:
            raise Refused("UNAUTHENTICATED", "Sign in first")
        return self.viewer_id


Info = strawberry.Info[Context, None]

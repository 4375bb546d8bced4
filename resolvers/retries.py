"""Repairs that must happen even when a backend is down at the time: retried in the background until the backend
answers (a placement's undo, when the store went away in the middle of it). A process that stops first leaves them
to the sweep's repairs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from backends import UNAVAILABLE
from resolvers.services import Services

log = logging.getLogger(__name__)
RETRY_SECONDS = (0.2, 5.0)  # the first wait, doubling up to the last


def until_done(services: Services, what: str, step: Callable[[], Awaitable[None]]) -> None:
    """Run `step` again and again, in the background, until no backend is unavailable for it."""
    services.spawn(_retry(what, step), f"repair: {what}")


async def _retry(what: str, step: Callable[[], Awaitable[None]]) -> None:
    wait = RETRY_SECONDS[0]
    while True:
        await asyncio.sleep(wait)
        try:
            await step()
        except UNAVAILABLE:
            wait = min(wait * 2, RETRY_SECONDS[1])
            continue
        except Exception:
            log.exception("%s failed; not retried", what)
            return
        log.info("%s done once the store was back", what)
        return

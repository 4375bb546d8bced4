"""How every mutation runs, declared once: who may call it, and expected failures into its payload's `errors`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from resolvers.errors import ApiError, Invalid, Refused
from schema.common import ErrorCode, UserError

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
CODES = {c.value for c in ErrorCode}


def payload_mutation(
    payload: type, *, login: bool = True, role: str | None = None, description: str | None = None
) -> Callable[[F], Any]:
    """A mutation resolver `(self, info, input)` returning `payload`. With `login`, anonymous callers get
    UNAUTHENTICATED; with `role`, callers without it get FORBIDDEN. A Refused (or a bad id in the input) becomes
    `payload(errors=[...])`; nothing is written by a refused call."""

    def decorate(fn: F) -> Any:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            context = kwargs["info"].context
            try:
                if login or role:
                    viewer = context.require_viewer()
                    if role and role not in (await context.loaders.user.load(viewer) or {}).get("roles", []):
                        raise Refused("FORBIDDEN", f"Only {role}s may do this")
                result = await fn(*args, **kwargs)
            except ApiError as exc:
                if exc.code not in CODES:
                    raise
                return payload(errors=[UserError.of(e) for e in (exc.each() if isinstance(exc, Invalid) else [exc])])
            context.renew_loaders()  # what the mutation wrote is what its payload shows
            return result

        return strawberry.mutation(run, description=description)

    return decorate

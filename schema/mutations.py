"""How every mutation runs, declared once: who may call it, and expected failures into its payload's `errors`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from resolvers import staff as staff_uc
from resolvers.errors import ApiError, Refused
from resolvers.ratelimit import spend
from schema.common import ErrorCode, UserError
from schema.staff import Staff
from settings import Settings

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
CODES = {c.value for c in ErrorCode}


def payload_mutation(
    payload: type,
    *,
    login: bool = True,
    role: str | None = None,
    limit: str | None = None,
    staff: Staff | None = None,
    description: str | None = None,
) -> Callable[[F], Any]:
    """A mutation resolver `(self, info, input)` returning `payload`. With `login`, anonymous callers get
    UNAUTHENTICATED; with `role`, callers without it get FORBIDDEN; with `limit` (a `<THING>_PER_MINUTE` setting),
    callers over that rate get RATE_LIMITED; with `staff`, only the shop's owner and its staff in those roles (or
    ADMIN; with OWNER, the owner alone) may call it, FORBIDDEN otherwise. A Refused (or a bad id in the input)
    becomes `payload(errors=[...])`; nothing is written by a refused call."""

    if limit is not None and limit not in Settings.model_fields:
        raise ValueError(f"{limit} is not a setting")  # a typo fails at import, not at the first call

    def decorate(fn: F) -> Any:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            context = kwargs["info"].context
            try:
                if login or role:
                    viewer = context.require_viewer()
                    if role and role not in (await context.loaders.user.load(viewer) or {}).get("roles", []):
                        raise Refused("FORBIDDEN", f"Only {role}s may do this")
                if staff:
                    shop_id = await staff.shop_id(context.services, kwargs["input"])
                    await staff_uc.require(
                        context.services, shop_id, context.require_viewer(), staff.roles, staff.of.field
                    )
                if limit:
                    await spend(context.services, limit, context.require_viewer())
                result = await fn(*args, **kwargs)
            except ApiError as exc:
                if exc.code not in CODES:
                    raise
                return payload(errors=[UserError.of(e) for e in exc.each()])
            context.renew_loaders()  # what the mutation wrote is what its payload shows
            return result

        return strawberry.mutation(run, description=description)

    return decorate

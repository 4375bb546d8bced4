"""Failures the use cases report. `Refused` becomes a UserError in a mutation's payload; `ApiError` a GraphQL
error with `extensions.code` (for queries and arguments that cannot be answered at all)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from domain.profile import Problem


class ApiError(Exception):
    def __init__(self, code: str, message: str, field: Iterable[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = list(field) if field is not None else None

    def each(self) -> list[ApiError]:
        """The failures this one stands for, one UserError each (several for Invalid and Refusals)."""
        return [self]


class Refused(ApiError):
    """An expected refusal of a mutation (team full, blocked, out of stock): reported in its `errors`."""


def bad_input(message: str, *field: str) -> ApiError:
    return ApiError("INVALID_INPUT", message, field or None)


class Invalid(Refused):
    """INVALID_INPUT for every broken rule at once; each problem's dotted field becomes ["input", ...]."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("INVALID_INPUT", problems[0].message, ["input", *problems[0].field.split(".")])
        self.problems = list(problems)

    def each(self) -> list[ApiError]:
        return [Refused(self.code, p.message, ["input", *p.field.split(".")]) for p in self.problems]


class Refusals(Refused):
    """Several refusals at once, each with its own code and field (every cart line whose price changed, everything
    that stops an account's deletion)."""

    def __init__(self, refusals: Sequence[Refused]) -> None:
        super().__init__(refusals[0].code, str(refusals[0]), refusals[0].field)
        self.refusals = list(refusals)

    def each(self) -> list[ApiError]:
        return list(self.refusals)


def refuse_problems(problems: Sequence[Problem]) -> None:
    if problems:
        raise Invalid(problems)

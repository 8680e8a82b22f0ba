"""Corridor's exception hierarchy.

Each error users can cause subclasses both :class:`CorridorError` and the matching built-in, so
callers may catch either (``except ValueError`` keeps working).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CorridorError",
    "DataError",
    "NoRouteError",
    "NotConvergedError",
    "Problem",
    "UnknownPlaceError",
]


class CorridorError(Exception):
    """Base class for every error raised on purpose by Corridor."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, what was found and what was expected."""

    file: str
    line: int | None
    field: str
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: field '{self.field}' = {self.value!r}: expected {self.expected}"


class DataError(ValueError, CorridorError):
    """Input data is malformed; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            message = problems
        else:
            self.problems = list(problems)
            n = len(self.problems)
            head = f"{n} problem{'s' if n != 1 else ''} in the input data:"
            message = "\n".join([head, *(f"  {p}" for p in self.problems)])
        super().__init__(message)


class UnknownPlaceError(KeyError, CorridorError):
    """A place name, id or UN/LOCODE matched nothing; carries the closest names as suggestions."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no place matches {query!r}{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class NoRouteError(LookupError, CorridorError):
    """No route satisfies the request's constraints."""


class NotConvergedError(RuntimeError, CorridorError):
    """An iterative solver stopped before reaching the requested tolerance."""

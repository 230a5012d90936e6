"""Errors raised by :mod:`reunite.routes`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "RouteError", "RouteFileError", "UnknownPlaceError"]


class RouteError(ValueError):
    """Base class: the input to the route engine cannot be used."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a route file; ``line`` counts from 1 (0: the whole file)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class RouteFileError(RouteError):
    """A route network file is not valid; ``problems`` lists every problem, in line order."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda problem: problem.line)
        super().__init__(self._summary())

    def _summary(self) -> str:
        where = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return f"{where}{self.problems[0]}"
        shown = "; ".join(str(problem) for problem in self.problems[:5])
        more = len(self.problems) - 5
        tail = f"; and {more} more" if more > 0 else ""
        return f"{where}{len(self.problems)} problems: {shown}{tail}"


class UnknownPlaceError(RouteError):
    """A place named by the caller is not in the network (``suggestions``: close names)."""

    def __init__(self, text: str, suggestions: list[str]) -> None:
        self.text = text
        self.suggestions = suggestions
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown place {text!r}{hint}")

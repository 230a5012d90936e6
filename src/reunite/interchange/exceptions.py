"""Errors raised by :mod:`reunite.interchange`.

There is one error class: a bad file is reported as a whole, with every problem found,
so that a person can fix the spreadsheet in one pass instead of one error at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InterchangeError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in an interchange file.

    ``row`` is the row number a person sees in a spreadsheet: the header is row 1 and the
    first data row is row 2. ``None`` means the problem concerns the whole file (or, for
    ``column``, the whole row).
    """

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column is not None:
            return f"row {self.row}, column {self.column}: {self.message}"
        if self.row is not None:
            return f"row {self.row}: {self.message}"
        if self.column is not None:
            return f"column {self.column}: {self.message}"
        return self.message


class InterchangeError(ValueError):
    """A file (or a set of records to write) is not valid; nothing was imported or written.

    ``problems`` lists every problem found, in file order.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        if not self.problems:
            return "invalid interchange data"
        if len(self.problems) == 1:
            return str(self.problems[0])
        shown = "; ".join(str(p) for p in self.problems[:3])
        more = len(self.problems) - 3
        tail = f"; and {more} more" if more > 0 else ""
        return f"{len(self.problems)} problems: {shown}{tail}"

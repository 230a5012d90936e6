"""Errors raised by :mod:`reunite.kinship`.

The Django layer catches :class:`KinshipError` once; input problems come as
:class:`KinshipInputError`, which is also a ``ValueError`` and carries every
problem found (row, column, locus, message), so a lab can fix a file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass


class KinshipError(Exception):
    """Base class of every error raised by the kinship engine."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    message: str
    row: int | None = None
    column: str | None = None
    locus: str | None = None
    person_id: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        if self.person_id:
            where.append(f"person {self.person_id!r}")
        if self.locus:
            where.append(f"locus {self.locus}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def to_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "row": self.row,
            "column": self.column,
            "locus": self.locus,
            "person_id": self.person_id,
        }


class KinshipInputError(KinshipError, ValueError):
    """Input that cannot be used: malformed files, bad arguments, impossible comparisons."""

    MAX_SHOWN = 20

    def __init__(self, problems: list[Problem] | Problem | str, *, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.source = source
        super().__init__(self._summary())

    def _summary(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        lines = [f"{head}{len(self.problems)} problems:"]
        lines += [f"  - {p}" for p in self.problems[: self.MAX_SHOWN]]
        if len(self.problems) > self.MAX_SHOWN:
            lines.append(f"  … and {len(self.problems) - self.MAX_SHOWN} more")
        return "\n".join(lines)

"""Extra columns of the case list, filled by the apps above the cases app.

The case list knows cases only; an app that holds more about a case (the round it is in,
overdue follow-up visits) registers a column in its ``AppConfig.ready()`` instead of the
cases app importing it:

    register_case_column("round", _("Round"), rounds_of)

``values(user, cases)`` gets the cases on the page and returns the text of the cell for
each case id it has something to say about (a missing id shows an empty cell). It must
only show what the user may see, and it runs once per page, not once per case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reunite.cases.models import Case


@dataclass(frozen=True)
class CaseColumn:
    key: str
    label: Any
    values: Callable[[Any, Sequence[Case]], dict[int, str]]


CASE_COLUMNS: dict[str, CaseColumn] = {}


def register_case_column(
    key: str, label: Any, values: Callable[[Any, Sequence[Case]], dict[int, str]]
) -> None:
    """Add (or replace) the column ``key`` of the case list."""
    CASE_COLUMNS[key] = CaseColumn(key, label, values)


def column_cells(user: Any, cases: Sequence[Case]) -> tuple[list[Any], dict[int, list[str]]]:
    """The extra columns' labels, and each case's cells in the same order."""
    columns = list(CASE_COLUMNS.values())
    cells: dict[int, list[str]] = {case.pk: [] for case in cases}
    for column in columns:
        values = column.values(user, cases)
        for case in cases:
            cells[case.pk].append(values.get(case.pk, ""))
    return [c.label for c in columns], cells

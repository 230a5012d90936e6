"""Repairs made by tolerant reading, and the repair report (a CSV a person can check)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reunite.interchange._cells import escape_cell

#: ``mapped``: a known word replaced by the format's value; ``unknown``: a value nobody
#: recognises, kept as unknown; ``dropped``: an impossible or inconsistent value removed
#: for that row; ``fixed``: text changed to be usable (control characters removed, cut to
#: the length limit, an id given); ``skipped``: the whole row left out (no name, no date).
RepairKind = Literal["mapped", "unknown", "dropped", "fixed", "skipped"]
REPAIR_COLUMNS = ("row", "column", "value", "what was done")


@dataclass(frozen=True)
class Repair:
    """One change tolerant reading made to a row so that the row could be used."""

    row: int | None
    column: str | None
    value: str
    kind: RepairKind
    action: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        if self.column:
            where += f", column {self.column}"
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{where}: {shown!r}: {self.action}" if self.value else f"{where}: {self.action}"


def summarise(repairs: Iterable[Repair]) -> list[tuple[str, RepairKind, int]]:
    """``(column, kind, count)`` per column and kind, most frequent first."""
    counts = Counter((r.column or "(row)", r.kind) for r in repairs)
    return [(column, kind, n) for (column, kind), n in counts.most_common()]


def write_repairs(path: str | Path, repairs: Iterable[Repair]) -> int:
    """Write the repair report atomically as CSV (``row, column, value, what was done``).

    Values come from the list as they were, so cells a spreadsheet would evaluate are
    escaped like every other file Reunite writes. Returns the number of repairs written.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(REPAIR_COLUMNS)
            for repair in repairs:
                out.writerow(
                    [
                        "" if repair.row is None else str(repair.row),
                        repair.column or "",
                        escape_cell(repair.value),
                        escape_cell(repair.action),
                    ]
                )
                count += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count

"""Turn the cells of one row into an :class:`InterchangeRecord`, collecting every problem."""

from __future__ import annotations

from datetime import date

from reunite.interchange._cells import PARSERS, bad_character, clean_text, escape_cell, max_chars
from reunite.interchange._dates import PartialDate
from reunite.interchange._schema import (
    ALL_COLUMNS,
    FileKind,
    InterchangeRecord,
    columns_for,
)
from reunite.interchange.exceptions import Problem

_NAME_COLUMNS = ("surname", "given_name", "full_name")


class RowChecker:
    """Validates rows of one file kind; ``errors`` and ``warnings`` accumulate over rows."""

    def __init__(self, kind: FileKind, *, today: date | None = None) -> None:
        self.kind = kind
        self.columns = columns_for(kind)
        self.today = today or date.today()
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self._seen_ids: dict[str, int] = {}

    def check_text(self, row: int, column: str, text: str) -> bool:
        """Character and length checks shared by every column; False if the cell is bad."""
        bad = bad_character(text)
        if bad is not None:
            self.errors.append(Problem(row, column, bad))
            return False
        limit = max_chars(column)
        if len(text) > limit:
            self.errors.append(
                Problem(row, column, f"is {len(text):,} characters long (limit {limit:,})")
            )
            return False
        if "\ufffd" in text:
            self.warnings.append(
                Problem(
                    row,
                    column,
                    "contains U+FFFD (a replacement character): the text was damaged by an "
                    "earlier encoding conversion",
                )
            )
        return True

    def build(
        self, row: int, cells: dict[str, str], extra: dict[str, str]
    ) -> InterchangeRecord | None:
        """Parse one row's known ``cells`` (already cleaned text); None if it has errors."""
        record, ok = self.parse(row, cells, extra)
        return record if ok else None

    def parse(
        self, row: int, cells: dict[str, str], extra: dict[str, str]
    ) -> tuple[InterchangeRecord, bool]:
        """Parse what can be parsed of one row; the flag is False if the row had errors."""
        n_errors = len(self.errors)
        values: dict[str, object] = {}
        for column, text in cells.items():
            if not text:
                continue
            if not self.check_text(row, column, text):
                continue
            parser = PARSERS.get(column)
            if parser is None:
                values[column] = text
                continue
            try:
                values[column] = parser(text)
            except ValueError as exc:
                self.errors.append(Problem(row, column, str(exc)))
        for column, text in extra.items():
            if text:
                self.check_text(row, column, text)

        record_id = str(values.pop("record_id", ""))
        if not record_id:
            self.errors.append(Problem(row, "record_id", "is empty (every row needs an id)"))
        else:
            first = self._seen_ids.get(record_id)
            if first is not None:
                self.errors.append(
                    Problem(row, "record_id", f"duplicate id {record_id!r} (first in row {first})")
                )
            else:
                self._seen_ids[record_id] = row
        record = InterchangeRecord(record_id=record_id, extra=dict(extra), source_row=row)
        for column, value in values.items():
            setattr(record, column, value)
        if len(self.errors) == n_errors:
            self.check_record(row, record)
        return record, len(self.errors) == n_errors

    def check_record(self, row: int, record: InterchangeRecord) -> None:
        """Checks across columns: dates in the future or out of order, no name at all."""
        for column in ("birth_date", "separation_date"):
            value: PartialDate = getattr(record, column)
            first = value.to_date()
            if first is not None and first > self.today:
                self.errors.append(Problem(row, column, f"'{value}' is in the future"))
        birth, sep = record.birth_date, record.separation_date
        b0, s1 = birth.to_date(), sep.last_date()
        if b0 is not None and s1 is not None and b0 > s1:
            self.errors.append(
                Problem(row, "separation_date", f"'{sep}' is before the birth date '{birth}'")
            )
        if not any(getattr(record, c) for c in _NAME_COLUMNS) and not record.other_names:
            self.warnings.append(
                Problem(row, None, "no name given (surname, given_name, full_name, other_names)")
            )


def record_cells(record: InterchangeRecord, columns: tuple[str, ...]) -> dict[str, str]:
    """The text a writer puts in each column for ``record`` (before formula escaping)."""
    return {c: record.cell(c) for c in columns}


def check_writable(
    records: list[InterchangeRecord], kind: FileKind, *, today: date | None = None
) -> list[Problem]:
    """Validate records before writing, as a reader would see them; return the errors.

    A writer that produced a file its own reader rejects would be worse than useless, so
    every record is rendered to text and parsed back, and any difference is a problem
    (e.g. an alias holding the ``;`` separator, a sex of ``"f"`` instead of ``"F"``).
    """
    checker = RowChecker(kind, today=today)
    columns = checker.columns
    for index, record in enumerate(records):
        row = index + 2
        # Exactly what a reader will see: escaped on write, cleaned and unescaped on read.
        cells = {c: clean_text(escape_cell(v)) for c, v in record_cells(record, columns).items()}
        extra = {
            k: clean_text(escape_cell(v)) for k, v in record.extra.items() if k not in ALL_COLUMNS
        }
        n_errors = len(checker.errors)
        parsed, _ = checker.parse(row, cells, extra)
        bad_columns = {p.column for p in checker.errors[n_errors:]}
        for column in columns:
            if column in bad_columns or column == "record_id":
                continue
            if getattr(parsed, column) != getattr(record, column):
                checker.errors.append(
                    Problem(
                        row,
                        column,
                        f"{getattr(record, column)!r} would not read back unchanged "
                        "(check for ';' in other names, surrounding spaces, or letter case)",
                    )
                )
    return checker.errors

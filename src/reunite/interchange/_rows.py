"""Turn the cells of one row into an :class:`InterchangeRecord`, collecting every problem."""

from __future__ import annotations

import re
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
# Anything the per-cell character checks would complain or warn about (the \x1f joining
# the cells excluded).
_SUSPECT = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1e\x7f-\x9f\ufffd\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class RowChecker:
    """Validates rows of one file kind; ``errors`` and ``warnings`` accumulate over rows."""

    def __init__(self, kind: FileKind, *, today: date | None = None) -> None:
        self.kind = kind
        self.columns = columns_for(kind)
        self.today = today or date.today()
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self._seen_ids: dict[str, int] = {}

    def check_text(self, row: int, column: str, text: str, *, chars_ok: bool = False) -> bool:
        """Character and length checks shared by every column; False if the cell is bad.

        ``chars_ok`` skips the character checks when the caller already scanned the row.
        """
        if not chars_ok:
            bad = bad_character(text)
            if bad is not None:
                self.errors.append(Problem(row, column, bad))
                return False
            if "\ufffd" in text:
                self._replacement_warning(row, column)
        limit = max_chars(column)
        if len(text) > limit:
            self.errors.append(
                Problem(row, column, f"is {len(text):,} characters long (limit {limit:,})")
            )
            return False
        return True

    def _replacement_warning(self, row: int, column: str) -> None:
        self.warnings.append(
            Problem(
                row,
                column,
                "contains U+FFFD (a replacement character): the text was damaged by an "
                "earlier encoding conversion",
            )
        )

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
        # One scan of the whole row for bad characters; per-cell only when it finds any.
        joined = "\x1f".join(cells.values())
        chars_ok = not _SUSPECT.search(joined)
        for column, text in cells.items():
            if not text:
                continue
            if not self.check_text(row, column, text, chars_ok=chars_ok):
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
        age = record.estimated_age
        if age is not None and b0 is not None:
            b1 = birth.last_date()
            assert b1 is not None
            oldest = _age(b0, self.today)
            youngest = _age(b1, self.today)
            if not youngest - 1 <= age <= oldest + 1:
                self.warnings.append(
                    Problem(
                        row,
                        "estimated_age",
                        f"{age} does not fit the birth date '{birth}' "
                        f"(age {youngest if youngest == oldest else f'{youngest}-{oldest}'} today)",
                    )
                )
        if not any(getattr(record, c) for c in _NAME_COLUMNS) and not record.other_names:
            self.warnings.append(
                Problem(row, None, "no name given (surname, given_name, full_name, other_names)")
            )


_EMPTY_VALUES: dict[str, object] = {c: parse("") for c, parse in PARSERS.items()}


class WriteChecker(RowChecker):
    """Validates records before writing, as a reader would see them.

    A writer that produced a file its own reader rejects would be worse than useless, so
    each rendered cell is escaped, cleaned and parsed back exactly as :func:`read_file`
    does, and any difference is a problem (an alias holding the ``;`` separator, a sex of
    ``"f"`` instead of ``"F"``, padded text …).
    """

    def check(self, row: int, record: InterchangeRecord, texts: list[str]) -> None:
        """``texts``: the record's unescaped cells for ``self.columns``, in order."""
        errors = self.errors
        n_errors = len(errors)
        for column, text in zip(self.columns, texts, strict=True):
            parser = PARSERS.get(column)
            if not text:
                if parser is not None and getattr(record, column) != _EMPTY_VALUES[column]:
                    errors.append(Problem(row, column, f"{getattr(record, column)!r} is empty"))
                continue
            seen = clean_text(escape_cell(text))
            if not self.check_text(row, column, seen):
                continue
            if parser is None:
                if seen != text:
                    errors.append(
                        Problem(
                            row,
                            column,
                            f"{text!r} would not read back "
                            "unchanged (surrounding spaces or line breaks?)",
                        )
                    )
                continue
            try:
                value = parser(seen)
            except ValueError as exc:
                errors.append(Problem(row, column, str(exc)))
                continue
            if value != getattr(record, column):
                errors.append(
                    Problem(
                        row,
                        column,
                        f"{getattr(record, column)!r} would not "
                        "read back unchanged (';' in an alias? letter case?)",
                    )
                )
        for key, value in record.extra.items():
            if value and key not in ALL_COLUMNS:
                self.check_text(row, key, value)
        record_id = record.record_id
        if not record_id:
            errors.append(Problem(row, "record_id", "is empty (every row needs an id)"))
        else:
            first = self._seen_ids.get(record_id)
            if first is not None:
                errors.append(
                    Problem(row, "record_id", f"duplicate id {record_id!r} (first in row {first})")
                )
            else:
                self._seen_ids[record_id] = row
        if len(errors) == n_errors:
            self.check_record(row, record)

"""Turn the cells of one row into an :class:`InterchangeRecord`, collecting every problem."""

from __future__ import annotations

import re
from datetime import date

from reunite.interchange._cells import (
    _BAD_CHARS,
    PARSERS,
    bad_character,
    clean_text,
    escape_cell,
    max_chars,
)
from reunite.interchange._dates import UNKNOWN_DATE, PartialDate
from reunite.interchange._repairs import Repair, RepairKind
from reunite.interchange._schema import (
    ALL_COLUMNS,
    MAX_CELL_CHARS,
    FileKind,
    InterchangeRecord,
    columns_for,
)
from reunite.interchange._vocabulary import known_legal_status, known_sex
from reunite.interchange.exceptions import Problem

_NAME_COLUMNS = ("surname", "given_name", "full_name")
# Anything the per-cell character checks would complain or warn about (the \x1f joining
# the cells excluded).
_SUSPECT = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1e\x7f-\x9f\ufffd\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def _short(message: str) -> str:
    """A parser's message without the advice on what to write (the report says what was done)."""
    return message.split(" (use ", 1)[0]


def _usable(record: InterchangeRecord) -> bool:
    """A row matching can use: it has a name, or at least a birth date or an age."""
    return bool(
        record.surname or record.given_name or record.full_name or record.patronymic
        or record.other_names or record.birth_date.is_known or record.estimated_age is not None
    )  # fmt: skip


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class RowChecker:
    """Validates rows of one file kind; ``errors`` and ``warnings`` accumulate over rows.

    ``tolerant``: instead of an error, a bad value is repaired for its row (mapped through
    the known words, kept as unknown, or dropped) and the repair is added to ``repairs``;
    a row with no name and no date is skipped (``skipped`` and a repair). Problems that
    concern the whole file stay errors.
    """

    def __init__(
        self, kind: FileKind, *, today: date | None = None, tolerant: bool = False
    ) -> None:
        self.kind = kind
        self.columns = columns_for(kind)
        self.today = today or date.today()
        self.tolerant = tolerant
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.repairs: list[Repair] = []
        self.skipped: list[int] = []
        self._seen_ids: dict[str, int] = {}

    def repair(
        self, row: int | None, column: str | None, value: str, kind: RepairKind, action: str
    ) -> None:
        self.repairs.append(Repair(row, column, value, kind, action))

    def _tolerate_text(self, row: int, column: str, text: str) -> str:
        """Tolerant reading: the cell made usable (bad characters out, cut to the limit)."""
        if _BAD_CHARS.search(text):
            cleaned = _BAD_CHARS.sub("", text)
            self.repair(row, column, text, "fixed", "control characters removed")
            text = cleaned.strip()
        limit = max_chars(column)
        if len(text) > limit:
            self.repair(row, column, text, "fixed", f"cut to the first {limit:,} characters")
            text = text[:limit].strip()
        if "\ufffd" in text:
            self._replacement_warning(row, column)
        return text

    def _tolerate_value(self, row: int, column: str, text: str, message: str) -> object:
        """Tolerant reading: what to keep for a value its parser refused (and the repair)."""
        if column in ("sex", "legal_status"):
            known = known_sex(text) if column == "sex" else known_legal_status(text)
            if known is not None:
                what = known.value or "unknown (empty)"
                note = f" ({known.note})" if known.note else ""
                self.repair(row, column, text, "mapped", f"read as {what}{note}")
                return known.value
            self.repair(row, column, text, "unknown", "not a known word: kept as unknown")
            return ""
        if column in ("birth_date", "separation_date"):
            self.repair(row, column, text, "dropped", f"{message}: dropped for this row")
            return UNKNOWN_DATE
        self.repair(row, column, text, "dropped", f"{message}: dropped for this row")
        return None

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
        tolerant = self.tolerant
        values: dict[str, object] = {}
        # One scan of the whole row for bad characters; per-cell only when it finds any.
        joined = "\x1f".join(cells.values())
        chars_ok = not _SUSPECT.search(joined)
        for column, text in cells.items():
            if not text:
                continue
            if tolerant:
                if not chars_ok or len(text) > MAX_CELL_CHARS:
                    text = self._tolerate_text(row, column, text)
                    if not text:
                        continue
            elif not self.check_text(row, column, text, chars_ok=chars_ok):
                continue
            parser = PARSERS.get(column)
            if parser is None:
                values[column] = text
                continue
            try:
                values[column] = parser(text)
            except ValueError as exc:
                if tolerant:
                    value = self._tolerate_value(row, column, text, _short(str(exc)))
                    if value is not None:
                        values[column] = value
                else:
                    self.errors.append(Problem(row, column, str(exc)))
        for column, text in extra.items():
            if text:
                if tolerant:
                    extra[column] = self._tolerate_text(row, column, text)
                else:
                    self.check_text(row, column, text)

        record_id = str(values.pop("record_id", ""))
        if not record_id:
            if tolerant:
                record_id = self._free_id(f"row-{row}")
                self.repair(row, "record_id", "", "fixed", f"empty: given the id {record_id!r}")
            else:
                self.errors.append(Problem(row, "record_id", "is empty (every row needs an id)"))
        else:
            first = self._seen_ids.get(record_id)
            if first is not None:
                if tolerant:
                    new_id = self._free_id(f"{record_id}#row-{row}")
                    self.repair(
                        row, "record_id", record_id, "fixed",
                        f"duplicate of row {first}: given the id {new_id!r}",
                    )  # fmt: skip
                    record_id = new_id
                else:
                    self.errors.append(
                        Problem(
                            row, "record_id", f"duplicate id {record_id!r} (first in row {first})"
                        )
                    )
        if record_id and record_id not in self._seen_ids:
            self._seen_ids[record_id] = row
        record = InterchangeRecord(record_id=record_id, extra=dict(extra), source_row=row)
        for column, value in values.items():
            setattr(record, column, value)
        if len(self.errors) == n_errors:
            self.check_record(row, record)
        if tolerant and not _usable(record):
            self.skipped.append(row)
            self.repair(row, None, "", "skipped", "row skipped: no name and no birth date or age")
            return record, False
        return record, len(self.errors) == n_errors

    def _free_id(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self._seen_ids:
            n += 1
            candidate = f"{wanted}-{n}"
        return candidate

    def check_record(self, row: int, record: InterchangeRecord) -> None:
        """Checks across columns: dates in the future or out of order, no name at all."""
        for column in ("birth_date", "separation_date"):
            value: PartialDate = getattr(record, column)
            first = value.to_date()
            if first is not None and first > self.today:
                if self.tolerant:
                    setattr(record, column, UNKNOWN_DATE)
                    self.repair(
                        row, column, str(value), "dropped",
                        "in the future: dropped for this row",
                    )  # fmt: skip
                else:
                    self.errors.append(Problem(row, column, f"'{value}' is in the future"))
        birth, sep = record.birth_date, record.separation_date
        b0, s1 = birth.to_date(), sep.last_date()
        if b0 is not None and s1 is not None and b0 > s1:
            if self.tolerant:
                # The birth date is what matching leans on; the separation date goes.
                record.separation_date = UNKNOWN_DATE
                self.repair(
                    row, "separation_date", str(sep), "dropped",
                    f"before the birth date {birth}: separation date dropped for this row",
                )  # fmt: skip
            else:
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

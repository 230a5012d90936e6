"""Read and validate an interchange file (CSV in UTF-8, or XLSX)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from reunite.interchange._cells import clean_text
from reunite.interchange._repairs import Repair
from reunite.interchange._rows import RowChecker
from reunite.interchange._schema import (
    ALL_COLUMNS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    MAX_PROBLEMS,
    REQUIRED,
    FileKind,
    InterchangeRecord,
    columns_for,
)
from reunite.interchange._xlsx import XlsxLimits, read_sheet
from reunite.interchange.exceptions import InterchangeError, Problem

Format = Literal["csv", "xlsx"]
Progress = Callable[[int, int], None]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_PROGRESS_EVERY = 2_000


@dataclass
class ReadResult:
    """A valid file: its records, the unknown columns it had, and non-fatal warnings."""

    records: list[InterchangeRecord]
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    kind: FileKind = "children"
    format: Format = "csv"
    #: Tolerant reading only: what was changed so that rows could be used.
    repairs: list[Repair] = field(default_factory=list)
    #: Tolerant reading only: spreadsheet rows left out (no name and no date).
    skipped: list[int] = field(default_factory=list)


class _TooMany(Exception):
    """Internal: enough problems collected; stop reading."""


def detect_format(path: Path, head: bytes) -> Format:
    """CSV or XLSX from the content, falling back to the extension; raise if neither."""
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC):
        raise InterchangeError(
            [
                Problem(
                    None,
                    None,
                    f"{path.name} is an old Excel .xls file; save it as .xlsx "
                    "or as 'CSV UTF-8' and try again",
                )
            ]
        )
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if suffix in (".xlsx", ".xlsm"):
        raise InterchangeError(
            [
                Problem(
                    None,
                    None,
                    f"{path.name} is named .xlsx but is not an Excel workbook "
                    "(no zip signature); if it is a CSV file, rename it to .csv",
                )
            ]
        )
    return "csv"


def read_file(
    path: str | Path,
    kind: FileKind,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
    today: date | None = None,
    tolerant: bool = False,
    xlsx_limits: XlsxLimits | None = None,
) -> ReadResult:
    """Read, validate and return every record of an interchange file.

    All rows are validated before anything is returned: if any row is bad, an
    :class:`InterchangeError` lists every problem (up to a cap) and no record is returned.
    ``progress(done, total)`` is called now and then; ``total`` is an estimate for CSV.
    ``today`` (default: the current date) is the reference for "date in the future".
    ``xlsx_limits`` bounds what a workbook may expand to (see :class:`XlsxLimits`).

    ``tolerant=True`` (for matching, never for writing into the registry) reads every row
    it can: values outside an enumeration are mapped through the known words or kept as
    unknown, impossible or inconsistent values are dropped for their row, rows with no
    name and no date are skipped; every change is in ``repairs`` (and skipped rows in
    ``skipped``). Only problems of the whole file (encoding, no header, limits) raise.
    """
    stream = open_records(
        path, kind, max_bytes=max_bytes, max_rows=max_rows, progress=progress, today=today,
        tolerant=tolerant, xlsx_limits=xlsx_limits,
    )  # fmt: skip
    records = list(stream)
    return ReadResult(
        records, stream.unknown_columns, stream.warnings, kind, stream.format,
        stream.repairs, stream.skipped,
    )  # fmt: skip


def open_records(
    path: str | Path,
    kind: FileKind,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
    today: date | None = None,
    tolerant: bool = False,
    xlsx_limits: XlsxLimits | None = None,
) -> RecordStream:
    """Open a file for reading its records one at a time (the file is never held whole).

    The header is read and checked at once (problems of the whole file raise
    :class:`InterchangeError` here). Iterating yields each valid record in file order;
    when the end is reached and any row was bad, :class:`InterchangeError` lists every
    problem, exactly as :func:`read_file` would. A caller that must not act on a bad file
    iterates once to validate and once more to act (see ``reunite.registry.importing``).
    """
    columns_for(kind)  # validates kind
    path = Path(path)
    if not path.exists():
        raise InterchangeError([Problem(None, None, f"file not found: {path}")])
    if not path.is_file():
        raise InterchangeError([Problem(None, None, f"not a file: {path}")])
    size = path.stat().st_size
    if size > max_bytes:
        raise InterchangeError(
            [Problem(None, None, f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes")]
        )
    if size == 0:
        raise InterchangeError([Problem(None, None, "file is empty")])
    with path.open("rb") as fh:
        head = fh.read(8)
    fmt = detect_format(path, head)
    warnings: list[Problem] = []
    if fmt == "xlsx" and path.suffix.lower() not in (".xlsx", ".xlsm"):
        warnings.append(Problem(None, None, f"{path.name} is an XLSX workbook; read as XLSX"))
    if fmt == "xlsx":
        rows, total = _xlsx_rows(path, warnings, xlsx_limits)
    else:
        rows, total = _csv_rows(path)
    return RecordStream(rows, total, kind, fmt, max_rows, warnings, progress, today, tolerant)


# --- CSV --------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InterchangeError(
            [Problem(None, None, "file is UTF-16 encoded; save it as 'CSV UTF-8' and try again")]
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = ""
        try:
            guess = data.decode("cp1251")
        except UnicodeDecodeError:
            guess = ""
        if re.search("[А-Яа-яІіЇїЄєҐґ]{3}", guess):
            hint = " It looks like Windows-1251 (Cyrillic ANSI)."
        raise InterchangeError(
            [
                Problem(
                    line,
                    None,
                    f"the file is not UTF-8 (invalid byte 0x{data[exc.start]:02X} "
                    f"at byte {exc.start:,}).{hint} Save it as 'CSV UTF-8' and try again",
                )
            ]
        ) from None


def _sniff_delimiter(first_line: str) -> str:
    """Comma by default; Excel in Ukrainian or Russian locales writes ';' (or tab)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _csv_rows(path: Path) -> tuple[Iterator[tuple[int, list[str | None]]], int]:
    """Stream the rows of a UTF-8 CSV file (never held whole in memory)."""
    size = path.stat().st_size
    with path.open("rb") as raw:
        sample = raw.read(1 << 16)
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        _decode(sample)  # raises: UTF-16
    if len(sample) == size and not sample.lstrip(b"\xef\xbb\xbf").strip():
        raise InterchangeError([Problem(None, None, "file is empty")])
    fh = path.open("r", encoding="utf-8-sig", newline="")
    try:
        first_line = fh.readline()
        fh.seek(0)
    except UnicodeDecodeError:
        fh.close()
        _decode(path.read_bytes())  # raises with the line and byte of the first bad byte
        raise
    delimiter = _sniff_delimiter(first_line.rstrip("\r\n"))
    lines_in_sample = max(sample.count(b"\n"), 1)
    total = max(int(size / (len(sample) / lines_in_sample)) - 1, 1)

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        reader = csv.reader(fh, delimiter=delimiter, strict=False)
        row_no = 0
        try:
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise InterchangeError(
                        [Problem(row_no + 1, None, f"cannot be read as CSV: {exc}")]
                    ) from None
                except UnicodeDecodeError:
                    _decode(path.read_bytes())  # raises with the line and byte
                    raise
                row_no += 1
                yield row_no, list(cells)
        finally:
            fh.close()

    return rows(), total


# --- XLSX -------------------------------------------------------------------------------


def _xlsx_rows(
    path: Path, warnings: list[Problem], limits: XlsxLimits | None
) -> tuple[Iterator[tuple[int, list[str | None]]], int]:
    # Streamed with absolute limits (see _xlsx.py): the size on disk says nothing about
    # what a zip expands to.
    limits = limits or XlsxLimits()
    fh = path.open("rb")
    try:
        rows, total, title, others = read_sheet(fh, limits)
    except BaseException:
        fh.close()
        raise
    if others:
        warnings.append(
            Problem(
                None,
                None,
                f"only the first sheet {title!r} was read; "
                f"ignored: {', '.join(repr(t) for t in others)}",
            )
        )

    def closing() -> Iterator[tuple[int, list[str | None]]]:
        try:
            yield from rows
        finally:
            fh.close()

    return closing(), total


# --- validation -------------------------------------------------------------------------


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


class RecordStream:
    """The records of one file, validated as they are read (see :func:`open_records`).

    ``unknown_columns``, ``warnings``, ``repairs`` and ``skipped`` are complete once the
    iteration has ended. Iterate only once.
    """

    def __init__(
        self,
        rows: Iterator[tuple[int, list[str | None]]],
        total: int,
        kind: FileKind,
        fmt: Format,
        max_rows: int,
        warnings: list[Problem],
        progress: Progress | None,
        today: date | None,
        tolerant: bool,
    ) -> None:
        self.kind = kind
        self.format: Format = fmt
        self.warnings = warnings
        self.total = total
        self._rows = rows
        self._max_rows = max_rows
        self._progress = progress
        self.checker = RowChecker(kind, today=today, tolerant=tolerant)
        self.unknown_columns: list[str] = []
        self.rows_read = 0
        self._read_header()

    @property
    def repairs(self) -> list[Repair]:
        return self.checker.repairs

    @property
    def skipped(self) -> list[int]:
        return self.checker.skipped

    def _read_header(self) -> None:
        checker = self.checker
        errors = checker.errors
        known = set(checker.columns)
        header: list[str | None] | None = None
        header_row = 1
        for row_no, cells in self._rows:
            if any(c is not None and str(c).strip() for c in cells):
                header, header_row = cells, row_no
                break
        if header is None:
            raise InterchangeError([Problem(None, None, "file is empty (no header row)")])

        # Map each position to a known column, an unknown column, or nothing.
        positions: list[tuple[int, str, bool]] = []  # (index, name, is_known)
        seen: dict[str, int] = {}
        for index, raw in enumerate(header):
            text = "" if raw is None else str(raw)
            if text.startswith("\x00formula:"):
                text = text[len("\x00formula:") :]
            name = _header_key(clean_text(text))
            if not name:
                name = f"column_{index + 1}"
                positions.append((index, name, False))
                continue
            if name in seen:
                if checker.tolerant:
                    renamed = f"{name}_{index + 1}"
                    checker.repair(
                        header_row, name, str(raw), "fixed",
                        f"column named twice (columns {seen[name] + 1} and {index + 1}): "
                        f"the second one kept as extra data {renamed!r}",
                    )  # fmt: skip
                    positions.append((index, renamed, False))
                    self.unknown_columns.append(renamed)
                    continue
                errors.append(
                    Problem(
                        header_row, name,
                        f"appears twice (columns {seen[name] + 1} and {index + 1})",
                    )
                )  # fmt: skip
                continue
            seen[name] = index
            is_known = name in known
            positions.append((index, name, is_known))
            if not is_known:
                self.unknown_columns.append(name)
        missing = [c for c in REQUIRED if c not in seen]
        if missing and checker.tolerant and not errors and any(k for _, _, k in positions):
            for column in missing:
                checker.repair(
                    header_row,
                    column,
                    "",
                    "fixed",
                    "column missing: each row is given the id row-N (its row number)",
                )
        elif missing:
            has_known = any(k for _, _, k in positions)
            hint = (
                ""
                if has_known
                else " (is the first row the header? expected names like "
                f"{', '.join(checker.columns[:4])})"
            )
            errors.extend(
                Problem(header_row, c, f"required column is missing{hint}") for c in missing
            )
            raise InterchangeError(errors)
        for name in self.unknown_columns:
            if name not in seen:
                continue  # a renamed duplicate: already reported as a repair
            other = " (it belongs to another file kind)" if name in ALL_COLUMNS else ""
            self.warnings.append(
                Problem(
                    header_row,
                    name,
                    f"unknown column{other}: kept as extra data, not imported into any field",
                )
            )
        self._header = header
        self._header_row = header_row
        self._positions = positions
        self._seen = seen

    def __iter__(self) -> Iterator[InterchangeRecord]:
        checker = self.checker
        errors = checker.errors
        warnings = self.warnings
        tolerant = checker.tolerant
        header, positions, seen = self._header, self._positions, self._seen
        progress, max_rows, total = self._progress, self._max_rows, self.total
        data_rows = 0
        empty_headers_used: set[str] = set()
        try:
            for row_no, cells in self._rows:
                if not any(c is not None and str(c).strip() for c in cells):
                    continue  # spreadsheets keep blank lines; they are not records
                data_rows += 1
                self.rows_read = data_rows
                if data_rows > max_rows:
                    errors.append(
                        Problem(
                            row_no, None,
                            f"the file has more than {max_rows:,} data rows, over the limit",
                        )
                    )  # fmt: skip
                    raise _TooMany
                if len(cells) > len(header) and any(
                    c is not None and str(c).strip() for c in cells[len(header) :]
                ):
                    message = f"has {len(cells)} cells but the header has {len(header)} columns"
                    if tolerant:
                        checker.repair(
                            row_no, None, "", "dropped", f"{message}: the extra cells ignored"
                        )
                    else:
                        errors.append(Problem(row_no, None, message))
                known_cells: dict[str, str] = {}
                extra: dict[str, str] = {}
                n_cells = len(cells)
                for index, name, is_known in positions:
                    raw = cells[index] if index < n_cells else None
                    if not raw:
                        text = ""
                    elif raw[0] == "\x00" and raw.startswith("\x00formula:"):
                        formula = raw[len(chr(0) + "formula:") :]
                        if tolerant:
                            checker.repair(
                                row_no, name, formula, "dropped",
                                "a spreadsheet formula, not a value: dropped for this row",
                            )  # fmt: skip
                            continue
                        errors.append(
                            Problem(
                                row_no, name,
                                f"holds a spreadsheet formula ({formula[:60]}); enter the "
                                "value as plain text",
                            )
                        )  # fmt: skip
                        continue
                    else:
                        text = clean_text(raw)
                        if text[:1] == "=" and not raw.lstrip().startswith("'"):
                            warnings.append(
                                Problem(
                                    row_no, name,
                                    "looks like a spreadsheet formula: kept as text, escaped "
                                    "on export",
                                )
                            )  # fmt: skip
                    if is_known:
                        known_cells[name] = text
                    elif text:
                        extra[name] = text
                        if name.startswith("column_") and name not in seen:
                            empty_headers_used.add(name)
                record = checker.build(row_no, known_cells, extra)
                if len(errors) >= MAX_PROBLEMS:
                    raise _TooMany
                if progress is not None and data_rows % _PROGRESS_EVERY == 0:
                    progress(data_rows, max(total, data_rows))
                if record is not None:
                    yield record
        except _TooMany:
            errors.append(
                Problem(
                    None, None,
                    f"stopped after {len(errors):,} problems; fix these and read the file again",
                )
            )  # fmt: skip
        if progress is not None:
            progress(data_rows, data_rows)
        for name in sorted(empty_headers_used):
            self.unknown_columns.append(name)
            warnings.append(
                Problem(self._header_row, name, "has no header but holds data: kept as extra data")
            )
        if data_rows == 0 and not errors:
            errors.append(Problem(None, None, "file has a header but no data rows"))
        if errors:
            raise InterchangeError(errors)
        warnings.extend(checker.warnings)

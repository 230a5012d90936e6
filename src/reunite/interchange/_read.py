"""Read and validate an interchange file (CSV in UTF-8, or XLSX)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from reunite.interchange._cells import clean_text
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
    xlsx_limits: XlsxLimits | None = None,
) -> ReadResult:
    """Read, validate and return every record of an interchange file.

    All rows are validated before anything is returned: if any row is bad, an
    :class:`InterchangeError` lists every problem (up to a cap) and no record is returned.
    ``progress(done, total)`` is called now and then; ``total`` is an estimate for CSV.
    ``today`` (default: the current date) is the reference for "date in the future".
    ``xlsx_limits`` bounds what a workbook may expand to (see :class:`XlsxLimits`).
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
    records, unknown = _validate(rows, total, kind, max_rows, warnings, progress, today)
    return ReadResult(records, unknown, warnings, kind, fmt)


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
    text = _decode(path.read_bytes())
    if not text.strip():
        raise InterchangeError([Problem(None, None, "file is empty")])
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    total = max(text.count("\n") - 1, 1)

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        row_no = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InterchangeError(
                    [Problem(row_no + 1, None, f"cannot be read as CSV: {exc}")]
                ) from None
            row_no += 1
            yield row_no, list(cells)

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


def _validate(
    rows: Iterator[tuple[int, list[str | None]]],
    total: int,
    kind: FileKind,
    max_rows: int,
    warnings: list[Problem],
    progress: Progress | None,
    today: date | None,
) -> tuple[list[InterchangeRecord], list[str]]:
    checker = RowChecker(kind, today=today)
    errors = checker.errors
    known = set(checker.columns)

    header: list[str | None] | None = None
    header_row = 1
    for row_no, cells in rows:
        if any(c is not None and str(c).strip() for c in cells):
            header, header_row = cells, row_no
            break
    if header is None:
        raise InterchangeError([Problem(None, None, "file is empty (no header row)")])

    # Map each position to a known column, an unknown column, or nothing.
    positions: list[tuple[int, str, bool]] = []  # (index, name, is_known)
    seen: dict[str, int] = {}
    unknown: list[str] = []
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
            errors.append(
                Problem(
                    header_row, name, f"appears twice (columns {seen[name] + 1} and {index + 1})"
                )
            )
            continue
        seen[name] = index
        is_known = name in known
        positions.append((index, name, is_known))
        if not is_known:
            unknown.append(name)
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        has_known = any(k for _, _, k in positions)
        hint = (
            ""
            if has_known
            else " (is the first row the header? expected names like "
            f"{', '.join(checker.columns[:4])})"
        )
        errors.extend(Problem(header_row, c, f"required column is missing{hint}") for c in missing)
        raise InterchangeError(errors)
    for name in unknown:
        other = " (it belongs to another file kind)" if name in ALL_COLUMNS else ""
        warnings.append(
            Problem(
                header_row,
                name,
                f"unknown column{other}: kept as extra data, not imported into any field",
            )
        )

    records: list[InterchangeRecord] = []
    data_rows = 0
    empty_headers_used: set[str] = set()
    try:
        for row_no, cells in rows:
            if not any(c is not None and str(c).strip() for c in cells):
                continue  # spreadsheets keep blank lines; they are not records
            data_rows += 1
            if data_rows > max_rows:
                errors.append(
                    Problem(
                        row_no,
                        None,
                        f"the file has more than {max_rows:,} data rows, over the limit",
                    )
                )
                raise _TooMany
            if len(cells) > len(header) and any(
                c is not None and str(c).strip() for c in cells[len(header) :]
            ):
                errors.append(
                    Problem(
                        row_no,
                        None,
                        f"has {len(cells)} cells but the header has {len(header)} columns",
                    )
                )
            known_cells: dict[str, str] = {}
            extra: dict[str, str] = {}
            n_cells = len(cells)
            for index, name, is_known in positions:
                raw = cells[index] if index < n_cells else None
                if not raw:
                    text = ""
                elif raw[0] == "\x00" and raw.startswith("\x00formula:"):
                    errors.append(
                        Problem(
                            row_no,
                            name,
                            f"holds a spreadsheet formula "
                            f"({raw[len(chr(0) + 'formula:') :][:60]}); enter the "
                            "value as plain text",
                        )
                    )
                    continue
                else:
                    text = clean_text(raw)
                    if text[:1] == "=" and not raw.lstrip().startswith("'"):
                        warnings.append(
                            Problem(
                                row_no,
                                name,
                                "looks like a spreadsheet formula: kept as text, escaped on export",
                            )
                        )
                if is_known:
                    known_cells[name] = text
                elif text:
                    extra[name] = text
                    if name.startswith("column_") and name not in seen:
                        empty_headers_used.add(name)
            record = checker.build(row_no, known_cells, extra)
            if record is not None:
                records.append(record)
            if len(errors) >= MAX_PROBLEMS:
                raise _TooMany
            if progress is not None and data_rows % _PROGRESS_EVERY == 0:
                progress(data_rows, max(total, data_rows))
    except _TooMany:
        errors.append(
            Problem(
                None,
                None,
                f"stopped after {len(errors):,} problems; fix these and read the file again",
            )
        )
    if progress is not None:
        progress(data_rows, data_rows)
    for name in sorted(empty_headers_used):
        unknown.append(name)
        warnings.append(
            Problem(header_row, name, "has no header but holds data: kept as extra data")
        )
    if data_rows == 0 and not errors:
        errors.append(Problem(None, None, "file has a header but no data rows"))
    if errors:
        raise InterchangeError(errors)
    warnings.extend(checker.warnings)
    return records, unknown

"""Write interchange files atomically, with formula-looking cells escaped."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from reunite.interchange._cells import escape_cell
from reunite.interchange._rows import check_writable
from reunite.interchange._schema import (
    ALL_COLUMNS,
    XLSX_MAX_ROWS,
    FileKind,
    InterchangeRecord,
    columns_for,
)
from reunite.interchange.exceptions import InterchangeError, Problem


def write_file(
    path: str | Path,
    records: Iterable[InterchangeRecord],
    kind: FileKind,
    *,
    include_extra: bool = False,
    bom: bool = False,
    today: date | None = None,
) -> int:
    """Write ``records`` as a ``kind`` file (CSV or XLSX by extension); return the row count.

    Every record is validated first (the same rules as :func:`read_file`) and an
    :class:`InterchangeError` lists all problems; nothing is written then. Cells that a
    spreadsheet would evaluate (leading ``= + - @``, tab, CR) get a leading apostrophe.
    The file appears atomically: it is written to a temporary file in the same directory
    and renamed, so a failure never leaves a half-written file behind.
    ``include_extra`` appends the union of the records' unknown (``extra``) columns;
    ``bom`` starts a CSV with a UTF-8 byte-order mark, which old Excel versions need to
    recognise UTF-8.
    """
    path = Path(path)
    columns = columns_for(kind)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InterchangeError(
            [Problem(None, None, f"cannot write {path.name}: use a .csv or .xlsx file name")]
        )
    items = list(records)
    problems = check_writable(items, kind, today=today)
    if suffix == ".xlsx" and len(items) + 1 > XLSX_MAX_ROWS:
        problems.append(
            Problem(
                None,
                None,
                f"{len(items):,} rows do not fit in one Excel "
                f"sheet (limit {XLSX_MAX_ROWS - 1:,}); write CSV instead",
            )
        )
    if problems:
        raise InterchangeError(problems)
    extra_columns: list[str] = []
    if include_extra:
        seen: set[str] = set()
        for rec in items:
            for key in rec.extra:
                if key not in seen and key not in ALL_COLUMNS:
                    seen.add(key)
                    extra_columns.append(key)
    header = list(columns) + extra_columns
    if not path.parent.exists():
        raise InterchangeError([Problem(None, None, f"directory does not exist: {path.parent}")])

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        if suffix == ".csv":
            with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\r\n")
                writer.writerow(header)
                for rec in items:
                    writer.writerow([escape_cell(rec.cell(c)) for c in header])
                fh.flush()
                os.fsync(fh.fileno())
        else:
            os.close(fd)
            _write_xlsx(tmp, header, items, kind)
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(items)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _write_xlsx(
    tmp: Path, header: list[str], items: list[InterchangeRecord], kind: FileKind
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=kind)
    ws.append(header)
    for rec in items:
        row = []
        for column in header:
            cell = WriteOnlyCell(ws, value=escape_cell(rec.cell(column)) or None)
            # Force text: openpyxl would otherwise store a string starting with '=' as a
            # formula. Escaping already prevents that; this is belt and braces.
            if cell.value is not None:
                cell.data_type = "s"
            row.append(cell)
        ws.append(row)
    wb.save(tmp)

"""Write interchange files atomically, with formula-looking cells escaped."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from reunite.interchange._cells import escape_cell
from reunite.interchange._rows import WriteChecker
from reunite.interchange._schema import (
    ALL_COLUMNS,
    XLSX_MAX_ROWS,
    FileKind,
    InterchangeRecord,
    columns_for,
    renderer,
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
    progress: Callable[[int, int], None] | None = None,
    skip_invalid: Callable[[int, list[Problem]], None] | None = None,
) -> int:
    """Write ``records`` as a ``kind`` file (CSV or XLSX by extension); return the row count.

    Every record is validated (the same rules as :func:`read_file`, and each value must read
    back unchanged); if any is bad, :class:`InterchangeError` lists all problems and no file
    is written. Cells that a spreadsheet would evaluate (leading ``= + - @``, tab, CR) get a
    leading apostrophe. The file appears atomically: it is written to a temporary file in
    the same directory and renamed, so a failure never leaves a half-written file behind
    (an existing file at ``path`` stays as it was).
    ``include_extra`` appends the union of the records' unknown (``extra``) columns;
    ``bom`` starts a CSV with a UTF-8 byte-order mark, which old Excel versions need to
    recognise UTF-8. ``progress(done, total)`` is called now and then for a progress bar.
    ``skip_invalid(index, problems)``, when given, is told about each invalid record, which
    is then left out instead of failing the whole file (the count returned is of rows
    written).
    """
    path = Path(path)
    columns = columns_for(kind)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InterchangeError(
            [Problem(None, None, f"cannot write {path.name}: use a .csv or .xlsx file name")]
        )
    if not path.parent.is_dir():
        raise InterchangeError([Problem(None, None, f"directory does not exist: {path.parent}")])
    items = records if isinstance(records, list) else list(records)
    if suffix == ".xlsx" and len(items) + 1 > XLSX_MAX_ROWS:
        raise InterchangeError(
            [
                Problem(
                    None,
                    None,
                    f"{len(items):,} rows do not fit in one Excel sheet (limit "
                    f"{XLSX_MAX_ROWS - 1:,}); write CSV instead",
                )
            ]
        )
    extra_columns: list[str] = []
    if include_extra:
        seen: set[str] = set()
        for rec in items:
            for key in rec.extra:
                if key not in seen and key not in ALL_COLUMNS:
                    seen.add(key)
                    extra_columns.append(key)
    header = list(columns) + extra_columns
    render = renderer(header)
    n_known = len(columns)
    checker = WriteChecker(kind, today=today)

    total = len(items)

    skipped = 0

    def rows() -> Iterable[list[str]]:
        nonlocal skipped
        for index, rec in enumerate(items):
            texts = render(rec)
            before = len(checker.errors)
            checker.check(index + 2 - skipped, rec, texts[:n_known])
            if skip_invalid is not None and len(checker.errors) > before:
                skip_invalid(index, checker.errors[before:])
                del checker.errors[before:]
                skipped += 1
                continue
            if not checker.errors:
                yield [escape_cell(t) if t else t for t in texts]
            if progress is not None and index % 5_000 == 4_999:
                progress(index + 1, total)
        if progress is not None:
            progress(total, total)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        if suffix == ".csv":
            with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\r\n")
                writer.writerow(header)
                writer.writerows(rows())
                fh.flush()
                os.fsync(fh.fileno())
        else:
            os.close(fd)
            _write_xlsx(tmp, header, rows(), kind)
        if checker.errors:
            raise InterchangeError(checker.errors)
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(items) - skipped


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _write_xlsx(tmp: Path, header: list[str], rows: Iterable[list[str]], kind: FileKind) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=kind)
    ws.append(header)
    for texts in rows:
        row = []
        for text in texts:
            cell = WriteOnlyCell(ws, value=text or None)
            # Force text: openpyxl stores a string starting with '=' as a formula. Escaping
            # already prevents that; typing the cell is belt and braces.
            if text:
                cell.data_type = "s"
            row.append(cell)
        ws.append(row)
    wb.save(tmp)

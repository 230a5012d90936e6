"""A streaming XLSX sheet reader with absolute limits.

openpyxl (even in read-only mode) loads every shared string into memory before the first
row is read, pads every row to the widest column, and trusts the sizes a zip file declares:
a 5 MB workbook holding one 400 MB string, or twenty million tiny strings, exhausts memory
and CPU. This reader parses the parts it needs (workbook, relationships, styles, shared
strings, the first sheet) with expat in fixed-size chunks and stops as soon as any absolute
limit is passed: bytes actually decompressed, number and length of shared strings, total
characters held, columns, and wall-clock time. Document type declarations (and with them
entity expansion) are refused outright.
"""

from __future__ import annotations

import posixpath
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from typing import IO, Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from reunite.interchange.exceptions import InterchangeError, Problem

__all__ = ["XlsxLimits", "read_sheet"]

_CHUNK = 64 * 1024
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = _REL_NS + "/officeDocument"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d*)$")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+\d+)(?::([A-Z]+)(\d+))?"')

Row = tuple[int, list[str | None]]


@dataclass(frozen=True)
class XlsxLimits:
    """Absolute limits for one workbook, whatever its size on disk.

    The defaults admit a list of two million children typed in Excel; the hostile
    workbooks seen in the wild (one 400 MB string, twenty million strings, a sheet
    a million columns wide) are refused within seconds.
    """

    max_unpacked_bytes: int = 2 * 1024**3  # XML actually decompressed, all parts together
    max_shared_strings: int = 4_000_000
    max_string_chars: int = 32_767  # Excel's own limit for one cell
    max_shared_chars: int = 200_000_000  # all shared strings together, held in memory
    max_columns: int = 1_000  # the interchange format has a few dozen columns
    max_seconds: float = 600.0


class _Refused(Exception):
    """Internal: a limit was passed or the workbook is malformed; carries the message."""


class _Budget:
    """Bytes decompressed and time spent so far, shared by every part of one workbook."""

    def __init__(self, limits: XlsxLimits, clock_fn: Callable[[], float]) -> None:
        self.limits = limits
        self.unpacked = 0
        self._clock = clock_fn
        self._deadline = clock_fn() + limits.max_seconds

    def spend(self, n: int) -> None:
        self.unpacked += n
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise _Refused(
                f"the workbook unpacks to more than {self.limits.max_unpacked_bytes:,} bytes, "
                "over the limit; save it as CSV or split it"
            )
        self.check_time()

    def check_time(self) -> None:
        if self._clock() > self._deadline:
            raise _Refused(
                f"reading the workbook took more than {self.limits.max_seconds:g} seconds, "
                "over the limit; save it as CSV or split it"
            )


def _parser() -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse_doctype(*_args: object) -> None:
        raise _Refused("the workbook holds a document type declaration (not allowed in XLSX)")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.buffer_text = True
    return parser


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _feed(
    parser: Any, stream: IO[bytes], budget: _Budget, after_chunk: Callable[[], None] | None = None
) -> Iterator[None]:
    """Feed a zip member to ``parser`` chunk by chunk, yielding after each chunk."""
    while True:
        chunk = stream.read(_CHUNK)
        budget.spend(len(chunk))
        parser.Parse(chunk, not chunk)
        if after_chunk is not None:
            after_chunk()
        yield
        if not chunk:
            return


def _parse_all(zf: zipfile.ZipFile, name: str, parser: Any, budget: _Budget) -> None:
    with zf.open(name) as stream:
        for _ in _feed(parser, stream, budget):
            pass


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


class _Workbook:
    """Where the first sheet, the shared strings and the styles are; the date epoch."""

    def __init__(self, zf: zipfile.ZipFile, budget: _Budget) -> None:
        names = set(zf.namelist())
        workbook = self._office_document(zf, names, budget)
        base = posixpath.dirname(workbook)
        rels_name = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
        rels = self._relationships(zf, rels_name, names, budget)
        sheets: list[tuple[str, str]] = []  # (title, r:id)
        self.date1904 = False
        parser = _parser()

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = _local(name)
            if tag == "sheet":
                sheets.append((attrs.get("name", ""), attrs.get(_REL_NS + " id", "")))
            elif tag == "workbookPr":
                self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")

        parser.StartElementHandler = start
        _parse_all(zf, workbook, parser, budget)
        self.sheets: list[tuple[str, str]] = []
        for title, rel_id in sheets:
            target = rels.get(rel_id, ("", ""))[1]
            if target:
                self.sheets.append((title, _resolve(base, target)))
        by_type = {kind.rsplit("/", 1)[-1]: _resolve(base, to) for kind, to in rels.values()}
        self.shared_strings = by_type.get("sharedStrings")
        self.styles = by_type.get("styles")
        self.names = names

    @staticmethod
    def _relationships(
        zf: zipfile.ZipFile, name: str, names: set[str], budget: _Budget
    ) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        if name not in names:
            return found
        parser = _parser()

        def start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), attrs.get("Target", ""))

        parser.StartElementHandler = start
        _parse_all(zf, name, parser, budget)
        return found

    def _office_document(self, zf: zipfile.ZipFile, names: set[str], budget: _Budget) -> str:
        for kind, target in self._relationships(zf, "_rels/.rels", names, budget).values():
            if kind == _OFFICE_DOCUMENT:
                return _resolve("", target)
        if "xl/workbook.xml" in names:
            return "xl/workbook.xml"
        raise _Refused("no workbook part found")


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


def _date_styles(zf: zipfile.ZipFile, name: str | None, budget: _Budget) -> set[int]:
    """Indexes of the cell formats (``s`` attribute) that show a number as a date."""
    if name is None or name not in zf.namelist():
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": 0}
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            try:
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif local == "cellXfs":
            depth["cellXfs"] += 1
        elif local == "xf" and depth["cellXfs"]:
            try:
                formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            depth["cellXfs"] -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    _parse_all(zf, name, parser, budget)
    dated: set[int] = set()
    for index, fmt_id in enumerate(formats):
        code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "")
        if code and is_date_format(code):
            dated.add(index)
    return dated


class _TextCollector:
    """Collects the text of ``<t>`` elements of one string item, ignoring phonetic runs."""

    def __init__(self, limit: int, what: str) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.in_text = False
        self.in_phonetic = 0
        self._limit = limit
        self._what = what

    def add(self, data: str) -> None:
        if self.in_text and not self.in_phonetic:
            self.size += len(data)
            if self.size > self._limit:
                raise _Refused(
                    f"{self._what} is longer than {self._limit:,} characters, over the limit"
                )
            self.parts.append(data)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        self.size = 0
        return text


def _shared_strings(
    zf: zipfile.ZipFile, name: str | None, budget: _Budget, limits: XlsxLimits
) -> list[str]:
    strings: list[str] = []
    if name is None or name not in zf.namelist():
        return strings
    held = 0
    collector = _TextCollector(limits.max_string_chars, "a shared string")
    parser = _parser()

    def start(tag: str, _attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "t":
            collector.in_text = True
        elif local == "rPh":
            collector.in_phonetic += 1

    def end(tag: str) -> None:
        nonlocal held
        local = _local(tag)
        if local == "t":
            collector.in_text = False
        elif local == "rPh":
            collector.in_phonetic -= 1
        elif local == "si":
            text = collector.take()
            held += len(text)
            strings.append(text)
            if len(strings) > limits.max_shared_strings:
                raise _Refused(
                    f"the workbook has more than {limits.max_shared_strings:,} shared strings, "
                    "over the limit"
                )
            if held > limits.max_shared_chars:
                raise _Refused(
                    f"the workbook's shared strings hold more than {limits.max_shared_chars:,} "
                    "characters, over the limit"
                )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = collector.add
    _parse_all(zf, name, parser, budget)
    return strings


def _has_content(zf: zipfile.ZipFile, name: str) -> bool:
    """Whether a sheet other than the first holds anything, from its first bytes only."""
    with zf.open(name) as stream:
        head = stream.read(_CHUNK)
    m = _DIMENSION.search(head)
    if m is not None:
        return m.group(2) is not None and m.group(1) != m.group(2) + m.group(3)
    return b"<v>" in head or b"<is>" in head or b":v>" in head


def _dimension(zf: zipfile.ZipFile, name: str, limits: XlsxLimits) -> tuple[int, int]:
    """(estimated data rows, columns every row is padded to) from the sheet's dimension.

    Rows are padded to the sheet's width as openpyxl does, so that a value under an empty
    header is still seen (as an extra column); a width over the column limit pads nothing.
    """
    with zf.open(name) as stream:
        head = stream.read(_CHUNK)
    m = _DIMENSION.search(head)
    if m is None or m.group(3) is None:
        return 1, 0
    width = _column_index(m.group(2).decode()) + 1
    return max(int(m.group(3)) - 1, 1), width if width <= limits.max_columns else 0


def _format_number(text: str, as_date: bool, epoch: datetime) -> str:
    try:
        number: float | int = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text
    if as_date:
        try:
            value = from_excel(number, epoch)
        except (ValueError, OverflowError, TypeError):
            value = None
        if isinstance(value, datetime):
            if value.time() == clock(0, 0):
                return value.date().isoformat()
            return value.isoformat(sep=" ")
        if isinstance(value, date):
            return value.isoformat()
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _format_iso(text: str) -> str:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return text
    if value.time() == clock(0, 0):
        return value.date().isoformat()
    return value.isoformat(sep=" ")


def _sheet_rows(
    zf: zipfile.ZipFile,
    name: str,
    strings: list[str],
    dated: set[int],
    epoch: datetime,
    budget: _Budget,
    limits: XlsxLimits,
    width: int = 0,
) -> Iterator[Row]:
    done: list[Row] = []
    cells: dict[int, str | None] = {}
    row_no = 0
    col = -1
    cell: dict[str, str] = {}
    value = _TextCollector(limits.max_string_chars, "a cell")
    formula = _TextCollector(limits.max_string_chars, "a formula")
    inline = _TextCollector(limits.max_string_chars, "a cell")
    state = {"in_v": False, "in_f": False, "in_is": False, "has_f": False}
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal row_no, col
        local = _local(tag)
        if local == "row":
            cells.clear()
            col = -1
            r = attrs.get("r", "")
            row_no = int(r) if r.isdigit() else row_no + 1
        elif local == "c":
            cell.clear()
            cell.update(attrs)
            state["has_f"] = False
            ref = _CELL_REF.match(attrs.get("r", ""))
            col = _column_index(ref.group(1)) if ref else col + 1
        elif local == "v":
            state["in_v"] = value.in_text = True
        elif local == "f":
            state["in_f"] = formula.in_text = True
            state["has_f"] = True
        elif local == "is":
            state["in_is"] = True
        elif local == "t" and state["in_is"]:
            inline.in_text = True
        elif local == "rPh":
            inline.in_phonetic += 1

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "v":
            state["in_v"] = value.in_text = False
        elif local == "f":
            state["in_f"] = formula.in_text = False
        elif local == "is":
            state["in_is"] = False
        elif local == "t":
            inline.in_text = False
        elif local == "rPh":
            inline.in_phonetic -= 1
        elif local == "c":
            text = _cell_text()
            if text is not None:
                if col >= limits.max_columns:
                    raise _Refused(
                        f"row {row_no} has data in column {col + 1:,}, over the limit of "
                        f"{limits.max_columns:,} columns"
                    )
                cells[col] = text
        elif local == "row":
            used = max(cells) + 1 if cells else 0
            done.append((row_no, [cells.get(i) for i in range(max(used, width))]))

    def _cell_text() -> str | None:
        raw_value = value.take()
        raw_formula = formula.take()
        raw_inline = inline.take()
        if state["has_f"]:
            return "\x00formula:=" + raw_formula
        kind = cell.get("t", "n")
        if kind == "s":
            if not raw_value:
                return None
            try:
                return strings[int(raw_value)]
            except (ValueError, IndexError):
                raise _Refused(
                    f"row {row_no} refers to a shared string that does not exist"
                ) from None
        if kind == "inlineStr":
            return raw_inline
        if kind == "b":
            return "TRUE" if raw_value.strip() in ("1", "true") else "FALSE"
        if kind == "d":
            return _format_iso(raw_value) if raw_value else None
        if kind in ("str", "e"):
            return raw_value if raw_value else None
        if not raw_value:
            return None
        style = cell.get("s", "")
        as_date = style.isdigit() and int(style) in dated
        return _format_number(raw_value, as_date, epoch)

    def char_data(data: str) -> None:
        value.add(data)
        formula.add(data)
        inline.add(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = char_data
    with zf.open(name) as stream:
        for _ in _feed(parser, stream, budget):
            yield from done
            done.clear()


def read_sheet(
    stream: IO[bytes],
    limits: XlsxLimits,
    *,
    clock_fn: Callable[[], float] = time.monotonic,
) -> tuple[Iterator[Row], int, str, list[str]]:
    """Open a workbook and return (rows of its first sheet, estimated data rows, the
    sheet's title, titles of other sheets that hold something).

    Rows are ``(row number, cells)`` with ``None`` for empty cells; a formula cell is
    ``"\\x00formula:=…"``. Raises :class:`InterchangeError` (with one clear problem) for an
    unreadable workbook or one over a limit, also while the rows are being iterated.
    """
    budget = _Budget(limits, clock_fn)
    try:
        zf = zipfile.ZipFile(stream)
        book = _Workbook(zf, budget)
        if not book.sheets:
            raise _Refused("the workbook has no sheets")
        title, first = book.sheets[0]
        if first not in book.names:
            raise _Refused(f"the sheet {title!r} is missing from the workbook")
        others = [t for t, n in book.sheets[1:] if n in book.names and _has_content(zf, n)]
        total, width = _dimension(zf, first, limits)
        epoch = MAC_EPOCH if book.date1904 else WINDOWS_EPOCH
        dated = _date_styles(zf, book.styles, budget)
        strings = _shared_strings(zf, book.shared_strings, budget, limits)
    except Exception as exc:
        raise _as_error(exc) from None

    def rows() -> Iterator[Row]:
        try:
            yield from _sheet_rows(zf, first, strings, dated, epoch, budget, limits, width)
        except Exception as exc:
            raise _as_error(exc) from None
        finally:
            zf.close()

    return rows(), total, title, others


_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    expat.ExpatError,
    KeyError,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,  # encrypted member
    UnicodeDecodeError,
)


def _as_error(exc: Exception) -> Exception:
    if isinstance(exc, InterchangeError):
        return exc
    if isinstance(exc, _Refused):
        return InterchangeError([Problem(None, None, str(exc))])
    if isinstance(exc, _UNREADABLE):
        return InterchangeError([Problem(None, None, f"not a readable XLSX workbook: {exc}")])
    return exc

"""Hostile workbooks: small on disk, huge or slow when opened. Each is refused with a
clear message, without holding what it expands to in memory."""

from __future__ import annotations

import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from reunite.interchange import InterchangeError, XlsxLimits, read_file

TODAY = date(2026, 6, 1)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Children" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
_SST_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _workbook(
    path: Path,
    sheet_rows: str,
    shared: list[bytes] | None = None,
    *,
    doctype: str = "",
) -> Path:
    """Write a minimal workbook; ``shared`` is streamed into sharedStrings.xml piece by piece
    (so a test can write hundreds of megabytes of XML without holding them)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", doctype + _SHEET_HEAD + sheet_rows + _SHEET_TAIL)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(_SST_HEAD.encode())
            for piece in shared or []:
                out.write(piece)
            out.write(b"</sst>")
    return path


def _header_row() -> str:
    return '<row r="1"><c r="A1" t="inlineStr"><is><t>record_id</t></is></c></row>'


def _refusal(path: Path, limits: XlsxLimits | None = None) -> str:
    with pytest.raises(InterchangeError) as info:
        read_file(path, "children", today=TODAY, xlsx_limits=limits)
    (problem,) = info.value.problems
    return problem.message


def test_one_huge_shared_string_is_refused_without_being_held(tmp_path: Path) -> None:
    # 64 MB of one letter compress to about 64 kB; the default limits refuse the string at
    # Excel's cell limit, and the reader never holds more than a chunk of it.
    chunk = b"A" * (1024 * 1024)
    shared = [b"<si><t>", *([chunk] * 64), b"</t></si>"]
    path = _workbook(tmp_path / "bomb.xlsx", _header_row(), shared)
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        message = _refusal(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "a shared string is longer than 32,767 characters, over the limit"
    assert peak < 16 * 1024 * 1024


def test_too_many_shared_strings_are_refused(tmp_path: Path) -> None:
    shared = [b"<si><t>x</t></si>" * 1000] * 5
    path = _workbook(tmp_path / "many.xlsx", _header_row(), shared)
    message = _refusal(path, XlsxLimits(max_shared_strings=4_999))
    assert message == "the workbook has more than 4,999 shared strings, over the limit"
    # The same file passes the default limits (and has a header but no rows).
    assert "no data rows" in _refusal(path)


def test_total_shared_characters_are_bounded(tmp_path: Path) -> None:
    shared = [b"<si><t>" + b"y" * 1000 + b"</t></si>"] * 50
    path = _workbook(tmp_path / "wide.xlsx", _header_row(), shared)
    message = _refusal(path, XlsxLimits(max_shared_chars=20_000))
    assert "shared strings hold more than 20,000 characters" in message


def test_uncompressed_size_is_an_absolute_limit(tmp_path: Path) -> None:
    # Not a ratio to the size on disk: bytes actually decompressed are counted, whatever
    # the zip directory declares.
    shared = [b"<si><t>z</t></si>" * 10_000] * 10
    path = _workbook(tmp_path / "big.xlsx", _header_row(), shared)
    message = _refusal(path, XlsxLimits(max_unpacked_bytes=1_000_000))
    assert message.startswith("the workbook unpacks to more than 1,000,000 bytes, over the limit")


def test_reading_time_is_bounded(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{i}</t></is></c></row>'
        for i in range(2, 5000)
    )
    path = _workbook(tmp_path / "slow.xlsx", _header_row() + rows)
    message = _refusal(path, XlsxLimits(max_seconds=0))
    assert message.startswith("reading the workbook took more than 0 seconds, over the limit")


def test_a_cell_far_to_the_right_is_refused_not_padded(tmp_path: Path) -> None:
    row = '<row r="2"><c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>'
    path = _workbook(tmp_path / "far.xlsx", _header_row() + row)
    assert _refusal(path) == "row 2 has data in column 16,384, over the limit of 1,000 columns"


def test_styled_empty_cells_far_right_are_ignored(tmp_path: Path) -> None:
    row = '<row r="2"><c r="A2" t="inlineStr"><is><t>7</t></is></c><c r="XFD2" s="0"/></row>'
    path = _workbook(tmp_path / "styled.xlsx", _header_row() + row)
    (record,) = read_file(path, "children", today=TODAY).records
    assert record.record_id == "7"


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    path = _workbook(tmp_path / "lol.xlsx", _header_row(), doctype=doctype)
    assert "document type declaration" in _refusal(path)


def test_rich_text_and_phonetic_runs(tmp_path: Path) -> None:
    shared = [
        b"<si><t>record_id</t></si>",
        "<si><r><t>Мель</t></r><r><t>ник</t></r><rPh><t>ignored</t></rPh></si>".encode(),
    ]
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>surname</t>'
        '</is></c></row><row r="2"><c r="A2"><v>5</v></c><c r="B2" t="s"><v>1</v></c></row>'
    )
    path = _workbook(tmp_path / "rich.xlsx", rows, shared)
    (record,) = read_file(path, "children", today=TODAY).records
    assert (record.record_id, record.surname) == ("5", "Мельник")


def test_a_missing_shared_string_is_a_clear_error(tmp_path: Path) -> None:
    rows = _header_row() + '<row r="2"><c r="A2" t="s"><v>99</v></c></row>'
    path = _workbook(tmp_path / "dangling.xlsx", rows)
    assert _refusal(path) == "row 2 refers to a shared string that does not exist"


def test_openpyxl_workbooks_with_dates_1904_and_other_sheets(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    ws = wb.active
    ws.title = "List"
    ws.append(["record_id", "birth_date", "surname"])
    ws.append([1, date(2014, 3, 2), "Бондар"])
    other = wb.create_sheet("Notes")
    other.append(["anything"])
    other.append(["more"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    result = read_file(path, "children", today=TODAY)
    (record,) = result.records
    assert str(record.birth_date) == "2014-03-02" and record.surname == "Бондар"
    assert [w.message for w in result.warnings] == [
        "only the first sheet 'List' was read; ignored: 'Notes'"
    ]

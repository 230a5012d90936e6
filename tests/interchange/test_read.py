"""Reading and validating interchange files: every way a real file goes wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reunite.interchange import (
    COLUMNS,
    InterchangeError,
    PartialDate,
    Problem,
    read_file,
)

TODAY = date(2026, 11, 1)


def write(tmp_path: Path, text: str, name: str = "f.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def problems(path: Path, kind: str = "children", **kw) -> list[str]:
    with pytest.raises(InterchangeError) as info:
        read_file(path, kind, today=TODAY, **kw)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def test_columns_match_the_issue() -> None:
    assert COLUMNS["children"][-3:] == ("institution", "current_region", "legal_status")
    assert COLUMNS["records"] == COLUMNS["children"]
    assert COLUMNS["enquiries"][-3:] == (
        "enquirer_name",
        "enquirer_relationship",
        "enquirer_contact",
    )
    assert COLUMNS["children"][0] == "record_id"


def test_problem_str() -> None:
    assert str(Problem(7, "birth_date", "x")) == "row 7, column birth_date: x"
    assert str(Problem(7, None, "x")) == "row 7: x"
    assert str(Problem(None, None, "x")) == "x"


def test_reads_a_good_file_with_bom_and_normalises(tmp_path: Path) -> None:
    text = (
        "\ufeffRecord ID,surname,given_name,patronymic,other_names,sex,birth_date,"
        "legal_status,estimated_age,separation_date\r\n"
        "C1,  Шевченко ,Олена,Іванівна,Лена Шевченко; Helen S ;,ж,2013-04,Orphan,11,2022-03\r\n"
        'C2,Коваль,Іван,,,M,,under guardianship,,"2022"\r\n'
        "\r\n,,,,,,,,,\r\n"
    )
    result = read_file(write(tmp_path, text), "children", today=TODAY)
    assert [r.record_id for r in result.records] == ["C1", "C2"]
    a, b = result.records
    assert a.surname == "Шевченко" and a.sex == "F" and a.legal_status == "orphan"
    assert a.other_names == ("Лена Шевченко", "Helen S")
    assert a.birth_date == PartialDate(2013, 4) and a.estimated_age == 11
    assert a.source_row == 2 and b.source_row == 3
    assert b.legal_status == "under_guardianship" and b.birth_date.precision == "unknown"
    assert result.unknown_columns == [] and result.format == "csv"


def test_semicolon_csv_from_cyrillic_excel(tmp_path: Path) -> None:
    text = "record_id;surname;given_name\n1;Бондаренко;Марія\n"
    (rec,) = read_file(write(tmp_path, text), "enquiries", today=TODAY).records
    assert (rec.surname, rec.given_name) == ("Бондаренко", "Марія")


def test_nfc_normalisation(tmp_path: Path) -> None:
    decomposed = "Андріи\u0306"  # и + combining breve
    (rec,) = read_file(
        write(tmp_path, f"record_id,given_name\n1,{decomposed}\n"), "children"
    ).records
    assert rec.given_name == "Андрій"


def test_unknown_columns_are_reported_and_kept(tmp_path: Path) -> None:
    text = "record_id,surname,eye_colour,enquirer_name\n1,Лисенко,brown,Мати\n"
    result = read_file(write(tmp_path, text), "children", today=TODAY)
    assert result.unknown_columns == ["eye_colour", "enquirer_name"]
    assert result.records[0].extra == {"eye_colour": "brown", "enquirer_name": "Мати"}
    messages = [str(w) for w in result.warnings]
    assert any("column eye_colour: unknown column" in m for m in messages)
    assert any("another file kind" in m for m in messages)


def test_every_bad_row_is_reported_and_nothing_imported(tmp_path: Path) -> None:
    text = (
        "record_id,surname,sex,birth_date,separation_date,legal_status,estimated_age\n"
        "1,А,F,2013-13-01,,,\n"
        "2,Б,X,2014,,,\n"
        "1,В,M,2014,,,\n"
        ",Г,M,,,,\n"
        "5,Д,M,2030-01-01,,,\n"
        "6,Е,M,2015-06,2014,,\n"
        "7,Є,M,,,stolen,\n"
        "8,Ж,M,,,,forty\n"
    )
    found = problems(write(tmp_path, text))
    assert found == [
        "row 2, column birth_date: '2013-13-01' is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)",
        "row 3, column sex: 'X' is not a sex (use F, M or leave empty); it says 'not known': "
        "leave it empty",
        "row 4, column record_id: duplicate id '1' (first in row 2)",
        "row 5, column record_id: is empty (every row needs an id)",
        "row 6, column birth_date: '2030-01-01' is in the future",
        "row 7, column separation_date: '2014' is before the birth date '2015-06'",
        "row 8, column legal_status: 'stolen' is not a legal status (use one of: parents_known, "
        "orphan, under_guardianship, adopted, unknown)",
        "row 9, column estimated_age: 'forty' is not an age in whole years",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b"\n\n  \n", "file is empty"),
        (b"record_id,surname\n", "file has a header but no data rows"),
        (b"surname,given_name\nA,B\n", "row 1, column record_id: required column is missing"),
        (b"\xff\xfer\x00e\x00", "UTF-16"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel .xls"),
        (b"record_id,surname,surname\n1,A,B\n", "row 1, column surname: appears twice"),
        (b"record_id,surname\n1,A\x00B\n", "control character U+0000"),
        (b"record_id,surname\n1,A,extra\n", "row 2: has 3 cells but the header has 2 columns"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, expected: str) -> None:
    p = tmp_path / "f.csv"
    p.write_bytes(content)
    assert any(expected in m for m in problems(p)), problems(p)


def test_cp1251_is_detected_and_named(tmp_path: Path) -> None:
    p = write(tmp_path, "record_id,surname\n1,Шевченко\n", encoding="cp1251")
    (msg,) = problems(p)
    assert "not UTF-8" in msg and "Windows-1251" in msg and msg.startswith("row 2")


def test_limits_are_named(tmp_path: Path) -> None:
    p = write(tmp_path, "record_id\n" + "".join(f"{i}\n" for i in range(50)))
    assert "over the limit of 100 bytes" in problems(p, max_bytes=100)[0]
    assert "more than 10 data rows" in problems(p, max_rows=10)[0]
    long = write(tmp_path, "record_id,notes,surname\n1,,%s\n" % ("я" * 1001), "long.csv")
    assert problems(long) == ["row 2, column surname: is 1,001 characters long (limit 1,000)"]


def test_missing_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.csv") == [f"file not found: {tmp_path / 'nope.csv'}"]


def test_problem_count_is_capped(tmp_path: Path) -> None:
    p = write(tmp_path, "record_id,sex\n" + "".join(f"{i},Q\n" for i in range(3000)))
    found = problems(p)
    assert len(found) == 1001 and "stopped after" in found[-1]


def test_progress_callback(tmp_path: Path) -> None:
    p = write(tmp_path, "record_id\n" + "".join(f"{i}\n" for i in range(5000)))
    calls: list[tuple[int, int]] = []
    read_file(p, "records", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (5000, 5000) and len(calls) >= 3


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "f.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    p = tmp_path / name
    wb.save(p)
    return p


def test_xlsx_with_native_dates_numbers_and_blank_rows(tmp_path: Path) -> None:
    p = _xlsx(
        tmp_path,
        [
            ["record_id", "surname", "birth_date", "estimated_age", "separation_date"],
            [101, "Мельник", date(2012, 5, 6), 12.0, 2022],
            [None, None, None, None, None],
            ["X2", "Ткачук", "2011-01", None, None],
        ],
    )
    result = read_file(p, "children", today=TODAY)
    assert result.format == "xlsx"
    a, b = result.records
    assert a.record_id == "101" and a.birth_date == PartialDate(2012, 5, 6)
    assert a.estimated_age == 12 and a.separation_date == PartialDate(2022)
    assert b.source_row == 4


def test_xlsx_formula_cells_are_refused(tmp_path: Path) -> None:
    p = _xlsx(tmp_path, [["record_id", "surname"], ["1", '=HYPERLINK("http://x","click")']])
    (msg,) = problems(p)
    assert msg.startswith("row 2, column surname: holds a spreadsheet formula")


def test_xlsx_sniffed_despite_extension_and_fake_xlsx_refused(tmp_path: Path) -> None:
    real = _xlsx(tmp_path, [["record_id"], ["1"]], name="list.csv")
    result = read_file(real, "children")
    assert result.format == "xlsx" and "read as XLSX" in str(result.warnings[0])
    fake = write(tmp_path, "record_id\n1\n", name="list.xlsx")
    assert "not an Excel workbook" in problems(fake)[0]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    assert "not a readable XLSX" in problems(broken)[0]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=6).map(
            lambda rows: "\n".join(",".join(r) for r in [["record_id", "sex"], *rows]).encode()
        ),
    ),
    st.sampled_from(["f.csv", "f.xlsx", "f.txt"]),
)
def test_any_bytes_give_records_or_a_clear_error(tmp_path: Path, data: bytes, name: str) -> None:
    """Fuzz: whatever the file holds, the reader returns records or raises InterchangeError."""
    p = tmp_path / name
    p.write_bytes(data)
    try:
        result = read_file(p, "children", today=TODAY)
    except InterchangeError as exc:
        assert exc.problems and all(str(x) for x in exc.problems)
    else:
        assert all(r.record_id for r in result.records)
        assert len({r.record_id for r in result.records}) == len(result.records)


def test_header_problems_name_the_real_header_row(tmp_path: Path) -> None:
    p = write(tmp_path, "\n\nsurname,surname\nA,B\n")
    assert problems(p)[0].startswith("row 3, column surname: appears twice")


def test_estimated_age_that_contradicts_the_birth_date_is_a_warning(tmp_path: Path) -> None:
    text = "record_id,surname,birth_date,estimated_age\n1,А,2014,12\n2,Б,2014-05-01,3\n"
    result = read_file(write(tmp_path, text), "children", today=TODAY)
    assert len(result.records) == 2
    assert [str(w) for w in result.warnings] == [
        "row 3, column estimated_age: 3 does not fit the birth date '2014-05-01' (age 12 today)"
    ]

"""Tolerant reading (for matching): known words, repairs, skipped rows; strict hints."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reunite.interchange import (
    COLUMNS,
    LEGAL_STATUSES,
    RELATIONSHIP_WORDS,
    RELATIONSHIPS,
    InterchangeError,
    PartialDate,
    known_legal_status,
    known_relationship,
    known_sex,
    read_file,
    write_repairs,
)

TODAY = date(2026, 6, 1)


def write(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the known words ----------------------------------------------------------------------

LEGAL_WORDS = [
    # Russian, as the other side's registry writes it (gendered and case forms)
    ("находится в учреждении", "unknown"), ("Находится в учреждении", "unknown"),
    ("усыновлена", "adopted"), ("усыновлён", "adopted"), ("Усыновленный", "adopted"),
    ("удочерена", "adopted"), ("под опекой", "under_guardianship"),
    ("опека", "under_guardianship"), ("опекаемая", "under_guardianship"),
    ("в приёмной семье", "under_guardianship"), ("в приемной семье", "under_guardianship"),
    ("под попечительством", "under_guardianship"), ("временное размещение", "unknown"),
    ("сирота", "orphan"), ("круглая сирота", "orphan"),
    ("оставшийся без попечения родителей", "orphan"), ("родители известны", "parents_known"),
    ("с родителями", "parents_known"), ("родители неизвестны", "unknown"),
    ("не установлен", "unknown"), ("нет данных", "unknown"), ("детский дом", "unknown"),
    # Ukrainian
    ("усиновлена", "adopted"), ("усиновлений", "adopted"), ("під опікою", "under_guardianship"),
    ("опіка", "under_guardianship"), ("під піклуванням", "under_guardianship"),
    ("у прийомній сім'ї", "under_guardianship"), ("прийомна сім’я", "under_guardianship"),
    ("дитячий будинок сімейного типу", "under_guardianship"),
    ("дитина-сирота", "orphan"), ("позбавлена батьківського піклування", "orphan"),
    ("батьки відомі", "parents_known"), ("тимчасове розміщення", "unknown"),
    ("перебуває в закладі", "unknown"), ("невідомо", "unknown"), ("інтернат", "unknown"),
    # Latin transliteration
    ("usynovlen", "adopted"), ("usynovlena", "adopted"), ("usinovlen", "adopted"),
    ("udocherena", "adopted"), ("pod opekoi", "under_guardianship"),
    ("pod opekoy", "under_guardianship"), ("pid opikoiu", "under_guardianship"),
    ("v priemnoi seme", "under_guardianship"), ("u pryiomnii simi", "under_guardianship"),
    ("sirota", "orphan"), ("syrota", "orphan"), ("nakhoditsia v uchrezhdenii", "unknown"),
    ("vremennoe razmeshchenie", "unknown"), ("neizvestno", "unknown"),
    # English and the format's own values in other spellings
    ("Adopted", "adopted"), ("foster family", "under_guardianship"), ("orphan", "orphan"),
    ("Parents Known", "parents_known"), ("UNDER-GUARDIANSHIP", "under_guardianship"),
    ("?", "unknown"), ("-", "unknown"),
]  # fmt: skip


@pytest.mark.parametrize(("word", "value"), LEGAL_WORDS)
def test_known_legal_status_words(word: str, value: str) -> None:
    known = known_legal_status(word)
    assert known is not None and known.value == value


@pytest.mark.parametrize("word", ["не усыновлена", "ні", "stolen", "lost", "12", "xyz"])
def test_unknown_or_negated_legal_status_is_not_guessed(word: str) -> None:
    assert known_legal_status(word) is None


SEX_WORDS = [
    ("Ж", "F"), ("ж.", "F"), ("жен.", "F"), ("женский", "F"), ("жіноча", "F"),
    ("девочка", "F"), ("дівчинка", "F"), ("zhen", "F"), ("zhinocha", "F"), ("girl", "F"),
    ("Female", "F"), ("М", "M"), ("муж.", "M"), ("мужской", "M"), ("ч", "M"),
    ("чоловіча", "M"), ("мальчик", "M"), ("хлопчик", "M"), ("muzh", "M"),
    ("cholovicha", "M"), ("boy", "M"), ("Male", "M"), ("не указан", ""), ("невідомо", ""),
    ("?", ""), ("unknown", ""),
]  # fmt: skip


@pytest.mark.parametrize(("word", "value"), SEX_WORDS)
def test_known_sex_words(word: str, value: str) -> None:
    known = known_sex(word)
    assert known is not None and known.value == value


RELATIONSHIP_FORMS = [
    ("мама", "mother"), ("мать", "mother"), ("мати", "mother"), ("Матір", "mother"),
    ("mati", "mother"), ("отец", "father"), ("батько", "father"), ("тато", "father"),
    ("otets", "father"), ("бабушка", "grandmother"), ("бабушка по матери", "grandmother"),
    ("бабуся", "grandmother"), ("babusia", "grandmother"), ("дедушка", "grandfather"),
    ("дідусь", "grandfather"), ("dedushka", "grandfather"), ("брат", "sibling"),
    ("старшая сестра", "sibling"), ("рідний брат", "sibling"), ("sestra", "sibling"),
    ("тётя", "aunt"), ("тітка", "aunt"), ("сестра матери", "aunt"), ("tetia", "aunt"),
    ("дядя", "uncle"), ("дядько", "uncle"), ("брат отца", "uncle"), ("diadia", "uncle"),
    ("опекун", "legal_guardian"), ("опікунка", "legal_guardian"), ("opikun", "legal_guardian"),
    ("двоюродная сестра", "other_relative"), ("племянница", "other_relative"),
    ("родичка", "other_relative"), ("cousin", "other_relative"), ("отчим", "other"),
    ("сусідка", "other"), ("знакомая", "other"), ("Legal Guardian", "legal_guardian"),
]  # fmt: skip


@pytest.mark.parametrize(("word", "value"), RELATIONSHIP_FORMS)
def test_known_relationship_words(word: str, value: str) -> None:
    assert known_relationship(word) == value


def test_tables_only_give_values_of_the_format() -> None:
    assert set(RELATIONSHIP_WORDS.values()) <= set(RELATIONSHIPS)
    for word, _ in LEGAL_WORDS:
        known = known_legal_status(word)
        assert known is not None and known.value in LEGAL_STATUSES
    for word, _ in SEX_WORDS:
        known = known_sex(word)
        assert known is not None and known.value in ("F", "M", "")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_known_words_never_crash_and_give_format_values(text: str) -> None:
    legal, sex, rel = known_legal_status(text), known_sex(text), known_relationship(text)
    assert legal is None or legal.value in LEGAL_STATUSES
    assert sex is None or sex.value in ("F", "M", "")
    assert rel is None or rel in RELATIONSHIPS


# -- strict reading names the word that was meant -----------------------------------------


def test_strict_error_says_which_known_word_was_meant(tmp_path: Path) -> None:
    path = write(tmp_path, "record_id,surname,sex,legal_status\n1,А,девочка,усыновлена\n"
                           "2,Б,F,stolen\n")  # fmt: skip
    with pytest.raises(InterchangeError) as info:
        read_file(path, "records")
    texts = [str(p) for p in info.value.problems]
    assert texts[0] == ("row 2, column sex: 'девочка' is not a sex (use F, M or leave empty); "
                        "it reads as 'F', write that")  # fmt: skip
    assert texts[1].endswith("unknown); it reads as 'adopted', write that")
    assert texts[2].endswith("adopted, unknown)")  # nothing known: no guess


# -- tolerant reading: each repair ----------------------------------------------------------


def read_tolerant(path: Path, kind: str = "records"):  # type: ignore[no-untyped-def]
    return read_file(path, kind, tolerant=True, today=TODAY)  # type: ignore[arg-type]


def test_tolerant_maps_known_words_and_keeps_the_rest_unknown(tmp_path: Path) -> None:
    path = write(tmp_path, "record_id,surname,sex,legal_status\n"
                           "1,А,жен.,находится в учреждении\n2,Б,мальчик,pod opekoi\n"
                           "3,В,F,stolen\n4,Г,Q,\n")  # fmt: skip
    result = read_tolerant(path)
    assert [(r.sex, r.legal_status) for r in result.records] == [
        ("F", "unknown"),
        ("M", "under_guardianship"),
        ("F", ""),
        ("", ""),
    ]
    got = [(r.row, r.column, r.value, r.kind) for r in result.repairs]
    assert got == [
        (2, "legal_status", "находится в учреждении", "mapped"),
        (3, "sex", "мальчик", "mapped"), (3, "legal_status", "pod opekoi", "mapped"),
        (4, "legal_status", "stolen", "unknown"), (5, "sex", "Q", "unknown"),
    ]  # fmt: skip
    assert result.repairs[0].action.startswith("read as unknown (a placement")
    assert result.repairs[2].action == "read as under_guardianship"
    assert result.skipped == []


def test_tolerant_drops_inconsistent_fields_not_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "record_id,surname,birth_date,separation_date,estimated_age\n"
                           "1,А,2015-06-01,2015-05,\n"      # separation before birth
                           "2,Б,2030-01-01,,\n"              # birth date in the future
                           "3,В,2013-02-30,2022-03,\n"      # impossible date
                           "4,Г,05.04.2013,2022-13,\n"      # not a date; month 13
                           "5,Д,2014,,forty\n"              # not an age
                           "6,Е,2014,2022-03-01,\n")  # fine  # fmt: skip
    result = read_tolerant(path)
    assert [r.record_id for r in result.records] == ["1", "2", "3", "4", "5", "6"]
    first = result.records[0]
    assert first.birth_date == PartialDate(2015, 6, 1) and not first.separation_date.is_known
    assert not result.records[1].birth_date.is_known
    assert not result.records[2].birth_date.is_known
    assert result.records[2].separation_date == PartialDate(2022, 3)
    assert not result.records[3].birth_date.is_known
    assert not result.records[3].separation_date.is_known
    assert result.records[4].estimated_age is None
    assert result.records[5].separation_date == PartialDate(2022, 3, 1)
    got = [(r.row, r.column, r.value, r.kind) for r in result.repairs]
    assert got == [
        (2, "separation_date", "2015-05", "dropped"), (3, "birth_date", "2030-01-01", "dropped"),
        (4, "birth_date", "2013-02-30", "dropped"), (5, "birth_date", "05.04.2013", "dropped"),
        (5, "separation_date", "2022-13", "dropped"), (6, "estimated_age", "forty", "dropped"),
    ]  # fmt: skip
    assert "before the birth date 2015-06-01" in result.repairs[0].action
    assert "in the future" in result.repairs[1].action


def test_tolerant_skips_and_lists_rows_without_name_and_date(tmp_path: Path) -> None:
    path = write(tmp_path, "record_id,surname,full_name,birth_date,estimated_age,notes\n"
                           "1,,,,,only a note\n2,,,2014,,\n3,,,,7,\n4,,Коваль Іван,,,\n"
                           "5,,,2099,,\n")  # fmt: skip
    result = read_tolerant(path)
    assert [r.record_id for r in result.records] == ["2", "3", "4"]
    assert result.skipped == [2, 6]
    skipped = [(r.row, r.kind) for r in result.repairs if r.kind == "skipped"]
    assert skipped == [(2, "skipped"), (6, "skipped")]


def test_tolerant_fixes_ids_text_and_formulas(tmp_path: Path) -> None:
    long = "Я" * 1_200
    path = write(tmp_path, "record_id,surname,given_name,birth_date\n"
                           f",Коваль,Іван,2014\n7,Бондар,Марія,2014\n7,Шевчук,Олег,2014\n"
                           f"8,\"Мель\x07ник\",{long},2015\n")  # fmt: skip
    result = read_tolerant(path)
    ids = [r.record_id for r in result.records]
    assert ids == ["row-2", "7", "7#row-4", "8"]
    assert result.records[3].surname == "Мельник"
    assert result.records[3].given_name == "Я" * 1_000
    kinds = [(r.row, r.column, r.kind) for r in result.repairs]
    assert kinds == [(2, "record_id", "fixed"), (4, "record_id", "fixed"),
                     (5, "surname", "fixed"), (5, "given_name", "fixed")]  # fmt: skip


def test_tolerant_reads_a_list_without_record_id_column(tmp_path: Path) -> None:
    path = write(tmp_path, "surname,given_name,birth_date,birth_date\nКоваль,Іван,2014,2015\n")
    result = read_tolerant(path)
    assert [r.record_id for r in result.records] == ["row-2"]
    assert result.records[0].extra == {"birth_date_4": "2015"}
    assert {r.column for r in result.repairs} == {"birth_date", "record_id"}


def test_tolerant_drops_xlsx_formulas(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["record_id", "surname", "birth_date"])
    ws.append(["1", '=HYPERLINK("x")', "2014", "spill"])
    ws.append(["2", "Коваль", "2015"])
    path = tmp_path / "list.xlsx"
    wb.save(path)
    result = read_tolerant(path)
    assert [r.record_id for r in result.records] == ["1", "2"]
    assert [(r.row, r.column, r.kind) for r in result.repairs] == [(2, "surname", "dropped")]
    assert result.records[0].extra == {"column_4": "spill"}


def test_file_level_problems_still_refuse_in_tolerant_mode(tmp_path: Path) -> None:
    with pytest.raises(InterchangeError, match="not UTF-8"):
        read_tolerant(_cp1251(tmp_path))
    with pytest.raises(InterchangeError, match="more than 1 data rows"):
        read_file(write(tmp_path, "record_id\n1\n2\n"), "records", tolerant=True, max_rows=1)


def _cp1251(tmp_path: Path) -> Path:
    path = tmp_path / "cp.csv"
    path.write_bytes("record_id,surname\n1,Ковальчук\n".encode("cp1251"))
    return path


def test_repair_report_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "record_id,surname,legal_status,birth_date\n"
                           "1,А,=усыновлена,2014\n2,,,\n")  # fmt: skip
    result = read_tolerant(path)
    out = tmp_path / "repairs.csv"
    assert write_repairs(out, result.repairs) == 2
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["row", "column", "value", "what was done"]
    assert rows[1][:3] == ["2", "legal_status", "'=усыновлена"]  # escaped for spreadsheets
    assert rows[1][3] == "read as adopted"
    assert rows[2] == ["3", "", "", "row skipped: no name and no birth date or age"]


# -- property: random garbage per column never crashes, never drops a row silently ---------

_CELL = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=30,
) | st.sampled_from(["усыновлена", "2013-02-30", "2030-01-01", "1850", "ж", "?", "=1+1",
                     "2014-05", "  ", "\u202e", "\x07", "Я" * 1_100])  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["records", "enquiries"]),
    rows=st.lists(st.dictionaries(st.sampled_from(COLUMNS["records"] + COLUMNS["enquiries"]),
                                  _CELL, max_size=8), min_size=1, max_size=8),
)  # fmt: skip
def test_garbage_per_column_is_read_or_listed_never_dropped(
    tmp_path_factory: pytest.TempPathFactory, kind: str, rows: list[dict[str, str]]
) -> None:
    columns = list(COLUMNS[kind])  # type: ignore[index]
    path = tmp_path_factory.mktemp("garbage") / "list.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(columns)
        for row in rows:
            out.writerow([row.get(c, "") for c in columns])
    with path.open(encoding="utf-8", newline="") as fh:
        written = list(csv.reader(fh))[1:]
    non_blank = sum(1 for cells in written if any(c.strip() for c in cells))
    try:
        result = read_file(path, kind, tolerant=True, today=TODAY)  # type: ignore[arg-type]
    except InterchangeError as exc:  # only a whole-file problem may refuse
        assert all(p.row is None or p.row == 1 for p in exc.problems) or non_blank == 0, exc
        return
    assert len(result.records) + len(result.skipped) == non_blank
    ids = [r.record_id for r in result.records]
    assert all(ids) and len(set(ids)) == len(ids)
    for record in result.records:
        assert record.sex in ("F", "M", "")
        assert record.legal_status in (*LEGAL_STATUSES, "")
        assert not (record.birth_date.is_known and record.birth_date.to_date() > TODAY)  # type: ignore[operator]
    skipped_reported = {r.row for r in result.repairs if r.kind == "skipped"}
    assert skipped_reported == set(result.skipped)

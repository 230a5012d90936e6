"""Feature computation: names-engine keys, dates with precision, never raw Cyrillic."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from reunite.interchange import InterchangeRecord, PartialDate
from reunite.linkage._features import FEATURE_SCHEMA, FeatureBuilder


def _row(record: InterchangeRecord) -> dict:
    return FeatureBuilder(reference_year=2025).table([record]).to_pylist()[0]


def test_russified_given_name_and_patronymic_meet_the_family_side() -> None:
    ua = _row(InterchangeRecord(record_id="e", given_name="Олександр", surname="Коваленко",
                                father_name="Коваленко Микола Петрович"))
    ru = _row(InterchangeRecord(record_id="r", full_name="Коваленко Александр Николаевич"))
    assert set(ua["given_ids"]) & set(ru["given_ids"])
    assert set(ua["father_ids"]) & set(ru["father_ids"])  # patronymic vs father's name
    assert ua["surname_key"] == ru["surname_key"]


def test_surname_key_is_gender_neutral_for_the_mother() -> None:
    a = _row(InterchangeRecord(record_id="a", mother_name="Коваленко Марія"))
    b = _row(InterchangeRecord(record_id="b", mother_name="Коваленко Мария"))
    assert a["mother_sk"] == b["mother_sk"]
    assert set(a["mother_ids"]) & set(b["mother_ids"])


def test_aliases_add_given_name_ids_and_surname_keys() -> None:
    row = _row(InterchangeRecord(record_id="a", given_name="Олександр", surname="Смирнов",
                                 other_names=("Коваленко Сашко",)))
    plain = _row(InterchangeRecord(record_id="b", surname="Коваленко"))
    assert plain["surname_key"] in row["surname_keys"]
    assert len(row["surname_keys"]) == 2


def test_keys_are_ascii_so_no_engine_compares_cyrillic_bytes() -> None:
    row = _row(InterchangeRecord(record_id="a", given_name="Юлія", surname="Щербина",
                                 birth_place="Мелітополь"))
    for col in ("given_lat", "surname_lat", "surname_key"):
        assert row[col].isascii(), (col, row[col])


def test_dates_keep_their_precision_and_ages_give_a_range() -> None:
    full = _row(InterchangeRecord(record_id="a", birth_date=PartialDate(2013, 5, 4)))
    assert (full["yr"], full["mo"], full["dy"]) == (2013, 5, 4)
    assert full["yr_lo"] == full["yr_hi"] == 2013
    year = _row(InterchangeRecord(record_id="b", birth_date=PartialDate(2013)))
    assert (year["yr"], year["mo"], year["dy"]) == (2013, None, None)
    aged = _row(InterchangeRecord(record_id="c", estimated_age=7,
                                  separation_date=PartialDate(2022, 3)))
    assert aged["yr"] is None and (aged["yr_lo"], aged["yr_hi"]) == (2014, 2015)
    unknown = _row(InterchangeRecord(record_id="d"))
    assert unknown["yr_lo"] is None


def test_empty_record_gives_nulls_not_empty_strings() -> None:
    row = _row(InterchangeRecord(record_id="x"))
    assert row["unique_id"] == "x"
    assert all(v is None for k, v in row.items() if k != "unique_id")


text = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "Zs", "Pd", "Po")),
               max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.builds(
    InterchangeRecord,
    record_id=st.uuids().map(str),
    surname=text, given_name=text, patronymic=text, full_name=text,
    other_names=st.lists(text, max_size=3).map(tuple),
    sex=st.sampled_from(["F", "M", ""]),
    birth_place=text, mother_name=text, father_name=text, current_region=text,
), max_size=5))
def test_any_text_gives_a_table_of_the_fixed_schema(records) -> None:
    table = FeatureBuilder(reference_year=2025).table(records)
    assert isinstance(table, pa.Table)
    assert table.schema == FEATURE_SCHEMA
    assert table.num_rows == len(records)
    for arr in ("given_ids", "surname_keys", "father_ids", "mother_ids"):
        for v in table[arr].to_pylist():
            assert v is None or (v and v == sorted(v))

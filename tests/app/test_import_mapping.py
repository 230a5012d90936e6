"""Row <-> model mapping of import and export, as properties over open-ended inputs.

These need no database: the import mapping builds unsaved model instances, and the export
mapping reads them back. Whatever a valid list row holds must come back unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reunite.interchange import LEGAL_STATUSES, InterchangeRecord, PartialDate
from reunite.registry.exporting import (
    child_to_record,
    current_estimated_age,
    enquiry_to_record,
    partial_date,
)
from reunite.registry.importing import (
    _RELATIONSHIP_WORDS,
    child_fields,
    child_names,
    enquirer_fields,
    enquiry_fields,
    language_of,
    merge_names,
    parse_relationship,
    script_of,
)
from reunite.registry.models import Child, ChildName, Enquiry, Person, Relationship

TODAY = dt.date(2026, 11, 27)

# Names as lists carry them: Cyrillic and Latin letters, apostrophes, hyphens, inner spaces,
# and characters a spreadsheet would take for a formula. Stripped, never empty, no ';'.
_letters = st.sampled_from(
    list("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЮЯыэъё")
    + list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    + ["'", "ʼ", "-", " ", "=", "+", "@", "(", ")", '"']
)
text = st.text(_letters, min_size=1, max_size=40).map(str.strip).filter(bool)
maybe_text = st.one_of(st.just(""), text)


@st.composite
def partial_dates(draw: Any) -> PartialDate:
    precision = draw(st.sampled_from(["unknown", "year", "month", "day"]))
    if precision == "unknown":
        return PartialDate()
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=TODAY))
    if precision == "year":
        return PartialDate(day.year)
    if precision == "month":
        return PartialDate(day.year, day.month)
    return PartialDate.from_date(day)


def common(draw: Any) -> dict[str, Any]:
    return {
        "record_id": draw(text),
        "surname": draw(maybe_text),
        "given_name": draw(maybe_text),
        "patronymic": draw(maybe_text),
        "full_name": draw(maybe_text),
        "other_names": tuple(draw(st.lists(text, max_size=3))),
        "sex": draw(st.sampled_from(["F", "M", ""])),
        "birth_date": draw(partial_dates()),
        "birth_place": draw(maybe_text),
        "separation_date": draw(partial_dates()),
        "separation_place": draw(maybe_text),
        "mother_name": draw(maybe_text),
        "father_name": draw(maybe_text),
        "notes": draw(st.one_of(st.just(""), st.text(_letters | st.just("\n"), max_size=80))),
    }


@st.composite
def child_rows(draw: Any) -> InterchangeRecord:
    return InterchangeRecord(
        **common(draw),
        estimated_age=draw(st.one_of(st.none(), st.integers(0, 30))),
        institution=draw(maybe_text),
        current_region=draw(maybe_text),
        legal_status=draw(st.sampled_from(LEGAL_STATUSES)),
    )


@st.composite
def enquiry_rows(draw: Any) -> InterchangeRecord:
    return InterchangeRecord(
        **common(draw),
        enquirer_name=draw(text),
        enquirer_relationship=draw(st.sampled_from(Relationship.values)),
        enquirer_contact=draw(maybe_text),
    )


def _has_name_parts(record: InterchangeRecord) -> bool:
    return any((record.surname, record.given_name, record.patronymic, record.full_name))


@settings(max_examples=300, deadline=None)
@given(child_rows())
def test_child_row_survives_import_then_export(record: InterchangeRecord) -> None:
    fields = child_fields(record, TODAY)
    names = child_names(record)
    child = Child(**fields)
    back, warnings = child_to_record(
        child,
        [ChildName(**n) for n in names],
        record_id=record.record_id,
        show_restricted=True,
        today=TODAY,
    )
    assert warnings == []
    if _has_name_parts(record) or not record.other_names:
        assert back == record
    else:  # no name columns: the first other name becomes the name the child is filed under
        assert back.full_name == record.other_names[0]
        assert back.other_names == record.other_names[1:]
    assert sum(n["is_primary"] for n in names) == (1 if names else 0)


@settings(max_examples=300, deadline=None)
@given(enquiry_rows())
def test_enquiry_row_survives_import_then_export(record: InterchangeRecord) -> None:
    fields = enquiry_fields(record, parse_relationship(record.enquirer_relationship))
    enquiry = Enquiry(**fields, enquirer=Person(**enquirer_fields(record)))
    assert enquiry_to_record(enquiry, record_id=record.record_id, show_restricted=True) == record


@settings(max_examples=100, deadline=None)
@given(enquiry_rows())
def test_restricted_columns_are_never_exported_without_access(record: InterchangeRecord) -> None:
    enquiry = Enquiry(
        **enquiry_fields(record, record.enquirer_relationship),
        enquirer=Person(**enquirer_fields(record)),
    )
    assert enquiry_to_record(enquiry, record_id="x", show_restricted=False).enquirer_contact == ""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_relationship_is_a_known_value_or_a_clear_error(value: str) -> None:
    try:
        parsed = parse_relationship(value)
    except ValueError as exc:
        assert "use one of" in str(exc) or "one of:" in str(exc)
    else:
        assert parsed in Relationship.values


@pytest.mark.parametrize(
    ("word", "value"),
    [("Mother", "mother"), ("мати", "mother"), ("Бабушка", "grandmother"),
     ("legal guardian", "legal_guardian"), ("Other-relative", "other_relative"),
     ("брат", "sibling"), ("Legal Guardian", "legal_guardian")],
)  # fmt: skip
def test_relationship_words(word: str, value: str) -> None:
    assert parse_relationship(word) == value


def test_relationship_table_maps_only_to_known_values() -> None:
    assert set(_RELATIONSHIP_WORDS.values()) <= set(Relationship.values)


@given(st.text(max_size=50))
def test_script_and_language_never_fail(value: str) -> None:
    assert script_of(value) in ("cyrillic", "latin", "mixed", "unknown")
    assert language_of(value) in ("uk", "ru", "unknown")


def test_script_and_language_examples() -> None:
    assert (script_of("Ковальчук"), language_of("Ковальчук")) == ("cyrillic", "unknown")
    assert (script_of("Олексій"), language_of("Олексій")) == ("cyrillic", "uk")
    assert (script_of("Алексей Ёлкин"), language_of("Алексей Ёлкин")) == ("cyrillic", "ru")
    assert script_of("Kovalchuk") == "latin"
    assert script_of("Kovalчук") == "mixed"
    assert script_of("123 -") == "unknown"


@given(partial_dates())
def test_partial_dates_round_trip(value: PartialDate) -> None:
    assert partial_date(value.to_date(), value.precision) == value


def test_estimated_age_grows_with_time() -> None:
    child = Child(estimated_age=7, estimated_age_on=dt.date(2024, 12, 1))
    assert current_estimated_age(child, dt.date(2026, 11, 30)) == 8
    assert current_estimated_age(child, dt.date(2026, 12, 1)) == 9
    assert current_estimated_age(Child(estimated_age=None), TODAY) is None
    old = Child(estimated_age=29, estimated_age_on=dt.date(2020, 1, 1))
    record, warnings = child_to_record(old, [], record_id="x", show_restricted=True, today=TODAY)
    assert record.estimated_age is None and "over 30" in warnings[0]


def test_merge_names_keeps_details_of_names_already_on_record() -> None:
    existing = [
        ChildName(pk=1, surname="Коваль", given_name="Ігор", source="birth", language="uk",
                  is_primary=True),
        ChildName(pk=2, surname="Ковалёв", given_name="Игорь", source="re_registered"),
    ]  # fmt: skip
    wanted = [
        {"surname": "Коваль", "given_name": "Ігор", "patronymic": "", "full_name": "",
         "script": "cyrillic", "language": "unknown", "source": "reported", "is_primary": True},
        {"surname": "", "given_name": "", "patronymic": "", "full_name": "Ковалёв Игорь",
         "script": "cyrillic", "language": "ru", "source": "reported", "is_primary": False},
        {"surname": "", "given_name": "", "patronymic": "", "full_name": "Igor Koval",
         "script": "latin", "language": "unknown", "source": "reported", "is_primary": False},
    ]  # fmt: skip
    merged = merge_names(existing, wanted)
    assert [(m["surname"], m["full_name"], m["source"], m["is_primary"]) for m in merged] == [
        ("Коваль", "", "birth", True),
        ("Ковалёв", "", "re_registered", False),
        ("", "Igor Koval", "reported", False),
    ]
    assert merged[0]["language"] == "uk"

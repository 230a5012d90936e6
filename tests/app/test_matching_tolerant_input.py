"""The app's matching reads every record it can (issue 11): a bad date goes, not the child."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from reunite.interchange import UNKNOWN_DATE, PartialDate
from reunite.matching.records import child_record, enquiry_record
from reunite.registry.models import Child, Enquiry

pytestmark = pytest.mark.django_db


def test_a_date_the_format_cannot_carry_is_left_out_not_the_record(
    make_child: Any, make_enquiry: Any
) -> None:
    child = make_child(birth_date=dt.date(2014, 5, 6), birth_date_precision="day")
    # Old data written before the format's limits (1900-2100): only a direct write can do it.
    Child.objects.filter(pk=child.pk).update(
        birth_date=dt.date(1890, 1, 1), separation_date=dt.date(2022, 3, 1),
        separation_date_precision="month",
    )  # fmt: skip
    stored = Child.objects.prefetch_related("names").get(pk=child.pk)
    notes: list[str] = []
    record = child_record(stored, dt.date(2026, 1, 1), notes)
    assert record.surname == "Ковальчук" and record.birth_date == UNKNOWN_DATE
    assert record.separation_date == PartialDate(2022, 3)
    assert notes == [f"child #{child.pk}: birth_date 1890-01-01 left out for matching"]
    assert stored.birth_date == dt.date(1890, 1, 1)  # the instance itself is untouched

    enquiry = make_enquiry()
    Enquiry.objects.filter(pk=enquiry.pk).update(
        separation_date=dt.date(2150, 1, 1), separation_date_precision="day"
    )
    stored_enquiry = Enquiry.objects.select_related("enquirer").get(pk=enquiry.pk)
    assert enquiry_record(stored_enquiry, notes).separation_date == UNKNOWN_DATE
    assert len(notes) == 2 and "separation_date 2150-01-01" in notes[1]

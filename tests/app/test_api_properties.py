"""Property tests of the API's input handling: partial dates and enumerations.

Inputs are open-ended (whatever a client sends), so hypothesis generates them: any JSON
value must give either a clean value or a 400 naming the field, never a server error.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from reunite.registry.models import Child, LegalStatus, Sex
from reunite.registry.serializers import PartialDateField, enum_field
from tests.app import fixtures_api

world = fixtures_api.world
_fast_hashing_and_fresh_throttles = fixtures_api._fast_hashing_and_fresh_throttles

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)  # what JSON can carry
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


class _Form(serializers.Serializer):
    birth_date = PartialDateField("birth_date")


def _parse(value: Any) -> dict[str, Any]:
    form = _Form(data={"birth_date": value})
    if not form.is_valid():
        assert set(form.errors) == {"birth_date"}
        assert all(isinstance(m, str) and m for m in form.errors["birth_date"])
        raise ValueError(form.errors["birth_date"][0])
    return dict(form.validated_data)


def _show(parsed: dict[str, Any]) -> str | None:
    return PartialDateField("birth_date").to_representation(Child(**parsed))


@st.composite
def partial_dates(draw: Any) -> str:
    today = dt.date.today()
    year = draw(st.integers(1900, today.year))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return f"{year:04d}"
    month = draw(st.integers(1, 12 if year < today.year else today.month))
    if precision == "month":
        return f"{year:04d}-{month:02d}"
    last = calendar.monthrange(year, month)[1]
    if (year, month) == (today.year, today.month):
        last = today.day
    return f"{year:04d}-{month:02d}-{draw(st.integers(1, last)):02d}"


@given(partial_dates())
def test_valid_partial_dates_round_trip_exactly(text: str) -> None:
    parsed = _parse(text)
    assert _show(parsed) == text
    expected = {4: "year", 7: "month", 10: "day"}[len(text)]
    assert parsed["birth_date_precision"] == expected
    assert parsed["birth_date"].isoformat().startswith(text)


@given(st.text(max_size=14) | JSON)
def test_any_input_is_a_clean_date_or_a_field_error(value: Any) -> None:
    try:
        parsed = _parse(value)
    except ValueError:
        return
    shown = _show(parsed)
    if shown is None:  # unknown: only null or an empty/blank string
        assert value is None or (isinstance(value, str) and not value.strip())
        assert parsed["birth_date_precision"] == "unknown" and parsed["birth_date"] is None
    else:  # a date is shown as it was given, and never lies in the future
        assert isinstance(value, str) and value.strip() == shown
        assert parsed["birth_date"] <= dt.date.today()
        assert _parse(shown) == parsed


class _Enum(serializers.Serializer):
    sex = enum_field(Sex.choices)
    legal_status = enum_field(LegalStatus.choices)


@given(st.text(max_size=20))
def test_enum_errors_name_every_allowed_value(value: str) -> None:
    form = _Enum(data={"sex": value, "legal_status": value})
    valid_sex = value in Sex.values
    valid_status = value in LegalStatus.values
    assert form.is_valid() == (valid_sex and valid_status)
    if not valid_status:
        message = form.errors["legal_status"][0]
        assert all(f'"{allowed}"' in message for allowed in LegalStatus.values)
    if not valid_sex:
        assert all(f'"{allowed}"' in form.errors["sex"][0] for allowed in Sex.values)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(birth_date=JSON | st.text(max_size=12), sex=JSON)
def test_child_create_never_fails_with_a_server_error(
    world: fixtures_api.World, birth_date: Any, sex: Any
) -> None:
    client = fixtures_api.client_for(world.user("caseworker"))
    body = {"names": [{"surname": "Ок"}], "birth_date": birth_date, "sex": sex}
    response = client.post("/api/children/", body, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert set(response.json()) <= {"birth_date", "sex"} and response.json()
    else:
        assert response.json()["sex"] == sex

"""Children turning 18 soon, or already 18 with a case open, are flagged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reunite.cases import actions as case_actions
from reunite.registry.ageing import adulthood_date, ageing_out
from reunite.registry.models import Child
from tests.app.conftest import acting

TODAY = dt.date.today()


def _born(years: int, days: int = 0) -> dt.date:
    date = (
        TODAY.replace(year=TODAY.year - years)
        if not (TODAY.month == 2 and TODAY.day == 29)
        else dt.date(TODAY.year - years, 3, 1)
    )
    return date + dt.timedelta(days=days)


@pytest.mark.django_db
def test_window_and_open_cases(users: Any, make_child: Any) -> None:
    soon = make_child(surname="Soon", birth_date=_born(18, days=30), birth_date_precision="day")
    later = make_child(surname="Later", birth_date=_born(18, days=200), birth_date_precision="day")
    adult_open = make_child(
        surname="AdultOpen", birth_date=_born(18, days=-10), birth_date_precision="day"
    )
    adult_closed = make_child(
        surname="AdultNoCase", birth_date=_born(19), birth_date_precision="day"
    )
    case_actions.open_case(acting(users[("ru", "caseworker")]), child=adult_open)
    flagged = {s.child.pk: s for s in ageing_out(Child.objects.all())}
    assert soon.pk in flagged and not flagged[soon.pk].already_adult
    assert adult_open.pk in flagged and flagged[adult_open.pk].already_adult
    assert later.pk not in flagged and adult_closed.pk not in flagged


@pytest.mark.django_db
def test_partial_birth_dates_warn_early(users: Any, make_child: Any) -> None:
    # Born "some time in" a year: the earliest possible birthday (1 January) counts.
    year_only = make_child(birth_date=dt.date(2008, 1, 1), birth_date_precision="year")
    assert adulthood_date(year_only) == dt.date(2026, 1, 1)
    leap = make_child(birth_date=dt.date(2008, 2, 29), birth_date_precision="day")
    assert adulthood_date(leap) == dt.date(2026, 3, 1)
    unknown = make_child(birth_date=None, birth_date_precision="unknown")
    assert adulthood_date(unknown) is None
    estimated = make_child(birth_date=None, estimated_age=17, estimated_age_on=TODAY)
    adult_on = adulthood_date(estimated)
    assert adult_on is not None and adult_on <= TODAY.replace(year=TODAY.year + 1)


@pytest.mark.django_db
def test_dashboard_and_list_show_the_flag(users: Any, make_child: Any) -> None:
    child = make_child(
        surname="Бойко",
        given_name="Ярослав",
        birth_date=_born(18, days=20),
        birth_date_precision="day",
    )
    client = Client()
    client.force_login(users[("ru", "caseworker")])
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Бойко Ярослав" in dashboard and "18 on" in dashboard
    listing = client.get(reverse("child-list"), {"ageing_out": "on"}).content.decode()
    assert reverse("child-detail", args=[child.pk]) in listing

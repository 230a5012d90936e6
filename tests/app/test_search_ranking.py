"""Ranked name search with a year or a date (``reunite.registry.ranking``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reunite.registry import actions
from reunite.registry.models import Child, Enquiry
from reunite.registry.ranking import parse_query, ranked_ids
from tests.app.conftest import acting

pytestmark = pytest.mark.django_db


def _child(make_child: Any, surname: str, given: str, patronymic: str = "", **fields: Any) -> Any:
    child = make_child(surname=surname, given_name=given, **fields)
    if patronymic:
        user = child.created_by
        names = [{"surname": surname, "given_name": given, "patronymic": patronymic}]
        child = actions.update_child(acting(user), child, {}, names)
    return child


def test_a_given_name_match_ranks_above_a_patronymic_match(make_child: Any) -> None:
    by_patronymic = _child(make_child, "Коваленко", "Іван", "Олександрович")
    by_given = _child(make_child, "Коваленко", "Олександр", "Іванович")
    ids = ranked_ids(Child.objects.all(), "Олександр")
    assert ids.index(by_given.pk) < ids.index(by_patronymic.pk)
    # The same in Latin script, and with the surname as well.
    ids = ranked_ids(Child.objects.all(), "Kovalenko Oleksandr")
    assert ids[0] == by_given.pk


def test_the_exact_surname_ranks_above_a_similar_spelling(make_child: Any) -> None:
    similar = _child(make_child, "Ковальчученко", "Марія")
    exact = _child(make_child, "Ковальчук", "Марія")
    ids = ranked_ids(Child.objects.all(), "Ковальчук")
    assert ids[0] == exact.pk
    assert similar.pk not in ids or ids.index(similar.pk) > 0


def test_a_latin_name_with_a_year_keeps_the_children_born_that_year(make_child: Any) -> None:
    born_2012 = _child(make_child, "Ковальчук", "Олена", birth_date=dt.date(2012, 3, 14),
                       birth_date_precision="day")  # fmt: skip
    born_2014 = _child(make_child, "Ковальчук", "Ольга", birth_date=dt.date(2014, 1, 2),
                       birth_date_precision="day")  # fmt: skip
    year_only = _child(make_child, "Ковальчук", "Ірина", birth_date=dt.date(2012, 1, 1),
                       birth_date_precision="year")  # fmt: skip
    _child(make_child, "Шевченко", "Олена", birth_date=dt.date(2012, 3, 14),
           birth_date_precision="day")  # fmt: skip
    assert set(ranked_ids(Child.objects.all(), "Kovalchuk 2012")) == {born_2012.pk, year_only.pk}
    # A full date narrows further; a record known only to the year still agrees with it.
    assert set(ranked_ids(Child.objects.all(), "Kovalchuk 14.03.2012")) == {
        born_2012.pk, year_only.pk,
    }  # fmt: skip
    assert set(ranked_ids(Child.objects.all(), "Kovalchuk 2012-03-15")) == {year_only.pk}
    assert born_2014.pk in ranked_ids(Child.objects.all(), "Kovalchuk")


def test_enquiries_are_ranked_too(make_enquiry: Any) -> None:
    other = make_enquiry(surname="Коваленко", given_name="Іван", patronymic="Олександрович")
    best = make_enquiry(surname="Коваленко", given_name="Олександр")
    ids = ranked_ids(Enquiry.objects.all(), "Коваленко Олександр")
    assert ids.index(best.pk) < ids.index(other.pk)


@pytest.mark.parametrize(
    ("text", "words", "date"),
    [
        ("Kovalchuk 2012", ("Kovalchuk",), (2012, None, None)),
        ("Олена 14.03.2012", ("Олена",), (2012, 3, 14)),
        ("Sasha 2012-03", ("Sasha",), (2012, 3, None)),
        ("03.2012 Kovalchuk", ("Kovalchuk",), (2012, 3, None)),
        ("Kovalchuk 31.02.2012", ("Kovalchuk", "31.02.2012"), (None, None, None)),
        ("Kovalchuk 12", ("Kovalchuk", "12"), (None, None, None)),
    ],
)
def test_parse_query(text: str, words: tuple[str, ...], date: tuple[Any, Any, Any]) -> None:
    query = parse_query(text)
    assert query.words == words and (query.year, query.month, query.day) == date


@given(st.text(max_size=40))
def test_parse_query_never_loses_a_word(text: str) -> None:
    query = parse_query(text)
    kept = len(query.words) + (1 if query.has_date else 0)
    assert kept == len(text.split())


def test_the_child_list_shows_the_ranked_results(make_child: Any, users: Any, client: Any) -> None:
    by_patronymic = _child(make_child, "Коваленко", "Іван", "Олександрович", org="ua",
                           birth_date=dt.date(2012, 5, 1), birth_date_precision="day")  # fmt: skip
    by_given = _child(make_child, "Коваленко", "Олександр", org="ua",
                      birth_date=dt.date(2012, 6, 1), birth_date_precision="day")  # fmt: skip
    _child(make_child, "Коваленко", "Олександр", org="ua", birth_date=dt.date(2010, 6, 1),
           birth_date_precision="day")  # fmt: skip
    client.force_login(users[("ua", "caseworker")])
    html = client.get("/children/", {"q": "Oleksandr 2012"}).content.decode()
    assert html.index(f"/children/{by_given.pk}/") < html.index(f"/children/{by_patronymic.pk}/")
    assert html.count('<td data-label="#">') == 2

"""Sortable, filterable lists and the work that waits for each user."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from reunite.cases import actions
from reunite.cases.models import Case
from reunite.web.waiting import waiting_for
from tests.app.conftest import acting
from tests.app.fixtures_matching import trained_link_model  # noqa: F401 - fixture
from tests.app.fixtures_verification import move

pytestmark = pytest.mark.django_db


def _references(html: str) -> list[str]:
    return re.findall(r'class="nowrap">(C-[\d-]+)</a>', html)


@pytest.fixture
def three_cases(users: Any, make_enquiry: Any) -> list[Any]:
    ua = acting(users[("ua", "caseworker")])
    cases = [actions.open_case(ua, enquiry=make_enquiry()) for _ in range(3)]
    # The second goes furthest along the process.
    move(cases[1], users, "tracing")
    return cases


def test_the_case_list_sorts_by_its_columns(three_cases: Any, users: Any, client: Any) -> None:
    client.force_login(users[("ua", "caseworker")])
    refs = sorted(c.reference for c in three_cases)
    page = client.get(reverse("case-list"), {"sort": "reference"}).content.decode()
    assert _references(page) == refs
    page = client.get(reverse("case-list"), {"sort": "-reference"}).content.decode()
    assert _references(page) == refs[::-1]
    assert 'aria-sort="descending"' in page
    # By state: in the order of the process (registered before tracing), then back.
    page = client.get(reverse("case-list"), {"sort": "-state"}).content.decode()
    assert _references(page)[0] == Case.objects.get(state="tracing").reference
    # An unknown column falls back to the default order instead of failing.
    assert client.get(reverse("case-list"), {"sort": "secret_field"}).status_code == 200


def test_the_case_list_filters_and_keeps_the_filter_when_sorting(
    three_cases: Any, users: Any, client: Any
) -> None:
    client.force_login(users[("ua", "caseworker")])
    page = client.get(reverse("case-list"), {"state": "registered", "owner": "UA"}).content.decode()
    assert len(_references(page)) == 2
    assert "state=registered" in page and "sort=reference" in page  # header links keep filters


def test_waiting_work_counts_what_the_role_may_do(
    three_cases: Any, users: Any, client: Any
) -> None:
    # Registered cases wait for a caseworker (next: tracing); the traced one waits too
    # (next: match proposed, a caseworker's or coordinator's step).
    caseworker = users[("ua", "caseworker")]
    assert waiting_for(caseworker).cases_to_move == 3
    assert waiting_for(users[("ua", "auditor")]).total == 0
    client.force_login(caseworker)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="waiting-count"' in page and 'data-testid="waiting"' in page
    listed = client.get(reverse("case-list"), {"waiting": "1"}).content.decode()
    assert len(_references(listed)) == 3
    # The other party's caseworker sees none of UA's cases as theirs to move.
    assert waiting_for(users[("ru", "caseworker")]).cases_to_move == 0


def test_the_review_queue_is_searchable_filterable_and_sortable(
    users: Any, client: Any, trained_link_model: Any  # noqa: F811
) -> None:
    import datetime as dt

    from reunite.matching import actions as m
    from reunite.matching.models import CandidatePair
    from tests.app.fixtures_matching import add_pair_records

    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    add_pair_records(users, surname="Коваленко", given="Дарина", birth=dt.date(2014, 5, 17),
                     mother="Коваленко Ірина Петрівна")  # fmt: skip
    add_pair_records(users, surname="Шевчук", given="Богдан", birth=dt.date(2011, 9, 2),
                     sex="M", birth_place="Херсон")  # fmt: skip
    m.run_matching(acting(users[("ua", "caseworker")]))
    client.force_login(users[("ua", "verifier")])
    url = reverse("matching:queue")
    every = client.get(url).content.decode()
    assert every.count("data-pair=") == CandidatePair.objects.count() >= 2
    found = client.get(url, {"q": "Shevchuk"}).content.decode()  # Latin for Шевчук
    assert found.count("data-pair=") >= 1 and "Шевчук" in found and "Коваленко" not in found
    none = client.get(url, {"min_probability": "0.99", "q": "Nobody"}).content.decode()
    assert none.count("data-pair=") == 0
    low_first = client.get(url, {"sort": "probability"}).content.decode()
    probabilities = sorted(CandidatePair.objects.values_list("probability", flat=True))
    first = CandidatePair.objects.get(probability=probabilities[0])
    assert low_first.index("data-pair=") == low_first.index(f'data-pair="{first.pk}"')

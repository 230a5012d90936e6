"""Sortable, filterable lists and the work that waits for each user."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from reunite.registry import actions
from reunite.registry.models import Case
from reunite.web.waiting import waiting_for
from tests.app.conftest import acting
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

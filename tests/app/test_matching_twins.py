"""Twins in the review queue: the twin is never proposed for the request, and the child's
own pair is flagged with a link to the twin (engine flag -> queue badge -> pair page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from reunite.accounts.models import Organization
from reunite.matching import actions as m
from reunite.matching.models import CandidatePair, MatchRun
from reunite.registry import actions
from tests.app.fixtures_matching import (
    acting,
    add_pair_records,
    trained_link_model,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

BORN = dt.date(2015, 6, 2)
MOTHER = "Ковальчук Олена Петрівна"


def test_twin_is_not_proposed_and_the_pair_is_flagged(
    users: Any, client: Any, trained_link_model: Any  # noqa: F811
) -> None:
    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    enquiry, yakiv = add_pair_records(
        users, surname="Ковальчук", given="Яків", birth=BORN, sex="M", mother=MOTHER,
        patronymic="Сергійович",
    )  # fmt: skip
    ru = acting(users[("ru", "caseworker")])
    ostap = actions.create_child(
        ru,
        {"sex": "M", "birth_date": BORN, "birth_date_precision": "day",
         "birth_place": "Маріуполь", "mother_name": MOTHER, "consent_for_tracing": True},
        [{"surname": "Ковальчук", "given_name": "Остап", "patronymic": "Сергійович"}],
    )  # fmt: skip
    actions.share_record(ru, ostap, Organization.objects.get(short_name="UA"))

    run = m.run_matching(acting(users[("ua", "caseworker")]), full=True)
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert not CandidatePair.objects.filter(enquiry=enquiry, child=ostap).exists()
    pair = CandidatePair.objects.get(enquiry=enquiry, child=yakiv)
    assert pair.flags == ["has_twin"] and pair.related_children == [ostap.pk]

    client.force_login(users[("ua", "verifier")])
    queue = client.get(reverse("matching:queue")).content.decode()
    assert 'data-testid="twin-flag"' in queue and "twin in registry" in queue
    page = client.get(reverse("matching:pair-detail", args=[pair.pk])).content.decode()
    assert 'data-testid="twin-notice"' in page
    assert reverse("child-detail", args=[ostap.pk]) in page

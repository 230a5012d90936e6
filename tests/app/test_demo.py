"""`reunite demo`: parties, users per role, synthetic records, cases, a matching run."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from typer.testing import CliRunner

from reunite.audit.log import verify_chain
from reunite.cases.models import Case
from reunite.cli.main import app
from reunite.demo.load import DEMO_PASSWORD, USERS
from reunite.registry.models import Child, Enquiry


@pytest.mark.django_db
def test_demo_loads_once_and_prints_the_logins(settings: object) -> None:
    result = CliRunner().invoke(app, ["demo", "--children", "60", "--enquiries", "20"])
    assert result.exit_code == 0, result.output
    for username, _, _ in USERS:
        assert username in result.output
        # A request, as every login has one (the lockout counts per address).
        request = RequestFactory().post("/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
    assert "synthetic" in result.output
    assert Child.objects.count() == 60 and Enquiry.objects.count() == 20
    states = set(Case.objects.values_list("state", flat=True))
    assert {"registered", "match_proposed", "approved", "follow_up"} <= states
    assert "candidate pairs" in result.output
    assert verify_chain()[1] is None

    again = CliRunner().invoke(app, ["demo", "--children", "60", "--enquiries", "20"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert Child.objects.count() == 60

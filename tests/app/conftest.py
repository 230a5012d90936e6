"""Shared fixtures for the Django layer: three parties, a user per role, records made by actions."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from reunite.accounts.models import Membership, Organization, Role
from reunite.audit.triggers import create_triggers, drop_triggers
from reunite.core.acting import Acting
from reunite.registry import actions

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def second_factor(request: Any, settings: Any) -> None:
    """Fixtures log users in directly (no authenticator app): the second factor is off
    unless a test is marked ``two_factor`` (production and the demo keep it on)."""
    settings.REUNITE_TWO_FACTOR_REQUIRED = request.node.get_closest_marker("two_factor") is not None


@pytest.fixture(autouse=True)
def english_unless_asked() -> Any:
    """Each test starts in English: a page rendered in Ukrainian or Russian by an earlier
    test must not leave its language active in this thread for the next test's messages."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def worker_keeps_the_test_connection(monkeypatch: Any) -> None:
    """The background worker closes "old" database connections as it wakes, as a long-lived
    process should. A test runs it inside the test's own transaction, where that would close
    the test's connection on PostgreSQL; Django's test client skips the same call for the
    same reason. Everything else the worker does is real."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def match_cache_dir(settings: Any, tmp_path: Any) -> None:
    """Each test's matching runs keep their feature cache in the test's own directory."""
    settings.REUNITE_MATCH_CACHE_DIR = str(tmp_path / "match-cache")


@pytest.fixture(autouse=True)
def audit_triggers(request: Any) -> None:
    """Keep the append-only triggers in place, except while a live test's database is emptied.

    Transactional tests empty every table afterwards, which the triggers refuse; they are
    dropped just before that and recreated at the start of the next test.
    """
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "live_server" in names
        or "transactional_db" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not (transactional or marker is not None or "db" in names):
        return
    # pytest-django's own autouse fixture has opened database access before this one runs,
    # so this finaliser runs before it empties the tables.
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    create_triggers(connection)
    if transactional:
        request.addfinalizer(lambda: drop_triggers(connection))


@pytest.fixture
def orgs(db: Any) -> dict[str, Organization]:
    return {
        "ua": Organization.objects.create(
            short_name="UA", name="Bureau UA", kind="information_bureau", country="UA"
        ),
        "ru": Organization.objects.create(
            short_name="RU", name="Office RU", kind="ombudsman", country="RU"
        ),
        "med": Organization.objects.create(
            short_name="MED", name="Mediator", kind="mediator", country="QA"
        ),
    }


@pytest.fixture
def make_user(orgs: dict[str, Organization]) -> Callable[..., Any]:
    def make(role: str, org: str = "ua", username: str | None = None) -> Any:
        username = username or f"{org}-{role}-{next(_counter)}"
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        Membership.objects.create(user=user, organization=orgs[org], role=role)
        return user

    return make


@pytest.fixture
def users(make_user: Callable[..., Any]) -> dict[tuple[str, str], Any]:
    """One user per (organisation, role)."""
    return {
        (org, role): make_user(role, org) for org in ("ua", "ru", "med") for role in Role.values
    }


def acting(user: Any) -> Acting:
    return Acting(user=user, request_id="test-request")


@pytest.fixture
def make_child(users: dict[tuple[str, str], Any]) -> Callable[..., Any]:
    def make(
        org: str = "ru", surname: str = "Ковальчук", given_name: str = "Олександр", **fields: Any
    ) -> Any:
        fields.setdefault("sex", "M")
        fields.setdefault("custodian", "Secret custodian")
        fields.setdefault("current_location", "Secret location")
        return actions.create_child(
            acting(users[(org, "caseworker")]),
            fields,
            [{"surname": surname, "given_name": given_name}],
        )

    return make


@pytest.fixture
def make_enquiry(users: dict[tuple[str, str], Any]) -> Callable[..., Any]:
    def make(
        org: str = "ua", surname: str = "Ковальчук", given_name: str = "Олександр", **fields: Any
    ) -> Any:
        fields.setdefault("enquirer_relationship", "mother")
        return actions.create_enquiry(
            acting(users[(org, "caseworker")]),
            {"surname": surname, "given_name": given_name, **fields},
            {"surname": "Ковальчук", "given_name": "Ганна", "contact": "+000 555 0101"},
        )

    return make

"""A database built on the schema before the cases app keeps its cases when migrated forward.

Cases and their timelines lived in the registry app until the restructure; the cases app
took them over with state-only migrations (the tables keep their names). This builds a
database at the migrations main had then (commit 9a43869), writes cases with history
through the historical models, migrates to the newest migrations and reads them back with
today's models.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The newest migration of each project app at main 9a43869, before the cases app existed.
BEFORE_CASES_APP = {
    "accounts": "0001_initial",
    "audit": "0002_append_only_triggers",
    "registry": "0001_initial",
    "matching": "0002_mode_labels",
    "verification": "0001_initial",
}


def _old_targets(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """Targets that undo every project migration newer than BEFORE_CASES_APP.

    Project apps that did not exist then (cases, and any added since) are unmigrated.
    """
    targets: list[tuple[str, str | None]] = list(BEFORE_CASES_APP.items())
    for app in sorted(executor.loader.migrated_apps):
        if app not in BEFORE_CASES_APP and django_apps.get_app_config(app).name.startswith(
            "reunite."
        ):
            targets.append((app, None))
    return targets


def _build_old_database(old_apps: Any) -> dict[str, Any]:
    """Two cases with timelines, sharing and evidence, written with the historical models."""
    Organization = old_apps.get_model("accounts", "Organization")
    User = old_apps.get_model("auth", "User")
    Person = old_apps.get_model("registry", "Person")
    Enquiry = old_apps.get_model("registry", "Enquiry")
    Child = old_apps.get_model("registry", "Child")
    Case = old_apps.get_model("registry", "Case")
    CaseEvent = old_apps.get_model("registry", "CaseEvent")
    Evidence = old_apps.get_model("verification", "Evidence")

    ua = Organization.objects.create(short_name="MIG-UA", name="UA", kind="information_bureau")
    ru = Organization.objects.create(short_name="MIG-RU", name="RU", kind="ombudsman")
    user = User.objects.create(username="mig-caseworker")
    person = Person.objects.create(owner=ua, surname="Шевченко", given_name="Ольга")
    enquiry = Enquiry.objects.create(
        owner=ua, enquirer=person, enquirer_relationship="mother", surname="Шевченко",
        given_name="Марія",
    )  # fmt: skip
    child = Child.objects.create(owner=ru, sex="F", birth_date=dt.date(2014, 5, 1))
    case = Case.objects.create(
        owner=ua, created_by=user, reference="C-2025-000001", enquiry=enquiry, child=child,
        state="verification",
    )  # fmt: skip
    case.shared_with.add(ru)
    path = ["", "registered", "tracing", "match_proposed", "verification"]
    for before, after in itertools.pairwise(path):
        CaseEvent.objects.create(
            case=case, from_state=before, to_state=after, actor=user, organization=ua,
            note=f"to {after}",
        )  # fmt: skip
    closed = Case.objects.create(
        owner=ru, reference="C-2025-000002", child=child, state="closed",
        closing_reason="duplicate",
    )  # fmt: skip
    CaseEvent.objects.create(case=closed, from_state="", to_state="registered", organization=ru)
    CaseEvent.objects.create(
        case=closed, from_state="registered", to_state="closed", organization=ru, note="dup"
    )
    Evidence.objects.create(
        case=case, kind="birth_certificate", title="Birth certificate", provided_by="Registry",
        organization=ua, added_by=user,
    )  # fmt: skip
    return {"case": case.pk, "closed": closed.pk, "child": child.pk, "enquiry": enquiry.pk}


@pytest.mark.django_db(transaction=True)
def test_cases_and_their_history_survive_the_move_to_the_cases_app() -> None:
    executor = MigrationExecutor(connection)
    old = _old_targets(executor)
    executor.migrate(old)
    executor.loader.build_graph()
    old_apps = executor.loader.project_state(list(BEFORE_CASES_APP.items())).apps
    assert "case" in {m._meta.model_name for m in old_apps.get_app_config("registry").get_models()}
    ids = _build_old_database(old_apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []

    from reunite.cases.models import Case, CaseEvent
    from reunite.verification.models import Evidence

    assert Case._meta.db_table == "registry_case"
    case = Case.objects.get(pk=ids["case"])
    assert (case.reference, case.state, case.owner.short_name) == (
        "C-2025-000001",
        "verification",
        "MIG-UA",
    )
    assert (case.child_id, case.enquiry_id) == (ids["child"], ids["enquiry"])
    assert [o.short_name for o in case.shared_with.all()] == ["MIG-RU"]
    timeline = [(e.from_state, e.to_state, e.note) for e in case.events.all()]
    assert timeline == [
        ("", "registered", "to registered"),
        ("registered", "tracing", "to tracing"),
        ("tracing", "match_proposed", "to match_proposed"),
        ("match_proposed", "verification", "to verification"),
    ]
    assert all(e.actor and e.actor.username == "mig-caseworker" for e in case.events.all())
    closed = Case.objects.get(pk=ids["closed"])
    assert (closed.state, closed.closing_reason, closed.is_open) == ("closed", "duplicate", False)
    assert [e.to_state for e in closed.events.all()] == ["registered", "closed"]
    assert Evidence.objects.get(case=case).title == "Birth certificate"
    assert CaseEvent.objects.count() == 6
    # The moved tables keep working for new rows (ids continue after the old ones).
    event = CaseEvent.objects.create(
        case=case, from_state="verification", to_state="best_interests",
        organization=case.owner,
    )  # fmt: skip
    assert event.pk > max(e.pk for e in closed.events.all())

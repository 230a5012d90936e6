"""Follow-up after reunification: the plan that reunification starts, visits, overdue, closing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import typer
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from typer.testing import CliRunner

from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.cli import followup as followup_cli
from reunite.reunification.actions import followup
from reunite.reunification.models import FollowUpPlan, FollowUpVisit
from tests.app.conftest import acting
from tests.app.fixtures_verification import make_case

# Who takes each step from "match proposed" on (the verification and any custody guards
# are lifted in these tests: they are about what happens after reunification).
STEPS = (
    ("verification", ("ua", "verifier")), ("best_interests", ("ua", "verifier")),
    ("approved", ("med", "coordinator")), ("scheduled", ("med", "coordinator")),
    ("in_transit", ("ua", "transfer_officer")), ("reunified", ("ua", "transfer_officer")),
)  # fmt: skip


@pytest.fixture
def reunified(users: Any, orgs: Any, make_child: Any, make_enquiry: Any, monkeypatch: Any) -> Any:
    for state, _ in STEPS:
        monkeypatch.setitem(case_actions.TRANSITION_GUARDS, state, [])

    def make(child_org: str = "ru") -> Any:
        case = make_case(users, orgs, make_child, make_enquiry, child_org=child_org)
        for state, who in STEPS:
            case = case_actions.transition_case(acting(users[who]), case, state)
        return case

    return make


def _age(plan: FollowUpPlan, days: int) -> None:
    """Let ``days`` pass since reunification: the plan and its due dates move back."""
    FollowUpPlan.objects.filter(pk=plan.pk).update(
        started_at=plan.started_at - dt.timedelta(days=days)
    )
    for visit in plan.visits.all():
        FollowUpVisit.objects.filter(pk=visit.pk).update(
            due_on=visit.due_on - dt.timedelta(days=days)
        )


def _record(user: Any, visit: FollowUpVisit, **fields: Any) -> FollowUpVisit:
    data = {"visited_on": timezone.localdate(), "outcome": "well", **fields}
    return followup.record_visit(acting(user), visit, data)


@pytest.mark.django_db
def test_reunification_starts_the_default_plan(reunified: Any, users: Any) -> None:
    case = reunified()
    plan = FollowUpPlan.objects.get(case=case)
    today = timezone.localdate()
    assert [(v.label, (v.due_on - today).days, v.status) for v in plan.visits.all()] == [
        ("About 1 week", 7, "planned"), ("About 1 month", 30, "planned"),
        ("About 3 months", 90, "planned"),
    ]  # fmt: skip
    assert plan.organization.short_name == "UA" and not plan.is_complete
    event = AuditEvent.objects.get(action="create", object_type="followup_plan")
    assert event.changes["case"] == [None, case.pk] and len(event.changes["visits"][1]) == 3


@pytest.mark.django_db
def test_visits_are_recorded_moved_added_and_cancelled_with_clear_errors(
    reunified: Any, users: Any
) -> None:
    case = reunified()
    worker = users[("ua", "caseworker")]
    first, second, third = FollowUpPlan.objects.get(case=case).visits.all()
    today = timezone.localdate()
    for bad, field in (
        ({"visited_on": today + dt.timedelta(days=1)}, "visited_on"),
        ({"visited_on": today - dt.timedelta(days=1)}, "visited_on"),  # before reunification
        ({"outcome": "fine"}, "outcome"),
        ({"visited_on": None}, "visited_on"),
        ({"school": "x" * 5001}, "school"),
    ):
        with pytest.raises(ValidationError) as error:
            _record(worker, first, **bad)
        assert field in error.value.message_dict
    assert FollowUpVisit.objects.get(pk=first.pk).status == "planned"  # nothing half-written
    done = _record(
        worker, first, needs_assessment="Food parcels", psychological_support="Weekly sessions",
        school="Enrolled in grade 5", documents_to_restore="Birth certificate",
    )  # fmt: skip
    assert (done.status, done.recorded_by, done.school) == ("done", worker, "Enrolled in grade 5")
    with pytest.raises(ValidationError, match="already done"):
        _record(worker, first)
    with pytest.raises(ValidationError) as error:
        followup.reschedule_visit(acting(worker), second, today - dt.timedelta(days=3))
    assert "due_on" in error.value.message_dict
    moved = followup.reschedule_visit(acting(worker), second, today + dt.timedelta(days=40))
    assert moved.due_on == today + dt.timedelta(days=40)
    with pytest.raises(ValidationError) as error:
        followup.cancel_visit(acting(worker), third, "  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        followup.add_visit(acting(worker), case, "", today)
    assert "label" in error.value.message_dict
    extra = followup.add_visit(acting(worker), case, "About 6 months", today + dt.timedelta(180))
    followup.cancel_visit(acting(worker), second, "Family moved abroad")
    followup.cancel_visit(acting(worker), third, "Covered by the 1-month visit")
    plan = FollowUpPlan.objects.get(case=case)
    assert not plan.is_complete  # the 6-month visit is still planned
    _record(users[("ru", "caseworker")], FollowUpVisit.objects.get(pk=extra.pk))
    assert FollowUpPlan.objects.get(case=case).is_complete
    kinds = list(
        AuditEvent.objects.filter(object_type="followup_visit").values_list("action", flat=True)
    )
    assert kinds.count("update") == 5 and kinds.count("create") == 1


@pytest.mark.django_db
def test_only_caseworkers_of_parties_that_see_the_case_manage_follow_up(
    reunified: Any, users: Any
) -> None:
    case = reunified(child_org="ua")  # never shared with RU
    visit = FollowUpPlan.objects.get(case=case).visits.first()
    for who in (("ua", "verifier"), ("med", "coordinator"), ("ua", "transfer_officer"),
                ("ru", "caseworker")):  # fmt: skip
        with pytest.raises(PermissionDenied):
            _record(users[who], visit)
    assert FollowUpVisit.objects.get(pk=visit.pk).status == "planned"
    assert AuditEvent.objects.filter(object_type="followup_visit").count() == 0


@pytest.mark.django_db
def test_a_case_closes_only_with_a_complete_plan_or_a_note(reunified: Any, users: Any) -> None:
    case = reunified()
    worker = acting(users[("ua", "caseworker")])
    case = case_actions.transition_case(worker, case, "follow_up")
    with pytest.raises(ValidationError, match="complete follow-up plan"):
        case_actions.transition_case(worker, case, "closed", closing_reason="reunified")
    for visit in FollowUpPlan.objects.get(case=case).visits.all():
        _record(users[("ua", "caseworker")], visit)
    closed = case_actions.transition_case(worker, case, "closed", closing_reason="reunified")
    assert (closed.state, closed.closing_reason) == ("closed", "reunified")
    # Reunified and closed stay two steps on the timeline.
    path = [e.to_state for e in closed.events.all()]
    assert path.index("reunified") < path.index("follow_up") < path.index("closed")

    other = case_actions.transition_case(worker, reunified(), "follow_up")
    with pytest.raises(ValidationError):
        case_actions.transition_case(worker, other, "closed", closing_reason="declined")
    closed = case_actions.transition_case(
        worker, other, "closed", closing_reason="declined", note="Family declined further visits"
    )
    assert closed.state == "closed"


@pytest.mark.django_db
def test_overdue_visits_are_flagged_on_the_list_the_case_and_the_dashboard(
    reunified: Any, users: Any
) -> None:
    case = reunified()
    plan = FollowUpPlan.objects.get(case=case)
    _age(plan, 10)  # the 1-week visit is now 3 days overdue
    client = Client()
    client.force_login(users[("ua", "caseworker")])
    listing = client.get(reverse("reunification:followup-list"), {"show": "overdue"})
    assert listing.status_code == 200
    rows = listing.context["rows"]
    assert [(v.label, late) for v, late in rows] == [("About 1 week", True)]
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.context["followup_overdue"] == 1
    assert b'data-testid="dashboard-followup-overdue"' in dashboard.content
    panel = client.get(reverse("reunification:followup-panel", args=[case.pk]))
    assert b"1 visit overdue" in panel.content
    page = client.get(reverse("reunification:followup-case", args=[case.pk]))
    assert page.status_code == 200 and b"overdue" in page.content
    # Recording it clears the flag.
    response = client.post(
        reverse("reunification:followup-visit-record", args=[plan.visits.first().pk]),
        {"visited_on": timezone.localdate().isoformat(), "outcome": "needs_support",
         "school": "Not yet enrolled"},
    )  # fmt: skip
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).context["followup_overdue"] == 0
    # Another party that cannot see the case gets "not found".
    stranger = Client()
    stranger.force_login(users[("ru", "auditor")])
    hidden = reunified(child_org="ua")
    assert stranger.get(reverse("reunification:followup-case", args=[hidden.pk])).status_code == 404


@pytest.mark.django_db
def test_web_form_errors_are_shown_and_nothing_is_saved(reunified: Any, users: Any) -> None:
    case = reunified()
    visit = FollowUpPlan.objects.get(case=case).visits.first()
    client = Client()
    client.force_login(users[("ua", "caseworker")])
    url = reverse("reunification:followup-visit-record", args=[visit.pk])
    response = client.post(url, {"visited_on": "2999-01-01", "outcome": "well"}, follow=True)
    assert "in the future" in response.content.decode()
    response = client.post(url, {"visited_on": "not a date", "outcome": ""}, follow=True)
    assert "Visit not recorded" in response.content.decode()
    assert FollowUpVisit.objects.get(pk=visit.pk).status == "planned"
    verifier = Client()
    verifier.force_login(users[("ua", "verifier")])
    assert verifier.post(url, {"visited_on": "2020-01-01", "outcome": "well"}).status_code == 403


@pytest.mark.django_db
def test_api_plans_and_visits(reunified: Any, users: Any) -> None:
    case = reunified()
    plan = FollowUpPlan.objects.get(case=case)
    _age(plan, 10)
    api = APIClient()
    api.force_authenticate(users[("ua", "caseworker")])
    listed = api.get("/api/reunification/followup/plans/", {"overdue": "true"}).json()
    assert [p["case_reference"] for p in listed["results"]] == [case.reference]
    body = api.get(f"/api/reunification/followup/plans/{plan.pk}/").json()
    assert [v["overdue"] for v in body["visits"]] == [True, False, False]
    visit_id = body["visits"][0]["id"]
    bad = api.post(
        f"/api/reunification/followup/visits/{visit_id}/record/",
        {"visited_on": "2999-01-01", "outcome": "maybe"}, format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and set(bad.json()) == {"outcome"}
    bad = api.post(
        f"/api/reunification/followup/visits/{visit_id}/record/",
        {"visited_on": "2999-01-01", "outcome": "well"}, format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and set(bad.json()) == {"visited_on"}
    good = api.post(
        f"/api/reunification/followup/visits/{visit_id}/record/",
        {"visited_on": timezone.localdate().isoformat(), "outcome": "well"}, format="json",
    )  # fmt: skip
    assert good.status_code == 200 and good.json()["status"] == "done"
    added = api.post(
        f"/api/reunification/followup/plans/{plan.pk}/visits/",
        {"label": "About 6 months", "due_on": str(timezone.localdate() + dt.timedelta(180))},
        format="json",
    )  # fmt: skip
    assert added.status_code == 201
    verifier = APIClient()
    verifier.force_authenticate(users[("ua", "verifier")])
    assert verifier.get(f"/api/reunification/followup/plans/{plan.pk}/").status_code == 200
    denied = verifier.post(
        f"/api/reunification/followup/visits/{visit_id}/cancel/", {"reason": "x"}, format="json"
    )
    assert denied.status_code == 403
    hidden = FollowUpPlan.objects.get(case=reunified(child_org="ua"))
    stranger = APIClient()
    stranger.force_authenticate(users[("ru", "caseworker")])
    assert stranger.get(f"/api/reunification/followup/plans/{hidden.pk}/").status_code == 404


@pytest.mark.django_db
def test_cli_lists_shows_and_records(reunified: Any, users: Any) -> None:
    app = typer.Typer()
    app.command("noop")(lambda: None)
    followup_cli.register(app)

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, ["followup", *args])

    case = reunified()
    plan = FollowUpPlan.objects.get(case=case)
    _age(plan, 10)
    worker = users[("ua", "caseworker")].username
    listed = run("list", "--as", worker, "--overdue", "--json")
    assert listed.exit_code == 0, listed.output
    assert [row["case"] for row in json.loads(listed.output)] == [case.reference]
    shown = run("show", "--as", worker, "--case", case.reference)
    assert shown.exit_code == 0 and "OVERDUE" in shown.output
    visit = plan.visits.first()
    bad = run("record", "--as", worker, "--visit", str(visit.pk), "--visited-on",
              timezone.localdate().isoformat(), "--outcome", "fine")  # fmt: skip
    assert bad.exit_code == 1 and "outcome" in bad.output
    today = timezone.localdate().isoformat()
    ok = run("record", "--as", worker, "--visit", str(visit.pk), "--visited-on", today,
             "--outcome", "well", "--school", "Grade 5")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert FollowUpVisit.objects.get(pk=visit.pk).school == "Grade 5"
    verifier = users[("ua", "verifier")].username
    denied = run("record", "--as", verifier, "--visit", str(plan.visits.last().pk),
                 "--visited-on", "2020-01-01", "--outcome", "well")  # fmt: skip
    assert denied.exit_code == 3

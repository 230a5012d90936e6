"""The case list people work from: names as far as one may see them, days in state, search,
sort, assignment; and what a mediator's coordinator sees of the cases they coordinate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from reunite.accounts.models import Membership, Organization
from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.cases.models import Case, CaseEvent
from reunite.registry import actions
from tests.app.conftest import PASSWORD, acting


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(users: Any, orgs: Any, make_child: Any, make_enquiry: Any) -> dict[str, Any]:
    """Two UA cases shared with the mediator: one with an RU child shared with UA, one with
    an RU child that is not shared with anyone; neither record is shared with the mediator."""
    ua = acting(users[("ua", "caseworker")])
    ru = acting(users[("ru", "caseworker")])
    shared_child = make_child(surname="Ковальчук", given_name="Олександр")
    actions.share_record(ru, shared_child, orgs["ua"])
    hidden_child = make_child(surname="Мельник", given_name="Дарина", sex="F")
    first = case_actions.open_case(ua, enquiry=make_enquiry(surname="Ковальчук"))
    case_actions.link_case(ua, first, child=shared_child)
    second = case_actions.open_case(acting(users[("ru", "caseworker")]), child=hidden_child)
    actions.share_record(ru, second, orgs["ua"])
    for case in (first, second):
        owner = ua if case.owner_id == orgs["ua"].pk else ru
        actions.share_record(owner, case, orgs["med"])
    case_actions.transition_case(ua, first, "tracing")
    # The first case was opened 20 days ago and has been in "tracing" for 12 days, the
    # second "registered" for 3.
    for case, state, days in ((first, "registered", 20), (first, "tracing", 12),
                              (second, "registered", 3)):  # fmt: skip
        event = CaseEvent.objects.get(case=case, to_state=state)
        CaseEvent.objects.filter(pk=event.pk).update(at=event.at - dt.timedelta(days=days))
    return {"first": first, "second": second}


def _rows(client: Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get(reverse("case-list"), params)
    assert response.status_code == 200
    return response.context["rows"]  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_names_show_as_far_as_the_user_may_see_them(world: Any, users: Any) -> None:
    rows = {r["case"].reference: r for r in _rows(_client(users[("ua", "caseworker")]))}
    first, second = rows[world["first"].reference], rows[world["second"].reference]
    assert first["child"] == "Ковальчук Олександр" and first["requester"] == "Ковальчук Ганна"
    assert second["child"] == "" and second["child_hidden"]
    assert first["days_in_state"] == 12 and second["days_in_state"] == 3
    # A party that cannot see a case does not get it listed.
    assert _rows(_client(users[("ru", "auditor")])) and all(
        r["case"].owner.short_name == "RU" or r["case"].shared_with.filter(short_name="RU")
        for r in _rows(_client(users[("ru", "auditor")]))
    )


@pytest.mark.django_db
def test_search_and_sort(world: Any, users: Any) -> None:
    client = _client(users[("ua", "caseworker")])
    found = [r["case"].pk for r in _rows(client, q="Ковальчук")]
    assert found == [world["first"].pk]
    # The hidden child's name finds nothing for a party that cannot see the child.
    assert _rows(client, q="Мельник") == []
    assert [r["case"].pk for r in _rows(client, q=world["second"].reference)] == [
        world["second"].pk
    ]
    by_days = [r["case"].pk for r in _rows(client, sort="-days")]  # most days first
    assert by_days == [world["first"].pk, world["second"].pk]
    assert [r["case"].pk for r in _rows(client, sort="days")] == by_days[::-1]
    assert [r["case"].pk for r in _rows(client, state="tracing")] == [world["first"].pk]
    event = AuditEvent.objects.filter(action="list", object_type="case").last()
    assert event is not None and event.changes["query"].startswith("q=&state=tracing")


@pytest.mark.django_db
def test_the_mediators_coordinator_sees_the_minimum_to_coordinate(world: Any, users: Any) -> None:
    coordinator = _client(users[("med", "coordinator")])
    rows = {r["case"].pk: r for r in _rows(coordinator)}
    assert rows[world["second"].pk]["child"] == "Мельник Дарина"
    assert rows[world["first"].pk]["requester"] == "Ковальчук Ганна"
    assert [r["case"].pk for r in _rows(coordinator, q="Мельник")] == [world["second"].pk]
    page = coordinator.get(reverse("case-detail", args=[world["second"].pk]))
    body = page.content.decode()
    assert 'data-testid="coordination-summary"' in body and "Мельник Дарина" in body
    assert "RU → " not in body  # the second case has no tracing request: no direction
    assert "Secret custodian" not in body and "Secret location" not in body
    # The child's own record stays unshared: its page is still "not found".
    child_id = world["second"].child_id
    assert coordinator.get(reverse("child-detail", args=[child_id])).status_code == 404
    # Other roles get no summary of records they cannot see.
    other = _client(users[("ua", "verifier")]).get(
        reverse("case-detail", args=[world["second"].pk])
    )
    assert 'data-testid="coordination-summary"' not in other.content.decode()


@pytest.mark.django_db
def test_cases_are_assigned_to_a_caseworker_who_can_see_them(world: Any, users: Any) -> None:
    case = world["first"]  # UA's, shared with RU (the child's owner) and MED
    coordinator = acting(users[("med", "coordinator")])
    outsider_org = Organization.objects.create(
        short_name="NGO", name="An NGO", kind="ngo", country="UA"
    )
    outsider = get_user_model().objects.create_user(username="ngo-caseworker", password=PASSWORD)
    Membership.objects.create(user=outsider, organization=outsider_org, role="caseworker")
    for wrong in (users[("ua", "verifier")], users[("med", "coordinator")], outsider):
        with pytest.raises(ValidationError):
            case_actions.assign_case(coordinator, case, wrong)
    with pytest.raises(PermissionDenied):
        case_actions.assign_case(
            acting(users[("ua", "verifier")]), case, users[("ua", "caseworker")]
        )
    assigned = case_actions.assign_case(coordinator, case, users[("ua", "caseworker")])
    assert assigned.assigned_to == users[("ua", "caseworker")]
    event = AuditEvent.objects.filter(action="update", object_type="case").last()
    assert event is not None
    assert event.changes == {"assigned_to": [None, users[("ua", "caseworker")].username]}
    # Through the page, and the "assigned to me" filter.
    worker = _client(users[("ua", "caseworker")])
    assert [r["case"].pk for r in _rows(worker, mine="1")] == [case.pk]
    response = worker.post(reverse("case-assign", args=[case.pk]), {"assigned_to": ""})
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).assigned_to is None
    bad = worker.post(
        reverse("case-assign", args=[case.pk]), {"assigned_to": users[("ua", "verifier")].pk},
        follow=True,
    )  # fmt: skip
    assert "Choose a caseworker" in bad.content.decode()
    assert Case.objects.get(pk=case.pk).assigned_to is None


@pytest.mark.django_db
def test_other_apps_add_columns(world: Any, users: Any) -> None:
    response = _client(users[("ua", "caseworker")]).get(reverse("case-list"))
    labels = [str(label) for label in response.context["extra_labels"]]
    assert "Verification" in labels and "Follow-up" in labels
    assert all(len(r["extra"]) == len(labels) for r in response.context["rows"])


@pytest.mark.django_db
def test_the_round_column_shows_the_round_a_case_is_in(
    users: Any, orgs: Any, make_child: Any, make_enquiry: Any, monkeypatch: Any
) -> None:
    from reunite.reunification.rounds import actions as round_actions
    from tests.app.fixtures_verification import make_case, move

    monkeypatch.setitem(case_actions.TRANSITION_GUARDS, "approved", [])
    case = move(
        make_case(users, orgs, make_child, make_enquiry), users, "verification",
        "best_interests", "approved",
    )  # fmt: skip
    coordinator = acting(users[("med", "coordinator")])
    round_ = round_actions.create_round(
        coordinator, title="December", planned_date=dt.date.today() + dt.timedelta(days=20),
        channel="mediator", channel_name="Demo mediator", parties=[orgs["ua"], orgs["ru"]],
    )  # fmt: skip
    round_actions.add_case(coordinator, round_, case, from_country="RU", to_country="UA")
    response = _client(users[("ua", "caseworker")]).get(reverse("case-list"))
    labels = [str(label) for label in response.context["extra_labels"]]
    row = next(r for r in response.context["rows"] if r["case"].pk == case.pk)
    assert row["extra"][labels.index("Round")] == f"{round_.reference} (RU→UA)"

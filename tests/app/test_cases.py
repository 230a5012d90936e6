"""Case workflow: steps in order, by the roles the policy allows, each on the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from reunite.accounts.models import Role
from reunite.cases import actions as case_actions
from reunite.cases.models import CASE_STATE_ORDER, CaseEvent
from reunite.registry import actions
from tests.app.conftest import acting

# Who may move a case into each state, written out as the workflow documentation states it.
EXPECTED_MOVERS = {
    "tracing": {"caseworker"},
    "match_proposed": {"caseworker", "coordinator"},
    "verification": {"verifier", "coordinator"},
    "best_interests": {"verifier"},
    "approved": {"coordinator"},
    "scheduled": {"coordinator", "transfer_officer"},
    "in_transit": {"transfer_officer"},
    "reunified": {"transfer_officer"},
    "follow_up": {"caseworker"},
}


@pytest.fixture
def without_guards(monkeypatch: Any) -> None:
    """These tests are about order and roles; the verification app tests its own guards."""
    monkeypatch.setattr(case_actions, "TRANSITION_GUARDS", {})


@pytest.fixture
def shared_case(users: Any, make_child: Any, make_enquiry: Any, orgs: Any) -> Any:
    enquiry = make_enquiry(org="ua")
    child = make_child(org="ru")
    case = case_actions.open_case(acting(users[("ua", "caseworker")]), enquiry=enquiry)
    actions.share_record(acting(users[("ua", "caseworker")]), case, orgs["med"])
    actions.share_record(acting(users[("ua", "caseworker")]), case, orgs["ru"])
    actions.share_record(acting(users[("ru", "caseworker")]), child, orgs["ua"])
    case_actions.link_case(acting(users[("ua", "caseworker")]), case, child=child)
    return case


def _mover(state: str, users: Any) -> Any:
    role = sorted(EXPECTED_MOVERS[state])[0]
    return users[("med" if role == "coordinator" else "ua", role)]


@pytest.mark.django_db
def test_a_case_walks_the_whole_path_in_order(
    shared_case: Any, users: Any, without_guards: None
) -> None:
    case = shared_case
    for state in CASE_STATE_ORDER[1:-1]:
        case = case_actions.transition_case(acting(_mover(state, users)), case, state)
        assert case.state == state
    case = case_actions.transition_case(
        acting(users[("ua", "caseworker")]), case, "closed", closing_reason="reunified"
    )
    assert case.state == "closed" and case.closed_at is not None
    events = list(CaseEvent.objects.filter(case=case))
    assert [e.to_state for e in events] == list(CASE_STATE_ORDER)
    assert all(e.actor is not None and e.at is not None for e in events)


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(EXPECTED_MOVERS))
def test_each_step_is_allowed_only_to_its_roles(
    state: str, shared_case: Any, users: Any, without_guards: None
) -> None:
    case = shared_case
    for earlier in CASE_STATE_ORDER[1 : CASE_STATE_ORDER.index(state)]:
        case = case_actions.transition_case(acting(_mover(earlier, users)), case, earlier)
    for role in Role.values:
        user = users[("med" if role == "coordinator" else "ua", role)]
        if role in EXPECTED_MOVERS[state]:
            continue
        with pytest.raises(PermissionDenied):
            case_actions.transition_case(acting(user), case, state)
    moved = case_actions.transition_case(acting(_mover(state, users)), case, state)
    assert moved.state == state


@pytest.mark.django_db
def test_steps_cannot_be_skipped_or_repeated(shared_case: Any, users: Any) -> None:
    with pytest.raises(ValidationError, match="can only move to"):
        case_actions.transition_case(acting(users[("ua", "verifier")]), shared_case, "verification")
    case = case_actions.transition_case(acting(users[("ua", "caseworker")]), shared_case, "tracing")
    with pytest.raises(ValidationError):
        case_actions.transition_case(acting(users[("ua", "caseworker")]), case, "tracing")
    with pytest.raises(ValidationError, match="Unknown state"):
        case_actions.transition_case(acting(users[("ua", "caseworker")]), case, "teleported")


@pytest.mark.django_db
def test_closing_needs_a_reason_and_reunified_only_after_follow_up(
    shared_case: Any, users: Any
) -> None:
    worker = acting(users[("ua", "caseworker")])
    with pytest.raises(ValidationError, match="why"):
        case_actions.transition_case(worker, shared_case, "closed")
    with pytest.raises(ValidationError, match="follow-up"):
        case_actions.transition_case(worker, shared_case, "closed", closing_reason="reunified")
    with pytest.raises(ValidationError, match="Say why"):
        case_actions.transition_case(worker, shared_case, "closed", closing_reason="other")
    case = case_actions.transition_case(worker, shared_case, "closed", closing_reason="found_adult")
    assert case.closing_reason == "found_adult"
    with pytest.raises(ValidationError, match="closed"):
        case_actions.transition_case(worker, case, "tracing")


@pytest.mark.django_db
def test_a_match_cannot_be_proposed_without_a_child(users: Any, make_enquiry: Any) -> None:
    worker = acting(users[("ua", "caseworker")])
    case = case_actions.open_case(worker, enquiry=make_enquiry())
    case = case_actions.transition_case(worker, case, "tracing")
    with pytest.raises(ValidationError, match="Link a child"):
        case_actions.transition_case(worker, case, "match_proposed")


@pytest.mark.django_db
def test_case_page_offers_only_the_users_transitions(shared_case: Any, users: Any) -> None:
    client = Client()
    client.force_login(users[("ua", "verifier")])
    page = client.get(reverse("case-detail", args=[shared_case.pk])).content.decode()
    assert "cannot move this case" in page
    client.force_login(users[("ua", "caseworker")])
    page = client.get(reverse("case-detail", args=[shared_case.pk])).content.decode()
    assert 'value="tracing"' in page
    response = client.post(
        reverse("case-transition", args=[shared_case.pk]), {"to_state": "tracing"}
    )
    assert response.status_code == 302
    shared_case.refresh_from_db()
    assert shared_case.state == "tracing"
    timeline = client.get(reverse("case-detail", args=[shared_case.pk])).content.decode()
    assert users[("ua", "caseworker")].username in timeline


@pytest.mark.django_db
def test_case_references_are_unique_and_sequential(users: Any, make_enquiry: Any) -> None:
    worker = acting(users[("ua", "caseworker")])
    first = case_actions.open_case(worker, enquiry=make_enquiry())
    second = case_actions.open_case(worker, enquiry=make_enquiry(surname="Інший"))
    assert first.reference != second.reference
    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1


@pytest.mark.django_db
def test_a_registered_guard_blocks_the_step_and_says_what_is_missing(
    shared_case: Any, users: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(case_actions, "TRANSITION_GUARDS", {})
    case_actions.register_transition_guard("tracing", lambda case: ["a signed consent form"])
    with pytest.raises(ValidationError, match="Missing: a signed consent form"):
        case_actions.transition_case(acting(users[("ua", "caseworker")]), shared_case, "tracing")
    assert case_actions.missing_for_transition(shared_case, "tracing") == ["a signed consent form"]

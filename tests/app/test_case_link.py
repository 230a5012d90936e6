"""Linking a child or a tracing request to a case by searching and picking; contradictions
need confirming; a verifier undoes a wrong link."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.cases.models import Case
from reunite.registry import actions
from tests.app.conftest import acting


@pytest.fixture
def setup(users: Any, orgs: Any, make_child: Any, make_enquiry: Any) -> dict[str, Any]:
    """A UA request for a girl born 2012; RU children shared with UA: a boy born 2005 of the
    same name (contradicts) and a girl born 2013 (does not); one RU child not shared."""
    ru = acting(users[("ru", "caseworker")])
    enquiry = make_enquiry(
        surname="Бондаренко", given_name="Софія", sex="F", birth_date=dt.date(2012, 5, 1),
        birth_date_precision="day",
    )  # fmt: skip
    boy = make_child(
        surname="Бондаренко", given_name="Софія", sex="M", birth_date=dt.date(2005, 1, 1),
        birth_date_precision="year",
    )  # fmt: skip
    girl = make_child(
        surname="Бондаренко", given_name="Софья", sex="F", birth_date=dt.date(2013, 1, 1),
        birth_date_precision="year",
    )  # fmt: skip
    hidden = make_child(surname="Бондаренко", given_name="Соня", sex="F")
    for child in (boy, girl):
        actions.share_record(ru, child, orgs["ua"])
    case = case_actions.open_case(acting(users[("ua", "caseworker")]), enquiry=enquiry)
    return {"case": case, "boy": boy, "girl": girl, "hidden": hidden}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_contradicting_link_needs_confirming_and_the_differences_are_audited(
    setup: Any, users: Any
) -> None:
    worker = acting(users[("ua", "caseworker")])
    with pytest.raises(ValidationError) as error:
        case_actions.link_case(worker, setup["case"], child=setup["boy"])
    differences = error.value.message_dict["confirm"]
    assert any("Sex" in d for d in differences) and any("2005" in d for d in differences)
    assert Case.objects.get(pk=setup["case"].pk).child_id is None  # nothing written
    case = case_actions.link_case(worker, setup["case"], child=setup["boy"], confirm=True)
    assert case.child_id == setup["boy"].pk
    event = AuditEvent.objects.filter(action="update", object_type="case").last()
    assert event is not None and event.changes["confirmed_differences"][1] == differences


@pytest.mark.django_db
def test_an_agreeing_link_goes_through_at_once(setup: Any, users: Any) -> None:
    worker = acting(users[("ua", "caseworker")])
    case = case_actions.link_case(worker, setup["case"], child=setup["girl"])  # 2013 vs 2012
    assert case.child_id == setup["girl"].pk


@pytest.mark.django_db
def test_search_and_pick_on_the_page(setup: Any, users: Any) -> None:
    client = _client(users[("ua", "caseworker")])
    url = reverse("case-link", args=[setup["case"].pk])
    page = client.get(url, {"q": "Бондаренко"})
    found = [c["record"].pk for c in page.context["candidates"]]
    assert found == [setup["boy"].pk, setup["girl"].pk]  # not the child UA cannot see
    warned = {c["record"].pk: c["differences"] for c in page.context["candidates"]}
    assert warned[setup["boy"].pk] and warned[setup["girl"].pk] == []
    pick = reverse("case-link-child", args=[setup["case"].pk])
    confirm = client.post(pick, {"kind": "child", "record": setup["boy"].pk})
    assert confirm.status_code == 200 and b'data-testid="link-confirm"' in confirm.content
    assert Case.objects.get(pk=setup["case"].pk).child_id is None
    done = client.post(pick, {"kind": "child", "record": setup["boy"].pk, "confirm": "on"})
    assert done.status_code == 302
    assert Case.objects.get(pk=setup["case"].pk).child_id == setup["boy"].pk
    # An invisible record cannot be picked by posting its id either.
    other = case_actions.open_case(
        acting(users[("ua", "caseworker")]), enquiry=setup["case"].enquiry
    )
    response = client.post(
        reverse("case-link-child", args=[other.pk]), {"kind": "child", "record": setup["hidden"].pk}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_verifier_undoes_a_wrong_link(setup: Any, users: Any, monkeypatch: Any) -> None:
    worker = acting(users[("ua", "caseworker")])
    case = case_actions.link_case(worker, setup["case"], child=setup["girl"])
    case = case_actions.transition_case(worker, case, "tracing")
    case = case_actions.transition_case(worker, case, "match_proposed")
    with pytest.raises(PermissionDenied):
        case_actions.unlink_case(worker, case, "child", "wrong girl")
    verifier = acting(users[("ua", "verifier")])
    with pytest.raises(ValidationError) as error:
        case_actions.unlink_case(verifier, case, "child", "  ")
    assert "reason" in error.value.message_dict
    case = case_actions.unlink_case(verifier, case, "child", "DNA excluded the tie")
    assert case.child_id is None and case.state == "tracing"
    assert case.events.last().note == "Link undone: DNA excluded the tie"
    event = AuditEvent.objects.filter(action="update", object_type="case").last()
    assert event is not None and event.changes == {
        "child": [setup["girl"].pk, None], "unlink_reason": [None, "DNA excluded the tie"],
    }  # fmt: skip
    with pytest.raises(ValidationError):  # the request is all the case has left
        case_actions.unlink_case(verifier, case, "enquiry", "wrong")
    # Past verification a link is no longer undone.
    monkeypatch.setitem(case_actions.TRANSITION_GUARDS, "approved", [])
    case = case_actions.link_case(worker, case, child=setup["girl"])
    actions.share_record(worker, case, users[("med", "coordinator")].membership.organization)
    steps = (
        ("match_proposed", ("ua", "caseworker")), ("verification", ("ua", "verifier")),
        ("best_interests", ("ua", "verifier")), ("approved", ("med", "coordinator")),
    )  # fmt: skip
    for state, who in steps:
        case = case_actions.transition_case(acting(users[who]), case, state)
    with pytest.raises(ValidationError, match="up to verification"):
        case_actions.unlink_case(verifier, case, "child", "too late")


@pytest.mark.django_db
def test_api_link_asks_for_confirm(setup: Any, users: Any) -> None:
    api = APIClient()
    api.force_authenticate(users[("ua", "caseworker")])
    url = f"/api/cases/{setup['case'].pk}/"
    refused = api.patch(url, {"child": setup["boy"].pk}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"confirm"}
    linked = api.patch(url, {"child": setup["boy"].pk, "confirm": True}, format="json")
    assert linked.status_code == 200 and linked.json()["child"] == setup["boy"].pk

"""REST API of the review queue and runs (/api/matching/): tokens, roles, audit, decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reunite.audit.models import AuditEvent
from reunite.cases.models import Case
from reunite.jobs.api import run_worker
from reunite.matching import actions as m
from reunite.matching.models import CandidatePair, MatchRun, PairStatus
from tests.app.fixtures_matching import (
    acting,
    add_pair_records,
    trained_link_model,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db
PAIRS, RUNS = "/api/matching/pairs/", "/api/matching/runs/"


def _client(user: Any | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def pairs(users: Any, trained_link_model: Any) -> list[tuple[Any, Any]]:  # noqa: F811
    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    return [
        add_pair_records(users, surname="Ткаченко", given="Оксана", birth=dt.date(2013, 8, 8)),
        add_pair_records(
            users, surname="Гуменюк", given="Назар", birth=dt.date(2010, 12, 1), sex="M"
        ),
    ]


def test_run_list_decide_over_the_api(users: Any, pairs: Any) -> None:
    caseworker = _client(users[("ua", "caseworker")])
    response = caseworker.post(RUNS, {"full": True}, format="json")
    # Queued, not run in the request: 202 with the job to follow.
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["state"] == "queued" and job["kind"] == "matching.run"
    assert response["Location"] == f"/api/jobs/{job['id']}/"
    assert not MatchRun.objects.exists()
    run_worker(batch=True, interval=0)
    job = caseworker.get(response["Location"]).json()
    assert job["state"] == "succeeded", job
    run = caseworker.get(RUNS).json()["results"][0]
    assert run["id"] == job["result"]["run"]
    assert run["status"] == "succeeded" and run["mode"] == "full"
    # Another party's caller cannot read the job.
    assert _client(users[("ru", "caseworker")]).get(response["Location"]).status_code == 404

    verifier_user = users[("ua", "verifier")]
    verifier = _client(verifier_user)
    listed = verifier.get(PAIRS).json()
    assert listed["count"] >= 2
    probabilities = [row["probability"] for row in listed["results"]]
    assert probabilities == sorted(probabilities, reverse=True)
    listed_event = AuditEvent.objects.filter(
        action="list", object_type="child", actor_username=verifier_user.username
    ).last()
    assert listed_event.changes["query"] == "api:matching"

    (e1, c1), (e2, c2) = pairs
    p1 = CandidatePair.objects.get(enquiry=e1, child=c1)
    p2 = CandidatePair.objects.get(enquiry=e2, child=c2)
    detail = verifier.get(f"{PAIRS}{p1.pk}/").json()
    assert detail["enquiry"]["name"] == "Ткаченко Оксана"
    assert detail["child"]["names"][0]["name"] == "Ткаченко Оксана"
    assert any(e["field"] == "birth date" for e in detail["explanation"])
    assert "custodian" not in str(detail) and "Secret" not in str(detail)

    response = verifier.post(f"{PAIRS}{p1.pk}/decide/", {"decision": "same"}, format="json")
    assert response.status_code == 200, response.content
    case = Case.objects.get(enquiry=e1)
    assert response.json()["status"] == "confirmed" and response.json()["case"] == case.reference
    response = verifier.post(
        f"{PAIRS}{p2.pk}/decide/", {"decision": "not_same", "note": "other mother"}, format="json"
    )
    assert response.json()["status"] == "rejected"
    assert response.json()["decisions"][0]["note"] == "other mother"
    # Deciding again, or with a bad value, is a 400 naming the problem.
    response = verifier.post(f"{PAIRS}{p2.pk}/decide/", {"decision": "same"}, format="json")
    assert response.status_code == 400 and "already decided" in str(response.json())
    response = verifier.post(f"{PAIRS}{p1.pk}/decide/", {"decision": "maybe"}, format="json")
    assert response.status_code == 400 and "decision" in response.json()
    # The rejected pair does not come back after a full re-run.
    assert caseworker.post(RUNS, {"full": True}, format="json").status_code == 202
    run_worker(batch=True, interval=0)
    p2.refresh_from_db()
    assert p2.status == PairStatus.REJECTED
    assert p2.pk not in {row["id"] for row in verifier.get(PAIRS).json()["results"]}
    rejected = verifier.get(PAIRS, {"show": "rejected"}).json()["results"]
    assert [row["id"] for row in rejected] == [p2.pk]


def test_roles_parties_and_anonymous(users: Any, pairs: Any) -> None:
    m.run_matching(acting(users[("ua", "caseworker")]))
    pair = CandidatePair.objects.first()
    assert _client().get(PAIRS).status_code == 401
    # A caseworker reads the queue but may not decide; a verifier may not run.
    caseworker = _client(users[("ua", "caseworker")])
    assert caseworker.get(f"{PAIRS}{pair.pk}/").status_code == 200
    response = caseworker.post(f"{PAIRS}{pair.pk}/decide/", {"decision": "same"}, format="json")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", object_type="candidatepair").exists()
    assert _client(users[("ua", "verifier")]).post(RUNS, {}, format="json").status_code == 403
    assert _client(users[("ua", "transfer_officer")]).get(PAIRS).status_code == 403
    # Another party: not found, and an empty queue and run list.
    other = _client(users[("ru", "verifier")])
    assert other.get(f"{PAIRS}{pair.pk}/").status_code == 404
    assert (
        other.post(f"{PAIRS}{pair.pk}/decide/", {"decision": "same"}, format="json").status_code
        == 404
    )
    assert other.get(PAIRS).json()["count"] == 0
    run = MatchRun.objects.get()
    assert other.get(f"{RUNS}{run.pk}/").status_code == 404
    assert other.get(RUNS).json()["count"] == 0
    assert _client(users[("ua", "verifier")]).get(PAIRS, {"show": "bogus"}).status_code == 400
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING


def test_a_second_run_while_one_is_running_is_a_conflict(users: Any, pairs: Any) -> None:
    from reunite.accounts.models import Organization

    MatchRun.objects.create(organization=Organization.objects.get(short_name="UA"))
    response = _client(users[("ua", "caseworker")]).post(RUNS, {}, format="json")
    assert response.status_code == 409 and "still running" in response.json()["detail"]

"""The review queue and run screens through Django's test client (real views, real database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from reunite.audit.models import AuditEvent
from reunite.cases.models import Case
from reunite.jobs.api import run_worker
from reunite.jobs.models import Job
from reunite.matching import actions as m
from reunite.matching.models import CandidatePair, LinkModelVersion, MatchRun, PairStatus
from tests.app.fixtures_matching import (
    acting,
    add_pair_records,
    trained_link_model,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_pairs(users: Any, trained_link_model: Any) -> dict[str, Any]:  # noqa: F811
    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    a = add_pair_records(
        users, surname="Коваленко", given="Дарина", birth=dt.date(2014, 5, 17),
        mother="Коваленко Ірина Петрівна", patronymic="Олегівна",
    )  # fmt: skip
    b = add_pair_records(
        users, surname="Шевчук", given="Богдан", birth=dt.date(2011, 9, 2), sex="M",
        birth_place="Херсон", patronymic="Андрійович",
    )  # fmt: skip
    return {"a": a, "b": b}


def _login(client: Any, user: Any) -> None:
    client.force_login(user)


def _run(client: Any, full: bool = False) -> Any:
    """Press the button, let a worker take the job, and read the job's progress fragment
    (what the page's htmx polling shows when the run has ended)."""
    data = {"full": "on"} if full else {}
    response = client.post(reverse("matching:run-start"), data, follow=True)
    job = Job.objects.order_by("-pk").first()
    if job is None or response.redirect_chain[-1][0] != reverse("jobs:detail", args=[job.pk]):
        return response  # refused: the page the user was sent back to
    assert job.state == Job.State.QUEUED
    run_worker(batch=True, interval=0)
    return client.get(reverse("jobs:progress", args=[job.pk]))


def test_run_button_queues_a_job_that_a_worker_runs(
    client: Any, users: Any, two_pairs: Any
) -> None:
    _login(client, users[("ua", "caseworker")])
    response = client.post(reverse("matching:run-start"), follow=True)
    job = Job.objects.get()
    # Nothing ran in the request: the page polls the job's progress.
    assert not MatchRun.objects.exists() and job.state == Job.State.QUEUED
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("jobs:detail", args=[job.pk])
    assert f'hx-get="{reverse("jobs:progress", args=[job.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    # A second press while it waits is refused.
    again = client.post(reverse("matching:run-start"), follow=True).content.decode()
    assert "already waiting or running" in again and Job.objects.count() == 1
    run_worker(batch=True, interval=0)
    job.refresh_from_db()
    run = MatchRun.objects.get()
    assert job.state == Job.State.SUCCEEDED and job.result["run"] == run.pk
    fragment = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in fragment  # polling stops
    assert f"Run {run.pk}" in fragment and 'data-testid="job-done"' in fragment
    assert reverse("matching:run-detail", args=[run.pk]) in fragment
    # Another party cannot follow this organisation's job.
    _login(client, users[("ru", "caseworker")])
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_run_button_runs_matching_and_the_queue_lists_pairs(
    client: Any, users: Any, two_pairs: Any
) -> None:
    _login(client, users[("ua", "caseworker")])
    response = _run(client)
    assert response.status_code == 200
    run = MatchRun.objects.get()
    assert run.status == MatchRun.Status.SUCCEEDED
    assert f"Run {run.pk}" in response.content.decode()
    (ea, ca), (eb, cb) = two_pairs["a"], two_pairs["b"]
    assert CandidatePair.objects.filter(enquiry=ea, child=ca).exists()
    assert CandidatePair.objects.filter(enquiry=eb, child=cb).exists()

    page = client.get(reverse("matching:queue"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Коваленко Дарина" in html and "Шевчук Богдан" in html
    # The list of records shown is audited.
    listed = AuditEvent.objects.filter(action="list", object_type="child").last()
    assert listed.changes["query"] == "matching:queue"
    assert set(listed.changes["ids"]) >= {ca.pk, cb.pk}
    # The nav link points at the queue.
    assert f'href="{reverse("matching:queue")}"' in html


def test_pair_page_shows_both_records_and_the_explanation_and_audits_views(
    client: Any, users: Any, two_pairs: Any
) -> None:
    m.run_matching(acting(users[("ua", "caseworker")]))
    enquiry, child = two_pairs["a"]
    pair = CandidatePair.objects.get(enquiry=enquiry, child=child)
    verifier = users[("ua", "verifier")]
    _login(client, verifier)
    html = client.get(reverse("matching:pair-detail", args=[pair.pk])).content.decode()
    assert "Коваленко Дарина Олегівна" in html
    assert "2014-05-17" in html
    assert "Коваленко Ірина Петрівна" in html  # mother, both sides
    assert "birth date: exact, +" in html  # the explanation in plain words
    assert "Same child" in html and "Not the same child" in html and "Unsure" in html
    assert "Secret" not in html  # no restricted details on the pair page
    views = AuditEvent.objects.filter(action="view", actor_username=verifier.username)
    assert {(e.object_type, e.object_id) for e in views} >= {
        ("enquiry", str(enquiry.pk)), ("child", str(child.pk)),
    }  # fmt: skip


def test_decide_through_the_screens(client: Any, users: Any, two_pairs: Any) -> None:
    m.run_matching(acting(users[("ua", "caseworker")]))
    (ea, ca), (eb, cb) = two_pairs["a"], two_pairs["b"]
    same = CandidatePair.objects.get(enquiry=ea, child=ca)
    other = CandidatePair.objects.get(enquiry=eb, child=cb)
    _login(client, users[("ua", "verifier")])
    response = client.post(
        reverse("matching:pair-decide", args=[same.pk]),
        {"decision": "same", "note": "photos agree"}, follow=True,
    )  # fmt: skip
    case = Case.objects.get(enquiry=ea)
    assert f"Case {case.reference}" in response.content.decode()
    assert case.state == "match_proposed"
    # Unsure without a note is refused with a message; nothing changes.
    response = client.post(
        reverse("matching:pair-decide", args=[other.pk]), {"decision": "unsure"}, follow=True
    )
    assert "Say what makes you unsure" in response.content.decode()
    other.refresh_from_db()
    assert other.status == PairStatus.PENDING
    client.post(
        reverse("matching:pair-decide", args=[other.pk]),
        {"decision": "unsure", "note": "not sure about the year"},
    )
    other.refresh_from_db()
    assert other.status == PairStatus.UNSURE
    html = client.get(reverse("matching:pair-detail", args=[other.pk])).content.decode()
    assert "a different verifier decides it" in html
    assert 'name="decision"' not in html
    # The queue filter shows it among the unsure ones.
    html = client.get(reverse("matching:queue"), {"show": "unsure"}).content.decode()
    assert f'data-pair="{other.pk}"' in html
    assert f'data-pair="{same.pk}"' not in html


def test_role_checks_on_the_screens(client: Any, users: Any, two_pairs: Any) -> None:
    m.run_matching(acting(users[("ua", "caseworker")]))
    pair = CandidatePair.objects.first()
    decide_url = reverse("matching:pair-decide", args=[pair.pk])
    # A caseworker sees the queue but cannot decide.
    _login(client, users[("ua", "caseworker")])
    assert client.get(reverse("matching:queue")).status_code == 200
    html = client.get(reverse("matching:pair-detail", args=[pair.pk])).content.decode()
    assert 'name="decision"' not in html
    assert client.post(decide_url, {"decision": "same"}).status_code == 403
    # A verifier cannot run matching or retrain.
    _login(client, users[("ua", "verifier")])
    assert client.post(reverse("matching:run-start")).status_code == 403
    assert client.post(reverse("matching:model-retrain")).status_code == 403
    assert (
        'data-testid="run-matching"' not in client.get(reverse("matching:queue")).content.decode()
    )
    # Another party: the pair does not exist for them; their queue is empty.
    _login(client, users[("ru", "verifier")])
    assert client.get(reverse("matching:pair-detail", args=[pair.pk])).status_code == 404
    assert client.post(decide_url, {"decision": "not_same"}).status_code == 404
    assert "No candidate pairs here." in client.get(reverse("matching:queue")).content.decode()
    # The other party's runs are not listed or reachable either.
    run = MatchRun.objects.get()
    assert client.get(reverse("matching:run-detail", args=[run.pk])).status_code == 404
    # A transfer officer has no queue at all; anonymous users are sent to log in.
    _login(client, users[("ua", "transfer_officer")])
    assert client.get(reverse("matching:queue")).status_code == 403
    client.logout()
    response = client.get(reverse("matching:queue"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(reverse("matching:run-start")).status_code in (302, 405)
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING


def test_run_list_and_retrain_screens(client: Any, users: Any, two_pairs: Any) -> None:
    _login(client, users[("ua", "caseworker")])
    response = client.post(reverse("matching:model-retrain"), follow=True)
    assert "No decided pairs to learn from yet" in response.content.decode()
    _run(client)
    pair = CandidatePair.objects.filter(enquiry=two_pairs["a"][0], child=two_pairs["a"][1]).get()
    m.decide(acting(users[("ua", "verifier")]), pair, "same")
    response = client.post(reverse("matching:model-retrain"), follow=True)
    assert "Model v2 learned from 1 confirmed and 0 rejected pairs" in response.content.decode()
    assert LinkModelVersion.objects.count() == 2
    _run(client)
    run = MatchRun.objects.order_by("-pk").first()
    html = client.get(reverse("matching:run-detail", args=[run.pk])).content.decode()
    assert "re-scored everything" in html  # the new model makes the run a full one
    runs = client.get(reverse("matching:run-list")).content.decode()
    assert "v2" in runs and "Retrained from reviewers" in runs
    # A GET cannot start a run.
    assert client.get(reverse("matching:run-start")).status_code == 405


def test_failed_run_shows_the_error(client: Any, users: Any, two_pairs: Any) -> None:
    LinkModelVersion.objects.create(version=9, model_json={}, source="imported")
    _login(client, users[("ua", "caseworker")])
    response = _run(client)
    html = response.content.decode()
    assert "failed" in html and "No candidate was written" in html
    assert not CandidatePair.objects.exists()



"""Round screens and endpoints: what each party sees, the planner page, PDFs and exports."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from reunite.audit.models import AuditEvent
from reunite.reunification.rounds import actions
from reunite.routes import default_network
from tests.app.conftest import acting
from tests.app.fixtures_rounds import ROUND_DAY, approved_case
from tests.app.fixtures_verification import make_case

NET = default_network()


@pytest.fixture
def round_setup(users: Any, orgs: Any, make_child: Any, make_enquiry: Any) -> Any:
    coordinator = acting(users[("med", "coordinator")])
    case = approved_case(users, orgs, make_child, make_enquiry)
    round_ = actions.create_round(coordinator, title="February round", planned_date=ROUND_DAY,
                                  channel="mediator", channel_name="State of Qatar",
                                  parties=[orgs["ua"], orgs["ru"]])
    entry = actions.add_case(coordinator, round_, case, from_country="RU", to_country="UA",
                             origin="qatar-embassy-moscow",
                             destination="kyiv-child-protection-centre")
    transfer = actions.create_transfer(
        coordinator, round_, entries=[entry],
        collector=actions.Collector(name="Ганна Ковальчук", relationship="mother",
                                    role="legal_representative", sex="F", birth_year=1988,
                                    citizenships=["UA"], documents=["passport"]),
        evidence=[case.evidence.get(kind="birth_certificate")], initial_custodian=orgs["ru"])
    return round_, entry, transfer


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_coordinator_pages(round_setup: Any, users: Any) -> None:
    round_, entry, transfer = round_setup
    client = _client(users[("med", "coordinator")])
    page = client.get("/rounds/").content.decode()
    assert round_.reference in page and "February round" in page
    page = client.get(f"/rounds/{round_.pk}/").content.decode()
    assert entry.case.reference in page and "RU → UA" in page
    page = client.get(f"/transfers/{transfer.pk}/", {
        "plan": "1", "origin": "qatar-embassy-moscow", "destination": "kyiv",
        "date": "2026-02-12", "depart_time": "06:00"}).content.decode()
    assert "<svg" in page and "Use this route" in page
    assert "the child has no passport and Sheremetyevo Airport requires one" in page
    response = client.post(f"/transfers/{transfer.pk}/route/", {
        "origin": "qatar-embassy-moscow", "destination": "kyiv", "date": "2026-02-12",
        "depart_time": "06:00", "route": "0"})
    assert response.status_code == 302
    assert transfer.legs.count() >= 4
    page = client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert 'data-testid="route-map"' in page and "style=" not in page.split("<svg", 1)[1]
    pdf = client.get(f"/rounds/{round_.pk}/manifest.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Ковальчук" in text
    assert AuditEvent.objects.filter(action="export", object_type="round").exists()
    assert "Children by direction" in client.get(f"/rounds/{round_.pk}/report/").content.decode()
    stats = client.get("/statistics/").content.decode()
    assert "<svg" in stats
    export = client.get("/statistics/public-export/")
    assert export.status_code == 200 and b"Aggregates only" in export.content


@pytest.mark.django_db
def test_party_visibility_and_roles(round_setup: Any, users: Any, make_user: Any,
                                    orgs: Any) -> None:
    from reunite.accounts.models import Organization

    round_, _entry, _transfer = round_setup
    orgs["pl"] = Organization.objects.create(short_name="PL", name="Other", kind="ngo",
                                             country="PL")
    outsider = _client(make_user("transfer_officer", "pl"))
    assert outsider.get(f"/rounds/{round_.pk}/").status_code == 404
    assert outsider.get(f"/rounds/{round_.pk}/manifest.pdf").status_code == 404
    officer = _client(users[("ru", "transfer_officer")])
    assert officer.get(f"/rounds/{round_.pk}/manifest.pdf").status_code == 200
    verifier = _client(users[("ua", "verifier")])
    assert verifier.get(f"/rounds/{round_.pk}/manifest.pdf").status_code == 403
    assert verifier.get("/statistics/public-export/").status_code == 403


@pytest.mark.django_db
def test_api(round_setup: Any, users: Any, orgs: Any, make_child: Any,
             make_enquiry: Any) -> None:
    round_, entry, _transfer = round_setup
    api = APIClient()
    api.force_authenticate(users[("med", "coordinator")])
    listed = api.get("/api/rounds/").json()
    assert listed["results"][0]["reference"] == round_.reference
    early = make_case(users, orgs, make_child, make_enquiry)
    response = api.post(f"/api/rounds/{round_.pk}/cases/", {
        "case": early.reference, "from_country": "RU", "to_country": "UA"}, format="json")
    assert response.status_code == 400
    assert "only a case approved for reunification" in response.json()["case"][0]
    response = api.post(f"/api/rounds/{round_.pk}/confirm/")
    assert response.status_code == 400 and "has no itinerary" in str(response.json())
    created = api.post("/api/rounds/", {"title": "Spring", "planned_date": "2026-04-01",
                                        "channel": "ombudsman", "parties": ["UA"]},
                       format="json")
    assert created.status_code == 201 and created.json()["parties"] == ["UA"]
    assert api.post("/api/rounds/", {"title": "x", "planned_date": "2026-04-01",
                                     "channel": "carrier-pigeon"}, format="json").status_code \
        == 400
    plan = api.post("/api/routes/plan/", {
        "origin": "Sumy", "destination": "Kursk", "date": "2026-02-12",
        "child": {"age": 10, "citizenships": ["UA"], "documents": ["passport"]}},
        format="json").json()
    assert any("closed since 2022-02-24" in r for route in plan["rejected"]
               for r in route["reasons"])
    assert api.post("/api/routes/plan/", {"origin": "Atlantis", "destination": "Kyiv",
                                          "date": "2026-02-12", "child": {"age": 3}},
                    format="json").status_code == 400
    custody = api.get(f"/api/custody/{entry.case.pk}/").json()
    assert custody["custody"][0]["holder"] == "RU"
    assert api.get("/api/statistics/public/").status_code == 200
    report = api.get(f"/api/rounds/{round_.pk}/report/").json()
    assert report["by_direction"] == {"RU→UA": 1}


@pytest.mark.django_db
def test_api_handover_by_the_wrong_side(round_setup: Any, users: Any, orgs: Any) -> None:
    round_, _entry, transfer = round_setup
    coordinator = acting(users[("med", "coordinator")])
    actions.add_leg(coordinator, transfer, mode="road", from_place="qatar-embassy-moscow",
                    to_place="moscow", network=NET)
    final = actions.add_handover(coordinator, transfer, place="moscow", from_org=orgs["ru"],
                                 to_org=orgs["ua"], to_person="Ганна", is_final=True,
                                 network=NET)
    actions.confirm_round(coordinator, round_)
    actions.start_round(coordinator, round_)
    api = APIClient()
    api.force_authenticate(users[("ua", "transfer_officer")])
    response = api.post(f"/api/handovers/{final.pk}/confirm/", {"side": "release"},
                        format="json")
    assert response.status_code == 400
    assert "UA does not hold the child" in str(response.json())
    final.refresh_from_db()
    assert not final.released
    response = api.post(f"/api/handovers/{final.pk}/confirm/", {
        "side": "receive", "at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()},
        format="json")
    assert response.status_code == 200 and response.json()["received"] is True

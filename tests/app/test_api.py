"""The REST API: CRUD per resource, audit events, 400 bodies, token auth, the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from reunite.audit.log import iter_chain_problems
from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.cases.models import Case
from reunite.registry.models import Child, Enquiry, Person
from tests.app import fixtures_api

World = fixtures_api.World
PASSWORD = fixtures_api.PASSWORD
client_for = fixtures_api.client_for
world = fixtures_api.world
_fast_hashing_and_fresh_throttles = fixtures_api._fast_hashing_and_fresh_throttles

pytestmark = pytest.mark.django_db

CHILD_BODY: dict[str, Any] = {
    "record_id": "A-0001",
    "names": [
        {"surname": "Ткаченко", "given_name": "Максим", "script": "cyrillic", "language": "uk",
         "source": "birth"},
        {"surname": "Tkachenko", "given_name": "Maksim", "script": "latin", "source": "reported"},
    ],
    "sex": "M",
    "birth_date": "2014-05",
    "separation_date": "2022-03-16",
    "separation_place": "Маріуполь",
    "custodian": "Foster family (synthetic)",
    "current_location": "Somewhere (synthetic)",
    "citizenships": ["ua"],
    "legal_status": "parents_known",
    "consent_for_tracing": True,
}  # fmt: skip


def events(action: str, object_type: str, object_id: Any = None) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(action=action, object_type=object_type)
    if object_id is not None:
        found = found.filter(object_id=str(object_id))
    return list(found)


# Children ----------------------------------------------------------------------------------


def test_child_crud_round_trip(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    response = cw.post("/api/children/", CHILD_BODY, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    pk = data["id"]
    assert data["birth_date"] == "2014-05"
    assert data["separation_date"] == "2022-03-16"
    assert data["citizenships"] == ["UA"]
    assert data["owner"] == "API-A" and data["shared_with"] == []
    assert [n["surname"] for n in data["names"]] == ["Ткаченко", "Tkachenko"]
    assert data["names"][0]["is_primary"] is True
    assert data["display_name"] == "Ткаченко Максим"
    assert data["custodian"] == "Foster family (synthetic)"
    child = Child.objects.get(pk=pk)
    assert child.birth_date == dt.date(2014, 5, 1) and child.birth_date_precision == "month"
    assert child.created_by == world.user("caseworker")

    # Read back: the same representation.
    detail = cw.get(f"/api/children/{pk}/").json()
    assert {k: v for k, v in detail.items() if k != "updated_at"} == {
        k: v for k, v in data.items() if k != "updated_at"
    }

    # PATCH changes only what is given; names are kept unless given.
    response = cw.patch(f"/api/children/{pk}/", {"birth_date": "2013", "notes": "n"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["birth_date"] == "2013"
    assert response.json()["separation_date"] == "2022-03-16"
    assert len(response.json()["names"]) == 2
    child.refresh_from_db()
    assert child.birth_date_precision == "year" and child.notes == "n"

    # Names given on update replace the stored names; null date means unknown.
    response = cw.patch(
        f"/api/children/{pk}/",
        {"names": [{"full_name": "Максим"}], "birth_date": None, "estimated_age": 12},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [n["full_name"] for n in body["names"]] == ["Максим"]
    assert body["birth_date"] is None and body["estimated_age"] == 12
    assert body["estimated_age_on"] == dt.date.today().isoformat()

    # PUT replaces the details given in full.
    response = cw.put(f"/api/children/{pk}/", {**CHILD_BODY, "sex": "F"}, format="json")
    assert response.status_code == 200 and response.json()["sex"] == "F"

    # Delete: administrators only.
    assert cw.delete(f"/api/children/{pk}/").status_code == 403
    admin = client_for(world.user("administrator"))
    assert admin.delete(f"/api/children/{pk}/").status_code == 204
    assert not Child.objects.filter(pk=pk).exists()
    assert admin.get(f"/api/children/{pk}/").status_code == 404


def test_child_in_a_case_cannot_be_deleted(world: World) -> None:
    child = world.records["child_a"]
    cw = client_for(world.user("caseworker"))
    assert cw.post("/api/cases/", {"child": child.pk}, format="json").status_code == 201
    response = client_for(world.user("administrator")).delete(f"/api/children/{child.pk}/")
    assert response.status_code == 400
    assert "case" in response.json()["non_field_errors"][0]
    assert Child.objects.filter(pk=child.pk).exists()


def test_child_list_filters_and_name_search(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    cw.post("/api/children/", CHILD_BODY, format="json")
    response = cw.get("/api/children/", {"q": "Ткаченко"})
    assert response.status_code == 200
    assert [r["display_name"] for r in response.json()["results"]] == ["Ткаченко Максим"]
    # Prefix search on the plain key, and every word must match.
    assert response.json()["count"] == 1
    assert cw.get("/api/children/", {"q": "ткач"}).json()["count"] == 1
    assert cw.get("/api/children/", {"q": "Ткаченко Шевчук"}).json()["count"] == 0
    # Other filters.
    assert cw.get("/api/children/", {"sex": "M"}).json()["count"] == 1
    assert cw.get("/api/children/", {"consent": "true"}).json()["count"] == 1
    assert cw.get("/api/children/", {"legal_status": "parents_known"}).json()["count"] == 1
    # Bad filters name the parameter.
    response = cw.get("/api/children/", {"sex": "X", "consent": "perhaps"})
    assert response.status_code == 400
    assert set(response.json()) == {"sex", "consent"}
    assert '"F"' in response.json()["sex"][0]
    # Pagination.
    page = cw.get("/api/children/", {"limit": 1}).json()
    assert len(page["results"]) == 1 and page["count"] == 3 and page["next"]


def test_child_list_never_includes_other_partys_matches(world: World) -> None:
    response = client_for(world.user("caseworker")).get("/api/children/", {"q": "Чужаненко"})
    assert response.status_code == 200 and response.json()["count"] == 0


# Enquiries and persons --------------------------------------------------------------------


def test_enquiry_crud_with_nested_enquirer(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    body = {
        "enquirer": {"surname": "Ткаченко", "given_name": "Оксана", "contact": "+000 111"},
        "enquirer_relationship": "mother",
        "surname": "Ткаченко",
        "given_name": "Максим",
        "other_names": ["Tkachenko Maksym"],
        "birth_date": "2014",
        "consent_for_tracing": True,
    }
    response = cw.post("/api/enquiries/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["enquirer"]["surname"] == "Ткаченко" and data["enquirer"]["contact"] == "+000 111"
    assert data["birth_date"] == "2014"
    enquiry = Enquiry.objects.get(pk=data["id"])
    assert enquiry.enquirer.owner.short_name == "API-A"

    # Search finds it by the other name too.
    assert cw.get("/api/enquiries/", {"q": "Maksym"}).json()["count"] == 1

    # Update both the enquiry and its enquirer in one request.
    response = cw.patch(
        f"/api/enquiries/{enquiry.pk}/",
        {"circumstances": "Separated at a checkpoint.", "enquirer": {"contact": "+000 222"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["enquirer"]["contact"] == "+000 222"
    assert response.json()["circumstances"] == "Separated at a checkpoint."
    assert response.json()["enquirer"]["surname"] == "Ткаченко"

    # An existing person as the enquirer.
    person = world.records["person_a"]
    response = cw.post(
        "/api/enquiries/",
        {"enquirer_id": person.pk, "enquirer_relationship": "father", "given_name": "Ліна"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["enquirer"]["id"] == person.pk
    # ...but not one another party owns (even if shared), nor one not visible at all.
    for other in (world.records["person_s"], world.records["person_b"]):
        response = cw.post(
            "/api/enquiries/",
            {"enquirer_id": other.pk, "enquirer_relationship": "father", "given_name": "Ліна"},
            format="json",
        )
        assert response.status_code == 400 and set(response.json()) == {"enquirer_id"}
        assert "Чужаненко" not in response.content.decode()

    admin = client_for(world.user("administrator"))
    assert admin.delete(f"/api/enquiries/{enquiry.pk}/").status_code == 204
    assert not Enquiry.objects.filter(pk=enquiry.pk).exists()


def test_enquiry_update_is_all_or_nothing(world: World) -> None:
    enquiry = world.records["enquiry_a"]
    cw = client_for(world.user("caseworker"))
    response = cw.patch(
        f"/api/enquiries/{enquiry.pk}/",
        {"notes": "kept?", "enquirer": {"sex": "Q"}},
        format="json",
    )
    assert response.status_code == 400 and "enquirer" in response.json()
    enquiry.refresh_from_db()
    assert enquiry.notes == ""


def test_person_crud(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    response = cw.post(
        "/api/persons/",
        {"surname": "Гнатюк", "given_name": "Ярослава", "birth_date": "1980-02-29", "sex": "F"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert cw.get("/api/persons/", {"q": "гнат"}).json()["count"] == 1
    response = cw.patch(f"/api/persons/{pk}/", {"contact": "+000 333"}, format="json")
    assert response.status_code == 200 and response.json()["contact"] == "+000 333"
    assert client_for(world.user("administrator")).delete(f"/api/persons/{pk}/").status_code == 204
    assert not Person.objects.filter(pk=pk).exists()


# Cases -------------------------------------------------------------------------------------


def test_case_open_walk_and_close(world: World, monkeypatch: Any) -> None:
    # This walks the role of each step through the API; the extra conditions other apps
    # register on states (e.g. verification before "approved") are tested by those apps.
    monkeypatch.setattr(case_actions, "TRANSITION_GUARDS", {})
    w = world
    cw = client_for(w.user("caseworker"))
    response = cw.post(
        "/api/cases/",
        {"enquiry": w.records["enquiry_free_a"].pk, "child": w.records["child_s"].pk,
         "note": "Match from list exchange."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["state"] == "registered" and case["reference"].startswith("C-")
    # The child's owner (party B) is now a party to the case.
    assert case["shared_with"] == ["API-B"]
    assert case["allowed_transitions"] == ["tracing", "closed"]
    assert [e["to_state"] for e in case["timeline"]] == ["registered"]
    assert case["timeline"][0]["note"] == "Match from list exchange."
    url = f"/api/cases/{case['id']}/transition/"

    # Skipping a step is invalid; the message names the field.
    response = cw.post(url, {"to_state": "approved"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"to_state"}
    # A role that may not take this step is refused.
    response = client_for(w.user("verifier")).post(url, {"to_state": "tracing"}, format="json")
    assert response.status_code == 403

    steps = [
        ("tracing", "caseworker", "A"), ("match_proposed", "caseworker", "A"),
        ("verification", "verifier", "A"), ("best_interests", "verifier", "B"),
        ("approved", "coordinator", "M"), ("scheduled", "transfer_officer", "A"),
        ("in_transit", "transfer_officer", "A"), ("reunified", "transfer_officer", "A"),
        ("follow_up", "caseworker", "A"),
    ]  # fmt: skip
    # The mediator needs to be a party before acting on the case.
    assert cw.post(f"/api/cases/{case['id']}/share/", {"organization": "API-M"}).status_code == 200
    for state, role, org in steps:
        response = client_for(w.user(role, org)).post(url, {"to_state": state}, format="json")
        assert response.status_code == 200, (state, role, response.content)
        assert response.json()["state"] == state

    # Closing needs a reason (named in the error), and "other" needs a note.
    assert cw.post(url, {"to_state": "closed"}, format="json").json().keys() == {"closing_reason"}
    response = cw.post(url, {"to_state": "closed", "closing_reason": "other"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"note"}
    response = cw.post(url, {"to_state": "closed", "closing_reason": "reunified"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert response.json()["closed_at"] and response.json()["allowed_transitions"] == []

    timeline = cw.get(f"/api/cases/{case['id']}/timeline/").json()
    assert [e["to_state"] for e in timeline] == ["registered", *(s for s, _, _ in steps), "closed"]
    assert timeline[4]["actor"] == w.user("verifier", "B").username
    assert timeline[4]["organization"] == "API-B"
    # A closed case moves no more.
    response = cw.post(url, {"to_state": "closed", "closing_reason": "other"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"to_state"}


def test_case_filters_and_link(world: World) -> None:
    w = world
    cw = client_for(w.user("caseworker"))
    case = w.records["case_a"]
    response = cw.patch(f"/api/cases/{case.pk}/", {"child": w.records["child_a"].pk}, format="json")
    assert response.status_code == 200 and response.json()["child"] == w.records["child_a"].pk
    # The side is linked now: linking again is invalid.
    response = cw.patch(f"/api/cases/{case.pk}/", {"child": w.records["child_a"].pk}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"child"}
    # An invisible record is reported exactly like a missing one.
    invisible = cw.post("/api/cases/", {"child": w.records["child_b"].pk}, format="json")
    missing = cw.post("/api/cases/", {"child": 987654}, format="json")
    assert invisible.status_code == missing.status_code == 400
    assert set(invisible.json()) == set(missing.json()) == {"child"}
    assert "Чужаненко" not in invisible.content.decode()
    # Filters.
    ids = {
        c["id"] for c in cw.get("/api/cases/", {"child": w.records["child_a"].pk}).json()["results"]
    }
    assert ids == {case.pk}
    assert cw.get("/api/cases/", {"state": "closed"}).json()["count"] == 0
    assert cw.get("/api/cases/", {"open": "true"}).json()["count"] == 2
    response = cw.get("/api/cases/", {"state": "lost"})
    assert response.status_code == 400 and "registered" in response.json()["state"][0]
    # Neither side given: both fields are named.
    response = cw.post("/api/cases/", {}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"enquiry", "child"}


# Sharing and attachments -------------------------------------------------------------------


def test_share_makes_the_record_visible_to_that_party_only(world: World) -> None:
    w = world
    child = w.records["child_a"]
    mediator = client_for(w.user("coordinator", "M"))
    other = client_for(w.user("caseworker", "B"))
    assert mediator.get(f"/api/children/{child.pk}/").status_code == 404
    cw = client_for(w.user("caseworker"))
    response = cw.post(f"/api/children/{child.pk}/share/", {"organization": "API-M"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"owner": "API-A", "shared_with": ["API-M"]}
    assert mediator.get(f"/api/children/{child.pk}/").status_code == 200
    assert other.get(f"/api/children/{child.pk}/").status_code == 404
    assert len(events("share", "child", child.pk)) == 1
    # Unknown organisation: 400 naming the field.
    response = cw.post(f"/api/children/{child.pk}/share/", {"organization": "NOPE"}, format="json")
    assert response.status_code == 400 and "NOPE" in response.json()["organization"][0]


def test_attachments_are_listed_with_checksum_never_bytes(world: World) -> None:
    child = world.records["child_a"]
    cw = client_for(world.user("caseworker"))
    upload = SimpleUploadedFile("photo.png", fixtures_api.PNG_BYTES, content_type="image/png")
    response = cw.post(
        f"/api/children/{child.pk}/attachments/",
        {"file": upload, "kind": "photo", "description": "Front"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == hashlib.sha256(fixtures_api.PNG_BYTES).hexdigest()
    assert response.json()["content_type"] == "image/png"
    detail = cw.get(f"/api/children/{child.pk}/").json()
    (attachment,) = detail["attachments"]
    assert attachment["size"] == len(fixtures_api.PNG_BYTES) and "file" not in attachment
    # The content decides the type, not the name.
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00not an image", content_type="image/png")
    response = cw.post(
        f"/api/children/{child.pk}/attachments/", {"file": fake, "kind": "photo"},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400 and set(response.json()) == {"file"}
    upload.seek(0)
    response = cw.post(
        f"/api/children/{child.pk}/attachments/", {"file": upload, "kind": "x-ray"},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400 and set(response.json()) == {"kind"}


# Validation errors -------------------------------------------------------------------------


def test_400_names_each_invalid_field(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    response = cw.post(
        "/api/children/",
        {
            "names": [],
            "birth_date": "2014-13",
            "separation_date": "16.03.2022",
            "sex": "X",
            "legal_status": "lost",
            "citizenships": ["Ukraine"],
            "estimated_age": 40,
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {
        "names", "birth_date", "separation_date", "sex", "legal_status", "citizenships",
        "estimated_age",
    }  # fmt: skip
    assert "YYYY-MM-DD" in body["birth_date"][0]
    assert '"F", "M", ""' in body["sex"][0]
    assert '"orphan"' in body["legal_status"][0]
    assert "Ukraine" in str(body["citizenships"])
    assert body["names"] == ["Give at least one name (a surname, given name or full name)."]
    assert body["citizenships"] == {"0": ['"Ukraine" is not a two-letter country code (e.g. UA).']}
    assert Child.objects.count() == 3  # nothing was created


def test_400_names_nested_fields(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    response = cw.post(
        "/api/children/",
        {"names": [{"surname": "Ок"}, {"surname": "x" * 200, "script": "runic"}]},
        format="json",
    )
    assert response.status_code == 400
    names = response.json()["names"]  # errors keyed by the position of each invalid name
    assert set(names) == {"1"} and set(names["1"]) == {"surname", "script"}
    response = cw.post("/api/children/", {"names": [{"script": "latin"}]}, format="json")
    assert response.status_code == 400 and "names" in response.json()


def test_400_for_dates_in_the_future_and_missing_enquiry_fields(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    next_year = str(dt.date.today().year + 1)
    names = [{"surname": "Ок"}]
    response = cw.post("/api/children/", {"names": names, "birth_date": next_year}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"birth_date"}
    response = cw.post("/api/enquiries/", {"notes": "?"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"enquirer", "enquirer_relationship", "surname"}
    response = cw.post(
        "/api/enquiries/",
        {"enquirer": {"contact": "x"}, "enquirer_relationship": "aunt_in_law", "surname": "Ок"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"enquirer", "enquirer_relationship"}
    assert '"mother"' in response.json()["enquirer_relationship"][0]


def test_malformed_json_is_a_400(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    response = cw.generic("POST", "/api/children/", "{not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


# Audit -------------------------------------------------------------------------------------


def test_every_read_and_write_is_audited(world: World) -> None:
    cw_user = world.user("caseworker")
    cw = client_for(cw_user)
    before = AuditEvent.objects.count()

    pk = cw.post("/api/children/", CHILD_BODY, format="json").json()["id"]
    (created,) = events("create", "child", pk)
    assert created.actor_username == cw_user.username and created.organization == "API-A"
    assert created.changes["custodian"] == [None, "Foster family (synthetic)"]

    cw.patch(f"/api/children/{pk}/", {"notes": "audited"}, format="json")
    (updated,) = events("update", "child", pk)
    assert updated.changes == {"notes": ["", "audited"]}

    cw.get(f"/api/children/{pk}/")
    (viewed,) = events("view", "child", pk)
    assert viewed.changes == {"restricted_shown": True}

    cw.get("/api/children/", {"q": "Ткаченко"})
    listed = events("list", "child")[-1]
    assert listed.changes == {"ids": [pk], "query": "q=Ткаченко"}

    enquiry = world.records["enquiry_a"]
    cw.get(f"/api/enquiries/{enquiry.pk}/")
    cw.get("/api/enquiries/")
    cw.patch(f"/api/enquiries/{enquiry.pk}/", {"notes": "e"}, format="json")
    assert len(events("view", "enquiry", enquiry.pk)) == 1
    assert len(events("list", "enquiry")) == 1
    assert len(events("update", "enquiry", enquiry.pk)) == 1

    verifier = client_for(world.user("verifier"))
    verifier.get(f"/api/children/{pk}/")
    assert events("view", "child", pk)[-1].changes == {}  # restricted details not shown

    case = world.records["case_a"]
    cw.get(f"/api/cases/{case.pk}/timeline/")
    assert len(events("view", "case", case.pk)) == 1

    client_for(world.user("administrator")).delete(f"/api/children/{pk}/")
    (deleted,) = events("delete", "child", pk)
    assert deleted.changes["names"][0][0]["surname"] == "Ткаченко"

    # A refused request by a member is audited as denied.
    verifier.patch(f"/api/children/{world.records['child_a'].pk}/", {"notes": "x"}, format="json")
    denied = events("denied", "child", world.records["child_a"].pk)
    assert len(denied) == 1 and denied[0].changes["method"] == "PATCH"

    # Asking for another party's record id is audited too (the response is a plain 404).
    other = world.records["child_b"]
    assert cw.get(f"/api/children/{other.pk}/").status_code == 404
    (probe,) = events("denied", "child", other.pk)
    assert probe.changes["reason"] == "not found" and probe.actor_username == cw_user.username

    assert AuditEvent.objects.count() > before
    assert list(iter_chain_problems()) == []


# Authentication ----------------------------------------------------------------------------


def test_token_obtain_use_and_revoke(world: World) -> None:
    user = world.user("caseworker")
    client = APIClient()
    response = client.post("/api/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["organization"] == "API-A" and body["role"] == "caseworker"
    token = body["token"]
    assert len(events("login", "user", user.pk)) == 1

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/children/").status_code == 200
    me = client.get("/api/me/").json()
    assert me["username"] == user.username and me["organization"]["short_name"] == "API-A"
    assert "child.create" in me["permissions"] and "child.delete" not in me["permissions"]
    # The same token is returned on the next login.
    again = APIClient().post("/api/token/", {"username": user.username, "password": PASSWORD})
    assert again.json()["token"] == token

    assert client.delete("/api/token/").status_code == 204
    assert len(events("logout", "user", user.pk)) == 1
    assert client.get("/api/children/").status_code == 401


def test_bad_credentials_are_refused_and_audited(world: World) -> None:
    user = world.user("caseworker")
    response = APIClient().post("/api/token/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 400 and "non_field_errors" in response.json()
    failed = events("login_failed", "user")
    assert failed and failed[-1].actor_username == user.username
    assert "wrong" not in str(failed[-1].changes)
    response = APIClient().post("/api/token/", {"username": user.username})
    assert response.status_code == 400 and set(response.json()) == {"password"}
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert bad.get("/api/children/").status_code == 401


def test_inactive_and_unattached_accounts_get_no_token(world: World) -> None:
    user = world.user("verifier")
    user.is_active = False
    user.save()
    response = APIClient().post("/api/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    loner = fixtures_api.make_user(None, None)
    response = APIClient().post("/api/token/", {"username": loner.username, "password": PASSWORD})
    assert response.status_code == 400 and "organisation" in response.json()["non_field_errors"][0]


def test_token_requests_are_throttled(world: World) -> None:
    client = APIClient()
    # Per address: a new X-Forwarded-For on every try does not help.
    codes = [
        client.post(
            "/api/token/", {"username": f"nobody{i}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(11)
    ]  # fmt: skip
    # The address is locked out (django-axes) before the rate throttle's 10 tries.
    limit = django_settings.AXES_FAILURE_LIMIT
    assert codes[: limit - 1] == [400] * (limit - 1) and set(codes[limit - 1 :]) == {429}


def test_token_requests_for_one_username_are_throttled_from_any_address(world: World) -> None:
    user = world.user("caseworker")
    codes = [
        APIClient(REMOTE_ADDR=f"198.51.100.{i}")
        .post("/api/token/", {"username": user.username, "password": "guess"})
        .status_code
        for i in range(11)
    ]
    limit = django_settings.AXES_FAILURE_LIMIT  # the account is locked out first
    assert codes[: limit - 1] == [400] * (limit - 1) and set(codes[limit - 1 :]) == {429}
    # Other accounts are not locked out by it.
    other = world.user("verifier")
    response = APIClient(REMOTE_ADDR="198.51.100.200").post(
        "/api/token/", {"username": other.username, "password": PASSWORD}
    )
    assert response.status_code == 200


def test_session_auth_works_and_enforces_csrf(world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.user("caseworker"))
    assert client.get("/api/children/").status_code == 200
    response = client.post("/api/persons/", {"surname": "Без-CSRF"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not Person.objects.filter(surname="Без-CSRF").exists()


def test_organisations_are_listed_for_sharing(world: World) -> None:
    response = client_for(world.user("verifier")).get("/api/organizations/")
    assert response.status_code == 200
    assert {o["short_name"] for o in response.json()["results"]} == {"API-A", "API-B", "API-M"}


# Schema ------------------------------------------------------------------------------------


def test_schema_is_valid_openapi_3(world: World) -> None:
    client = client_for(world.user("auditor"))
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document
    paths = schema["paths"]
    for path in (
        "/api/children/", "/api/children/{id}/", "/api/children/{id}/share/",
        "/api/children/{id}/attachments/", "/api/enquiries/{id}/", "/api/persons/{id}/",
        "/api/cases/", "/api/cases/{id}/transition/", "/api/cases/{id}/timeline/",
        "/api/token/", "/api/me/",
    ):  # fmt: skip
        assert path in paths, path
    assert "delete" not in paths["/api/cases/{id}/"]
    child_props = schema["components"]["schemas"]["Child"]["properties"]
    assert child_props["birth_date"]["pattern"] == r"^\d{4}(-\d{2}(-\d{2})?)?$"
    # Restricted fields are optional in responses (absent for some roles).
    assert "custodian" not in schema["components"]["schemas"]["Child"].get("required", [])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_unknown_ids_and_non_numeric_ids_are_404(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    assert cw.get("/api/children/999999/").status_code == 404
    assert cw.get("/api/children/abc/").status_code == 404
    assert cw.get("/api/cases/999999/timeline/").status_code == 404
    assert Case.objects.count() == 3


def test_history_shows_changes_with_restricted_values_hidden(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    pk = cw.post("/api/children/", CHILD_BODY, format="json").json()["id"]
    cw.patch(f"/api/children/{pk}/", {"custodian": "Other family (synthetic)"}, format="json")
    cw.get(f"/api/children/{pk}/")  # reads are not part of the history
    history = cw.get(f"/api/children/{pk}/history/").json()
    assert [e["action"] for e in history] == ["update", "create"]
    assert history[0]["changes"] == {
        "custodian": ["Foster family (synthetic)", "Other family (synthetic)"]
    }
    assert history[1]["actor"] == world.user("caseworker").username
    assert history[1]["organization"] == "API-A"

    verifier = client_for(world.user("verifier"))
    response = verifier.get(f"/api/children/{pk}/history/")
    assert response.status_code == 200
    assert response.json()[0]["changes"] == {"custodian": ["(restricted)", "(restricted)"]}
    assert "synthetic" not in str(response.json()[1]["changes"].get("custodian"))
    assert "Foster family" not in response.content.decode()
    # Reading the history is itself audited.
    assert events("view", "child", pk)[-1].actor_username == world.user("verifier").username
    # Another party never gets it.
    other = client_for(world.user("caseworker", "B")).get(f"/api/children/{pk}/history/")
    assert other.status_code == 404 and "Foster" not in other.content.decode()


def test_lists_take_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    cw_user = world.user("caseworker")
    for index in range(30):
        fixtures_api.new_child(cw_user, f"Ткаченко{index}")
    client = client_for(cw_user)
    # Names, documents, attachments and sharing are prefetched: no query per child.
    with django_assert_max_num_queries(20):
        response = client.get("/api/children/", {"limit": 50})
    assert response.status_code == 200 and response.json()["count"] == 32


def test_page_size_is_capped(world: World, monkeypatch: Any) -> None:
    from reunite.core import api

    assert api.ApiPagination.max_limit == 200
    monkeypatch.setattr(api.ApiPagination, "max_limit", 2)  # fewer records to make
    cw_user = world.user("caseworker")
    for index in range(3):
        fixtures_api.new_child(cw_user, f"Ткаченко{index}")
    page = client_for(cw_user).get("/api/children/", {"limit": 100000}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and "limit=2" in page["next"]


def test_request_id_reaches_the_audit_event(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    child = world.records["child_a"]
    cw.get(f"/api/children/{child.pk}/", HTTP_X_REQUEST_ID="trace-0123456789")
    assert events("view", "child", child.pk)[-1].request_id == "trace-0123456789"


def test_free_text_is_capped(world: World) -> None:
    cw = client_for(world.user("caseworker"))
    child = world.records["child_a"]
    response = cw.patch(f"/api/children/{child.pk}/", {"notes": "x" * 5001}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"notes"}
    response = cw.post("/api/children/", [{"names": []}], format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_transition_guards_are_400s_naming_to_state(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(case_actions, "TRANSITION_GUARDS", {})
    case_actions.register_transition_guard("tracing", lambda case: ["a synthetic precondition"])
    case = world.records["case_a"]
    response = client_for(world.user("caseworker")).post(
        f"/api/cases/{case.pk}/transition/", {"to_state": "tracing"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"to_state": ["Missing: a synthetic precondition"]}
    case.refresh_from_db()
    assert case.state == "registered"


def test_identity_documents_are_added_by_the_owner_and_listed(world: World) -> None:
    child = world.records["child_a"]
    cw = client_for(world.user("caseworker"))
    response = cw.post(
        f"/api/children/{child.pk}/identity-documents/",
        {"kind": "Birth certificate", "number": "I-АБ 000000", "issuing_country": "ua",
         "issued_on": "2014-06-02"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["issuing_country"] == "UA"
    (document,) = cw.get(f"/api/children/{child.pk}/").json()["identity_documents"]
    assert document["number"] == "I-АБ 000000" and document["issued_on"] == "2014-06-02"
    assert "identity_document" in events("update", "child", child.pk)[-1].changes
    response = cw.post(
        f"/api/children/{child.pk}/identity-documents/",
        {"issuing_country": "Ukraine", "issued_on": "2999-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "issuing_country", "issued_on"}


def test_api_tree_schema_generates_without_warnings() -> None:
    """The one API tree (every app's routes under /api/) generates a clean schema."""
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include("reunite.config.api_urls"))])
    schema = generator.get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache)
    errors = dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert warnings == {} and errors == {}
    validate_schema(schema)
    assert "/api/children/{id}/identity-documents/" in schema["paths"]
    assert "/api/matching/runs/" in schema["paths"]
    assert "/api/verification/kinship/{id}/" in schema["paths"]

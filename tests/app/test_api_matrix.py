"""The API part of the role × action matrix, written out independently of the policy table.

Every role of party A walks every endpoint on three kinds of record: A's own, party B's
records shared with A, and party B's unshared records. Allowed → 2xx, not allowed → 403,
invisible → 404 with a body that carries nothing of the record. Restricted details appear
only for the roles that need them; lists never carry them, nor anything of B's records.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reunite.audit.models import AuditEvent
from reunite.cases.models import Case
from reunite.registry.models import Child, Enquiry, Person
from tests.app import fixtures_api
from tests.app.fixtures_api import (
    A_RESTRICTED,
    OTHER_MARKERS,
    PNG_BYTES,
    ROLES,
    SEES_RESTRICTED,
    World,
    client_for,
    make_user,
)

world = fixtures_api.world
_fast_hashing_and_fresh_throttles = fixtures_api._fast_hashing_and_fresh_throttles

ALL = set(ROLES)
CW, COORD, ADMIN = "caseworker", "coordinator", "administrator"

# Who may do what to a record of their own organisation (hand-written from the issue).
OWN: dict[str, set[str]] = {
    "retrieve": ALL,
    "update": {CW},
    "share": {CW, COORD},
    "attach": {CW},
    "document": {CW},
    "delete": {ADMIN},
    "timeline": ALL,
    "history": ALL,
    "transition": {CW},  # registered → tracing is the caseworker's step
    "link": {CW, COORD},
}
# ...to another party's record that is shared with them: read, and move a shared case along.
SHARED: dict[str, set[str]] = {
    "retrieve": ALL,
    "update": set(),
    "share": set(),
    "attach": set(),
    "document": set(),
    "delete": set(),
    "timeline": ALL,
    "history": ALL,
    "transition": {CW},
    "link": {CW, COORD},
}
CREATE: dict[str, set[str]] = {
    "children": {CW}, "enquiries": {CW}, "persons": {CW}, "cases": {CW, COORD},
}  # fmt: skip

SUCCESS = {
    "retrieve": 200, "update": 200, "share": 200, "attach": 201, "document": 201, "delete": 204,
    "timeline": 200, "history": 200, "transition": 200, "link": 200,
}  # fmt: skip
RESOURCE = {Child: "children", Enquiry: "enquiries", Person: "persons", Case: "cases"}


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", PNG_BYTES, content_type="image/png")


def _requests(w: World, record: Any) -> list[tuple[str, str, str, Any, str]]:
    """(operation, method, url, body, format) for every endpoint that acts on the record."""
    base = f"/api/{RESOURCE[type(record)]}/{record.pk}/"
    out = [
        ("retrieve", "get", base, None, "json"),
        ("history", "get", base + "history/", None, "json"),
    ]
    if isinstance(record, Case):
        out += [
            ("timeline", "get", base + "timeline/", None, "json"),
            ("transition", "post", base + "transition/", {"to_state": "tracing"}, "json"),
            ("share", "post", base + "share/", {"organization": "API-M"}, "json"),
        ]
        missing = "child" if record.child_id is None else "enquiry"
        link_to = w.records["child_a"] if missing == "child" else w.records["enquiry_free_a"]
        out.append(("link", "patch", base, {missing: link_to.pk}, "json"))
        return out
    change = {
        Child: {"notes": "changed", "names": [{"surname": "Шевчук", "given_name": "Марина"}]},
        Enquiry: {"notes": "changed"},
        Person: {"notes": "changed"},
    }[type(record)]
    out += [
        ("update", "patch", base, change, "json"),
        ("share", "post", base + "share/", {"organization": "API-M"}, "json"),
    ]
    if isinstance(record, Child):
        document = {"kind": "Birth certificate", "number": "I-АБ 000000", "issuing_country": "UA"}
        out.append(("document", "post", base + "identity-documents/", document, "json"))
    if isinstance(record, Child | Enquiry):
        out.append(
            (
                "attach",
                "post",
                base + "attachments/",
                {"file": _png(), "kind": "photo"},
                "multipart",
            )
        )
    return out


def _create_bodies(w: World) -> dict[str, dict[str, Any]]:
    return {
        "children": {
            "names": [{"surname": "Новенко", "given_name": "Ліна"}],
            "birth_date": "2015-03",
        },
        "enquiries": {
            "enquirer": {"surname": "Новенко", "given_name": "Ірина"},
            "enquirer_relationship": "mother", "surname": "Новенко", "given_name": "Ліна",
        },
        "persons": {"surname": "Новенко", "given_name": "Ірина"},
        "cases": {"enquiry": w.records["enquiry_free_a"].pk},
    }  # fmt: skip


def _call(client: Any, method: str, url: str, body: Any, fmt: str) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format=fmt)


def _assert_no_other_party_data(response: Any, context: str) -> None:
    text = response.content.decode()
    for marker in OTHER_MARKERS:
        assert marker not in text, f"{context}: response carries {marker!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_on_own_shared_and_other_party_records(role: str, world: World) -> None:
    w = world
    client = client_for(w.user(role))

    # Lists: every role may list; B's unshared records never appear.
    for resource in ("children", "enquiries", "persons", "cases"):
        response = client.get(f"/api/{resource}/")
        assert response.status_code == 200, f"{role} list {resource}"
        _assert_no_other_party_data(response, f"{role} list {resource}")
        ids = {row["id"] for row in response.json()["results"]}
        kind = {"children": "child", "enquiries": "enquiry", "persons": "person", "cases": "case"}[
            resource
        ]
        assert w.records[f"{kind}_a"].pk in ids and w.records[f"{kind}_s"].pk in ids
        assert w.records[f"{kind}_b"].pk not in ids
        for value in A_RESTRICTED:  # lists never carry restricted details
            assert value not in response.content.decode()

    # Filtering by another party's record ids finds nothing either.
    for url in (
        f"/api/cases/?child={w.records['child_b'].pk}",
        f"/api/cases/?enquiry={w.records['enquiry_b'].pk}",
        "/api/children/?q=Чужаненко",
        "/api/enquiries/?q=Чужаненко",
        "/api/persons/?q=Чужаненко",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.json()["count"] == 0, url

    # Every endpoint on B's unshared records: 404, and the body says nothing.
    for key in ("child_b", "enquiry_b", "person_b", "case_b"):
        record = w.records[key]
        deletes = (
            []
            if isinstance(record, Case)
            else [("delete", "delete", f"/api/{RESOURCE[type(record)]}/{record.pk}/", None, "json")]
        )
        for operation, method, url, body, fmt in [*_requests(w, record), *deletes]:
            response = _call(client, method, url, body, fmt)
            assert response.status_code == 404, f"{role} {operation} {key}: {response.status_code}"
            assert response.json() == {"detail": "No such record."}
            _assert_no_other_party_data(response, f"{role} {operation} {key}")

    # Own and shared records: allowed → 2xx, otherwise 403.
    for key, table in (
        ("child_a", OWN), ("enquiry_a", OWN), ("person_a", OWN), ("case_a", OWN),
        ("child_s", SHARED), ("enquiry_s", SHARED), ("person_s", SHARED), ("case_s", SHARED),
    ):  # fmt: skip
        for operation, method, url, body, fmt in _requests(w, w.records[key]):
            response = _call(client, method, url, body, fmt)
            expected = SUCCESS[operation] if role in table[operation] else 403
            assert response.status_code == expected, (
                f"{role} {operation} {key}: {response.status_code}, expected {expected}: "
                f"{response.content[:300]!r}"
            )
            if expected == 403:
                assert set(response.json()) == {"detail"}

    # Creating records.
    for resource, body in _create_bodies(w).items():
        response = client.post(f"/api/{resource}/", body, format="json")
        expected = 201 if role in CREATE[resource] else 403
        assert response.status_code == expected, f"{role} create {resource}: {response.content!r}"

    # Deleting (last, since it removes records): own records by administrators only.
    for key in ("child_a", "enquiry_free_a", "person_a", "child_s", "enquiry_s", "person_s"):
        record = w.records[key]
        response = client.delete(f"/api/{RESOURCE[type(record)]}/{record.pk}/")
        table = OWN if key.endswith("_a") else SHARED
        expected = 204 if role in table["delete"] else 403
        assert response.status_code == expected, f"{role} delete {key}: {response.status_code}"

    # Cases have no delete at all.
    assert client.delete(f"/api/cases/{w.records['case_a'].pk}/").status_code == 405

    # B's unshared records were not touched by any of this.
    child_b = Child.objects.get(pk=w.records["child_b"].pk)
    assert child_b.notes == "B-SECRET" and not child_b.shared_with.exists()
    assert Case.objects.get(pk=w.records["case_b"].pk).state == "registered"
    assert not child_b.attachments.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_restricted_details_only_for_roles_that_need_them(role: str, world: World) -> None:
    w = world
    client = client_for(w.user(role))
    sees = role in SEES_RESTRICTED

    child = client.get(f"/api/children/{w.records['child_a'].pk}/")
    assert child.status_code == 200
    for name, value in (("custodian", "A-CUSTODIAN"), ("institution", "A-INSTITUTION"),
                        ("current_location", "A-LOCATION")):  # fmt: skip
        assert (name in child.json()) == sees, f"{role} sees {name}"
        assert (value in child.content.decode()) == sees

    enquiry = client.get(f"/api/enquiries/{w.records['enquiry_a'].pk}/")
    assert ("contact" in enquiry.json()["enquirer"]) == sees
    assert ("A-CONTACT" in enquiry.content.decode()) == sees

    person = client.get(f"/api/persons/{w.records['person_a'].pk}/")
    assert ("contact" in person.json()) == sees
    assert ("A-PCONTACT" in person.content.decode()) == sees

    # The view events say whether the restricted details were shown.
    views = AuditEvent.objects.filter(action="view", actor_username=w.user(role).username)
    assert views.count() == 3
    for event in views:
        assert bool(event.changes.get("restricted_shown")) == sees


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_mediator_party_sees_nothing_until_shared(role: str, world: World) -> None:
    w = world
    client = client_for(w.user(role, "M"))
    for key in ("child_a", "enquiry_a", "person_a", "case_a", "child_b", "case_b"):
        record = w.records[key]
        response = client.get(f"/api/{RESOURCE[type(record)]}/{record.pk}/")
        assert response.status_code == 404
    owner = client_for(w.user("caseworker"))
    child = w.records["child_a"]
    assert (
        owner.post(f"/api/children/{child.pk}/share/", {"organization": "API-M"}).status_code == 200
    )
    response = client.get(f"/api/children/{child.pk}/")
    assert response.status_code == 200 and response.json()["shared_with"] == ["API-M"]
    # Sharing never lets the mediator write.
    assert (
        client.patch(f"/api/children/{child.pk}/", {"notes": "x"}, format="json").status_code == 403
    )


@pytest.mark.django_db
def test_users_without_an_organisation_get_nothing(world: World) -> None:
    client = client_for(make_user(None, None))
    for resource in ("children", "enquiries", "persons", "cases"):
        assert client.get(f"/api/{resource}/").status_code == 403
        assert client.post(f"/api/{resource}/", {}, format="json").status_code == 403
    for key in ("child_a", "enquiry_a", "person_a", "case_a"):
        record = world.records[key]
        response = client.get(f"/api/{RESOURCE[type(record)]}/{record.pk}/")
        assert response.status_code == 404
        assert json.loads(response.content) == {"detail": "No such record."}
    assert client.get("/api/me/").status_code == 403
    assert client.get("/api/organizations/").status_code == 403


@pytest.mark.django_db
def test_anonymous_requests_are_refused_everywhere(world: World) -> None:
    client = client_for(None)
    child = world.records["child_a"]
    urls = [
        ("get", "/api/children/"), ("get", f"/api/children/{child.pk}/"),
        ("post", "/api/children/"), ("patch", f"/api/children/{child.pk}/"),
        ("delete", f"/api/children/{child.pk}/"), ("post", f"/api/children/{child.pk}/share/"),
        ("get", "/api/enquiries/"), ("get", "/api/persons/"), ("get", "/api/cases/"),
        ("post", f"/api/cases/{world.records['case_a'].pk}/transition/"),
        ("get", "/api/me/"), ("get", "/api/organizations/"), ("get", "/api/schema/"),
    ]  # fmt: skip
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code in (401, 403), f"anonymous {method} {url}"
        assert "Шевчук" not in response.content.decode()
    # API endpoints answer 401 and say how to authenticate.
    response = client.get("/api/children/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"

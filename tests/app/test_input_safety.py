"""Input that must not hurt: control and bidirectional control characters are refused at
every entry point (API, web, import), and one stored record never blocks an export."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from reunite.audit.models import AuditEvent
from reunite.registry.exporting import ExportRefused, export_file
from reunite.registry.importing import ImportRefused, import_file
from reunite.registry.models import Child, ChildName
from tests.app.conftest import acting

UNSAFE = ["\u202e", "\u202a", "\u2066", "\u2069", "\x07", "\x1b", "\x85", "\x9b", "\x00"]


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("char", UNSAFE)
def test_api_refuses_unsafe_characters_in_names(users: Any, char: str) -> None:
    client = _api(users[("ua", "caseworker")])
    body = {"names": [{"surname": f"Ков{char}альчук", "given_name": "Іван"}], "sex": "M"}
    response = client.post("/api/children/", body, format="json")
    assert response.status_code == 400, response.content
    text = response.content.decode()
    assert f"U+{ord(char):04X}" in text
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_api_refuses_unsafe_characters_in_other_text_and_updates(
    users: Any, make_child: Any
) -> None:
    child = make_child(org="ua")
    client = _api(users[("ua", "caseworker")])
    response = client.patch(
        f"/api/children/{child.pk}/", {"notes": "seen \u202egnp.exe"}, format="json"
    )
    assert response.status_code == 400
    assert "bidirectional control character U+202E" in response.json()["notes"][0]
    body = {"notes": "ok\tline\nnext"}
    response = client.patch(f"/api/children/{child.pk}/", body, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_web_form_shows_the_refusal_on_the_field(users: Any) -> None:
    client = Client()
    client.force_login(users[("ru", "caseworker")])
    data = {
        "names-TOTAL_FORMS": "1", "names-INITIAL_FORMS": "0", "names-MIN_NUM_FORMS": "0",
        "names-MAX_NUM_FORMS": "6",
        "names-0-surname": "Ковальчук\u202e", "names-0-given_name": "Олександр",
        "names-0-script": "cyrillic", "names-0-language": "uk", "names-0-source": "birth",
        "sex": "M", "legal_status": "unknown",
    }  # fmt: skip
    response = client.post(reverse("child-create"), data)
    assert response.status_code == 200
    assert "Contains the bidirectional control character U+202E" in response.content.decode()
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_import_refuses_bidirectional_overrides(users: Any, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("record_id,surname\n1,Ков\u202eальчук\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as info:
        import_file(acting(users[("ua", "caseworker")]), path, "children")
    assert "bidirectional control character U+202E" in str(info.value.problems[0])


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=20))
def test_api_names_either_refused_or_stored_safely(users: Any, text: str) -> None:
    """Fuzz: whatever text arrives, the API answers 201 or 400, and what it stores is safe."""
    from reunite.interchange import bad_character

    client = _api(users[("ua", "caseworker")])
    response = client.post(
        "/api/children/", {"names": [{"surname": text}], "sex": "F"}, format="json"
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        stored = ChildName.objects.get(child_id=response.json()["id"]).surname
        assert bad_character(stored) is None


def _legacy_child(users: Any, surname: str, record_id: str) -> Child:
    """A child stored before the rule existed: written past the validators."""
    from reunite.registry import actions

    child = actions.create_child(
        acting(users[("ua", "caseworker")]), {"record_id": record_id}, [{"surname": "Тимчасовий"}]
    )
    ChildName.objects.filter(child=child).update(surname=surname)
    return child


@pytest.mark.django_db
def test_one_stored_unsafe_record_does_not_block_an_export(users: Any, tmp_path: Path) -> None:
    from reunite.registry import actions

    bad = _legacy_child(users, "Ков\u202eальчук", "L-1")
    good = actions.create_child(
        acting(users[("ua", "caseworker")]), {"record_id": "G-1"}, [{"surname": "Бондар"}]
    )
    out = tmp_path / "out.csv"
    report = export_file(acting(users[("ua", "caseworker")]), "children", out)
    assert sorted(report.ids) == sorted([bad.pk, good.pk])
    assert any("U+202E" in w and "replaced by U+FFFD" in w for w in report.warnings)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted(r["surname"] for r in rows) == ["Бондар", "Ков\ufffdальчук"]


@pytest.mark.django_db
def test_a_record_the_format_cannot_hold_is_left_out_not_blocking(
    users: Any, tmp_path: Path
) -> None:
    from reunite.registry import actions

    caseworker = users[("ua", "caseworker")]
    odd = actions.create_child(
        acting(caseworker), {"record_id": "S-1"}, [{"surname": "Ок"}, {"full_name": "Саша; Шура"}]
    )
    good = actions.create_child(acting(caseworker), {"record_id": "G-1"}, [{"surname": "Бондар"}])
    out = tmp_path / "out.csv"
    report = export_file(acting(caseworker), "children", out)
    assert report.ids == [good.pk]
    assert any(w.startswith(f"left out: child #{odd.pk}") for w in report.warnings)
    event = AuditEvent.objects.get(action="export")
    assert event.changes["ids"] == [good.pk] and event.changes["left_out"] == [odd.pk]
    assert len(event.changes["sha256"]) == 64
    # Alone, it is still refused, and nothing is written.
    out2 = tmp_path / "only.csv"
    with pytest.raises(ExportRefused):
        export_file(acting(caseworker), "children", out2, query="Ок")
    assert not out2.exists()


HUGE = "99999999999999999999"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [
        ("get", f"/api/cases/?child={HUGE}", None, 400),
        ("get", f"/api/cases/?enquiry={HUGE}", None, 400),
        ("get", f"/api/cases/?child=-{HUGE}", None, 400),
        ("get", f"/api/children/{HUGE}/", None, 404),
        ("get", f"/api/enquiries/{HUGE}/", None, 404),
        ("get", f"/api/cases/{HUGE}/", None, 404),
        ("post", "/api/cases/", {"child": int(HUGE)}, 400),
        ("post", "/api/enquiries/", {"surname": "А", "enquirer_id": int(HUGE)}, 400),
        ("get", f"/api/verification/evidence/{HUGE}/", None, 404),
        ("get", f"/api/verification/kinship/{HUGE}/", None, 404),
        ("get", f"/api/matching/pairs/{HUGE}/", None, 404),
    ],
)
def test_out_of_range_ids_are_client_errors(
    users: Any, method: str, url: str, body: Any, expected: int
) -> None:
    client = _api(users[("ua", "caseworker")])
    client.raise_request_exception = False
    response = getattr(client, method)(url, body, format="json") if body else client.get(url)
    assert response.status_code == expected, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/children/{HUGE}/",
        f"/children/{HUGE}/edit/",
        f"/cases/{HUGE}/",
        f"/matching/pairs/{HUGE}/",
        f"/verification/cases/{HUGE}/",
        f"/verification/kinship/{HUGE}/",
    ],
)
def test_out_of_range_ids_in_web_urls_are_not_server_errors(users: Any, url: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(users[("ua", "caseworker")])
    assert client.get(url).status_code in (400, 404)

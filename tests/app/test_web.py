"""Web screens: registration forms with field-level messages, search, files, headers."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.registry import actions
from reunite.registry.models import Attachment, Child, Enquiry
from tests.app.conftest import PASSWORD, acting

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _child_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "names-TOTAL_FORMS": "2", "names-INITIAL_FORMS": "0", "names-MIN_NUM_FORMS": "0",
        "names-MAX_NUM_FORMS": "6",
        "names-0-surname": "Ковальчук", "names-0-given_name": "Олександр",
        "names-0-script": "cyrillic", "names-0-language": "uk", "names-0-source": "birth",
        "names-1-surname": "Ковальчук", "names-1-given_name": "Александр",
        "names-1-script": "cyrillic", "names-1-language": "ru", "names-1-source": "re_registered",
        "sex": "M", "birth_date": "2014-03", "legal_status": "unknown",
        "consent_for_tracing": "on",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_a_child_with_two_names(users: Any) -> None:
    client = _login(users[("ru", "caseworker")])
    response = client.post(reverse("child-create"), _child_post())
    assert response.status_code == 302
    child = Child.objects.get()
    assert [n.given_name for n in child.names.all()] == ["Олександр", "Александр"]
    assert child.birth_date_precision == "month" and str(child.birth_date) == "2014-03-01"
    assert child.owner.short_name == "RU"
    assert AuditEvent.objects.filter(action="create", object_type="child").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", "2014-13-01", "is not a date"),
        ("birth_date", "31.12.2014", "is not a date"),
        ("birth_date", "2099", "future"),
        ("legal_status", "kidnapped", "Select a valid choice"),
        ("citizenships", "Ukraine", "two-letter country code"),
        ("estimated_age", "-3", "greater than or equal to 0"),
    ],
)
def test_field_level_validation_messages(field: str, value: str, message: str, users: Any) -> None:
    client = _login(users[("ru", "caseworker")])
    response = client.post(reverse("child-create"), _child_post(**{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-field="{field}"' in page and message in page
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_a_child_needs_a_name(users: Any) -> None:
    client = _login(users[("ru", "caseworker")])
    data = _child_post(
        **{
            "names-0-surname": "",
            "names-0-given_name": "",
            "names-1-surname": "",
            "names-1-given_name": "",
        }
    )
    response = client.post(reverse("child-create"), data)
    assert response.status_code == 200 and "at least one" in response.content.decode()
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_register_an_enquiry_and_find_it_in_other_case_and_apostrophe(users: Any) -> None:
    client = _login(users[("ua", "caseworker")])
    response = client.post(
        reverse("enquiry-create"),
        {
            "enquirer_surname": "Дем'яненко", "enquirer_given_name": "Ганна",
            "enquirer_relationship": "mother", "enquirer_contact": "+000 555 0199",
            "surname": "Дем’яненко", "given_name": "Дар'я", "sex": "F", "birth_date": "2013",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    enquiry = Enquiry.objects.get()
    for query in ("ДЕМ'ЯНЕНКО", "дем`яненко", "Демʼяненко дарʼя", "дем'ян"):
        page = client.get(reverse("enquiry-list"), {"q": query}).content.decode()
        assert reverse("enquiry-detail", args=[enquiry.pk]) in page, query
    page = client.get(reverse("enquiry-list"), {"q": "Петренко"}).content.decode()
    assert reverse("enquiry-detail", args=[enquiry.pk]) not in page


@pytest.mark.django_db
def test_enquiry_form_errors_name_the_field(users: Any) -> None:
    client = _login(users[("ua", "caseworker")])
    response = client.post(
        reverse("enquiry-create"), {"enquirer_relationship": "stranger", "birth_date": "20x4"}
    )
    page = response.content.decode()
    for field in ("enquirer_surname", "enquirer_relationship", "birth_date", "surname"):
        assert f'data-field="{field}"' in page, field
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_attachments_are_checked_checksummed_and_served_only_with_permission(
    users: Any, make_child: Any, settings: Any, tmp_path: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    child = make_child(org="ru")
    owner = _login(users[("ru", "caseworker")])
    bad = io.BytesIO(b"MZ\x90\x00 not an image")
    bad.name = "photo.png"
    owner.post(reverse("attachment-add", args=["child", child.pk]), {"kind": "photo", "file": bad})
    assert not Attachment.objects.exists()
    good = io.BytesIO(PNG)
    good.name = "photo.png"
    owner.post(reverse("attachment-add", args=["child", child.pk]), {"kind": "photo", "file": good})
    attachment = Attachment.objects.get()
    import hashlib

    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert attachment.content_type == "image/png"
    assert str(tmp_path) in attachment.file.path  # outside the web root
    response = owner.get(reverse("attachment-download", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    stranger = _login(users[("ua", "caseworker")])
    assert stranger.get(reverse("attachment-download", args=[attachment.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="download", object_type="attachment").count() == 1


@pytest.mark.django_db
def test_security_headers_and_no_inline_script(users: Any) -> None:
    client = _login(users[("ua", "caseworker")])
    response = client.get(reverse("dashboard"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-ID"]
    body = response.content.decode()
    assert "<script>" not in body and "onclick=" not in body and "style=" not in body


@pytest.mark.django_db
def test_login_with_password_and_csrf(users: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = page.cookies["csrftoken"].value
    user = users[("ua", "caseworker")]
    bad = client.post(
        reverse("login"),
        {"username": user.username, "password": "wrong", "csrfmiddlewaretoken": token},
    )
    assert bad.status_code == 200
    no_csrf = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert no_csrf.status_code == 403
    ok = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert ok.status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from django.conf import settings as django_settings

    from reunite.config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert django_settings.CSRF_COOKIE_SECURE == (not django_settings.DEBUG)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "Sasha Kovalchuk",
        "Олександр Ковальчук",
        "александр КОВАЛЬЧУК",
        "Oleksandr Kowalczuk",
        "Сашко",
    ],
)
def test_search_finds_a_child_whatever_script_or_spelling(
    query: str, users: Any, make_child: Any
) -> None:
    child = make_child(org="ua", surname="Ковальчук", given_name="Олександр")
    other = make_child(org="ua", surname="Ковальчук", given_name="Олексій")
    page = (
        _login(users[("ua", "caseworker")])
        .get(reverse("child-list"), {"q": query})
        .content.decode()
    )
    assert reverse("child-detail", args=[child.pk]) in page
    assert reverse("child-detail", args=[other.pk]) not in page


@pytest.mark.django_db
def test_reindex_recomputes_search_keys(users: Any, make_child: Any) -> None:
    from typer.testing import CliRunner

    from reunite.cli.main import app

    child = make_child(org="ua", surname="Ковальчук", given_name="Олександр")
    Child.objects.filter(pk=child.pk).update(search_text="")
    result = CliRunner().invoke(app, ["reindex"])
    assert result.exit_code == 0, result.output
    child.refresh_from_db()
    assert " t:ковальчук " in child.search_text


@pytest.mark.django_db
def test_identity_documents_are_added_by_the_owner_and_audited(users: Any, make_child: Any) -> None:
    child = make_child(org="ru")
    url = reverse("identity-document-add", args=[child.pk])
    data = {
        "kind": "birth certificate",
        "number": "I-АБ 123456",
        "issuing_country": "ua",
        "issued_on": "2014-04-02",
    }
    assert _login(users[("ua", "caseworker")]).post(url, data).status_code == 404
    assert _login(users[("ru", "verifier")]).post(url, data).status_code == 403
    _login(users[("ru", "caseworker")]).post(url, {**data, "issuing_country": "Ukraine"})
    assert not child.identity_documents.exists()
    _login(users[("ru", "caseworker")]).post(url, data)
    document = child.identity_documents.get()
    assert document.issuing_country == "UA" and document.number == "I-АБ 123456"
    assert AuditEvent.objects.filter(
        object_type="child", object_id=str(child.pk), action="update"
    ).exists()


@pytest.mark.django_db
def test_dashboard_counts_every_open_case_by_state(users: Any, make_enquiry: Any) -> None:
    """Several cases in one state count as several (not one row per case), closed ones not."""
    worker = acting(users[("ua", "caseworker")])
    cases = [case_actions.open_case(worker, enquiry=make_enquiry()) for _ in range(5)]
    for case in cases[:3]:
        case_actions.transition_case(worker, case, "tracing")
    for case in cases[1:3]:  # shared, so the owner's rows join the shared-with table
        actions.share_record(worker, case, users[("ru", "caseworker")].membership.organization)
    case_actions.transition_case(worker, cases[4], "closed", closing_reason="duplicate")
    response = _login(users[("ua", "caseworker")]).get(reverse("dashboard"))
    rows = {state: n for _, state, n in response.context["state_rows"]}
    assert (rows["registered"], rows["tracing"], rows["approved"]) == (1, 3, 0)
    assert response.context["open_total"] == 4
    assert b'data-testid="open-total">4<' in response.content

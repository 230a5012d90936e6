"""The role × action matrix for the web screens, written out independently of the policy table.

Every role of every party tries every record URL on its own party's record and on another
party's unshared record. Another party's record must give 403/404 and never its data.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reunite.accounts.models import Role
from reunite.cases import actions as case_actions
from tests.app.conftest import acting

ROLES = Role.values

# Expected outcome for a user of the owning organisation: role -> allowed?
OWN_RECORD_EXPECTATIONS: dict[str, set[str]] = {
    "child-detail": set(ROLES),
    "child-edit": {"caseworker"},
    "enquiry-detail": set(ROLES),
    "enquiry-edit": {"caseworker"},
    "child-create": {"caseworker"},
    "enquiry-create": {"caseworker"},
    "audit-log": {"auditor", "administrator"},
    "child-list": set(ROLES),
    "enquiry-list": set(ROLES),
    "case-list": set(ROLES),
}
SEES_RESTRICTED = {"caseworker", "coordinator", "transfer_officer"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_own_party_records_follow_the_matrix(
    role: str, users: Any, make_child: Any, make_enquiry: Any
) -> None:
    child = make_child(org="ua", surname="Шевчук", given_name="Марія")
    enquiry = make_enquiry(org="ua", surname="Бондаренко", given_name="Іван")
    client = _client(users[("ua", role)])
    urls = {
        "child-detail": reverse("child-detail", args=[child.pk]),
        "child-edit": reverse("child-edit", args=[child.pk]),
        "enquiry-detail": reverse("enquiry-detail", args=[enquiry.pk]),
        "enquiry-edit": reverse("enquiry-edit", args=[enquiry.pk]),
        "child-create": reverse("child-create"),
        "enquiry-create": reverse("enquiry-create"),
        "audit-log": reverse("audit-log"),
        "child-list": reverse("child-list"),
        "enquiry-list": reverse("enquiry-list"),
        "case-list": reverse("case-list"),
    }
    for name, url in urls.items():
        status = client.get(url).status_code
        expected = 200 if role in OWN_RECORD_EXPECTATIONS[name] else 403
        assert status == expected, f"{role} GET {name}: {status}, expected {expected}"

    page = client.get(urls["child-detail"]).content.decode()
    assert ("Secret location" in page) == (role in SEES_RESTRICTED)
    assert ("Secret custodian" in page) == (role in SEES_RESTRICTED)
    enquiry_page = client.get(urls["enquiry-detail"]).content.decode()
    assert ("+000 555 0101" in enquiry_page) == (role in SEES_RESTRICTED)


@pytest.mark.django_db
@pytest.mark.parametrize("org", ["ua", "med"])
@pytest.mark.parametrize("role", ROLES)
def test_another_partys_records_are_never_shown(
    org: str, role: str, users: Any, make_child: Any, make_enquiry: Any
) -> None:
    child = make_child(org="ru", surname="Савицкая", given_name="Анастасия")
    enquiry = make_enquiry(org="ru", surname="Олейник", given_name="Тимофей")
    case = case_actions.open_case(acting(users[("ru", "caseworker")]), child=child)
    client = _client(users[(org, role)])
    gets = [
        reverse("child-detail", args=[child.pk]),
        reverse("child-edit", args=[child.pk]),
        reverse("enquiry-detail", args=[enquiry.pk]),
        reverse("enquiry-edit", args=[enquiry.pk]),
        reverse("case-detail", args=[case.pk]),
        reverse("case-link", args=[case.pk]) + "?q=Савицкая",
    ]
    posts = [
        (reverse("child-edit", args=[child.pk]), {"legal_status": "orphan"}),
        (reverse("enquiry-edit", args=[enquiry.pk]), {"surname": "X"}),
        (
            reverse("record-share", args=["child", child.pk]),
            {"organization": users[(org, role)].membership.organization.pk},
        ),
        (
            reverse("record-share", args=["enquiry", enquiry.pk]),
            {"organization": users[(org, role)].membership.organization.pk},
        ),
        (reverse("case-transition", args=[case.pk]), {"to_state": "tracing"}),
        (reverse("case-link-child", args=[case.pk]), {"kind": "child", "record": child.pk}),
        (reverse("case-unlink", args=[case.pk]), {"field": "child", "reason": "wrong"}),
        (reverse("case-open"), {"child": child.pk}),
        (reverse("attachment-add", args=["child", child.pk]), {"kind": "photo"}),
    ]
    for url in gets:
        response = client.get(url)
        assert response.status_code in (403, 404), f"{org}/{role} GET {url}: {response.status_code}"
        body = response.content.decode()
        assert "Савицкая" not in body and "Олейник" not in body
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (403, 404), (
            f"{org}/{role} POST {url}: {response.status_code}"
        )
    for url, detail in (
        (reverse("child-list") + "?q=Савицкая", reverse("child-detail", args=[child.pk])),
        (reverse("enquiry-list") + "?q=Олейник", reverse("enquiry-detail", args=[enquiry.pk])),
    ):
        response = client.get(url)
        assert response.status_code in (200, 403)
        assert f'href="{detail}"' not in response.content.decode()
    # Nothing was changed by any of those attempts.
    child.refresh_from_db()
    case.refresh_from_db()
    assert (
        child.legal_status == "unknown"
        and case.state == "registered"
        and not child.shared_with.exists()
    )


@pytest.mark.django_db
def test_sharing_makes_a_record_visible_to_that_party_only(users: Any, make_child: Any) -> None:
    child = make_child(org="ru", surname="Мельник", given_name="Дарья")
    owner = _client(users[("ru", "caseworker")])
    response = owner.post(
        reverse("record-share", args=["child", child.pk]),
        {"organization": users[("med", "coordinator")].membership.organization.pk},
    )
    assert response.status_code == 302
    assert (
        _client(users[("med", "coordinator")])
        .get(reverse("child-detail", args=[child.pk]))
        .status_code
        == 200
    )
    assert (
        _client(users[("ua", "caseworker")])
        .get(reverse("child-detail", args=[child.pk]))
        .status_code
        == 404
    )
    # The mediator sees it but cannot change it: only the owner writes.
    assert _client(users[("med", "coordinator")]).get(
        reverse("child-edit", args=[child.pk])
    ).status_code in (403, 404)


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(make_child: Any) -> None:
    child = make_child()
    response = Client().get(reverse("child-detail", args=[child.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]

"""Lists in the browser: check, read the row-by-row report, fix, confirm (Django test client)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reunite.registry.models import Child

pytestmark = pytest.mark.django_db

HEADER = "record_id,surname,given_name,sex,birth_date,legal_status\n"
GOOD_ROWS = [
    "W-1,Ковальчук,Олена,F,2012-03-14,under_guardianship",
    "W-2,Шевченко,Богдан,M,2011-09-02,orphan",
    "W-3,Бондаренко,Ірина,F,2013,parents_known",
]
BAD_ROWS = [
    "W-1,Ковальчук,Олена,X,2012-03-14,under_guardianship",  # sex
    GOOD_ROWS[1],
    "W-3,Бондаренко,Ірина,F,2013-13-45,parents_known",  # date
]


def list_file(rows: list[str], name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "\n".join(rows) + "\n").encode(), "text/csv")


def test_two_bad_rows_are_reported_and_nothing_is_imported(users: Any, client: Any) -> None:
    client.force_login(users[("ua", "caseworker")])
    page = client.post(reverse("import-list"), {"kind": "children", "file": list_file(BAD_ROWS)})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="import-problems"' in html
    assert html.count('data-testid="problem-row"') == 2
    assert Child.objects.count() == 0


def test_a_fixed_file_is_checked_then_imported_on_confirmation(users: Any, client: Any) -> None:
    client.force_login(users[("ua", "caseworker")])
    page = client.post(
        reverse("import-list"), {"kind": "children", "file": list_file(GOOD_ROWS), "consent": "on"}
    )
    html = page.content.decode()
    assert 'data-testid="import-report"' in html and Child.objects.count() == 0
    token = html.split('name="token" value="')[1].split('"')[0]
    done = client.post(reverse("import-confirm"), {"token": token}, follow=True)
    assert Child.objects.count() == 3
    assert all(c.consent_for_tracing for c in Child.objects.all())
    assert "imported" in done.content.decode()
    # The same token cannot import twice.
    again = client.post(reverse("import-confirm"), {"token": token}, follow=True)
    assert Child.objects.count() == 3 and "expired" in again.content.decode()


def test_only_roles_that_may_import_can(users: Any, client: Any) -> None:
    client.force_login(users[("ua", "auditor")])
    assert client.get(reverse("import-list")).status_code == 403
    assert client.post(reverse("import-confirm"), {"token": "x"}).status_code == 403


def test_another_users_token_imports_nothing(users: Any, client: Any) -> None:
    client.force_login(users[("ua", "caseworker")])
    html = client.post(
        reverse("import-list"), {"kind": "children", "file": list_file(GOOD_ROWS)}
    ).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    client.logout()
    client.force_login(users[("ru", "caseworker")])
    client.post(reverse("import-confirm"), {"token": token})
    assert Child.objects.count() == 0


def test_a_file_of_another_type_is_refused(users: Any, client: Any) -> None:
    client.force_login(users[("ua", "caseworker")])
    upload = SimpleUploadedFile("list.pdf", b"%PDF-1.4", "application/pdf")
    page = client.post(reverse("import-list"), {"kind": "children", "file": upload})
    html = page.content.decode()
    assert "Upload a .csv or .xlsx file." in html

"""Two-factor authentication: required for every role that sees child data, enrolment in
the web screens, recovery codes, and a code for API tokens."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from reunite.audit.models import AuditEvent
from tests.app.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


def _code(secret_b32: str) -> str:
    return f"{TOTP(base64.b32decode(secret_b32)).token():06d}"


def _unthrottle() -> None:
    """django-otp delays the next try after a wrong code (1 s, doubling): skip the wait."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _log_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _enrol(client: Client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor/setup/?next=/children/")
    assert page.status_code == 200
    secret = re.search(r"data-secret>([A-Z2-7]+)<", page.content.decode()).group(1)  # type: ignore[union-attr]
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    wrong = client.post("/account/two-factor/setup/", {"code": "000000", "next": "/children/"})
    assert "does not match" in wrong.content.decode()
    _unthrottle()
    done = client.post(
        "/account/two-factor/setup/", {"code": _code(secret), "next": "/children/"}
    )
    assert done.status_code == 302 and "/account/two-factor/recovery/" in done["Location"]
    shown = client.get(done["Location"]).content.decode()
    codes = re.findall(r"data-recovery-code>([a-z0-9]+)<", shown)
    assert len(codes) == 10
    # Shown once only.
    assert "data-recovery-code" not in client.get(done["Location"]).content.decode()
    return secret, codes


def test_every_role_with_child_data_must_enrol_then_verify(users: Any) -> None:
    user = users[("ua", "verifier")]
    client = _log_in(user.username)
    response = client.get("/children/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/account/two-factor/setup/"
    )
    secret, codes = _enrol(client)
    assert client.get("/children/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_enrolled").count() == 1

    # A new login asks for the code; a wrong one is refused and audited.
    again = _log_in(user.username)
    response = again.get("/children/")
    assert response["Location"].startswith("/account/two-factor/?next=")
    bad = again.post("/account/two-factor/", {"code": "123456", "next": "/children/"})
    assert "not valid" in bad.content.decode()
    assert AuditEvent.objects.filter(action="login_2fa_failed").exists()
    _unthrottle()
    # A recovery code works once.
    ok = again.post("/account/two-factor/", {"code": codes[0], "next": "/children/"})
    assert ok.status_code == 302 and ok["Location"] == "/children/"
    assert again.get("/children/").status_code == 200
    third = _log_in(user.username)
    reused = third.post("/account/two-factor/", {"code": codes[0], "next": "/"})
    assert "not valid" in reused.content.decode()
    _unthrottle()
    # The app's code works too.
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    _unthrottle()
    assert third.post("/account/two-factor/", {"code": _code(secret)}).status_code == 302


def test_the_api_session_needs_the_second_factor(users: Any) -> None:
    client = _log_in(users[("ua", "caseworker")].username)
    response = client.get("/api/children/")
    assert response.status_code == 403 and "Two-factor" in response.json()["detail"]


def test_api_tokens_need_a_code(users: Any) -> None:
    user = users[("ua", "caseworker")]
    client = _log_in(user.username)
    secret, _codes = _enrol(client)
    api = APIClient()
    body = {"username": user.username, "password": PASSWORD}
    missing = api.post("/api/token/", body, format="json")
    assert missing.status_code == 400 and "otp" in missing.json()
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    ok = api.post("/api/token/", {**body, "otp": _code(secret)}, format="json")
    assert ok.status_code == 200, ok.content


def test_api_token_for_a_member_without_an_authenticator_is_refused(users: Any) -> None:
    user = users[("ua", "caseworker")]
    response = APIClient().post(
        "/api/token/", {"username": user.username, "password": PASSWORD, "otp": "123456"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "Set up two-factor" in response.json()["otp"][0]


def test_demo_users_are_pre_enrolled(settings: Any) -> None:
    from reunite.demo import DEMO_TOTP_SECRET, USERS, load_demo

    load_demo(children=10, enquiries=5)
    username = USERS[0][0]
    client = Client()
    from reunite.demo import DEMO_PASSWORD

    login = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert login.status_code == 302
    response = client.get("/children/")
    assert response["Location"].startswith("/account/two-factor/?")
    ok = client.post("/account/two-factor/", {"code": _code(DEMO_TOTP_SECRET)})
    assert ok.status_code == 302 and client.get("/children/").status_code == 200

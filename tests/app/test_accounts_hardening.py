"""Accounts: login lockout per account and per address (audited, unlockable), API tokens
that expire and can be listed and revoked, HTTPS-only headers, owner-only files."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from typer.testing import CliRunner

from reunite.audit.models import AuditEvent
from reunite.cli.main import app
from tests.app.conftest import PASSWORD


def _web_login(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_an_account_is_locked_after_repeated_wrong_passwords(users: Any, settings: Any) -> None:
    user = users[("ua", "caseworker")]
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _web_login(client, user.username, f"wrong-{attempt}", f"10.0.0.{attempt}")
        assert response.status_code == 200  # the form again, with an error
    locked = _web_login(client, user.username, "wrong-last", "10.0.1.1")
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    # Even the right password, from another address, is refused while locked.
    refused = _web_login(Client(), user.username, PASSWORD, "10.9.9.9")
    assert refused.status_code == 429
    assert AuditEvent.objects.filter(action="locked_out", actor_username=user.username).exists()
    assert AuditEvent.objects.filter(action="login_failed").count() >= settings.AXES_FAILURE_LIMIT

    result = CliRunner().invoke(app, ["accounts", "unlock", "--user", user.username])
    assert result.exit_code == 0, result.output
    assert AuditEvent.objects.filter(action="unlock").exists()
    assert _web_login(Client(), user.username, PASSWORD, "10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_an_address_is_locked_whatever_usernames_it_tries(users: Any, settings: Any) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _web_login(Client(), f"nobody-{attempt}", "x", "192.0.2.7")
    user = users[("ua", "verifier")]
    assert _web_login(Client(), user.username, PASSWORD, "192.0.2.7").status_code == 429
    assert _web_login(Client(), user.username, PASSWORD, "192.0.2.8").status_code == 302
    listed = CliRunner().invoke(app, ["accounts", "lockouts"])
    assert "192.0.2.7" in listed.output
    CliRunner().invoke(app, ["accounts", "unlock", "--address", "192.0.2.7"])
    assert _web_login(Client(), user.username, PASSWORD, "192.0.2.7").status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_reset_the_address(
    users: Any, settings: Any
) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/login/", {"username": f"x{attempt}", "password": "x"},
            REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )  # fmt: skip
    user = users[("ua", "verifier")]
    assert _web_login(Client(), user.username, PASSWORD, "198.51.100.1").status_code == 429


@pytest.mark.django_db
def test_the_api_token_endpoint_is_locked_out_too(users: Any, settings: Any) -> None:
    user = users[("ua", "caseworker")]
    client = APIClient(REMOTE_ADDR="10.1.1.1")
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(
            "/api/token/", {"username": user.username, "password": f"bad{attempt}"},
            format="json",
        )  # fmt: skip
    assert response.status_code == 429 and "Too many failed logins" in response.json()["detail"]


@pytest.mark.django_db
def test_api_tokens_expire(users: Any, settings: Any) -> None:
    user = users[("ua", "caseworker")]
    client = APIClient()
    token = client.post(
        "/api/token/", {"username": user.username, "password": PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/me/").status_code == 200
    old = timezone.now() - dt.timedelta(hours=settings.REUNITE_API_TOKEN_HOURS, minutes=1)
    Token.objects.filter(key=token).update(created=old)
    expired = client.get("/api/me/")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert not Token.objects.filter(key=token).exists()
    fresh = APIClient().post(
        "/api/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert fresh.json()["token"] != token


@pytest.mark.django_db
def test_tokens_are_listed_and_revoked_by_owner_and_administrator(users: Any) -> None:
    caseworker, verifier = users[("ua", "caseworker")], users[("ua", "verifier")]
    admin, other_admin = users[("ua", "administrator")], users[("ru", "administrator")]
    keys = {u.username: Token.objects.create(user=u).key for u in (caseworker, verifier, admin)}

    def api(user: Any) -> APIClient:
        client = APIClient()
        key = Token.objects.get_or_create(user=user)[0].key
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    own = api(caseworker).get("/api/tokens/").json()
    assert [row["username"] for row in own] == [caseworker.username]
    assert own[0]["key_start"] == keys[caseworker.username][:6]
    assert keys[caseworker.username] not in str(own)
    listed = {row["username"] for row in api(admin).get("/api/tokens/").json()}
    assert {caseworker.username, verifier.username, admin.username} <= listed
    assert other_admin.username not in listed
    # Another party's administrator cannot revoke; a caseworker cannot revoke others'.
    assert api(other_admin).delete(f"/api/tokens/{verifier.username}/").status_code == 404
    assert api(caseworker).delete(f"/api/tokens/{verifier.username}/").status_code == 404
    assert api(admin).delete(f"/api/tokens/{verifier.username}/").status_code == 204
    assert not Token.objects.filter(user=verifier).exists()
    assert AuditEvent.objects.filter(action="token_revoked").count() == 1
    assert api(caseworker).delete(f"/api/tokens/{caseworker.username}/").status_code == 204
    result = CliRunner().invoke(app, ["accounts", "revoke-token", admin.username])
    assert result.exit_code == 0 and not Token.objects.filter(user=admin).exists()


@pytest.mark.django_db
def test_https_redirect_and_hsts_when_not_in_debug(users: Any, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # probes stay on plain HTTP
    secure = client.get("/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def test_production_defaults_are_https_only(tmp_path: Path) -> None:
    """Without debug and outside tests, the settings redirect to HTTPS and send HSTS."""
    code = (
        "from django.conf import settings; import django; django.setup();"
        "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS,"
        " settings.SESSION_COOKIE_SECURE)"
    )
    env = {
        k: v for k, v in os.environ.items()
        if k not in ("PYTEST_VERSION", "REUNITE_DEBUG", "DATABASE_URL")
    }  # fmt: skip
    env.update(
        DJANGO_SETTINGS_MODULE="reunite.config.settings", REUNITE_SECRET_KEY="k" * 50,
        REUNITE_VAR_DIR=str(tmp_path / "var"),
    )  # fmt: skip
    out = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True", "31536000", "True"]
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "reunite.sqlite3").stat().st_mode) == 0o600


def test_database_and_secret_key_files_are_owner_only(tmp_path: Path) -> None:
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION")}
    env.update(
        DJANGO_SETTINGS_MODULE="reunite.config.settings", REUNITE_DEBUG="1",
        REUNITE_VAR_DIR=str(tmp_path / "var"),
    )  # fmt: skip
    old_umask = os.umask(0o022)
    try:
        subprocess.run(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", code], env=env, check=True, capture_output=True
        )
    finally:
        os.umask(old_umask)
    var = tmp_path / "var"
    for name in ("reunite.sqlite3", "secret_key"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600, name

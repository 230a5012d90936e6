"""Browser flows in a real Chromium (Debian's, driven by Playwright), against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.app.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Chromium is not installed (make test installs it via scripts/install-browser.sh)",
    ),
]
# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests
# happen outside any coroutine, so Django's async-safety check can be relaxed here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"


def _log_in(page: Any, user: Any) -> None:
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=who]")


@pytest.mark.django_db(transaction=True)
def test_register_find_open_case_and_move_it(page: Any, users: Any) -> None:
    _log_in(page, users[("ua", "caseworker")])
    page.click("text=Register a tracing request")
    # Submitting an empty form shows field-level messages and keeps the user on the form.
    page.click("button:has-text('Save')")
    assert page.locator("[data-field=enquirer_surname]").is_visible()
    page.fill("#id_enquirer_surname", "Дем'яненко")
    page.fill("#id_enquirer_given_name", "Ганна")
    page.select_option("#id_enquirer_relationship", "mother")
    page.fill("#id_surname", "Дем’яненко")
    page.fill("#id_given_name", "Дар’я")
    page.fill("#id_birth_date", "2013-05")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Tracing request registered.")

    # Find it again by a name typed in capitals with another apostrophe.
    page.click("nav >> text=Tracing requests")
    page.fill("#id_q", "ДЕМʼЯНЕНКО дар'я")
    page.press("#id_q", "Enter")
    page.wait_for_selector("[data-testid=enquiry-table] >> text=Дем’яненко Дар’я")
    page.click("[data-testid=enquiry-table] >> text=Дем’яненко Дар’я")

    page.click("button:has-text('Open a case')")
    page.wait_for_selector("[data-testid=case-state]")
    assert page.inner_text("[data-testid=case-state]") == "Registered"
    page.select_option("#id_to_state", "tracing")
    page.click("button:has-text('Move case')")
    page.wait_for_selector("text=Case moved to 'Tracing'.")
    assert page.inner_text("[data-testid=case-state]") == "Tracing"
    assert users[("ua", "caseworker")].username in page.inner_text("[data-testid=timeline]")


@pytest.mark.django_db(transaction=True)
def test_phone_width_layout_keeps_the_search_usable(page: Any, users: Any, make_child: Any) -> None:
    make_child(org="ua", surname="Ковальчук", given_name="Олександр")
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, users[("ua", "caseworker")])
    page.goto("/children/")
    page.fill("#id_q", "КОВАЛЬЧУК")
    page.press("#id_q", "Enter")
    page.wait_for_selector("[data-testid=child-table] >> text=Ковальчук Олександр")
    # Nothing overflows the phone screen horizontally.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_a_latin_diminutive_finds_the_cyrillic_record(
    page: Any, users: Any, make_child: Any
) -> None:
    make_child(org="ua", surname="Ковальчук", given_name="Олександр")
    make_child(org="ua", surname="Ковальчук", given_name="Олексій")
    _log_in(page, users[("ua", "caseworker")])
    page.goto("/children/")
    page.fill("#id_q", "Sasha Kovalchuk")
    page.press("#id_q", "Enter")
    table = page.locator("[data-testid=child-table]")
    table.locator("text=Ковальчук Олександр").wait_for()
    assert table.locator("text=Ковальчук Олексій").count() == 0

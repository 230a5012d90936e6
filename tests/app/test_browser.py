"""Browser flows in a real Chromium (Debian's, driven by Playwright), against a live server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.browser import BROWSER_MARKS, log_in

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_register_find_open_case_and_move_it(page: Any, users: Any) -> None:
    log_in(page, users[("ua", "caseworker")])
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
    log_in(page, users[("ua", "caseworker")])
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
    log_in(page, users[("ua", "caseworker")])
    page.goto("/children/")
    page.fill("#id_q", "Sasha Kovalchuk")
    page.press("#id_q", "Enter")
    table = page.locator("[data-testid=child-table]")
    table.locator("text=Ковальчук Олександр").wait_for()
    assert table.locator("text=Ковальчук Олексій").count() == 0

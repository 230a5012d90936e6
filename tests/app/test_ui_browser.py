"""The caseworker's day in Ukrainian and in Russian, in a real Chromium; axe-core on every page.

The browser asks for the language (``Accept-Language`` from the context's locale), as a
caseworker's own browser would; the pages answer in it, and a choice in the header is
remembered on the user's membership.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from reunite.cases import actions
from tests.app.browser import BROWSER_MARKS
from tests.app.conftest import PASSWORD, acting
from tests.app.fixtures_matching import trained_link_model  # noqa: F401 - fixture
from tests.app.fixtures_verification import vcase  # noqa: F401 - fixture
from tests.app.test_i18n import BY_NAME, _pages, world  # noqa: F401 - fixture

pytestmark = BROWSER_MARKS

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"

# What each language's pages say (the catalogues' translations).
WORDS = {
    "uk": {"login": "Увійти", "children": "Діти", "search": "Шукати", "cases": "Справи",
           "case": "Справа", "edit": "Редагувати", "save": "Зберегти",
           "history": "Правовий статус: Під опікою (піклуванням) → Усиновлена",
           "other": "ru", "other_dashboard": "Обзор"},
    "ru": {"login": "Войти", "children": "Дети", "search": "Искать", "cases": "Дела",
           "case": "Дело", "edit": "Редактировать", "save": "Сохранить",
           "history": "Правовой статус: Под опекой (попечительством) → Усыновлён (удочерена)",
           "other": "uk", "other_dashboard": "Огляд"},
}  # fmt: skip


def _context(browser: Any, live_server: Any, language: str) -> tuple[Any, Any, list[str]]:
    errors: list[str] = []
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url,
        locale={"uk": "uk-UA", "ru": "ru-RU", "en": "en-GB"}[language],
    )  # fmt: skip
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors


def _log_in(page: Any, user: Any, button: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click(f"button:has-text('{button}')")
    page.wait_for_selector("[data-testid=who]")


@pytest.mark.parametrize("language", ["uk", "ru"])
@pytest.mark.django_db(transaction=True)
def test_find_sort_and_read_history_in_the_users_language(
    language: str, browser: Any, live_server: Any, users: Any, make_child: Any, make_enquiry: Any
) -> None:
    words = WORDS[language]
    user = users[("ua", "caseworker")]
    make_child(
        org="ua", surname="Ковальчук", given_name="Олена", birth_date=dt.date(2012, 3, 14),
        birth_date_precision="day", legal_status="under_guardianship",
    )  # fmt: skip
    make_child(org="ua", surname="Ковальчук", given_name="Ольга",
               birth_date=dt.date(2014, 1, 2), birth_date_precision="day")  # fmt: skip
    ua = acting(user)
    cases = [actions.open_case(ua, enquiry=make_enquiry()) for _ in range(3)]
    context, page, errors = _context(browser, live_server, language)
    try:
        _log_in(page, user, words["login"])
        assert page.get_attribute("html", "lang") == language

        # Find the child by a Latin name and a year: only the one born in 2012.
        page.click(f"nav >> text={words['children']}")
        page.fill("#id_q", "Kovalchuk 2012")
        page.click(f"button:has-text('{words['search']}')")
        page.wait_for_selector("[data-testid=child-table] >> text=Ковальчук Олена")
        assert page.locator("[data-testid=child-table] >> text=Ковальчук Ольга").count() == 0
        page.click("[data-testid=child-table] >> text=Ковальчук Олена")

        # Change the legal status, then read the history entry in words.
        page.click(f"a:has-text('{words['edit']}')")
        page.select_option("#id_legal_status", "adopted")
        page.click(f"button:has-text('{words['save']}')")
        page.wait_for_selector("[data-testid=history]")
        assert words["history"] in page.inner_text("[data-testid=history]")

        # Sort the case list by reference, then the other way.
        page.click(f"nav >> text={words['cases']}")
        refs = sorted(c.reference for c in cases)
        page.click(f"th >> a:has-text('{words['case']}')")
        page.wait_for_selector("th[aria-sort=ascending]")
        shown = page.locator("[data-testid=case-table] tbody tr td:first-child a").all_inner_texts()
        assert shown == refs
        page.click(f"th >> a:has-text('{words['case']}')")
        page.wait_for_selector("th[aria-sort=descending]")
        shown = page.locator("[data-testid=case-table] tbody tr td:first-child a").all_inner_texts()
        assert shown == refs[::-1]

        # Switch the language in the header: the choice sticks after logging in again.
        page.select_option("[data-testid=language]", words["other"])
        page.click("[data-testid=language-form] button")
        page.wait_for_function(f"document.documentElement.lang === '{words['other']}'")
        context.clear_cookies()
        _log_in(page, user, words["login"])  # the log-in page follows the browser
        assert page.get_attribute("html", "lang") == words["other"]
        assert words["other_dashboard"] in page.inner_text("nav")
    finally:
        context.close()
    assert not errors, errors


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in result if v.get("impact") in ("serious", "critical")]


@pytest.mark.django_db(transaction=True)
def test_axe_finds_nothing_serious_on_any_page(
    browser: Any,
    live_server: Any,
    users: Any,
    world: Any,  # noqa: F811
) -> None:
    found: dict[str, list[str]] = {}
    checked = 0
    language = "uk"  # structure and contrast are the same in every language
    for who, urls in _pages(world).items():
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, base_url=live_server.url,
            bypass_csp=True,  # axe is injected as a script; the app's CSP forbids that
            locale="uk-UA",
        )  # fmt: skip
        page = context.new_page()
        try:
            if who != "anonymous":
                _log_in(page, users[BY_NAME[who]], WORDS[language]["login"])
            # htmx fragments are checked inside the page that loads them
            for url in [u for u in urls if not u.endswith("/summary/")]:
                page.goto(url)
                page.wait_for_load_state("networkidle")
                for v in _axe_violations(page):
                    targets = [", ".join(n["target"]) for n in v["nodes"]][:3]
                    found.setdefault(f"{language} {who} {url}", []).append(
                        f"{v['id']} ({v['impact']}): {v['help']} — {targets}"
                    )
                checked += 1
        finally:
            context.close()
    assert checked >= 20
    assert not found, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())

"""Shared plumbing for browser tests: Debian's Chromium driven by Playwright, against a live server.

Loaded as a plugin by ``tests/conftest.py``, so the ``browser`` and ``page`` fixtures are
available everywhere; test modules set ``pytestmark = BROWSER_MARKS`` and use ``log_in``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.app.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_MARKS = [
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


def new_page(browser: Any, base_url: str, errors: list[str]) -> tuple[Any, Any]:
    """A fresh context and page that collects page and console errors into ``errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    errors: list[str] = []
    context, page = new_page(browser, live_server.url, errors)
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"


def log_in(page: Any, user: Any) -> None:
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=who]")

"""The review queue end to end in a real Chromium (Debian's, driven by Playwright).

A caseworker runs matching; a verifier confirms one candidate and rejects another; a full
re-run follows, and the rejected pair does not come back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from reunite.cases.models import Case
from reunite.jobs.api import run_worker
from reunite.matching import actions as m
from reunite.matching.models import CandidatePair, MatchRun, PairStatus
from tests.app.browser import BROWSER_MARKS, log_in
from tests.app.fixtures_matching import (
    acting,
    add_pair_records,
    trained_link_model,  # noqa: F401 - fixture
)

pytestmark = BROWSER_MARKS


def _log_out(page: Any) -> None:
    page.click("header >> button:has-text('Log out')")
    page.wait_for_selector("#id_username")


@pytest.fixture
def job_worker() -> Iterator[None]:
    """Lets the live server answer the page's progress polls while the test's own thread
    runs the worker.

    The test database is SQLite in memory with one cache shared by the live server's
    thread and the test's: there a reader fails at once ("table is locked") while another
    connection writes, instead of waiting as on a file or on PostgreSQL, so readers are
    told not to take table locks (``read_uncommitted``, test only).
    """
    from django.db import connection
    from django.db.backends.signals import connection_created

    def no_read_locks(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(no_read_locks)
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = 1")
    yield
    connection_created.disconnect(no_read_locks)


def _run_matching(page: Any, *, full: bool) -> str:
    """Start a run from the screen, watch the progress page until the notice, follow it."""
    page.click("nav >> text=Review queue")
    page.click("text=Runs and model")
    if full:
        page.check("#id_full")
    page.click("[data-testid=run-matching]")
    page.wait_for_selector("[data-testid=job-progress][data-state=queued]")
    # Nothing ran in the request; a worker (`reunite worker`) takes the job while htmx
    # polls the progress fragment, which turns into the notice when the run has ended.
    run_worker(batch=True, interval=0)
    page.wait_for_selector("[data-testid=job-done]", timeout=30_000)
    notice = page.inner_text("[data-testid=job-done]")
    page.click("[data-testid=job-result-link]")
    page.wait_for_selector("[data-testid=run-status]")
    assert page.inner_text("[data-testid=run-status]") == "Succeeded"
    return notice


@pytest.mark.django_db(transaction=True)
def test_confirm_one_reject_another_and_the_rejected_pair_does_not_return(
    page: Any,
    users: Any,
    trained_link_model: Any,  # noqa: F811
    job_worker: None,
) -> None:
    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    same_e, same_c = add_pair_records(
        users, surname="Коваленко", given="Дарина", birth=dt.date(2014, 5, 17),
        mother="Коваленко Ірина Петрівна", patronymic="Олегівна",
    )  # fmt: skip
    other_e, other_c = add_pair_records(
        users, surname="Шевчук", given="Богдан", birth=dt.date(2011, 9, 2), sex="M",
        birth_place="Херсон", patronymic="Андрійович",
    )  # fmt: skip

    # A caseworker runs matching from the screen.
    log_in(page, users[("ua", "caseworker")])
    assert "new candidate pair" in _run_matching(page, full=False)
    first_run = MatchRun.objects.get()
    same = CandidatePair.objects.get(enquiry=same_e, child=same_c)
    other = CandidatePair.objects.get(enquiry=other_e, child=other_c)
    _log_out(page)

    # A verifier works through the queue: confirms one pair...
    log_in(page, users[("ua", "verifier")])
    page.click("nav >> text=Review queue")
    page.wait_for_selector(f"[data-pair='{same.pk}']")
    page.click(f"[data-pair='{same.pk}'] >> [data-testid=review]")
    page.wait_for_selector("[data-testid=side-by-side]")
    assert "Коваленко Дарина Олегівна" in page.inner_text("[data-testid=side-by-side]")
    assert "birth date: exact" in page.inner_text("[data-testid=explanation]")
    page.fill("#id_note", "Mother's name and birth date agree")
    page.click("button:has-text('Same child')")
    page.wait_for_selector("text=are the same child")
    case = Case.objects.get(enquiry=same_e)
    assert case.reference in page.inner_text(".messages")

    # ...and rejects the other.
    page.click(f"[data-pair='{other.pk}'] >> [data-testid=review]")
    page.wait_for_selector("[data-testid=side-by-side]")
    page.fill("#id_note", "Different family: the birth certificate names another mother")
    page.click("button:has-text('Not the same child')")
    page.wait_for_selector("text=will not be proposed again")
    assert page.locator(f"[data-pair='{same.pk}']").count() == 0
    assert page.locator(f"[data-pair='{other.pk}']").count() == 0
    _log_out(page)

    # The case moved on: the request and the child are linked on it.
    case.refresh_from_db()
    assert (case.child_id, case.state) == (same_c.pk, "match_proposed")

    # A full re-run: the rejected pair does not come back.
    log_in(page, users[("ua", "caseworker")])
    _run_matching(page, full=True)
    rerun = MatchRun.objects.exclude(pk=first_run.pk).get()
    assert rerun.mode == MatchRun.Mode.FULL and rerun.excluded_pairs == 2
    page.click("nav >> text=Review queue")
    page.wait_for_selector("[data-testid=queue]")
    assert page.locator(f"[data-pair='{other.pk}']").count() == 0
    page.select_option("#id_show", "rejected")
    page.click("button:has-text('Filter')")
    page.wait_for_selector(f"[data-pair='{other.pk}']")
    assert "Rejected" in page.inner_text(f"[data-pair='{other.pk}']")
    other.refresh_from_db()
    assert other.status == PairStatus.REJECTED and other.run_id == first_run.pk
    assert CandidatePair.objects.filter(enquiry=other_e, child=other_c).count() == 1

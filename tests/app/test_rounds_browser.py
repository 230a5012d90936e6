"""One reunification round end to end, in a real Chromium.

Set-up with the actions: two cases approved through the real verification steps, one child
going from Russia to Ukraine and one from Ukraine to Russia. Then, in the browser: the
mediator's coordinator plans the round, adds both cases, plans each transfer (collecting
adult, authorising document from the evidence register), asks the route planner — which
avoids the closed crossing and refuses the route that needs a passport the child lacks —
uses the proposed route, plans the handovers, confirms and starts the round; the transfer
officers and caseworkers of both parties confirm every handover from both sides (custody
is flagged while one side has confirmed); both cases become reunified; the coordinator
completes the round and downloads the manifest PDF, reads the round report and exports
the public statistics.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pypdf import PdfReader

from reunite.cases.models import Case
from reunite.reunification.models import Round
from tests.app.browser import BROWSER_MARKS, log_in, new_page
from tests.app.fixtures_rounds import approved_case

pytestmark = BROWSER_MARKS


@pytest.fixture
def session(browser: Any, live_server: Any) -> Iterator[Callable[[Any], Any]]:
    contexts: list[Any] = []
    errors: list[str] = []

    def open_as(user: Any) -> Any:
        context, page = new_page(browser, live_server.url, errors)
        # Long pages (the planner draws several maps) on a loaded machine: wait longer.
        context.set_default_timeout(90_000)
        contexts.append(context)
        log_in(page, user)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not errors, f"browser errors: {errors}"


def _add_case(page: Any, case: Case, origin: str, destination: str, start: str,
              end: str) -> None:
    page.select_option("#id_case", str(case.pk))
    page.fill("#id_from_country", origin)
    page.fill("#id_to_country", destination)
    page.select_option("#id_origin", start)
    page.select_option("#id_destination", end)
    page.click("[data-testid=add-case-form] button[type=submit]")
    page.wait_for_selector(f"text={case.reference}")


def _plan_transfer(page: Any, case: Case, collector: str, relationship: str, citizenship: str,
                   custodian: str) -> None:
    form = page.locator("[data-testid=transfer-form]")
    form.get_by_label(f"{case.reference} —", exact=False).check()
    page.fill("#id_collector_name", collector)
    page.fill("#id_collector_relationship", relationship)
    page.select_option("#id_collector_role", "legal_representative")
    page.select_option("#id_collector_sex", "F")
    page.fill("#id_collector_birth_year", "1975")
    page.fill("#id_collector_citizenships", citizenship)
    form.get_by_label("passport", exact=True).check()
    form.get_by_label(f"{case.reference}: Birth certificate", exact=False).check()
    page.fill("#id_escorts", "Demo diplomat; MED; escort")
    page.select_option("#id_initial_custodian", label=custodian)
    page.click("[data-testid=transfer-form] button[type=submit]")
    page.wait_for_selector("[data-testid=plan-form]")


def _handover(page: Any, place: str, giver: str, taker: str, person: str = "",
              final: bool = False) -> None:
    page.select_option("#id_place", place)
    page.select_option("#id_from_org", label=giver)
    page.select_option("#id_to_org", label=taker)
    if person:
        page.fill("#id_to_person", person)
    if final:
        page.check("#id_is_final")
    page.click("[data-testid=handover-form] button[type=submit]")
    page.wait_for_selector("text=Handover planned.")


def _confirm(page: Any, transfer_url: str, side: str, number: int) -> None:
    page.goto(transfer_url)
    page.click(f"[data-testid=confirm-{side}-{number}]")
    page.wait_for_selector("text=Confirmed.")


@pytest.mark.django_db(transaction=True)
def test_one_round_end_to_end(session: Callable[[Any], Any], users: Any, orgs: Any,
                              make_child: Any, make_enquiry: Any, make_user: Any) -> None:
    home = approved_case(users, orgs, make_child, make_enquiry)  # RU→UA
    away = approved_case(users, orgs, make_child, make_enquiry, child_org="ua")  # UA→RU
    coordinator = session(users[("med", "coordinator")])

    coordinator.goto("/rounds/")
    coordinator.fill("#id_title", "February round")
    coordinator.fill("#id_planned_date", "2026-02-12")
    coordinator.select_option("#id_channel", "mediator")
    coordinator.fill("#id_channel_name", "State of Qatar")
    coordinator.select_option("#id_parties", label=["UA", "RU"])
    coordinator.click("[data-testid=round-form] button[type=submit]")
    coordinator.wait_for_selector("[data-testid=round-status]")
    round_ = Round.objects.get(title="February round")
    round_url = coordinator.url

    _add_case(coordinator, home, "RU", "UA", "qatar-embassy-moscow",
              "kyiv-child-protection-centre")
    _add_case(coordinator, away, "UA", "RU", "kyiv-child-protection-centre",
              "qatar-embassy-moscow")

    transfers = {}
    for case, collector, citizenship, custodian, legs in (
        (home, "Ганна Ковальчук", "UA", "RU", [
            ("ua-by-humanitarian", "RU", "UA", "", False),
            ("kyiv-child-protection-centre", "UA", "UA", "Ганна Ковальчук", True)]),
        (away, "Галина Сорокина", "RU", "UA", [
            ("ua-by-humanitarian", "UA", "RU", "", False),
            ("qatar-embassy-moscow", "RU", "RU", "Галина Сорокина", True)]),
    ):
        coordinator.goto(round_url)
        _plan_transfer(coordinator, case, collector, "grandmother" if case == away else
                       "mother", citizenship, custodian)
        transfers[case.pk] = coordinator.url
        coordinator.fill("#id_date", "2026-02-12")
        coordinator.click("[data-testid=plan-form] button[type=submit]")
        coordinator.wait_for_selector("[data-testid=proposed-route]")
        rejected = coordinator.inner_text("[data-testid=rejected-routes]")
        if case == home:
            # the closed crossing is avoided, the passport route refused, with reasons
            assert "Sumy–Kursk road crossing has been closed since 2022-02-24" in rejected
            assert "the child has no passport and Sheremetyevo Airport requires one" in rejected
        best = coordinator.inner_text("[data-testid=proposed-route] >> nth=0")
        assert "Sumy–Kursk" not in best and "Sheremetyevo" not in best
        assert coordinator.locator("[data-testid=proposed-route] svg").count() >= 1
        coordinator.click("[data-testid=use-route] >> nth=0")
        coordinator.wait_for_selector("[data-testid=route-map] svg")
        for place, giver, taker, person, final in legs:
            _handover(coordinator, place, giver, taker, person, final)

    coordinator.goto(round_url)
    coordinator.click("[data-testid=round-confirm]")
    coordinator.wait_for_selector("text=is now confirmed")
    coordinator.click("[data-testid=round-start]")
    coordinator.wait_for_selector("text=is now under way")

    ua_officer = session(users[("ua", "transfer_officer")])
    ru_officer = session(users[("ru", "transfer_officer")])
    ua_worker = session(users[("ua", "caseworker")])
    ru_worker = session(users[("ru", "caseworker")])
    home_url, away_url = transfers[home.pk], transfers[away.pk]

    _confirm(ru_officer, home_url, "release", 1)
    # released but not yet received: custody is flagged on the round
    coordinator.goto(round_url)
    assert "Custody is unconfirmed" in coordinator.inner_text("[data-testid=custody-flag]")
    coordinator.goto("/")  # the dashboard flags it too (loaded by htmx)
    flags = coordinator.wait_for_selector("[data-testid=dashboard-custody-flags]")
    assert "released, not yet received" in flags.inner_text()
    _confirm(ua_officer, home_url, "receive", 1)
    _confirm(ua_officer, home_url, "release", 2)
    _confirm(ua_worker, home_url, "receive", 2)
    _confirm(ua_officer, away_url, "release", 1)
    _confirm(ru_officer, away_url, "receive", 1)
    _confirm(ru_officer, away_url, "release", 2)
    _confirm(ru_worker, away_url, "receive", 2)

    coordinator.goto(round_url)
    assert coordinator.locator("[data-testid=custody-flag]").count() == 0
    table = coordinator.inner_text("[data-testid=round-children]")
    assert table.count("Reunified") == 2
    ua_worker.goto(f"/cases/{home.pk}/")  # the case page shows the chain of custody
    chain = ua_worker.wait_for_selector("[data-testid=custody-chain]").inner_text()
    assert "Ганна Ковальчук" in chain and chain.count("both sides") == 2
    home.refresh_from_db()
    away.refresh_from_db()
    assert home.state == away.state == "reunified"
    coordinator.click("[data-testid=round-complete]")
    coordinator.wait_for_selector("text=is now completed")

    with coordinator.expect_download() as download:
        coordinator.click("[data-testid=manifest-link]")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        open(download.value.path(), "rb").read())).pages)
    assert "Ганна Ковальчук" in text and "Галина Сорокина" in text
    coordinator.click("[data-testid=report-link]")
    report = coordinator.inner_text("[data-testid=round-report]")
    assert "RU→UA" in report and "UA→RU" in report
    coordinator.goto("/statistics/")
    assert coordinator.locator("[data-testid=chart-children-per-round] svg").count() == 1
    with coordinator.expect_download() as export:
        coordinator.click("[data-testid=public-export]")
    exported = open(export.value.path(), encoding="utf-8").read()
    assert "Aggregates only" in exported and "UA→RU,x" in exported
    ua_officer.goto("/rounds/")
    assert round_.reference in ua_officer.inner_text("[data-testid=round-list]")

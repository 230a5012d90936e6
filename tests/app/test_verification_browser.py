"""One case from *match proposed* to *approved for reunification*, in a real Chromium.

Set-up with the actions (a UA tracing request by a mother, a child in the RU registry, the
case shared with the mediator, at *match proposed*); then, in the browser: evidence
uploads by both parties' caseworkers, a DNA import (synthetic frequency database and a
simulated mother–child pair from the kinship engine) by the mediator's verifier, the
approvals of one verifier of each party, the best-interests determination, and the
mediator's coordinator moving the case to *approved for reunification*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reunite.cases.models import Case
from reunite.verification.models import Evidence
from tests.app.browser import BROWSER_MARKS, log_in, new_page
from tests.app.fixtures_verification import PDF, dna_files, make_case

pytestmark = BROWSER_MARKS


@pytest.fixture
def session(browser: Any, live_server: Any) -> Iterator[Callable[[Any], Any]]:
    """Open a logged-in page for a user (one browser context each); no page may log errors."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_as(user: Any) -> Any:
        context, page = new_page(browser, live_server.url, errors)
        contexts.append(context)
        log_in(page, user)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not errors, f"browser errors: {errors}"


def _tab(page: Any, case: Case) -> None:
    """From the case page, through the htmx-loaded section, to the verification tab."""
    page.goto(f"/cases/{case.pk}/")
    page.wait_for_selector("[data-testid=open-verification]")  # loaded by htmx
    page.click("[data-testid=open-verification]")
    page.wait_for_selector("[data-testid=checklist]")


def _add_evidence(page: Any, kind: str, title: str, file: Path | None = None, **extra: str) -> None:
    page.select_option("#ev_kind", kind)
    page.fill("#ev_title", title)
    page.fill("#ev_provided_by", extra.pop("provided_by", "Civil registry (synthetic)"))
    for selector, value in extra.items():
        if selector.startswith("select:"):
            page.select_option(selector[7:], value)
        elif selector.startswith("check:"):
            page.check(selector[6:])
        else:
            page.fill(selector, value)
    if file is not None:
        page.set_input_files("#ev_file", str(file))
    page.click("[data-testid=evidence-form] button[type=submit]")
    page.wait_for_selector("text=added.")


def _move(page: Any, case: Case, state: str, label: str) -> None:
    page.goto(f"/cases/{case.pk}/")
    page.select_option("#id_to_state", state)
    page.click("button:has-text('Move case')")
    page.wait_for_selector(f"text=Case moved to '{label}'.")


def _approve_all(page: Any, case: Case) -> None:
    _tab(page, case)
    for item in Evidence.objects.filter(case=case, withdrawn_at__isnull=True):
        page.check(f"[data-testid=decision-form] input[name=evidence][value='{item.pk}']")
    page.select_option("#dec_decision", "approve")
    page.click("[data-testid=decision-form] button[type=submit]")
    page.wait_for_selector("text=You approved the claimed relationship.")


@pytest.mark.django_db(transaction=True)
def test_a_case_from_match_proposed_to_approved_for_reunification(
    session: Any, users: Any, orgs: Any, make_child: Any, make_enquiry: Any, tmp_path: Path
) -> None:
    case = make_case(users, orgs, make_child, make_enquiry)
    assert case.state == "match_proposed"
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(PDF)
    profiles, frequencies = dna_files()
    (tmp_path / "profiles.csv").write_bytes(profiles.read())
    (tmp_path / "frequencies.csv").write_bytes(frequencies.read())

    # The UA caseworker: the child's birth certificate and the mother's passport.
    page = session(users[("ua", "caseworker")])
    _tab(page, case)
    assert page.inner_text("[data-testid=status-relationship]") == "missing"
    _add_evidence(page, "birth_certificate", "Birth certificate of the child", certificate,
                  **{"#ev_issued_on": "2012-03-20"})  # fmt: skip
    _add_evidence(page, "identity_document", "Passport of the mother", certificate,
                  **{"#ev_expires_on": "2031-05-01"})  # fmt: skip
    assert page.inner_text("[data-testid=status-child_identity]") == "present"
    assert page.inner_text("[data-testid=status-claimant_identity]") == "present"
    # A wrong-type file is refused with a clear message; nothing is saved.
    (tmp_path / "notes.pdf").write_bytes(b"not really a pdf")
    page.select_option("#ev_kind", "death_certificate")
    page.fill("#ev_title", "Scan")
    page.fill("#ev_provided_by", "Someone")
    page.set_input_files("#ev_file", str(tmp_path / "notes.pdf"))
    page.click("[data-testid=evidence-form] button[type=submit]")
    page.wait_for_selector("text=Only JPEG, PNG and PDF files are accepted")
    assert Evidence.objects.count() == 2

    # The RU caseworker: the child's own views and the joint verification report.
    page = session(users[("ru", "caseworker")])
    _tab(page, case)
    _add_evidence(
        page, "interview", "Interview with the child", None,
        **{"select:#ev_interviewee": "child", "check:#ev_supports_4": "",
           "#ev_notes": "«Я хочу до мами», says the child (13)."},
    )  # fmt: skip
    _add_evidence(page, "verification_report", "Joint verification report UA–RU", certificate)
    assert page.inner_text("[data-testid=status-child_wishes]") == "present"
    assert page.inner_text("[data-testid=status-joint_report]") == "present"

    # The mediator's verifier imports the DNA test; the report shows the per-locus table.
    page = session(users[("med", "verifier")])
    _tab(page, case)
    page.set_input_files("#dna_profiles", str(tmp_path / "profiles.csv"))
    page.set_input_files("#dna_frequencies", str(tmp_path / "frequencies.csv"))
    page.fill("#dna_claimant_profile", "M-01")
    page.fill("#dna_child_profile", "C-07")
    page.select_option("#dna_relationship", "parent-child")
    page.fill("#dna_theta", "0.01")
    page.click("[data-testid=dna-form] button[type=submit]")
    page.wait_for_selector("[data-testid=locus-table]")
    assert "support" in page.inner_text("[data-testid=verbal]")
    assert "SYNTHETIC" in page.content()
    with page.expect_download() as download:
        page.click("[data-testid=kinship-pdf]")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # One verifier of each party approves, relying on everything on file.
    page = session(users[("ua", "verifier")])
    _move(page, case, "verification", "Verification")
    _approve_all(page, case)
    assert page.inner_text("[data-testid=verified]") == "not verified"
    page = session(users[("ru", "verifier")])
    _approve_all(page, case)
    assert page.inner_text("[data-testid=verified]") == "verified"
    page = session(users[("ua", "verifier")])
    _move(page, case, "best_interests", "Best-interests determination")

    # Not yet: the coordinator sees what is missing.
    coordinator = session(users[("med", "coordinator")])
    coordinator.goto(f"/cases/{case.pk}/")
    coordinator.wait_for_selector("[data-testid=missing-for-approved]")
    assert "no best-interests decision in favour" in coordinator.inner_text(
        "[data-testid=missing-for-approved]"
    )

    # The UA caseworker records the best-interests determination (with the child's words).
    page = session(users[("ua", "caseworker")])
    _tab(page, case)
    for i, (name, role) in enumerate(
        [("Olena Test", "social worker"), ("Petro Test", "psychologist"),
         ("Iryna Test", "lawyer")], 1,
    ):  # fmt: skip
        page.fill(f"#bid_panel_name_{i}", name)
        page.fill(f"#bid_panel_role_{i}", role)
    page.fill("#bid_decided_on", "2026-01-15")
    page.fill("#bid_child_views", "Я хочу додому до мами.")
    page.fill("#bid_child_views_language", "uk")
    page.check("#bid_child_views_verbatim")
    page.fill("#bid_risks_family", "None known.")
    page.fill("#bid_risks_journey", "Escorted journey through a third country.")
    page.fill("#bid_options_considered", "Reunification with the mother\nStay in current care")
    page.select_option("#bid_decision", "in_favour")
    page.fill("#bid_reasons", "The child wishes to return; the mother can care for her.")
    page.click("[data-testid=bid-form] button[type=submit]")
    page.wait_for_selector("text=Best-interests determination recorded.")
    assert "Я хочу додому до мами." in page.inner_text("[data-testid=bid]")

    # The mediator's coordinator moves the case to approved for reunification.
    coordinator.goto(f"/cases/{case.pk}/")
    coordinator.wait_for_selector("text=Nothing from verification stops")
    coordinator.select_option("#id_to_state", "approved")
    coordinator.click("button:has-text('Move case')")
    coordinator.wait_for_selector("text=Case moved to 'Approved for reunification'.")
    assert coordinator.inner_text("[data-testid=case-state]") == "Approved for reunification"
    case.refresh_from_db()
    assert case.state == "approved"

"""Follow-up in a real browser: an overdue visit is flagged, recorded, and the flag goes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from reunite.cases import actions as case_actions
from reunite.reunification.models import FollowUpPlan, FollowUpVisit
from tests.app.browser import BROWSER_MARKS, log_in
from tests.app.conftest import acting
from tests.app.fixtures_verification import make_case

pytestmark = BROWSER_MARKS

STEPS = (
    ("verification", ("ua", "verifier")), ("best_interests", ("ua", "verifier")),
    ("approved", ("med", "coordinator")), ("scheduled", ("med", "coordinator")),
    ("in_transit", ("ua", "transfer_officer")), ("reunified", ("ua", "transfer_officer")),
)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_record_an_overdue_visit(
    page: Any, users: Any, orgs: Any, make_child: Any, make_enquiry: Any, monkeypatch: Any
) -> None:
    for state, _ in STEPS:  # verification and custody are tested elsewhere
        monkeypatch.setitem(case_actions.TRANSITION_GUARDS, state, [])
    case = make_case(users, orgs, make_child, make_enquiry)
    for state, who in STEPS:
        case = case_actions.transition_case(acting(users[who]), case, state)
    plan = FollowUpPlan.objects.get(case=case)
    FollowUpPlan.objects.filter(pk=plan.pk).update(
        started_at=plan.started_at - dt.timedelta(days=10)
    )
    first = plan.visits.first()
    FollowUpVisit.objects.filter(pk=first.pk).update(due_on=first.due_on - dt.timedelta(days=10))

    log_in(page, users[("ua", "caseworker")])
    page.wait_for_selector("[data-testid=dashboard-followup-overdue]")
    assert "1 visit overdue" in page.inner_text("[data-testid=dashboard-followup-overdue]")
    page.click("[data-testid=dashboard-followup-overdue]")
    page.click(f"text={case.reference}")
    page.wait_for_selector("[data-testid=followup-overdue]")
    page.fill(f"#v{first.pk}_school", "Enrolled in grade 6")
    page.fill(f"#v{first.pk}_documents_to_restore", "Ukrainian passport")
    page.select_option(f"#v{first.pk}_outcome", "needs_support")
    page.click(f"[data-testid=record-{first.pk}] >> button")
    page.wait_for_selector("text=Visit recorded.")
    assert page.locator("[data-testid=followup-overdue]").count() == 0
    assert "Enrolled in grade 6" in page.inner_text(f"[data-testid=visit-{first.pk}]")
    # The case page shows the plan too (loaded by htmx).
    page.goto(page.url.split("/reunification/")[0] + f"/cases/{case.pk}/")
    page.wait_for_selector("[data-testid=followup-section] >> text=About 1 month")

"""Every write to a follow-up plan: checked against the policy, audited in one transaction.

Entering *reunified* starts the plan (:func:`start_plan`, a transition hook of the cases
app); caseworkers then add, move, cancel and record visits. A case that has a plan closes
only once the plan is complete, or with a note that says why it closes before
(:func:`closing_guard`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.cases.models import Case
from reunite.core.acting import Acting
from reunite.reunification.models import FollowUpPlan, FollowUpVisit, VisitOutcome, VisitStatus

# The default plan: about one week, one month and three months after reunification.
DEFAULT_VISITS: tuple[tuple[int, Any], ...] = (
    (7, gettext_lazy("About 1 week")),
    (30, gettext_lazy("About 1 month")),
    (90, gettext_lazy("About 3 months")),
)
RECORD_FIELDS = (
    "visited_on", "needs_assessment", "psychological_support", "school",
    "documents_to_restore", "outcome", "notes",
)  # fmt: skip
MAX_TEXT = 5000
MAX_LABEL = 80


def _visit_json(visit: FollowUpVisit) -> dict[str, Any]:
    return {"label": visit.label, "due_on": visit.due_on.isoformat(), "status": visit.status}


def _plan_of(acting: Acting, case: Case, action: str) -> FollowUpPlan:
    """The case's plan, locked, after the policy allowed ``action`` on the case."""
    policy.require(acting.user, action, case)
    try:
        return FollowUpPlan.objects.select_for_update().get(case=case)
    except FollowUpPlan.DoesNotExist:
        raise ValidationError(_("This case has no follow-up plan.")) from None


def _refresh_completion(plan: FollowUpPlan) -> None:
    """Complete when no visit is still planned and at least one took place."""
    statuses = set(plan.visits.values_list("status", flat=True))
    complete = VisitStatus.PLANNED not in statuses and VisitStatus.DONE in statuses
    if complete and plan.completed_at is None:
        plan.completed_at = timezone.now()
    elif not complete:
        plan.completed_at = None
    plan.save(update_fields=["completed_at"])


def _check_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Give the visit a name (e.g. “About 6 months”).")})
    if len(label) > MAX_LABEL:
        raise ValidationError({"label": _("At most %(n)d characters.") % {"n": MAX_LABEL}})
    return label


def _check_due(plan: FollowUpPlan, due_on: Any) -> dt.date:
    if not isinstance(due_on, dt.date):
        raise ValidationError({"due_on": _("Give the date the visit is due (YYYY-MM-DD).")})
    started = timezone.localtime(plan.started_at).date()
    if due_on < started:
        raise ValidationError(
            {"due_on": _("A visit cannot be due before reunification (%(date)s).")
             % {"date": started.isoformat()}}
        )  # fmt: skip
    return due_on


# Starting ---------------------------------------------------------------------------------


def start_plan(acting: Acting, case: Case) -> FollowUpPlan:
    """Start the default plan of a case that has just been reunified (once; later calls no-op).

    Runs inside the transition's transaction (a hook on "reunified"), whose own policy check
    allowed the step; the plan belongs to the party that reunified the child.
    """
    existing = FollowUpPlan.objects.filter(case=case).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    plan = FollowUpPlan.objects.create(
        case=case, organization=acting.organization, started_by=acting.user
    )
    visits = FollowUpVisit.objects.bulk_create(
        FollowUpVisit(plan=plan, label=str(label), due_on=today + dt.timedelta(days=days))
        for days, label in DEFAULT_VISITS
    )
    log_event(
        acting.audit_actor, "create", "followup_plan", plan.pk,
        {"case": [None, case.pk], "visits": [None, [_visit_json(v) for v in visits]]},
    )  # fmt: skip
    return plan


# Editing the plan -------------------------------------------------------------------------


@transaction.atomic
def add_visit(acting: Acting, case: Case, label: str, due_on: dt.date) -> FollowUpVisit:
    plan = _plan_of(acting, case, "followup.manage")
    visit = FollowUpVisit(plan=plan, label=_check_label(label), due_on=_check_due(plan, due_on))
    visit.save()
    _refresh_completion(plan)
    log_event(
        acting.audit_actor, "create", "followup_visit", visit.pk,
        {"case": [None, case.pk], **{k: [None, v] for k, v in _visit_json(visit).items()}},
    )  # fmt: skip
    return visit


def _locked_visit(acting: Acting, visit: FollowUpVisit) -> tuple[Case, FollowUpVisit]:
    case = visit.plan.case
    _plan_of(acting, case, "followup.manage")
    return case, FollowUpVisit.objects.select_for_update().get(pk=visit.pk)


def _require_planned(visit: FollowUpVisit) -> None:
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(
            _("This visit is already %(status)s.") % {"status": visit.get_status_display().lower()}
        )


@transaction.atomic
def reschedule_visit(
    acting: Acting, visit: FollowUpVisit, due_on: dt.date, label: str | None = None
) -> FollowUpVisit:
    _case, visit = _locked_visit(acting, visit)
    _require_planned(visit)
    before = _visit_json(visit)
    visit.due_on = _check_due(visit.plan, due_on)
    if label is not None:
        visit.label = _check_label(label)
    visit.save(update_fields=["due_on", "label"])
    after = _visit_json(visit)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        log_event(acting.audit_actor, "update", "followup_visit", visit.pk, changes)
    return visit


@transaction.atomic
def cancel_visit(acting: Acting, visit: FollowUpVisit, reason: str) -> FollowUpVisit:
    _case, visit = _locked_visit(acting, visit)
    _require_planned(visit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the visit is cancelled.")})
    visit.status = VisitStatus.CANCELLED
    visit.cancel_reason = reason[:MAX_TEXT]
    visit.save(update_fields=["status", "cancel_reason"])
    _refresh_completion(visit.plan)
    log_event(
        acting.audit_actor, "update", "followup_visit", visit.pk,
        {"status": [VisitStatus.PLANNED, VisitStatus.CANCELLED], "cancel_reason": [None, reason]},
    )  # fmt: skip
    return visit


@transaction.atomic
def record_visit(
    acting: Acting, visit: FollowUpVisit, fields: Mapping[str, Any]
) -> FollowUpVisit:
    """Record what a visit found: the date, the four topics and the outcome."""
    _case, visit = _locked_visit(acting, visit)
    _require_planned(visit)
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    errors: dict[str, str] = {}
    visited_on = fields.get("visited_on")
    started = timezone.localtime(visit.plan.started_at).date()
    if not isinstance(visited_on, dt.date):
        errors["visited_on"] = _("Give the date of the visit (YYYY-MM-DD).")
    elif visited_on > timezone.localdate():
        errors["visited_on"] = _("The visit date is in the future.")
    elif visited_on < started:
        errors["visited_on"] = _("The visit cannot be before reunification (%(date)s).") % {
            "date": started.isoformat()
        }
    if fields.get("outcome") not in VisitOutcome.values:
        errors["outcome"] = _("Choose the outcome of the visit.")
    for name in ("needs_assessment", "psychological_support", "school", "documents_to_restore",
                 "notes"):  # fmt: skip
        if len(str(fields.get(name) or "")) > MAX_TEXT:
            errors[name] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    for name in RECORD_FIELDS:
        value = fields.get(name)
        setattr(visit, name, value if name == "visited_on" else str(value or "").strip())
    visit.status = VisitStatus.DONE
    visit.recorded_by = acting.user
    visit.recorded_at = timezone.now()
    visit.save()
    _refresh_completion(visit.plan)
    changes: dict[str, Any] = {"status": [VisitStatus.PLANNED, VisitStatus.DONE]}
    changes.update({name: [None, getattr(visit, name)] for name in RECORD_FIELDS})
    log_event(acting.audit_actor, "update", "followup_visit", visit.pk, changes)
    return visit


# Reading ----------------------------------------------------------------------------------


def visible_visits(user: Any) -> QuerySet[FollowUpVisit]:
    """The visits of the plans of every case visible to the user (none without the right)."""
    if not policy.has_permission(user, "followup.view"):
        return FollowUpVisit.objects.none()
    cases = policy.visible(user, Case.objects.all())
    return FollowUpVisit.objects.filter(plan__case__in=cases.values("pk")).select_related(
        "plan__case"
    )


def overdue_visits(user: Any, today: dt.date | None = None) -> QuerySet[FollowUpVisit]:
    today = today or timezone.localdate()
    return visible_visits(user).filter(status=VisitStatus.PLANNED, due_on__lt=today)


def overdue_column(user: Any, cases: Any) -> dict[int, str]:
    """The case list's follow-up cell: how many visits of the case are overdue."""
    if not policy.has_permission(user, "followup.view"):
        return {}
    rows = (
        FollowUpVisit.objects.filter(
            plan__case__in=[c.pk for c in cases], status=VisitStatus.PLANNED,
            due_on__lt=timezone.localdate(),
        )
        .values_list("plan__case_id", flat=True)
    )  # fmt: skip
    counts: dict[int, int] = {}
    for case_id in rows:
        counts[case_id] = counts.get(case_id, 0) + 1
    return {
        case_id: ngettext("%(n)d visit overdue", "%(n)d visits overdue", n) % {"n": n}
        for case_id, n in counts.items()
    }


# The closing guard ------------------------------------------------------------------------


def closing_guard(case: Case, note: str = "") -> list[str]:
    """A case with an unfinished plan closes only with a note that says why."""
    plan = FollowUpPlan.objects.filter(case=case).first()
    if plan is None or plan.is_complete or note.strip():
        return []
    return [
        _("a complete follow-up plan (every visit done or cancelled), or a note saying why "
          "the case closes before it is")
    ]  # fmt: skip

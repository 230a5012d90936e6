"""Follow-up screens: the plan of a case (with the panel on the case page) and the visit list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reunite.accounts import policy
from reunite.cases.models import Case
from reunite.core.acting import Acting
from reunite.registry import actions as registry_actions
from reunite.reunification.actions import followup as actions
from reunite.reunification.forms.followup import (
    VisitAddForm,
    VisitCancelForm,
    VisitRecordForm,
    VisitRescheduleForm,
)
from reunite.reunification.models import FollowUpPlan, FollowUpVisit

PAGE_SIZE = 50


def _case(request: HttpRequest, pk: int) -> Case:
    return policy.get_visible_or_404(  # type: ignore[return-value]
        request.user, Case.objects.select_related("child", "enquiry"), pk, "followup.view"
    )


def _plan_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    plan = FollowUpPlan.objects.filter(case=case).first()
    visits = list(plan.visits.select_related("recorded_by")) if plan else []
    today = timezone.localdate()
    return {
        "case": case,
        "plan": plan,
        "visits": [(v, v.is_overdue(today)) for v in visits],
        "overdue": sum(1 for v in visits if v.is_overdue(today)),
        "can_manage": plan is not None and policy.can(request.user, "followup.manage", case),
    }


@login_required
def case_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The follow-up summary on the case page (loaded by htmx)."""
    case = _case(request, pk)
    registry_actions.record_view(Acting.from_request(request), case)
    return render(request, "reunification/_followup_panel.html", _plan_context(request, case))


@login_required
def case_plan(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    registry_actions.record_view(Acting.from_request(request), case)
    context = _plan_context(request, case)
    today = timezone.localdate()
    # One form of each kind per visit, with ids of their own (labels point at their fields).
    context["visits"] = [
        (visit, late, {
            "record": VisitRecordForm(auto_id=f"v{visit.pk}_%s", initial={"visited_on": today}),
            "reschedule": VisitRescheduleForm(auto_id=f"v{visit.pk}_move_%s"),
            "cancel": VisitCancelForm(auto_id=f"v{visit.pk}_cancel_%s"),
        })
        for visit, late in context["visits"]
    ]  # fmt: skip
    context.update(add_form=VisitAddForm())
    return render(request, "reunification/followup_case.html", context)


def _form_errors(form: Any) -> str:
    return "; ".join(
        f"{form.fields[f].label if f in form.fields else ''}: {' '.join(map(str, e))}".lstrip(": ")
        for f, e in form.errors.items()
    )


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)


def _visit(request: HttpRequest, pk: int) -> FollowUpVisit:
    """A visit of a plan whose case the user may see (404 otherwise), for a manager only."""
    visit = FollowUpVisit.objects.select_related("plan__case").filter(pk=pk).first()
    if visit is None:
        from django.http import Http404

        raise Http404
    _case(request, visit.plan.case_id)
    if not policy.can(request.user, "followup.manage", visit.plan.case):
        raise PermissionDenied
    return visit


def _back(case_pk: int) -> HttpResponse:
    return redirect(reverse("reunification:followup-case", args=[case_pk]))


@login_required
@require_POST
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    policy.require(request.user, "followup.manage", case)
    form = VisitAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Visit not added: %(errors)s") % {"errors": _form_errors(form)})
        return _back(case.pk)
    try:
        actions.add_visit(
            Acting.from_request(request), case, form.cleaned_data["label"],
            form.cleaned_data["due_on"],
        )  # fmt: skip
        messages.success(request, _("Visit added."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(case.pk)


@login_required
@require_POST
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = VisitRecordForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Visit not recorded: %(errors)s") % {"errors": _form_errors(form)}
        )
        return _back(visit.plan.case_id)
    try:
        actions.record_visit(Acting.from_request(request), visit, form.cleaned_data)
        messages.success(request, _("Visit recorded."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(visit.plan.case_id)


@login_required
@require_POST
def visit_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = VisitRescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Visit not moved: %(errors)s") % {"errors": _form_errors(form)})
        return _back(visit.plan.case_id)
    try:
        actions.reschedule_visit(Acting.from_request(request), visit, form.cleaned_data["due_on"])
        messages.success(request, _("Visit moved."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(visit.plan.case_id)


@login_required
@require_POST
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = VisitCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the visit is cancelled."))
        return _back(visit.plan.case_id)
    try:
        actions.cancel_visit(Acting.from_request(request), visit, form.cleaned_data["reason"])
        messages.success(request, _("Visit cancelled."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(visit.plan.case_id)


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    """Planned visits of every visible case, soonest first; overdue ones flagged."""
    if not policy.has_permission(request.user, "followup.view"):
        raise PermissionDenied
    show = request.GET.get("show", "due")
    today = timezone.localdate()
    visits = actions.visible_visits(request.user).filter(status="planned")
    if show == "overdue":
        visits = visits.filter(due_on__lt=today)
    page = Paginator(visits.order_by("due_on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    registry_actions.record_list(
        Acting.from_request(request), "case", sorted({v.plan.case_id for v in page}),
        f"followup:{show}",
    )  # fmt: skip
    rows = [(v, v.is_overdue(today)) for v in page]
    return render(
        request, "reunification/followup_list.html",
        {"page": page, "rows": rows, "show": show,
         "overdue_total": actions.overdue_visits(request.user, today).count()},
    )  # fmt: skip

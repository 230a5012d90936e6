"""Case screens: the list, one case with its timeline, opening, linking and moving a case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as DbCase
from django.db.models import IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reunite.accounts import policy
from reunite.cases import actions as case_actions
from reunite.cases.forms import LinkChildForm, TransitionForm
from reunite.cases.models import CASE_STATE_ORDER, Case, CaseState, ClosingReason
from reunite.cases.waiting import cases_to_move
from reunite.core import listing
from reunite.core.acting import Acting
from reunite.core.forms import ShareForm
from reunite.registry import actions as registry_actions
from reunite.registry.history import record_history
from reunite.registry.models import Child, Enquiry

PAGE_SIZE = 25

# The case list's columns and what each sorts by (state: in the order of the process).
CASE_STATE_RANK = DbCase(
    *[When(state=s, then=Value(i)) for i, s in enumerate(CASE_STATE_ORDER)],
    default=Value(99),
    output_field=IntegerField(),
)
CASE_COLUMNS = [
    listing.Column("reference", gettext_lazy("Case"), ("reference",)),
    listing.Column("state", gettext_lazy("State"), ("state_order",)),
    listing.Column("child", gettext_lazy("Child"), ("child_id",)),
    listing.Column("enquiry", gettext_lazy("Tracing request"), ("enquiry_id",)),
    listing.Column("owner", gettext_lazy("Owner"), ("owner__short_name",)),
    listing.Column("updated", gettext_lazy("Last change"), ("updated_at",)),
]


def _acting(request: HttpRequest) -> Acting:
    return Acting.from_request(request)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "case.view"):
        raise PermissionDenied
    cases = policy.visible(request.user, Case.objects.all()).select_related("enquiry", "child")
    state = request.GET.get("state", "")
    if state in CaseState.values:
        cases = cases.filter(state=state)
    owner = request.GET.get("owner", "")
    if owner:
        cases = cases.filter(owner__short_name=owner)
    waiting_only = request.GET.get("waiting") == "1"
    if waiting_only:  # the cases whose next step is the user's (from the dashboard)
        cases = cases.filter(pk__in=cases_to_move(request.user).values("pk"))
    cases = cases.annotate(state_order=CASE_STATE_RANK)
    key = listing.sort_key(request, CASE_COLUMNS, "-updated")
    cases = listing.apply_sort(cases.select_related("owner"), CASE_COLUMNS, key)
    page = Paginator(cases.prefetch_related("child__names"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    registry_actions.record_list(_acting(request), "case", [c.pk for c in page], state)
    owners = sorted(
        set(
            policy.visible(request.user, Case.objects.all())
            .values_list("owner__short_name", flat=True)
            .distinct()
        )
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page, "state": state, "states": CaseState.choices, "owner": owner,
            "owners": owners, "waiting_only": waiting_only,
            "headers": listing.headers(request, CASE_COLUMNS, key),
            "query_string": listing.query_without_page(request),
        },
    )  # fmt: skip


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case: Case = policy.get_visible_or_404(
        request.user, Case.objects.select_related("enquiry", "child", "owner"), pk, "case.view"
    )  # type: ignore[assignment]
    registry_actions.record_view(_acting(request), case)
    allowed = policy.allowed_transitions(request.user, case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor", "organization"),
            "allowed": [(s, CaseState(s).label) for s in allowed],
            "steps": [
                (value, label, index < CASE_STATE_ORDER.index(case.state))
                for index, (value, label) in enumerate(CaseState.choices)
            ],
            "closing_reasons": ClosingReason.choices,
            "history": record_history(request.user, case),
            "child_visible": case.child is not None and policy.is_visible(request.user, case.child),
            "enquiry_visible": case.enquiry is not None
            and policy.is_visible(request.user, case.enquiry),
            "can_link": policy.has_permission(request.user, "case.create")
            and case.child_id is None,
            "can_share": policy.can(request.user, "record.share", case),
            "share_form": ShareForm(),
            "link_form": LinkChildForm(),
            "transition_form": TransitionForm(),
        },
    )


@login_required
@require_POST
def case_open(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "case.create")
    enquiry = child = None
    if request.POST.get("enquiry"):
        enquiry = policy.get_visible_or_404(
            request.user, Enquiry.objects.all(), request.POST["enquiry"], "enquiry.view"
        )
    if request.POST.get("child"):
        child = policy.get_visible_or_404(
            request.user, Child.objects.all(), request.POST["child"], "child.view"
        )
    try:
        case = case_actions.open_case(_acting(request), enquiry=enquiry, child=child)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dashboard")
    messages.success(request, _("Case %(reference)s opened.") % {"reference": case.reference})
    return redirect("case-detail", pk=case.pk)


@login_required
@require_POST
def case_link_child(request: HttpRequest, pk: int) -> HttpResponse:
    case = policy.get_visible_or_404(request.user, Case.objects.all(), pk, "case.view")
    form = LinkChildForm(request.POST)
    if form.is_valid():
        child = policy.get_visible_or_404(
            request.user, Child.objects.all(), form.cleaned_data["child"], "child.view"
        )
        try:
            case_actions.link_case(_acting(request), case, child=child)  # type: ignore[arg-type]
            messages.success(request, _("Child linked to the case."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Give the child's record number."))
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case: Case = policy.get_visible_or_404(request.user, Case.objects.all(), pk, "case.view")  # type: ignore[assignment]
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid next state."))
        return redirect("case-detail", pk=pk)
    data = form.cleaned_data
    try:
        case = case_actions.transition_case(
            _acting(request), case, data["to_state"], note=data["note"],
            closing_reason=data["closing_reason"],
        )  # fmt: skip
        messages.success(
            request, _("Case moved to '%(state)s'.") % {"state": case.get_state_display()}
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("case-detail", pk=pk)

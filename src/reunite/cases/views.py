"""Case screens: the list, one case with its timeline, opening, linking and moving a case."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as DbCase
from django.db.models import IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reunite.accounts import policy
from reunite.cases import actions as case_actions
from reunite.cases.columns import column_cells
from reunite.cases.forms import AssignForm, LinkChildForm, TransitionForm, UnlinkForm
from reunite.cases.models import CASE_STATE_ORDER, Case, CaseEvent, CaseState, ClosingReason
from reunite.cases.waiting import cases_to_move
from reunite.core import listing
from reunite.core.acting import Acting
from reunite.core.forms import ShareForm
from reunite.registry import actions as registry_actions
from reunite.registry.history import record_history
from reunite.registry.models import Child, Enquiry
from reunite.registry.search import filter_by_name

PAGE_SIZE = 25

# The case list's columns and what each sorts by (state: in the order of the process).
CASE_STATE_RANK = DbCase(
    *[When(state=s, then=Value(i)) for i, s in enumerate(CASE_STATE_ORDER)],
    default=Value(99),
    output_field=IntegerField(),
)
# Names are shown as far as the user may see them, so they are not sortable (sorting would
# reveal the order of names the user may not see). "days" sorts by days in the state: the
# fewest first, i.e. the latest entry into the state first.
CASE_COLUMNS = [
    listing.Column("reference", gettext_lazy("Case"), ("reference",)),
    listing.Column("child", gettext_lazy("Child")),
    listing.Column("requester", gettext_lazy("Requester")),
    listing.Column("state", gettext_lazy("State"), ("state_order",)),
    listing.Column("days", gettext_lazy("Days in state"), ("-state_since",)),
    listing.Column("assigned", gettext_lazy("Caseworker"), ("assigned_to__username",)),
    listing.Column("owner", gettext_lazy("Owner"), ("owner__short_name",)),
    listing.Column("updated", gettext_lazy("Last change"), ("updated_at",)),
]


def _acting(request: HttpRequest) -> Acting:
    return Acting.from_request(request)


def _name_searchable(user: Any, model: type[Child] | type[Enquiry], cases: Any) -> Any:
    """The records of ``model`` whose names the user may search: visible ones, plus for a
    mediator's coordinator those linked to the cases they coordinate."""
    records = policy.visible(user, model.objects.all())
    if policy.is_mediator_coordinator(user):
        return model.objects.filter(
            Q(pk__in=records.values("pk")) | Q(cases__in=cases.values("pk"))
        ).distinct()
    return records


def case_rows(user: Any, cases: Any) -> list[dict[str, Any]]:
    """What the case list shows of each case, as far as the user may see it."""
    now = timezone.now()
    rows = []
    for case in cases:
        summary = policy.sees_coordination_summary(user, case)
        child_shown = case.child is not None and (summary or policy.is_visible(user, case.child))
        enquiry_shown = case.enquiry is not None and (
            summary or policy.is_visible(user, case.enquiry)
        )
        since = getattr(case, "state_since", None)
        rows.append({
            "case": case,
            "child": case.child.display_name if child_shown and case.child else "",
            "child_hidden": case.child is not None and not child_shown,
            "requester": case.enquiry.enquirer.display_name if enquiry_shown and case.enquiry
            else "",
            "sought": case.enquiry.display_name if enquiry_shown and case.enquiry else "",
            "enquiry_hidden": case.enquiry is not None and not enquiry_shown,
            "days_in_state": (now - since).days if since else None,
        })  # fmt: skip
    return rows


def _age(child: Child) -> str:
    if child.birth_date and child.birth_date_precision != "unknown":
        today = timezone.localdate()
        born = child.birth_date
        return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))
    if child.estimated_age is not None:
        return _("about %(n)d") % {"n": child.estimated_age}
    return ""


def coordination_summary(case: Case) -> dict[str, Any]:
    """The minimum a mediator's coordinator sees of a case's child and request.

    Names, age and direction (from the party that holds the child to the party that
    seeks them); never a location, custodian, contact or note (see
    ``policy.sees_coordination_summary``).
    """
    child, enquiry = case.child, case.enquiry
    return {
        "child": child.display_name if child else "",
        "sex": child.get_sex_display() if child and child.sex else "",
        "age": _age(child) if child else "",
        "sought": enquiry.display_name if enquiry else "",
        "requester": enquiry.enquirer.display_name if enquiry else "",
        "relationship": enquiry.get_enquirer_relationship_display() if enquiry else "",
        "direction": (
            f"{child.owner.country} → {enquiry.owner.country}" if child and enquiry else ""
        ),
    }


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "case.view"):
        raise PermissionDenied
    visible = policy.visible(request.user, Case.objects.all())
    # When the case entered its current state: the newest timeline step into that state.
    entered_current_state = (
        CaseEvent.objects.filter(case=OuterRef("pk"), to_state=OuterRef("state"))
        .order_by("-at")
        .values("at")[:1]
    )
    cases = (
        Case.objects.filter(pk__in=visible.values("pk"))
        .select_related("enquiry__enquirer", "child", "owner", "assigned_to")
        .prefetch_related("child__names")
        .annotate(state_since=Subquery(entered_current_state))
    )
    state = request.GET.get("state", "")
    if state in CaseState.values:
        cases = cases.filter(state=state)
    elif state == "open":
        cases = cases.exclude(state=CaseState.CLOSED)
    owner = request.GET.get("owner", "")
    if owner:
        cases = cases.filter(owner__short_name=owner)
    waiting_only = request.GET.get("waiting") == "1"
    if waiting_only:  # the cases whose next step is the user's (from the dashboard)
        cases = cases.filter(pk__in=cases_to_move(request.user).values("pk"))
    query = (request.GET.get("q") or "").strip()[:200]
    if query:
        children = filter_by_name(_name_searchable(request.user, Child, visible), query)
        enquiries = filter_by_name(_name_searchable(request.user, Enquiry, visible), query)
        cases = cases.filter(
            Q(reference__icontains=query)
            | Q(child__in=children.values("pk"))
            | Q(enquiry__in=enquiries.values("pk"))
        )
    mine = request.GET.get("mine") == "1"
    if mine:
        cases = cases.filter(assigned_to_id=request.user.pk)
    cases = cases.annotate(state_order=CASE_STATE_RANK)
    key = listing.sort_key(request, CASE_COLUMNS, "-updated")
    cases = listing.apply_sort(cases, CASE_COLUMNS, key)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    registry_actions.record_list(
        _acting(request), "case", [c.pk for c in page], f"q={query}&state={state}&sort={key}"
    )
    labels, cells = column_cells(request.user, list(page))
    rows = case_rows(request.user, page)
    for row in rows:
        row["extra"] = cells[row["case"].pk]
    owners = sorted(set(visible.values_list("owner__short_name", flat=True).distinct()))
    return render(
        request, "cases/case_list.html",
        {"page": page, "rows": rows, "state": state, "states": CaseState.choices,
         "owner": owner, "owners": owners, "waiting_only": waiting_only, "query": query,
         "mine": mine, "extra_labels": labels,
         "headers": listing.headers(request, CASE_COLUMNS, key),
         "query_string": listing.query_without_page(request)},
    )  # fmt: skip


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case: Case = policy.get_visible_or_404(request.user, Case.objects.all(), pk, "case.assign")  # type: ignore[assignment]
    form = AssignForm(case, request.POST)
    if form.is_valid():
        try:
            case_actions.assign_case(_acting(request), case, form.cleaned_data["assigned_to"])  # type: ignore[arg-type]
            messages.success(request, _("Assignment saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose a caseworker of a party that can see this case."))
    return redirect("case-detail", pk=pk)


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
            and (case.child_id is None or case.enquiry_id is None),
            "can_unlink": policy.can(request.user, "case.unlink", case)
            and case.state in case_actions.UNLINKABLE_STATES
            and case.child_id is not None and case.enquiry_id is not None,
            "unlink_form": UnlinkForm(),
            "can_share": policy.can(request.user, "record.share", case),
            "share_form": ShareForm(),
            "link_form": LinkChildForm(),
            "transition_form": TransitionForm(),
            "can_assign": policy.can(request.user, "case.assign", case),
            "assign_form": AssignForm(case, initial={"assigned_to": case.assigned_to_id}),
            "summary": coordination_summary(case)
            if policy.sees_coordination_summary(request.user, case)
            else None,
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


MAX_CANDIDATES = 20


def _link_side(case: Case) -> str | None:
    if case.child_id is None:
        return "child"
    if case.enquiry_id is None:
        return "enquiry"
    return None


def _differences(case: Case, kind: str, record: Any) -> list[str]:
    if kind == "child" and case.enquiry is not None:
        return case_actions.link_contradictions(record, case.enquiry)
    if kind == "enquiry" and case.child is not None:
        return case_actions.link_contradictions(case.child, record)
    return []


@login_required
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Find the child or tracing request to link by name (any script) and pick it."""
    case: Case = policy.get_visible_or_404(
        request.user, Case.objects.select_related("child", "enquiry"), pk, "case.view"
    )  # type: ignore[assignment]
    policy.require(request.user, "case.create")
    kind = _link_side(case)
    if kind is None:
        messages.info(request, _("The case already has a child and a tracing request."))
        return redirect("case-detail", pk=pk)
    query = (request.GET.get("q") or "").strip()[:200]
    candidates: list[dict[str, Any]] = []
    if query:
        model: Any = Child if kind == "child" else Enquiry
        records = filter_by_name(policy.visible(request.user, model.objects.all()), query)
        if kind == "child":
            records = records.prefetch_related("names")
        found = list(records.select_related("owner").order_by("pk")[:MAX_CANDIDATES])
        registry_actions.record_list(_acting(request), kind, [r.pk for r in found], query)
        candidates = [
            {"record": r, "differences": _differences(case, kind, r)} for r in found
        ]
    return render(
        request, "cases/case_link.html",
        {"case": case, "kind": kind, "query": query, "candidates": candidates,
         "searched": bool(query)},
    )  # fmt: skip


@login_required
@require_POST
def case_link_child(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the picked record; a contradicting one asks for confirmation first."""
    case: Case = policy.get_visible_or_404(
        request.user, Case.objects.select_related("child", "enquiry"), pk, "case.view"
    )  # type: ignore[assignment]
    form = LinkChildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Search for the record and pick it from the results."))
        return redirect("case-link", pk=pk)
    kind = form.cleaned_data["kind"]
    model: Any = Child if kind == "child" else Enquiry
    record: Any = policy.get_visible_or_404(
        request.user, model.objects.all(), form.cleaned_data["record"], f"{kind}.view"
    )
    try:
        case_actions.link_case(
            _acting(request), case, confirm=form.cleaned_data["confirm"], **{kind: record}
        )
    except ValidationError as error:
        if getattr(error, "error_dict", {}).get("confirm"):
            return render(
                request, "cases/case_link.html",
                {"case": case, "kind": kind, "query": "", "candidates": [],
                 "confirm_record": record, "differences": error.message_dict["confirm"]},
            )  # fmt: skip
        messages.error(request, " ".join(error.messages))
        return redirect("case-detail", pk=pk)
    messages.success(
        request, _("Child linked to the case.") if kind == "child"
        else _("Tracing request linked to the case."),
    )  # fmt: skip
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def case_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    case = policy.get_visible_or_404(request.user, Case.objects.all(), pk, "case.unlink")
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the link was wrong."))
        return redirect("case-detail", pk=pk)
    try:
        case_actions.unlink_case(
            _acting(request), case, form.cleaned_data["field"], form.cleaned_data["reason"]  # type: ignore[arg-type]
        )
        messages.success(request, _("The link was undone."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
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

"""Screens of the review queue and of match runs.

Views validate input, ask the policy and call ``reunite.matching.actions``; nothing else.
Every list of pairs shown is audited (``record_list`` of the requests and children on the
page) and the pair page audits a view of both records (``record_view``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reunite.accounts import policy
from reunite.core import listing
from reunite.core.acting import Acting
from reunite.matching import actions
from reunite.matching.forms import DecisionForm, QueueFilterForm, RunForm
from reunite.matching.models import (
    CandidatePair,
    Decision,
    LinkModelVersion,
    MatchRun,
    PairStatus,
)
from reunite.matching.records import explanation_text
from reunite.registry import actions as registry_actions
from reunite.registry.models import Child, Enquiry, Sex
from reunite.registry.search import filter_by_name

PAGE_SIZE = 25


def _acting(request: HttpRequest) -> Acting:
    return Acting.from_request(request)


QUEUE_COLUMNS = [
    listing.Column("probability", gettext_lazy("Probability"), ("probability",)),
    listing.Column("enquiry", gettext_lazy("Tracing request"), ("enquiry__surname",)),
    listing.Column("child", gettext_lazy("Child"), ("child_id",)),
    listing.Column("born", gettext_lazy("Born (request / child)"), ("enquiry__birth_date",)),
    listing.Column("status", gettext_lazy("Status"), ("status",)),
    listing.Column("review", ""),
]


def _require(request: HttpRequest, action: str) -> None:
    if not policy.has_permission(request.user, action):
        raise PermissionDenied(_("Your role does not allow this."))


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Candidate pairs to review, most probable first."""
    _require(request, "match.review")
    form = QueueFilterForm(request.GET or None)
    show = form.selected()
    pairs = actions.review_queue(request.user, show)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        if form.cleaned_data["min_probability"] is not None:
            pairs = pairs.filter(probability__gte=form.cleaned_data["min_probability"])
        if query:  # a name on either side of the pair, in any script
            enquiries = filter_by_name(Enquiry.objects.all(), query).values("pk")
            children = filter_by_name(Child.objects.all(), query).values("pk")
            pairs = pairs.filter(Q(enquiry__in=enquiries) | Q(child__in=children))
    key = listing.sort_key(request, QUEUE_COLUMNS, "-probability")
    pairs = listing.apply_sort(pairs, QUEUE_COLUMNS, key)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    acting = _acting(request)
    registry_actions.record_list(acting, "enquiry", [p.enquiry_id for p in rows], "matching:queue")
    registry_actions.record_list(acting, "child", [p.child_id for p in rows], "matching:queue")
    organization = policy.organization_of(request.user)
    return render(
        request,
        "matching/queue.html",
        {
            "form": form,
            "show": show,
            "page": page,
            "rows": rows,
            "last_run": MatchRun.objects.filter(organization=organization).first(),
            "can_run": policy.has_permission(request.user, "match.run"),
            "run_form": RunForm(),
            "query": query,
            "headers": listing.headers(request, QUEUE_COLUMNS, key),
            "query_string": listing.query_without_page(request),
        },
    )


def _side_by_side(pair: CandidatePair) -> list[dict[str, Any]]:
    enquiry, child = pair.enquiry, pair.child
    child_names = list(child.names.all())
    enquiry_names = [enquiry.display_name, *[n for n in enquiry.other_names if n]]

    def born(record: Any) -> str:
        shown = record.birth_date_display
        if not shown:
            return _("unknown")
        precision = record.birth_date_precision
        if precision == "day":
            return str(shown)
        return _("%(date)s (%(precision)s known)") % {
            "date": shown,
            "precision": record.get_birth_date_precision_display().lower(),
        }

    def separated(record: Any) -> str:
        parts = [record.separation_date_display, record.separation_place]
        return " ".join(p for p in parts if p) or "—"

    return [
        {"label": _("Names"), "enquiry": enquiry_names, "child": [
            f"{n.display} ({n.get_script_display().lower()}, {n.get_source_display().lower()})"
            if n.script != "unknown" else f"{n.display} ({n.get_source_display().lower()})"
            for n in child_names
        ], "list": True},
        {"label": _("Sex"), "enquiry": enquiry.get_sex_display() or "—",
         "child": child.get_sex_display() or "—"},
        {"label": _("Born"), "enquiry": born(enquiry), "child": born(child)},
        {"label": _("Birthplace"), "enquiry": enquiry.birth_place or "—",
         "child": child.birth_place or "—"},
        {"label": _("Separated"), "enquiry": separated(enquiry), "child": separated(child)},
        {"label": _("Mother"), "enquiry": enquiry.mother_name or "—",
         "child": child.mother_name or "—"},
        {"label": _("Father"), "enquiry": enquiry.father_name or "—",
         "child": child.father_name or "—"},
        {"label": _("Region now"), "enquiry": "—", "child": child.current_region or "—"},
        {"label": _("Owner"), "enquiry": enquiry.owner.short_name, "child": child.owner.short_name},
        {"label": _("Their reference"), "enquiry": enquiry.record_id or "—",
         "child": child.record_id or "—"},
    ]  # fmt: skip


def _shown_value(item: dict[str, Any], key: str) -> str:
    """An explanation value as the pages show it: the sex code in words."""
    value = str(item.get(key) or "")
    if item.get("field") == "sex" and value in Sex.values:
        return str(Sex(value).label)
    return value


def _explanation_rows(pair: CandidatePair) -> list[dict[str, Any]]:
    rows = []
    for item in sorted(pair.explanation, key=lambda e: -abs(float(e.get("weight") or 0))):
        weight = float(item.get("weight") or 0.0)
        rows.append(
            {
                "text": explanation_text(item),
                "field": item.get("field", ""),
                "weight": weight,
                "direction": "for" if weight > 0 else ("against" if weight < 0 else "none"),
                "enquiry_value": _shown_value(item, "enquiry_value"),
                "child_value": _shown_value(item, "child_value"),
            }
        )
    return rows


@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The two records side by side, the explanation, the decisions so far and the buttons."""
    pair = actions.get_pair_or_404(request.user, pk)
    acting = _acting(request)
    registry_actions.record_view(acting, pair.enquiry)
    registry_actions.record_view(acting, pair.child)
    said_unsure = actions.said_unsure(pair, request.user)
    can_decide = (
        policy.has_permission(request.user, "match.decide") and pair.is_open and not said_unsure
    )
    return render(
        request,
        "matching/pair_detail.html",
        {
            "pair": pair,
            "rows": _side_by_side(pair),
            "explanation": _explanation_rows(pair),
            "decisions": pair.decisions.select_related("reviewer", "organization"),
            "can_decide": can_decide,
            "said_unsure": said_unsure,
            "form": DecisionForm(),
            "decision_choices": Decision.choices,
            "can_see_case": pair.case is not None and policy.is_visible(request.user, pair.case),
        },
    )


@login_required
@require_POST
def pair_decide(request: HttpRequest, pk: int) -> HttpResponse:
    pair = actions.get_pair_or_404(request.user, pk)
    _require(request, "match.decide")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision (same child, not the same child or unsure)."))
        return redirect("matching:pair-detail", pk=pair.pk)
    decision = form.cleaned_data["decision"]
    try:
        pair = actions.decide(_acting(request), pair, decision, form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("matching:pair-detail", pk=pair.pk)
    numbers = {"enquiry": pair.enquiry_id, "child": pair.child_id}
    if pair.status == PairStatus.CONFIRMED:
        assert pair.case is not None
        messages.success(
            request,
            _(
                "Confirmed: request #%(enquiry)s and child #%(child)s are the same child. "
                "Case %(case)s is now “%(state)s”."
            )
            % {**numbers, "case": pair.case.reference, "state": pair.case.get_state_display()},
        )
    elif pair.status == PairStatus.REJECTED:
        messages.success(
            request,
            _("Rejected: request #%(enquiry)s and child #%(child)s will not be proposed again.")
            % numbers,
        )
    else:
        messages.success(
            request,
            _("Marked unsure: request #%(enquiry)s and child #%(child)s go to a second verifier.")
            % numbers,
        )
    return redirect(f"{reverse('matching:queue')}")


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    """The organisation's runs, the model versions and the buttons to run or retrain."""
    _require(request, "match.review")
    organization = policy.organization_of(request.user)
    runs = MatchRun.objects.filter(organization=organization).select_related("started_by", "model")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/run_list.html",
        {
            "page": page,
            "can_run": policy.has_permission(request.user, "match.run"),
            "run_form": RunForm(),
            "models": LinkModelVersion.objects.select_related("created_by", "based_on")[:10],
            "running": actions.running_run(organization),
        },
    )


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "match.review")
    organization = policy.organization_of(request.user)
    try:
        run = MatchRun.objects.select_related("started_by", "model", "previous_run").get(
            pk=pk, organization=organization
        )
    except (MatchRun.DoesNotExist, ValueError) as exc:
        raise Http404(_("No such run.")) from exc
    return render(
        request,
        "matching/run_detail.html",
        {"run": run, "open_pairs": actions.review_queue(request.user).filter(run=run).count()},
    )


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    """Put a match run on the background queue and show its progress page."""
    _require(request, "match.run")
    form = RunForm(request.POST)
    full = form.is_valid() and form.cleaned_data["full"]
    try:
        job = actions.enqueue_run(_acting(request), full=bool(full))
    except actions.RunRefused as exc:
        messages.error(request, str(exc))
        return redirect("matching:run-list")
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def model_retrain(request: HttpRequest) -> HttpResponse:
    _require(request, "match.run")
    try:
        version = actions.retrain_model(_acting(request))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("matching:run-list")
    messages.success(
        request,
        _(
            "Model v%(version)s learned from %(confirmed)s confirmed and %(rejected)s rejected "
            "pairs; the next run uses it and re-scores everything."
        )
        % {
            "version": version.version,
            "confirmed": version.labels_confirmed,
            "rejected": version.labels_rejected,
        },
    )
    return redirect("matching:run-list")

"""The verification tab of a case: evidence, DNA, four-eyes decisions, best interests.

Views parse input, look the case up through the policy and call ``actions``; nothing else.
Every read of verification data is audited (``view`` on ``case_verification``), every file
or report download too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.cases import actions as case_actions
from reunite.cases.models import Case
from reunite.core.acting import Acting
from reunite.verification import actions, status
from reunite.verification.forms import (
    BidForm,
    CountersignForm,
    DecisionForm,
    DnaForm,
    DoubtForm,
    EvidenceEditForm,
    EvidenceForm,
    WithdrawForm,
)
from reunite.verification.models import Evidence, KinshipReport, Supports

UPDATED = gettext_lazy("Evidence #%(number)s updated; decisions relying on it were withdrawn.")


def _acting(request: HttpRequest) -> Acting:
    return Acting.from_request(request)


def _case(request: HttpRequest, pk: int, action: str = "case.view") -> Case:
    return policy.get_visible_or_404(  # type: ignore[return-value]
        request.user, Case.objects.select_related("enquiry", "child", "owner"), pk, action
    )


def _apply_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            label = field.replace("_", " ")
            for message in errors:
                if target is None and field != "__all__":
                    message = f"{label}: {message}"
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _evidence_choices(items: list[Evidence]) -> list[tuple[int, str]]:
    return [(i.pk, f"#{i.pk} {i.get_kind_display()}: {i.title}") for i in items]


def _context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    user = request.user
    can_view_evidence = policy.can(user, "evidence.view", case)
    items = list(status.current_evidence(case)) if can_view_evidence else []
    withdrawn = (
        list(case.evidence.filter(withdrawn_at__isnull=False).order_by("pk"))
        if can_view_evidence
        else []
    )
    eyes = status.four_eyes(case)
    editable = case.state in actions.EDITABLE_STATES
    claimed = status.claimed_relationship(case)
    dna_initial = {"relationship": status.KINSHIP_FOR_RELATIONSHIP.get(claimed, "parent-child")}  # type: ignore[call-overload]
    rows = [
        {"item": i, "doubts": status.evidence_doubts(i), "own": i.added_by_id == user.pk,
         "supports": [Supports(x).label for x in i.supports if x in Supports.values],
         "own_party": i.organization_id == getattr(policy.organization_of(user), "pk", None)}
        for i in items
    ]  # fmt: skip
    can_bid_view = policy.can(user, "bid.view", case)
    return {
        "case": case,
        "claimed": claimed,
        "claimed_label": case.enquiry.get_enquirer_relationship_display() if case.enquiry else "",
        "child_age": status.child_age(case.child),
        "eyes": eyes,
        "checklist": status.checklist(case, items) if can_view_evidence else [],
        "rows": rows,
        "withdrawn": withdrawn,
        "reports": [i.kinship for i in items if hasattr(i, "kinship")],
        "bid": status.current_bid(case) if can_bid_view else None,
        "bids": list(case.bids.order_by("-recorded_at", "-pk")) if can_bid_view else [],
        "bid_missing": status.bid_missing(case) if can_bid_view else [],
        "missing": case_actions.missing_for_transition(case, "approved"),
        "editable": editable,
        "can_view_evidence": can_view_evidence,
        "can_view_bid": can_bid_view,
        "can_add": editable and policy.can(user, "evidence.add", case),
        "can_dna": editable and policy.can(user, "kinship.run", case),
        "can_decide": editable and policy.can(user, "relationship.approve", case),
        "can_countersign": editable
        and policy.can(user, "relationship.countersign", case)
        and eyes.verified
        and eyes.countersignature is None,
        "can_bid": editable and policy.can(user, "bid.record", case) and case.child_id is not None,
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "dna_form": forms.get("dna_form") or DnaForm(initial=dna_initial),
        "decision_form": forms.get("decision_form")
        or DecisionForm(evidence_choices=_evidence_choices(items)),
        "countersign_form": CountersignForm(),
        "bid_form": forms.get("bid_form") or BidForm(),
        "doubt_form": DoubtForm(),
        "withdraw_form": WithdrawForm(),
    }


def _audit_view(request: HttpRequest, case: Case, what: str) -> None:
    log_event(_acting(request).audit_actor, "view", "case_verification", case.pk, {"what": what})


@login_required
def case_section(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary loaded (htmx) into the case page; links to the full tab."""
    case = _case(request, pk)
    _audit_view(request, case, "summary")
    return render(request, "verification/_summary.html", _context(request, case))


@login_required
def case_verification(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    _audit_view(request, case, "tab")
    return render(request, "verification/case.html", _context(request, case))


def _rerender(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    # 200 with the form and its messages, like the other screens (a 400 page load is logged
    # as an error by browsers).
    messages.error(request, _("Nothing was saved: see the messages in the form below."))
    return render(request, "verification/case.html", _context(request, case, **forms))


def _back(case: Case, anchor: str = "") -> HttpResponse:
    from django.urls import reverse

    return redirect(reverse("verification:case", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "evidence.add")
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            item = actions.add_evidence(
                _acting(request), case, form.fields_for_action(), form.cleaned_data["file"]
            )
        except ValidationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Evidence #%(number)s added.") % {"number": item.pk})
            return _back(case, "evidence")
    return _rerender(request, case, evidence_form=form)


def _evidence(request: HttpRequest, pk: int, action: str) -> Evidence:
    try:
        item = Evidence.objects.select_related("case").get(pk=pk)
    except Evidence.DoesNotExist as exc:
        raise Http404(_("No such record.")) from exc
    _case(request, item.case_id, action)
    return item


@login_required
@require_POST
def evidence_doubt(request: HttpRequest, pk: int) -> HttpResponse:
    item = _evidence(request, pk, "relationship.approve")
    form = DoubtForm(request.POST)
    if form.is_valid():
        try:
            actions.flag_evidence(_acting(request), item, form.cleaned_data["doubt"])
            messages.success(request, UPDATED % {"number": item.pk})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return _back(item.case, "evidence")


@login_required
@require_http_methods(["GET", "POST"])
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an item's details (its party only); decisions relying on it are withdrawn."""
    item = _evidence(request, pk, "evidence.add")
    if item.is_withdrawn or item.organization_id != getattr(
        policy.organization_of(request.user), "pk", None
    ):
        raise PermissionDenied(_("Only the party that added this item can change it."))
    fields = ("title", "provided_by", "supports", "issued_on", "expires_on", "on_required_form",
              "interviewee", "notes")  # fmt: skip
    initial = {name: getattr(item, name) for name in fields}
    initial["on_required_form"] = {True: "yes", False: "no", None: ""}[item.on_required_form]
    form = EvidenceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.fields_for_action()
        if not data["supports"]:
            data["supports"] = item.supports
        try:
            actions.update_evidence(_acting(request), item, data)
        except ValidationError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request, UPDATED % {"number": item.pk}
            )
            return _back(item.case, "evidence")
    _audit_view(request, item.case, f"evidence {item.pk} edit form")
    return render(request, "verification/evidence_edit.html", {"item": item, "form": form,
                                                                 "case": item.case})  # fmt: skip


@login_required
@require_POST
def evidence_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _evidence(request, pk, "evidence.add")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the item is withdrawn."))
        return _back(item.case, "evidence")
    try:
        actions.withdraw_evidence(_acting(request), item, form.cleaned_data["reason"])
        messages.success(request, _("Evidence #%(number)s withdrawn.") % {"number": item.pk})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(item.case, "evidence")


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    item = _evidence(request, pk, "evidence.view")
    if not item.file:
        raise Http404(_("This item has no file."))
    actions.record_download(_acting(request), item)
    return FileResponse(
        item.file.open("rb"), content_type=item.content_type or "application/octet-stream",
        as_attachment=True, filename=item.original_name or f"evidence-{item.pk}",
    )  # fmt: skip


@login_required
@require_POST
def dna_import(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "kinship.run")
    form = DnaForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = actions.import_dna(
                _acting(request), case, profiles=data["profiles"],
                frequencies=data["frequencies"], use_synthetic_frequencies=data["use_synthetic"],
                claimant_profile=data["claimant_profile"], child_profile=data["child_profile"],
                relationship=data["relationship"], theta=data["theta"],
                mutation_rate=data["mutation_rate"], provided_by=data["provided_by"],
            )  # fmt: skip
        except ValidationError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _("DNA imported: combined LR %(lr)s (evidence #%(number)s).")
                % {"lr": f"{report.combined_lr:.4g}", "number": report.evidence_id},
            )  # fmt: skip
            return redirect("verification:kinship", pk=report.pk)
    return _rerender(request, case, dna_form=form)


def _report(request: HttpRequest, pk: int) -> KinshipReport:
    try:
        report = KinshipReport.objects.select_related("evidence__case").get(pk=pk)
    except KinshipReport.DoesNotExist as exc:
        raise Http404(_("No such record.")) from exc
    _case(request, report.evidence.case_id, "evidence.view")
    return report


@login_required
def kinship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    log_event(_acting(request).audit_actor, "view", "kinship_report", report.pk)
    return render(
        request,
        "verification/kinship.html",
        {"report": report, "case": report.evidence.case, "result": report.result,
         "doubts": status.evidence_doubts(report.evidence)},
    )  # fmt: skip


@login_required
def kinship_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    pdf = actions.kinship_pdf(_acting(request), report)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"kinship-{report.evidence.case.reference}-{report.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "relationship.approve")
    items = list(status.current_evidence(case))
    form = DecisionForm(request.POST, evidence_choices=_evidence_choices(items))
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.decide_relationship(
                _acting(request), case, data["decision"], evidence_ids=data["evidence"],
                reason=data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            _apply_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if data["decision"] == "approve":
                messages.success(request, _("You approved the claimed relationship."))
            else:
                messages.success(request, _("You rejected the claimed relationship."))
            return _back(case, "four-eyes")
    return _rerender(request, case, decision_form=form)


@login_required
@require_POST
def countersign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "relationship.countersign")
    form = CountersignForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.countersign(_acting(request), case, note)
        messages.success(request, _("Verification countersigned."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(case, "four-eyes")


@login_required
@require_POST
def bid_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "bid.record")
    form = BidForm(request.POST)
    if form.is_valid():
        try:
            actions.record_bid(_acting(request), case, form.fields_for_action())
        except ValidationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Best-interests determination recorded."))
            return _back(case, "best-interests")
    return _rerender(request, case, bid_form=form)

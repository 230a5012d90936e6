"""Server-rendered screens. Views validate input, ask the policy and call actions; nothing else."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reunite.accounts import policy
from reunite.audit.models import AuditEvent
from reunite.registry import actions
from reunite.registry.actions import Acting
from reunite.registry.ageing import age_out_status, ageing_out
from reunite.registry.models import (
    CASE_STATE_ORDER,
    OPEN_STATES,
    Attachment,
    Case,
    CaseState,
    Child,
    ClosingReason,
    Enquiry,
)
from reunite.registry.search import filter_by_name
from reunite.web import merge
from reunite.web.forms import (
    NAME_FORM_FIELDS,
    AttachmentForm,
    ChildFilterForm,
    ChildForm,
    EnquiryForm,
    IdentityDocumentForm,
    LinkChildForm,
    NameFormSet,
    ShareForm,
    TransitionForm,
)

PAGE_SIZE = 25


def _acting(request: HttpRequest) -> Acting:
    return Acting.from_request(request)


def _apply_validation_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _history(request: HttpRequest, record: Any) -> list[dict[str, Any]]:
    """The record's audited changes, newest first, with restricted values hidden if need be."""
    show_restricted = policy.can_see_restricted(request.user, record)
    rows = []
    events = (
        AuditEvent.objects.filter(object_type=record._meta.model_name, object_id=str(record.pk))
        .exclude(action__in=["view", "list"])
        .order_by("-sequence")[:50]
    )
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        shown = {
            field: values
            if show_restricted or field not in policy.RESTRICTED_FIELDS
            else ["(restricted)", "(restricted)"]
            for field, values in changes.items()
        }
        rows.append({"event": event, "changes": shown})
    return rows


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    cases = policy.visible(user, Case.objects.all())
    open_cases = cases.filter(state__in=OPEN_STATES)
    by_state = {
        row["state"]: row["n"]
        for row in open_cases.values("state").annotate(n=Count("id", distinct=True))
    }
    state_rows = [(CaseState(s).label, s, by_state.get(s, 0)) for s in OPEN_STATES]
    party_counts = Counter(
        row["owner__short_name"] for row in open_cases.values("owner__short_name", "id").distinct()
    )
    children = policy.visible(user, Child.objects.all())
    warnings = ageing_out(children)
    actions.record_list(
        _acting(request), "child", [w.child.pk for w in warnings], "dashboard:ageing-out"
    )
    return render(
        request,
        "web/dashboard.html",
        {
            "state_rows": state_rows,
            "party_rows": sorted(party_counts.items()),
            "open_total": sum(by_state.values()),
            "warnings": warnings,
            "child_total": children.count(),
            "enquiry_total": policy.visible(user, Enquiry.objects.all()).count(),
        },
    )


# Children ---------------------------------------------------------------------------------


@login_required
def child_list(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "child.view"):
        raise PermissionDenied
    form = ChildFilterForm(request.GET or None)
    children = policy.visible(request.user, Child.objects.all())
    query = ""
    ageing_ids: set[int] | None = None
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"]
        if query:
            children = filter_by_name(children, query)
        if data["sex"]:
            children = children.filter(sex=data["sex"])
        if data["legal_status"]:
            children = children.filter(legal_status=data["legal_status"])
        if data["consent"]:
            children = children.filter(consent_for_tracing=data["consent"] == "yes")
        if data["altered"]:
            children = children.filter(personal_status_altered=True)
        if data["ageing_out"]:
            ageing_ids = {w.child.pk for w in ageing_out(children)}
            children = children.filter(pk__in=ageing_ids)
    page = Paginator(
        children.order_by("pk").prefetch_related("names", "cases"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [(child, age_out_status(child)) for child in page]
    actions.record_list(_acting(request), "child", [c.pk for c in page], query)
    template = "web/_child_rows.html" if request.htmx else "web/child_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page, "rows": rows, "query": query})


@login_required
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child: Child = policy.get_visible_or_404(request.user, Child.objects.all(), pk, "child.view")  # type: ignore[assignment]
    restricted = policy.can_see_restricted(request.user, child)
    actions.record_view(_acting(request), child, restricted_shown=restricted)
    return render(
        request,
        "web/child_detail.html",
        {
            "child": child,
            "restricted": restricted,
            "age_out": age_out_status(child),
            "cases": policy.visible(request.user, child.cases.all()),
            "history": _history(request, child),
            "can_change": policy.can(request.user, "child.change", child),
            "can_share": policy.can(request.user, "record.share", child),
            "can_attach": policy.can(request.user, "attachment.add", child),
            "can_open_case": policy.has_permission(request.user, "case.create"),
            "share_form": ShareForm(),
            "attachment_form": AttachmentForm(),
            "document_form": IdentityDocumentForm(),
        },
    )


def _child_form_initial(child: Child) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    initial = {f: getattr(child, f) for f in actions.CHILD_FIELDS if f not in ("altered_fields",)}
    initial["birth_date"] = child.format_partial(child.birth_date, child.birth_date_precision)
    initial["separation_date"] = child.format_partial(
        child.separation_date, child.separation_date_precision
    )
    initial["citizenships"] = ";".join(child.citizenships)
    names = [{k: getattr(n, k) for k in NAME_FORM_FIELDS} for n in child.names.all()]
    initial["version"] = child.version
    initial["baseline"] = merge.sign_baseline(
        {k: v for k, v in initial.items() if k not in ("version", "baseline")}, names
    )
    return initial, names


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    child: Child | None = None
    if pk is not None:
        child = policy.get_visible_or_404(request.user, Child.objects.all(), pk, "child.change")  # type: ignore[assignment]
    else:
        policy.require(request.user, "child.create")
    if request.method == "POST":
        form = ChildForm(request.POST)
        names = NameFormSet(request.POST, prefix="names")
        if form.is_valid() and names.is_valid():
            name_rows = [n.cleaned_data for n in names if n.cleaned_data and n.has_name()]
            if not name_rows:
                names._non_form_errors = names.error_class(  # type: ignore[attr-defined]
                    ["Give at least one surname or given name."]
                )
            else:
                try:
                    if child is None:
                        child = actions.create_child(
                            _acting(request), form.model_fields(), name_rows
                        )
                        messages.success(request, f"Child {child.display_name} registered.")
                    else:
                        actions.update_child(
                            _acting(request), child, form.model_fields(), name_rows,
                            expected_version=form.cleaned_data.get("version"),
                        )  # fmt: skip
                        messages.success(request, _("Changes saved."))
                    return redirect("child-detail", pk=child.pk)
                except ValidationError as error:
                    _apply_validation_error(form, error)
                except actions.StaleRecord as stale:
                    return _child_conflict(request, stale.current, form, name_rows)  # type: ignore[arg-type]
    elif child is not None:
        initial, name_initial = _child_form_initial(child)
        form = ChildForm(initial=initial)
        names = NameFormSet(initial=name_initial, prefix="names")
    else:
        form = ChildForm()
        names = NameFormSet(prefix="names")
    return render(request, "web/child_form.html", {"form": form, "names": names, "child": child})


def _child_conflict(
    request: HttpRequest, current: Child, form: ChildForm, yours_names: list[dict[str, Any]]
) -> HttpResponse:
    """The child changed while the form was open: show what changed and offer the merge."""
    theirs, theirs_names = _child_form_initial(current)
    baseline = merge.read_baseline(request.POST.get("baseline", ""))
    result = merge.three_way(
        form, request.POST, baseline, theirs, theirs_names, yours_names,
        names_prefix="names", name_keys=NAME_FORM_FIELDS,
    )  # fmt: skip
    result.data["version"] = str(theirs["version"])
    result.data["baseline"] = theirs["baseline"]
    merged = ChildForm(result.data)
    names = NameFormSet(result.data, prefix="names")
    merged.is_valid()
    names.is_valid()
    context = {
        "form": merged, "names": names, "child": current, "conflict": result,
    }  # fmt: skip
    return render(request, "web/child_form.html", context, status=409)


@login_required
@require_POST
def identity_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = policy.get_visible_or_404(request.user, Child.objects.all(), pk, "child.change")
    form = IdentityDocumentForm(request.POST)
    if form.is_valid():
        try:
            actions.add_identity_document(_acting(request), child, form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, "Identity document recorded.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(
            request,
            "Document not recorded: "
            + "; ".join(
                f"{field}: {' '.join(map(str, errors))}" for field, errors in form.errors.items()
            ),
        )
    return redirect("child-detail", pk=pk)


@login_required
@require_POST
def record_share(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    shareable: dict[str, type[Child] | type[Enquiry] | type[Case]] = {
        "child": Child,
        "enquiry": Enquiry,
        "case": Case,
    }
    model = shareable.get(kind)
    if model is None:
        raise PermissionDenied
    record = policy.get_visible_or_404(request.user, model.objects.all(), pk, "record.share")
    form = ShareForm(request.POST)
    if form.is_valid():
        actions.share_record(_acting(request), record, form.cleaned_data["organization"])  # type: ignore[arg-type]
        messages.success(request, f"Shared with {form.cleaned_data['organization']}.")
    else:
        messages.error(request, "Choose an organisation to share with.")
    return redirect(f"{kind}-detail", pk=pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    attachable: dict[str, type[Child] | type[Enquiry]] = {"child": Child, "enquiry": Enquiry}
    model = attachable.get(kind)
    if model is None:
        raise PermissionDenied
    record = policy.get_visible_or_404(request.user, model.objects.all(), pk, "attachment.add")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_attachment(
                _acting(request), record, form.cleaned_data["file"],  # type: ignore[arg-type]
                form.cleaned_data["kind"], form.cleaned_data["description"],
            )  # fmt: skip
            messages.success(request, "File attached.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Choose a file and its kind.")
    return redirect(f"{kind}-detail", pk=pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        attachment = Attachment.objects.select_related("child", "enquiry").get(pk=pk)
    except Attachment.DoesNotExist as exc:
        from django.http import Http404

        raise Http404 from exc
    if attachment.child_id:
        policy.get_visible_or_404(
            request.user, Child.objects.all(), attachment.child_id, "child.view"
        )
    else:
        policy.get_visible_or_404(
            request.user, Enquiry.objects.all(), attachment.enquiry_id, "enquiry.view"
        )
    actions.log_event(_acting(request).audit_actor, "download", "attachment", attachment.pk)
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True,
        filename=attachment.original_name,
    )  # fmt: skip
    return response


# Enquiries --------------------------------------------------------------------------------


@login_required
def enquiry_list(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "enquiry.view"):
        raise PermissionDenied
    query = (request.GET.get("q") or "")[:200]
    enquiries = policy.visible(request.user, Enquiry.objects.all()).select_related("enquirer")
    if query:
        enquiries = filter_by_name(enquiries, query)
    page = Paginator(enquiries.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    actions.record_list(_acting(request), "enquiry", [e.pk for e in page], query)
    template = "web/_enquiry_rows.html" if request.htmx else "web/enquiry_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"page": page, "query": query})


@login_required
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry: Enquiry = policy.get_visible_or_404(
        request.user, Enquiry.objects.select_related("enquirer"), pk, "enquiry.view"
    )  # type: ignore[assignment]
    restricted = policy.can_see_restricted(request.user, enquiry)
    actions.record_view(_acting(request), enquiry, restricted_shown=restricted)
    return render(
        request,
        "web/enquiry_detail.html",
        {
            "enquiry": enquiry,
            "restricted": restricted,
            "cases": policy.visible(request.user, enquiry.cases.all()),
            "history": _history(request, enquiry),
            "can_change": policy.can(request.user, "enquiry.change", enquiry),
            "can_share": policy.can(request.user, "record.share", enquiry),
            "can_attach": policy.can(request.user, "attachment.add", enquiry),
            "can_open_case": policy.has_permission(request.user, "case.create"),
            "share_form": ShareForm(),
            "attachment_form": AttachmentForm(),
        },
    )


def _versions(text: str) -> tuple[int | None, int | None]:
    """"<enquiry>.<enquirer>" from a form, or (None, None) when absent or malformed."""
    first, _sep, second = text.partition(".")
    if first.isdigit() and second.isdigit():
        return int(first), int(second)
    return None, None


def _enquiry_form_initial(e: Enquiry) -> dict[str, Any]:
    initial = {
        "enquirer_surname": e.enquirer.surname,
        "enquirer_given_name": e.enquirer.given_name,
        "enquirer_patronymic": e.enquirer.patronymic,
        "enquirer_contact": e.enquirer.contact,
        **{f: getattr(e, f) for f in actions.ENQUIRY_FIELDS if f != "record_id"},
        "other_names": "; ".join(e.other_names),
        "birth_date": e.birth_date_display,
        "separation_date": e.separation_date_display,
    }
    initial["version"] = f"{e.version}.{e.enquirer.version}"
    initial["baseline"] = merge.sign_baseline(
        {k: v for k, v in initial.items() if k != "version"}, []
    )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def enquiry_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    enquiry: Enquiry | None = None
    if pk is not None:
        enquiry = policy.get_visible_or_404(
            request.user, Enquiry.objects.all(), pk, "enquiry.change"
        )  # type: ignore[assignment]
    else:
        policy.require(request.user, "enquiry.create")
    if request.method == "POST":
        form = EnquiryForm(request.POST)
        if form.is_valid():
            try:
                if enquiry is None:
                    enquiry = actions.create_enquiry(
                        _acting(request), form.model_fields(), form.enquirer_fields()
                    )
                    messages.success(request, "Tracing request registered.")
                else:
                    expected = _versions(form.cleaned_data.get("version") or "")
                    with transaction.atomic():  # both records change, or neither
                        actions.update_enquiry(
                            _acting(request), enquiry, form.model_fields(),
                            expected_version=expected[0],
                        )  # fmt: skip
                        actions.update_person(
                            _acting(request), enquiry.enquirer, form.enquirer_fields(),
                            expected_version=expected[1],
                        )  # fmt: skip
                    messages.success(request, _("Changes saved."))
                return redirect("enquiry-detail", pk=enquiry.pk)
            except ValidationError as error:
                _apply_validation_error(form, error)
            except actions.StaleRecord:
                assert enquiry is not None
                current: Enquiry = Enquiry.objects.select_related("enquirer").get(pk=enquiry.pk)
                theirs = _enquiry_form_initial(current)
                result = merge.three_way(
                    form, request.POST, merge.read_baseline(request.POST.get("baseline", "")),
                    theirs, [], [], names_prefix="-", name_keys=(),
                )  # fmt: skip
                result.data["version"] = theirs["version"]
                result.data["baseline"] = theirs["baseline"]
                merged = EnquiryForm(result.data)
                merged.is_valid()
                context = {"form": merged, "enquiry": current, "conflict": result}
                return render(request, "web/enquiry_form.html", context, status=409)
    elif enquiry is not None:
        form = EnquiryForm(initial=_enquiry_form_initial(enquiry))
    else:
        form = EnquiryForm()
    return render(request, "web/enquiry_form.html", {"form": form, "enquiry": enquiry})


# Cases ------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "case.view"):
        raise PermissionDenied
    cases = policy.visible(request.user, Case.objects.all()).select_related("enquiry", "child")
    state = request.GET.get("state", "")
    if state in CaseState.values:
        cases = cases.filter(state=state)
    page = Paginator(cases.prefetch_related("child__names"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    actions.record_list(_acting(request), "case", [c.pk for c in page], state)
    return render(
        request, "web/case_list.html", {"page": page, "state": state, "states": CaseState.choices}
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case: Case = policy.get_visible_or_404(
        request.user, Case.objects.select_related("enquiry", "child", "owner"), pk, "case.view"
    )  # type: ignore[assignment]
    actions.record_view(_acting(request), case)
    allowed = policy.allowed_transitions(request.user, case)
    return render(
        request,
        "web/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor", "organization"),
            "allowed": [(s, CaseState(s).label) for s in allowed],
            "steps": [
                (value, label, index < CASE_STATE_ORDER.index(case.state))
                for index, (value, label) in enumerate(CaseState.choices)
            ],
            "closing_reasons": ClosingReason.choices,
            "history": _history(request, case),
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
        case = actions.open_case(_acting(request), enquiry=enquiry, child=child)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dashboard")
    messages.success(request, f"Case {case.reference} opened.")
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
            actions.link_case(_acting(request), case, child=child)  # type: ignore[arg-type]
            messages.success(request, "Child linked to the case.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Give the child's record number.")
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case: Case = policy.get_visible_or_404(request.user, Case.objects.all(), pk, "case.view")  # type: ignore[assignment]
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid next state.")
        return redirect("case-detail", pk=pk)
    data = form.cleaned_data
    try:
        case = actions.transition_case(
            _acting(request), case, data["to_state"], note=data["note"],
            closing_reason=data["closing_reason"],
        )  # fmt: skip
        messages.success(request, f"Case moved to '{case.get_state_display()}'.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("case-detail", pk=pk)


# Audit ------------------------------------------------------------------------------------


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "audit.view")
    # Auditors read their own organisation's trail; other parties' events are theirs to audit.
    organization = policy.organization_of(request.user)
    events = AuditEvent.objects.filter(organization=organization.short_name if organization else "")
    events = events.order_by("-sequence")
    object_type = request.GET.get("object_type", "")
    if object_type:
        events = events.filter(object_type=object_type[:40])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit_log.html", {"page": page, "object_type": object_type})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")

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
from reunite.cases.models import OPEN_STATES, Case, CaseState
from reunite.core.acting import Acting
from reunite.core.forms import ShareForm, apply_validation_error
from reunite.registry import actions
from reunite.registry.ageing import age_out_status, ageing_out
from reunite.registry.history import record_history
from reunite.registry.models import Attachment, Child, Enquiry
from reunite.registry.ranking import ranked_page
from reunite.reunification.actions import followup
from reunite.web import merge
from reunite.web.forms import (
    NAME_FORM_FIELDS,
    AttachmentForm,
    ChildFilterForm,
    ChildForm,
    EnquiryForm,
    IdentityDocumentForm,
    NameFormSet,
)

PAGE_SIZE = 25

def _acting(request: HttpRequest) -> Acting:
    return Acting.from_request(request)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    cases = policy.visible(user, Case.objects.all())
    open_cases = cases.filter(state__in=OPEN_STATES)
    # Counted over the ids, without the model's default ordering: ordering by pk would put
    # pk in the GROUP BY and give one row (of 1) per case, the last one winning per state.
    by_state = {
        row["state"]: row["n"]
        for row in Case.objects.filter(pk__in=open_cases.values("pk"))
        .order_by()
        .values("state")
        .annotate(n=Count("id"))
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
            "followup_overdue": followup.overdue_visits(user).count(),
            "can_view_followup": policy.has_permission(user, "followup.view"),
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
    children = children.prefetch_related("names", "cases")
    if query:  # best name match first; a year or a date in the query narrows the birth date
        page = ranked_page(children, query, request.GET.get("page"), PAGE_SIZE)
    else:
        page = Paginator(children.order_by("pk"), PAGE_SIZE).get_page(request.GET.get("page"))
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
            "history": record_history(request.user, child),
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
                        registered = _("Child %(name)s registered.")
                        messages.success(request, registered % {"name": child.display_name})
                    else:
                        actions.update_child(
                            _acting(request), child, form.model_fields(), name_rows,
                            expected_version=form.cleaned_data.get("version"),
                        )  # fmt: skip
                        messages.success(request, _("Changes saved."))
                    return redirect("child-detail", pk=child.pk)
                except ValidationError as error:
                    apply_validation_error(form, error)
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
            messages.success(request, _("Identity document recorded."))
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
        messages.success(
            request, _("Shared with %(party)s.") % {"party": form.cleaned_data["organization"]}
        )
    else:
        messages.error(request, _("Choose an organisation to share with."))
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
            messages.success(request, _("File attached."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose a file and its kind."))
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
        page = ranked_page(enquiries, query, request.GET.get("page"), PAGE_SIZE)
    else:
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
            "history": record_history(request.user, enquiry),
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
                    messages.success(request, _("Tracing request registered."))
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
                apply_validation_error(form, error)
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

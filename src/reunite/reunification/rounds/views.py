"""Screens for rounds, transfers, custody, manifests, round reports and statistics.

Every lookup goes through the policy (``get_visible_or_404``); every write through
``reunite.reunification.rounds.actions``; every read of child data is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.cases.models import Case, CaseState
from reunite.core.acting import Acting
from reunite.registry import actions as registry_actions
from reunite.reunification.models.rounds import (
    Handover,
    Round,
    RoundChildStatus,
    RoundStatus,
    Transfer,
    TransferLeg,
)
from reunite.reunification.rounds import actions, reports
from reunite.reunification.rounds.forms import (
    AddCaseForm,
    ConfirmForm,
    HandoverForm,
    LegForm,
    LegTimeForm,
    PlanForm,
    ReasonForm,
    RoundForm,
    TransferForm,
)
from reunite.reunification.rounds.planning import plan_for_transfer, route_network
from reunite.routes import Itinerary, Leg, RouteError, render_route_map


def _acting(request: HttpRequest) -> Acting:
    return Acting.from_request(request)


def _round(request: HttpRequest, pk: int, action: str = "round.view") -> Round:
    return policy.get_visible_or_404(  # type: ignore[return-value]
        request.user, Round.objects.select_related("owner"), pk, action)


def _transfer(request: HttpRequest, pk: int, action: str = "round.view") -> Transfer:
    transfer = Transfer.objects.select_related("round", "initial_custodian").filter(pk=pk).first()
    if transfer is None:
        from django.http import Http404

        raise Http404("No such transfer.")
    _round(request, transfer.round_id, action)
    return transfer


def _places() -> list[tuple[str, str]]:
    network = route_network()
    return sorted(((p.id, p.name) for p in network.places.values()), key=lambda x: x[1])


def _fail(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "round.view"):
        raise PermissionDenied
    rounds = list(policy.visible(request.user, Round.objects.select_related("owner"))
                  .prefetch_related("entries"))
    flagged = {h.transfer.round_id for h in reports.unconfirmed_handovers(rounds)}
    registry_actions.record_list(_acting(request), "round", [r.pk for r in rounds])
    return render(request, "reunification/round_list.html", {
        "rounds": rounds, "flagged": flagged,
        "can_plan": policy.has_permission(request.user, "round.plan"),
        "form": RoundForm(), "can_stats": policy.has_permission(request.user, "stats.view"),
    })


@login_required
@require_POST
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            round_ = actions.create_round(
                _acting(request), title=data["title"], planned_date=data["planned_date"],
                channel=data["channel"], channel_name=data["channel_name"],
                parties=list(data["parties"]))
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Round %(ref)s planned.") % {"ref": round_.reference})
            return redirect("round-detail", round_.pk)
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}"
                                    f": {' '.join(str(e) for e in errors)}")
    return redirect("round-list")


def _eligible_cases(request: HttpRequest) -> list[tuple[str, str]]:
    cases = (policy.visible(request.user, Case.objects.filter(state=CaseState.APPROVED))
             .exclude(round_entries__status=RoundChildStatus.IN_ROUND)
             .select_related("child").prefetch_related("child__names"))
    return [(str(c.pk), f"{c.reference} — {c.child.display_name if c.child else ''}")
            for c in cases]


def _evidence_choices(round_: Round) -> list[tuple[str, str]]:
    from reunite.verification.models import Evidence

    items = Evidence.objects.filter(
        case__round_entries__round=round_, case__round_entries__status=RoundChildStatus.IN_ROUND,
        withdrawn_at__isnull=True,
        kind__in=["birth_certificate", "guardianship_decision", "power_of_attorney"],
    ).select_related("case")
    return [(str(e.pk), f"{e.case.reference}: {e.get_kind_display()} — {e.title}")
            for e in items]


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    registry_actions.record_view(_acting(request), round_)
    entries = list(round_.entries.select_related("case__child").prefetch_related(
        "case__child__names", "transfers"))
    transfers = list(round_.transfers.prefetch_related("children__case", "handovers"))
    holders = {}
    for transfer in transfers:
        holder, person, pending = actions.current_holder(transfer)
        holders[transfer.pk] = {"org": holder, "person": person, "pending": pending}
    rows: list[dict[str, Any]] = []
    for entry in entries:
        first = next(iter(entry.transfers.all()), None)
        rows.append({"entry": entry, "transfer": first,
                     "custody": holders.get(first.pk) if first else None})
    flagged = reports.unconfirmed_handovers([round_])
    can_plan = policy.can(request.user, "round.plan", round_)
    in_round = [(str(e.pk), f"{e.case.reference} — "
                            f"{e.case.child.display_name if e.case.child else ''}")
                for e in entries if e.status == RoundChildStatus.IN_ROUND and
                not e.transfers.exists()]
    context: dict[str, Any] = {
        "round": round_, "rows": rows, "flagged": flagged, "can_plan": can_plan,
        "can_manifest": policy.can(request.user, "manifest.view", round_),
        "parties": [round_.owner, *round_.shared_with.all()],
    }
    if can_plan and round_.status == RoundStatus.PLANNED:
        context["add_form"] = AddCaseForm(cases=_eligible_cases(request), places=_places())
    if can_plan and round_.status in (RoundStatus.PLANNED, RoundStatus.CONFIRMED) and in_round:
        context["transfer_form"] = TransferForm(
            entries=in_round, evidence=_evidence_choices(round_),
            initial={"initial_custodian": None})
    context["still_in_round"] = [r for r in rows if r["entry"].status == RoundChildStatus.IN_ROUND]
    return render(request, "reunification/round_detail.html", context)


@login_required
@require_POST
def round_add_case(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk, "round.plan")
    form = AddCaseForm(request.POST, cases=_eligible_cases(request), places=_places())
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("round-detail", pk)
    data = form.cleaned_data
    case: Case = policy.get_visible_or_404(  # type: ignore[assignment]
        request.user, Case.objects.all(), data["case"], "case.view")
    try:
        actions.add_case(_acting(request), round_, case, from_country=data["from_country"],
                         to_country=data["to_country"], origin=data["origin"],
                         destination=data["destination"], network=route_network())
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Case %(ref)s added.") % {"ref": case.reference})
    return redirect("round-detail", pk)


@login_required
@require_POST
def round_withdraw(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    round_ = _round(request, pk, "round.plan")
    entry = round_.entries.filter(pk=entry_pk).first()
    form = ReasonForm(request.POST)
    if entry is None:
        messages.error(request, _("No such child in this round."))
    elif not form.is_valid():
        messages.error(request, _("Say why the child is withdrawn."))
    else:
        try:
            actions.withdraw_child(_acting(request), entry, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Withdrawn; the case is approved again."))
    return redirect("round-detail", pk)


@login_required
@require_POST
def round_status(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    round_ = _round(request, pk, "round.plan")
    acting = _acting(request)
    try:
        if step == "confirm":
            actions.confirm_round(acting, round_)
        elif step == "start":
            actions.start_round(acting, round_)
        elif step == "complete":
            reasons = {int(key.removeprefix("reason-")): str(value) for key, value in
                       request.POST.items() if key.startswith("reason-") and str(value).strip()
                       and key.removeprefix("reason-").isdigit()}
            actions.complete_round(acting, round_, did_not_travel=reasons)
        else:
            raise ValidationError(_("Unknown step."))
    except ValidationError as error:
        _fail(request, error)
    else:
        round_.refresh_from_db()
        messages.success(request, _("Round %(ref)s is now %(status)s.") % {
            "ref": round_.reference, "status": round_.get_status_display().lower()})
    return redirect("round-detail", pk)


@login_required
@require_POST
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk, "round.plan")
    entries = {str(e.pk): e for e in round_.entries.select_related("case")}
    form = TransferForm(request.POST, entries=[(k, k) for k in entries],
                        evidence=_evidence_choices(round_))
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}"
                                    f": {' '.join(str(e) for e in errors)}")
        return redirect("round-detail", pk)
    from reunite.verification.models import Evidence

    data = form.cleaned_data
    collector = actions.Collector(
        name=data["collector_name"], relationship=data["collector_relationship"],
        role=data["collector_role"], sex=data["collector_sex"],
        birth_year=data["collector_birth_year"],
        citizenships=[c.strip().upper() for c in data["collector_citizenships"].split(",")
                      if c.strip()],
        documents=data["collector_documents"])
    try:
        transfer = actions.create_transfer(
            _acting(request), round_, entries=[entries[k] for k in data["entries"]],
            collector=collector,
            evidence=list(Evidence.objects.filter(pk__in=data["evidence"])),
            escorts=form.escort_list(), initial_custodian=data["initial_custodian"])
    except ValidationError as error:
        _fail(request, error)
        return redirect("round-detail", pk)
    messages.success(request, _("Transfer planned; now plan its route."))
    return redirect("transfer-detail", transfer.pk)


def _itinerary_from_legs(transfer: Transfer) -> Itinerary | None:
    network = route_network()
    legs = []
    for leg in transfer.legs.all():
        source, target = network.places.get(leg.from_place), network.places.get(leg.to_place)
        if source is None or target is None:
            return None  # the network changed since the route was planned
        hours = 1.0
        if leg.planned_departure and leg.planned_arrival:
            hours = (leg.planned_arrival - leg.planned_departure).total_seconds() / 3600
        legs.append(Leg(leg.number, "", leg.mode, source, target, hours, leg.risky))
    return Itinerary(tuple(legs)) if legs else None


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer(request, pk)
    round_ = transfer.round
    registry_actions.record_view(_acting(request), transfer)
    network = route_network()
    can_plan = policy.can(request.user, "transfer.plan", round_)
    entries = list(transfer.children.select_related("case__child").prefetch_related(
        "case__child__names"))
    first = entries[0] if entries else None
    plan = None
    plan_form = PlanForm(places=_places(), initial={
        "origin": first.origin if first else "", "destination": first.destination if first
        else "", "date": round_.planned_date})
    if "plan" in request.GET and entries:
        plan_form = PlanForm(request.GET, places=_places())
        if plan_form.is_valid():
            data = plan_form.cleaned_data
            try:
                plan = plan_for_transfer(transfer, origin=data["origin"],
                                         destination=data["destination"], on=data["date"],
                                         network=network)
            except RouteError as error:
                messages.error(request, str(error))
    itinerary = _itinerary_from_legs(transfer)
    plan_maps = []
    if plan is not None:
        for index, route in enumerate(plan.routes):
            plan_maps.append({
                "index": index, "route": route,
                "svg": render_route_map(network, route, on=plan.on, translate=_,
                                        id_prefix=f"plan{index}"),
            })
    route_places = []
    if itinerary is not None:
        route_places = [(p.id, p.name) for p in itinerary.places]
    holder, person, pending = actions.current_holder(transfer)
    return render(request, "reunification/transfer_detail.html", {
        "transfer": transfer, "round": round_, "entries": entries, "can_plan": can_plan,
        "can_confirm": policy.can(request.user, "handover.confirm", round_),
        "plan_form": plan_form, "plan": plan, "plan_maps": plan_maps,
        "rejected": [(r, [reason.render(_) for reason in r.reasons])
                     for r in plan.rejected] if plan else [],
        "plan_notes": [n.render(_) for n in plan.notes] if plan else [],
        "map_svg": render_route_map(network, itinerary, on=transfer.route_date or
                                    round_.planned_date, translate=_)
        if itinerary is not None else "",
        "legs": transfer.legs.all(), "handovers": transfer.handovers.select_related(
            "from_org", "to_org", "released_by", "received_by"),
        "leg_form": LegForm(places=_places()),
        "handover_form": HandoverForm(places=route_places or _places()),
        "holder": holder, "holder_person": person, "pending": pending,
        "organization": policy.organization_of(request.user),
        "editable": round_.status in (RoundStatus.PLANNED, RoundStatus.CONFIRMED),
        "under_way": round_.status == RoundStatus.UNDER_WAY,
        "illustrative": network.illustrative,
    })


@login_required
@require_POST
def transfer_apply_route(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer(request, pk, "transfer.plan")
    form = PlanForm(request.POST, places=_places())
    index = request.POST.get("route", "0")
    if not form.is_valid() or not index.isdigit():
        messages.error(request, _("Plan the route again and choose one."))
        return redirect("transfer-detail", pk)
    data = form.cleaned_data
    try:
        plan = plan_for_transfer(transfer, origin=data["origin"], destination=data["destination"],
                                 on=data["date"])
        if int(index) >= len(plan.routes):
            raise ValidationError(_("That route is no longer feasible; plan again."))
        depart = dt.datetime.combine(data["date"], data["depart_time"], tzinfo=dt.UTC)
        actions.apply_route(_acting(request), transfer, plan.routes[int(index)],
                            depart_at=depart, on=data["date"])
    except RouteError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Itinerary set."))
    return redirect("transfer-detail", pk)


@login_required
@require_POST
def transfer_add_leg(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer(request, pk, "transfer.plan")
    form = LegForm(request.POST, places=_places())
    if form.is_valid():
        try:
            actions.add_leg(_acting(request), transfer, network=route_network(),
                            **form.cleaned_data)
        except ValidationError as error:
            _fail(request, error)
    else:
        messages.error(request, _("Choose the mode and both places."))
    return redirect("transfer-detail", pk)


@login_required
@require_POST
def leg_record(request: HttpRequest, pk: int, leg_pk: int) -> HttpResponse:
    transfer = _transfer(request, pk, "transfer.plan")
    leg = TransferLeg.objects.filter(pk=leg_pk, transfer=transfer).first()
    form = LegTimeForm(request.POST)
    if leg is None or not form.is_valid():
        messages.error(request, _("Give a valid time."))
        return redirect("transfer-detail", pk)
    data = form.cleaned_data
    if "now" in request.POST:
        data = {request.POST["now"]: timezone.now()}
    try:
        actions.record_leg(_acting(request), leg, departed_at=data.get("departed_at"),
                           arrived_at=data.get("arrived_at"))
    except ValidationError as error:
        _fail(request, error)
    return redirect("transfer-detail", pk)


@login_required
@require_POST
def handover_add(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer(request, pk, "transfer.plan")
    form = HandoverForm(request.POST, places=_places())
    if form.is_valid():
        try:
            actions.add_handover(_acting(request), transfer, network=route_network(),
                                 **form.cleaned_data)
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Handover planned."))
    else:
        messages.error(request, _("Choose the place and both sides."))
    return redirect("transfer-detail", pk)


@login_required
@require_POST
def handover_confirm(request: HttpRequest, pk: int, handover_pk: int) -> HttpResponse:
    transfer = _transfer(request, pk, "handover.confirm")
    handover = Handover.objects.filter(pk=handover_pk, transfer=transfer).first()
    form = ConfirmForm(request.POST)
    if handover is None or not form.is_valid():
        messages.error(request, _("Choose the handover and the side you confirm."))
        return redirect("transfer-detail", pk)
    try:
        actions.confirm_handover(_acting(request), handover, side=form.cleaned_data["side"],
                                 place=form.cleaned_data["place"])
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Confirmed."))
    return redirect("transfer-detail", pk)


@login_required
def round_manifest(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk, "manifest.view")
    data = reports.manifest_pdf(round_)
    log_event(_acting(request).audit_actor, "export", "round", round_.pk,
              {"document": "manifest", "cases": [e.case.reference for e in round_.entries
                                                 .select_related("case")]})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="manifest-{round_.reference}.pdf"'
    return response


@login_required
def round_report(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    report = reports.round_report(round_)
    log_event(_acting(request).audit_actor, "view", "round", round_.pk, {"report": True})
    return render(request, "reunification/round_report.html", {"round": round_,
                                                                "report": report})


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "stats.view"):
        raise PermissionDenied
    return render(request, "reunification/statistics.html", {
        "charts": reports.statistics_charts(),
        "can_export": policy.has_permission(request.user, "stats.export"),
        "tables": reports.tables_for_screen(reports.public_tables()),
    })


@login_required
def statistics_export(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "stats.export"):
        raise PermissionDenied
    fmt = "json" if request.GET.get("format") == "json" else "csv"
    text = reports.public_export_text(reports.public_tables(), fmt)
    log_event(_acting(request).audit_actor, "export", "statistics", "",
              {"format": fmt, "public": True})
    response = HttpResponse(text, content_type="application/json" if fmt == "json"
                            else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reunite-statistics.{fmt}"'
    return response


@login_required
def dashboard_custody(request: HttpRequest) -> HttpResponse:
    """Dashboard fragment (htmx): custody unconfirmed in the rounds the user can see."""
    flagged: list[Handover] = []
    if policy.has_permission(request.user, "round.view"):
        rounds = list(policy.visible(request.user,
                                     Round.objects.filter(status=RoundStatus.UNDER_WAY)))
        flagged = reports.unconfirmed_handovers(rounds)
    return render(request, "reunification/_dashboard_custody_body.html", {"flagged": flagged})


@login_required
def case_section(request: HttpRequest, pk: int) -> HttpResponse:
    """Case page fragment (htmx): the case's rounds and its child's chain of custody."""
    case: Case = policy.get_visible_or_404(  # type: ignore[assignment]
        request.user, Case.objects.all(), pk, "case.view")
    entries = list(case.round_entries.select_related("round").order_by("pk"))
    rows = reports.custody_rows(case) if entries else []
    if entries:
        log_event(_acting(request).audit_actor, "view", "case", case.pk, {"custody": True})
    return render(request, "reunification/_case_rounds_body.html", {
        "case": case, "entries": entries, "rows": rows})

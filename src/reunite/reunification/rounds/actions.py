"""Every write to rounds, transfers, itineraries and handovers: checked, saved, audited.

Each function asks the policy first, checks the rule it enforces (with a message a
coordinator or transfer officer can act on), and writes the change and its audit event in
one transaction, so a refused or failed step leaves nothing half-written.

The case moves with its round: *approved* → *scheduled* when the round is confirmed,
→ *in transit* when it gets under way, → *reunified* when the final handover to the legal
representative is confirmed by both sides. A child withdrawn from a round, or who did not
travel, goes back to *approved* with the reason on the case's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reunite.accounts import policy
from reunite.accounts.models import Organization
from reunite.audit.log import log_event
from reunite.cases.actions import _move_case, missing_for_transition
from reunite.cases.models import Case, CaseState
from reunite.core.acting import Acting
from reunite.reunification.models.rounds import (
    Channel,
    CollectorRole,
    Handover,
    Round,
    RoundChild,
    RoundChildStatus,
    RoundStatus,
    Transfer,
    TransferLeg,
    TransferStatus,
)
from reunite.routes import DOCUMENTS, LINK_MODES, Itinerary, Network

# Evidence kinds that prove a legal representative's authority over the child.
LEGAL_AUTHORITY_KINDS = ("birth_certificate", "guardianship_decision")


def _audit(acting: Acting, action: str, record: Any, changes: Mapping[str, Any]) -> None:
    log_event(acting.audit_actor, action, record._meta.model_name, record.pk, dict(changes))


def _next_reference(planned: dt.date) -> str:
    prefix = f"R-{planned.year}-"
    last = Round.objects.filter(reference__startswith=prefix).order_by("-reference").first()
    number = int(last.reference.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:03d}"


def _locked(round_: Round) -> Round:
    return Round.objects.select_for_update().get(pk=round_.pk)


def _require_status(round_: Round, *allowed: str, doing: str) -> None:
    if round_.status not in allowed:
        raise ValidationError(
            _("Round %(ref)s is %(status)s; %(doing)s is possible only when it is %(allowed)s.")
            % {"ref": round_.reference, "status": round_.get_status_display().lower(),
               "doing": doing,
               "allowed": _(" or ").join(str(RoundStatus(s).label).lower() for s in allowed)}
        )


# Rounds -------------------------------------------------------------------------------------


@transaction.atomic
def create_round(
    acting: Acting,
    *,
    title: str,
    planned_date: dt.date,
    channel: str,
    channel_name: str = "",
    parties: Iterable[Organization] = (),
    notes: str = "",
) -> Round:
    """Plan a round, owned by the acting coordinator's organisation, shared with the parties."""
    policy.require(acting.user, "round.plan")
    problems: dict[str, list[str]] = {}
    if not title.strip():
        problems["title"] = [_("Give the round a title.")]
    if channel not in Channel.values:
        problems["channel"] = [_("Choose the channel: %(values)s.")
                               % {"values": ", ".join(Channel.values)}]
    if channel == Channel.MEDIATOR and not channel_name.strip():
        problems["channel_name"] = [_("Name the mediator.")]
    if problems:
        raise ValidationError(problems)
    owner = acting.organization
    round_ = Round.objects.create(
        owner=owner, created_by=acting.user, reference=_next_reference(planned_date),
        title=title.strip(), planned_date=planned_date, channel=channel,
        channel_name=channel_name.strip(), notes=notes,
    )
    others = [org for org in parties if org.pk != owner.pk]
    round_.shared_with.add(*others)
    _audit(acting, "create", round_, {
        "reference": [None, round_.reference], "title": [None, round_.title],
        "planned_date": [None, planned_date.isoformat()], "channel": [None, channel],
        "channel_name": [None, round_.channel_name],
        "parties": [None, sorted(org.short_name for org in others)],
    })
    return round_


@transaction.atomic
def add_case(
    acting: Acting,
    round_: Round,
    case: Case,
    *,
    from_country: str,
    to_country: str,
    origin: str = "",
    destination: str = "",
    network: Network | None = None,
) -> RoundChild:
    """Put an approved case in a planned round, with the child's direction."""
    policy.require(acting.user, "round.plan", round_)
    round_ = _locked(round_)
    _require_status(round_, RoundStatus.PLANNED, doing=_("adding a child"))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not policy.is_visible(acting.user, case):
        raise PermissionDenied(_("The case is not shared with your organisation."))
    if case.state != CaseState.APPROVED:
        raise ValidationError({"case": [
            _("Case %(ref)s is %(state)s; only a case approved for reunification can be put "
              "in a round.") % {"ref": case.reference, "state": case.get_state_display().lower()}
        ]})
    if case.child_id is None:
        raise ValidationError({"case": [_("Case %(ref)s has no child record.")
                                        % {"ref": case.reference}]})
    current = RoundChild.objects.filter(case=case, status=RoundChildStatus.IN_ROUND).first()
    if current is not None:
        raise ValidationError({"case": [
            _("Case %(ref)s is already in round %(round)s; withdraw it from that round first.")
            % {"ref": case.reference, "round": current.round.reference}
        ]})
    problems: dict[str, list[str]] = {}
    from_country, to_country = from_country.strip().upper(), to_country.strip().upper()
    for field, code in (("from_country", from_country), ("to_country", to_country)):
        if len(code) != 2 or not code.isalpha():
            problems[field] = [_("Use a two-letter country code such as UA or RU.")]
    if not problems and from_country == to_country:
        problems["to_country"] = [_("The child must travel to another country.")]
    if network is not None:
        for field, place in (("origin", origin), ("destination", destination)):
            if place and place not in network.places:
                problems[field] = [_("Unknown place %(place)s in the route network.")
                                   % {"place": place}]
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            entry = RoundChild.objects.create(
                round=round_, case=case, from_country=from_country, to_country=to_country,
                origin=origin, destination=destination, added_by=acting.user,
            )
    except IntegrityError:  # a concurrent request put the case in another round
        raise ValidationError({"case": [_("Case %(ref)s is already in a round.")
                                        % {"ref": case.reference}]}) from None
    _audit(acting, "round.add_case", round_, {
        "case": [None, case.reference], "direction": [None, entry.direction],
    })
    return entry


def _return_to_approved(acting: Acting, case: Case, reason: str) -> None:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state in (CaseState.SCHEDULED, CaseState.IN_TRANSIT):
        _move_case(acting, case, CaseState.APPROVED, note=reason)


@transaction.atomic
def withdraw_child(acting: Acting, entry: RoundChild, *, reason: str) -> RoundChild:
    """Take a child out of a round (before custody changed hands); the case is approved again."""
    policy.require(acting.user, "round.plan", entry.round)
    entry = RoundChild.objects.select_for_update().select_related("round", "case").get(
        pk=entry.pk)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the child is withdrawn.")]})
    if entry.status != RoundChildStatus.IN_ROUND:
        raise ValidationError(_("The child is no longer in the round (%(status)s).")
                              % {"status": entry.get_status_display().lower()})
    if not entry.round.is_open:
        raise ValidationError(_("Round %(ref)s is finished.") % {"ref": entry.round.reference})
    touched = Handover.objects.filter(transfer__children=entry).filter(
        Q(released_at__isnull=False) | Q(received_at__isnull=False)).exists()
    if touched:
        raise ValidationError(_("Custody of this child has already changed hands; when the "
                                "round is completed, record that the child did not travel."))
    entry.status = RoundChildStatus.WITHDRAWN
    entry.reason = reason.strip()
    entry.ended_at = timezone.now()
    entry.save(update_fields=["status", "reason", "ended_at"])
    for transfer in entry.transfers.all():
        transfer.children.remove(entry)
    _return_to_approved(acting, entry.case, _("Withdrawn from round %(ref)s: %(reason)s")
                        % {"ref": entry.round.reference, "reason": entry.reason})
    _audit(acting, "round.withdraw", entry.round, {
        "case": [entry.case.reference, None], "reason": [None, entry.reason],
    })
    return entry


def _ready_problems(round_: Round) -> list[str]:
    """What stops a planned round from being confirmed."""
    problems = []
    entries = list(round_.entries.filter(status=RoundChildStatus.IN_ROUND)
                   .select_related("case"))
    if not entries:
        problems.append(_("The round has no children."))
    for entry in entries:
        transfers = list(entry.transfers.all())
        if not transfers:
            problems.append(_("Case %(ref)s has no transfer.") % {"ref": entry.case.reference})
            continue
        for transfer in transfers:
            if not transfer.legs.exists():
                problems.append(_("The transfer of case %(ref)s has no itinerary.")
                                % {"ref": entry.case.reference})
            if not transfer.handovers.filter(is_final=True).exists():
                problems.append(_("The transfer of case %(ref)s has no final handover to the "
                                  "legal representative.") % {"ref": entry.case.reference})
    return problems


@transaction.atomic
def confirm_round(acting: Acting, round_: Round) -> Round:
    """The plan is agreed: every child has a transfer; the cases become *scheduled*."""
    policy.require(acting.user, "round.plan", round_)
    round_ = _locked(round_)
    _require_status(round_, RoundStatus.PLANNED, doing=_("confirming"))
    problems = _ready_problems(round_)
    entries = round_.entries.filter(status=RoundChildStatus.IN_ROUND).select_related("case")
    for entry in entries:
        missing = missing_for_transition(entry.case, CaseState.SCHEDULED)
        problems += [f"{entry.case.reference}: {m}" for m in missing]
    if problems:
        raise ValidationError(problems)
    for entry in entries:
        case = Case.objects.select_for_update().get(pk=entry.case_id)
        _move_case(acting, case, CaseState.SCHEDULED,
                   note=_("Round %(ref)s confirmed") % {"ref": round_.reference})
    return _set_status(acting, round_, RoundStatus.CONFIRMED, "confirmed_at")


@transaction.atomic
def start_round(acting: Acting, round_: Round) -> Round:
    """The round is under way: the cases are *in transit*, handovers can be confirmed."""
    policy.require(acting.user, "round.plan", round_)
    round_ = _locked(round_)
    _require_status(round_, RoundStatus.CONFIRMED, doing=_("starting"))
    for entry in round_.entries.filter(status=RoundChildStatus.IN_ROUND):
        case = Case.objects.select_for_update().get(pk=entry.case_id)
        _move_case(acting, case, CaseState.IN_TRANSIT,
                   note=_("Round %(ref)s under way") % {"ref": round_.reference})
    round_.transfers.filter(children__status=RoundChildStatus.IN_ROUND).update(
        status=TransferStatus.UNDER_WAY)
    return _set_status(acting, round_, RoundStatus.UNDER_WAY, "started_at")


@transaction.atomic
def complete_round(
    acting: Acting, round_: Round, *, did_not_travel: Mapping[int, str] | None = None
) -> Round:
    """Close a round under way. Each child still in it needs a reason for not travelling."""
    policy.require(acting.user, "round.plan", round_)
    round_ = _locked(round_)
    _require_status(round_, RoundStatus.UNDER_WAY, doing=_("completing"))
    reasons = {int(k): v.strip() for k, v in (did_not_travel or {}).items()}
    entries = list(round_.entries.filter(status=RoundChildStatus.IN_ROUND)
                   .select_related("case"))
    known = {entry.pk for entry in entries}
    problems = [_("Entry %(id)s is not a child still in this round.") % {"id": k}
                for k in reasons if k not in known]
    for entry in entries:
        if not reasons.get(entry.pk):
            problems.append(_("Case %(ref)s has not completed its transfer: say why the child "
                              "did not travel.") % {"ref": entry.case.reference})
    if problems:
        raise ValidationError(problems)
    for entry in entries:
        entry.status = RoundChildStatus.DID_NOT_TRAVEL
        entry.reason = reasons[entry.pk]
        entry.ended_at = timezone.now()
        entry.save(update_fields=["status", "reason", "ended_at"])
        _return_to_approved(acting, entry.case, _("Did not travel in round %(ref)s: %(reason)s")
                            % {"ref": round_.reference, "reason": entry.reason})
        _audit(acting, "round.did_not_travel", round_, {
            "case": [None, entry.case.reference], "reason": [None, entry.reason]})
    status = RoundStatus.PARTIALLY_COMPLETED if entries else RoundStatus.COMPLETED
    return _set_status(acting, round_, status, "completed_at")


def _set_status(acting: Acting, round_: Round, status: str, stamp: str) -> Round:
    before = round_.status
    round_.status = status
    setattr(round_, stamp, timezone.now())
    round_.save(update_fields=["status", stamp, "updated_at"])
    _audit(acting, "round.status", round_, {"status": [before, status]})
    return round_


# Transfers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collector:
    """The adult who collects the child(ren) at the end of the transfer."""

    name: str
    relationship: str
    role: str
    sex: str = ""
    birth_year: int | None = None
    citizenships: Sequence[str] = ()
    documents: Sequence[str] = ()


def _check_collector(collector: Collector, entries: Sequence[RoundChild],
                     evidence: Sequence[Any], on: dt.date) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not collector.name.strip():
        problems["collector_name"] = [_("Name the collecting adult.")]
    if not collector.relationship.strip():
        problems["collector_relationship"] = [_("Say how the collecting adult is related to "
                                                "the child.")]
    if collector.role not in CollectorRole.values:
        problems["collector_role"] = [_("Choose legal representative or proxy.")]
    if collector.sex not in ("", "F", "M"):
        problems["collector_sex"] = [_("Sex is F, M or empty.")]
    if collector.birth_year is not None and not 1900 <= collector.birth_year <= on.year - 16:
        problems["collector_birth_year"] = [_("The collecting adult must be an adult.")]
    unknown = sorted(set(collector.documents) - set(DOCUMENTS))
    if unknown:
        problems["collector_documents"] = [_("Unknown document(s): %(docs)s.")
                                           % {"docs": ", ".join(unknown)}]
    cases = {entry.case_id: entry.case for entry in entries}
    for item in evidence:
        if item.case_id not in cases:
            problems.setdefault("evidence", []).append(
                _("Evidence %(id)s belongs to another case.") % {"id": item.pk})
        elif item.is_withdrawn:
            problems.setdefault("evidence", []).append(
                _("Evidence %(id)s has been withdrawn.") % {"id": item.pk})
    usable = [item for item in evidence if item.case_id in cases and not item.is_withdrawn]
    for case_id, case in cases.items():
        mine = [item for item in usable if item.case_id == case_id]
        if collector.role == CollectorRole.PROXY:
            valid = [item for item in mine if item.kind == "power_of_attorney"
                     and item.on_required_form and (item.expires_on is None
                                                    or item.expires_on >= on)]
            if not valid:
                problems.setdefault("evidence", []).append(_(
                    "Case %(ref)s: a proxy needs a notarised power of attorney on the official "
                    "form, valid on %(date)s, from the case's evidence register."
                ) % {"ref": case.reference, "date": on.isoformat()})
        elif collector.role == CollectorRole.LEGAL_REPRESENTATIVE:
            if not any(item.kind in LEGAL_AUTHORITY_KINDS for item in mine):
                problems.setdefault("evidence", []).append(_(
                    "Case %(ref)s: choose the document from the case's evidence register that "
                    "makes the collecting adult the child's legal representative (birth "
                    "certificate or guardianship decision)."
                ) % {"ref": case.reference})
    return problems


@transaction.atomic
def create_transfer(
    acting: Acting,
    round_: Round,
    *,
    entries: Sequence[RoundChild],
    collector: Collector,
    evidence: Sequence[Any] = (),
    escorts: Sequence[Mapping[str, str]] = (),
    initial_custodian: Organization,
) -> Transfer:
    """Plan the transfer of one child or a sibling group: who collects, with what authority."""
    policy.require(acting.user, "round.plan", round_)
    round_ = _locked(round_)
    _require_status(round_, RoundStatus.PLANNED, RoundStatus.CONFIRMED,
                    doing=_("planning a transfer"))
    if not entries:
        raise ValidationError({"entries": [_("Choose the child or children of the transfer.")]})
    for entry in entries:
        if entry.round_id != round_.pk or entry.status != RoundChildStatus.IN_ROUND:
            raise ValidationError({"entries": [_("Case %(ref)s is not a child in this round.")
                                               % {"ref": entry.case.reference}]})
        if entry.transfers.exists():
            raise ValidationError({"entries": [_("Case %(ref)s already has a transfer.")
                                               % {"ref": entry.case.reference}]})
    problems = _check_collector(collector, entries, evidence, round_.planned_date)
    cleaned_escorts = []
    for number, escort in enumerate(escorts, start=1):
        name = str(escort.get("name", "")).strip()
        if not name:
            problems.setdefault("escorts", []).append(
                _("Escort %(n)s needs a name.") % {"n": number})
        cleaned_escorts.append({"name": name,
                                "organisation": str(escort.get("organisation", "")).strip(),
                                "role": str(escort.get("role", "")).strip()})
    if problems:
        raise ValidationError(problems)
    documents = list(dict.fromkeys(collector.documents))
    if collector.role == CollectorRole.PROXY and "power_of_attorney" not in documents:
        documents.append("power_of_attorney")  # checked against the register above
    transfer = Transfer.objects.create(
        round=round_, collector_name=collector.name.strip(),
        collector_relationship=collector.relationship.strip(), collector_role=collector.role,
        collector_sex=collector.sex, collector_birth_year=collector.birth_year,
        collector_citizenships=[c.strip().upper() for c in collector.citizenships if c.strip()],
        collector_documents=documents, escorts=cleaned_escorts,
        initial_custodian=initial_custodian, created_by=acting.user,
    )
    transfer.children.add(*entries)
    transfer.authorising_evidence.add(*evidence)
    _audit(acting, "create", transfer, {
        "round": [None, round_.reference],
        "cases": [None, [entry.case.reference for entry in entries]],
        "collector_role": [None, collector.role],
        "authorising_evidence": [None, [item.pk for item in evidence]],
        "escorts": [None, len(cleaned_escorts)],
        "initial_custodian": [None, initial_custodian.short_name],
    })
    return transfer


def _require_planning(acting: Acting, transfer: Transfer) -> Round:
    policy.require(acting.user, "transfer.plan", transfer.round)
    round_ = _locked(transfer.round)
    _require_status(round_, RoundStatus.PLANNED, RoundStatus.CONFIRMED,
                    doing=_("changing the itinerary"))
    return round_


@transaction.atomic
def apply_route(acting: Acting, transfer: Transfer, itinerary: Itinerary, *,
                depart_at: dt.datetime, on: dt.date | None = None) -> list[TransferLeg]:
    """Replace the transfer's itinerary with a planned route, timed from ``depart_at``."""
    _require_planning(acting, transfer)
    if not itinerary.legs:
        raise ValidationError(_("The route has no legs."))
    if timezone.is_naive(depart_at):
        depart_at = timezone.make_aware(depart_at)
    transfer.legs.all().delete()
    legs = []
    clock = depart_at
    for leg in itinerary.legs:
        arrival = clock + dt.timedelta(hours=leg.hours)
        legs.append(TransferLeg.objects.create(
            transfer=transfer, number=leg.number, mode=leg.mode, from_place=leg.source.id,
            from_name=leg.source.name, to_place=leg.target.id, to_name=leg.target.name,
            risky=leg.risky, handover_point=leg.target.handover, planned_departure=clock,
            planned_arrival=arrival,
        ))
        clock = arrival
    transfer.route_summary = itinerary.summary[:500]
    transfer.route_date = on or depart_at.date()
    transfer.save(update_fields=["route_summary", "route_date"])
    _audit(acting, "transfer.route", transfer, {
        "route": [None, transfer.route_summary], "legs": [None, len(legs)],
        "depart_at": [None, depart_at.isoformat()],
    })
    return legs


@transaction.atomic
def add_leg(
    acting: Acting,
    transfer: Transfer,
    *,
    mode: str,
    from_place: str,
    to_place: str,
    network: Network,
    planned_departure: dt.datetime | None = None,
    planned_arrival: dt.datetime | None = None,
) -> TransferLeg:
    """Add a leg by hand at the end of the itinerary; it must start where the last one ended."""
    _require_planning(acting, transfer)
    problems: dict[str, list[str]] = {}
    if mode not in LINK_MODES:
        problems["mode"] = [_("Choose the mode: %(modes)s.") % {"modes": ", ".join(LINK_MODES)}]
    for field, place in (("from_place", from_place), ("to_place", to_place)):
        if place not in network.places:
            problems[field] = [_("Unknown place %(place)s in the route network.")
                               % {"place": place}]
    if from_place == to_place:
        problems["to_place"] = [_("A leg must go somewhere else.")]
    last = transfer.legs.order_by("-number").first()
    if last is not None and last.to_place != from_place:
        problems["from_place"] = [
            _("This leg starts at %(start)s but the previous leg ends at %(end)s.")
            % {"start": from_place, "end": last.to_name}]
    if planned_departure and planned_arrival and planned_arrival <= planned_departure:
        problems["planned_arrival"] = [_("The arrival must be after the departure.")]
    if last is not None and planned_departure and last.planned_arrival and (
            planned_departure < last.planned_arrival):
        problems["planned_departure"] = [_("The leg departs before the previous leg arrives.")]
    if problems:
        raise ValidationError(problems)
    source, target = network.places[from_place], network.places[to_place]
    leg = TransferLeg.objects.create(
        transfer=transfer, number=(last.number + 1) if last else 1, mode=mode,
        from_place=from_place, from_name=source.name, to_place=to_place, to_name=target.name,
        handover_point=target.handover, planned_departure=planned_departure,
        planned_arrival=planned_arrival,
    )
    _audit(acting, "transfer.add_leg", transfer, {
        "leg": [None, f"{leg.number}. {leg.from_name} → {leg.to_name} ({mode})"]})
    return leg


@transaction.atomic
def record_leg(acting: Acting, leg: TransferLeg, *, departed_at: dt.datetime | None = None,
               arrived_at: dt.datetime | None = None) -> TransferLeg:
    """Record the actual departure or arrival of a leg while the round is under way."""
    transfer = leg.transfer
    policy.require(acting.user, "transfer.plan", transfer.round)
    round_ = _locked(transfer.round)
    _require_status(round_, RoundStatus.UNDER_WAY, doing=_("recording travel"))
    leg = TransferLeg.objects.select_for_update().get(pk=leg.pk)
    changes: dict[str, Any] = {}
    if departed_at is not None:
        if leg.actual_departure is not None:
            raise ValidationError({"departed_at": [_("The departure is already recorded.")]})
        children = list(transfer.children.all())
        open_legs = TransferLeg.objects.filter(
            transfer__children__in=children, actual_departure__isnull=False,
            actual_arrival__isnull=True).exclude(pk=leg.pk).distinct()
        if open_legs.exists():
            other = open_legs.first()
            raise ValidationError({"departed_at": [
                _("A child of this transfer is already on leg %(leg)s, which has not "
                  "arrived; a child can travel one leg at a time.") % {"leg": str(other)}]})
        previous = transfer.legs.filter(number__lt=leg.number).order_by("-number").first()
        if previous is not None and previous.actual_arrival is None:
            raise ValidationError({"departed_at": [
                _("Leg %(n)s has not arrived yet.") % {"n": previous.number}]})
        if previous is not None and previous.actual_arrival and departed_at < (
                previous.actual_arrival):
            raise ValidationError({"departed_at": [
                _("The departure is before the previous leg's arrival.")]})
        leg.actual_departure = departed_at
        changes["actual_departure"] = [None, departed_at.isoformat()]
    if arrived_at is not None:
        if leg.actual_departure is None:
            raise ValidationError({"arrived_at": [_("Record the departure first.")]})
        if leg.actual_arrival is not None:
            raise ValidationError({"arrived_at": [_("The arrival is already recorded.")]})
        if arrived_at <= leg.actual_departure:
            raise ValidationError({"arrived_at": [_("The arrival must be after the departure.")]})
        leg.actual_arrival = arrived_at
        changes["actual_arrival"] = [None, arrived_at.isoformat()]
    if not changes:
        raise ValidationError(_("Give a departure or an arrival time."))
    leg.save(update_fields=["actual_departure", "actual_arrival"])
    _audit(acting, "transfer.leg", transfer, {"leg": [None, leg.number], **changes})
    return leg


# Custody ------------------------------------------------------------------------------------


@transaction.atomic
def add_handover(
    acting: Acting,
    transfer: Transfer,
    *,
    place: str,
    from_org: Organization,
    to_org: Organization,
    network: Network,
    from_person: str = "",
    to_person: str = "",
    is_final: bool = False,
    planned_at: dt.datetime | None = None,
) -> Handover:
    """Plan a handover at a place of the itinerary; the final one is to the legal representative."""
    _require_planning(acting, transfer)
    problems: dict[str, list[str]] = {}
    route_places = set(transfer.legs.values_list("to_place", flat=True)) | set(
        transfer.legs.values_list("from_place", flat=True))
    if place not in network.places:
        problems["place"] = [_("Unknown place %(place)s in the route network.") % {"place": place}]
    elif route_places and place not in route_places:
        problems["place"] = [_("%(place)s is not on the transfer's itinerary.")
                             % {"place": network.places[place].name}]
    if from_org.pk == to_org.pk and not is_final:
        # The final handover may stay within one party (its officer hands the child to the
        # legal representative, and a second officer confirms the receipt).
        problems["to_org"] = [_("A handover passes the child from one side to another.")]
    last = transfer.handovers.order_by("-number").first()
    if last is not None and last.is_final:
        problems["is_final"] = [_("The final handover is already planned; nothing comes after "
                                  "it.")]
    expected = last.to_org if last is not None else transfer.initial_custodian
    if from_org.pk != expected.pk:
        problems["from_org"] = [
            _("The child will be with %(holder)s at that point, not %(org)s.")
            % {"holder": expected.short_name, "org": from_org.short_name}]
    if is_final and not to_person.strip():
        problems["to_person"] = [_("Name the legal representative who receives the child.")]
    if problems:
        raise ValidationError(problems)
    handover = Handover.objects.create(
        transfer=transfer, number=(last.number + 1) if last else 1, place=place,
        place_name=network.places[place].name, from_org=from_org,
        from_person=from_person.strip(), to_org=to_org, to_person=to_person.strip(),
        is_final=is_final, planned_at=planned_at,
    )
    _audit(acting, "create", handover, {
        "transfer": [None, transfer.pk], "place": [None, handover.place_name],
        "from": [None, from_org.short_name], "to": [None, to_org.short_name],
        "final": [None, is_final],
    })
    return handover


def current_holder(transfer: Transfer) -> tuple[Organization, str, Handover | None]:
    """Who holds the transfer's children now: organisation, person, and the pending handover.

    Custody passes only with a handover confirmed by both sides; the pending handover is
    the first one not yet confirmed by both.
    """
    holder, person = transfer.initial_custodian, ""
    for handover in transfer.handovers.select_related("from_org", "to_org").order_by("number"):
        if not handover.confirmed:
            return holder, person, handover
        holder, person = handover.to_org, handover.to_person
    return holder, person, None


@transaction.atomic
def confirm_handover(
    acting: Acting,
    handover: Handover,
    *,
    side: str,
    at: dt.datetime | None = None,
    place: str = "",
) -> Handover:
    """One side confirms a handover: ``release`` (the side holding the child) or ``receive``."""
    transfer = handover.transfer
    policy.require(acting.user, "handover.confirm", transfer.round)
    round_ = _locked(transfer.round)
    _require_status(round_, RoundStatus.UNDER_WAY, doing=_("confirming a handover"))
    handover = Handover.objects.select_for_update().select_related(
        "from_org", "to_org").get(pk=handover.pk)
    if side not in ("release", "receive"):
        raise ValidationError({"side": [_("The side is release or receive.")]})
    organization = acting.organization
    holder, _person, pending = current_holder(transfer)
    when = at or timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": [_("A handover cannot be confirmed in advance.")]})
    if pending is None or pending.pk != handover.pk:
        if handover.confirmed:
            raise ValidationError(_("This handover is already confirmed by both sides."))
        raise ValidationError(_("Handover %(n)s at %(place)s must be confirmed by both sides "
                                "first.") % {"n": pending.number if pending else "?",
                                             "place": pending.place_name if pending else ""})
    if side == "release":
        if organization.pk != handover.from_org_id or holder.pk != organization.pk:
            raise ValidationError({"side": [
                _("%(org)s does not hold the child: %(holder)s has custody, so only "
                  "%(holder)s can confirm releasing the child.")
                % {"org": organization.short_name, "holder": holder.short_name}]})
        if handover.released:
            raise ValidationError({"side": [_("The release is already confirmed.")]})
        if handover.received_by_id == acting.user.pk:
            raise ValidationError({"side": [_("The same person cannot confirm both sides of "
                                              "a handover.")]})
        handover.released_by, handover.released_at = acting.user, when
        handover.released_place = (place or handover.place_name).strip()[:200]
    else:
        if organization.pk != handover.to_org_id:
            raise ValidationError({"side": [
                _("%(org)s is not the receiving side of this handover (%(to)s is).")
                % {"org": organization.short_name, "to": handover.to_org.short_name}]})
        if handover.received:
            raise ValidationError({"side": [_("The receipt is already confirmed.")]})
        if handover.released_by_id == acting.user.pk:
            raise ValidationError({"side": [_("The same person cannot confirm both sides of "
                                              "a handover.")]})
        handover.received_by, handover.received_at = acting.user, when
        handover.received_place = (place or handover.place_name).strip()[:200]
    handover.save()
    _audit(acting, f"handover.{side}", handover, {
        "transfer": [None, transfer.pk], "at": [None, when.isoformat()],
        "place": [None, handover.released_place if side == "release"
                  else handover.received_place],
        "confirmed_by_both": [None, handover.confirmed],
    })
    if handover.confirmed and handover.is_final:
        _complete_transfer(acting, transfer)
    return handover


def _complete_transfer(acting: Acting, transfer: Transfer) -> None:
    """The legal representative has the children: the transfer is complete, cases reunified."""
    transfer.status = TransferStatus.COMPLETE
    transfer.completed_at = timezone.now()
    transfer.save(update_fields=["status", "completed_at"])
    for entry in transfer.children.select_related("case").filter(
            status=RoundChildStatus.IN_ROUND):
        entry.status = RoundChildStatus.TRAVELLED
        entry.ended_at = timezone.now()
        entry.save(update_fields=["status", "ended_at"])
        case = Case.objects.select_for_update().get(pk=entry.case_id)
        if case.state == CaseState.IN_TRANSIT and not missing_for_transition(
                case, CaseState.REUNIFIED):
            _move_case(acting, case, CaseState.REUNIFIED,
                       note=_("Handed over to the legal representative in round %(ref)s")
                       % {"ref": transfer.round.reference})
    _audit(acting, "transfer.complete", transfer, {"status": [None, TransferStatus.COMPLETE]})


def reunified_guard(case: Case) -> list[str]:
    """Registered for *reunified*: the final handover must be confirmed by both sides."""
    done = Handover.objects.filter(
        transfer__children__case=case, is_final=True, released_at__isnull=False,
        received_at__isnull=False).exists()
    if done:
        return []
    return [str(_("the final handover to the legal representative, confirmed by both sides"))]


def scheduled_guard(case: Case) -> list[str]:
    """Registered for *scheduled*: the case must be in a round."""
    if RoundChild.objects.filter(case=case, status=RoundChildStatus.IN_ROUND).exists():
        return []
    return [str(_("a place in a reunification round"))]

"""Lists of sought children and the answers per name, as they travel through the channel.

A party composes a list from its tracing requests (only the minimum fields leave: names,
sex, dates and places of birth and separation, parents' names) and sends it to the other
party, usually through the mediator, who cannot read it. The asked party's installation
matches each entry against its own registry, so the caseworker who answers starts from
candidates. Answers come back per entry, in batches, whenever they are ready.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reunite.accounts import policy
from reunite.audit.log import Actor, log_event
from reunite.channel import OpenedBundle
from reunite.core.acting import Acting
from reunite.exchange import services
from reunite.exchange.keys import load_identity
from reunite.exchange.models import (
    AnswerStatus,
    BundleIn,
    ListAnswer,
    ListDirection,
    ListEntry,
    Peer,
    Placement,
    SoughtList,
)
from reunite.interchange import InterchangeRecord, PartialDate

#: The only fields of a tracing request that leave the installation on a list.
LIST_FIELDS: tuple[str, ...] = (
    "surname",
    "given_name",
    "patronymic",
    "full_name",
    "other_names",
    "sex",
    "birth_date",
    "estimated_age",
    "birth_place",
    "separation_date",
    "separation_place",
    "mother_name",
    "father_name",
)
ANSWER_COLUMNS: tuple[str, ...] = (
    "answer_status",
    "answer_date",
    "answer_note",
    "answer_region",
    "answer_placement",
)
MAX_ENTRIES = 5_000
CANDIDATES_PER_ENTRY = 3


def _require(acting: Acting, action: str) -> None:
    if not policy.has_permission(acting.user, action):
        raise PermissionDenied(_("Your role does not allow this."))


# ---- composing and sending ------------------------------------------------------------------


def entry_fields(enquiry: Any) -> dict[str, str]:
    from reunite.registry.exporting import enquiry_to_record

    record = enquiry_to_record(enquiry, record_id="x", show_restricted=False)
    return {name: record.cell(name) for name in LIST_FIELDS if record.cell(name)}


def compose_list(
    acting: Acting,
    *,
    title: str,
    to: Peer,
    enquiries: Sequence[Any],
    due_days: int | None = None,
    note: str = "",
) -> SoughtList:
    """Make a list from tracing requests and send it to ``to`` (through its relay)."""
    _require(acting, policy.EXCHANGE_LIST_SEND)
    if not enquiries:
        raise ValidationError(_("A list needs at least one tracing request."))
    if len(enquiries) > MAX_ENTRIES:
        raise ValidationError(_("A list holds at most %(n)d names.") % {"n": MAX_ENTRIES})
    from reunite.registry.models import Enquiry

    visible_ids = set(
        policy.visible(
            acting.user, Enquiry.objects.filter(pk__in=[e.pk for e in enquiries])
        ).values_list("pk", flat=True)
    )
    missing = [e.pk for e in enquiries if e.pk not in visible_ids]
    if missing:
        raise PermissionDenied(_("Some tracing requests are not visible to you."))
    no_consent = [e.pk for e in enquiries if not e.consent_for_tracing]
    if no_consent:
        raise ValidationError(
            _("Tracing requests without consent for tracing cannot go on a list: %(ids)s")
            % {"ids": ", ".join(map(str, no_consent))}
        )
    me = load_identity()
    list_id = uuid.uuid4().hex
    due = due_days if due_days is not None else int(settings.REUNITE_LIST_ANSWER_DAYS)
    entries = [
        {"ref": str(position), "fields": entry_fields(enquiry)}
        for position, enquiry in enumerate(enquiries, start=1)
    ]
    body = {
        "subject": f"list:{list_id}",
        "list_id": list_id,
        "title": title,
        "asking": me.installation_id,
        "asked": to.installation_id,
        "due_days": due,
        "note": note,
        "entries": entries,
    }
    actor = acting.audit_actor
    with transaction.atomic():
        sought = SoughtList.objects.create(
            list_id=list_id,
            title=title,
            direction=ListDirection.OUTGOING,
            asking=me.installation_id,
            asked=to.installation_id,
            organization=acting.organization,
            answer_due_days=due,
            created_by=acting.user.get_username(),
            note=note,
        )
        ListEntry.objects.bulk_create(
            ListEntry(
                sought_list=sought,
                entry_ref=str(entry["ref"]),
                position=position,
                fields=entry["fields"],
                enquiry=enquiry,
            )
            for position, (entry, enquiry) in enumerate(zip(entries, enquiries, strict=True), 1)
        )
        bundle = services.send_bundle(actor, "list", body, [to], subject=f"list:{list_id}")
        sought.bundle_id = bundle.bundle_id
        sought.save(update_fields=["bundle_id"])
        log_event(
            actor,
            "list_sent",
            "sought_list",
            list_id,
            {
                "to": to.installation_id,
                "entries": len(entries),
                "enquiries": [e.pk for e in enquiries],
                "bundle": bundle.bundle_id,
            },
        )
    return sought


@services.register_handler("list")
def _receive_list(opened: OpenedBundle, bundle: BundleIn, actor: Actor) -> None:
    body = opened.body
    me = load_identity()
    list_id = str(body.get("list_id") or "")
    entries = body.get("entries")
    if not list_id or not isinstance(entries, list) or not entries:
        raise services.ApplyRefused(_("The list in this bundle has no id or no names."))
    if body.get("asked") != me.installation_id or body.get("asking") != opened.header.sender:
        raise services.ApplyRefused(_("The list names other parties than the bundle."))
    if SoughtList.objects.filter(list_id=list_id).exists():
        raise services.ApplyRefused(_("A list with this id is already here."))
    refs = [str(e.get("ref", "")) for e in entries if isinstance(e, dict)]
    if len(refs) != len(entries) or len(set(refs)) != len(refs) or "" in refs:
        raise services.ApplyRefused(_("The list's entries have missing or repeated references."))
    sought = SoughtList.objects.create(
        list_id=list_id,
        title=str(body.get("title") or list_id)[:200],
        direction=ListDirection.INCOMING,
        asking=opened.header.sender,
        asked=me.installation_id,
        organization=own_organization(),
        bundle_id=opened.header.bundle_id,
        sent_at=opened.header.created,
        answer_due_days=int(body.get("due_days") or settings.REUNITE_LIST_ANSWER_DAYS),
        note=str(body.get("note") or ""),
    )
    rows = []
    for position, entry in enumerate(entries, start=1):
        fields = entry.get("fields") if isinstance(entry.get("fields"), dict) else {}
        clean = {k: str(v) for k, v in fields.items() if k in LIST_FIELDS}
        rows.append(
            ListEntry(
                sought_list=sought, entry_ref=str(entry["ref"]), position=position, fields=clean
            )
        )
    ListEntry.objects.bulk_create(rows)
    propose_candidates(sought, actor)
    log_event(
        actor,
        "list_received",
        "sought_list",
        list_id,
        {"from": opened.header.sender, "entries": len(rows), "bundle": bundle.bundle_id},
    )


def own_organization() -> Any:
    """The local organisation that stands for this installation (same short name), if any."""
    from reunite.accounts.models import Organization

    return Organization.objects.filter(short_name=load_identity().installation_id).first()


def _entry_record(entry: ListEntry) -> InterchangeRecord:
    f = entry.fields

    def date(name: str) -> PartialDate:
        try:
            return PartialDate.parse(f.get(name, ""))
        except ValueError:
            return PartialDate.parse("")

    age = f.get("estimated_age", "")
    return InterchangeRecord(
        record_id=f"L{entry.pk}",
        surname=f.get("surname", ""),
        given_name=f.get("given_name", ""),
        patronymic=f.get("patronymic", ""),
        full_name=f.get("full_name", ""),
        other_names=tuple(n.strip() for n in f.get("other_names", "").split(";") if n.strip()),
        sex=f.get("sex", ""),
        birth_date=date("birth_date"),
        estimated_age=int(age) if age.isdigit() else None,
        birth_place=f.get("birth_place", ""),
        separation_date=date("separation_date"),
        separation_place=f.get("separation_place", ""),
        mother_name=f.get("mother_name", ""),
        father_name=f.get("father_name", ""),
    )


def propose_candidates(sought: SoughtList, actor: Actor) -> int:
    """Match every entry against this party's own registry; keep the best few per entry."""
    from reunite import linkage
    from reunite.matching.actions import latest_model_version, load_model
    from reunite.matching.records import child_record, pk_of
    from reunite.registry.models import Child

    organization = sought.organization or own_organization()
    entries = list(sought.entries.all())
    if organization is None or not entries:
        return 0
    children = list(Child.objects.filter(owner=organization).prefetch_related("names"))
    if not children:
        return 0
    version = latest_model_version()
    model = load_model(version) if version else None
    try:
        pairs = linkage.link(
            [_entry_record(e) for e in entries],
            [child_record(c) for c in children],
            model=model,
            top_k=CANDIDATES_PER_ENTRY,
        )
    except Exception as exc:  # candidates only help: a failure never blocks the import
        log_event(
            actor,
            "list_matching_failed",
            "sought_list",
            sought.list_id,
            {"error": f"{type(exc).__name__}: {exc}"[:500]},
        )
        return 0
    by_entry: dict[int, list[dict[str, Any]]] = {}
    for pair in pairs:
        by_entry.setdefault(int(pair.enquiry_id[1:]), []).append(
            {
                "child_id": pk_of(pair.record_id),
                "probability": round(float(pair.probability), 4),
                "explanation": pair.explanation_text(),
            }
        )
    for entry in entries:
        entry.candidates = by_entry.get(entry.pk, [])
    ListEntry.objects.bulk_update(entries, ["candidates"])
    return sum(1 for e in entries if e.candidates)


# ---- answering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    entry_ref: str
    status: str
    answered_on: dt.date | None = None
    note: str = ""
    region: str = ""
    placement: str = ""


def _validate_answers(sought: SoughtList, answers: Iterable[AnswerInput]) -> list[str]:
    refs = set(sought.entries.values_list("entry_ref", flat=True))
    problems = []
    for answer in answers:
        if answer.entry_ref not in refs:
            problems.append(
                _("Entry %(ref)s was never on list “%(title)s”.")
                % {"ref": answer.entry_ref, "title": sought.title}
            )
        if answer.status not in AnswerStatus.values:
            problems.append(
                _("Entry %(ref)s: unknown answer %(status)r (use one of: %(choices)s).")
                % {
                    "ref": answer.entry_ref,
                    "status": answer.status,
                    "choices": ", ".join(AnswerStatus.values),
                }
            )
        if answer.placement and answer.placement not in Placement.values:
            problems.append(
                _("Entry %(ref)s: unknown placement %(p)r.")
                % {"ref": answer.entry_ref, "p": answer.placement}
            )
        if answer.answered_on and answer.answered_on > timezone.now().date():
            problems.append(
                _("Entry %(ref)s: the answer date is in the future.") % {"ref": answer.entry_ref}
            )
    return problems


def answer_list(acting: Acting, sought: SoughtList, answers: Sequence[AnswerInput]) -> int:
    """Record answers to an incoming list and send them back; returns how many were new."""
    _require(acting, policy.EXCHANGE_LIST_ANSWER)
    if sought.direction != ListDirection.INCOMING:
        raise ValidationError(_("Only lists received from another party are answered here."))
    if not answers:
        raise ValidationError(_("No answers given."))
    problems = _validate_answers(sought, answers)
    if problems:
        raise ValidationError(problems)
    sender = Peer.objects.get(installation_id=sought.asking)
    actor = acting.audit_actor
    today = timezone.now().date()
    entries = {e.entry_ref: e for e in sought.entries.all()}
    payload = []
    with transaction.atomic():
        for answer in answers:
            record = ListAnswer.objects.create(
                answer_id=uuid.uuid4().hex,
                entry=entries[answer.entry_ref],
                status=answer.status,
                answered_on=answer.answered_on or today,
                note=answer.note,
                region=answer.region if answer.status == AnswerStatus.LOCATED else "",
                placement=answer.placement if answer.status == AnswerStatus.LOCATED else "",
                answered_by=acting.user.get_username(),
            )
            payload.append(
                {
                    "answer_id": record.answer_id,
                    "ref": answer.entry_ref,
                    "status": record.status,
                    "date": record.answered_on.isoformat(),
                    "note": record.note,
                    "region": record.region,
                    "placement": record.placement,
                }
            )
        previous = (
            services.BundleOut.objects.filter(kind="answers", subject=f"list:{sought.list_id}")
            .order_by("-seq")
            .first()
        )
        bundle = services.send_bundle(
            actor,
            "answers",
            {"subject": f"list:{sought.list_id}", "list_id": sought.list_id, "answers": payload},
            [sender],
            subject=f"list:{sought.list_id}",
            prev=previous.bundle_id if previous else None,
        )
        ListAnswer.objects.filter(answer_id__in=[p["answer_id"] for p in payload]).update(
            bundle_id=bundle.bundle_id
        )
        received = BundleIn.objects.filter(bundle_id=sought.bundle_id).first()
        if received is not None:
            services.mark_answered(received, actor)
        log_event(
            actor,
            "list_answered",
            "sought_list",
            sought.list_id,
            {
                "answers": {p["ref"]: p["status"] for p in payload},
                "bundle": bundle.bundle_id,
            },
        )
    return len(payload)


@services.register_handler("answers")
def _receive_answers(opened: OpenedBundle, bundle: BundleIn, actor: Actor) -> None:
    body = opened.body
    sought = SoughtList.objects.filter(
        list_id=str(body.get("list_id") or ""), direction=ListDirection.OUTGOING
    ).first()
    if sought is None or sought.asked != opened.header.sender:
        raise services.ApplyRefused(
            _("These answers are for a list we never sent to %(peer)s.")
            % {"peer": opened.header.sender}
        )
    raw = body.get("answers")
    if not isinstance(raw, list) or not raw:
        raise services.ApplyRefused(_("The bundle carries no answers."))
    inputs = []
    for item in raw:
        if not isinstance(item, dict):
            raise services.ApplyRefused(_("An answer is not an object."))
        try:
            answered_on = dt.date.fromisoformat(str(item.get("date")))
        except ValueError as exc:
            raise services.ApplyRefused(_("An answer has no valid date.")) from exc
        inputs.append(
            AnswerInput(
                entry_ref=str(item.get("ref", "")),
                status=str(item.get("status", "")),
                answered_on=answered_on,
                note=str(item.get("note") or ""),
                region=str(item.get("region") or ""),
                placement=str(item.get("placement") or ""),
            )
        )
    problems = _validate_answers(sought, inputs)
    if problems:
        raise services.ApplyRefused(" ".join(str(p) for p in problems))
    entries = {e.entry_ref: e for e in sought.entries.all()}
    new = 0
    for item, answer in zip(raw, inputs, strict=True):
        _obj, created = ListAnswer.objects.get_or_create(
            answer_id=str(item.get("answer_id") or uuid.uuid4().hex)[:32],
            defaults={
                "entry": entries[answer.entry_ref],
                "status": answer.status,
                "answered_on": answer.answered_on or timezone.now().date(),
                "note": answer.note,
                "region": answer.region,
                "placement": answer.placement,
                "answered_by": opened.header.sender,
                "bundle_id": bundle.bundle_id,
            },
        )
        new += int(created)
    log_event(
        actor,
        "answers_received",
        "sought_list",
        sought.list_id,
        {"from": opened.header.sender, "answers": len(inputs), "new": new},
    )


# ---- progress of a list ---------------------------------------------------------------------


@dataclass(frozen=True)
class ListProgress:
    total: int
    answered: int
    response_rate: float
    median_days_to_answer: float | None
    overdue: list[ListEntry]
    changed: list[tuple[ListEntry, ListAnswer | None, ListAnswer]]
    latest: dict[int, ListAnswer]


def list_progress(sought: SoughtList, today: dt.date | None = None) -> ListProgress:
    """Response rate, time to first answer, overdue entries, what the last batch changed."""
    today = today or timezone.now().date()
    entries = list(sought.entries.prefetch_related("answers"))
    latest: dict[int, ListAnswer] = {}
    days: list[float] = []
    last_batch = (
        ListAnswer.objects.filter(entry__sought_list=sought)
        .order_by("-recorded_at")
        .values_list("bundle_id", flat=True)
        .first()
    )
    changed = []
    for entry in entries:
        answers = sorted(entry.answers.all(), key=lambda a: (a.answered_on, a.recorded_at))
        if not answers:
            continue
        latest[entry.pk] = answers[-1]
        days.append((answers[0].answered_on - sought.sent_at.date()).days)
        if last_batch and answers[-1].bundle_id == last_batch:
            before = answers[-2] if len(answers) > 1 else None
            if before is None or before.status != answers[-1].status:
                changed.append((entry, before, answers[-1]))
    overdue = [e for e in entries if e.pk not in latest] if today > sought.due_on else []
    total = len(entries)
    return ListProgress(
        total=total,
        answered=len(latest),
        response_rate=(len(latest) / total) if total else 0.0,
        median_days_to_answer=statistics.median(days) if days else None,
        overdue=overdue,
        changed=changed,
        latest=latest,
    )


# ---- files in the interchange format ---------------------------------------------------------


def export_list(sought: SoughtList, path: Path) -> int:
    """The list and its latest answers as CSV/XLSX (interchange columns + answer columns)."""
    from reunite.interchange import write_file

    progress = list_progress(sought)
    records = []
    for entry in sought.entries.all():
        record = _entry_record(entry)
        record.record_id = entry.entry_ref
        answer = progress.latest.get(entry.pk)
        record.extra = {
            "answer_status": answer.status if answer else "",
            "answer_date": answer.answered_on.isoformat() if answer else "",
            "answer_note": answer.note if answer else "",
            "answer_region": answer.region if answer else "",
            "answer_placement": answer.placement if answer else "",
        }
        records.append(record)
    return write_file(path, records, "enquiries", include_extra=True)


def read_answers_file(sought: SoughtList, path: Path) -> list[AnswerInput]:
    """Answers filled in a spreadsheet exported by :func:`export_list` (rows without an
    ``answer_status`` are skipped). Raises InterchangeError/ValidationError on bad files."""
    from reunite.interchange import read_file

    result = read_file(path, "enquiries")
    answers = []
    problems = []
    for record in result.records:
        status = record.extra.get("answer_status", "").strip()
        if not status:
            continue
        date_text = record.extra.get("answer_date", "").strip()
        try:
            answered_on = dt.date.fromisoformat(date_text) if date_text else None
        except ValueError:
            problems.append(
                _("Row %(row)s: answer_date %(d)r is not YYYY-MM-DD.")
                % {"row": record.source_row, "d": date_text}
            )
            continue
        answers.append(
            AnswerInput(
                entry_ref=record.record_id,
                status=status,
                answered_on=answered_on,
                note=record.extra.get("answer_note", ""),
                region=record.extra.get("answer_region", ""),
                placement=record.extra.get("answer_placement", ""),
            )
        )
    if problems:
        raise ValidationError(problems)
    answers_problems = _validate_answers(sought, answers)
    if answers_problems:
        raise ValidationError(answers_problems)
    return answers

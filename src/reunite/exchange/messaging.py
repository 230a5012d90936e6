"""Per-case message threads and joint verification reports between the parties.

A thread is named by what both installations know: a list entry (``list:<list id>/<ref>``)
or a case reference agreed between the parties (``case:<ref>``). A joint verification
report is one text that a verifier of each party signs through their installation's key;
each side keeps the text and both signatures, so each can show that the other agreed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reunite import channel
from reunite.accounts import policy
from reunite.audit.log import Actor, log_event
from reunite.channel import OpenedBundle, PeerKeys
from reunite.core.acting import Acting
from reunite.exchange import services
from reunite.exchange.keys import load_identity
from reunite.exchange.models import (
    BundleIn,
    CaseSummary,
    JointReport,
    ListDirection,
    Message,
    Peer,
    ReportResult,
)

THREAD = re.compile(r"^(list:[0-9a-f]{32}/[A-Za-z0-9_.-]{1,32}|case:[A-Za-z0-9_./-]{1,100})$")
MAX_MESSAGE_CHARS = 10_000


def _require(acting: Acting, action: str) -> None:
    if not policy.has_permission(acting.user, action):
        raise PermissionDenied(_("Your role does not allow this."))


def check_thread(thread: str) -> str:
    thread = thread.strip()
    if not THREAD.match(thread):
        raise ValidationError(
            _("A thread is “list:<list id>/<entry>” or “case:<reference>”, not %(t)r.")
            % {"t": thread}
        )
    return thread


def send_message(acting: Acting, thread: str, text: str, to: Sequence[Peer]) -> Message:
    _require(acting, policy.EXCHANGE_MESSAGE)
    thread = check_thread(thread)
    text = text.strip()
    if not text:
        raise ValidationError(_("The message is empty."))
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            _("A message has at most %(n)d characters.") % {"n": MAX_MESSAGE_CHARS}
        )
    if not to:
        raise ValidationError(_("Choose at least one recipient."))
    me = load_identity()
    actor = acting.audit_actor
    author = f"{acting.user.get_username()} ({acting.organization.short_name})"
    message_id = uuid.uuid4().hex
    sent_at = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            message_id=message_id,
            thread=thread,
            author=author,
            author_installation=me.installation_id,
            recipients=sorted(p.installation_id for p in to),
            text=text,
            sent_at=sent_at,
            direction=ListDirection.OUTGOING,
        )
        bundle = services.send_bundle(
            actor,
            "message",
            {
                "subject": thread,
                "message_id": message_id,
                "thread": thread,
                "author": author,
                "text": text,
                "sent_at": sent_at.isoformat(),
            },
            to,
            subject=thread,
        )
        message.bundle_id = bundle.bundle_id
        message.save(update_fields=["bundle_id"])
        log_event(
            actor,
            "message_sent",
            "thread",
            thread,
            {"message": message_id, "to": message.recipients},
        )
    return message


@services.register_handler("message")
def _receive_message(opened: OpenedBundle, bundle: BundleIn, actor: Actor) -> None:
    body = opened.body
    try:
        thread = check_thread(str(body.get("thread", "")))
    except ValidationError as exc:
        raise services.ApplyRefused(" ".join(exc.messages)) from exc
    text = str(body.get("text") or "")
    if not text or len(text) > MAX_MESSAGE_CHARS:
        raise services.ApplyRefused(_("The message is empty or too long."))
    message_id = str(body.get("message_id") or "")[:32]
    if Message.objects.filter(message_id=message_id).exists():
        return  # the same message in another bundle: keep the first
    Message.objects.create(
        message_id=message_id or uuid.uuid4().hex,
        thread=thread,
        author=str(body.get("author") or opened.header.sender)[:150],
        author_installation=opened.header.sender,
        recipients=list(opened.header.to),
        text=text,
        sent_at=opened.header.created,
        bundle_id=bundle.bundle_id,
        direction=ListDirection.INCOMING,
    )
    log_event(
        actor,
        "message_received",
        "thread",
        thread,
        {"message": message_id, "from": opened.header.sender},
    )


def thread_messages(thread: str) -> list[Message]:
    return list(Message.objects.filter(thread=thread).order_by("sent_at", "pk"))


# ---- joint verification reports --------------------------------------------------------------


def _lookup_with_me(installation_id: str) -> PeerKeys | None:
    me = load_identity()
    if installation_id == me.installation_id:
        return me.public
    return services.peer_lookup(installation_id)


def verified_signers(report: JointReport) -> list[channel.Statement]:
    """The statements on a report that verify against its text (raises on a bad one)."""
    return [
        channel.verify_statement(report.document, s, _lookup_with_me) for s in report.statements
    ]


def propose_report(
    acting: Acting, *, thread: str, result: str, summary: str, to: Peer
) -> JointReport:
    """Write a verification report, sign it as this party's verifier and send it to ``to``."""
    _require(acting, policy.EXCHANGE_REPORT_SIGN)
    thread = check_thread(thread)
    if result not in ReportResult.values:
        raise ValidationError(_("Unknown result %(r)r.") % {"r": result})
    if not summary.strip():
        raise ValidationError(_("The report needs a summary of the evidence."))
    me = load_identity()
    document = {
        "report_id": uuid.uuid4().hex,
        "thread": thread,
        "result": result,
        "summary": summary.strip(),
        "parties": sorted([me.installation_id, to.installation_id]),
        "written_at": timezone.now().isoformat(),
    }
    statement = channel.sign_statement(
        me, document, signed_by=acting.user.get_username(), role="verifier"
    )
    with transaction.atomic():
        report = JointReport.objects.create(
            report_id=str(document["report_id"]),
            thread=thread,
            document=document,
            statements=[statement.as_json()],
        )
        _send_report(acting, report, to)
    return report


def countersign(acting: Acting, report: JointReport) -> JointReport:
    """Sign a report the other party's verifier signed, and send both signatures back."""
    _require(acting, policy.EXCHANGE_REPORT_SIGN)
    me = load_identity()
    if me.installation_id in report.signers:
        raise ValidationError(_("This party has already signed the report."))
    if me.installation_id not in report.document.get("parties", []):
        raise ValidationError(_("This party is not a party to the report."))
    verified_signers(report)
    statement = channel.sign_statement(
        me, report.document, signed_by=acting.user.get_username(), role="verifier"
    )
    others = [p for p in report.document["parties"] if p != me.installation_id]
    with transaction.atomic():
        report.statements = [*report.statements, statement.as_json()]
        report.updated_at = timezone.now()
        report.save(update_fields=["statements", "updated_at"])
        for other in Peer.objects.filter(installation_id__in=others):
            _send_report(acting, report, other)
    return report


def _send_report(acting: Acting, report: JointReport, to: Peer) -> None:
    actor = acting.audit_actor
    services.send_bundle(
        actor,
        "report",
        {"subject": report.thread, "document": report.document, "statements": report.statements},
        [to],
        subject=report.thread,
    )
    log_event(
        actor,
        "joint_report_signed",
        "joint_report",
        report.report_id,
        {"thread": report.thread, "signers": report.signers, "to": to.installation_id},
    )


@services.register_handler("report")
def _receive_report(opened: OpenedBundle, bundle: BundleIn, actor: Actor) -> None:
    body = opened.body
    document = body.get("document")
    statements = body.get("statements")
    if not isinstance(document, dict) or not isinstance(statements, list) or not statements:
        raise services.ApplyRefused(_("The report has no text or no signatures."))
    me = load_identity()
    if me.installation_id not in document.get("parties", []):
        raise services.ApplyRefused(_("This installation is not a party to the report."))
    try:
        checked = [channel.verify_statement(document, s, _lookup_with_me) for s in statements]
    except channel.ChannelError as exc:
        raise services.ApplyRefused(str(exc)) from exc
    if opened.header.sender not in {s.signer for s in checked}:
        raise services.ApplyRefused(_("The sender has not signed the report it sent."))
    report = JointReport.objects.filter(report_id=str(document.get("report_id"))).first()
    if report is None:
        report = JointReport.objects.create(
            report_id=str(document.get("report_id"))[:32],
            thread=str(document.get("thread", ""))[:120],
            document=document,
            statements=statements,
        )
    else:
        if report.document != document:
            raise services.ApplyRefused(_("The report's text differs from the one we signed."))
        known = {s.get("signer") for s in report.statements}
        report.statements = [*report.statements] + [
            s for s in statements if s.get("signer") not in known
        ]
        report.updated_at = timezone.now()
        report.save(update_fields=["statements", "updated_at"])
    log_event(
        actor,
        "report_received",
        "joint_report",
        report.report_id,
        {"signers": report.signers, "from": opened.header.sender},
    )


def is_joint(report: JointReport) -> bool:
    parties = set(report.document.get("parties", []))
    return bool(parties) and parties <= set(report.signers)


def report_summary(report: JointReport) -> dict[str, Any]:
    return {
        "report_id": report.report_id,
        "thread": report.thread,
        "result": report.document.get("result"),
        "signers": report.signers,
        "joint": is_joint(report),
    }


# ---- shared case summaries -----------------------------------------------------------------

#: What of a found child may leave in a case summary: names, sex, birth date and the region
#: (never the location, custodian, institution, documents or notes).
CHILD_SUMMARY_FIELDS = ("sex", "birth_date", "current_region")


def case_summary_body(case: Any) -> dict[str, Any]:
    """The minimum the policy lets leave about a case: its reference and state, the sought
    child as on a list, and the found child's names, sex, birth date and region."""
    from reunite.exchange.lists import entry_fields

    body: dict[str, Any] = {
        "case_reference": case.reference,
        "state": case.state,
        "state_label": str(case.get_state_display()),
    }
    if case.enquiry_id:
        body["sought"] = entry_fields(case.enquiry)
    if case.child_id:
        child = case.child
        name = child.primary_name
        body["found"] = {
            "surname": name.surname if name else "",
            "given_name": name.given_name if name else "",
            "patronymic": name.patronymic if name else "",
            "sex": child.sex,
            "birth_date": child.birth_date_display,
            "current_region": child.current_region,
        }
    return body


def share_case_summary(acting: Acting, case: Any, to: Sequence[Peer]) -> CaseSummary:
    """Send the case's summary to other parties and/or the mediator (thread ``case:<ref>``)."""
    _require(acting, policy.EXCHANGE_CASE_SHARE)
    if not policy.can(acting.user, "case.view", case):
        raise PermissionDenied(_("Your role does not allow this."))
    if not to:
        raise ValidationError(_("Choose at least one recipient."))
    me = load_identity()
    actor = acting.audit_actor
    summary = case_summary_body(case)
    thread = check_thread(f"case:{case.reference}")
    summary_id = uuid.uuid4().hex
    shared_at = timezone.now()
    with transaction.atomic():
        record = CaseSummary.objects.create(
            summary_id=summary_id,
            thread=thread,
            case_reference=case.reference,
            author_installation=me.installation_id,
            shared_by=acting.user.get_username(),
            recipients=sorted(p.installation_id for p in to),
            summary=summary,
            shared_at=shared_at,
            direction=ListDirection.OUTGOING,
        )
        bundle = services.send_bundle(
            actor,
            "case_summary",
            {
                "subject": thread,
                "summary_id": summary_id,
                "thread": thread,
                "shared_by": record.shared_by,
                "summary": summary,
            },
            to,
            subject=thread,
        )
        record.bundle_id = bundle.bundle_id
        record.save(update_fields=["bundle_id"])
        log_event(
            actor,
            "case_summary_shared",
            "case",
            case.pk,
            {"to": record.recipients, "fields": sorted(summary), "bundle": bundle.bundle_id},
        )
    return record


@services.register_handler("case_summary")
def _receive_case_summary(opened: OpenedBundle, bundle: BundleIn, actor: Actor) -> None:
    body = opened.body
    summary = body.get("summary")
    try:
        thread = check_thread(str(body.get("thread", "")))
    except ValidationError as exc:
        raise services.ApplyRefused(" ".join(exc.messages)) from exc
    if not isinstance(summary, dict) or not summary.get("case_reference"):
        raise services.ApplyRefused(_("The case summary is empty."))
    summary_id = str(body.get("summary_id") or "")[:32] or uuid.uuid4().hex
    if CaseSummary.objects.filter(summary_id=summary_id).exists():
        return
    CaseSummary.objects.create(
        summary_id=summary_id,
        thread=thread,
        case_reference=str(summary["case_reference"])[:40],
        author_installation=opened.header.sender,
        shared_by=str(body.get("shared_by") or "")[:150],
        recipients=list(opened.header.to),
        summary=summary,
        shared_at=opened.header.created,
        bundle_id=bundle.bundle_id,
        direction=ListDirection.INCOMING,
    )
    log_event(actor, "summary_received", "thread", thread, {"from": opened.header.sender})

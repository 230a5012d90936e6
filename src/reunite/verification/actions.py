"""Every write of the verification app: checked against the policy, audited in one transaction.

Views, the API and the CLI call these functions and never save verification records
themselves. Each takes an ``Acting`` first (``reunite.registry.actions.Acting``). The rules
enforced here (and therefore everywhere):

- evidence is added to a case the user can see, by roles with ``evidence.add``; files are
  size- and type-checked by content, checksummed and stored outside the web root;
- a change to an item of evidence (details, doubt, withdrawal) withdraws every decision
  that relied on it;
- four eyes: a relationship is verified by two different verifiers (one per party in a
  cross-border case); nobody approves on evidence they submitted; nobody approves twice;
  a rejection needs a reason; the mediator may countersign a verified relationship;
- a best-interests determination has a panel of at least three people of two roles and,
  from age 12, the child's views in the child's words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.cases.models import CASE_STATE_ORDER, Case, CaseState
from reunite.core.acting import Acting
from reunite.verification import status
from reunite.verification.models import (
    BestInterestsDetermination,
    BidDecision,
    Decision,
    Evidence,
    EvidenceKind,
    Interviewee,
    KinshipReport,
    RelationshipDecision,
    Supports,
)

# Verification work happens before the case is approved for reunification; after that the
# record is closed (a change would silently undo the basis of the approval).
EDITABLE_STATES = frozenset(CASE_STATE_ORDER[: CASE_STATE_ORDER.index(CaseState.APPROVED)])
# Kinds whose evidence may be a written note without a file.
NOTE_ONLY_KINDS = frozenset({EvidenceKind.INTERVIEW, EvidenceKind.BIOGRAPHY})
EVIDENCE_FIELDS = (
    "title", "supports", "provided_by", "issued_on", "expires_on", "on_required_form",
    "interviewee", "notes",
)  # fmt: skip
_NULLABLE = frozenset({"issued_on", "expires_on", "on_required_form"})
# Plausible evidence dates: nothing about a child of today was issued before 1900, and no
# identity document stays valid for a century (a year 9380 is a typing or fuzzing error).
EARLIEST_EVIDENCE_YEAR = 1900
MAX_VALIDITY_YEARS = 100
BID_FIELDS = (
    "panel", "child_views", "child_views_language", "child_views_verbatim",
    "child_not_heard_reason", "risks_family", "risks_journey", "options_considered",
    "decision", "reasons", "decided_on",
)  # fmt: skip


def max_csv_bytes() -> int:
    """Largest DNA profile or frequency CSV accepted (``REUNITE_VERIFICATION_MAX_CSV_BYTES``)."""
    return int(getattr(settings, "REUNITE_VERIFICATION_MAX_CSV_BYTES", 5 * 1024 * 1024))


# Access ----------------------------------------------------------------------------------


def require_on_case(acting: Acting, case: Case, action: str) -> Case:
    """Re-read the case for this user: 404 when invisible, 403 when the role may not act."""
    return policy.get_visible_or_404(acting.user, Case.objects.all(), case.pk, action)  # type: ignore[return-value]


def _check_editable(case: Case) -> None:
    if case.state not in EDITABLE_STATES:
        raise ValidationError(
            f"The case is '{case.get_state_display()}': its verification record is closed."
        )


def _locked_case(acting: Acting, case: Case, action: str) -> Case:
    require_on_case(acting, case, action)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("enquiry", "child", "owner")
        .get(pk=case.pk)
    )
    _check_editable(case)
    return case


# Files -----------------------------------------------------------------------------------


def _sniff_content_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _read_checked(upload: UploadedFile, limit: int, label: str) -> bytes:
    size = upload.size
    if not size:
        raise ValidationError({label: "The file is empty."})
    if size > limit:
        raise ValidationError(
            {label: f"The file is {size / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB."}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:  # the declared size understated it
        raise ValidationError({label: f"The file is larger than {limit / 1048576:.0f} MB."})
    upload.seek(0)
    return data


def _document_file(upload: UploadedFile) -> tuple[bytes, str]:
    data = _read_checked(upload, settings.REUNITE_MAX_ATTACHMENT_BYTES, "file")
    content_type = _sniff_content_type(data[:16])
    if content_type not in settings.REUNITE_ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": "Only JPEG, PNG and PDF files are accepted as evidence documents "
             "(checked by content, not by the file name)."}
        )  # fmt: skip
    return data, content_type


def _csv_text(upload: UploadedFile, label: str) -> tuple[bytes, str]:
    data = _read_checked(upload, max_csv_bytes(), label)
    if _sniff_content_type(data[:16]) or b"\x00" in data[:4096]:
        raise ValidationError({label: "This is not a CSV text file."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({label: f"The file is not UTF-8 text (byte {exc.start})."}) from exc
    return data, text


def _store(field: Any, data: bytes, digest: str) -> None:
    field.save(f"{digest[:16]}.bin", ContentFile(data), save=False)


# Evidence --------------------------------------------------------------------------------


def _clean_evidence(item: Evidence, has_file: bool) -> None:
    errors: dict[str, list[str]] = {}
    if item.kind not in EvidenceKind.values:
        errors.setdefault("kind", []).append(
            gettext("Unknown kind %(kind)s.") % {"kind": repr(item.kind)})
    if not (item.title or "").strip():
        errors.setdefault("title", []).append(gettext("Give the item a title."))
    if not (item.provided_by or "").strip():
        errors.setdefault("provided_by", []).append(
            gettext("Say who provided it (a person, an authority or a laboratory).")
        )
    supports = item.supports
    if not isinstance(supports, list) or not supports:
        errors.setdefault("supports", []).append(gettext("Say what the item supports."))
    else:
        unknown = [s for s in supports if s not in Supports.values]
        if unknown:
            errors.setdefault("supports", []).append(
                gettext("Unknown: %(values)s.") % {"values": ", ".join(map(str, unknown))})
        item.supports = (
            sorted(set(supports), key=Supports.values.index) if not unknown else supports
        )
    if item.issued_on and item.expires_on and item.expires_on < item.issued_on:
        errors.setdefault("expires_on", []).append(
            gettext("It cannot expire before it was issued."))
    today = timezone.localdate()
    if item.issued_on and item.issued_on > today:
        errors.setdefault("issued_on", []).append(gettext("It cannot be issued in the future."))
    if item.issued_on and item.issued_on.year < EARLIEST_EVIDENCE_YEAR:
        errors.setdefault("issued_on", []).append(
            gettext("A date before %(year)s is not plausible for this evidence.")
            % {"year": EARLIEST_EVIDENCE_YEAR}
        )
    if item.expires_on and item.expires_on.year > today.year + MAX_VALIDITY_YEARS:
        errors.setdefault("expires_on", []).append(
            gettext("No document is valid for more than %(years)s years.")
            % {"years": MAX_VALIDITY_YEARS}
        )
    if item.kind == EvidenceKind.INTERVIEW and item.interviewee not in Interviewee.values:
        errors.setdefault("interviewee", []).append(gettext("Say who was interviewed."))
    if item.kind != EvidenceKind.INTERVIEW:
        item.interviewee = ""
    if item.kind != EvidenceKind.POWER_OF_ATTORNEY:
        item.on_required_form = None
    if not has_file and item.kind not in NOTE_ONLY_KINDS:
        errors.setdefault("file", []).append(
            gettext("This item (%(kind)s) needs its file (JPEG, PNG or PDF).")
            % {"kind": item.get_kind_display()}
        )
    if not has_file and item.kind in NOTE_ONLY_KINDS and not (item.notes or "").strip():
        errors.setdefault("notes", []).append(
            gettext("Attach a file or write the content in the notes."))
    if errors:
        raise ValidationError(errors)
    try:
        item.full_clean(exclude=["case", "organization", "file", "supports"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _evidence_snapshot(item: Evidence) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ("kind", *EVIDENCE_FIELDS, "doubt", "sha256")}


@transaction.atomic
def add_evidence(
    acting: Acting, case: Case, fields: Mapping[str, Any], upload: UploadedFile | None = None
) -> Evidence:
    """Add an item of evidence (with its file) to a case."""
    case = _locked_case(acting, case, "evidence.add")
    unknown = set(fields) - {"kind", *EVIDENCE_FIELDS}
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    kind = fields.get("kind", "")
    item = Evidence(
        case=case, organization=acting.organization, added_by=acting.user, kind=kind,
        supports=list(fields.get("supports") or status.DEFAULT_SUPPORTS.get(kind, [])),
    )  # fmt: skip
    for name in EVIDENCE_FIELDS:
        if name in fields and name != "supports":
            value = fields[name]
            if value is None and name not in _NULLABLE:
                value = ""
            setattr(item, name, value)
    data, content_type = (None, "") if upload is None else _document_file(upload)
    _clean_evidence(item, has_file=data is not None)
    if data is not None and upload is not None:
        digest = hashlib.sha256(data).hexdigest()
        item.sha256, item.size, item.content_type = digest, len(data), content_type
        item.original_name = (upload.name or "file")[-200:]
        _store(item.file, data, digest)
    try:
        item.save()
        changes = {
            k: [None, v] for k, v in _evidence_snapshot(item).items() if v not in (None, "", [])
        }
        changes["case"] = [None, case.pk]
        log_event(acting.audit_actor, "create", "evidence", item.pk, changes)
    except Exception:
        if item.file:
            item.file.delete(save=False)  # the transaction rolls back: leave no orphan file
        raise
    return item


def _locked_evidence(acting: Acting, item: Evidence, action: str) -> tuple[Case, Evidence]:
    case = _locked_case(acting, item.case, action)
    item = Evidence.objects.select_for_update().get(pk=item.pk)
    if item.is_withdrawn:
        raise ValidationError("This item of evidence was withdrawn.")
    return case, item


def _check_own_party(acting: Acting, item: Evidence) -> None:
    if item.organization_id != acting.organization.pk:
        raise PermissionDenied("Only the party that added this item can change it.")


def withdraw_decisions_relying_on(acting: Acting, item: Evidence, why: str) -> list[int]:
    """Withdraw every decision in force that relied on the item (and a countersignature)."""
    now = timezone.now()
    withdrawn = list(
        RelationshipDecision.objects.select_for_update()
        .filter(evidence=item, withdrawn_at__isnull=True)
        .order_by("pk")
    )
    if withdrawn:
        # The countersignature rests on the approvals: it falls with any of them.
        seen = {d.pk for d in withdrawn}
        withdrawn += [
            d
            for d in RelationshipDecision.objects.select_for_update().filter(
                case_id=item.case_id, decision=Decision.COUNTERSIGN, withdrawn_at__isnull=True
            )
            if d.pk not in seen
        ]
    ids = []
    for decision in withdrawn:
        decision.withdrawn_at = now
        decision.withdrawn_reason = why
        decision.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        ids.append(decision.pk)
        log_event(
            acting.audit_actor, "withdraw", "relationship_decision", decision.pk,
            {"withdrawn_reason": [None, why], "evidence": item.pk},
        )  # fmt: skip
    return ids


def _after_change(acting: Acting, item: Evidence, before: dict[str, Any], action: str) -> None:
    item.version += 1
    item.save()
    after = _evidence_snapshot(item)
    changes: dict[str, Any] = {
        k: [before.get(k), v] for k, v in after.items() if before.get(k) != v
    }
    changes["version"] = [item.version - 1, item.version]
    log_event(acting.audit_actor, action, "evidence", item.pk, changes)
    withdraw_decisions_relying_on(
        acting, item, f"evidence #{item.pk} changed (version {item.version}) by "
        f"{acting.user.get_username()}",
    )  # fmt: skip


@transaction.atomic
def update_evidence(acting: Acting, item: Evidence, fields: Mapping[str, Any]) -> Evidence:
    """Change an item's details (its own party only); withdraws the decisions relying on it."""
    _case, item = _locked_evidence(acting, item, "evidence.add")
    _check_own_party(acting, item)
    unknown = set(fields) - set(EVIDENCE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    before = _evidence_snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value)
    _clean_evidence(item, has_file=bool(item.file))
    if _evidence_snapshot(item) == before:
        return item
    _after_change(acting, item, before, "update")
    return item


@transaction.atomic
def flag_evidence(acting: Acting, item: Evidence, doubt: str) -> Evidence:
    """A verifier records (or, with an empty text, clears) a doubt about an item."""
    _case, item = _locked_evidence(acting, item, "relationship.approve")
    doubt = doubt.strip()
    if doubt == item.doubt:
        return item
    before = _evidence_snapshot(item)
    item.doubt = doubt
    _after_change(acting, item, before, "update")
    return item


@transaction.atomic
def withdraw_evidence(acting: Acting, item: Evidence, reason: str) -> Evidence:
    """Withdraw an item (its own party only; it stays on record); withdraws decisions on it."""
    _case, item = _locked_evidence(acting, item, "evidence.add")
    _check_own_party(acting, item)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the item is withdrawn."})
    item.withdrawn_at = timezone.now()
    item.withdrawn_reason = reason.strip()
    before = _evidence_snapshot(item)
    item.version += 1
    item.save()
    log_event(
        acting.audit_actor, "withdraw", "evidence", item.pk,
        {"withdrawn_reason": [None, item.withdrawn_reason], "version": [item.version - 1,
                                                                         item.version],
         "kind": before["kind"]},
    )  # fmt: skip
    withdraw_decisions_relying_on(
        acting, item, f"evidence #{item.pk} withdrawn by {acting.user.get_username()}"
    )
    return item


def record_download(acting: Acting, item: Evidence, what: str = "file") -> None:
    """Audit that the user downloaded an item's file (or a kinship report)."""
    log_event(acting.audit_actor, "download", "evidence", item.pk, {"what": what})


# DNA -------------------------------------------------------------------------------------


def _kinship_problems(exc: Exception, label: str) -> ValidationError:
    from reunite.kinship import KinshipInputError

    if isinstance(exc, KinshipInputError):
        messages = [str(p) for p in exc.problems[:50]]
        if len(exc.problems) > 50:
            messages.append(f"… and {len(exc.problems) - 50} more problems")
        return ValidationError({label: messages})
    return ValidationError({label: [str(exc)]})


@transaction.atomic
def import_dna(
    acting: Acting,
    case: Case,
    *,
    profiles: UploadedFile,
    frequencies: UploadedFile | None,
    claimant_profile: str,
    child_profile: str,
    relationship: str = "",
    theta: float = 0.0,
    mutation_rate: float | None = None,
    provided_by: str = "",
    title: str = "",
    use_synthetic_frequencies: bool = False,
) -> KinshipReport:
    """Import STR profiles for a tested pair, compute the kinship LR and store the report.

    Both files are parsed by ``reunite.kinship`` and every problem it finds is reported
    (row, column, person, locus); nothing is saved unless everything is valid.
    """
    from reunite.kinship import (
        CLAIMABLE_RELATIONSHIPS,
        KinshipError,
        likelihood_ratio,
        read_frequencies,
        read_profiles,
        synthetic_frequencies,
    )

    case = _locked_case(acting, case, "kinship.run")
    errors: dict[str, list[str]] = {}
    claimed = status.claimed_relationship(case)
    relationship = relationship or status.KINSHIP_FOR_RELATIONSHIP.get(claimed, "")  # type: ignore[call-overload]
    if relationship not in CLAIMABLE_RELATIONSHIPS:
        errors["relationship"] = [
            f"Choose the relationship to test ({', '.join(sorted(CLAIMABLE_RELATIONSHIPS))})."
        ]
    claimant_profile, child_profile = claimant_profile.strip(), child_profile.strip()
    if not claimant_profile:
        errors["claimant_profile"] = ["Give the claimant's person id in the profile file."]
    if not child_profile:
        errors["child_profile"] = ["Give the child's person id in the profile file."]
    if claimant_profile and claimant_profile == child_profile:
        errors["child_profile"] = [
            "The claimant and the child are the same profile id: a profile cannot be compared "
            "with itself."
        ]
    if not (math.isfinite(theta) and 0.0 <= theta < 0.5):
        errors["theta"] = ["θ must be at least 0 and below 0.5 (typically 0–0.03)."]
    if mutation_rate is not None and not (math.isfinite(mutation_rate) and 0 <= mutation_rate < 1):
        errors["mutation_rate"] = ["The mutation rate must be in [0, 1) (typically 0.002)."]
    profile_bytes, profile_text = _csv_text(profiles, "profiles")
    freq_bytes = b""
    if frequencies is not None:
        freq_bytes, freq_text = _csv_text(frequencies, "frequencies")
    elif not use_synthetic_frequencies:
        errors["frequencies"] = ["Upload the laboratory's allele-frequency file."]
    if errors:
        raise ValidationError(errors)
    try:
        if frequencies is not None:
            freqs = read_frequencies(io.StringIO(freq_text))
        else:
            freqs = synthetic_frequencies()
    except KinshipError as exc:
        raise _kinship_problems(exc, "frequencies") from exc
    try:
        people = read_profiles(io.StringIO(profile_text), freqs)
    except KinshipError as exc:
        raise _kinship_problems(exc, "profiles") from exc
    for label, pid in (("claimant_profile", claimant_profile), ("child_profile", child_profile)):
        if pid not in people:
            errors[label] = [
                f"No profile {pid!r} in the file (it has: {', '.join(sorted(people)[:20])})."
            ]
    if errors:
        raise ValidationError(errors)
    try:
        result = likelihood_ratio(
            people[claimant_profile], people[child_profile], relationship, freqs,
            theta=theta, mutation_rate=mutation_rate or None,
        )  # fmt: skip
    except KinshipError as exc:
        raise _kinship_problems(exc, "profiles") from exc
    data = result.to_dict()
    pdigest = hashlib.sha256(profile_bytes).hexdigest()
    item = Evidence(
        case=case, kind=EvidenceKind.DNA, organization=acting.organization, added_by=acting.user,
        title=(title.strip() or f"DNA {relationship}: {claimant_profile} / {child_profile}")[:200],
        supports=[status.Supports.RELATIONSHIP],
        provided_by=(provided_by.strip() or "DNA laboratory")[:200],
        issued_on=timezone.localdate(), content_type="text/csv", size=len(profile_bytes),
        sha256=pdigest, original_name=(profiles.name or "profiles.csv")[-200:],
        notes=result.verbal,
    )  # fmt: skip
    report = KinshipReport(
        relationship=relationship, claimant_profile=claimant_profile, child_profile=child_profile,
        combined_lr=result.combined_lr, log10_lr=result.log10_lr, excluded=result.excluded,
        verbal=result.verbal, theta=theta, mutation_rate=mutation_rate or None,
        frequency_database=str(data["assumptions"].get("frequency_database", freqs.name))[:200],
        frequency_database_synthetic=bool(freqs.synthetic), result=data,
        warnings=list(result.warnings), run_by=acting.user,
    )  # fmt: skip
    if math.isinf(report.combined_lr) or math.isnan(report.combined_lr):
        raise ValidationError({"profiles": ["The likelihood ratio is not a finite number."]})
    _store(item.file, profile_bytes, pdigest)
    fdigest = ""
    if freq_bytes:
        fdigest = hashlib.sha256(freq_bytes).hexdigest()
        _store(report.frequencies_file, freq_bytes, fdigest)
        report.frequencies_sha256 = fdigest
    try:
        item.save()
        report.evidence = item
        report.save()
        log_event(
            acting.audit_actor, "create", "evidence", item.pk,
            {"case": [None, case.pk], "kind": [None, "dna"], "sha256": [None, pdigest],
             "provided_by": [None, item.provided_by]},
        )  # fmt: skip
        log_event(
            acting.audit_actor, "create", "kinship_report", report.pk,
            {
                "evidence": [None, item.pk], "relationship": [None, relationship],
                "profiles": [None, [claimant_profile, child_profile]],
                "combined_lr": [None, report.combined_lr], "theta": [None, theta],
                "mutation_rate": [None, report.mutation_rate],
                "frequency_database": [None, report.frequency_database],
                "frequencies_sha256": [None, fdigest], "warnings": [None, report.warnings],
            },
        )  # fmt: skip
    except Exception:  # the transaction rolls back: leave no orphan files
        item.file.delete(save=False)
        if report.frequencies_file:
            report.frequencies_file.delete(save=False)
        raise
    return report


def kinship_pdf(acting: Acting, report: KinshipReport) -> bytes:
    """The PDF of a stored kinship report (audited as a download)."""
    from reunite.kinship import KinshipResult, report_pdf

    case = report.evidence.case
    require_on_case(acting, case, "evidence.view")
    result = KinshipResult.from_dict(report.result)
    pdf = report_pdf(
        result, title=f"DNA kinship report — case {case.reference}",
        subject_labels={report.claimant_profile: f"{report.claimant_profile} (claimant)",
                        report.child_profile: f"{report.child_profile} (child)"},
        case_reference=case.reference,
    )  # fmt: skip
    record_download(acting, report.evidence, "kinship report PDF")
    return pdf


# Four eyes -------------------------------------------------------------------------------


@transaction.atomic
def decide_relationship(
    acting: Acting,
    case: Case,
    decision: str,
    *,
    evidence_ids: Sequence[int] = (),
    reason: str = "",
) -> RelationshipDecision:
    """A verifier approves or rejects the claimed relationship, naming the evidence relied on."""
    case = _locked_case(acting, case, "relationship.approve")
    relationship = status.claimed_relationship(case)
    reason = reason.strip()
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise ValidationError({"decision": "Choose approve or reject."})
    if not relationship:
        raise ValidationError("The case has no tracing request, so no claimed relationship.")
    if decision == Decision.REJECT and not reason:
        raise ValidationError({"reason": "A rejection needs a reason."})
    ids = sorted({int(i) for i in evidence_ids})
    items = list(
        Evidence.objects.filter(case=case, pk__in=ids, withdrawn_at__isnull=True).order_by("pk")
    )
    unknown = sorted(set(ids) - {i.pk for i in items})
    if unknown:
        listed = ", ".join(f"#{i}" for i in unknown)
        raise ValidationError({"evidence": f"Not current evidence of this case: {listed}."})
    if decision == Decision.APPROVE and not items:
        raise ValidationError({"evidence": "Name the evidence the approval relies on."})
    own = [i for i in items if i.added_by_id == acting.user.pk]
    if decision == Decision.APPROVE and own:
        raise PermissionDenied(
            "Nobody approves what they submitted: you added "
            + ", ".join(f"#{i.pk}" for i in own)
            + ". Another verifier must rely on it, or leave it out."
        )
    previous = list(
        RelationshipDecision.objects.select_for_update().filter(
            case=case, user=acting.user, relationship=relationship, withdrawn_at__isnull=True,
            decision__in=[Decision.APPROVE, Decision.REJECT],
        )
    )  # fmt: skip
    if decision == Decision.APPROVE and any(p.decision == Decision.APPROVE for p in previous):
        raise ValidationError(
            "You have already approved this relationship; a second, different verifier must "
            "approve it."
        )
    now = timezone.now()
    for p in previous:  # a new decision by the same person replaces their earlier one
        p.withdrawn_at, p.withdrawn_reason = (
            now,
            "replaced by a later decision of the same verifier",
        )
        p.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        log_event(
            acting.audit_actor, "withdraw", "relationship_decision", p.pk,
            {"withdrawn_reason": [None, p.withdrawn_reason]},
        )  # fmt: skip
    if previous and decision == Decision.REJECT:
        RelationshipDecision.objects.filter(
            case=case, decision=Decision.COUNTERSIGN, withdrawn_at__isnull=True
        ).update(withdrawn_at=now, withdrawn_reason="an approval was replaced by a rejection")
    record = RelationshipDecision.objects.create(
        case=case, relationship=relationship, decision=decision, reason=reason,
        evidence_versions={str(i.pk): {"version": i.version, "sha256": i.sha256} for i in items},
        user=acting.user, organization=acting.organization,
    )  # fmt: skip
    record.evidence.set(items)
    log_event(
        acting.audit_actor, "create", "relationship_decision", record.pk,
        {
            "case": [None, case.pk], "decision": [None, decision],
            "relationship": [None, relationship], "reason": [None, reason],
            "evidence": [None, record.evidence_versions],
        },
    )  # fmt: skip
    return record


@transaction.atomic
def countersign(acting: Acting, case: Case, note: str = "") -> RelationshipDecision:
    """The mediator countersigns a relationship that two verifiers have approved."""
    case = _locked_case(acting, case, "relationship.countersign")
    if not acting.organization.is_mediator:
        raise PermissionDenied("Only the mediator countersigns the verification.")
    eyes = status.four_eyes(case)
    if not eyes.verified:
        raise ValidationError(
            "Only a verified relationship can be countersigned: " + "; ".join(eyes.missing)
        )
    if eyes.countersignature is not None:
        raise ValidationError("The verification is already countersigned.")
    approvals = [a for a in eyes.approvals]
    evidence = {e for a in approvals for e in a.evidence.all()}
    record = RelationshipDecision.objects.create(
        case=case, relationship=eyes.relationship, decision=Decision.COUNTERSIGN,
        reason=note.strip(), user=acting.user, organization=acting.organization,
        evidence_versions={str(e.pk): {"version": e.version, "sha256": e.sha256}
                           for e in evidence},
    )  # fmt: skip
    record.evidence.set(evidence)
    log_event(
        acting.audit_actor, "create", "relationship_decision", record.pk,
        {"case": [None, case.pk], "decision": [None, "countersign"],
         "approvals": [None, [a.pk for a in approvals]], "reason": [None, record.reason]},
    )  # fmt: skip
    return record


# Best interests --------------------------------------------------------------------------


def _clean_panel(panel: Any) -> tuple[list[dict[str, str]], list[str]]:
    problems: list[str] = []
    rows: list[dict[str, str]] = []
    if not isinstance(panel, list):
        return [], ["The panel is a list of people with their roles."]
    for index, member in enumerate(panel, 1):
        if not isinstance(member, Mapping):
            problems.append(f"Panel member {index}: give a name and a role.")
            continue
        name = str(member.get("name") or "").strip()
        role = str(member.get("role") or "").strip()
        if not name and not role:
            continue
        if not name or not role:
            problems.append(f"Panel member {index}: give both a name and a role.")
            continue
        rows.append({"name": name[:200], "role": role[:100]})
    names = {r["name"].casefold() for r in rows}
    roles = {r["role"].casefold() for r in rows}
    if len(names) != len(rows):
        problems.append("Each panel member is listed once.")
    if len(names) < status.BID_MIN_PANEL:
        problems.append(
            f"The panel needs at least {status.BID_MIN_PANEL} different people "
            f"({len(names)} given)."
        )
    if len(roles) < status.BID_MIN_ROLES:
        problems.append(
            f"The panel needs people of at least {status.BID_MIN_ROLES} different roles "
            f"(e.g. social worker, psychologist, lawyer; {len(roles)} given)."
        )
    return rows, problems


@transaction.atomic
def record_bid(acting: Acting, case: Case, fields: Mapping[str, Any]) -> BestInterestsDetermination:
    """Record a best-interests determination for the case's child (the newest one counts)."""
    case = _locked_case(acting, case, "bid.record")
    unknown = set(fields) - set(BID_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    if case.child is None:
        raise ValidationError("Link the child to the case before a best-interests determination.")
    errors: dict[str, list[str]] = {}
    panel, problems = _clean_panel(fields.get("panel"))
    if problems:
        errors["panel"] = problems
    decided_on = fields.get("decided_on") or timezone.localdate()
    if isinstance(decided_on, str):
        try:
            decided_on = dt.date.fromisoformat(decided_on)
        except ValueError:
            errors["decided_on"] = [f"{decided_on!r} is not a date (YYYY-MM-DD)."]
            decided_on = timezone.localdate()
    if decided_on > timezone.localdate():
        errors["decided_on"] = ["The decision date cannot be in the future."]
    age = status.child_age(case.child, decided_on)
    views = str(fields.get("child_views") or "").strip()
    verbatim = bool(fields.get("child_views_verbatim"))
    if age is None or age >= status.CHILD_VIEWS_AGE:
        shown = f"the child is {age}" if age is not None else "the child's age is unknown"
        if not views:
            errors["child_views"] = [
                f"The child's views are required from age {status.CHILD_VIEWS_AGE} ({shown}): "
                "record them in the child's own words."
            ]
        elif not verbatim:
            errors["child_views_verbatim"] = [
                "Confirm that the views are recorded in the child's own words (not a summary)."
            ]
    elif not views and not str(fields.get("child_not_heard_reason") or "").strip():
        errors["child_not_heard_reason"] = [
            f"The child is {age}: record their views, or say why they were not heard."
        ]
    for name, label in (
        ("risks_family", "the risks in the family"),
        ("risks_journey", "the risks on the way"),
        ("reasons", "the reasons for the decision"),
    ):
        if not str(fields.get(name) or "").strip():
            errors[name] = [f"Describe {label}."]
    options = [str(o).strip() for o in (fields.get("options_considered") or []) if str(o).strip()]
    if len(options) < 2:
        errors["options_considered"] = [
            "List the options considered (at least two, e.g. reunification with the claimant "
            "and the child's current care)."
        ]
    decision = str(fields.get("decision") or "")
    if decision not in BidDecision.values:
        errors["decision"] = ["Choose the decision."]
    if errors:
        raise ValidationError(errors)
    bid = BestInterestsDetermination(
        case=case, child=case.child, panel=panel, child_age=age, child_views=views,
        child_views_language=str(fields.get("child_views_language") or "").strip()[:40],
        child_views_verbatim=verbatim and bool(views),
        child_not_heard_reason=str(fields.get("child_not_heard_reason") or "").strip(),
        risks_family=str(fields["risks_family"]).strip(),
        risks_journey=str(fields["risks_journey"]).strip(),
        options_considered=options, decision=decision, reasons=str(fields["reasons"]).strip(),
        decided_on=decided_on, recorded_by=acting.user, organization=acting.organization,
    )  # fmt: skip
    bid.full_clean(exclude=["case", "child", "organization"])
    bid.save()
    log_event(
        acting.audit_actor, "create", "best_interests", bid.pk,
        {
            "case": [None, case.pk], "child": [None, case.child_id], "panel": [None, panel],
            "child_age": [None, age], "child_views": [None, views],
            "child_views_verbatim": [None, bid.child_views_verbatim],
            "risks_family": [None, bid.risks_family], "risks_journey": [None, bid.risks_journey],
            "options_considered": [None, options], "decision": [None, decision],
            "reasons": [None, bid.reasons], "decided_on": [None, decided_on],
        },
    )  # fmt: skip
    return bid


def approval_guard(case: Case) -> list[str]:
    """The guard registered on *approved*: the four-eyes verification and the BID."""
    return status.missing_for_approval(case)

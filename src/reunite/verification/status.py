"""Where the verification of a case stands: evidence checklist, four-eyes state, BID state.

Read-only computations shared by the web screens, the API, the CLI and the guard on
*approved for reunification* (registered in ``VerificationConfig.ready()``). What each
claimed relationship requires is the table ``REQUIREMENTS`` below (domain brief §5:
documents first; birth and marriage certificates for the family tie; guardianship
decision, notarised consent or a power of attorney on the special notarial form for legal
authority; the child's wishes; a joint verification report for cross-border cases).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from reunite.accounts.models import Organization
from reunite.cases.models import Case
from reunite.registry.models import Child, DatePrecision, Relationship
from reunite.verification.models import (
    BestInterestsDetermination,
    BidDecision,
    Decision,
    Evidence,
    EvidenceKind,
    Interviewee,
    RelationshipDecision,
    Supports,
)

# The child's views are required in a best-interests determination from this age.
CHILD_VIEWS_AGE = 12
# A DNA result below this likelihood ratio is "doubtful" (below the ENFSI band of strong
# support, 10^3–10^4; a paternity index of 1,000 is a posterior of 99.9 % at prior 0.5).
DNA_MIN_LR = 1000.0
# A best-interests panel: at least this many people, of at least this many roles.
BID_MIN_PANEL, BID_MIN_ROLES = 3, 2

# Kin of the claimed relationship → the kinship engine's relationship to test.
KINSHIP_FOR_RELATIONSHIP = {
    Relationship.MOTHER: "parent-child",
    Relationship.FATHER: "parent-child",
    Relationship.GRANDMOTHER: "grandparent",
    Relationship.GRANDFATHER: "grandparent",
    Relationship.SIBLING: "full-siblings",
    Relationship.AUNT: "avuncular",
    Relationship.UNCLE: "avuncular",
    Relationship.OTHER_RELATIVE: "first-cousins",
}

# What each kind supports unless the person adding it says otherwise.
DEFAULT_SUPPORTS: dict[str, list[str]] = {
    EvidenceKind.BIRTH_CERTIFICATE: [Supports.CHILD_IDENTITY, Supports.RELATIONSHIP],
    EvidenceKind.MARRIAGE_CERTIFICATE: [Supports.RELATIONSHIP],
    EvidenceKind.IDENTITY_DOCUMENT: [Supports.CLAIMANT_IDENTITY],
    EvidenceKind.GUARDIANSHIP_DECISION: [Supports.LEGAL_AUTHORITY],
    EvidenceKind.DEATH_CERTIFICATE: [Supports.LEGAL_AUTHORITY],
    EvidenceKind.NOTARISED_CONSENT: [Supports.LEGAL_AUTHORITY],
    EvidenceKind.POWER_OF_ATTORNEY: [Supports.LEGAL_AUTHORITY],
    EvidenceKind.PHOTO: [Supports.CHILD_IDENTITY],
    EvidenceKind.BIOGRAPHY: [Supports.CHILD_IDENTITY],
    EvidenceKind.INTERVIEW: [Supports.RELATIONSHIP],
    EvidenceKind.VERIFICATION_REPORT: [
        Supports.CHILD_IDENTITY, Supports.CLAIMANT_IDENTITY, Supports.RELATIONSHIP,
    ],
    EvidenceKind.DNA: [Supports.RELATIONSHIP],
}  # fmt: skip

_K = EvidenceKind
_PARENTS = {Relationship.MOTHER, Relationship.FATHER}
_RELATIVES = {
    Relationship.GRANDMOTHER, Relationship.GRANDFATHER, Relationship.SIBLING, Relationship.AUNT,
    Relationship.UNCLE, Relationship.OTHER_RELATIVE,
}  # fmt: skip


@dataclass(frozen=True)
class Requirement:
    """One line of the checklist: what must be shown, and which kinds of item can show it."""

    key: str
    label: str
    supports: str
    kinds: frozenset[str]
    required: bool = True
    note: str = ""

    @property
    def kind_labels(self) -> list[str]:
        """The accepted kinds, by name, in the order of ``EvidenceKind``."""
        return [str(label) for value, label in EvidenceKind.choices if value in self.kinds]


def requirements_for(
    relationship: str, *, cross_border: bool, child_age: int | None
) -> list[Requirement]:
    """The checklist for a claimed relationship (the claimant is the enquirer)."""
    reqs = [
        Requirement(
            "child_identity", _("Identity of the child"), Supports.CHILD_IDENTITY,
            frozenset({_K.BIRTH_CERTIFICATE, _K.IDENTITY_DOCUMENT, _K.PHOTO, _K.BIOGRAPHY,
                       _K.VERIFICATION_REPORT}),
        ),
        Requirement(
            "claimant_identity", _("Identity of the claimant"), Supports.CLAIMANT_IDENTITY,
            frozenset({_K.IDENTITY_DOCUMENT, _K.VERIFICATION_REPORT}),
        ),
    ]  # fmt: skip
    if relationship in _PARENTS:
        tie = {_K.BIRTH_CERTIFICATE, _K.DNA, _K.VERIFICATION_REPORT}
        authority = {_K.BIRTH_CERTIFICATE, _K.GUARDIANSHIP_DECISION, _K.VERIFICATION_REPORT}
        authority_note = _(
            "A parent's birth-certificate entry, unless parental rights were removed."
        )
    elif relationship in _RELATIVES:
        tie = {_K.BIRTH_CERTIFICATE, _K.MARRIAGE_CERTIFICATE, _K.DNA, _K.INTERVIEW,
               _K.VERIFICATION_REPORT}  # fmt: skip
        authority = {_K.GUARDIANSHIP_DECISION, _K.NOTARISED_CONSENT, _K.POWER_OF_ATTORNEY,
                     _K.DEATH_CERTIFICATE}  # fmt: skip
        authority_note = _(
            "A guardianship decision, the parents' notarised consent or a power of attorney on "
            "the notarial form (parents' death certificates support a guardianship)."
        )
    elif relationship == Relationship.LEGAL_GUARDIAN:
        tie = {_K.GUARDIANSHIP_DECISION, _K.VERIFICATION_REPORT}
        authority = {_K.GUARDIANSHIP_DECISION}
        authority_note = _("The guardianship or trusteeship decision.")
    else:
        tie = {_K.NOTARISED_CONSENT, _K.POWER_OF_ATTORNEY, _K.INTERVIEW, _K.VERIFICATION_REPORT}
        authority = {_K.NOTARISED_CONSENT, _K.POWER_OF_ATTORNEY, _K.GUARDIANSHIP_DECISION}
        authority_note = _("A notarised consent or a power of attorney on the notarial form.")
    reqs.append(
        Requirement(
            "relationship", _("The claimed relationship"), Supports.RELATIONSHIP, frozenset(tie)
        )
    )
    reqs.append(
        Requirement(
            "legal_authority",
            _("Legal authority to receive the child"),
            Supports.LEGAL_AUTHORITY,
            frozenset(authority),
            note=authority_note,
        )
    )
    wishes_required = child_age is None or child_age >= CHILD_VIEWS_AGE
    reqs.append(
        Requirement(
            "child_wishes", _("The child's wishes"), Supports.CHILD_WISHES,
            frozenset({_K.INTERVIEW, _K.VERIFICATION_REPORT}), required=wishes_required,
            note=_("Required from age %(age)s (or when the age is unknown); weighed by age "
                   "below that.") % {"age": CHILD_VIEWS_AGE},
        )
    )  # fmt: skip
    if cross_border:
        reqs.append(
            Requirement(
                "joint_report", _("Joint verification report of both parties' verifiers"),
                Supports.RELATIONSHIP, frozenset({_K.VERIFICATION_REPORT}),
                note=_("Cross-border case: prepared by both parties' verifiers, checked by the "
                       "mediator."),
            )
        )  # fmt: skip
    return reqs


# Parties and the child -------------------------------------------------------------------


def claimed_relationship(case: Case) -> str:
    """The relationship the enquirer claims to the child ("" when the case has no enquiry)."""
    return case.enquiry.enquirer_relationship if case.enquiry_id else ""  # type: ignore[union-attr]


def case_parties(case: Case) -> list[Organization]:
    """The parties whose records meet on the case (not the mediator): enquiry's and child's."""
    parties: list[Organization] = []
    for record in (case.enquiry, case.child):
        if record is not None and record.owner not in parties and not record.owner.is_mediator:
            parties.append(record.owner)
    if not parties and not case.owner.is_mediator:
        parties.append(case.owner)
    return parties


def is_cross_border(case: Case) -> bool:
    return len(case_parties(case)) >= 2


def child_age(child: Child | None, on: dt.date | None = None) -> int | None:
    """The child's age in whole years on a date, or None when unknown.

    With only the year (or month) of birth, the earliest possible birthday is used, so the
    child is never taken to be younger than they may be (views are asked rather than not).
    """
    if child is None:
        return None
    on = on or dt.date.today()
    if child.birth_date and child.birth_date_precision != DatePrecision.UNKNOWN:
        born = child.birth_date
        if child.birth_date_precision == DatePrecision.YEAR:
            born = dt.date(born.year, 1, 1)
        elif child.birth_date_precision == DatePrecision.MONTH:
            born = dt.date(born.year, born.month, 1)
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if child.estimated_age is not None:
        since = child.estimated_age_on or on
        return child.estimated_age + max(0, (on - since).days // 365)
    return None


# Evidence --------------------------------------------------------------------------------


def evidence_doubts(item: Evidence, today: dt.date | None = None) -> list[str]:
    """Why an item of evidence is doubtful (empty when it is not)."""
    today = today or dt.date.today()
    doubts: list[str] = []
    if item.doubt:
        doubts.append(_("flagged by a verifier: %(doubt)s") % {"doubt": item.doubt})
    if item.expires_on and item.expires_on < today:
        doubts.append(_("expired on %(date)s") % {"date": item.expires_on.isoformat()})
    if item.issued_on and item.issued_on > today:
        doubts.append(_("issue date in the future"))
    if item.kind == EvidenceKind.POWER_OF_ATTORNEY and item.on_required_form is not True:
        doubts.append(
            _(
                "power of attorney not on the special notarial form (plain-paper powers of "
                "attorney are invalid at the border since 23 May 2023)"
            )
            if item.on_required_form is False
            else _("power of attorney: the notarial form is not confirmed")
        )
    report = getattr(item, "kinship", None) if item.kind == EvidenceKind.DNA else None
    if report is not None:
        if report.excluded:
            doubts.append(_("the DNA result excludes the claimed relationship"))
        elif report.combined_lr < DNA_MIN_LR:
            doubts.append(_("DNA likelihood ratio below %(lr)s") % {"lr": f"{DNA_MIN_LR:,.0f}"})
        if report.frequency_database_synthetic:
            doubts.append(_("DNA computed with a SYNTHETIC frequency database"))
        if any("identical genotypes" in w for w in report.warnings):
            doubts.append(_("identical DNA profiles: identical twins or the same person twice"))
    return doubts


@dataclass
class ChecklistLine:
    requirement: Requirement
    status: str  # "present", "doubtful", "missing", "optional"
    items: list[Evidence] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


def _serves(item: Evidence, req: Requirement) -> bool:
    if item.kind not in req.kinds or req.supports not in (item.supports or []):
        return False
    if req.key == "child_wishes" and item.kind == EvidenceKind.INTERVIEW:
        return item.interviewee == Interviewee.CHILD
    return True


def checklist(case: Case, evidence: Sequence[Evidence] | None = None) -> list[ChecklistLine]:
    """For the claimed relationship: which required items are present, missing or doubtful."""
    items = list(evidence) if evidence is not None else list(current_evidence(case))
    reqs = requirements_for(
        claimed_relationship(case), cross_border=is_cross_border(case),
        child_age=child_age(case.child),
    )  # fmt: skip
    lines = []
    for req in reqs:
        serving = [i for i in items if _serves(i, req)]
        good = [i for i in serving if not evidence_doubts(i)]
        doubts = [f"#{i.pk}: {d}" for i in serving for d in evidence_doubts(i)]
        if good:
            status = "present"
        elif serving:
            status = "doubtful"
        else:
            status = "missing" if req.required else "optional"
        lines.append(ChecklistLine(req, status, serving, doubts))
    return lines


def current_evidence(case: Case) -> Iterable[Evidence]:
    return (
        Evidence.objects.filter(case=case, withdrawn_at__isnull=True)
        .select_related("kinship", "added_by", "organization")
        .order_by("pk")
    )


# Four eyes -------------------------------------------------------------------------------


@dataclass
class FourEyes:
    relationship: str
    cross_border: bool
    parties: list[Organization]
    approvals: list[RelationshipDecision]
    rejections: list[RelationshipDecision]
    countersignature: RelationshipDecision | None
    verified: bool
    missing: list[str]


def decisions_in_force(case: Case) -> list[RelationshipDecision]:
    return list(
        RelationshipDecision.objects.filter(
            case=case, withdrawn_at__isnull=True, relationship=claimed_relationship(case)
        )
        .select_related("user", "organization")
        .prefetch_related("evidence")
        .order_by("at", "pk")
    )


def four_eyes(case: Case) -> FourEyes:
    """Whether two different verifiers (one per party if cross-border) approve the tie."""
    relationship = claimed_relationship(case)
    parties = case_parties(case)
    cross = len(parties) >= 2
    decisions = decisions_in_force(case)
    approvals = [d for d in decisions if d.decision == Decision.APPROVE]
    rejections = [d for d in decisions if d.decision == Decision.REJECT]
    countersign = next((d for d in decisions if d.decision == Decision.COUNTERSIGN), None)
    missing: list[str] = []
    if not relationship:
        missing.append(_("no claimed relationship (the case has no tracing request)"))
    for r in rejections:
        who = r.user.get_username() if r.user else _("a verifier")
        missing.append(
            _("relationship rejected by %(who)s (%(party)s): %(reason)s")
            % {"who": who, "party": r.organization.short_name, "reason": r.reason}
        )
    approvers = {d.user_id for d in approvals}
    if cross:
        for party in parties:
            if not any(d.organization_id == party.pk for d in approvals):
                missing.append(
                    _(
                        "relationship not verified by two verifiers: no approval by a verifier "
                        "of %(party)s (cross-border case: one verifier from each party)"
                    )
                    % {"party": party.short_name}
                )
    elif len(approvers) < 2:
        missing.append(
            _("relationship not verified by two verifiers (%(count)s of 2 approvals)")
            % {"count": len(approvers)}
        )
    verified = not missing
    return FourEyes(relationship, cross, parties, approvals, rejections, countersign, verified,
                    missing)  # fmt: skip


# Best interests --------------------------------------------------------------------------


def current_bid(case: Case) -> BestInterestsDetermination | None:
    return case.bids.order_by("-recorded_at", "-pk").first()


def bid_missing(case: Case, bid: BestInterestsDetermination | None = None) -> list[str]:
    """What the best-interests determination still lacks for *approved*."""
    bid = bid if bid is not None else current_bid(case)
    if bid is None:
        return [_("no best-interests decision in favour (none recorded)")]
    missing = []
    if bid.decision != BidDecision.IN_FAVOUR:
        missing.append(
            _("no best-interests decision in favour (the latest decision: %(decision)s)")
            % {"decision": bid.get_decision_display()}
        )
    age = child_age(case.child)
    if (age is None or age >= CHILD_VIEWS_AGE) and not bid.child_views.strip():
        if age is not None:
            missing.append(_("child's views missing (child is %(age)s)") % {"age": age})
        else:
            missing.append(_("child's views missing (child's age unknown)"))
    return missing


def missing_for_approval(case: Case) -> list[str]:
    """The guard on *approved for reunification*: what still stops it (empty when nothing)."""
    missing = list(four_eyes(case).missing)
    if case.child_id is None:
        missing.append(_("no child linked to the case"))
    else:
        missing += bid_missing(case)
    return missing


def summary(case: Case) -> dict[str, Any]:
    """A compact JSON-ready summary (used by the API and the CLI)."""
    eyes = four_eyes(case)
    bid = current_bid(case)
    return {
        "case": case.reference,
        "state": case.state,
        "claimed_relationship": eyes.relationship,
        "cross_border": eyes.cross_border,
        "parties": [p.short_name for p in eyes.parties],
        "child_age": child_age(case.child),
        "checklist": [
            {
                "requirement": line.requirement.key, "label": line.requirement.label,
                "required": line.requirement.required, "status": line.status,
                "evidence": [i.pk for i in line.items], "doubts": line.doubts,
            }
            for line in checklist(case)
        ],
        "verified": eyes.verified,
        "approvals": [_decision_json(d) for d in eyes.approvals],
        "rejections": [_decision_json(d) for d in eyes.rejections],
        "countersignature": (
            _decision_json(eyes.countersignature) if eyes.countersignature else None
        ),
        "best_interests": None if bid is None else {
            "id": bid.pk, "decision": bid.decision, "decided_on": bid.decided_on.isoformat(),
        },
        "missing_for_approved": missing_for_approval(case),
    }  # fmt: skip


def _decision_json(d: RelationshipDecision) -> dict[str, Any]:
    return {
        "id": d.pk, "decision": d.decision, "relationship": d.relationship,
        "user": d.user.get_username() if d.user else None,
        "organization": d.organization.short_name, "at": d.at.isoformat(), "reason": d.reason,
        "evidence": sorted(e.pk for e in d.evidence.all()),
    }  # fmt: skip


def verification_column(user: Any, cases: Sequence[Case]) -> dict[int, str]:
    """The case list's verification cell: verified, or how many approvals it has."""
    from django.utils.translation import gettext as _

    cells: dict[int, str] = {}
    for case in cases:
        if case.child_id is None or case.enquiry_id is None:
            continue
        state = four_eyes(case)
        if state.verified:
            cells[case.pk] = _("verified")
        elif state.approvals or state.rejections:
            cells[case.pk] = _("%(n)d approval(s)") % {"n": len(state.approvals)}
    return cells

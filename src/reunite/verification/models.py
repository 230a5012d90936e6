"""Tables of the verification of a family tie on a case.

Evidence items (with their files), DNA kinship reports, the verifiers' decisions
(four-eyes approval, rejections, the mediator's countersignature) and best-interests
determinations. Tables only: every write goes through ``reunite.verification.actions``,
which checks the policy and writes the audit event in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization
from reunite.cases.models import Case
from reunite.registry.models import Child


class EvidenceKind(models.TextChoices):
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    MARRIAGE_CERTIFICATE = "marriage_certificate", _("Marriage certificate")
    IDENTITY_DOCUMENT = "identity_document", _("Identity document (passport, ID card)")
    GUARDIANSHIP_DECISION = "guardianship_decision", _("Guardianship or trusteeship decision")
    DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
    NOTARISED_CONSENT = "notarised_consent", _("Notarised consent")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
    PHOTO = "photo", _("Photo of the child")
    BIOGRAPHY = "biography", _("Biography of the child")
    INTERVIEW = "interview", _("Interview")
    VERIFICATION_REPORT = "verification_report", _("Joint verification report")
    DNA = "dna", _("DNA kinship test")


class Supports(models.TextChoices):
    """What an item of evidence is offered to prove."""

    CHILD_IDENTITY = "child_identity", _("Identity of the child")
    CLAIMANT_IDENTITY = "claimant_identity", _("Identity of the claimant")
    RELATIONSHIP = "relationship", _("The claimed relationship")
    LEGAL_AUTHORITY = "legal_authority", _("Legal authority to receive the child")
    CHILD_WISHES = "child_wishes", _("The child's wishes")


class Interviewee(models.TextChoices):
    CHILD = "child", _("The child")
    CLAIMANT = "claimant", _("The claimant")
    OTHER = "other", _("Someone else (witness, neighbour, carer)")


class Evidence(models.Model):
    """One item of evidence on a case, with an optional file stored outside the web root.

    ``version`` grows with every change; approvals record the versions they relied on, and
    any change withdraws them.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=32, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    supports = models.JSONField(default=list, help_text=_("Values of Supports."))
    provided_by = models.CharField(
        max_length=200, help_text=_("Who provided it: a person, an authority, a laboratory.")
    )
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    on_required_form = models.BooleanField(
        null=True,
        blank=True,
        help_text=_("Powers of attorney: on the special notarial form (required since 2023)."),
    )
    interviewee = models.CharField(max_length=10, choices=Interviewee.choices, blank=True)
    notes = models.TextField(blank=True)
    doubt = models.TextField(blank=True, help_text=_("Why a verifier doubts this item."))
    # The file (optional: an interview may be a written summary in ``notes``).
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class KinshipReport(models.Model):
    """A DNA likelihood ratio for one tested pair, stored as the engine's ``to_dict()``."""

    evidence = models.OneToOneField(Evidence, on_delete=models.CASCADE, related_name="kinship")
    relationship = models.CharField(max_length=32)
    claimant_profile = models.CharField(max_length=64)
    child_profile = models.CharField(max_length=64)
    combined_lr = models.FloatField()
    log10_lr = models.FloatField(null=True, blank=True)
    excluded = models.BooleanField(default=False)
    verbal = models.TextField()
    theta = models.FloatField(default=0.0)
    mutation_rate = models.FloatField(null=True, blank=True)
    frequency_database = models.CharField(max_length=200)
    frequency_database_synthetic = models.BooleanField(default=False)
    frequencies_file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    frequencies_sha256 = models.CharField(max_length=64, blank=True)
    result = models.JSONField()
    warnings = models.JSONField(default=list)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    run_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.relationship} {self.claimant_profile}/{self.child_profile}"


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    COUNTERSIGN = "countersign", _("Countersigned by the mediator")


class RelationshipDecision(models.Model):
    """A verifier's approval or rejection of the claimed relationship, or the countersignature.

    A decision stays in force until it is withdrawn: by a change to the evidence it relied
    on, or by the same person deciding again.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relationship_decisions")
    relationship = models.CharField(max_length=20, help_text=_("The claimed relationship."))
    decision = models.CharField(max_length=12, choices=Decision.choices)
    reason = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="decisions")
    evidence_versions = models.JSONField(
        default=dict, help_text=_("Evidence id → version (and SHA-256) relied on.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.case_id} by {self.user_id}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class BidDecision(models.TextChoices):
    IN_FAVOUR = "in_favour", _("Reunification is in the child's best interests")
    AGAINST = "against", _("Reunification is not in the child's best interests")
    DEFERRED = "deferred", _("Deferred: more information needed")


class BestInterestsDetermination(models.Model):
    """A best-interests determination for the child of a case; the newest one counts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bids")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="bids")
    panel = models.JSONField(help_text=_("[{name, role}] — at least 3 people of 2 roles."))
    child_age = models.PositiveSmallIntegerField(null=True, blank=True)
    child_views = models.TextField(blank=True, help_text=_("In the child's own words."))
    child_views_language = models.CharField(max_length=40, blank=True)
    child_views_verbatim = models.BooleanField(default=False)
    child_not_heard_reason = models.TextField(blank=True)
    risks_family = models.TextField()
    risks_journey = models.TextField()
    options_considered = models.JSONField(default=list)
    decision = models.CharField(max_length=12, choices=BidDecision.choices)
    reasons = models.TextField()
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"BID {self.pk} on case {self.case_id}: {self.decision}"

"""Match runs over the registry, the candidate pairs they propose, and reviewers' decisions.

Tables only; every write goes through ``reunite.matching.actions`` (policy-checked and
audited in the same transaction). The linkage itself is ``reunite.linkage``.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization
from reunite.registry.models import Child, Enquiry


class LinkModelVersion(models.Model):
    """One version of the linkage model (``reunite.linkage.LinkageModel`` as JSON).

    Versions only ever grow: a retrained model is a new row, never an edit, so every run
    can say exactly which parameters scored its pairs.
    """

    class Source(models.TextChoices):
        BUNDLED = "bundled", _("Bundled with Reunite")
        TRAINED = "trained", _("Trained on the registry (unsupervised)")
        RETRAINED = "retrained", _("Retrained from reviewers' decisions")
        IMPORTED = "imported", _("Imported from a file")

    version = models.PositiveIntegerField(unique=True)
    model_json = models.JSONField()
    source = models.CharField(max_length=12, choices=Source.choices)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    labels_confirmed = models.PositiveIntegerField(default=0)
    labels_rejected = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"model v{self.version}"


class MatchRun(models.Model):
    """One run of the linkage over the records one organisation can see (with consent)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        INCREMENTAL = "incremental", _("Incremental")
        FULL = "full", _("Full")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.INCREMENTAL)
    requested_mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.INCREMENTAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True)
    model = models.ForeignKey(
        LinkModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    previous_run = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    threshold = models.FloatField(default=0.5)
    top_k = models.PositiveSmallIntegerField(null=True, blank=True, default=5)
    # What the run looked at.
    children_considered = models.PositiveIntegerField(default=0)
    enquiries_considered = models.PositiveIntegerField(default=0)
    new_children = models.PositiveIntegerField(default=0)
    new_enquiries = models.PositiveIntegerField(default=0)
    excluded_pairs = models.PositiveIntegerField(default=0)
    # What it did to the queue.
    candidates_found = models.PositiveIntegerField(default=0)
    pairs_created = models.PositiveIntegerField(default=0)
    pairs_refreshed = models.PositiveIntegerField(default=0)
    pairs_kept_decided = models.PositiveIntegerField(default=0)
    pairs_withdrawn = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)
    # Record ids in scope (consented and visible), so the next incremental run can tell
    # which records are new to this organisation's view (e.g. shared since).
    seen_children = models.JSONField(default=list, blank=True)
    seen_enquiries = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.get_status_display()})"


class PairStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    UNSURE = "unsure", _("Unsure: needs a second reviewer")
    CONFIRMED = "confirmed", _("Confirmed: same child")
    REJECTED = "rejected", _("Rejected: not the same child")
    WITHDRAWN = "withdrawn", _("Withdrawn (no longer proposed)")


OPEN_STATUSES = (PairStatus.PENDING, PairStatus.UNSURE)
DECIDED_STATUSES = (PairStatus.CONFIRMED, PairStatus.REJECTED)


class CandidatePair(models.Model):
    """A tracing request and a child record the linkage thinks may be the same child.

    One row per (enquiry, child), ever: a rejected pair stays rejected, so it is never
    proposed again; a later run only refreshes the scores of pairs still pending.
    """

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="candidate_pairs")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="candidate_pairs")
    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="pairs")
    first_run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField()
    rank = models.PositiveSmallIntegerField(default=1)
    explanation = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The engine's flags, e.g. ``has_twin``: the registry also holds a twin of this child
    #: (same birth date and parents, another given name), listed in ``related_children``.
    flags = models.JSONField(default=list, blank=True)
    related_children = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enquiry", "child"], name="candidate_pair_unique")
        ]
        indexes = [models.Index(fields=["status", "-probability"])]

    def __str__(self) -> str:
        return f"enquiry {self.enquiry_id} ~ child {self.child_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_twin(self) -> bool:
        return "has_twin" in (self.flags or [])

    @property
    def probability_display(self) -> str:
        """The probability as a percentage that never rounds up to a certain "100%"."""
        return probability_percent(self.probability)


def probability_percent(p: float) -> str:
    if p >= 0.9999:
        return ">99.99%"
    if p >= 0.99:
        return f"{math.floor(p * 10000) / 100:.2f}%"
    return f"{math.floor(p * 1000) / 10:.1f}%"


class Decision(models.TextChoices):
    SAME = "same", _("Same child")
    NOT_SAME = "not_same", _("Not the same child")
    UNSURE = "unsure", _("Unsure")


class MatchDecision(models.Model):
    """One reviewer's decision on a pair (a pair may have several: unsure, then final)."""

    pair = models.ForeignKey(CandidatePair, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(blank=True)
    probability = models.FloatField(help_text=_("The pair's probability when it was decided."))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.pair_id}: {self.decision}"

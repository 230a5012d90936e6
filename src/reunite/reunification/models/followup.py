"""Follow-up after reunification: a plan of visits to the child, and what each visit found.

Reunification starts a plan (by default visits about 1 week, 1 month and 3 months after);
the caseworker may add, move or cancel visits. A plan is complete when no visit is still
planned and at least one took place; a case with a plan closes only then, or with a reason.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class VisitOutcome(models.TextChoices):
    WELL = "well", _("Settled, doing well")
    NEEDS_SUPPORT = "needs_support", _("Needs more support")
    CONCERN = "concern", _("Serious concern: act now")
    NOT_REACHED = "not_reached", _("Family not reached")


class FollowUpPlan(models.Model):
    """The follow-up of one reunified child's case."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="followup_plan"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+",
        help_text=_("The party whose caseworkers follow the child up."),
    )  # fmt: skip
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Follow-up of {self.case}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class FollowUpVisit(models.Model):
    """One visit of a plan: when it is due, and what the caseworker found."""

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="visits")
    label = models.CharField(max_length=80, help_text=_("e.g. “About 1 month”"))
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    visited_on = models.DateField(null=True, blank=True)
    needs_assessment = models.TextField(blank=True)
    psychological_support = models.TextField(blank=True)
    school = models.TextField(blank=True)
    documents_to_restore = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=VisitOutcome.choices, blank=True)
    notes = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.due_on})"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Still planned after its due date."""
        today = today or timezone.localdate()
        return self.status == VisitStatus.PLANNED and self.due_on < today

"""Cases: one child's path once a tracing request and/or a child record are known.

Tables only; every write goes through ``reunite.cases.actions``. The tables keep the names
they had when cases lived in the registry app (``registry_case``, ``registry_caseevent``),
so moving the models here moved no data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization
from reunite.registry.models import Child, Enquiry, OwnedRecord


class CaseState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    TRACING = "tracing", _("Tracing")
    MATCH_PROPOSED = "match_proposed", _("Match proposed")
    VERIFICATION = "verification", _("Verification")
    BEST_INTERESTS = "best_interests", _("Best-interests determination")
    APPROVED = "approved", _("Approved for reunification")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_TRANSIT = "in_transit", _("In transit")
    REUNIFIED = "reunified", _("Reunified")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


# The standard path, in order; a case moves one step forward at a time (or is closed).
CASE_STATE_ORDER: tuple[str, ...] = tuple(CaseState.values)
OPEN_STATES: tuple[str, ...] = CASE_STATE_ORDER[:-1]


class ClosingReason(models.TextChoices):
    REUNIFIED = "reunified", _("Reunified")
    FOUND_ADULT = "found_adult", _("Found, now an adult")
    DECLINED = "declined", _("Declined")
    DECEASED = "deceased", _("Deceased")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class Case(OwnedRecord):
    """One child's path once a tracing request and a child record are linked."""

    reference = models.CharField(max_length=20, unique=True)
    enquiry = models.ForeignKey(
        Enquiry, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.REGISTERED)
    closing_reason = models.CharField(max_length=16, choices=ClosingReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("The caseworker who carries the case."),
    )  # fmt: skip

    class Meta:
        db_table = "registry_case"
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(child__isnull=False) | models.Q(enquiry__isnull=False),
                name="case_has_child_or_enquiry",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    @property
    def next_state(self) -> str | None:
        if not self.is_open:
            return None
        index = CASE_STATE_ORDER.index(self.state)
        return CASE_STATE_ORDER[index + 1]


class CaseEvent(models.Model):
    """One step on a case's timeline: who moved it, when, from which state to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=CaseState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        db_table = "registry_caseevent"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.from_state}→{self.to_state}"

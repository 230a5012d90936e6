"""Rounds, transfers, itineraries and the chain of custody (tables only).

Every write goes through ``reunite.reunification.rounds.actions``, which checks the policy,
saves and writes the audit event in one transaction.

- A **round** groups approved cases for one transfer event. Its owner is the coordinating
  organisation; the other parties involved are the organisations it is shared with, so the
  policy's visibility rules apply to it unchanged.
- A **round child** puts one case in a round, with the child's direction; a case is in one
  round at a time (a partial unique constraint).
- A **transfer** moves one child or a sibling group: the collecting adult, the escorts, an
  itinerary of legs and the handovers.
- A **handover** is confirmed by both sides (who, when, where); custody passes only when
  both have confirmed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization
from reunite.cases.models import Case
from reunite.registry.models import OwnedRecord


class Channel(models.TextChoices):
    MEDIATOR = "mediator", _("Through a mediator")
    OMBUDSMAN = "ombudsman", _("Ombudsman to ombudsman")
    DIRECT = "direct", _("Direct between the parties")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    UNDER_WAY = "under_way", _("Under way")
    COMPLETED = "completed", _("Completed")
    PARTIALLY_COMPLETED = "partially_completed", _("Partially completed")


ROUND_OPEN_STATUSES = (RoundStatus.PLANNED, RoundStatus.CONFIRMED, RoundStatus.UNDER_WAY)


class Round(OwnedRecord):
    """One transfer event coordinated by the owning organisation (a mediator, an ombudsman)."""

    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    planned_date = models.DateField()
    channel = models.CharField(max_length=12, choices=Channel.choices)
    channel_name = models.CharField(
        max_length=200, blank=True, help_text=_("The named mediator or channel, if any.")
    )
    status = models.CharField(max_length=20, choices=RoundStatus.choices,
                              default=RoundStatus.PLANNED)
    notes = models.TextField(blank=True, help_text=_("Internal; never printed on a manifest."))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-planned_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in ROUND_OPEN_STATUSES


class RoundChildStatus(models.TextChoices):
    IN_ROUND = "in_round", _("In the round")
    TRAVELLED = "travelled", _("Travelled")
    DID_NOT_TRAVEL = "did_not_travel", _("Did not travel")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RoundChild(models.Model):
    """A case in a round, with the direction the child travels."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="entries")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="round_entries")
    from_country = models.CharField(max_length=2, help_text=_("ISO code of the country left."))
    to_country = models.CharField(max_length=2, help_text=_("ISO code of the destination."))
    origin = models.CharField(max_length=64, blank=True,
                              help_text=_("Route network place where the child starts."))
    destination = models.CharField(max_length=64, blank=True,
                                   help_text=_("Route network place of the final handover."))
    status = models.CharField(max_length=16, choices=RoundChildStatus.choices,
                              default=RoundChildStatus.IN_ROUND)
    reason = models.TextField(blank=True, help_text=_("Why the child was withdrawn or did not "
                                                      "travel."))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="in_round"),
                name="reunification_case_in_one_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} in {self.round.reference} ({self.from_country}→{self.to_country})"

    @property
    def direction(self) -> str:
        return f"{self.from_country}→{self.to_country}"


class CollectorRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    PROXY = "proxy", _("Proxy with a power of attorney")


class TransferStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    COMPLETE = "complete", _("Complete")


class Transfer(models.Model):
    """The journey of one child or a sibling group within a round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="transfers")
    children = models.ManyToManyField(RoundChild, related_name="transfers")
    collector_name = models.CharField(max_length=200)
    collector_relationship = models.CharField(max_length=40)
    collector_role = models.CharField(max_length=24, choices=CollectorRole.choices)
    collector_sex = models.CharField(max_length=1, blank=True)
    collector_birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    collector_citizenships = models.JSONField(default=list, blank=True)
    collector_documents = models.JSONField(
        default=list, blank=True, help_text=_("Route document codes the collector carries.")
    )
    authorising_evidence = models.ManyToManyField(
        "verification.Evidence", blank=True, related_name="+",
        help_text=_("Items of the cases' evidence registers that authorise the collector."),
    )
    escorts = models.JSONField(default=list, blank=True,
                               help_text=_("[{name, organisation, role}]"))
    initial_custodian = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+",
        help_text=_("The party that holds the child when the transfer starts."),
    )
    route_summary = models.CharField(max_length=500, blank=True)
    route_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=TransferStatus.choices,
                              default=TransferStatus.PLANNED)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return f"Transfer {self.pk} in {self.round.reference}"


class TransferLeg(models.Model):
    """One leg of a transfer's itinerary, planned and then as travelled."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="legs")
    number = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=12)
    from_place = models.CharField(max_length=64)
    from_name = models.CharField(max_length=200)
    to_place = models.CharField(max_length=64)
    to_name = models.CharField(max_length=200)
    risky = models.BooleanField(default=False)
    handover_point = models.BooleanField(default=False)
    planned_departure = models.DateTimeField(null=True, blank=True)
    planned_arrival = models.DateTimeField(null=True, blank=True)
    actual_departure = models.DateTimeField(null=True, blank=True)
    actual_arrival = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["transfer", "number"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "number"],
                                    name="reunification_leg_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.from_name} → {self.to_name}"

    @property
    def is_open(self) -> bool:
        """Departed and not yet arrived."""
        return self.actual_departure is not None and self.actual_arrival is None


class Handover(models.Model):
    """Custody of the transfer's children passes from one side to the other at a place.

    Both sides confirm (who, when, where); until both have, custody is unconfirmed.
    """

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="handovers")
    number = models.PositiveSmallIntegerField()
    place = models.CharField(max_length=64, help_text=_("Route network place id."))
    place_name = models.CharField(max_length=200)
    from_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    from_person = models.CharField(max_length=200, blank=True)
    to_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    to_person = models.CharField(max_length=200, blank=True)
    is_final = models.BooleanField(
        default=False, help_text=_("The handover to the legal representative.")
    )
    planned_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    released_place = models.CharField(max_length=200, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    received_place = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["transfer", "number"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "number"],
                                    name="reunification_handover_number_unique"),
            models.UniqueConstraint(fields=["transfer"], condition=models.Q(is_final=True),
                                    name="reunification_one_final_handover"),
        ]

    def __str__(self) -> str:
        return f"Handover {self.number} at {self.place_name}"

    @property
    def released(self) -> bool:
        return self.released_at is not None

    @property
    def received(self) -> bool:
        return self.received_at is not None

    @property
    def confirmed(self) -> bool:
        return self.released and self.received

    @property
    def half_confirmed(self) -> bool:
        return self.released != self.received

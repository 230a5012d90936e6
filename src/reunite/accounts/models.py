"""Parties to the process (organisations) and the role each user holds in one of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    STATE_AUTHORITY = "state_authority", _("State authority")
    OMBUDSMAN = "ombudsman", _("Ombudsman office")
    INFORMATION_BUREAU = "information_bureau", _("National information bureau")
    NGO = "ngo", _("Non-governmental organisation")
    INTERNATIONAL = "international", _("International organisation")
    MEDIATOR = "mediator", _("Mediator")


class Organization(models.Model):
    """A party to the tracing and reunification process."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=32, choices=OrganizationKind.choices)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2 code"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name

    @property
    def is_mediator(self) -> bool:
        return self.kind == OrganizationKind.MEDIATOR


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    VERIFIER = "verifier", _("Verifier")
    COORDINATOR = "coordinator", _("Coordinator (mediator)")
    TRANSFER_OFFICER = "transfer_officer", _("Transfer officer")
    AUDITOR = "auditor", _("Auditor (read-only)")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    """The one organisation a user acts for, and the role they hold there.

    One membership per user keeps every action attributable to exactly one party.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    # The interface language the user chose ('' = follow the browser).
    language = models.CharField(
        max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )

    class Meta:
        ordering = ["organization", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()}, {self.organization})"

"""Records of the registry: children, tracing requests (enquiries) and related persons.

Tables only; every write goes through ``reunite.registry.actions`` so that it is
permission-checked and audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "", _("Unknown")


class LegalStatus(models.TextChoices):
    PARENTS_KNOWN = "parents_known", _("Parents known")
    ORPHAN = "orphan", _("Orphan")
    UNDER_GUARDIANSHIP = "under_guardianship", _("Under guardianship")
    ADOPTED = "adopted", _("Adopted")
    UNKNOWN = "unknown", _("Unknown")


class Script(models.TextChoices):
    CYRILLIC = "cyrillic", _("Cyrillic")
    LATIN = "latin", _("Latin")
    MIXED = "mixed", _("Mixed")
    UNKNOWN = "unknown", _("Unknown")


class Language(models.TextChoices):
    UKRAINIAN = "uk", _("Ukrainian")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class NameSource(models.TextChoices):
    BIRTH_REGISTRATION = "birth", _("As registered at birth")
    RE_REGISTERED = "re_registered", _("As re-registered")
    REPORTED = "reported", _("As reported")
    DOCUMENT = "document", _("From an identity document")


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDMOTHER = "grandmother", _("Grandmother")
    GRANDFATHER = "grandfather", _("Grandfather")
    SIBLING = "sibling", _("Sibling")
    AUNT = "aunt", _("Aunt")
    UNCLE = "uncle", _("Uncle")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    OTHER = "other", _("Other")


class PartialDateMixin:
    """Display a date that may be known only to the month or year."""

    @staticmethod
    def format_partial(value: dt.date | None, precision: str) -> str:
        if value is None or precision == DatePrecision.UNKNOWN:
            return ""
        if precision == DatePrecision.YEAR:
            return f"{value.year:04d}"
        if precision == DatePrecision.MONTH:
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()


class OwnedRecord(models.Model):
    """A record owned by one organisation and shared explicitly with others."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    shared_with = models.ManyToManyField(Organization, blank=True, related_name="+")
    record_id = models.CharField(
        max_length=64, blank=True, help_text=_("The owner's own identifier (from list files).")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class Person(OwnedRecord):
    """A parent, relative, guardian or enquirer."""

    # Optimistic locking: +1 on every saved change; a write based on an older version is
    # refused (API: If-Match -> 412; web form: shows what changed and offers a merge).
    version = models.PositiveIntegerField(default=1, editable=False)
    surname = models.CharField(max_length=120, blank=True)
    given_name = models.CharField(max_length=120, blank=True)
    patronymic = models.CharField(max_length=120, blank=True)
    full_name = models.CharField(max_length=300, blank=True)
    other_names = models.JSONField(default=list, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    contact = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["surname", "given_name", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        parts = [self.surname, self.given_name, self.patronymic]
        return " ".join(p for p in parts if p) or self.full_name or f"Person {self.pk}"


class Child(OwnedRecord, PartialDateMixin):
    """A child known to be in someone's care: found or registered."""

    # Optimistic locking: +1 on every saved change; a write based on an older version is
    # refused (API: If-Match -> 412; web form: shows what changed and offers a merge).
    version = models.PositiveIntegerField(default=1, editable=False)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    birth_date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    estimated_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Years, when the birth date is unknown.")
    )
    estimated_age_on = models.DateField(null=True, blank=True)
    birth_place = models.CharField(max_length=200, blank=True)
    separation_date = models.DateField(null=True, blank=True)
    separation_date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    separation_place = models.CharField(max_length=200, blank=True)
    # Restricted: only roles that need them see these three (see reunite.accounts.policy).
    custodian = models.CharField(max_length=200, blank=True)
    institution = models.CharField(max_length=200, blank=True)
    current_location = models.CharField(max_length=200, blank=True)
    current_region = models.CharField(max_length=120, blank=True)
    citizenships = models.JSONField(default=list, blank=True)
    legal_status = models.CharField(
        max_length=24, choices=LegalStatus.choices, default=LegalStatus.UNKNOWN
    )
    personal_status_altered = models.BooleanField(default=False)
    altered_fields = models.JSONField(default=list, blank=True)
    consent_for_tracing = models.BooleanField(default=False)
    sibling_group = models.CharField(max_length=64, blank=True)
    mother_name = models.CharField(max_length=300, blank=True)
    father_name = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    relatives = models.ManyToManyField(Person, through="ChildRelative", blank=True)
    # Normalised text of every name, kept by actions for search.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["birth_date"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def primary_name(self) -> ChildName | None:
        names = list(self.names.all())
        for name in names:
            if name.is_primary:
                return name
        return names[0] if names else None

    @property
    def display_name(self) -> str:
        name = self.primary_name
        return name.display if name else f"Child {self.pk}"

    @property
    def birth_date_display(self) -> str:
        shown = self.format_partial(self.birth_date, self.birth_date_precision)
        if not shown and self.estimated_age is not None:
            return f"about {self.estimated_age} years"
        return shown

    @property
    def separation_date_display(self) -> str:
        return self.format_partial(self.separation_date, self.separation_date_precision)


class ChildName(models.Model):
    """One of a child's names (aliases): as registered at birth, re-registered, or reported."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="names")
    surname = models.CharField(max_length=120, blank=True)
    given_name = models.CharField(max_length=120, blank=True)
    patronymic = models.CharField(max_length=120, blank=True)
    full_name = models.CharField(max_length=300, blank=True)
    script = models.CharField(max_length=8, choices=Script.choices, default=Script.UNKNOWN)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.UNKNOWN)
    source = models.CharField(
        max_length=16, choices=NameSource.choices, default=NameSource.REPORTED
    )
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "pk"]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        parts = [self.surname, self.given_name, self.patronymic]
        return " ".join(p for p in parts if p) or self.full_name


class IdentityDocument(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="identity_documents")
    kind = models.CharField(max_length=60)
    number = models.CharField(max_length=60, blank=True)
    issuing_country = models.CharField(max_length=2, blank=True)
    issued_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}".strip()


class ChildRelative(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)

    class Meta:
        unique_together = [("child", "person")]

    def __str__(self) -> str:
        return f"{self.person} ({self.relationship}) of child {self.child_id}"


class Enquiry(OwnedRecord, PartialDateMixin):
    """A tracing request: who seeks whom, and the sought child as the family describes them."""

    # Optimistic locking: +1 on every saved change; a write based on an older version is
    # refused (API: If-Match -> 412; web form: shows what changed and offers a merge).
    version = models.PositiveIntegerField(default=1, editable=False)
    enquirer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enquiries")
    enquirer_relationship = models.CharField(max_length=20, choices=Relationship.choices)
    surname = models.CharField(max_length=120, blank=True)
    given_name = models.CharField(max_length=120, blank=True)
    patronymic = models.CharField(max_length=120, blank=True)
    full_name = models.CharField(max_length=300, blank=True)
    other_names = models.JSONField(default=list, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    birth_date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    birth_place = models.CharField(max_length=200, blank=True)
    separation_date = models.DateField(null=True, blank=True)
    separation_date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    separation_place = models.CharField(max_length=200, blank=True)
    circumstances = models.TextField(blank=True)
    mother_name = models.CharField(max_length=300, blank=True)
    father_name = models.CharField(max_length=300, blank=True)
    consent_for_tracing = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        parts = [self.surname, self.given_name, self.patronymic]
        return " ".join(p for p in parts if p) or self.full_name or f"Enquiry {self.pk}"

    @property
    def birth_date_display(self) -> str:
        return self.format_partial(self.birth_date, self.birth_date_precision)

    @property
    def separation_date_display(self) -> str:
        return self.format_partial(self.separation_date, self.separation_date_precision)


class Attachment(models.Model):
    """A photo or document attached to a child or an enquiry, stored outside the web root."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    enquiry = models.ForeignKey(
        Enquiry, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(child__isnull=False) | models.Q(enquiry__isnull=False),
                name="attachment_has_a_record",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

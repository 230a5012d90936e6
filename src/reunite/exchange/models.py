"""Tables of the direct channel: peers, bundles out/in/relayed, the transit queue, receipts,
and what travels in bundles (lists of sought children with their answers, messages, joint
verification reports).

Rows are written only by the services in this app (``peers``, ``outbox``, ``inbox``,
``lists``, ``messaging``), each in one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization
from reunite.channel import PeerKeys, PublicKeyPair


class PeerStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting fingerprint confirmation")
    TRUSTED = "trusted", _("Trusted")
    REVOKED = "revoked", _("Revoked")


class PeerRole(models.TextChoices):
    PARTY = "party", _("Party")
    MEDIATOR = "mediator", _("Mediator")


class Peer(models.Model):
    """Another installation this one exchanges bundles with."""

    installation_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=PeerRole.choices, default=PeerRole.PARTY)
    url = models.CharField(max_length=300, blank=True, help_text=_("Base address for sync."))
    relay = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relayed_peers",
        help_text=_("Bundles to this peer go through this installation (the mediator)."),
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    keys = models.JSONField(default=list)
    fingerprint = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=PeerStatus.choices, default=PeerStatus.PENDING)
    trusted_at = models.DateTimeField(null=True, blank=True)
    trusted_by = models.CharField(max_length=150, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    last_exchange_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["installation_id"]

    def __str__(self) -> str:
        return self.installation_id

    @property
    def is_trusted(self) -> bool:
        return self.status == PeerStatus.TRUSTED

    def peer_keys(self) -> PeerKeys:
        return PeerKeys(
            installation_id=self.installation_id,
            name=self.name,
            url=self.url,
            keys=tuple(PublicKeyPair.from_json(k) for k in self.keys),
        )

    @property
    def next_hop(self) -> Peer:
        return self.relay or self


class BundleOut(models.Model):
    """A bundle this installation made and signed."""

    bundle_id = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField(unique=True)
    recipients = models.JSONField(default=list)
    prev = models.CharField(max_length=32, blank=True)
    subject = models.CharField(max_length=120, blank=True, db_index=True)
    digest = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"{self.kind} {self.bundle_id[:8]} → {', '.join(self.recipients)}"


class BundleIn(models.Model):
    """A bundle addressed to this installation, verified, decrypted and applied."""

    bundle_id = models.CharField(max_length=32, unique=True)
    sender = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="bundles_in")
    kind = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=120, blank=True, db_index=True)
    digest = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(help_text=_("When the sender made it."))
    received_at = models.DateTimeField(default=timezone.now)
    received_via = models.CharField(max_length=64, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "seq"], name="bundle_in_sender_seq")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.bundle_id[:8]} from {self.sender_id}"


class HeldBundle(models.Model):
    """A bundle that arrived before one it depends on; imported again after each import."""

    bundle_id = models.CharField(max_length=32, unique=True)
    sender = models.CharField(max_length=64)
    data = models.BinaryField()
    reason = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)
    received_via = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"held {self.bundle_id[:8]} from {self.sender}"


class RelayedBundle(models.Model):
    """A bundle this installation carried for others: it sees who, to whom, when, never what."""

    bundle_id = models.CharField(max_length=32, unique=True)
    sender = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    recipients = models.JSONField(default=list)
    digest = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    received_from = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["sender", "seq"], name="relayed_sender_seq")]

    def __str__(self) -> str:
        return f"relayed {self.bundle_id[:8]} {self.sender} → {', '.join(self.recipients)}"


class ItemKind(models.TextChoices):
    BUNDLE = "bundle", _("Bundle")
    RECEIPT = "receipt", _("Receipt")


class Transit(models.Model):
    """One item waiting to be carried to the next installation, until that one acknowledges it."""

    item_kind = models.CharField(max_length=10, choices=ItemKind.choices)
    item_id = models.CharField(max_length=64)
    hop = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="transits")
    data = models.BinaryField()
    queued_at = models.DateTimeField(default=timezone.now)
    acked_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item_kind", "item_id", "hop"], name="transit_item_hop")
        ]

    def __str__(self) -> str:
        return f"{self.item_kind} {self.item_id[:8]} → {self.hop_id}"


class ReceiptEntry(models.Model):
    """A signed receipt written here or received (the mediator's receipt log)."""

    receipt_id = models.CharField(max_length=32, unique=True)
    bundle_id = models.CharField(max_length=32, db_index=True)
    digest = models.CharField(max_length=64)
    signer = models.CharField(max_length=64)
    status = models.CharField(max_length=10)
    at = models.DateTimeField()
    to = models.CharField(max_length=64)
    data = models.JSONField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bundle_id", "at"]

    def __str__(self) -> str:
        return f"{self.status} {self.bundle_id[:8]} by {self.signer}"


# ---- what travels: lists of sought children and their answers ------------------------------


class ListDirection(models.TextChoices):
    OUTGOING = "out", _("Sent by us")
    INCOMING = "in", _("Received")


class SoughtList(models.Model):
    """A list of children one party seeks, sent to another party (usually via the mediator)."""

    list_id = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    direction = models.CharField(max_length=3, choices=ListDirection.choices)
    #: Installation ids of the party that asks and the party that is asked.
    asking = models.CharField(max_length=64)
    asked = models.CharField(max_length=64)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bundle_id = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    answer_due_days = models.PositiveSmallIntegerField(default=30)
    created_by = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def due_on(self) -> dt.date:
        return (self.sent_at + dt.timedelta(days=self.answer_due_days)).date()


class ListEntry(models.Model):
    """One sought child on a list: the minimum data that left the asking party."""

    sought_list = models.ForeignKey(SoughtList, on_delete=models.CASCADE, related_name="entries")
    entry_ref = models.CharField(max_length=32)
    position = models.PositiveIntegerField()
    fields = models.JSONField(default=dict)
    #: The asking party's tracing request (outgoing lists only).
    enquiry = models.ForeignKey(
        "registry.Enquiry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Candidates from the asked party's own registry (incoming lists only).
    candidates = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["sought_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sought_list", "entry_ref"], name="entry_ref_once")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        f: dict[str, Any] = self.fields
        parts = [f.get("surname", ""), f.get("given_name", ""), f.get("patronymic", "")]
        return " ".join(p for p in parts if p) or f.get("full_name", "") or self.entry_ref

    @property
    def thread(self) -> str:
        return f"list:{self.sought_list.list_id}/{self.entry_ref}"


class AnswerStatus(models.TextChoices):
    LOCATED = "located", _("Located")
    NOT_FOUND = "not_found", _("Not found")
    NO_RECORD = "no_record", _("No record")
    ADULT_NOW = "adult_now", _("Now an adult")
    WITH_RELATIVES = "with_relatives", _("Living with parents or close relatives")
    BEING_PREPARED = "being_prepared", _("Being prepared for return")
    RETURNED = "returned", _("Returned")
    DECLINED = "declined", _("Declined by the child or family")
    DECEASED = "deceased", _("Deceased")


class Placement(models.TextChoices):
    PARENTS = "parents", _("With parents")
    RELATIVES = "relatives", _("With relatives")
    FOSTER_FAMILY = "foster_family", _("Foster family")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    INSTITUTION = "institution", _("Institution")
    OTHER = "other", _("Other")


class ListAnswer(models.Model):
    """The asked party's answer about one entry at one date (answers accumulate over time)."""

    answer_id = models.CharField(max_length=32, unique=True)
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="answers")
    status = models.CharField(max_length=20, choices=AnswerStatus.choices)
    answered_on = models.DateField()
    note = models.TextField(blank=True)
    region = models.CharField(max_length=120, blank=True)
    placement = models.CharField(max_length=20, choices=Placement.choices, blank=True)
    answered_by = models.CharField(max_length=150, blank=True)
    bundle_id = models.CharField(max_length=32, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "answered_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.answered_on})"


class Message(models.Model):
    """A message on a thread (a list entry or a case) between the parties and the mediator."""

    message_id = models.CharField(max_length=32, unique=True)
    thread = models.CharField(max_length=120, db_index=True)
    author = models.CharField(max_length=150)
    author_installation = models.CharField(max_length=64)
    recipients = models.JSONField(default=list)
    text = models.TextField()
    sent_at = models.DateTimeField()
    bundle_id = models.CharField(max_length=32, blank=True)
    direction = models.CharField(max_length=3, choices=ListDirection.choices)

    class Meta:
        ordering = ["thread", "sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.thread}"


class ReportResult(models.TextChoices):
    CONFIRMED = "confirmed", _("Identity and family tie confirmed")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    INCONCLUSIVE = "inconclusive", _("Inconclusive: more evidence needed")


class JointReport(models.Model):
    """A verification report whose text each party's verifier signs (via their installation)."""

    report_id = models.CharField(max_length=32, unique=True)
    thread = models.CharField(max_length=120, db_index=True)
    document = models.JSONField()
    statements = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report {self.report_id[:8]} on {self.thread}"

    @property
    def signers(self) -> list[str]:
        return [s.get("signer", "") for s in self.statements]


class CaseSummary(models.Model):
    """The minimum of a case one party shares with another (or received from one)."""

    summary_id = models.CharField(max_length=32, unique=True)
    thread = models.CharField(max_length=120, db_index=True)
    case_reference = models.CharField(max_length=40)
    author_installation = models.CharField(max_length=64)
    shared_by = models.CharField(max_length=150)
    recipients = models.JSONField(default=list)
    summary = models.JSONField()
    shared_at = models.DateTimeField()
    bundle_id = models.CharField(max_length=32, blank=True)
    direction = models.CharField(max_length=3, choices=ListDirection.choices)

    class Meta:
        ordering = ["thread", "shared_at"]

    def __str__(self) -> str:
        return f"summary of {self.case_reference} by {self.author_installation}"

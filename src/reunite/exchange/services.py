"""Peers, the outbox, the inbox, relaying and receipts: every write of the channel, audited.

Importing a bundle is one transaction: the bundle row, what it carries (a list, answers,
a message…), its receipt and the audit event are written together or not at all, so an
installation killed mid-import leaves nothing half-written and importing again resumes.
Refusals are audited in a transaction of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from reunite import channel
from reunite.audit.log import Actor, log_event
from reunite.channel import ChannelError, Identity, OpenedBundle, PeerKeys
from reunite.exchange.keys import load_identity
from reunite.exchange.models import (
    BundleIn,
    BundleOut,
    HeldBundle,
    ItemKind,
    Peer,
    PeerRole,
    PeerStatus,
    ReceiptEntry,
    RelayedBundle,
    Transit,
)

Handler = Callable[[OpenedBundle, BundleIn, Actor], None]
_HANDLERS: dict[str, Handler] = {}

# Test hook: name of a point where the process kills itself (SIGKILL) to prove that an
# interrupted import leaves nothing behind. Unset in every real deployment.
CRASH_POINT_ENV = "REUNITE_EXCHANGE_CRASH_AT"


def register_handler(kind: str) -> Callable[[Handler], Handler]:
    """Declare the function that applies bundles of ``kind`` (inside the import transaction)."""

    def decorate(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return decorate


class ApplyRefused(ChannelError):
    """The bundle is authentic, but what it carries cannot be applied here."""

    reason = "content_refused"


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_POINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def system_actor(what: str) -> Actor:
    return Actor.system(what)


def max_bytes() -> int:
    return int(settings.REUNITE_BUNDLE_MAX_BYTES)


# ---- peers ---------------------------------------------------------------------------------


def peer_lookup(installation_id: str) -> PeerKeys | None:
    """Keys of a peer whose bundles we accept: trusted only (the transport never decides)."""
    peer = Peer.objects.filter(installation_id=installation_id).first()
    if peer is None:
        return None
    if peer.status == PeerStatus.PENDING:
        raise channel.UnknownSender(
            _(
                "%(peer)s is known but not trusted yet: compare its fingerprint %(fp)s out of "
                "band, then run `reunite peers trust %(peer)s`"
            )
            % {"peer": installation_id, "fp": peer.fingerprint}
        )
    if peer.status == PeerStatus.REVOKED:
        raise channel.RevokedKey(
            _("%(peer)s was revoked: its bundles are refused") % {"peer": installation_id}
        )
    return peer.peer_keys()


def _save_keys(peer: Peer, keys: PeerKeys) -> None:
    peer.keys = [k.as_json() for k in keys.keys]
    peer.name = keys.name
    peer.fingerprint = keys.fingerprint


@dataclass(frozen=True)
class AddResult:
    peer: Peer
    created: bool
    trusted: bool
    message: str


def add_peer(
    card_bytes: bytes,
    actor: Actor,
    *,
    url: str = "",
    relay: str = "",
    role: str = "",
    fingerprint: str = "",
    confirmed_by: str = "",
) -> AddResult:
    """Add a peer from its public card, or update a known one (rotation, revocation).

    A new key is trusted only after its fingerprint is confirmed out of band, or when the
    card is signed by a key of that peer we already trust (a rotation).
    """
    card = channel.SignedCard.from_bytes(card_bytes)
    keys = card.peer
    if keys.installation_id == load_identity().installation_id:
        raise ChannelError("this is our own card: give it to the peers, not to ourselves")
    relay_peer = None
    if relay:
        relay_peer = Peer.objects.filter(installation_id=relay).first()
        if relay_peer is None:
            raise ChannelError(f"no peer {relay!r} to relay through: add it first")
    with transaction.atomic():
        peer = Peer.objects.select_for_update().filter(installation_id=keys.installation_id).first()
        created = peer is None
        if peer is None:
            peer = Peer(installation_id=keys.installation_id)
            merged = keys
            endorsed = False
        else:
            old = peer.peer_keys()
            trusted_ids = {k.key_id for k in old.keys if k.revoked_at is None}
            endorsed = peer.is_trusted and bool(trusted_ids & set(card.signed_by()))
            merged = old.merged_with(keys)
        previous_fingerprint = peer.fingerprint
        _save_keys(peer, merged)
        peer.url = url or keys.url or peer.url
        if relay_peer is not None:
            peer.relay = relay_peer
        if role:
            peer.role = role
        new_key = previous_fingerprint != peer.fingerprint
        if fingerprint:
            if _norm(fingerprint) != _norm(peer.fingerprint):
                raise ChannelError(
                    f"the fingerprint you were given ({fingerprint}) does not match the card's "
                    f"({peer.fingerprint}): do not trust this card"
                )
            peer.status, peer.trusted_at, peer.trusted_by = (
                PeerStatus.TRUSTED,
                timezone.now(),
                confirmed_by or actor.username,
            )
        elif created or (new_key and not endorsed):
            if peer.status != PeerStatus.REVOKED:
                peer.status = PeerStatus.PENDING
        peer.save()
        log_event(
            actor,
            "peer_added" if created else "peer_updated",
            "peer",
            peer.installation_id,
            {
                "fingerprint": [previous_fingerprint or None, peer.fingerprint],
                "status": peer.status,
                "url": peer.url,
                "relay": peer.relay.installation_id if peer.relay else "",
                "endorsed_rotation": endorsed,
            },
        )
    names = {"peer": peer.installation_id, "fp": peer.fingerprint}
    if peer.is_trusted:
        message = _("%(peer)s is trusted (fingerprint %(fp)s).") % names
    else:
        message = (
            _(
                "%(peer)s added, NOT trusted yet. Compare its fingerprint %(fp)s with its "
                "operator by phone or in person, then run "
                "`reunite peers trust %(peer)s --fingerprint %(fp)s`."
            )
            % names
        )
    return AddResult(peer=peer, created=created, trusted=peer.is_trusted, message=message)


def _norm(fingerprint: str) -> str:
    return "".join(c for c in fingerprint.upper() if c.isalnum())


def trust_peer(installation_id: str, fingerprint: str, actor: Actor) -> Peer:
    with transaction.atomic():
        peer = Peer.objects.select_for_update().get(installation_id=installation_id)
        if _norm(fingerprint) != _norm(peer.fingerprint):
            raise ChannelError(
                f"fingerprint {fingerprint} does not match {installation_id}'s "
                f"({peer.fingerprint}): it stays untrusted"
            )
        peer.status, peer.trusted_at, peer.trusted_by = (
            PeerStatus.TRUSTED,
            timezone.now(),
            actor.username,
        )
        peer.save()
        log_event(actor, "peer_trusted", "peer", installation_id, {"fingerprint": fingerprint})
    return peer


def revoke_peer(installation_id: str, actor: Actor, key_id: str = "") -> Peer:
    """Stop accepting a peer's key (default: its current one) for anything it signs later.

    Bundles already accepted stay; with no key left, the peer is marked revoked.
    """
    with transaction.atomic():
        peer = Peer.objects.select_for_update().get(installation_id=installation_id)
        keys = peer.peer_keys()
        live = [k for k in keys.keys if k.revoked_at is None]
        target = key_id or (live and max(live, key=lambda k: k.created).key_id) or ""
        if not target:
            raise ChannelError(f"{installation_id} has no key left to revoke")
        last_seq = BundleIn.objects.filter(sender=peer).aggregate(m=Max("seq"))["m"] or 0
        updated = channel.revoke_peer_key(keys, target, after_seq=last_seq)
        peer.keys = [k.as_json() for k in updated.keys]
        if all(k.revoked_at is not None for k in updated.keys):
            peer.status = PeerStatus.REVOKED
        else:
            peer.fingerprint = updated.fingerprint
        peer.save()
        log_event(
            actor,
            "peer_key_revoked",
            "peer",
            installation_id,
            {"key_id": target, "after_seq": last_seq, "status": peer.status},
        )
    return peer


def own_card() -> bytes:
    return load_identity().card().to_bytes()


def last_sent_seq() -> int:
    return int(BundleOut.objects.aggregate(m=Max("seq"))["m"] or 0)


# ---- outbox --------------------------------------------------------------------------------


def send_bundle(
    actor: Actor,
    kind: str,
    body: dict[str, Any],
    recipients: Iterable[Peer],
    *,
    subject: str = "",
    prev: str | None = None,
) -> BundleOut:
    """Sign, encrypt, store and queue a bundle for the next hop of each recipient.

    Call inside the caller's transaction (with what the bundle records locally).
    """
    me = load_identity()
    peers = list(recipients)
    for peer in peers:
        if not peer.is_trusted:
            raise ChannelError(
                _("%(peer)s is not trusted: confirm its fingerprint before sending")
                % {"peer": peer.installation_id}
            )
    with transaction.atomic():
        seq = last_sent_seq() + 1
        header, data = channel.build_bundle(
            me,
            [p.peer_keys() for p in peers],
            kind,
            body,
            seq=seq,
            prev=prev,
            max_bytes=max_bytes(),
        )
        bundle = BundleOut.objects.create(
            bundle_id=header.bundle_id,
            kind=kind,
            seq=seq,
            recipients=list(header.to),
            prev=prev or "",
            subject=subject,
            digest=header.digest,
            size=len(data),
            data=data,
            created_by=actor.username,
        )
        for hop in {p.next_hop.pk: p.next_hop for p in peers}.values():
            Transit.objects.create(
                item_kind=ItemKind.BUNDLE, item_id=header.bundle_id, hop=hop, data=data
            )
        log_event(
            actor,
            "bundle_sent",
            "bundle",
            header.bundle_id,
            {
                "kind": kind,
                "seq": seq,
                "to": list(header.to),
                "digest": header.digest,
                "size": len(data),
                "subject": subject,
            },
        )
    return bundle


def issue_receipt(
    bundle_id: str, digest: str, sender: str, status: str, actor: Actor
) -> ReceiptEntry | None:
    """Write a signed receipt for ``sender`` and queue it (once per bundle and status)."""
    me = load_identity()
    existing = ReceiptEntry.objects.filter(
        bundle_id=bundle_id, signer=me.installation_id, status=status
    ).first()
    if existing is not None:
        return existing
    receipt = channel.make_receipt(
        me, bundle_id=bundle_id, digest=digest, sender=sender, status=status
    )
    entry = _store_receipt(receipt)
    peer = Peer.objects.filter(installation_id=sender).first()
    if peer is not None:
        _queue(ItemKind.RECEIPT, receipt.receipt_id, peer.next_hop, _receipt_bytes(receipt))
    log_event(
        actor,
        f"receipt_{status}",
        "bundle",
        bundle_id,
        {"to": sender, "digest": digest, "receipt": receipt.receipt_id},
    )
    return entry


def _receipt_bytes(receipt: channel.Receipt) -> bytes:
    return json.dumps(receipt.as_json(), sort_keys=True).encode()


def _store_receipt(receipt: channel.Receipt) -> ReceiptEntry:
    entry, _created = ReceiptEntry.objects.get_or_create(
        receipt_id=receipt.receipt_id,
        defaults={
            "bundle_id": receipt.bundle_id,
            "digest": receipt.digest,
            "signer": receipt.signer,
            "status": receipt.status,
            "at": receipt.at,
            "to": receipt.to,
            "data": receipt.as_json(),
        },
    )
    return entry


def _queue(kind: str, item_id: str, hop: Peer, data: bytes) -> None:
    Transit.objects.get_or_create(item_kind=kind, item_id=item_id, hop=hop, defaults={"data": data})


def receipt_states(bundle: BundleOut) -> dict[str, dict[str, dt.datetime]]:
    """For each installation that signed a receipt: status -> when."""
    states: dict[str, dict[str, dt.datetime]] = {}
    for entry in ReceiptEntry.objects.filter(bundle_id=bundle.bundle_id).order_by("at"):
        states.setdefault(entry.signer, {})[entry.status] = entry.at
    return states


# ---- inbox and relay -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to one item of a parcel."""

    item_id: str
    outcome: str  # accepted, relayed, already, held, refused
    message: str
    kind: str = ""
    reason: str = ""

    @property
    def acknowledged(self) -> bool:
        """Whether the hop that carried it may stop offering it (a retry cannot change it)."""
        return self.outcome != "refused" or self.reason not in ("key_store",)


class _InboxLedger:
    def seen(self, bundle_id: str) -> bool:
        return BundleIn.objects.filter(bundle_id=bundle_id).exists()

    def sequence_used(self, sender: str, seq: int) -> bool:
        return BundleIn.objects.filter(sender__installation_id=sender, seq=seq).exists()


class _RelayLedger:
    def seen(self, bundle_id: str) -> bool:
        return RelayedBundle.objects.filter(bundle_id=bundle_id).exists()

    def sequence_used(self, sender: str, seq: int) -> bool:
        return RelayedBundle.objects.filter(sender=sender, seq=seq).exists()


def _peek(data: bytes) -> dict[str, Any]:
    """The unverified header, only to route (everything is verified before use)."""
    if len(data) > max_bytes():
        raise channel.BundleTooLarge(
            f"the bundle has {len(data):,} bytes, more than the limit of {max_bytes():,}"
        )
    try:
        header = json.loads(data.decode("utf-8"))["header"]
        if not isinstance(header, dict):
            raise TypeError
        return header
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise channel.BundleMalformed(
            "this is not a complete bundle (truncated or garbled): ask for it again"
        ) from exc


def _refuse(actor: Actor, item_id: str, via: str, error: ChannelError) -> Outcome:
    with transaction.atomic():
        log_event(
            actor,
            "bundle_refused",
            "bundle",
            item_id,
            {"reason": error.reason, "message": str(error), "via": via},
        )
    if via:
        Peer.objects.filter(installation_id=via).update(last_error=str(error)[:500])
    return Outcome(item_id, "refused", str(error), reason=error.reason)


def receive_bundle(data: bytes, actor: Actor, via: str = "") -> Outcome:
    """Import one bundle (addressed to us) and/or relay it; never raises for bad input."""
    me = load_identity()
    try:
        header = _peek(data)
    except ChannelError as exc:
        return _refuse(actor, "?", via, exc)
    bundle_id = str(header.get("id") or "?")
    raw_to = header.get("to")
    recipients: list[Any] = raw_to if isinstance(raw_to, list) else []
    outcomes = []
    try:
        if me.installation_id in recipients:
            outcomes.append(_import(data, me, actor, via))
        relay_to = _relay_targets(recipients, str(header.get("sender")), via, me)
        if relay_to:
            outcomes.append(_relay(data, relay_to, actor, via))
        if not outcomes:
            raise channel.NotAddressedToUs(
                f"bundle {bundle_id[:8]} is addressed to {', '.join(map(str, recipients))}, "
                f"not to {me.installation_id}, and none of them is reached through us"
            )
    except ChannelError as exc:
        return _refuse(actor, bundle_id, via, exc)
    if via:
        Peer.objects.filter(installation_id=via).update(
            last_exchange_at=timezone.now(), last_error=""
        )
    if any(o.outcome == "accepted" for o in outcomes):
        retry_held(actor)
    return outcomes[0]


def _relay_targets(recipients: list[Any], sender: str, via: str, me: Identity) -> list[Peer]:
    names = {str(r) for r in recipients} - {me.installation_id, sender, via}
    if not names:
        return []
    return list(
        Peer.objects.filter(installation_id__in=names, relay__isnull=True).exclude(
            status=PeerStatus.REVOKED
        )
    )


def _relay(data: bytes, targets: list[Peer], actor: Actor, via: str) -> Outcome:
    try:
        header = channel.inspect_bundle(data, peer_lookup, _RelayLedger(), max_bytes=max_bytes())
    except channel.BundleReplayed as exc:
        return Outcome(_peek(data)["id"], "already", str(exc), reason=exc.reason)
    with transaction.atomic():
        try:
            RelayedBundle.objects.create(
                bundle_id=header.bundle_id,
                sender=header.sender,
                seq=header.seq,
                recipients=list(header.to),
                digest=header.digest,
                size=len(data),
                data=data,
                created_at=header.created,
                received_from=via,
            )
        except IntegrityError as exc:  # a concurrent import of the same bundle won
            raise channel.BundleReplayed(f"bundle {header.short_id} is already relayed") from exc
        for target in targets:
            _queue(ItemKind.BUNDLE, header.bundle_id, target, data)
        log_event(
            actor,
            "bundle_relayed",
            "bundle",
            header.bundle_id,
            {
                "from": header.sender,
                "to": list(header.to),
                "seq": header.seq,
                "digest": header.digest,
                "size": len(data),
                "via": via,
            },
        )
        issue_receipt(header.bundle_id, header.digest, header.sender, "relayed", actor)
    return Outcome(
        header.bundle_id,
        "relayed",
        f"bundle {header.short_id} from {header.sender} relayed to "
        + ", ".join(t.installation_id for t in targets),
    )


def _import(data: bytes, me: Identity, actor: Actor, via: str) -> Outcome:
    ledger = _InboxLedger()
    try:
        opened = channel.open_bundle(data, me, peer_lookup, ledger, max_bytes=max_bytes())
    except channel.BundleReplayed as exc:
        peeked = _peek(data)
        known = BundleIn.objects.filter(bundle_id=peeked["id"]).first()
        message = (
            _("bundle %(id)s from %(sender)s was already imported on %(when)s UTC; nothing changed")
            % {
                "id": peeked["id"][:8],
                "sender": peeked.get("sender"),
                "when": f"{known.received_at:%Y-%m-%d %H:%M}",
            }
            if known
            else str(exc)
        )
        with transaction.atomic():
            log_event(
                actor,
                "bundle_refused",
                "bundle",
                peeked["id"],
                {"reason": exc.reason, "message": message, "via": via},
            )
        return Outcome(peeked["id"], "already", message, reason=exc.reason)
    except channel.OutOfOrder as exc:
        peeked = _peek(data)
        with transaction.atomic():
            HeldBundle.objects.get_or_create(
                bundle_id=peeked["id"],
                defaults={
                    "sender": str(peeked.get("sender")),
                    "data": data,
                    "reason": str(exc),
                    "received_via": via,
                },
            )
            log_event(
                actor,
                "bundle_held",
                "bundle",
                peeked["id"],
                {"reason": exc.reason, "message": str(exc), "via": via},
            )
        return Outcome(peeked["id"], "held", str(exc), reason=exc.reason)
    header = opened.header
    handler = _HANDLERS.get(opened.kind)
    if handler is None:
        raise ApplyRefused(
            f"bundle {header.short_id} carries {opened.kind!r}, which this version of "
            "Reunite does not know: upgrade, then import it again"
        )
    with transaction.atomic():
        try:
            bundle = BundleIn.objects.create(
                bundle_id=header.bundle_id,
                sender=Peer.objects.get(installation_id=header.sender),
                kind=opened.kind,
                seq=header.seq,
                recipients=list(header.to),
                subject=str(opened.body.get("subject", ""))[:120],
                digest=header.digest,
                size=len(data),
                data=data,
                created_at=header.created,
                received_via=via,
            )
        except IntegrityError as exc:  # a concurrent import of the same bundle won
            raise channel.BundleReplayed(f"bundle {header.short_id} is already imported") from exc
        handler(opened, bundle, actor)
        _crash_point("import")
        log_event(
            actor,
            "bundle_received",
            "bundle",
            header.bundle_id,
            {
                "kind": opened.kind,
                "from": header.sender,
                "seq": header.seq,
                "digest": header.digest,
                "size": len(data),
                "via": via,
            },
        )
        issue_receipt(header.bundle_id, header.digest, header.sender, "delivered", actor)
        HeldBundle.objects.filter(bundle_id=header.bundle_id).delete()
    return Outcome(
        header.bundle_id,
        "accepted",
        f"{opened.kind} {header.short_id} from {header.sender} imported",
        kind=opened.kind,
    )


def retry_held(actor: Actor) -> list[Outcome]:
    """Import held bundles whose predecessor has arrived (repeats until nothing moves)."""
    outcomes = []
    progress = True
    while progress:
        progress = False
        for held in list(HeldBundle.objects.order_by("received_at")):
            outcome = _import_held(held, actor)
            if outcome.outcome != "held":
                progress = True
                outcomes.append(outcome)
    return outcomes


def _import_held(held: HeldBundle, actor: Actor) -> Outcome:
    me = load_identity()
    try:
        outcome = _import(bytes(held.data), me, actor, held.received_via)
    except ChannelError as exc:
        HeldBundle.objects.filter(pk=held.pk).delete()
        return _refuse(actor, held.bundle_id, held.received_via, exc)
    if outcome.outcome != "held":
        HeldBundle.objects.filter(pk=held.pk).delete()
    return outcome


def receive_receipt(data: dict[str, Any], actor: Actor, via: str = "") -> Outcome:
    """Record a signed receipt, and pass it on when it is for someone we relay to."""
    me = load_identity()
    try:
        receipt = channel.verify_receipt(data, peer_lookup)
    except ChannelError as exc:
        return _refuse(
            actor, str(data.get("bundle", "?")) if isinstance(data, dict) else "?", via, exc
        )
    if ReceiptEntry.objects.filter(receipt_id=receipt.receipt_id).exists():
        return Outcome(receipt.receipt_id, "already", "receipt already recorded")
    with transaction.atomic():
        _store_receipt(receipt)
        if receipt.to != me.installation_id:
            target = Peer.objects.filter(installation_id=receipt.to).first()
            if target is not None and target.installation_id != via:
                _queue(
                    ItemKind.RECEIPT, receipt.receipt_id, target.next_hop, _receipt_bytes(receipt)
                )
        log_event(
            actor,
            "receipt_recorded",
            "bundle",
            receipt.bundle_id,
            {"status": receipt.status, "signer": receipt.signer, "to": receipt.to, "via": via},
        )
    return Outcome(
        receipt.receipt_id, "accepted", f"{receipt.status} receipt from {receipt.signer}"
    )


# ---- parcels: what travels to one hop ------------------------------------------------------


def pending_for(hop: Peer) -> list[Transit]:
    return list(Transit.objects.filter(hop=hop, acked_at__isnull=True).order_by("queued_at", "pk"))


def parcel_for(hop: Peer, limit_bytes: int | None = None) -> tuple[channel.Parcel, list[Transit]]:
    """The items still waiting for ``hop``, oldest first, up to ``limit_bytes``."""
    me = load_identity()
    limit = limit_bytes or channel.DEFAULT_PARCEL_MAX_BYTES // 2
    bundles: list[bytes] = []
    receipts: list[dict[str, Any]] = []
    taken: list[Transit] = []
    total = 0
    for item in pending_for(hop):
        data = bytes(item.data)
        if taken and total + len(data) > limit:
            break
        total += len(data)
        taken.append(item)
        if item.item_kind == ItemKind.BUNDLE:
            bundles.append(data)
        else:
            receipts.append(json.loads(data))
    return channel.Parcel(
        me.installation_id, hop.installation_id, tuple(bundles), tuple(receipts)
    ), taken


def acknowledge(hop: Peer, item_ids: Iterable[str]) -> int:
    return Transit.objects.filter(
        hop=hop, item_id__in=list(item_ids), acked_at__isnull=True
    ).update(acked_at=timezone.now())


def accept_parcel(
    parcel: channel.Parcel, actor: Actor, progress: Callable[[int, int], None] | None = None
) -> list[Outcome]:
    """Import every item of a parcel (each bundle in its own transaction)."""
    me = load_identity()
    if parcel.hop and parcel.hop != me.installation_id:
        error = channel.NotAddressedToUs(
            f"this parcel was made for {parcel.hop}, not for {me.installation_id}"
        )
        return [_refuse(actor, "parcel", parcel.sender, error)]
    via = parcel.sender
    outcomes = []
    total = len(parcel.bundles) + len(parcel.receipts)
    for index, data in enumerate(parcel.bundles, start=1):
        outcomes.append(receive_bundle(data, actor, via=via))
        if progress:
            progress(index, total)
    for index, receipt in enumerate(parcel.receipts, start=len(parcel.bundles) + 1):
        outcomes.append(receive_receipt(receipt, actor, via=via))
        if progress:
            progress(index, total)
    return outcomes


def mark_read(bundle: BundleIn, actor: Actor) -> None:
    """The first time a person opens what a bundle carried: a signed "read" receipt."""
    if bundle.read_at is not None:
        return
    with transaction.atomic():
        BundleIn.objects.filter(pk=bundle.pk, read_at__isnull=True).update(read_at=timezone.now())
        issue_receipt(bundle.bundle_id, bundle.digest, bundle.sender.installation_id, "read", actor)


def mark_answered(bundle: BundleIn, actor: Actor) -> None:
    with transaction.atomic():
        BundleIn.objects.filter(pk=bundle.pk).update(answered_at=timezone.now())
        if bundle.read_at is None:
            mark_read(bundle, actor)
        issue_receipt(
            bundle.bundle_id, bundle.digest, bundle.sender.installation_id, "answered", actor
        )


def is_mediator_peer(peer: Peer) -> bool:
    return peer.role == PeerRole.MEDIATOR


@register_handler("card")
def _receive_card(opened: OpenedBundle, bundle: BundleIn, actor: Actor) -> None:
    """A peer's new card after a rotation: trusted only if signed by a key we trust."""
    card = opened.body.get("card")
    if not isinstance(card, str):
        raise ApplyRefused("the bundle carries no card")
    parsed = channel.SignedCard.from_bytes(card.encode("utf-8"))
    if parsed.peer.installation_id != opened.header.sender:
        raise ApplyRefused("a peer may only send its own card")
    add_peer(card.encode("utf-8"), actor)

"""Bundles: signed by the sender, encrypted to each recipient, verified before anything is read.

Wire form (UTF-8 JSON)::

    {"header": {"format": "reunite-bundle/1", "id": "<32 hex>", "sender": "UA-NIB",
                "key": "<sender key id>", "seq": 7, "created": "2026-…Z",
                "to": ["RU-CRO"], "prev": null | "<bundle id>",
                "sealed": {"RU-CRO": {"key": "<recipient key id>", "box": "<b64>"}}},
     "ciphertext": "<b64>", "signature": "<b64>"}

The content (kind and body, bound to the bundle id and sender) is encrypted once with a
random 32-byte content key (XSalsa20-Poly1305, ``SecretBox``); the content key is sealed to
each recipient's X25519 key (``SealedBox``). The Ed25519 signature covers the canonical
header and the SHA-256 of the ciphertext, so a relay can check who sent what to whom
without being able to read it. The *digest* (SHA-256 of the signed message) names a bundle
independently of whitespace in the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import nacl.exceptions
import nacl.secret
import nacl.utils
from nacl.public import PublicKey, SealedBox

from reunite.channel._canonical import b64, canonical, unb64
from reunite.channel._keys import Identity, PeerKeys, PublicKeyPair, iso, parse_iso
from reunite.channel.exceptions import (
    BundleFromFuture,
    BundleMalformed,
    BundleReplayed,
    BundleTampered,
    BundleTooLarge,
    ChannelError,
    NotAddressedToUs,
    OutOfOrder,
    RevokedKey,
    SequenceReused,
    UnknownSender,
)

BUNDLE_FORMAT = "reunite-bundle/1"
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
# Clocks of air-gapped installations drift; a bundle "made" further ahead than this is refused.
DEFAULT_CLOCK_SKEW = dt.timedelta(hours=12)
_ID = re.compile(r"^[0-9a-f]{32}$")

PeerLookup = Callable[[str], PeerKeys | None]


class Ledger(Protocol):
    """What the receiving installation remembers, asked while a bundle is checked."""

    def seen(self, bundle_id: str) -> bool:
        """Whether a bundle with this id was accepted before."""

    def sequence_used(self, sender: str, seq: int) -> bool:
        """Whether another accepted bundle from ``sender`` carried ``seq``."""


@dataclass(frozen=True)
class Header:
    """Everything about a bundle that anyone who handles it may see."""

    bundle_id: str
    sender: str
    key_id: str
    seq: int
    created: dt.datetime
    to: tuple[str, ...]
    prev: str | None
    digest: str

    @property
    def short_id(self) -> str:
        return self.bundle_id[:8]


@dataclass(frozen=True)
class OpenedBundle:
    """A verified, decrypted bundle addressed to this installation."""

    header: Header
    kind: str
    body: dict[str, Any]


def new_bundle_id() -> str:
    return uuid.uuid4().hex


def _signed_message(header: dict[str, Any], ciphertext: bytes) -> bytes:
    return (
        BUNDLE_FORMAT.encode()
        + b"\n"
        + canonical(header)
        + b"\n"
        + hashlib.sha256(ciphertext).digest()
    )


def build_bundle(
    sender: Identity,
    recipients: Sequence[PeerKeys],
    kind: str,
    body: dict[str, Any],
    *,
    seq: int,
    prev: str | None = None,
    bundle_id: str | None = None,
    now: dt.datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[Header, bytes]:
    """Sign and encrypt ``body`` to every recipient's current key; returns header and bytes."""
    if not recipients:
        raise ChannelError("a bundle needs at least one recipient")
    if seq < 1:
        raise ChannelError("sequence numbers start at 1")
    ids = [r.installation_id for r in recipients]
    if len(set(ids)) != len(ids):
        raise ChannelError("a recipient is named twice")
    key = sender.current
    bundle_id = bundle_id or new_bundle_id()
    created = iso(now or dt.datetime.now(dt.UTC))
    content_key = nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)
    plaintext = canonical(
        {"bundle": bundle_id, "sender": sender.installation_id, "kind": kind, "body": body}
    )
    ciphertext = bytes(nacl.secret.SecretBox(content_key).encrypt(plaintext))
    sealed = {}
    for recipient in recipients:
        their = recipient.current
        box = SealedBox(PublicKey(their.encrypt_public)).encrypt(content_key)
        sealed[recipient.installation_id] = {"key": their.key_id, "box": b64(bytes(box))}
    header = {
        "format": BUNDLE_FORMAT,
        "id": bundle_id,
        "sender": sender.installation_id,
        "key": key.public.key_id,
        "seq": seq,
        "created": created,
        "to": sorted(ids),
        "prev": prev,
        "sealed": sealed,
    }
    message = _signed_message(header, ciphertext)
    envelope = {
        "header": header,
        "ciphertext": b64(ciphertext),
        "signature": b64(key.sign(message)),
    }
    data = json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode("utf-8")
    if len(data) > max_bytes:
        raise BundleTooLarge(
            f"this bundle would have {len(data):,} bytes, more than the limit of {max_bytes:,}; "
            "send fewer entries per bundle"
        )
    return _header_of(header, message), data


def _header_of(header: dict[str, Any], message: bytes) -> Header:
    return Header(
        bundle_id=header["id"],
        sender=header["sender"],
        key_id=header["key"],
        seq=header["seq"],
        created=parse_iso(header["created"], "creation time"),
        to=tuple(header["to"]),
        prev=header.get("prev"),
        digest=hashlib.sha256(message).hexdigest(),
    )


def _parse(data: bytes, max_bytes: int) -> tuple[dict[str, Any], bytes, bytes]:
    if len(data) > max_bytes:
        raise BundleTooLarge(
            f"the bundle has {len(data):,} bytes, more than the limit of {max_bytes:,}"
        )
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleMalformed(
            "this is not a complete bundle (truncated or garbled): ask for it again"
        ) from exc
    if not isinstance(envelope, dict) or not isinstance(envelope.get("header"), dict):
        raise BundleMalformed("this is not a bundle (no header)")
    header = envelope["header"]
    if header.get("format") != BUNDLE_FORMAT:
        raise BundleMalformed(f"unknown bundle format {header.get('format')!r}")
    if not isinstance(header.get("id"), str) or not _ID.match(header["id"]):
        raise BundleMalformed("the bundle id is missing or malformed")
    for name in ("sender", "key"):
        if not isinstance(header.get(name), str) or not header[name]:
            raise BundleMalformed(f"the header has no {name}")
    seq = header.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise BundleMalformed("the sequence number is missing or not a positive number")
    to = header.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(t, str) for t in to):
        raise BundleMalformed("the bundle names no recipients")
    prev = header.get("prev")
    if prev is not None and (not isinstance(prev, str) or not _ID.match(prev)):
        raise BundleMalformed("the previous-bundle reference is malformed")
    if not isinstance(header.get("sealed"), dict):
        raise BundleMalformed("the bundle has no sealed content keys")
    parse_iso(header.get("created"), "creation time")
    ciphertext = unb64(envelope.get("ciphertext"), "ciphertext")
    signature = unb64(envelope.get("signature"), "signature")
    return header, ciphertext, signature


def _sender_key(header: dict[str, Any], peers: PeerLookup) -> tuple[PeerKeys, PublicKeyPair]:
    peer = peers(header["sender"])
    if peer is None:
        raise UnknownSender(
            f"the bundle comes from {header['sender']!r}, which is not a known peer: "
            "add its card (`reunite peers add`) and confirm its fingerprint first"
        )
    key = peer.key(header["key"])
    if key is None:
        raise UnknownSender(
            f"{header['sender']} signed with key {header['key']}, which we do not know: "
            "import its new card (its keys may have been rotated)"
        )
    return peer, key


def inspect_bundle(
    data: bytes,
    peers: PeerLookup,
    ledger: Ledger | None = None,
    *,
    now: dt.datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    clock_skew: dt.timedelta = DEFAULT_CLOCK_SKEW,
) -> Header:
    """Check size, form, sender, signature, revocation, time and replay, without decrypting.

    This is all a relay (the mediator) can do with a bundle not addressed to it.
    """
    header, ciphertext, signature = _parse(data, max_bytes)
    _peer, key = _sender_key(header, peers)
    message = _signed_message(header, ciphertext)
    try:
        key.verify_key.verify(message, signature)
    except nacl.exceptions.BadSignatureError as exc:
        raise BundleTampered(
            f"the signature of bundle {header['id'][:8]} from {header['sender']} does not "
            "match its content: it was changed after it was signed"
        ) from exc
    parsed = _header_of(header, message)
    if key.revoked_at is not None and (
        parsed.created > key.revoked_at
        or (key.revoked_after_seq is not None and parsed.seq > key.revoked_after_seq)
    ):
        raise RevokedKey(
            f"bundle {parsed.short_id} is signed with {parsed.sender}'s key {key.key_id}, "
            f"revoked on {iso(key.revoked_at)}"
        )
    moment = now or dt.datetime.now(dt.UTC)
    if parsed.created > moment + clock_skew:
        raise BundleFromFuture(
            f"bundle {parsed.short_id} claims to be made at {iso(parsed.created)}, "
            "later than this installation's clock allows: check both clocks"
        )
    if ledger is not None:
        if ledger.seen(parsed.bundle_id):
            raise BundleReplayed(
                f"bundle {parsed.short_id} from {parsed.sender} was already accepted; "
                "nothing changed"
            )
        if ledger.sequence_used(parsed.sender, parsed.seq):
            raise SequenceReused(
                f"another bundle from {parsed.sender} already carried sequence number "
                f"{parsed.seq}: this one is refused (a replay or a broken sender)"
            )
    return parsed


def open_bundle(
    data: bytes,
    me: Identity,
    peers: PeerLookup,
    ledger: Ledger,
    *,
    accepted: Callable[[str], bool] | None = None,
    now: dt.datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    clock_skew: dt.timedelta = DEFAULT_CLOCK_SKEW,
) -> OpenedBundle:
    """Verify a bundle addressed to ``me`` and decrypt it; raise a typed error otherwise.

    ``accepted(bundle_id)`` says whether the bundle a header's ``prev`` names was accepted
    (when it was not, :class:`OutOfOrder` is raised and importing it later succeeds).
    """
    parsed = inspect_bundle(
        data, peers, ledger, now=now, max_bytes=max_bytes, clock_skew=clock_skew
    )
    envelope = json.loads(data.decode("utf-8"))
    header = envelope["header"]
    sealed = header["sealed"].get(me.installation_id)
    if me.installation_id not in parsed.to or not isinstance(sealed, dict):
        raise NotAddressedToUs(
            f"bundle {parsed.short_id} is addressed to {', '.join(parsed.to)}, "
            f"not to {me.installation_id}"
        )
    if parsed.prev is not None and not (accepted or ledger.seen)(parsed.prev):
        raise OutOfOrder(
            f"bundle {parsed.short_id} follows bundle {parsed.prev[:8]} from {parsed.sender}, "
            "which has not arrived yet: import that one first (it is kept for a retry)"
        )
    my_key = me.key(str(sealed.get("key")))
    if my_key is None:
        raise NotAddressedToUs(
            f"bundle {parsed.short_id} is encrypted to key {sealed.get('key')}, "
            "which this installation does not hold"
        )
    try:
        content_key = SealedBox(my_key.private_key).decrypt(unb64(sealed.get("box"), "sealed key"))
        plaintext = nacl.secret.SecretBox(content_key).decrypt(
            unb64(envelope["ciphertext"], "ciphertext")
        )
        content = json.loads(plaintext.decode("utf-8"))
    except (nacl.exceptions.CryptoError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleTampered(
            f"bundle {parsed.short_id} cannot be decrypted: it was damaged or tampered with"
        ) from exc
    if (
        not isinstance(content, dict)
        or content.get("bundle") != parsed.bundle_id
        or content.get("sender") != parsed.sender
        or not isinstance(content.get("kind"), str)
        or not isinstance(content.get("body"), dict)
    ):
        raise BundleTampered(
            f"the content of bundle {parsed.short_id} does not belong to its header"
        )
    return OpenedBundle(header=parsed, kind=content["kind"], body=content["body"])

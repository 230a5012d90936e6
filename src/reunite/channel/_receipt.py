"""Signed receipts, signed statements (joint reports) and parcels (what a transport carries).

A *receipt* says that an installation relayed, received (delivered), opened (read) or
answered a bundle. It names the bundle by id and digest, is signed by the installation that
writes it and is not encrypted: it holds no content, and the mediator keeps a log of them.

A *statement* is any JSON object signed by one installation on behalf of a named person
(e.g. a verifier's signature on a joint verification report); several statements over the
same document show that each party agreed to the same text.

A *parcel* is what one transfer carries to the next hop (a file, or the body of an HTTP
request): bundles and receipts. Parcels are not signed: every item in them is.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

import nacl.exceptions

from reunite.channel._bundle import PeerLookup
from reunite.channel._canonical import b64, canonical, sha256_hex, unb64
from reunite.channel._keys import Identity, iso, parse_iso
from reunite.channel.exceptions import (
    BundleFromFuture,
    BundleMalformed,
    BundleTampered,
    BundleTooLarge,
    ReceiptInvalid,
    RevokedKey,
    UnknownSender,
)

RECEIPT_FORMAT = "reunite-receipt/1"
STATEMENT_FORMAT = "reunite-statement/1"
PARCEL_FORMAT = "reunite-parcel/1"
RECEIPT_STATUSES = ("relayed", "delivered", "read", "answered")
DEFAULT_PARCEL_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Receipt:
    bundle_id: str
    digest: str
    signer: str
    key_id: str
    status: str
    at: dt.datetime
    #: The bundle's sender, to whom the receipt travels.
    to: str
    signature: bytes

    def as_json(self) -> dict[str, Any]:
        body = _receipt_body(
            self.bundle_id, self.digest, self.signer, self.key_id, self.status, self.at, self.to
        )
        return {**body, "signature": b64(self.signature)}

    @property
    def receipt_id(self) -> str:
        """Stable name of this receipt (the same receipt imported twice has the same id)."""
        return sha256_hex(canonical(self.as_json()))[:32]


def _receipt_body(
    bundle_id: str, digest: str, signer: str, key_id: str, status: str, at: dt.datetime, to: str
) -> dict[str, Any]:
    return {
        "format": RECEIPT_FORMAT,
        "bundle": bundle_id,
        "digest": digest,
        "signer": signer,
        "key": key_id,
        "status": status,
        "at": iso(at),
        "to": to,
    }


def make_receipt(
    me: Identity,
    *,
    bundle_id: str,
    digest: str,
    sender: str,
    status: str,
    at: dt.datetime | None = None,
) -> Receipt:
    if status not in RECEIPT_STATUSES:
        raise ValueError(f"unknown receipt status {status!r}")
    key = me.current
    moment = at or dt.datetime.now(dt.UTC)
    # Round-trip the time through its text form so the signed bytes and the object agree.
    moment = parse_iso(iso(moment), "receipt time")
    body = _receipt_body(
        bundle_id, digest, me.installation_id, key.public.key_id, status, moment, sender
    )
    return Receipt(
        bundle_id=bundle_id,
        digest=digest,
        signer=me.installation_id,
        key_id=key.public.key_id,
        status=status,
        at=moment,
        to=sender,
        signature=key.sign(canonical(body)),
    )


def verify_receipt(data: Any, peers: PeerLookup) -> Receipt:
    """Check a receipt's form and signature; raise :class:`ReceiptInvalid` otherwise."""
    if not isinstance(data, dict) or data.get("format") != RECEIPT_FORMAT:
        raise ReceiptInvalid("not a receipt")
    try:
        receipt = Receipt(
            bundle_id=str(data["bundle"]),
            digest=str(data["digest"]),
            signer=str(data["signer"]),
            key_id=str(data["key"]),
            status=str(data["status"]),
            at=parse_iso(data["at"], "receipt time"),
            to=str(data["to"]),
            signature=unb64(data["signature"], "receipt signature"),
        )
    except (KeyError, BundleMalformed) as exc:
        raise ReceiptInvalid(f"a receipt is incomplete: {exc}") from exc
    if receipt.status not in RECEIPT_STATUSES:
        raise ReceiptInvalid(f"unknown receipt status {receipt.status!r}")
    peer = peers(receipt.signer)
    key = peer.key(receipt.key_id) if peer else None
    if key is None:
        raise UnknownSender(f"a receipt is signed by {receipt.signer!r}, not a known peer key")
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        key.verify_key.verify(canonical(body), receipt.signature)
    except nacl.exceptions.BadSignatureError as exc:
        raise ReceiptInvalid(
            f"the receipt for bundle {receipt.bundle_id[:8]} from {receipt.signer} "
            "does not match its signature"
        ) from exc
    if key.revoked_at is not None and receipt.at > key.revoked_at:
        raise RevokedKey(f"a receipt is signed with {receipt.signer}'s revoked key {key.key_id}")
    return receipt


# ---- statements (signatures of people on documents) ---------------------------------------


@dataclass(frozen=True)
class Statement:
    """One installation's signature, on behalf of ``signed_by``, over ``document``."""

    signer: str
    key_id: str
    signed_by: str
    role: str
    signed_at: dt.datetime
    document_digest: str
    signature: bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "format": STATEMENT_FORMAT,
            "signer": self.signer,
            "key": self.key_id,
            "signed_by": self.signed_by,
            "role": self.role,
            "signed_at": iso(self.signed_at),
            "document": self.document_digest,
            "signature": b64(self.signature),
        }


def document_digest(document: dict[str, Any]) -> str:
    return sha256_hex(canonical(document))


def sign_statement(
    me: Identity, document: dict[str, Any], *, signed_by: str, role: str
) -> Statement:
    key = me.current
    signed_at = parse_iso(iso(dt.datetime.now(dt.UTC)), "time")
    digest = document_digest(document)
    body = {
        "format": STATEMENT_FORMAT,
        "signer": me.installation_id,
        "key": key.public.key_id,
        "signed_by": signed_by,
        "role": role,
        "signed_at": iso(signed_at),
        "document": digest,
    }
    return Statement(
        signer=me.installation_id,
        key_id=key.public.key_id,
        signed_by=signed_by,
        role=role,
        signed_at=signed_at,
        document_digest=digest,
        signature=key.sign(canonical(body)),
    )


def verify_statement(document: dict[str, Any], data: Any, peers: PeerLookup) -> Statement:
    """Check that ``data`` is a valid signature by a known installation over ``document``."""
    if not isinstance(data, dict) or data.get("format") != STATEMENT_FORMAT:
        raise ReceiptInvalid("not a signature statement")
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        statement = Statement(
            signer=str(data["signer"]),
            key_id=str(data["key"]),
            signed_by=str(data["signed_by"]),
            role=str(data["role"]),
            signed_at=parse_iso(data["signed_at"], "signature time"),
            document_digest=str(data["document"]),
            signature=unb64(data["signature"], "signature"),
        )
    except (KeyError, BundleMalformed) as exc:
        raise ReceiptInvalid(f"a signature statement is incomplete: {exc}") from exc
    if statement.document_digest != document_digest(document):
        raise ReceiptInvalid(f"{statement.signer}'s signature is over a different text")
    peer = peers(statement.signer)
    key = peer.key(statement.key_id) if peer else None
    if key is None:
        raise UnknownSender(f"a signature by {statement.signer!r} uses an unknown key")
    try:
        key.verify_key.verify(canonical(body), statement.signature)
    except nacl.exceptions.BadSignatureError as exc:
        raise ReceiptInvalid(f"{statement.signer}'s signature does not verify") from exc
    if key.revoked_at is not None and statement.signed_at > key.revoked_at:
        raise RevokedKey(f"{statement.signer} signed with a key revoked before that time")
    return statement


# ---- parcels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parcel:
    sender: str
    hop: str
    bundles: tuple[bytes, ...]
    receipts: tuple[dict[str, Any], ...]

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "format": PARCEL_FORMAT,
                "from": self.sender,
                "to": self.hop,
                "bundles": [b64(b) for b in self.bundles],
                "receipts": list(self.receipts),
            },
            separators=(",", ":"),
        ).encode("utf-8")


def read_parcel(data: bytes, *, max_bytes: int = DEFAULT_PARCEL_MAX_BYTES) -> Parcel:
    """Parse a parcel; a truncated or foreign file raises :class:`BundleMalformed`."""
    if len(data) > max_bytes:
        raise BundleTooLarge(f"the file has {len(data):,} bytes, more than {max_bytes:,}")
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleMalformed(
            "this file is not a complete parcel of bundles (truncated or garbled)"
        ) from exc
    if not isinstance(body, dict) or body.get("format") != PARCEL_FORMAT:
        raise BundleMalformed(f"this file is not a parcel (format should be {PARCEL_FORMAT})")
    bundles = body.get("bundles") or []
    receipts = body.get("receipts") or []
    if not isinstance(bundles, list) or not isinstance(receipts, list):
        raise BundleMalformed("the parcel's bundles or receipts are not lists")
    return Parcel(
        sender=str(body.get("from") or ""),
        hop=str(body.get("to") or ""),
        bundles=tuple(unb64(b, "bundle") for b in bundles),
        receipts=tuple(r for r in receipts if isinstance(r, dict)),
    )


# ---- signed requests (pull and acknowledge over HTTP) --------------------------------------

REQUEST_FORMAT = "reunite-request/1"


def sign_request(me: Identity, action: str, to: str, items: list[str] | None = None) -> bytes:
    """A small signed request (``pull``, ``ack``) that proves which installation asks."""
    body: dict[str, Any] = {
        "format": REQUEST_FORMAT,
        "action": action,
        "from": me.installation_id,
        "to": to,
        "key": me.current.public.key_id,
        "at": iso(dt.datetime.now(dt.UTC)),
        "nonce": secrets.token_hex(8),
        "items": list(items or []),
    }
    body["signature"] = b64(me.current.sign(canonical(body)))
    return json.dumps(body).encode("utf-8")


def verify_request(
    data: bytes,
    peers: PeerLookup,
    *,
    action: str,
    to: str,
    window: dt.timedelta = dt.timedelta(minutes=10),
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Check a signed request's form, key, signature and time; return its body."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleMalformed("the request is not JSON") from exc
    if not isinstance(body, dict) or body.get("format") != REQUEST_FORMAT:
        raise BundleMalformed("not a channel request")
    if body.get("action") != action or body.get("to") != to:
        raise BundleMalformed("the request is for another action or installation")
    keys = peers(str(body.get("from")))
    key = keys.key(str(body.get("key"))) if keys else None
    if key is None:
        raise UnknownSender("the request is not signed by a known peer key")
    if key.revoked_at is not None:
        raise RevokedKey("the request is signed with a revoked key")
    signature = unb64(body.get("signature"), "signature")
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    try:
        key.verify_key.verify(canonical(unsigned), signature)
    except nacl.exceptions.BadSignatureError as exc:
        raise BundleTampered("the request's signature does not verify") from exc
    at = parse_iso(body.get("at"), "request time")
    if abs((now or dt.datetime.now(dt.UTC)) - at) > window:
        raise BundleFromFuture("the request's time is too far from ours: check both clocks")
    items = body.get("items")
    if not isinstance(items, list):
        raise BundleMalformed("the request's items are not a list")
    return body

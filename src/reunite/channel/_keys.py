"""Installation identity: key pairs, the key store on disk, public cards and fingerprints.

Each installation has one identity: an installation id (``UA-NIB``), a display name and a
history of key pairs. Each key pair is an Ed25519 signing key and an X25519 encryption key,
named by a key id. The newest unrevoked pair is *current*; older pairs are kept so that
bundles they signed stay verifiable and bundles encrypted to them stay readable.

Private keys are written to ``identity.json`` in the key directory, each encrypted with
XSalsa20-Poly1305 under a key derived from a passphrase (Argon2id) or read from a key file
(32 random bytes). The directory is created with mode 0700 and the files with 0600; loading
refuses files that other users can read, as ssh does.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.signing
from nacl.public import PrivateKey, PublicKey

from reunite.channel._canonical import b64, canonical, unb64
from reunite.channel.exceptions import BundleMalformed, BundleTampered, KeyStoreError

IDENTITY_FILE = "identity.json"
IDENTITY_FORMAT = "reunite-identity/1"
CARD_FORMAT = "reunite-peer/1"
KEY_FILE_BYTES = nacl.secret.SecretBox.KEY_SIZE
# Argon2id "interactive" limits: about 64 MiB and well under a second; the passphrase is
# needed once per process start, and the key directory is already private to one account.
_KDF_OPS = nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE
_KDF_MEM = nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: Any, what: str) -> dt.datetime:
    if not isinstance(text, str):
        raise BundleMalformed(f"{what} is missing")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BundleMalformed(f"{what} is not a date and time: {text!r}") from exc
    if moment.tzinfo is None:
        raise BundleMalformed(f"{what} has no time zone")
    return moment


def key_id_for(sign_public: bytes, encrypt_public: bytes) -> str:
    """A short, stable name for one key pair (16 hex digits of its SHA-256)."""
    return hashlib.sha256(sign_public + encrypt_public).hexdigest()[:16]


def fingerprint_of(installation_id: str, sign_public: bytes, encrypt_public: bytes) -> str:
    """Five groups of four letters/digits (100 bits) to read aloud and compare out of band."""
    digest = hashlib.sha256(
        b"reunite-fingerprint/1\n" + installation_id.encode() + b"\n" + sign_public + encrypt_public
    ).digest()
    text = base64.b32encode(digest).decode("ascii")[:20]
    return "-".join(text[i : i + 4] for i in range(0, 20, 4))


@dataclass(frozen=True)
class PublicKeyPair:
    """The public half of one key pair, as peers know it."""

    key_id: str
    sign_public: bytes
    encrypt_public: bytes
    created: dt.datetime
    revoked_at: dt.datetime | None = None
    # Bundles signed with this key and a sequence number above this one are refused.
    revoked_after_seq: int | None = None

    @property
    def verify_key(self) -> nacl.signing.VerifyKey:
        return nacl.signing.VerifyKey(self.sign_public)

    def as_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "sign_public": b64(self.sign_public),
            "encrypt_public": b64(self.encrypt_public),
            "created": iso(self.created),
            "revoked_at": iso(self.revoked_at) if self.revoked_at else None,
            "revoked_after_seq": self.revoked_after_seq,
        }

    @classmethod
    def from_json(cls, data: Any) -> PublicKeyPair:
        if not isinstance(data, dict):
            raise BundleMalformed("a key entry is not an object")
        sign_public = unb64(data.get("sign_public"), "sign_public")
        encrypt_public = unb64(data.get("encrypt_public"), "encrypt_public")
        if len(sign_public) != 32 or len(encrypt_public) != 32:
            raise BundleMalformed("a public key does not have 32 bytes")
        key_id = key_id_for(sign_public, encrypt_public)
        if data.get("key_id") != key_id:
            raise BundleMalformed("a key id does not match its keys")
        revoked_seq = data.get("revoked_after_seq")
        if revoked_seq is not None and not isinstance(revoked_seq, int):
            raise BundleMalformed("revoked_after_seq is not a number")
        revoked_at = data.get("revoked_at")
        return cls(
            key_id=key_id,
            sign_public=sign_public,
            encrypt_public=encrypt_public,
            created=parse_iso(data.get("created"), "key creation time"),
            revoked_at=parse_iso(revoked_at, "revocation time") if revoked_at else None,
            revoked_after_seq=revoked_seq,
        )


@dataclass(frozen=True)
class PeerKeys:
    """What an installation knows of another one (or publishes of itself): its public card."""

    installation_id: str
    name: str
    keys: tuple[PublicKeyPair, ...]
    url: str = ""

    @property
    def current(self) -> PublicKeyPair:
        live = [k for k in self.keys if k.revoked_at is None]
        if not live:
            raise KeyStoreError(f"{self.installation_id} has no key that is not revoked")
        return max(live, key=lambda k: k.created)

    @property
    def fingerprint(self) -> str:
        key = self.current
        return fingerprint_of(self.installation_id, key.sign_public, key.encrypt_public)

    def key(self, key_id: str) -> PublicKeyPair | None:
        return next((k for k in self.keys if k.key_id == key_id), None)

    def card_body(self) -> dict[str, Any]:
        return {
            "format": CARD_FORMAT,
            "installation_id": self.installation_id,
            "name": self.name,
            "url": self.url,
            "keys": [k.as_json() for k in self.keys],
        }

    def merged_with(self, newer: PeerKeys) -> PeerKeys:
        """Keys of both cards (revocations win), with the newer card's name and address."""
        by_id = {k.key_id: k for k in self.keys}
        for key in newer.keys:
            old = by_id.get(key.key_id)
            if old is None or (key.revoked_at and not old.revoked_at):
                by_id[key.key_id] = key
        keys = tuple(sorted(by_id.values(), key=lambda k: k.created))
        return replace(self, name=newer.name, url=newer.url or self.url, keys=keys)


@dataclass(frozen=True)
class SignedCard:
    """A public card with signatures by some of its own keys (``key_id -> signature``)."""

    peer: PeerKeys
    signatures: dict[str, bytes] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        body = self.peer.card_body()
        body["signatures"] = {k: b64(v) for k, v in sorted(self.signatures.items())}
        return json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"

    def signed_by(self) -> list[str]:
        """Key ids whose signature over the card is valid."""
        message = canonical(self.peer.card_body())
        valid = []
        for key_id, signature in self.signatures.items():
            key = self.peer.key(key_id)
            if key is None:
                continue
            try:
                key.verify_key.verify(message, signature)
            except nacl.exceptions.BadSignatureError:
                continue
            valid.append(key_id)
        return valid

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedCard:
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BundleMalformed("not a peer card (not JSON)") from exc
        if not isinstance(body, dict) or body.get("format") != CARD_FORMAT:
            raise BundleMalformed(f"not a peer card (format should be {CARD_FORMAT})")
        installation_id = body.get("installation_id")
        if not isinstance(installation_id, str) or not installation_id.strip():
            raise BundleMalformed("the card has no installation id")
        keys = body.get("keys")
        if not isinstance(keys, list) or not keys:
            raise BundleMalformed("the card has no keys")
        raw_signatures = body.get("signatures") or {}
        if not isinstance(raw_signatures, dict):
            raise BundleMalformed("the card's signatures are not an object")
        peer = PeerKeys(
            installation_id=installation_id,
            name=str(body.get("name") or installation_id),
            url=str(body.get("url") or ""),
            keys=tuple(PublicKeyPair.from_json(k) for k in keys),
        )
        signatures = {str(k): unb64(v, "card signature") for k, v in raw_signatures.items()}
        card = cls(peer=peer, signatures=signatures)
        if not card.signed_by():
            raise BundleTampered("the card is not signed by any of its own keys")
        return card


@dataclass(frozen=True)
class KeyPair:
    """A private key pair (never leaves the installation) and its public half."""

    public: PublicKeyPair
    signing_key: nacl.signing.SigningKey
    private_key: PrivateKey

    @classmethod
    def generate(cls, now: dt.datetime | None = None) -> KeyPair:
        signing_key = nacl.signing.SigningKey.generate()
        private_key = PrivateKey.generate()
        sign_public = bytes(signing_key.verify_key)
        encrypt_public = bytes(private_key.public_key)
        public = PublicKeyPair(
            key_id=key_id_for(sign_public, encrypt_public),
            sign_public=sign_public,
            encrypt_public=encrypt_public,
            created=now or _now(),
        )
        return cls(public=public, signing_key=signing_key, private_key=private_key)

    def sign(self, message: bytes) -> bytes:
        return self.signing_key.sign(message).signature

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(self.public.encrypt_public)


@dataclass(frozen=True)
class Identity:
    """This installation: its id, name, address and every key pair it has had."""

    installation_id: str
    name: str
    keys: tuple[KeyPair, ...]
    url: str = ""

    @property
    def current(self) -> KeyPair:
        live = [k for k in self.keys if k.public.revoked_at is None]
        if not live:
            raise KeyStoreError("every key of this installation is revoked: run `peers rotate`")
        return max(live, key=lambda k: k.public.created)

    def key(self, key_id: str) -> KeyPair | None:
        return next((k for k in self.keys if k.public.key_id == key_id), None)

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint

    @property
    def public(self) -> PeerKeys:
        return PeerKeys(
            installation_id=self.installation_id,
            name=self.name,
            url=self.url,
            keys=tuple(k.public for k in sorted(self.keys, key=lambda k: k.public.created)),
        )

    def card(self) -> SignedCard:
        """The public card, signed by every key that is not revoked (that endorses a rotation)."""
        message = canonical(self.public.card_body())
        signatures = {
            k.public.key_id: k.sign(message) for k in self.keys if k.public.revoked_at is None
        }
        return SignedCard(peer=self.public, signatures=signatures)

    def sign(self, message: bytes) -> tuple[str, bytes]:
        """Sign with the current key: returns (key id, signature). For audit checkpoints etc."""
        key = self.current
        return key.public.key_id, key.sign(message)


# ---- the key store on disk ---------------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    """How private keys are locked: a passphrase (Argon2id) or a 32-byte key file."""

    passphrase: bytes | None = None
    key_file: Path | None = None

    def __post_init__(self) -> None:
        if (self.passphrase is None) == (self.key_file is None):
            raise KeyStoreError("give either a passphrase or a key file, not both or neither")
        if self.passphrase is not None and len(self.passphrase) < 12:
            raise KeyStoreError("the key passphrase must have at least 12 characters")

    def box(self, lock: dict[str, Any]) -> nacl.secret.SecretBox:
        if self.key_file is not None:
            if lock.get("kdf") != "keyfile":
                raise KeyStoreError("these keys are locked with a passphrase, not a key file")
            _check_private(self.key_file)
            key = self.key_file.read_bytes()
            if len(key) != KEY_FILE_BYTES:
                raise KeyStoreError(
                    f"the key file {self.key_file} must hold exactly {KEY_FILE_BYTES} bytes"
                )
            return nacl.secret.SecretBox(key)
        if lock.get("kdf") != "argon2id":
            raise KeyStoreError("these keys are locked with a key file, not a passphrase")
        assert self.passphrase is not None
        key = nacl.pwhash.argon2id.kdf(
            KEY_FILE_BYTES,
            self.passphrase,
            unb64(lock.get("salt"), "salt"),
            opslimit=int(lock.get("opslimit", _KDF_OPS)),
            memlimit=int(lock.get("memlimit", _KDF_MEM)),
        )
        return nacl.secret.SecretBox(key)

    def new_lock(self) -> dict[str, Any]:
        if self.key_file is not None:
            return {"kdf": "keyfile"}
        return {
            "kdf": "argon2id",
            "salt": b64(secrets.token_bytes(nacl.pwhash.argon2id.SALTBYTES)),
            "opslimit": _KDF_OPS,
            "memlimit": _KDF_MEM,
        }


def create_key_file(path: Path) -> None:
    """Write a new random key file with mode 0600 (refuses to overwrite one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(KEY_FILE_BYTES))


def _check_private(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise KeyStoreError(f"{path} does not exist") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyStoreError(
            f"{path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"run `chmod 600 {path}` (or 700 for a directory)"
        )


class KeyStore:
    """The key directory: ``identity.json`` with the private keys locked by ``secret``."""

    def __init__(self, directory: Path | str, secret: Secret) -> None:
        self.directory = Path(directory)
        self.secret = secret
        self.path = self.directory / IDENTITY_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, installation_id: str, name: str, url: str = "") -> Identity:
        """A new identity with one key pair; refuses to replace an existing one."""
        installation_id = installation_id.strip()
        if not installation_id or any(c.isspace() or c == "/" for c in installation_id):
            raise KeyStoreError("an installation id is one word without spaces or slashes")
        if self.exists():
            raise KeyStoreError(f"{self.path} already exists: this installation has keys")
        identity = Identity(installation_id, name or installation_id, (KeyPair.generate(),), url)
        self.save(identity)
        return identity

    def load(self) -> Identity:
        if not self.directory.is_dir():
            raise KeyStoreError(
                f"no key directory at {self.directory}: run `reunite peers init` first"
            )
        _check_private(self.directory)
        _check_private(self.path)
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise KeyStoreError(f"{self.path} cannot be read: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != IDENTITY_FORMAT:
            raise KeyStoreError(f"{self.path} is not a Reunite identity file")
        box = self.secret.box(data.get("lock") or {})
        keys = []
        for entry in data.get("keys") or []:
            try:
                private = json.loads(box.decrypt(unb64(entry.get("private"), "private key")))
            except nacl.exceptions.CryptoError as exc:
                raise KeyStoreError("wrong passphrase or key file for these keys") from exc
            signing_key = nacl.signing.SigningKey(unb64(private["sign"], "signing key"))
            private_key = PrivateKey(unb64(private["encrypt"], "encryption key"))
            public = PublicKeyPair.from_json(entry["public"])
            if bytes(signing_key.verify_key) != public.sign_public:
                raise KeyStoreError(f"{self.path}: a private key does not match its public key")
            keys.append(KeyPair(public=public, signing_key=signing_key, private_key=private_key))
        if not keys:
            raise KeyStoreError(f"{self.path} holds no keys")
        return Identity(
            installation_id=str(data["installation_id"]),
            name=str(data.get("name") or data["installation_id"]),
            url=str(data.get("url") or ""),
            keys=tuple(keys),
        )

    def save(self, identity: Identity) -> None:
        """Write atomically (temporary file, fsync, rename), mode 0600 in a 0700 directory."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.directory, 0o700)
        lock = self.secret.new_lock()
        box = self.secret.box(lock)
        entries = []
        for key in identity.keys:
            private = json.dumps(
                {"sign": b64(bytes(key.signing_key)), "encrypt": b64(bytes(key.private_key))}
            ).encode()
            entries.append({"public": key.public.as_json(), "private": b64(box.encrypt(private))})
        data = {
            "format": IDENTITY_FORMAT,
            "installation_id": identity.installation_id,
            "name": identity.name,
            "url": identity.url,
            "lock": lock,
            "keys": entries,
        }
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".identity-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def rotate(self) -> Identity:
        """Add a new current key pair; older ones stay for verifying and reading old bundles."""
        identity = self.load()
        updated = replace(identity, keys=(*identity.keys, KeyPair.generate()))
        self.save(updated)
        return updated

    def revoke_current(self, last_valid_seq: int | None) -> Identity:
        """Revoke the current key (it may be compromised) and make a new one.

        Bundles signed with the revoked key after now, or with a sequence number above
        ``last_valid_seq`` (the last one this installation really sent), are refused by
        peers once they have the new card.
        """
        identity = self.load()
        old = identity.current
        revoked = replace(
            old,
            public=replace(old.public, revoked_at=_now(), revoked_after_seq=last_valid_seq),
        )
        keys = tuple(revoked if k is old else k for k in identity.keys)
        updated = replace(identity, keys=(*keys, KeyPair.generate()))
        self.save(updated)
        return updated

    def set_address(self, name: str | None = None, url: str | None = None) -> Identity:
        identity = self.load()
        updated = replace(
            identity,
            name=identity.name if name is None else name,
            url=identity.url if url is None else url,
        )
        self.save(updated)
        return updated


def revoke_peer_key(peer: PeerKeys, key_id: str, after_seq: int | None) -> PeerKeys:
    """Our own decision to stop accepting a peer's key (from now, above ``after_seq``)."""
    key = peer.key(key_id)
    if key is None:
        raise KeyStoreError(f"{peer.installation_id} has no key {key_id}")
    revoked = replace(key, revoked_at=_now(), revoked_after_seq=after_seq)
    return replace(peer, keys=tuple(revoked if k.key_id == key_id else k for k in peer.keys))


def live_keys(keys: Iterable[PublicKeyPair]) -> list[PublicKeyPair]:
    return [k for k in keys if k.revoked_at is None]

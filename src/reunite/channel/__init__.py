"""The direct channel's engine: installation keys, signed and encrypted bundles, receipts.

Plain Python (PyNaCl), no Django. The exchange app (:mod:`reunite.exchange`) stores peers
and bundles; this package only makes and checks them. See ``docs/channel.md``.

Key loading (the small API other parts use, e.g. to sign audit checkpoints)::

    from reunite.channel import KeyStore, Secret
    store = KeyStore("/etc/reunite/keys", Secret(key_file=Path("/etc/reunite/keys.secret")))
    identity = store.load()                  # raises KeyStoreError with a clear message
    key_id, signature = identity.sign(b"…")  # Ed25519 with the current key
    identity.public.key(key_id).verify_key.verify(b"…", signature)

In the Django shell use :func:`reunite.exchange.keys.load_identity`, which reads the
``REUNITE_KEY_DIR`` / ``REUNITE_KEY_FILE`` / ``REUNITE_KEY_PASSPHRASE`` settings.

Bundles::

    header, data = build_bundle(me, [peer_b], "list", {...}, seq=7)
    opened = open_bundle(data, me_b, peers.get, ledger)   # typed errors on any problem
"""

from reunite.channel._bundle import (
    BUNDLE_FORMAT,
    DEFAULT_CLOCK_SKEW,
    DEFAULT_MAX_BYTES,
    Header,
    Ledger,
    OpenedBundle,
    build_bundle,
    inspect_bundle,
    new_bundle_id,
    open_bundle,
)
from reunite.channel._canonical import canonical, sha256_hex
from reunite.channel._keys import (
    IDENTITY_FILE,
    KEY_FILE_BYTES,
    Identity,
    KeyPair,
    KeyStore,
    PeerKeys,
    PublicKeyPair,
    Secret,
    SignedCard,
    create_key_file,
    fingerprint_of,
    revoke_peer_key,
)
from reunite.channel._receipt import (
    DEFAULT_PARCEL_MAX_BYTES,
    RECEIPT_STATUSES,
    Parcel,
    Receipt,
    Statement,
    document_digest,
    make_receipt,
    read_parcel,
    sign_request,
    sign_statement,
    verify_receipt,
    verify_request,
    verify_statement,
)
from reunite.channel.exceptions import (
    BundleFromFuture,
    BundleMalformed,
    BundleReplayed,
    BundleTampered,
    BundleTooLarge,
    ChannelError,
    KeyStoreError,
    NotAddressedToUs,
    OutOfOrder,
    ReceiptInvalid,
    RevokedKey,
    SequenceReused,
    UnknownSender,
)

__all__ = [
    "BUNDLE_FORMAT",
    "DEFAULT_CLOCK_SKEW",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_PARCEL_MAX_BYTES",
    "IDENTITY_FILE",
    "KEY_FILE_BYTES",
    "RECEIPT_STATUSES",
    "BundleFromFuture",
    "BundleMalformed",
    "BundleReplayed",
    "BundleTampered",
    "BundleTooLarge",
    "ChannelError",
    "Header",
    "Identity",
    "KeyPair",
    "KeyStore",
    "KeyStoreError",
    "Ledger",
    "NotAddressedToUs",
    "OpenedBundle",
    "OutOfOrder",
    "Parcel",
    "PeerKeys",
    "PublicKeyPair",
    "Receipt",
    "ReceiptInvalid",
    "RevokedKey",
    "Secret",
    "SequenceReused",
    "SignedCard",
    "Statement",
    "UnknownSender",
    "build_bundle",
    "canonical",
    "create_key_file",
    "document_digest",
    "fingerprint_of",
    "inspect_bundle",
    "make_receipt",
    "new_bundle_id",
    "open_bundle",
    "read_parcel",
    "revoke_peer_key",
    "sha256_hex",
    "sign_request",
    "sign_statement",
    "verify_receipt",
    "verify_request",
    "verify_statement",
]

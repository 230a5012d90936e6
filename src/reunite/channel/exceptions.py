"""Typed errors of the channel engine: each says what was wrong in words a person can act on."""

from __future__ import annotations


class ChannelError(Exception):
    """Base class: something about keys, bundles or receipts is not acceptable."""

    #: Short machine-readable reason, recorded in the audit log when a bundle is refused.
    reason = "channel_error"
    #: Whether trying again later can succeed (e.g. an earlier bundle has not arrived yet).
    retryable = False


class KeyStoreError(ChannelError):
    """The key directory is missing, unreadable, too open, or the passphrase is wrong."""

    reason = "key_store"


class BundleMalformed(ChannelError):
    """Not a bundle, or a truncated or garbled one."""

    reason = "malformed"


class BundleTooLarge(ChannelError):
    """Larger than the size limit; refused before it is parsed."""

    reason = "oversized"


class BundleTampered(ChannelError):
    """The signature or the encryption's authentication does not match the content."""

    reason = "tampered"


class UnknownSender(ChannelError):
    """The sender (or the key it signed with) is not among the known peers."""

    reason = "unknown_sender"


class RevokedKey(ChannelError):
    """Signed with a key that was revoked before the bundle was made."""

    reason = "revoked_key"


class NotAddressedToUs(ChannelError):
    """This installation is not among the bundle's recipients."""

    reason = "misaddressed"


class BundleReplayed(ChannelError):
    """This bundle (its id) was accepted before."""

    reason = "replayed"


class SequenceReused(ChannelError):
    """Another bundle from the same sender already carried this sequence number."""

    reason = "sequence_reused"


class OutOfOrder(ChannelError):
    """The bundle depends on an earlier one from its sender that has not been accepted yet."""

    reason = "out_of_order"
    retryable = True


class BundleFromFuture(ChannelError):
    """The creation time is further in the future than the allowed clock difference."""

    reason = "from_future"
    retryable = True


class ReceiptInvalid(ChannelError):
    """A receipt that is garbled, unsigned, or signed by someone who did not receive the bundle."""

    reason = "receipt_invalid"

"""Errors of the PPRL engine. Every message names the file and says what to do."""

from __future__ import annotations


class PPRLError(Exception):
    """Base class of every error raised by :mod:`reunite.pprl`."""


class SecretError(PPRLError):
    """The shared secret file is missing, unreadable or too short."""


class EncodingFileError(PPRLError):
    """An encoded file is not one: bad magic, truncated, wrong length, checksum mismatch."""


class IncompatibleEncodingsError(PPRLError):
    """Two encodings cannot be compared: other secret, schema version, field set or length."""


class RefusedError(PPRLError):
    """The mediator refused a request (self-link, repeated link, rate limit)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class DisclosureError(PPRLError):
    """A disclosure (reveal) file does not belong to these pairs or this side."""

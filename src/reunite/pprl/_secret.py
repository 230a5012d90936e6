"""The secret shared by the two parties (never by the mediator) and what is derived from it.

The secret keys every hash: without it nobody can compute the bit positions of a name,
so the mediator cannot encode guesses and compare. Only a *fingerprint* (an HMAC of a
fixed label) travels with the encodings, so the mediator can tell that two files were made
with the same secret without learning it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from reunite.pprl.exceptions import SecretError

MIN_SECRET_BYTES = 16
_LABEL = b"reunite-pprl/v1/"


@dataclass(frozen=True, slots=True)
class Secret:
    """Key material. ``repr`` never shows it."""

    value: bytes

    def __post_init__(self) -> None:
        if len(self.value) < MIN_SECRET_BYTES:
            raise SecretError(
                f"the secret is {len(self.value)} bytes; at least {MIN_SECRET_BYTES} random "
                "bytes are needed (make one with `reunite pprl secret`)"
            )

    def __repr__(self) -> str:
        return f"Secret(fingerprint={self.fingerprint})"

    def derive(self, purpose: str) -> bytes:
        return hmac.new(self.value, _LABEL + purpose.encode(), hashlib.sha256).digest()

    @property
    def fingerprint(self) -> str:
        """32 hex characters that identify the secret without revealing it."""
        return self.derive("fingerprint").hex()[:32]

    @classmethod
    def from_file(cls, path: str | Path) -> Secret:
        p = Path(path)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise SecretError(f"{p}: no such secret file") from None
        except IsADirectoryError:
            raise SecretError(f"{p} is a directory, not a secret file") from None
        except OSError as exc:
            raise SecretError(f"cannot read the secret file {p}: {exc.strerror or exc}") from None
        text = raw.strip()
        # A hex secret written by `reunite pprl secret` is read as its bytes.
        try:
            value = bytes.fromhex(text.decode("ascii")) if text else b""
        except (UnicodeDecodeError, ValueError):
            value = text  # a passphrase or raw random bytes, without surrounding whitespace
        try:
            return cls(value)
        except SecretError as exc:
            raise SecretError(f"{p}: {exc}") from None

    @classmethod
    def generate(cls) -> Secret:
        return cls(secrets.token_bytes(32))

    def write(self, path: str | Path) -> None:
        """Write as hex, readable only by the owner, atomically."""
        p = Path(path)
        tmp = p.with_name(f".{p.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(self.value.hex() + "\n")
        os.replace(tmp, p)

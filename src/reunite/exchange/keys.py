"""This installation's identity, loaded once per process from the key directory.

Where the keys are (settings, from the environment; see docs/channel.md):

- ``REUNITE_KEY_DIR``: ``identity.json`` with the private keys, encrypted (0700 directory,
  0600 file). Default ``var/keys``.
- ``REUNITE_KEY_PASSPHRASE`` (environment only): unlocks the keys with Argon2id; or else
- ``REUNITE_KEY_FILE``: 32 random bytes (0600) that unlock them. Default ``var/channel.secret``.
"""

from __future__ import annotations

import os
import threading

from django.conf import settings

from reunite.channel import Identity, KeyStore, KeyStoreError, Secret, create_key_file

_lock = threading.Lock()
_cached: Identity | None = None


def secret(create: bool = False) -> Secret:
    passphrase = os.environ.get("REUNITE_KEY_PASSPHRASE")
    if passphrase:
        return Secret(passphrase=passphrase.encode("utf-8"))
    key_file = settings.REUNITE_KEY_FILE
    if create and not key_file.exists():
        create_key_file(key_file)
    return Secret(key_file=key_file)


def key_store(create: bool = False) -> KeyStore:
    return KeyStore(settings.REUNITE_KEY_DIR, secret(create=create))


def has_identity() -> bool:
    return KeyStore(settings.REUNITE_KEY_DIR, Secret(passphrase=b"x" * 12)).exists()


def load_identity() -> Identity:
    """The installation's identity (cached); raises :class:`KeyStoreError` with a clear message."""
    global _cached
    with _lock:
        if _cached is None:
            if not has_identity():
                raise KeyStoreError(
                    f"this installation has no keys in {settings.REUNITE_KEY_DIR}: "
                    "run `reunite peers init`"
                )
            _cached = key_store().load()
        return _cached


def forget_identity() -> None:
    """Drop the cached identity (after init, rotate or revoke)."""
    global _cached
    with _lock:
        _cached = None

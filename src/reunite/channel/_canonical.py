"""Canonical JSON (sorted keys, no spaces, UTF-8) and base64 helpers shared by bundles and keys."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from reunite.channel.exceptions import BundleMalformed


def canonical(value: Any) -> bytes:
    """The one byte string a JSON value is signed as: the same on every installation."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise BundleMalformed(f"{what} is missing or not text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise BundleMalformed(f"{what} is not valid base64") from exc


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

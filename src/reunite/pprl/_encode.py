"""Records -> keyed Bloom filter encodings (one filter per record, all fields in it).

Positions come from *random hashing*: for every (field, token) an HMAC-SHA256 under a key
derived from the secret yields the token's ``hashes`` positions directly, independent of
each other. This avoids the double-hashing structure that the attacks of Niedermeyer et
al. (2014) exploit, and the field name in the HMAC input salts each field, so the same
value in two fields (a mother's and a child's given name) sets different bits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reunite.pprl._schema import DEFAULT_SCHEMA, EncodingSchema
from reunite.pprl._secret import Secret
from reunite.pprl._tokens import TokenBuilder, Tokens

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Encoding:
    """Encoded records of one party: pseudonyms and packed filters (n × output_bits/8).

    ``ids`` are random pseudonyms, never the party's record ids: the mapping stays with the
    party (``record_ids``; not written into the encoded file).
    """

    schema: EncodingSchema
    secret_fingerprint: str
    ids: tuple[str, ...]
    filters: np.ndarray
    record_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.filters.dtype != np.uint8 or self.filters.ndim != 2:
            raise ValueError("filters must be a 2-D uint8 array")
        if self.filters.shape != (len(self.ids), self.schema.output_bits // 8):
            raise ValueError("filters do not match the ids or the schema length")

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def popcounts(self) -> np.ndarray:
        return np.unpackbits(self.filters, axis=1).sum(axis=1)


class _Hasher:
    """Bit positions per (field, token), memoised: tokens repeat across records."""

    def __init__(self, secret: Secret, schema: EncodingSchema) -> None:
        self._key = secret.derive(f"positions/{schema.version}/{schema.bits}")
        self._mask = schema.bits - 1
        self._hashes = {f.name: f.hashes for f in schema.fields}
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def positions(self, field_name: str, token: str) -> np.ndarray:
        key = (field_name, token)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        k = self._hashes[field_name]
        msg = f"{field_name}\x1f{token}".encode()
        stream = b""
        counter = 0
        while len(stream) < 2 * k:
            stream += hmac.new(self._key, msg + counter.to_bytes(4, "big"),
                               hashlib.sha256).digest()
            counter += 1
        pos = (np.frombuffer(stream[: 2 * k], dtype=">u2").astype(np.int64) & self._mask)
        self._cache[key] = pos
        return pos


def _harden(bits: np.ndarray, schema: EncodingSchema, secret: Secret,
            token_digests: Sequence[bytes]) -> np.ndarray:
    """Apply the schema's hardening to unpacked filters (n × bits, bool)."""
    hard = schema.hardening
    if hard.flip_probability > 0:
        # Permanent randomised response, keyed per record: the same record always gets the
        # same flips (re-encoding cannot average the noise away).
        key = secret.derive("flips")
        for i, digest in enumerate(token_digests):
            seed = int.from_bytes(hmac.new(key, digest, hashlib.sha256).digest()[:8], "big")
            rng = np.random.default_rng(seed)
            flip = rng.random(bits.shape[1]) < hard.flip_probability
            value = rng.random(bits.shape[1]) < 0.5
            bits[i] = np.where(flip, value, bits[i])
    if hard.xor_fold:
        half = bits.shape[1] // 2
        bits = bits[:, :half] ^ bits[:, half:]
    if hard.balanced:
        rng = np.random.default_rng(int.from_bytes(secret.derive("balance")[:8], "big"))
        perm = rng.permutation(bits.shape[1] * 2)
        bits = np.concatenate([bits, ~bits], axis=1)[:, perm]
    return bits


def encode_tokens(
    token_lists: Sequence[Tokens],
    secret: Secret,
    schema: EncodingSchema = DEFAULT_SCHEMA,
    record_ids: Sequence[str] | None = None,
    *,
    progress: Progress | None = None,
    shuffle: bool = True,
) -> Encoding:
    """Encode already tokenised records (see :class:`TokenBuilder`)."""
    n = len(token_lists)
    rids = list(record_ids) if record_ids is not None else [str(i) for i in range(n)]
    if len(rids) != n:
        raise ValueError("record_ids and records differ in length")
    hasher = _Hasher(secret, schema)
    fields = [f.name for f in schema.fields if f.hashes > 0]
    bits = np.zeros((n, schema.bits), dtype=bool)
    digests: list[bytes] = []
    step = max(1, n // 200)
    for i, toks in enumerate(token_lists):
        parts = [hasher.positions(f, t) for f in fields for t in toks.get(f, ())]
        if parts:
            bits[i, np.concatenate(parts)] = True
        if schema.hardening.flip_probability > 0:
            digests.append(hashlib.sha256(repr(sorted(toks.items())).encode()).digest())
        if progress is not None and (i % step == 0 or i == n - 1):
            progress(i + 1, n)
    bits = _harden(bits, schema, secret, digests)
    # Random pseudonyms and a random order: neither the ids nor the order of the file
    # (an alphabetical list!) may tell the mediator anything.
    order = np.random.default_rng(secrets.randbits(64)).permutation(n) if shuffle \
        else np.arange(n)
    pseudonyms = tuple(secrets.token_hex(10) for _ in range(n))
    return Encoding(
        schema=schema,
        secret_fingerprint=secret.fingerprint,
        ids=pseudonyms,
        filters=np.packbits(bits[order], axis=1),
        record_ids=tuple(rids[j] for j in order),
    )


def encode(
    records: Iterable[Any],
    secret: Secret,
    schema: EncodingSchema = DEFAULT_SCHEMA,
    *,
    builder: TokenBuilder | None = None,
    progress: Progress | None = None,
) -> Encoding:
    """Encode ``InterchangeRecord``s (or alike) under ``secret``.

    The result holds random pseudonyms in ``ids`` and, position by position, the party's
    own ``record_ids`` (kept locally, see :func:`write_id_map`).
    """
    recs = list(records)
    b = builder or TokenBuilder()
    n = len(recs)
    step = max(1, n // 200)
    token_lists: list[Tokens] = []
    for i, r in enumerate(recs):
        token_lists.append(b.tokens(r))
        if progress is not None and (i % step == 0 or i == n - 1):
            progress(i + 1, n)
    return encode_tokens(token_lists, secret, schema, [r.record_id for r in recs])

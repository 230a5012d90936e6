"""The files of the protocol, each a self-checking payload that a channel can carry as is.

* encoding (party -> mediator): magic line, JSON header (format and schema version,
  secret fingerprint, field set, record count, lengths, SHA-256 of the payload), then the
  pseudonyms and packed filters;
* id map (stays with the party): pseudonym -> own record id, CSV;
* pairs (mediator -> both parties): JSON with both lists' digests and the candidate pairs;
* disclosure (party -> other party): JSON with the details one side chooses to reveal for
  its records in candidate pairs.

Every write is atomic (temporary file + rename); every read checks everything it can and
raises with a message that names the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

from reunite.pprl._encode import Encoding
from reunite.pprl._link import Pair
from reunite.pprl._schema import SCHEMA_VERSION, EncodingSchema
from reunite.pprl.exceptions import DisclosureError, EncodingFileError

MAGIC = b"REUNITE-PPRL-ENCODING\n"
FORMAT_VERSION = 1
ID_BYTES = 10
_MAX_HEADER = 1 << 20
PAIRS_FORMAT = "reunite-pprl-pairs"
DISCLOSURE_FORMAT = "reunite-pprl-disclosure"


@contextmanager
def atomic_writer(path: Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and rename it into place on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- encodings ----------------------------------------------------------------------------
def _payload(enc: Encoding) -> bytes:
    ids = b"".join(bytes.fromhex(i) for i in enc.ids)
    return ids + np.ascontiguousarray(enc.filters).tobytes()


def list_digest(enc: Encoding) -> str:
    """Order-independent digest of a list's filters: the same list shuffled or under new
    pseudonyms has the same digest (the mediator's repeat check)."""
    rows = sorted(hashlib.sha256(r.tobytes()).digest() for r in enc.filters)
    return hashlib.sha256(b"".join(rows)).hexdigest()


def encoding_header(enc: Encoding) -> dict[str, Any]:
    payload = _payload(enc)
    return {
        "format": "reunite-pprl-encoding",
        "format_version": FORMAT_VERSION,
        "schema_version": enc.schema.version,
        "schema": enc.schema.as_dict(),
        "schema_digest": enc.schema.digest(),
        "secret_fingerprint": enc.secret_fingerprint,
        "fields": list(enc.schema.field_names),
        "record_count": len(enc),
        "id_bytes": ID_BYTES,
        "filter_bytes": enc.schema.output_bits // 8,
        "payload_bytes": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "created": dt.date.today().isoformat(),
    }


def write_encoding(path: str | Path, enc: Encoding) -> None:
    """Write ``enc`` (without the party's record ids) atomically."""
    header = json.dumps(encoding_header(enc), sort_keys=True).encode()
    with atomic_writer(Path(path)) as fh:
        fh.write(MAGIC)
        fh.write(len(header).to_bytes(8, "big"))
        fh.write(header)
        fh.write(_payload(enc))


def read_encoding(path: str | Path) -> Encoding:
    """Read and check an encoded file; :class:`EncodingFileError` says what is wrong."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise EncodingFileError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise EncodingFileError(f"{p} is a directory, not an encoded file") from None
    except OSError as exc:
        raise EncodingFileError(f"cannot read {p}: {exc.strerror or exc}") from None
    if not raw.startswith(MAGIC):
        if MAGIC.startswith(raw):
            raise EncodingFileError(f"{p} is truncated: it ends inside the file header")
        raise EncodingFileError(
            f"{p} is not a Reunite PPRL encoding (made with `reunite pprl encode`)")
    pos = len(MAGIC)
    if len(raw) < pos + 8:
        raise EncodingFileError(f"{p} is truncated: it ends inside the file header")
    hlen = int.from_bytes(raw[pos:pos + 8], "big")
    pos += 8
    if hlen > _MAX_HEADER:
        raise EncodingFileError(f"{p} is damaged: its header claims {hlen:,} bytes")
    if len(raw) < pos + hlen:
        raise EncodingFileError(f"{p} is truncated: it ends inside the file header")
    try:
        header = json.loads(raw[pos:pos + hlen])
        if not isinstance(header, dict):
            raise ValueError("not an object")
    except ValueError:
        raise EncodingFileError(f"{p} is damaged: its header is not valid JSON") from None
    pos += hlen
    if header.get("format") != "reunite-pprl-encoding":
        raise EncodingFileError(f"{p} is not a Reunite PPRL encoding")
    if header.get("format_version") != FORMAT_VERSION:
        raise EncodingFileError(
            f"{p} has file format version {header.get('format_version')}; this Reunite reads "
            f"version {FORMAT_VERSION}: encode again with the same Reunite version")
    if header.get("schema_version") != SCHEMA_VERSION:
        raise EncodingFileError(
            f"{p} was encoded with schema version {header.get('schema_version')}; this Reunite "
            f"uses version {SCHEMA_VERSION}: both parties must encode with the same version")
    try:
        schema = EncodingSchema.from_dict(header["schema"])
        n = int(header["record_count"])
        fb = int(header["filter_bytes"])
        expected = int(header["payload_bytes"])
        fingerprint = str(header["secret_fingerprint"])
        checksum = str(header["payload_sha256"])
        fields = list(header["fields"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EncodingFileError(f"{p} is damaged: its header is incomplete ({exc})") from None
    if fields != list(schema.field_names) or schema.digest() != header.get("schema_digest"):
        raise EncodingFileError(f"{p} is damaged: its field list does not match its schema")
    if n < 0 or fb != schema.output_bits // 8 or expected != n * (ID_BYTES + fb):
        raise EncodingFileError(
            f"{p} is damaged: {n:,} records of {fb} bytes do not fit its schema")
    body = raw[pos:]
    if len(body) < expected:
        raise EncodingFileError(
            f"{p} is truncated: {len(body):,} of {expected:,} bytes of records are there "
            "(copy the file again)")
    if len(body) > expected:
        raise EncodingFileError(
            f"{p} has the wrong length: {len(body) - expected:,} bytes more than its "
            f"{n:,} records")
    if hashlib.sha256(body).hexdigest() != checksum:
        raise EncodingFileError(f"{p} is damaged or was altered: its checksum does not match")
    id_block = body[: n * ID_BYTES]
    ids = tuple(id_block[i * ID_BYTES:(i + 1) * ID_BYTES].hex() for i in range(n))
    if len(set(ids)) != n:
        raise EncodingFileError(f"{p} is damaged: a pseudonym appears twice")
    filters = np.frombuffer(body[n * ID_BYTES:], dtype=np.uint8).reshape(n, fb).copy()
    return Encoding(schema=schema, secret_fingerprint=fingerprint, ids=ids, filters=filters)


# -- id map (the party's own) ---------------------------------------------------------------
def write_id_map(path: str | Path, enc: Encoding) -> None:
    with atomic_writer(Path(path), "w") as fh:
        w = csv.writer(fh)
        w.writerow(["pseudonym", "record_id"])
        w.writerows(zip(enc.ids, enc.record_ids, strict=True))


def read_id_map(path: str | Path) -> dict[str, str]:
    p = Path(path)
    try:
        with p.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            if next(reader, None) != ["pseudonym", "record_id"]:
                raise DisclosureError(f"{p} is not an id map written by `reunite pprl encode`")
            return {row[0]: row[1] for row in reader if len(row) == 2}
    except FileNotFoundError:
        raise DisclosureError(f"{p}: no such file") from None
    except OSError as exc:
        raise DisclosureError(f"cannot read {p}: {exc.strerror or exc}") from None


# -- pairs ----------------------------------------------------------------------------------
def pairs_document(pairs: list[Pair], a: Encoding, b: Encoding, *, threshold: float,
                   top_k: int, margin: float | None) -> dict[str, Any]:
    return {
        "format": PAIRS_FORMAT,
        "format_version": FORMAT_VERSION,
        "secret_fingerprint": a.secret_fingerprint,
        "schema_digest": a.schema.digest(),
        "a": {"records": len(a), "list_digest": list_digest(a)},
        "b": {"records": len(b), "list_digest": list_digest(b)},
        "threshold": threshold,
        "top_k": top_k,
        "margin": margin,
        "pairs": [[p.a_id, p.b_id, p.score, p.rank] for p in pairs],
    }


def pairs_digest(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc["pairs"], separators=(",", ":")).encode()).hexdigest()


def write_json(path: str | Path, doc: dict[str, Any]) -> None:
    with atomic_writer(Path(path), "w") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def read_pairs(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DisclosureError(f"{p}: no such file") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise DisclosureError(f"{p} is not a pairs file written by `reunite pprl link`") \
            from None
    if not isinstance(doc, dict) or doc.get("format") != PAIRS_FORMAT \
            or not isinstance(doc.get("pairs"), list):
        raise DisclosureError(f"{p} is not a pairs file written by `reunite pprl link`")
    for row in doc["pairs"]:
        if not (isinstance(row, list) and len(row) == 4):
            raise DisclosureError(f"{p} is damaged: a pair is not [a, b, score, rank]")
    return doc

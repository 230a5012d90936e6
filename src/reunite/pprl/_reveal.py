"""Reveal: each party discloses chosen details of its own records in candidate pairs only.

A party reads the mediator's pairs, maps its pseudonyms back to its records (the id map
never left it) and writes a *disclosure* for the other party: for each of its records in a
pair at or above ``min_score``, the chosen columns and nothing else. The other party then
*reviews*: its own record beside what was disclosed, pair by pair. The disclosure names
the secret fingerprint and the digest of the pairs it answers, so it cannot be applied to
another linkage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reunite.pprl._files import DISCLOSURE_FORMAT, FORMAT_VERSION, pairs_digest
from reunite.pprl.exceptions import DisclosureError

#: Columns a party may disclose (interchange columns; never contacts or free notes).
REVEALABLE = ("surname", "given_name", "patronymic", "full_name", "other_names", "sex",
              "birth_date", "estimated_age", "birth_place", "separation_date",
              "separation_place", "mother_name", "father_name", "current_region")
DEFAULT_REVEAL = ("full_name", "surname", "given_name", "patronymic", "sex", "birth_date",
                  "birth_place")
SIDES = ("a", "b")


def _side_index(side: str) -> int:
    if side not in SIDES:
        raise DisclosureError(f"side must be 'a' or 'b', not {side!r}")
    return SIDES.index(side)


def make_disclosure(
    pairs_doc: Mapping[str, Any],
    side: str,
    id_map: Mapping[str, str],
    records: Mapping[str, Any],
    fields: Sequence[str] = DEFAULT_REVEAL,
    *,
    min_score: float = 0.0,
) -> dict[str, Any]:
    """The disclosure of ``side`` ("a" or "b") for the pairs in ``pairs_doc``.

    ``id_map``: pseudonym -> own record id; ``records``: record id -> InterchangeRecord.
    """
    idx = _side_index(side)
    bad = [f for f in fields if f not in REVEALABLE]
    if bad:
        raise DisclosureError(
            f"cannot reveal {', '.join(bad)}; choose from {', '.join(REVEALABLE)}")
    if not fields:
        raise DisclosureError("choose at least one field to reveal")
    mine = {row[idx] for row in pairs_doc["pairs"] if float(row[2]) >= min_score}
    unknown = [p for p in mine if p not in id_map]
    if mine and len(unknown) == len(mine):
        raise DisclosureError(
            f"none of side {side.upper()}'s pseudonyms in these pairs is in this id map: "
            "wrong side, or the id map of another encoding")
    out: dict[str, dict[str, str]] = {}
    for pseudonym in sorted(mine):
        rid = id_map.get(pseudonym)
        if rid is None:
            continue
        rec = records.get(rid)
        if rec is None:
            raise DisclosureError(f"record {rid} of the id map is not in the records file")
        out[pseudonym] = {f: rec.cell(f) for f in fields}
    return {
        "format": DISCLOSURE_FORMAT,
        "format_version": FORMAT_VERSION,
        "secret_fingerprint": pairs_doc["secret_fingerprint"],
        "pairs_sha256": pairs_digest(dict(pairs_doc)),
        "side": side,
        "fields": list(fields),
        "min_score": min_score,
        "records": out,
    }


def check_disclosure(doc: Any, pairs_doc: Mapping[str, Any], my_side: str) -> None:
    """Raise :class:`DisclosureError` unless ``doc`` is the other side's answer to these
    pairs and reveals only allowed fields of records in them."""
    idx = _side_index(my_side)
    if not isinstance(doc, dict) or doc.get("format") != DISCLOSURE_FORMAT:
        raise DisclosureError("not a disclosure written by `reunite pprl reveal`")
    other = SIDES[1 - idx]
    if doc.get("side") != other:
        raise DisclosureError(
            f"this disclosure is from side {str(doc.get('side')).upper()}, expected side "
            f"{other.upper()} (the other party)")
    if doc.get("secret_fingerprint") != pairs_doc.get("secret_fingerprint") \
            or doc.get("pairs_sha256") != pairs_digest(dict(pairs_doc)):
        raise DisclosureError("this disclosure answers another linkage (other pairs file)")
    fields = doc.get("fields") or []
    if any(f not in REVEALABLE for f in fields):
        raise DisclosureError("this disclosure contains fields that may not be revealed")
    theirs = {row[1 - idx] for row in pairs_doc["pairs"]}
    records = doc.get("records")
    if not isinstance(records, dict):
        raise DisclosureError("this disclosure is damaged (no records)")
    extra = [p for p in records if p not in theirs]
    if extra:
        raise DisclosureError(
            f"this disclosure reveals {len(extra)} record(s) that are in no candidate pair")


def review_rows(
    pairs_doc: Mapping[str, Any],
    my_side: str,
    id_map: Mapping[str, str],
    records: Mapping[str, Any],
    disclosure: Mapping[str, Any],
    my_fields: Sequence[str] = DEFAULT_REVEAL,
) -> tuple[list[str], list[list[str]]]:
    """Header and rows: each candidate pair of mine, my record beside the other's details."""
    check_disclosure(disclosure, pairs_doc, my_side)
    idx = _side_index(my_side)
    their_fields = list(disclosure["fields"])
    header = (["score", "rank", "record_id"] + [f"mine_{f}" for f in my_fields]
              + ["their_pseudonym"] + [f"theirs_{f}" for f in their_fields])
    rows: list[list[str]] = []
    floor = float(disclosure.get("min_score") or 0.0)
    for row in pairs_doc["pairs"]:
        mine, theirs = row[idx], row[1 - idx]
        if float(row[2]) < floor:
            continue  # below what the other party chose to answer
        rid = id_map.get(mine)
        if rid is None or rid not in records:
            continue
        shown = disclosure["records"].get(theirs)
        if shown is None:
            continue  # the other party chose not to reveal this one
        rec = records[rid]
        rows.append([f"{float(row[2]):.4f}", str(row[3]), rid]
                    + [rec.cell(f) for f in my_fields] + [theirs]
                    + [str(shown.get(f, "")) for f in their_fields])
    rows.sort(key=lambda r: (-float(r[0]), r[2]))
    return header, rows

"""Encoded files, linking, the mediator's policy and audit, and disclosures."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reunite.pprl import (
    DEFAULT_SCHEMA,
    DisclosureError,
    Encoding,
    EncodingFileError,
    FieldSpec,
    IncompatibleEncodingsError,
    Mediator,
    RefusedError,
    Secret,
    check_disclosure,
    encode_tokens,
    link_encodings,
    make_disclosure,
    read_encoding,
    read_pairs,
    review_rows,
    select_pairs,
    write_encoding,
)
from reunite.pprl._files import MAGIC
from reunite.synth import generate

SECRET = Secret(b"files-and-links-secret-0123456789")


@pytest.fixture(scope="module")
def small(builder):  # type: ignore[no-untyped-def]
    pop = generate(records=400, enquiries=80, difficulty="realistic", seed=5)
    ta = [builder.tokens(r) for r in pop.enquiries]
    tb = [builder.tokens(r) for r in pop.records]
    a = encode_tokens(ta, SECRET, record_ids=[r.record_id for r in pop.enquiries])
    b = encode_tokens(tb, SECRET, record_ids=[r.record_id for r in pop.records])
    return pop, ta, tb, a, b


def _written(tmp_path, enc: Encoding, name: str = "x.enc"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    write_encoding(path, enc)
    return path


# -- file format ---------------------------------------------------------------------------
def test_round_trip(tmp_path, small) -> None:
    a = small[3]
    back = read_encoding(_written(tmp_path, a))
    assert back.ids == a.ids and np.array_equal(back.filters, a.filters)
    assert back.secret_fingerprint == SECRET.fingerprint and back.record_ids == ()
    raw = (tmp_path / "x.enc").read_bytes()
    assert SECRET.value not in raw and SECRET.value.hex().encode() not in raw
    assert not any(rid.encode() in raw for rid in a.record_ids)


@settings(max_examples=25, deadline=None)
@given(cut=st.floats(0.0, 0.999))
def test_truncated_files_are_refused(tmp_path_factory, cut: float) -> None:
    enc = encode_tokens([{"given_id": ["oleksandr"]}] * 3, SECRET)
    path = tmp_path_factory.mktemp("t") / "x.enc"
    write_encoding(path, enc)
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * cut)])
    with pytest.raises(EncodingFileError, match=r"truncated|not a Reunite"):
        read_encoding(path)


def test_wrong_length_and_altered_files_are_refused(tmp_path, small) -> None:
    path = _written(tmp_path, small[3])
    raw = path.read_bytes()
    path.write_bytes(raw + b"\0" * 7)
    with pytest.raises(EncodingFileError, match="wrong length"):
        read_encoding(path)
    altered = bytearray(raw)
    altered[-5] ^= 0x10
    path.write_bytes(bytes(altered))
    with pytest.raises(EncodingFileError, match="checksum"):
        read_encoding(path)
    path.write_bytes(b"name,surname\nx,y\n")
    with pytest.raises(EncodingFileError, match="not a Reunite PPRL encoding"):
        read_encoding(path)
    with pytest.raises(EncodingFileError, match="no such file"):
        read_encoding(tmp_path / "missing.enc")


def _rewrite_header(path, **changes) -> None:  # type: ignore[no-untyped-def]
    raw = path.read_bytes()
    pos = len(MAGIC)
    n = int.from_bytes(raw[pos:pos + 8], "big")
    header = json.loads(raw[pos + 8:pos + 8 + n])
    header.update(changes)
    new = json.dumps(header).encode()
    path.write_bytes(MAGIC + len(new).to_bytes(8, "big") + new + raw[pos + 8 + n:])


def test_other_schema_version_is_refused(tmp_path, small) -> None:
    path = _written(tmp_path, small[3])
    _rewrite_header(path, schema_version=99)
    with pytest.raises(EncodingFileError, match="schema version 99"):
        read_encoding(path)


def test_record_count_that_does_not_fit_is_refused(tmp_path, small) -> None:
    path = _written(tmp_path, small[3])
    _rewrite_header(path, record_count=len(small[3]) + 1)
    with pytest.raises(EncodingFileError, match="do not fit"):
        read_encoding(path)


# -- compatibility -------------------------------------------------------------------------
def test_other_secret_is_refused(small) -> None:
    _, ta, _, a, _ = small
    other = encode_tokens(ta, Secret(b"some-other-secret-0123456789abcd"))
    with pytest.raises(IncompatibleEncodingsError, match="different secrets"):
        link_encodings(a, other)


def test_mismatched_field_sets_are_refused(small) -> None:
    _, ta, _, a, _ = small
    fewer = replace(DEFAULT_SCHEMA, fields=DEFAULT_SCHEMA.fields[:-1])
    with pytest.raises(IncompatibleEncodingsError, match="only in A: separation_region"):
        link_encodings(a, encode_tokens(ta, SECRET, fewer))
    heavier = replace(DEFAULT_SCHEMA,
                      fields=(FieldSpec("given_id", 99, ""), *DEFAULT_SCHEMA.fields[1:]))
    with pytest.raises(IncompatibleEncodingsError, match="bits per field"):
        link_encodings(a, encode_tokens(ta, SECRET, heavier))


# -- linking -------------------------------------------------------------------------------
def test_anonlink_and_numpy_agree_and_find_true_pairs(small) -> None:
    pop, _, _, a, b = small
    fast = link_encodings(a, b, engine="anonlink", threshold=0.3, top_k=3, margin=None)
    slow = link_encodings(a, b, engine="numpy", threshold=0.3, top_k=3, margin=None)
    key = {(p.a_id, round(p.score, 4)) for p in fast}
    assert key == {(p.a_id, round(p.score, 4)) for p in slow}
    am = dict(zip(a.ids, a.record_ids, strict=True))
    bm = dict(zip(b.ids, b.record_ids, strict=True))
    found = {(am[p.a_id], bm[p.b_id]) for p in link_encodings(a, b)}
    assert len(found & pop.truth) / len(pop.truth) > 0.8
    # Brute force: the best Dice per record of A is the first candidate
    bits_a = np.unpackbits(a.filters, axis=1).astype(np.int64)
    bits_b = np.unpackbits(b.filters, axis=1).astype(np.int64)
    inter = bits_a @ bits_b.T
    dice = 2 * inter / (bits_a.sum(1)[:, None] + bits_b.sum(1)[None, :])
    best = {a.ids[i]: dice[i].max() for i in range(len(a))}
    for p in fast:
        if p.rank == 1:
            assert abs(p.score - best[p.a_id]) < 1e-6


def test_margin_and_top_k(small) -> None:
    _, _, _, a, b = small
    pairs = link_encodings(a, b, threshold=0.2, top_k=4, margin=0.05)
    by_a: dict[str, list[float]] = {}
    for p in pairs:
        by_a.setdefault(p.a_id, []).append(p.score)
    for scores in by_a.values():
        assert len(scores) <= 4 and scores == sorted(scores, reverse=True)
        assert scores[-1] >= scores[0] - 0.05
    # the rule applied afterwards gives the same pairs as applied during the link
    wide = link_encodings(a, b, threshold=0.2, top_k=4, margin=None)
    def key(ps):  # type: ignore[no-untyped-def]
        return {(p.a_id, p.b_id, p.score) for p in ps}

    assert key(select_pairs(wide, threshold=0.2, margin=0.05)) == key(pairs)


# -- mediator ------------------------------------------------------------------------------
def test_mediator_refuses_self_link_repeat_and_overuse(tmp_path, small, builder) -> None:
    _, ta, tb, a, b = small
    pa, pb = _written(tmp_path, a, "a.enc"), _written(tmp_path, b, "b.enc")
    clock = [dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)]
    med = Mediator(tmp_path / "med", max_links_per_day=2, now=lambda: clock[0])
    summary = med.link(pa, pb, tmp_path / "pairs.json")
    assert summary.pairs > 0 and read_pairs(tmp_path / "pairs.json")["a"]["records"] == len(a)
    with pytest.raises(RefusedError, match="same list") as exc:
        med.link(pa, pa, tmp_path / "self.json")
    assert exc.value.reason == "self_link"
    # the same list encoded again (new pseudonyms, new order) is still the same list
    again = _written(tmp_path, encode_tokens(ta, SECRET), "a2.enc")
    with pytest.raises(RefusedError, match="already linked"):
        med.link(again, pb, tmp_path / "again.json")
    # one record more on each side: almost the same lists
    pa3 = _written(tmp_path, encode_tokens([*ta, {"given_id": ["ivan"]}], SECRET), "a3.enc")
    pb3 = _written(tmp_path, encode_tokens([*tb, {"given_id": ["petro"]}], SECRET), "b3.enc")
    with pytest.raises(RefusedError, match="almost the same"):
        med.link(pa3, pb3, tmp_path / "probe.json")
    # a part of a list already linked is refused too: nothing new to learn
    with pytest.raises(RefusedError, match="part of"):
        med.link(_written(tmp_path, encode_tokens(ta[:40], SECRET), "part.enc"), pb,
                 tmp_path / "part.json")
    other_lists = [generate(records=50, enquiries=30, difficulty="easy", seed=s).enquiries
                   for s in (6, 7)]
    half_a = _written(tmp_path, encode_tokens(
        [builder.tokens(r) for r in other_lists[0]], SECRET), "ha.enc")
    half_b = _written(tmp_path, encode_tokens(
        [builder.tokens(r) for r in other_lists[1]], SECRET), "hb.enc")
    med.link(half_a, pb, tmp_path / "p2.json")
    with pytest.raises(RefusedError, match="limit 2") as exc:
        med.link(half_b, pb, tmp_path / "p3.json")
    assert exc.value.reason == "rate_limit"
    clock[0] += dt.timedelta(days=1, minutes=1)
    med.link(half_b, pb, tmp_path / "p3.json")
    for bad in ("self.json", "again.json", "probe.json", "part.json"):
        assert not (tmp_path / bad).exists()
    entries = [json.loads(line) for line in med.audit_path.read_text().splitlines()]
    assert [e["event"] for e in entries] == ["linked", "refused", "refused", "refused",
                                             "refused", "linked", "refused", "linked"]
    assert [e.get("reason") for e in entries if e["event"] == "refused"] == [
        "self_link", "repeat", "repeat", "repeat", "rate_limit"]
    assert med.verify_audit()
    lines = med.audit_path.read_text().splitlines()
    tampered = json.loads(lines[0])
    tampered["pairs"] += 1
    med.audit_path.write_text("\n".join([json.dumps(tampered, sort_keys=True), *lines[1:]]))
    assert not med.verify_audit()


def test_mediator_audits_bad_and_incompatible_files(tmp_path, small) -> None:
    _, ta, _, a, _ = small
    pa = _written(tmp_path, a, "a.enc")
    other = _written(tmp_path, encode_tokens(ta, Secret(b"z" * 32)), "o.enc")
    (tmp_path / "junk.enc").write_bytes(b"junk")
    med = Mediator(tmp_path / "med")
    with pytest.raises(IncompatibleEncodingsError):
        med.link(pa, other, tmp_path / "p.json")
    with pytest.raises(EncodingFileError):
        med.link(pa, tmp_path / "junk.enc", tmp_path / "p.json")
    reasons = [json.loads(x)["reason"] for x in med.audit_path.read_text().splitlines()]
    assert reasons == ["incompatible", "bad_file"]
    assert not (tmp_path / "p.json").exists()


# -- disclosures ---------------------------------------------------------------------------
def test_disclosure_reveals_only_paired_records_and_chosen_fields(tmp_path, small) -> None:
    pop, _, _, a, b = small
    med = Mediator(tmp_path / "med")
    med.link(_written(tmp_path, a, "a.enc"), _written(tmp_path, b, "b.enc"),
             tmp_path / "pairs.json")
    doc = read_pairs(tmp_path / "pairs.json")
    recs_b = {r.record_id: r for r in pop.records}
    ids_b = dict(zip(b.ids, b.record_ids, strict=True))
    disc = make_disclosure(doc, "b", ids_b, recs_b, ["given_name", "birth_date"])
    paired_b = {row[1] for row in doc["pairs"]}
    assert set(disc["records"]) == paired_b and len(paired_b) < len(b)
    assert all(set(v) == {"given_name", "birth_date"} for v in disc["records"].values())
    recs_a = {r.record_id: r for r in pop.enquiries}
    ids_a = dict(zip(a.ids, a.record_ids, strict=True))
    header, rows = review_rows(doc, "a", ids_a, recs_a, disc)
    assert header[-2:] == ["theirs_given_name", "theirs_birth_date"] and rows
    with pytest.raises(DisclosureError, match="expected side B"):
        check_disclosure(make_disclosure(doc, "a", ids_a, recs_a), doc, "a")
    with pytest.raises(DisclosureError, match="another linkage"):
        check_disclosure(disc, {**doc, "pairs": doc["pairs"][1:]}, "a")
    leaky = {**disc, "records": {**disc["records"], "ffffffffffffffffffff": {}}}
    with pytest.raises(DisclosureError, match="in no candidate pair"):
        check_disclosure(leaky, doc, "a")
    with pytest.raises(DisclosureError, match="cannot reveal enquirer_contact"):
        make_disclosure(doc, "b", ids_b, recs_b, ["enquirer_contact"])
    with pytest.raises(DisclosureError, match="wrong side"):
        make_disclosure(doc, "a", ids_b, recs_b)

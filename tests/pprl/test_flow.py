"""The whole protocol between three processes that share nothing but files.

Party A (a family-tracing service with enquiries) and party B (a registry) each run in
their own process and directory; the mediator runs in a third. Files move only as the
protocol says: the secret A -> B (the channel's job later), each encoding -> mediator, the
pairs -> both parties, B's disclosure -> A. Afterwards the mediator's directory (state,
audit log, inputs, outputs) and everything it printed are searched for any name, birth
date or place of either list, in any form the records hold them.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reunite.synth import generate, write_population

SRC = Path(__file__).resolve().parents[2] / "src"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "reunite.cli.main", "pprl", *args],  # noqa: S603
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 3), proc.stderr
    return proc


def _secrets_of(records: list) -> set[str]:  # type: ignore[type-arg]
    """Every name, birth date and place the records hold, as written (min. 4 chars)."""
    values: set[str] = set()
    for r in records:
        for text in (r.surname, r.given_name, r.patronymic, r.full_name, r.mother_name,
                     r.father_name, r.birth_place, r.separation_place, r.current_region,
                     *r.other_names):
            for word in text.replace(",", " ").split():
                word = word.strip(".")
                if len(word) >= 4 and not word.isdigit():
                    values.add(word)
        # A bare year ("2014") is four digits that hex digests and scores contain by chance;
        # dates to the month or day are searched in their interchange form.
        if r.birth_date.month is not None:
            values.add(str(r.birth_date))
    return values


@pytest.fixture(scope="module")
def flow(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("flow")
    party_a, party_b, mediator = root / "party_a", root / "party_b", root / "mediator"
    for d in (party_a, party_b, mediator):
        d.mkdir()
    pop = generate(records=600, enquiries=120, difficulty="realistic", seed=21)
    files = write_population(pop, root / "synth")
    shutil.copy(files["enquiries"], party_a / "enquiries.csv")
    shutil.copy(files["records"], party_b / "records.csv")

    _run(party_a, "secret", "--out", "shared.key")
    shutil.copy(party_a / "shared.key", party_b / "shared.key")  # over the channel, later
    _run(party_a, "encode", "--records", "enquiries.csv", "--kind", "enquiries",
         "--secret-file", "shared.key", "--out", "a.enc", "--quiet")
    _run(party_b, "encode", "--records", "records.csv", "--secret-file", "shared.key",
         "--out", "b.enc", "--quiet")
    shutil.copy(party_a / "a.enc", mediator / "a.enc")
    shutil.copy(party_b / "b.enc", mediator / "b.enc")

    printed = []
    linked = _run(mediator, "link", "--a", "a.enc", "--b", "b.enc", "--out", "pairs.json",
                  "--state-dir", "state", "--quiet")
    printed += [linked.stdout, linked.stderr]
    # a party (or the mediator's operator) tries to learn frequencies from its own list
    for args in (["--a", "a.enc", "--b", "a.enc"], ["--a", "b.enc", "--b", "a.enc"]):
        refused = _run(mediator, "link", *args, "--out", "again.json", "--state-dir", "state",
                       "--quiet")
        assert refused.returncode == 3
        printed += [refused.stdout, refused.stderr]

    shutil.copy(mediator / "pairs.json", party_a / "pairs.json")
    shutil.copy(mediator / "pairs.json", party_b / "pairs.json")
    _run(party_b, "reveal", "--pairs", "pairs.json", "--side", "b", "--ids", "b.enc.ids.csv",
         "--records", "records.csv", "--fields", "surname,given_name,birth_date",
         "--min-score", "0.6", "--out", "disclosure_b.json", "--quiet")
    shutil.copy(party_b / "disclosure_b.json", party_a / "disclosure_b.json")
    _run(party_a, "review", "--pairs", "pairs.json", "--side", "a", "--ids", "a.enc.ids.csv",
         "--records", "enquiries.csv", "--kind", "enquiries", "--disclosure",
         "disclosure_b.json", "--out", "review.csv", "--quiet")
    return pop, party_a, party_b, mediator, "\n".join(printed)


def test_the_flow_finds_the_children(flow) -> None:
    pop, party_a, party_b, _, _ = flow
    with (party_a / "review.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ids_b = dict(csv.reader((party_b / "b.enc.ids.csv").open(encoding="utf-8")))
    found = {(r["record_id"], ids_b[r["their_pseudonym"]]) for r in rows}
    assert len(found & pop.truth) >= 0.7 * len(pop.truth)
    # A sees B's details only for pairs at or above B's chosen score, and only B's fields
    assert all(float(r["score"]) >= 0.6 for r in rows)
    assert {k for k in rows[0] if k.startswith("theirs_")} == {
        "theirs_surname", "theirs_given_name", "theirs_birth_date"}


def test_mediator_storage_and_logs_hold_no_name_date_or_place(flow) -> None:
    pop, _, _, mediator, printed = flow
    secrets = _secrets_of(pop.enquiries) | _secrets_of(pop.records)
    assert len(secrets) > 500
    blobs: dict[str, str] = {"printed": printed.casefold()}
    for path in mediator.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            blobs[str(path.relative_to(mediator))] = (
                raw.decode("utf-8", errors="ignore") + raw.decode("latin-1")).casefold()
    assert {"a.enc", "b.enc", "pairs.json", "state/audit.jsonl"} <= set(blobs)
    assert any(name.startswith("state/lists/") for name in blobs)
    leaks = {(name, s) for name, blob in blobs.items() for s in secrets
             if s.casefold() in blob}
    assert not leaks
    audit = (mediator / "state" / "audit.jsonl").read_text()
    assert audit.count('"refused"') == 2 and '"self_link"' in audit


def test_party_files_for_others_hold_no_record_ids(flow) -> None:
    pop, _, party_b, mediator, _ = flow
    ids = {r.record_id for r in pop.enquiries} | {r.record_id for r in pop.records}
    for path in (mediator / "a.enc", mediator / "b.enc", mediator / "pairs.json",
                 party_b / "disclosure_b.json"):
        text = path.read_bytes().decode("latin-1")
        assert not any(i in text for i in ids), path

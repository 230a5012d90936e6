"""Writing populations and reading them back through reunite.interchange; the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reunite.cli.main import app
from reunite.interchange import read_file
from reunite.synth import Population, generate, write_population


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_files_round_trip_through_interchange(tmp_path: Path, pop: Population) -> None:
    paths = write_population(pop, tmp_path / "out")
    enq = read_file(paths["enquiries"], "enquiries")
    rec = read_file(paths["records"], "records")
    assert enq.records == pop.enquiries and rec.records == pop.records
    assert not enq.unknown_columns and not rec.unknown_columns
    truth = {(r["enquiry_id"], r["record_id"]) for r in _csv(paths["truth"])}
    assert truth == pop.truth
    groups: dict[str, set[str]] = {}
    for row in _csv(paths["duplicates"]):
        groups.setdefault(row["group_id"], set()).add(row["record_id"])
    assert {frozenset(g) for g in groups.values()} == pop.duplicate_truth
    children = _csv(paths["children"])
    assert [c["child_id"] for c in children] == [c.child_id for c in pop.children]


def test_xlsx_round_trip(tmp_path: Path) -> None:
    small = generate(records=150, enquiries=40, difficulty="hard", seed=5)
    paths = write_population(small, tmp_path, fmt="xlsx")
    assert read_file(paths["records"], "records").records == small.records
    assert read_file(paths["enquiries"], "enquiries").records == small.enquiries


def test_cli_writes_files_and_json_summary(tmp_path: Path) -> None:
    out = tmp_path / "pop"
    result = CliRunner().invoke(
        app,
        [
            "synth",
            "--records",
            "800",
            "--enquiries",
            "120",
            "--difficulty",
            "hard",
            "--seed",
            "1",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records"] == 800 and summary["enquiries"] == 120
    assert {p.name for p in out.iterdir()} == {
        "enquiries.csv",
        "records.csv",
        "truth.csv",
        "duplicates.csv",
        "children.csv",
    }
    again = generate(records=800, enquiries=120, difficulty="hard", seed=1)
    assert read_file(out / "records.csv", "records").records == again.records


def test_cli_bad_input_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_dir = tmp_path / "file"
    bad_dir.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["synth", "--records", "10", "--out", str(bad_dir)])
    assert result.exit_code == 2 and "not a directory" in result.output
    result = runner.invoke(app, ["synth", "--records", "-3", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = runner.invoke(app, ["synth", "-d", "medium", "--out", str(tmp_path)])
    assert result.exit_code == 2


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records=st.integers(0, 400),
    enquiries=st.integers(0, 120),
    difficulty=st.sampled_from(["easy", "realistic", "hard"]),
    seed=st.integers(0, 2**32),
)
def test_any_population_is_valid_interchange(
    tmp_path_factory: pytest.TempPathFactory,
    records: int,
    enquiries: int,
    difficulty: str,
    seed: int,
) -> None:
    """Whatever the arguments, the sizes are exact and every row passes validation."""
    pop = generate(records=records, enquiries=enquiries, difficulty=difficulty, seed=seed)  # type: ignore[arg-type]
    assert (len(pop.records), len(pop.enquiries)) == (records, enquiries)
    out = tmp_path_factory.mktemp("pop")
    paths = write_population(pop, out)  # raises SynthError if any row were invalid
    if enquiries:  # a header-only file is refused on import ("no data rows"), by design
        assert read_file(paths["enquiries"], "enquiries").records == pop.enquiries
    assert all(e in {x.record_id for x in pop.enquiries} for e, _ in pop.truth)

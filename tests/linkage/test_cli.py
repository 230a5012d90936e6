"""`reunite match` and `reunite dedupe` end to end on interchange files."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from reunite.cli.main import app
from reunite.interchange import write_file

runner = CliRunner()


@pytest.fixture(scope="module")
def files(population, model, tmp_path_factory):
    d = tmp_path_factory.mktemp("match")
    write_file(d / "E.csv", population.enquiries[:200], "enquiries")
    write_file(d / "R.csv", population.records, "records")
    model.save(d / "model.json")
    return d


def _rows(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_match_writes_sorted_candidates(files, population) -> None:
    out = files / "candidates.csv"
    res = runner.invoke(app, ["match", "--enquiries", str(files / "E.csv"), "--records",
                              str(files / "R.csv"), "--out", str(out), "--model",
                              str(files / "model.json"), "--top", "3", "--threshold", "0.3",
                              "--quiet"])
    assert res.exit_code == 0, res.output
    rows = _rows(out)
    assert list(rows[0]) == ["enquiry_id", "record_id", "probability", "match_weight",
                             "explanation"]
    keys = [(r["enquiry_id"], -float(r["probability"])) for r in rows]
    assert keys == sorted(keys)
    assert all(float(r["probability"]) >= 0.3 for r in rows)
    hits = sum(1 for r in rows if (r["enquiry_id"], r["record_id"]) in population.truth)
    assert hits >= 0.8 * len(rows)
    assert "birth date:" in rows[0]["explanation"]


def test_match_json_summary_and_exclusions(files) -> None:
    out = files / "c2.csv"
    base = ["match", "-e", str(files / "E.csv"), "-r", str(files / "R.csv"), "-o", str(out),
            "--model", str(files / "model.json"), "--top", "1"]
    res = runner.invoke(app, [*base, "--json", "--counts"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["enquiries"] == 200 and summary["candidates"] == len(_rows(out))
    assert next(c["rule"] for c in summary["comparisons_per_rule"]) == "dob"
    first = _rows(out)
    rejected = files / "rejected.csv"
    rejected.write_text("enquiry_id,record_id\n" + "".join(
        f"{r['enquiry_id']},{r['record_id']}\n" for r in first), encoding="utf-8")
    res = runner.invoke(app, [*base, "--exclude", str(rejected), "--json"])
    assert res.exit_code == 0, res.output
    again = {(r["enquiry_id"], r["record_id"]) for r in _rows(out)}
    assert not again & {(r["enquiry_id"], r["record_id"]) for r in first}


def test_strict_bad_file_names_row_and_column_and_writes_nothing(files) -> None:
    bad = files / "bad.csv"
    bad.write_text("record_id,surname,birth_date,sex\nE1,Коваль,2013-02-30,F\n"
                   "E2,Бондар,2014-01-01,X\n", encoding="utf-8")
    out = files / "never.csv"
    res = runner.invoke(app, ["match", "-e", str(bad), "-r", str(files / "R.csv"), "-o",
                              str(out), "--model", str(files / "model.json"), "--strict"])
    assert res.exit_code == 2
    assert "row 2, column birth_date" in res.output
    assert "row 3, column sex" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_missing_file_and_bad_model_are_clear_errors(files, tmp_path) -> None:
    res = runner.invoke(app, ["match", "-e", str(tmp_path / "none.csv"), "-r",
                              str(files / "R.csv"), "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "no such file" in res.output
    junk = tmp_path / "model.json"
    junk.write_text("{}", encoding="utf-8")
    res = runner.invoke(app, ["match", "-e", str(files / "E.csv"), "-r", str(files / "R.csv"),
                              "-o", str(tmp_path / "o.csv"), "--model", str(junk)])
    assert res.exit_code == 2 and "not a Reunite linkage model" in res.output
    assert not (tmp_path / "o.csv").exists()


def test_formula_looking_cells_are_escaped(files, population, model, tmp_path) -> None:
    import dataclasses

    e = dataclasses.replace(population.enquiries[0], record_id="=HYPERLINK(1)")
    write_file(tmp_path / "E.csv", [e], "enquiries")
    out = tmp_path / "c.csv"
    res = runner.invoke(app, ["match", "-e", str(tmp_path / "E.csv"), "-r",
                              str(files / "R.csv"), "-o", str(out), "--model",
                              str(files / "model.json"), "--threshold", "0", "-q"])
    assert res.exit_code == 0, res.output
    rows = _rows(out)
    assert rows and all(r["enquiry_id"].startswith("'=") for r in rows)


def test_small_lists_use_the_bundled_model(files, population, tmp_path) -> None:
    write_file(tmp_path / "E.csv", population.enquiries[:20], "enquiries")
    write_file(tmp_path / "R.csv", population.records[:300], "records")
    res = runner.invoke(app, ["match", "-e", str(tmp_path / "E.csv"), "-r",
                              str(tmp_path / "R.csv"), "-o", str(tmp_path / "c.csv"),
                              "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["candidates"] >= 1


def test_dedupe_command(files, tmp_path) -> None:
    out = tmp_path / "clusters.csv"
    res = runner.invoke(app, ["dedupe", "--records", str(files / "R.csv"), "--out", str(out),
                              "--model", str(files / "model.json"), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    rows = _rows(out)
    assert list(rows[0]) == ["cluster_id", "record_id", "cluster_size", "probability",
                             "explanation"]
    assert len(rows) == summary["records_in_clusters"]
    assert len({r["cluster_id"] for r in rows}) == summary["clusters"]

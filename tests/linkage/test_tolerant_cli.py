"""`reunite match` / `reunite dedupe` read lists as officials write them (issue 11)."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reunite.cli.main import app
from reunite.interchange import COLUMNS, PartialDate, write_file

runner = CliRunner()
RUSSIAN = ["находится в учреждении", "усыновлена", "под опекой", "в приёмной семье",
           "временное размещение", "usynovlen", "pod opekoi"]  # fmt: skip


@pytest.fixture(scope="module")
def lists(population, model, tmp_path_factory):
    d = tmp_path_factory.mktemp("tolerant")
    write_file(d / "E.csv", population.enquiries[:200], "enquiries")
    write_file(d / "R.csv", population.records[:1500], "records")
    model.save(d / "model.json")
    return d


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _rewrite(src: Path, dst: Path, change) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(src)
    with dst.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        for index, row in enumerate(rows):
            change(index, row)
            out.writerow(row)


def test_official_words_and_mistakes_run_through_with_a_report(lists, tmp_path) -> None:
    def officials(index: int, row: dict[str, str]) -> None:
        row["legal_status"] = RUSSIAN[index % len(RUSSIAN)]

    def family_mistakes(index: int, row: dict[str, str]) -> None:
        if index == 3:  # a separation month before the child's birth date
            birth = PartialDate.parse(row["birth_date"]) if row["birth_date"] else None
            year = birth.year if birth and birth.year else 2014
            row["birth_date"], row["separation_date"] = f"{year}-06-15", f"{year}-05"
        if index == 4:
            for column in (
                "surname",
                "given_name",
                "patronymic",
                "full_name",
                "other_names",
                "birth_date",
            ):
                row[column] = ""

    _rewrite(lists / "R.csv", tmp_path / "R.csv", officials)
    _rewrite(lists / "E.csv", tmp_path / "E.csv", family_mistakes)
    out = tmp_path / "c.csv"
    args = ["match", "-e", str(tmp_path / "E.csv"), "-r", str(tmp_path / "R.csv"), "-o",
            str(out), "--model", str(lists / "model.json")]  # fmt: skip

    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 2 and "is before the birth date" in strict.output
    strict = runner.invoke(app, ["match", "-e", str(lists / "E.csv"), *args[3:], "--strict"])
    assert strict.exit_code == 2 and "it reads as 'adopted'" in strict.output
    assert not out.exists()

    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    records, enquiries = summary["inputs"]["records"], summary["inputs"]["enquiries"]
    assert records["rows_read"] == records["rows_used"] == 1500
    assert records["repairs"] == 1500
    assert enquiries["rows_read"] == 200 and enquiries["rows_used"] == 199
    assert enquiries["rows_skipped"] == [6]
    assert summary["candidates"] > 0

    report = _rows(Path(enquiries["repair_report"]))
    assert [(r["row"], r["column"]) for r in report] == [("5", "separation_date"), ("6", "")]
    legal = _rows(tmp_path / "c.records-repairs.csv")
    assert {r["what was done"] for r in legal} >= {"read as adopted", "read as under_guardianship"}

    console = runner.invoke(app, args)
    assert console.exit_code == 0, console.output
    assert "legal_status: 1,500 read as a known word" in console.output
    assert "rows skipped (no name and no date): 6" in console.output
    assert "separation_date: 1 dropped" in console.output


def test_dedupe_reads_tolerantly_too(lists, tmp_path) -> None:
    _rewrite(
        lists / "R.csv",
        tmp_path / "R.csv",
        lambda i, row: row.update(legal_status=RUSSIAN[i % 7], sex="жін" if i % 2 else "?"),
    )
    out = tmp_path / "clusters.csv"
    res = runner.invoke(
        app,
        [
            "dedupe",
            "-r",
            str(tmp_path / "R.csv"),
            "-o",
            str(out),
            "--model",
            str(lists / "model.json"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["input"]["rows_used"] == 1500 and summary["input"]["repairs"] >= 1500
    assert (tmp_path / "clusters.repairs.csv").exists()


_CELL = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=20,
) | st.sampled_from(["усыновлена", "2013-02-30", "2030-01-01", "жен", "?", "=1+1", "2014-05",
                     "Коваль", "Іван", "2015", "\u202e", "\x1b[31m", "Я" * 1_100])  # fmt: skip


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(garbage=st.lists(st.dictionaries(st.sampled_from(COLUMNS["records"]), _CELL,
                                        max_size=10), min_size=1, max_size=12))  # fmt: skip
def test_match_never_crashes_and_never_drops_a_row_silently(
    lists, population, tmp_path_factory, garbage: list[dict[str, str]]
) -> None:
    d = tmp_path_factory.mktemp("garbage")
    good = [
        dataclasses.replace(r, record_id=f"G{i}") for i, r in enumerate(population.records[:40])
    ]
    write_file(d / "R.csv", good, "records")
    columns = list(COLUMNS["records"])
    with (d / "R.csv").open("a", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        for row in garbage:
            out.writerow([row.get(c, "") for c in columns])
    with (d / "R.csv").open(encoding="utf-8", newline="") as fh:
        data = list(csv.reader(fh))[1:]
    non_blank = sum(1 for cells in data if any(c.strip() for c in cells))
    res = runner.invoke(app, ["match", "-e", str(lists / "E.csv"), "-r", str(d / "R.csv"),
                              "-o", str(d / "c.csv"), "--model", str(lists / "model.json"),
                              "--json", "--threshold", "0.9"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    records = json.loads(res.stdout)["inputs"]["records"]
    assert records["rows_read"] == non_blank
    assert records["rows_used"] + len(records["rows_skipped"]) == non_blank
    report = _rows(d / "c.records-repairs.csv")
    assert {int(r["row"]) for r in report if r["what was done"].startswith("row skipped")} == set(
        records["rows_skipped"]
    )
